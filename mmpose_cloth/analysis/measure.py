"""One ``measure_*`` function per benchmark figure.

Speeds are measured on several configs at once, their repetitions
interleaved round-robin, so that noise (other processes on the machine) hits
all configs alike; medians are reported, and every speed is also given as a
ratio to the first config: the median of the ratios of the same round.
The data pipeline's speed is in :mod:`mmpose_cloth.analysis.pipeline`.
"""
import json
import logging
import os
import os.path as osp
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.logging import MMLogger

from fashionai_format import (CATEGORIES, CATEGORY_KEYPOINTS,
                              FashionAIRecord, read_annotations,
                              write_annotations)
from mmpose_cloth.evaluation import FashionAIMetric, evaluate_submission
from mmpose_cloth.evaluation.functional import normalized_error
from .entry import BenchmarkEntry
from .model_bench import ModelBench
from .results import (EvaluationTiming, InferSpeed, MemoryUse,
                      PredictSpeed, TrainSpeed)

__all__ = [
    'measure_gflops', 'measure_train_speed', 'measure_inference',
    'measure_prediction',
    'measure_memory_cpu', 'measure_memory_cuda', 'measure_evaluation',
    'median_ratio'
]

#: the folder that holds the ``mmpose_cloth`` package
_PACKAGE_PARENT = osp.dirname(
    osp.dirname(osp.dirname(osp.abspath(__file__))))


def median_ratio(values: Sequence[float], ref: Sequence[float]) -> float:
    """Median over rounds of ``ref[r] / values[r]`` (time ratio = speed
    ratio to the reference)."""
    return statistics.median(r / v for v, r in zip(values, ref))


def measure_gflops(benches: Sequence[ModelBench]) -> List[Optional[float]]:
    """GFLOPs per image of each model (``None``, with a warning on stderr,
    where MMEngine's counter fails)."""
    out = []
    for b in benches:
        try:
            out.append(b.gflops())
        except Exception as e:  # noqa: BLE001  (report, go on)
            print(f'warning: FLOPs of {b.entry.name}: {e}', file=sys.stderr)
            out.append(None)
    return out


def measure_train_speed(benches: Sequence[ModelBench], iters: int,
                        warmup: int) -> List[TrainSpeed]:
    """Training throughput: ``warmup`` untimed, then ``iters`` timed
    training steps of every model, round-robin; prints each round's
    images/s. A compiled model's first step (it compiles) comes before
    the warm-up and goes to its ``compile.train_first_step_s``."""
    for b in benches:
        if b.compile is not None:
            b.compile.train_first_step_s = b.train_step()
    for _ in range(warmup):
        for b in benches:
            b.train_step()
    wall = [[] for _ in benches]
    cpu = [[] for _ in benches]
    for r in range(iters):
        for i, b in enumerate(benches):
            wall[i].append(b.train_step())
            cpu[i].append(b.last_cpu_s)
        print(f'  round {r + 1}/{iters}: ' + ', '.join(
            f'{b.batch / t[-1]:.2f}' for b, t in zip(benches, wall)) +
              ' img/s')
    out = []
    for i, b in enumerate(benches):
        med = statistics.median(wall[i])
        out.append(TrainSpeed(
            img_per_s=b.batch / med,
            step_s=med,
            ratio=median_ratio(wall[i], wall[0]),
            ratio_of_medians=statistics.median(wall[0]) / med,
            # CPU seconds of this process: less sensitive than wall time to
            # other processes taking the cores
            cpu_ratio=median_ratio(cpu[i], cpu[0]),
            times_s=wall[i],
            cpu_times_s=cpu[i]))
    return out


def measure_inference(benches: Sequence[ModelBench], batch: int, iters: int,
                      warmup: int) -> List[InferSpeed]:
    """Inference: latency per image at batch 1 and throughput at
    ``batch``, ``max(1, warmup)`` untimed rounds, then ``iters`` timed
    ones, round-robin. A compiled model's first call of each batch size
    (it compiles) comes before them and goes to its ``compile``."""
    lat = [[] for _ in benches]
    thr = [[] for _ in benches]
    for b in benches:
        if b.compile is not None:
            b.compile.infer_first_b1_s = b.infer(1)
            b.compile.infer_first_batch_s = b.infer(batch)
    for _ in range(max(1, warmup)):
        for b in benches:
            b.infer(1)
            b.infer(batch)
    for _ in range(iters):
        for i, b in enumerate(benches):
            lat[i].append(b.infer(1))
            thr[i].append(b.infer(batch))
    return [
        InferSpeed(
            latency_ms=statistics.median(lat[i]) * 1e3,
            latency_ratio=median_ratio(lat[i], lat[0]),
            img_per_s=batch / statistics.median(thr[i]),
            ratio=median_ratio(thr[i], thr[0]),
            latency_times_s=lat[i],
            batch_times_s=thr[i]) for i in range(len(benches))
    ]


def measure_prediction(benches: Sequence[ModelBench], iters: int,
                       warmup: int) -> List[PredictSpeed]:
    """Whole prediction of one image (:meth:`ModelBench.predict`: with the
    config's flip test), ``max(1, warmup)`` untimed rounds, then ``iters``
    timed ones, round-robin."""
    for _ in range(max(1, warmup)):
        for b in benches:
            b.predict()
    times = [[] for _ in benches]
    for _ in range(iters):
        for i, b in enumerate(benches):
            times[i].append(b.predict())
    return [
        PredictSpeed(ms_per_img=statistics.median(t) * 1e3,
                     ratio=median_ratio(t, times[0]), times_s=t)
        for t in times
    ]


def measure_memory_cpu(entries: Sequence[BenchmarkEntry],
                       batch: int,
                       root: str,
                       ann_file: str,
                       input_size: Optional[Tuple[int, int]] = None,
                       amp: bool = False,
                       channels_last: bool = False
                       ) -> List[Optional[MemoryUse]]:
    """Peak RSS of a training step, each config in a fresh Python process
    (:mod:`mmpose_cloth.analysis.memory_probe`): a process's peak RSS only
    grows, so one process per config is the only clean way to see each one.
    A fresh process rather than a fork: forking after torch has started its
    OpenMP threads can deadlock the child. ``None`` where the probe fails
    (with a warning), for every config off Linux and for ``compile``
    entries: a process's peak RSS would be the compiler's."""
    if not osp.exists('/proc/self/statm'):  # not Linux
        return [None] * len(entries)
    results = []
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (_PACKAGE_PARENT, env.get('PYTHONPATH')) if p)
    for entry in entries:
        if 'compile' in entry.flags:
            results.append(None)
            continue
        cmd = [sys.executable, '-m', 'mmpose_cloth.analysis.memory_probe',
               entry.text, root, ann_file, '--batch', str(batch)]
        if input_size:
            cmd += ['--input-size', 'x'.join(map(str, input_size))]
        cmd += ['--amp'] if amp else []
        cmd += ['--channels-last'] if channels_last else []
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        try:
            res = MemoryUse(
                **json.loads(proc.stdout.strip().splitlines()[-1]))
        except (IndexError, ValueError, TypeError):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            print(f'warning: memory of {entry.name}: the memory process '
                  f'exited with {proc.returncode}: ' + ' | '.join(tail),
                  file=sys.stderr)
            res = None
        results.append(res)
    return results


def measure_memory_cuda(bench: ModelBench) -> MemoryUse:
    """Peak CUDA allocation of one training step, and the step's share
    over what was allocated before it."""
    torch.cuda.synchronize(bench.device)
    torch.cuda.reset_peak_memory_stats(bench.device)
    base = torch.cuda.memory_allocated(bench.device)
    bench.train_step()
    peak = torch.cuda.max_memory_allocated(bench.device)
    return MemoryUse(peak_alloc_mb=peak / 2**20,
                     train_step_mb=(peak - base) / 2**20)


def _median_time(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure_evaluation(n: int, reps: int = 5) -> EvaluationTiming:
    """Seconds to score ``n`` random images (seed 0): the vectorised NE,
    the MMEngine metric's ``compute_metrics``, ``evaluate_submission`` on
    records and the offline evaluator (CSV files read, matched and scored,
    as ``tools/analysis/fashionai_eval.py``); medians of ``reps`` runs."""
    rng = np.random.default_rng(0)
    cat = rng.integers(0, len(CATEGORIES), n)
    gt = rng.uniform(0, 512, (n, 24, 2))
    pred = gt + rng.normal(0, 10, (n, 24, 2))
    vis = np.full((n, 24), -1, np.int8)
    for c, name in enumerate(CATEGORIES):
        sel = np.flatnonzero(cat == c)
        ids = np.asarray(CATEGORY_KEYPOINTS[name])
        vis[np.ix_(sel, ids)] = rng.choice([0, 1], (len(sel), len(ids)),
                                           p=[0.2, 0.8])
    gt[vis == -1] = -1
    names = [CATEGORIES[c] for c in cat]

    ne_s = _median_time(
        lambda: normalized_error(pred, gt, vis, cat).summary(), reps)
    metric = FashionAIMetric()
    results = [
        dict(pred=pred[i], gt=gt[i], vis=vis[i], category=names[i],
             image_id=f'Images/{names[i]}/{i:08d}.jpg') for i in range(n)
    ]
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        metric_s = _median_time(lambda: metric.compute_metrics(results),
                                reps)
    finally:
        logger.setLevel(level)
    gt_rec = [
        FashionAIRecord(r['image_id'], r['category'],
                        gt[i].astype(np.float32), vis[i])
        for i, r in enumerate(results)
    ]
    pvis = np.where(vis == -1, -1, 1).astype(np.int8)
    pred_rec = [
        FashionAIRecord(r['image_id'], r['category'],
                        np.where(vis[i, :, None] == -1, -1,
                                 pred[i]).astype(np.float32), pvis[i])
        for i, r in enumerate(results)
    ]
    submission_s = _median_time(
        lambda: evaluate_submission(gt_rec, pred_rec), reps)
    with tempfile.TemporaryDirectory() as tmp:
        gt_csv, pred_csv = osp.join(tmp, 'gt.csv'), osp.join(tmp, 'pred.csv')
        write_annotations(gt_csv, gt_rec)
        write_annotations(pred_csv, pred_rec)

        def offline():
            g = read_annotations(gt_csv).records
            p = read_annotations(pred_csv, errors='collect')
            evaluate_submission(g, p.records, p.problems)

        offline_s = _median_time(offline, reps)
    return EvaluationTiming(images=n, normalized_error_s=ne_s,
                            metric_compute_s=metric_s,
                            evaluate_submission_s=submission_s,
                            offline_csv_s=offline_s)
