"""Compare pose configs on FashionAI: accuracy from their trained work dirs,
cost measured side by side, as one markdown table and one chart
(``tools/analysis/compare_models.py``).

For every config, :func:`run_comparison`

* finds its runs: the work dirs given for it, else
  ``<work_root>/<config name>/seed<k>`` for each seed, and reads each one
  (:func:`~.work_dirs.read_run`: the best checkpoint's validation metrics,
  the seed, the wall-clock and CPU time);
* with ``train``, first trains the missing ``seed<k>`` runs, each in its
  own process with one torch thread (:func:`~.train_runs.train_runs`, what
  ``tools/train.py CONFIG --cfg-options randomness.seed=k`` does), and
  resumes those stopped before their last epoch from their
  ``last_checkpoint`` (a session's end: :func:`to_train`);
* with ``runs_from`` (an earlier comparison's JSON), takes a run that is
  no longer on disk from that record instead of calling it missing: a
  machine that loses its work dirs between sessions (CI, a lent one, a
  fresh clone) keeps the runs it trained, and ``train`` adds only what the
  record lacks (:func:`recorded_runs`);
* measures the cost (or takes it from an earlier comparison's JSON,
  ``costs_from``) of all configs in one run, their repetitions
  interleaved round-robin so that noise hits them alike (the benchmark's
  :class:`~.model_bench.ModelBench` and ``measure_*`` functions):
  parameters, GFLOPs of one forward pass, training images/s (forward,
  backward, the config's optimizer, at the recipe's batch), the whole
  prediction of one image with the config's flip test, and the peak memory
  of a training step (a fresh process per config).

:func:`write_markdown` and :func:`plot_comparison` turn the
:class:`Comparison` into the table (with the command that made it at the
top) and the chart; an unknown figure is ``n/a``, never a guess.
"""
import itertools
import json
import logging
import math
import os
import os.path as osp
import statistics
import tempfile
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from fashionai_format.schema import CATEGORIES
from .ne_bars import draw_ne_bars, ne_and_counts
from .train_runs import TrainJob, train_runs
from .work_dirs import RunNotFound, TrainedRun, read_run, run_folders

__all__ = [
    'ComparisonSettings', 'ModelCost', 'ComparedModel', 'Comparison',
    'run_comparison', 'resolve_runs', 'measure_costs', 'differences',
    'format_markdown', 'write_markdown', 'save_comparison',
    'load_comparison', 'plot_comparison', 'recorded_runs', 'NA'
]

#: what a cell says when the figure is unknown (a run not done)
NA = 'n/a'

#: table names of MMPose's heads
HEAD_NAMES = {
    'CPNHead': 'CPN',
    'HeatmapHead': 'SimpleBaseline',
    'RTMCCHead': 'RTMPose (RTMCC)',
    'SimCCHead': 'SimCC',
    'RLEHead': 'RLE',
    'DSNTHead': 'DSNT',
    'IntegralRegressionHead': 'Integral regression',
    'RegressionHead': 'DeepPose regression',
    'CPMHead': 'CPM',
}

#: seeds apart by less than this (NE points) are what the issue asks to
#: check with two seeds
CLOSE_POINTS = 3.0

Progress = Optional[Callable[[str], None]]


@dataclass
class ComparisonSettings:
    """What :func:`run_comparison` reads, trains and measures.

    Args:
        configs (list[str]): the configs, the first one the reference of
            the speed ratios.
        work_dirs (dict[str, list[str]]): config -> its runs' work dirs
            (a dir holding ``seed<k>`` folders counts as those); a config
            without them is looked for under ``work_root``.
        work_root (str): ``<work_root>/<config name>/seed<k>``.
        seeds (list[int]): the seeds looked for (and trained) there.
        train (bool): train the missing ``seed<k>`` runs first.
        parallel (int): training processes at a time.
        threads (int): torch threads of each training process and of the
            cost measurements.
        cfg_options (dict): overrides for the trainings (as
            ``tools/train.py --cfg-options``).
        speed (bool): measure the cost.
        batch (int): training batch of the speed measurement (the
            recipes' 16).
        iters (int): timed rounds; ``warmup`` untimed ones first.
        memory (bool): measure the peak memory (a process per config).
        speed_images (int): synthetic images per category for the speed
            measurement's batch, of ``speed_image_size`` (W, H).
        labels (list[str], optional): a table name per config.
        costs_from (str, optional): the JSON of an earlier comparison of
            these configs (:func:`save_comparison`): its measured costs,
            machine and settings are taken instead of measuring again (the
            cost does not depend on the training runs; every config must
            be in it).
        runs_from (str, optional): the JSON of an earlier comparison:
            a run of it whose work dir is not on disk is taken from it
            (marked as recorded there) instead of counting as missing; a
            run on disk is always read from disk.
    """
    configs: Sequence[str]
    work_dirs: Dict[str, List[str]] = field(default_factory=dict)
    work_root: str = 'work_dirs/heads'
    seeds: Sequence[int] = (0, 1)
    train: bool = False
    parallel: int = 1
    threads: int = 1
    cfg_options: Dict[str, object] = field(default_factory=dict)
    speed: bool = True
    batch: int = 16
    iters: int = 5
    warmup: int = 1
    memory: bool = True
    speed_images: int = 2
    speed_image_size: Tuple[int, int] = (512, 512)
    labels: Optional[Sequence[str]] = None
    costs_from: Optional[str] = None
    runs_from: Optional[str] = None


@dataclass
class ModelCost:
    """One config's cost, from a side-by-side measurement (``None``:
    not measured or failed)."""
    params_m: Optional[float] = None
    gflops: Optional[float] = None  #: one forward pass at the input size
    train_img_per_s: Optional[float] = None
    train_step_s: Optional[float] = None
    train_ratio: Optional[float] = None  #: to the first config
    predict_ms: Optional[float] = None  #: one image, flip test as config
    predict_ratio: Optional[float] = None
    peak_rss_mb: Optional[float] = None  #: of a training step's process
    train_step_mb: Optional[float] = None  #: over its RSS before the step


@dataclass
class ComparedModel:
    """A config, its runs and its cost."""
    label: str
    config: str
    head: str
    codec: str
    input_size: List[int]
    flip_test: bool
    work_dirs: List[str]
    runs: List[TrainedRun] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    failed: List[str] = field(default_factory=list)  #: training logs
    cost: ModelCost = field(default_factory=ModelCost)

    @property
    def interim(self) -> bool:
        """Whether the model has runs but none has reached its last epoch
        (its figures are interim ones)."""
        return bool(self.runs) and not any(r.finished for r in self.runs)

    def scored_runs(self) -> List[TrainedRun]:
        """The runs the model's figures are over: the finished ones; only
        where none has finished yet, the unfinished ones (``interim``). An
        interim NE is never averaged with a final one."""
        return [r for r in self.runs if r.finished] or list(self.runs)

    def values(self, what: str = 'all') -> List[float]:
        """Each scored run's NE (``what``: 'all' or a category) or
        ``'gross'`` share, as fractions (see :meth:`scored_runs`)."""
        out = []
        for r in self.scored_runs():
            if what == 'gross':
                v = next((v for k, v in r.metrics.items()
                          if k.split('/')[-1] == 'gross'), None)
            else:
                v = ne_and_counts(r.metrics)[0].get(what)
            if isinstance(v, (int, float)) and math.isfinite(v):
                out.append(float(v))
        return out

    def mean(self, what: str = 'all') -> Optional[float]:
        v = self.values(what)
        return statistics.fmean(v) if v else None

    def to_dict(self) -> dict:
        d = asdict(self)
        d['runs'] = [r.to_dict() for r in self.runs]
        d['ne'] = {w: self.mean(w) for w in ('all', *CATEGORIES)}
        d['gross'] = self.mean('gross')
        return d

    @classmethod
    def from_dict(cls, d: dict) -> 'ComparedModel':
        d = {k: v for k, v in d.items() if k not in ('ne', 'gross')}
        d['runs'] = [TrainedRun.from_dict(r) for r in d['runs']]
        d['cost'] = ModelCost(**d['cost'])
        return cls(**d)


@dataclass
class Comparison:
    """A whole comparison: the models in the configs' order, the machine
    and settings of the cost measurement, the command that made it."""
    models: List[ComparedModel]
    machine: str = ''
    settings: Dict[str, object] = field(default_factory=dict)
    command: str = ''

    def to_dict(self) -> dict:
        return dict(command=self.command, machine=self.machine,
                    settings=self.settings,
                    models=[m.to_dict() for m in self.models])

    @classmethod
    def from_dict(cls, d: dict) -> 'Comparison':
        """Read back what :func:`save_comparison` wrote."""
        return cls([ComparedModel.from_dict(m) for m in d['models']],
                   d.get('machine', ''), dict(d.get('settings') or {}),
                   d.get('command', ''))


def _log(progress: Progress, msg: str) -> None:
    if progress:
        progress(msg)


def _describe(config: str) -> dict:
    """Head, codec, input size and flip test of a config."""
    from mmpose_cloth.utils.config import config_input_size, load_config
    cfg = load_config(config)
    head = cfg.model.get('head', {})
    decoder = head.get('decoder') or {}
    if isinstance(decoder, (list, tuple)):
        decoder = decoder[-1] if decoder else {}
    test_cfg = cfg.model.get('test_cfg') or {}
    return dict(head=str(head.get('type', '?')),
                codec=str(decoder.get('type', '?')),
                input_size=list(config_input_size(cfg)),
                flip_test=bool(test_cfg.get('flip_test', False)))


def _labels(configs: Sequence[str], heads: Sequence[str],
            given: Optional[Sequence[str]]) -> List[str]:
    if given:
        if len(given) != len(configs):
            raise ValueError(f'{len(given)} labels for {len(configs)} '
                             'configs')
        return list(given)
    names = [HEAD_NAMES.get(h, h) for h in heads]
    stems = [osp.splitext(osp.basename(c))[0] for c in configs]
    return [n if names.count(n) == 1 else f'{n} ({s})'
            for n, s in zip(names, stems)]


def _seed_dirs(path: str) -> List[str]:
    """``path`` itself, or its ``seed<k>`` folders where it has no runs of
    its own but has those."""
    if run_folders(path):
        return [path]
    seeds = sorted(
        (p for p in (osp.join(path, n) for n in (
            os.listdir(path) if osp.isdir(path) else ()))
         if osp.isdir(p) and osp.basename(p).startswith('seed')),
        key=lambda p: (len(p), p))
    return seeds or [path]


def _same_config(a: str, b: str) -> bool:
    return osp.abspath(a) == osp.abspath(b)


#: a config, its work dirs and the seed to train each trainable one with
RunPlan = Tuple[str, List[str], Dict[str, int]]


def resolve_runs(s: ComparisonSettings) -> List[RunPlan]:
    """Each config's work dirs: ``(config, dirs, {dir: seed to train it
    with})``; only the ``<work_root>`` dirs can be trained."""
    out = []
    for config in s.configs:
        given = [d for c, dirs in s.work_dirs.items()
                 if _same_config(c, config) for d in dirs]
        if given:
            dirs = [d for g in given for d in _seed_dirs(g)]
            out.append((config, dirs, {}))
        else:
            stem = osp.splitext(osp.basename(config))[0]
            trainable = {osp.join(s.work_root, stem, f'seed{k}'): k
                         for k in s.seeds}
            out.append((config, list(trainable), trainable))
    return out


def resumable(work_dir: str) -> bool:
    """Whether ``work_dir`` has a checkpoint to resume from (MMEngine's
    ``last_checkpoint``)."""
    return osp.isfile(osp.join(work_dir, 'last_checkpoint'))


def to_train(model: ComparedModel) -> List[str]:
    """The work dirs ``--train`` (re)starts: the missing runs, and those
    stopped before their last epoch (resumed where they can be)."""
    return model.missing + [r.work_dir for r in model.runs
                            if not r.finished]


#: the key of :attr:`TrainedRun.extra` naming the JSON a run was taken
#: from (see :func:`recorded_runs`)
RECORDED_IN = 'recorded_in'


def recorded_runs(path: str) -> Dict[str, TrainedRun]:
    """The runs of an earlier comparison's JSON by their work dir
    (absolute), each marked with the JSON it came from
    (``extra['recorded_in']``; a run it had itself taken from an older
    record keeps that one's name)."""
    out = {}
    for m in load_comparison(path).models:
        for r in m.runs:
            r.extra.setdefault(RECORDED_IN, path)
            out[osp.abspath(r.work_dir)] = r
    return out


def _read(model: ComparedModel, dirs: Sequence[str],
          recorded: Optional[Dict[str, TrainedRun]] = None) -> None:
    """Each of ``dirs`` read from disk, else taken from ``recorded``
    (:func:`recorded_runs`), else missing."""
    model.runs, model.missing = [], []
    for d in dirs:
        try:
            model.runs.append(read_run(d))
        except (RunNotFound, OSError):
            if recorded and osp.abspath(d) in recorded:
                model.runs.append(recorded[osp.abspath(d)])
            else:
                model.missing.append(d)


def measure_costs(configs: Sequence[str], s: ComparisonSettings,
                  progress: Progress = None) -> Tuple[List[ModelCost], str]:
    """The cost of every config, measured side by side (see the module
    docstring); and the machine, in words."""
    import cv2
    import torch
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope

    import mmpose_cloth  # noqa: F401  (compat layer, registers modules)
    from mmpose_cloth.utils.config import load_config
    from .benchmark import machine_description
    from .data import make_synthetic_split
    from .entry import BenchmarkEntry
    from .measure import (measure_gflops, measure_memory_cpu,
                          measure_prediction, measure_train_speed)
    from .model_bench import ModelBench
    init_default_scope('mmpose')
    MMLogger.get_current_instance().setLevel(logging.ERROR)
    logging.getLogger('mmengine').setLevel(logging.ERROR)
    threads = torch.get_num_threads()
    torch.set_num_threads(s.threads)
    cv2.setNumThreads(0)
    device = torch.device('cpu')
    try:
        entries = [BenchmarkEntry.parse(c) for c in configs]
        cfgs = [load_config(e.variant) for e in entries]
        entries = [e.with_config_layout(c) for e, c in zip(entries, cfgs)]
        costs = [ModelCost() for _ in configs]
        with tempfile.TemporaryDirectory(prefix='compare_') as root:
            ann = make_synthetic_split(root, s.speed_images,
                                       s.speed_image_size)
            if s.memory:
                _log(progress, 'memory: one process per config ...')
                for c, m in zip(costs, measure_memory_cpu(
                        entries, s.batch, root, ann)):
                    if m is not None:
                        c.peak_rss_mb = m.peak_rss_mb
                        c.train_step_mb = m.train_step_mb
            _log(progress, 'building the models ...')
            benches = [ModelBench(e, c, device, s.batch, root, ann)
                       for e, c in zip(entries, cfgs)]
            for c, b, g in zip(costs, benches, measure_gflops(benches)):
                c.params_m, c.gflops = b.params, g
            _log(progress, f'training steps: {s.warmup} warm-up + '
                 f'{s.iters} timed rounds, batch {s.batch} ...')
            for c, t in zip(costs, measure_train_speed(benches, s.iters,
                                                       s.warmup)):
                c.train_img_per_s, c.train_step_s = t.img_per_s, t.step_s
                c.train_ratio = t.ratio
            _log(progress, 'prediction of one image, flip test as each '
                 'config says ...')
            for c, p in zip(costs, measure_prediction(benches, s.iters,
                                                      s.warmup)):
                c.predict_ms, c.predict_ratio = p.ms_per_img, p.ratio
        return costs, machine_description(device)
    finally:
        torch.set_num_threads(threads)


def run_comparison(s: ComparisonSettings, command: str = '',
                   progress: Progress = None) -> Comparison:
    """Read (and with ``s.train`` first train) every config's runs and
    measure their cost; see the module docstring."""
    import mmpose_cloth  # noqa: F401  (compat layer, registers modules)
    if not s.configs:
        raise ValueError('no configs to compare')
    plan = resolve_runs(s)
    info = [_describe(c) for c in s.configs]
    labels = _labels(s.configs, [i['head'] for i in info], s.labels)
    models = [
        ComparedModel(label=lab, config=c, work_dirs=dirs, **i)
        for lab, (c, dirs, _), i in zip(labels, plan, info)
    ]
    recorded = recorded_runs(s.runs_from) if s.runs_from else None
    for m in models:
        _read(m, m.work_dirs, recorded)
    if s.train:
        jobs = [TrainJob(m.config, d, trainable[d], dict(s.cfg_options),
                         resume=resumable(d))
                for m, (_, _, trainable) in zip(models, plan)
                for d in to_train(m) if d in trainable]
        if jobs:
            resumed = sum(j.resume for j in jobs)
            _log(progress, f'{len(jobs)} run(s) to train'
                 + (f' ({resumed} resumed from their last checkpoint)'
                    if resumed else '')
                 + f', {s.parallel} at a time, {s.threads} torch thread(s) '
                 'each')
            outcomes = train_runs(jobs, s.parallel, s.threads, progress)
            failed = {o.job.work_dir: o.log for o in outcomes if not o.ok}
            for m in models:
                _read(m, m.work_dirs, recorded)
                m.failed = [failed[d] for d in to_train(m) if d in failed]
    machine = ''
    settings = dict(seeds=list(s.seeds), threads=s.threads, batch=s.batch,
                    iters=s.iters, warmup=s.warmup, speed=s.speed,
                    memory=s.memory)
    if s.runs_from:
        settings['runs_from'] = s.runs_from
    if s.costs_from:
        earlier = load_comparison(s.costs_from)
        for m, c in zip(models, costs_of(earlier, s.configs,
                                         s.costs_from)):
            m.cost = c
        machine = earlier.machine
        settings.update({k: earlier.settings.get(k) for k in COST_SETTINGS},
                        costs_from=s.costs_from)
    elif s.speed:
        costs, machine = measure_costs(s.configs, s, progress)
        for m, c in zip(models, costs):
            m.cost = c
    return Comparison(models, machine, settings, command)


#: the settings of a cost measurement, carried with its costs
COST_SETTINGS = ('threads', 'batch', 'iters', 'warmup', 'speed', 'memory')


def costs_of(earlier: 'Comparison', configs: Sequence[str],
             source: str = 'the earlier comparison') -> List[ModelCost]:
    """The cost ``earlier`` measured for each config, matched by config
    file name.

    Raises:
        ValueError: a config it does not have, or has without a measured
            cost, named with ``source``.
    """
    by_name = {osp.basename(m.config): m for m in earlier.models}
    out = []
    for config in configs:
        m = by_name.get(osp.basename(config))
        if m is None or m.cost.params_m is None:
            raise ValueError(
                f'{source} has no measured cost of {config} (it has: '
                f'{", ".join(sorted(by_name)) or "no configs"}); measure '
                'again without --costs-from')
        out.append(m.cost)
    return out


# -- the table ---------------------------------------------------------------


def _pct(v: Optional[float], digits: int = 2) -> str:
    return NA if v is None else f'{100 * v:.{digits}f}'


def _num(v: Optional[float], fmt: str) -> str:
    return NA if v is None or not math.isfinite(v) else format(v, fmt)


def _duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return NA
    if seconds < 60:
        return f'{seconds:.0f} s'
    minutes = seconds / 60
    return f'{minutes:.1f} min' if minutes < 120 else \
        f'{minutes / 60:.1f} h'


def _runs_cell(m: ComparedModel) -> str:
    """Runs read of runs wanted, and how many of them stopped before
    their last epoch (their NE is an interim one)."""
    cell = f'{len(m.runs)}/{len(m.work_dirs)}'
    unfinished = sum(not r.finished for r in m.runs)
    return cell + (f' ({unfinished} unfinished)' if unfinished else '')


def _ne_cell(m: ComparedModel) -> str:
    vals = m.values('all')
    if not vals:
        return NA
    note = ' (interim)' if m.interim else ''
    if len(vals) == 1:
        return _pct(vals[0]) + note
    return (f'{_pct(statistics.fmean(vals))} '
            f'({", ".join(map(_pct, vals))}){note}')


def differences(
        models: Sequence[ComparedModel],
        within: float = CLOSE_POINTS) -> List[Tuple[str, str, float, str]]:
    """Every pair whose mean NE is under ``within`` points apart:
    ``(better, worse, points, verdict)``; the verdict says whether the
    difference holds over the seeds (every seed of one below every seed
    of the other), is within their spread, or cannot be told (a model
    with one run). Models without a finished run are left out."""
    out = []
    for a, b in itertools.combinations(models, 2):
        va, vb = a.values('all'), b.values('all')
        if not va or not vb or a.interim or b.interim:
            continue
        if statistics.fmean(va) > statistics.fmean(vb):
            (a, va), (b, vb) = (b, vb), (a, va)
        points = 100 * (statistics.fmean(vb) - statistics.fmean(va))
        if points >= within:
            continue
        if len(va) < 2 or len(vb) < 2:
            verdict = 'one run of a model: not tested'
        elif max(va) < min(vb):
            verdict = (f'holds: every seed of {a.label} below every seed '
                       f'of {b.label}')
        else:
            verdict = 'within the seeds\' spread: does not hold'
        out.append((a.label, b.label, points, verdict))
    return out


def format_markdown(c: Comparison, title: str = 'Pose heads on FashionAI',
                    chart: Optional[str] = None) -> str:
    """The comparison as markdown: the command, the table, which
    differences hold, every run and what is missing."""
    lines = [f'# {title}', '']
    if c.command:
        lines += ['Made by (from the repository root):', '', '```bash',
                  c.command, '```', '']
    ref = c.models[0].label
    lines += [
        'NE (%): the validation NE of each run\'s best checkpoint (the one '
        'its `save_best` kept), the mean over the finished runs with each '
        'in brackets (a run stopped before its last epoch counts only '
        'where a model has no finished run: `(interim)`); per category and '
        'gross failures (images whose own NE is over 50%) are means over '
        'the same runs. '
        + (f'Cost measured side by side in one run on {c.machine}'
           + (f' (taken from `{c.settings["costs_from"]}`, an earlier '
              'measurement of the same configs)'
              if c.settings.get('costs_from') else '') + ', '
           f'the configs\' repetitions interleaved '
           f'({c.settings.get("iters")} rounds): '
           f'params and GFLOPs of one forward pass, training images/s '
           f'(batch {c.settings.get("batch")}: forward, backward and the '
           f'config\'s optimizer; ratio to {ref}), the prediction of one '
           'image with the flip test as each config says (two forward '
           'passes, decoding, back to image pixels; no image decoding), '
           'and the peak RSS of a process that builds the model and takes '
           'two training steps (+: the steps\' own share over its RSS '
           'before them).'
           if c.settings.get('speed') else 'Cost not measured (--no-speed).')
        + f' `{NA}`: not known (a run not done).', ''
    ]
    head = ['model', 'head', 'codec', 'runs', 'NE %', *CATEGORIES,
            'gross %', 'params (M)', 'GFLOPs', 'train img/s',
            'infer ms/img', 'peak mem (MB)']
    lines += ['| ' + ' | '.join(head) + ' |',
              '|' + '---|' * 3 + '---:|' * (len(head) - 3)]
    for m in c.models:
        k = m.cost
        train = NA if k.train_img_per_s is None else \
            f'{k.train_img_per_s:.2f} ({k.train_ratio:.2f}x)'
        flip = '' if m.flip_test else ' (no flip)'
        cells = [
            m.label, f'`{m.head}`', f'`{m.codec}`',
            _runs_cell(m), _ne_cell(m),
            *(_pct(m.mean(cat)) for cat in CATEGORIES),
            _pct(m.mean('gross'), 1), _num(k.params_m, '.2f'),
            _num(k.gflops, '.2f'), train,
            _num(k.predict_ms, '.0f') + (flip if k.predict_ms else ''),
            _num(k.peak_rss_mb, ',.0f') + (
                '' if k.train_step_mb is None else
                f' (+{k.train_step_mb:,.0f})')
        ]
        lines.append('| ' + ' | '.join(cells) + ' |')
    lines.append('')
    if chart:
        lines += [f'![{title}]({chart})', '']
    diffs = differences(c.models)
    lines += [f'## Differences under {CLOSE_POINTS:g} NE points', '']
    if diffs:
        lines += [f'* {a} vs {b}: {p:.2f} points, {v}' for a, b, p, v in
                  diffs]
    else:
        lines.append('None to test (no two models with runs are that '
                     'close).')
    lines += ['', '## Runs', '',
              '| model | seed | NE % | progress | wall-clock | CPU time | '
              'work dir |', '|---|---:|---:|---|---:|---:|---|']
    for m in c.models:
        for r in m.runs:
            unit = 'epoch' if r.by_epoch else 'iter'
            prog = NA if r.progress is None else \
                f'{unit} {r.progress[0]}/{r.progress[1]}' + \
                ('' if r.finished else ' (not finished)')
            wall = _duration(r.wall_s) + (' (log)' if r.timing == 'log'
                                          else '')
            lines.append(
                f'| {m.label} | {NA if r.seed is None else r.seed} | '
                f'{_pct(ne_and_counts(r.metrics)[0].get("all"))} | {prog} | '
                f'{wall} | {_duration(r.cpu_s)} | `{r.work_dir}`'
                + (f' (recorded in `{r.extra[RECORDED_IN]}`)'
                   if RECORDED_IN in r.extra else '') + ' |')
        for d in m.missing:
            failed = [f for f in m.failed if osp.dirname(f) == d]
            why = f'training failed, see `{failed[0]}`' if failed else \
                'not trained'
            lines.append(f'| {m.label} | {NA} | {NA} | {why} | {NA} | {NA} '
                         f'| `{d}` |')
    lines.append('')
    return '\n'.join(lines)


def write_markdown(c: Comparison, path: str, title: str = 'Pose heads on '
                   'FashionAI', chart: Optional[str] = None) -> None:
    """:func:`format_markdown` into ``path``; ``chart`` (a PNG path) is
    linked relative to it."""
    if chart:
        chart = osp.relpath(chart, osp.dirname(osp.abspath(path)) or '.')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        f.write(format_markdown(c, title, chart))


def save_comparison(c: Comparison, path: str) -> None:
    """The comparison's numbers as JSON."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(c.to_dict(), f, indent=1)


def load_comparison(path: str) -> Comparison:
    """A comparison from the JSON :func:`save_comparison` wrote."""
    with open(path) as f:
        return Comparison.from_dict(json.load(f))


def plot_comparison(c: Comparison, path: str,
                    title: str = 'Pose heads on FashionAI') -> None:
    """One PNG: NE per category and overall for each model (bars), and NE
    against the prediction time per image (or, without NE, the training
    images/s)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(15, 5.5), gridspec_kw=dict(width_ratios=[2.2, 1]))
    series = []
    for m in c.models:
        ne = {w: m.mean(w) for w in ('all', *CATEGORIES)}
        series.append((m.label, {k: v for k, v in ne.items()
                                 if v is not None}, {}))
    if any(s[1] for s in series):
        draw_ne_bars(left, series)
        left.set_title('NE per category (mean over runs)', fontsize=10)
    else:
        left.text(0.5, 0.5, 'no trained runs yet', ha='center',
                  transform=left.transAxes)
        left.set_axis_off()
    pts = [(m.cost.predict_ms, m.mean('all'), m.label) for m in c.models]
    pts = [p for p in pts if p[0] is not None and p[1] is not None]
    if pts:
        right.scatter([p[0] for p in pts], [100 * p[1] for p in pts])
        for x, y, n in pts:
            right.annotate(n, (x, 100 * y), fontsize=8,
                           xytext=(3, 3), textcoords='offset points')
        right.set_xlabel('CPU ms per image (flip test, '
                         f'{c.settings.get("threads")} thread)')
        right.set_ylabel('NE (%)')
        right.set_title('accuracy against prediction time', fontsize=10)
        right.grid(alpha=0.3)
    else:
        speed = [(m.label, m.cost.train_img_per_s) for m in c.models
                 if m.cost.train_img_per_s is not None]
        if speed:
            ys = range(len(speed))
            right.barh(list(ys), [v for _, v in speed])
            right.set_yticks(list(ys))
            right.set_yticklabels([n for n, _ in speed], fontsize=8)
            right.invert_yaxis()
            right.set_xlabel('training images/s')
            right.set_title('training throughput', fontsize=10)
        else:
            right.set_axis_off()
    fig.suptitle(title + (f' ({c.machine})' if c.machine else ''),
                 fontsize=10)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches='tight')
    plt.close(fig)
