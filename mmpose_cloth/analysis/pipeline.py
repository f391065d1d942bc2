"""The speed of a config's training data pipeline (JPEG decoding through
augmentation and (multi-level) target generation to packing), in one
thread as one dataloader worker: per transform, and under cProfile."""
import copy
import cProfile
import statistics
import time
from typing import List, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.dataset import Compose

from .data import build_train_dataset, train_pipeline_cfg
from .results import PipelineSpeed

__all__ = ['pipeline_inputs', 'measure_pipelines', 'profile_pipeline']


def pipeline_inputs(cfg, root: str, ann_file: str) -> Tuple[List[dict],
                                                             object]:
    """The annotations of the dataset on ``root`` / ``ann_file`` (the
    pipeline's inputs) and the config's training pipeline (a ``Compose``).
    """
    ds = build_train_dataset(cfg, root, ann_file, pipeline=[])
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    return infos, Compose(train_pipeline_cfg(cfg))


def measure_pipelines(cfgs: Sequence, root: str, ann_file: str,
                      reps: int) -> List[PipelineSpeed]:
    """Images/s per worker of each config's training pipeline (one thread,
    as one dataloader worker), with the median time of each transform;
    configs interleaved round-robin, one warm-up round, numpy seed 0.
    ``vs_train`` is left to the caller."""
    torch_threads = torch.get_num_threads()
    cv2_threads = cv2.getNumThreads()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    try:
        items = [pipeline_inputs(cfg, root, ann_file) for cfg in cfgs]
        np.random.seed(0)
        per_img = [[] for _ in cfgs]
        steps = [dict() for _ in cfgs]
        for r in range(reps + 1):  # the first round is a warm-up
            for c, (infos, pipe) in enumerate(items):
                total = 0.0
                for info in infos:
                    results = copy.deepcopy(info)
                    for t in pipe.transforms:
                        t0 = time.perf_counter()
                        results = t(results)
                        dt = time.perf_counter() - t0
                        total += dt
                        if r:
                            steps[c].setdefault(type(t).__name__,
                                                []).append(dt)
                if r:
                    per_img[c].append(total / len(infos))
        out = []
        for c in range(len(cfgs)):
            med = statistics.median(per_img[c])
            out.append(
                PipelineSpeed(
                    img_per_s=1.0 / med,
                    ms_per_img=med * 1e3,
                    transforms_ms={
                        k: statistics.median(v) * 1e3
                        for k, v in steps[c].items()
                    }))
        return out
    finally:
        torch.set_num_threads(torch_threads)
        cv2.setNumThreads(cv2_threads)


def profile_pipeline(cfg, root: str, ann_file: str,
                     passes: int) -> Tuple[int, float, cProfile.Profile]:
    """Run the config's training pipeline under cProfile: one untimed pass
    over the dataset's images, then ``passes`` profiled ones (numpy seed 0
    before the warm-up).

    Returns:
        tuple: the images run, their wall seconds, the profile.
    """
    infos, pipe = pipeline_inputs(cfg, root, ann_file)
    np.random.seed(0)
    for info in infos:  # warm-up
        pipe(copy.deepcopy(info))
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for _ in range(passes):
        for info in infos:
            pipe(copy.deepcopy(info))
    prof.disable()
    return passes * len(infos), time.perf_counter() - t0, prof
