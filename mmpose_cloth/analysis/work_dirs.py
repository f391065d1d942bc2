"""What a finished (or running) training left in its MMEngine work dir.

MMEngine writes one JSON record per line to
``<work_dir>/<timestamp>/vis_data/scalars.json``: training records
(``loss``, ``loss_*``, ``lr``, ``epoch``, ``iter``) every ``logger.interval``
iterations and a validation record (``fashionai/NE``, ``fashionai/NE/<cat>``,
``fashionai/gross``, ...) after each validation; a run resumed in the same
work dir adds another ``<timestamp>`` folder. The config the run used is
beside them (``vis_data/config.py``), and the ``CheckpointHook`` keeps the
best checkpoint as ``best_<key>_<epoch|iter>_<n>.pth``.

:func:`read_run` turns that into a :class:`TrainedRun`: the validation
metrics of the best checkpoint (the record the hook's ``save_best`` key and
rule chose: the first best one, as the hook keeps the first on ties), the
seed, and the run's wall-clock and CPU time (from :mod:`.train_runs`'s
``train_time.json`` when this package trained it, else the wall-clock
between the first and last lines of the logs, CPU time unknown).
"""
import datetime
import glob
import json
import os.path as osp
import re
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

__all__ = [
    'TrainedRun', 'RunNotFound', 'TIME_FILE', 'find_scalars', 'read_records',
    'split_records', 'read_run', 'run_folders'
]

#: written into a work dir by :func:`mmpose_cloth.analysis.train_runs`
TIME_FILE = 'train_time.json'

_STAMP = re.compile(r'^\d{8}_\d{6}$')
_LOG_TIME = re.compile(r'^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) - ')


class RunNotFound(FileNotFoundError):
    """A work dir holds no validation record (not trained, or not yet
    validated)."""


@dataclass
class TrainedRun:
    """One training run, read from its work dir.

    Attributes:
        work_dir (str): the work dir.
        metrics (dict): the best checkpoint's validation metrics, as the
            metric reported them (``fashionai/NE``, ``fashionai/NE/blouse``,
            ``fashionai/gross``, ... as fractions).
        selected_by (str): the ``save_best`` key and rule that chose them,
            e.g. ``'fashionai/NE (less)'``.
        best_checkpoint (str, optional): the best checkpoint's file, where it
            is still there.
        seed (int, optional): ``randomness.seed`` of the run's config.
        progress (tuple, optional): (the last logged epoch or iteration, the
            configured maximum): a run still training shows it.
        by_epoch (bool): whether ``progress`` counts epochs.
        wall_s (float, optional): seconds from start to end of training.
        cpu_s (float, optional): CPU seconds (user + system) of the
            training process and its dataloader workers.
        timing (str): where the times come from: ``'measured'`` (this
            package trained it), ``'log'`` (first to last log line) or
            ``''`` (unknown).
        config (str, optional): the config file the run dumped.
    """
    work_dir: str
    metrics: Dict[str, float]
    selected_by: str
    best_checkpoint: Optional[str] = None
    seed: Optional[int] = None
    progress: Optional[Tuple[int, int]] = None
    by_epoch: bool = True
    wall_s: Optional[float] = None
    cpu_s: Optional[float] = None
    timing: str = ''
    config: Optional[str] = None
    extra: Dict[str, object] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        """Whether the last logged step reached the configured maximum
        (``True`` where either is unknown)."""
        if self.progress is None:
            return True
        return self.progress[0] >= self.progress[1]

    def to_dict(self) -> dict:
        d = asdict(self)
        d['progress'] = list(self.progress) if self.progress else None
        d['finished'] = self.finished
        return d

    @classmethod
    def from_dict(cls, d: dict) -> 'TrainedRun':
        d = {k: v for k, v in d.items() if k != 'finished'}
        if d.get('progress') is not None:
            d['progress'] = tuple(d['progress'])
        return cls(**d)


def run_folders(work_dir: str) -> List[str]:
    """The ``<timestamp>`` folders of a work dir, oldest first."""
    return sorted(
        p for p in glob.glob(osp.join(work_dir, '*'))
        if osp.isdir(p) and _STAMP.match(osp.basename(p)))


def find_scalars(path: str) -> List[str]:
    """scalars.json files of a work dir (oldest run first); ``path`` may
    also be one ``<timestamp>`` folder or a scalars.json file."""
    if osp.isfile(path):
        return [path]
    files = sorted(glob.glob(osp.join(path, 'vis_data', 'scalars.json')))
    files += sorted(glob.glob(osp.join(path, '*', 'vis_data',
                                       'scalars.json')))
    return files


def read_records(files: List[str]) -> List[dict]:
    """Every JSON record of the files, in order (a line cut short by a
    killed run is skipped)."""
    records = []
    for f in files:
        with open(f) as fh:
            for line in fh:
                line = line.strip()
                if line:
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError:
                        pass
    return records


def split_records(records: List[dict]) -> Tuple[List[dict], List[dict]]:
    """Training records and validation records; each validation record
    gets ``_iter``: the iteration of the training record before it."""
    train, val = [], []
    last_iter = 0
    for r in records:
        if any(k.startswith('loss') for k in r) and 'iter' in r:
            train.append(r)
            last_iter = r['iter']
        elif any(k.endswith('/NE') for k in r):
            val.append(dict(r, _iter=last_iter))
    return train, val


def _run_config(work_dir: str):
    """The config the run dumped (the newest), or ``None``."""
    from mmengine.config import Config
    for folder in reversed(run_folders(work_dir)):
        path = osp.join(folder, 'vis_data', 'config.py')
        if osp.isfile(path):
            try:
                return path, Config.fromfile(path)
            except Exception:  # noqa: BLE001  (a config we cannot read)
                return path, None
    return None, None


def _save_best(cfg) -> Tuple[str, str]:
    """The checkpoint hook's ``save_best`` key and rule (FashionAI NE,
    lower is better, where the config does not say)."""
    hook = ((cfg or {}).get('default_hooks') or {}).get('checkpoint') or {}
    key = hook.get('save_best')
    if isinstance(key, (list, tuple)):
        key = key[0] if key else None
    rule = hook.get('rule')
    if isinstance(rule, (list, tuple)):
        rule = rule[0] if rule else None
    if not key or key == 'auto':
        key = 'fashionai/NE'
    if rule not in ('less', 'greater'):
        rule = 'less' if key.endswith('NE') or 'loss' in key else 'greater'
    return key, rule


def _log_wall_s(work_dir: str) -> Optional[float]:
    """Seconds between the first and last time-stamped log lines, summed
    over the run's ``<timestamp>`` folders (resumed runs)."""
    total, found = 0.0, False
    for folder in run_folders(work_dir):
        log = osp.join(folder, osp.basename(folder) + '.log')
        if not osp.isfile(log):
            continue
        first = last = None
        with open(log, errors='replace') as f:
            for line in f:
                m = _LOG_TIME.match(line)
                if m:
                    last = m.group(1)
                    first = first or last
        if first:
            fmt = '%Y/%m/%d %H:%M:%S'
            total += (datetime.datetime.strptime(last, fmt) -
                      datetime.datetime.strptime(first, fmt)).total_seconds()
            found = True
    return total if found else None


def read_run(work_dir: str) -> TrainedRun:
    """The best checkpoint's validation metrics, seed and times of a run.

    Raises:
        RunNotFound: the work dir has no validation record of the
            ``save_best`` key.
    """
    files = find_scalars(work_dir)
    config_path, cfg = _run_config(work_dir)
    key, rule = _save_best(cfg)
    train, val = split_records(read_records(files))
    val = [r for r in val if isinstance(r.get(key), (int, float))]
    if not val:
        raise RunNotFound(
            f'{work_dir}: no validation record with {key!r} in '
            f'{", ".join(files) or "(no vis_data/scalars.json)"}')
    pick = min if rule == 'less' else max
    best = pick(val, key=lambda r: r[key])  # the first of equal ones
    metrics = {k: v for k, v in best.items()
               if not k.startswith('_') and k not in ('step', 'time',
                                                      'data_time')}
    ckpts = sorted(glob.glob(osp.join(
        work_dir, f'best_{key.replace("/", "_")}_*.pth')), key=osp.getmtime)
    seed = progress = None
    by_epoch = True
    if cfg is not None:
        seed = (cfg.get('randomness') or {}).get('seed')
        tc = cfg.get('train_cfg') or {}
        by_epoch = bool(tc.get('by_epoch', 'max_epochs' in tc))
        limit = tc.get('max_epochs' if by_epoch else 'max_iters')
        last = [r.get('epoch' if by_epoch else 'iter') for r in train]
        last = [x for x in last if isinstance(x, int)]
        if limit and last:
            progress = (max(last), int(limit))
    run = TrainedRun(work_dir=work_dir, metrics=metrics,
                     selected_by=f'{key} ({rule})',
                     best_checkpoint=ckpts[-1] if ckpts else None,
                     seed=seed, progress=progress, by_epoch=by_epoch,
                     config=config_path)
    t = _time_record(work_dir)
    if t is not None:
        run.wall_s, run.cpu_s = t.get('wall_s'), t.get('cpu_s')
        run.timing = 'measured'
    else:
        run.wall_s = _log_wall_s(work_dir)
        run.timing = 'log' if run.wall_s is not None else ''
    return run


def _time_record(work_dir: str) -> Optional[dict]:
    """The ``TIME_FILE`` record, where it times the whole run: its last
    segment ended well and every ``<timestamp>`` folder (a start or a
    resumption) was a timed segment. Otherwise (a segment killed with the
    process that timed it, a run still training) ``None``: the wall-clock
    then comes from the logs and the CPU time is not known."""
    path = osp.join(work_dir, TIME_FILE)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        t = json.load(f)
    if t.get('returncode', 0) != 0:
        return None
    segments = t.get('segments')
    if segments is not None and len(segments) != len(run_folders(work_dir)):
        return None
    return t
