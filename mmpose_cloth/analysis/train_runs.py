"""Train configs as ``tools/train.py`` does, each in its own process with
one torch thread, and time them.

:func:`train_runs` starts ``python -m mmpose_cloth.analysis.train_child
CONFIG WORK_DIR --seed S`` for every :class:`TrainJob` (``jobs`` at a
time), waits for it with ``os.wait4`` and writes its wall-clock and CPU
seconds (user + system of the process and its dataloader workers) to
``<work_dir>/train_time.json``, which :func:`~.work_dirs.read_run` reads
back. A job with ``resume`` continues the work dir's ``last_checkpoint``
(MMEngine's ``resume=True``): the record then sums the timed segments, and
says when a segment went untimed (one killed with its parent, at a
session's end). The child's output goes to ``<work_dir>/train_stdout.log``.
"""
import json
import os
import os.path as osp
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

from .work_dirs import TIME_FILE

__all__ = ['TrainJob', 'TrainOutcome', 'train_runs', 'train_command']

#: the folder that holds the ``mmpose_cloth`` package
_PACKAGE_PARENT = osp.dirname(
    osp.dirname(osp.dirname(osp.abspath(__file__))))


@dataclass
class TrainJob:
    """One training run: ``config`` with ``randomness.seed=seed`` into
    ``work_dir``; ``cfg_options`` as ``tools/train.py --cfg-options``;
    ``resume``: continue from the work dir's ``last_checkpoint``."""
    config: str
    work_dir: str
    seed: int
    cfg_options: Dict[str, object] = field(default_factory=dict)
    resume: bool = False


@dataclass
class TrainOutcome:
    """How a :class:`TrainJob` ended."""
    job: TrainJob
    returncode: int
    wall_s: float
    cpu_s: float
    log: str  #: the child's stdout and stderr

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def train_command(job: TrainJob, threads: int = 1) -> List[str]:
    """The child's command line."""
    cmd = [sys.executable, '-m', 'mmpose_cloth.analysis.train_child',
           job.config, job.work_dir, '--seed', str(job.seed),
           '--threads', str(threads)]
    if job.resume:
        cmd.append('--resume')
    if job.cfg_options:
        cmd.append('--cfg-options')
        cmd += [f'{k}={v}' for k, v in job.cfg_options.items()]
    return cmd


def _timed_segments(work_dir: str) -> List[dict]:
    """The timed segments of ``work_dir``'s earlier record (none without
    one)."""
    path = osp.join(work_dir, TIME_FILE)
    if not osp.isfile(path):
        return []
    with open(path) as f:
        return list(json.load(f).get('segments', []))


def _run_one(job: TrainJob, threads: int,
             progress: Optional[Callable[[str], None]]) -> TrainOutcome:
    os.makedirs(job.work_dir, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (_PACKAGE_PARENT, env.get('PYTHONPATH')) if p)
    log = osp.join(job.work_dir, 'train_stdout.log')
    cmd = train_command(job, threads)
    if progress:
        progress(f'{"resuming" if job.resume else "training"} '
                 f'{osp.basename(job.config)} seed {job.seed} -> '
                 f'{job.work_dir}')
    t0 = time.perf_counter()
    with open(log, 'w') as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    segment = dict(wall_s=wall, cpu_s=cpu, returncode=proc.returncode,
                   command=cmd)
    segments = _timed_segments(job.work_dir) if job.resume else []
    segments.append(segment)
    # read_run trusts the sums when the last segment finished the run and
    # every run folder of the work dir was a timed segment
    record = dict(config=job.config, seed=job.seed,
                  wall_s=sum(s['wall_s'] for s in segments),
                  cpu_s=sum(s['cpu_s'] for s in segments),
                  returncode=proc.returncode, threads=threads,
                  command=cmd, cfg_options={k: repr(v) for k, v in
                                            job.cfg_options.items()},
                  segments=segments)
    with open(osp.join(job.work_dir, TIME_FILE), 'w') as f:
        json.dump(record, f, indent=1)
    if progress:
        progress(f'{"done" if proc.returncode == 0 else "FAILED"}: '
                 f'{osp.basename(job.config)} seed {job.seed} in '
                 f'{wall / 60:.1f} min ({cpu / 60:.1f} CPU min)')
    return TrainOutcome(job, proc.returncode, wall, cpu, log)


def train_runs(jobs: Sequence[TrainJob],
               parallel: int = 1,
               threads: int = 1,
               progress: Optional[Callable[[str], None]] = None
               ) -> List[TrainOutcome]:
    """Train every job, ``parallel`` processes at a time, each with
    ``threads`` torch threads; outcomes in the jobs' order."""
    if parallel < 1:
        raise ValueError(f'parallel must be >= 1, got {parallel}')
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(lambda j: _run_one(j, threads, progress),
                             jobs))
