"""Benchmark pose configs side by side, in one process and one run.

For every config (MMPose top-down configs, e.g. CPN and SimpleBaseline on
FashionAI), :func:`run_benchmark` measures (:mod:`.measure`,
:mod:`.pipeline`):

* parameters and GFLOPs at the config's input size (MMEngine's counter: one
  multiply-add is one FLOP);
* training throughput (images/s): forward, backward and optimizer step (the
  config's optimizer) on a fixed batch made by the config's own training
  pipeline from synthetic FashionAI images;
* inference: latency per image at batch 1 and throughput at the batch size
  (the network's forward, ``mode='tensor'``: no flip test, no decoding);
* peak memory of a training step: on CPU the peak RSS of a separate process
  that builds the same model and batch and runs two steps, minus its RSS
  before the first step; on CUDA ``torch.cuda.max_memory_allocated``;
* the training data pipeline's throughput in images/s per worker, with the
  time of every transform;
* the NE metric and the offline evaluator on random images;
* for ``::compile`` entries, the first (compiling) call of the training
  step and of each inference batch size, apart from the steady state.

The result is a :class:`~.results.BenchmarkResult` of typed rows.
"""
import contextlib
import logging
import os
import os.path as osp
import platform
import tempfile
import time
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import cv2
import torch
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from mmpose_cloth.utils.config import load_config
from .data import make_synthetic_split
from .entry import BenchmarkEntry
from .measure import (measure_evaluation, measure_gflops, measure_inference,
                      measure_memory_cpu, measure_memory_cuda,
                      measure_train_speed)
from .model_bench import ModelBench
from .pipeline import measure_pipelines
from .results import BenchmarkResult, BenchmarkRow, MachineInfo

__all__ = ['BenchmarkSettings', 'run_benchmark', 'machine_description']


@dataclass
class BenchmarkSettings:
    """How :func:`run_benchmark` measures (``tools/analysis/benchmark.py``'s
    options).

    Args:
        batch (int): training / batched inference batch size.
        iters (int): timed repetitions per config.
        warmup (int): untimed repetitions per config.
        input_size (tuple[int, int], optional): (W, H) for every config.
        device (str): ``cpu`` or ``cuda[:N]``.
        amp (bool): mixed precision for every config.
        channels_last (bool): channels-last memory format for every config.
        cudnn_benchmark (bool): ``torch.backends.cudnn.benchmark``.
        no_acc (bool): skip the heads' training accuracy.
        threads (int, optional): torch intra-op threads.
        pipeline_images (int): synthetic images per category.
        pipeline_image_size (tuple[int, int]): (W, H) of those JPEGs.
        eval_images (int): images for the evaluation timing (0 skips it).
        no_memory (bool): skip the memory measurement.
        smoke (bool): recorded in the results (a CI run).
        work_dir (str, optional): where the synthetic images go (a
            temporary folder, removed afterwards, by default).
    """
    batch: int = 4
    iters: int = 10
    warmup: int = 2
    input_size: Optional[Tuple[int, int]] = None
    device: str = 'cpu'
    amp: bool = False
    channels_last: bool = False
    cudnn_benchmark: bool = False
    no_acc: bool = False
    threads: Optional[int] = None
    pipeline_images: int = 2
    pipeline_image_size: Tuple[int, int] = (512, 512)
    eval_images: int = 10000
    no_memory: bool = False
    smoke: bool = False
    work_dir: Optional[str] = None

    def to_json(self) -> Dict[str, object]:
        """The settings as the results' ``args`` record."""
        return dict(
            batch=self.batch, iters=self.iters, warmup=self.warmup,
            input_size=list(self.input_size) if self.input_size else None,
            amp=self.amp, channels_last=self.channels_last,
            cudnn_benchmark=self.cudnn_benchmark, no_acc=self.no_acc,
            smoke=self.smoke, pipeline_images=5 * self.pipeline_images,
            pipeline_image_size=list(self.pipeline_image_size))


def machine_description(device: torch.device) -> str:
    """The GPU's name, or the CPU's model, logical CPUs and torch threads."""
    if device.type == 'cuda':
        return torch.cuda.get_device_name(device)
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return (f'{cpu}, {os.cpu_count()} logical CPUs, '
            f'{torch.get_num_threads()} torch threads')


def _machine_info(device: torch.device, desc: str) -> MachineInfo:
    return MachineInfo(
        description=desc,
        device=str(device),
        torch=torch.__version__,
        torch_threads=torch.get_num_threads(),
        cpu_count=os.cpu_count(),
        python=platform.python_version(),
        # allocator and threading settings change CPU speed a lot
        env={
            k: v
            for k, v in os.environ.items()
            if k.startswith(('MALLOC_', 'OMP_', 'MKL_', 'KMP_', 'DNNL_',
                             'ONEDNN_')) or k == 'LD_PRELOAD'
        })


_T0 = time.perf_counter()


def _log(msg: str) -> None:
    print(f'[{time.perf_counter() - _T0:6.1f}s] {msg}', flush=True)


def _setup(s: BenchmarkSettings) -> None:
    init_default_scope('mmpose')
    MMLogger.get_current_instance().setLevel(logging.ERROR)
    logging.getLogger('mmengine').setLevel(logging.ERROR)
    if s.threads:
        torch.set_num_threads(s.threads)
    # as MMEngine's runner does: no OpenCV threads
    cv2.setNumThreads(0)
    if s.cudnn_benchmark:
        torch.backends.cudnn.benchmark = True


@contextlib.contextmanager
def _data_folder(work_dir: Optional[str]) -> Iterator[str]:
    if work_dir:
        root = osp.join(work_dir, 'synthetic')
        os.makedirs(root, exist_ok=True)
        yield root
    else:
        with tempfile.TemporaryDirectory(prefix='benchmark_') as root:
            yield root


def run_benchmark(configs: Sequence[str],
                  settings: BenchmarkSettings) -> BenchmarkResult:
    """Measure every config (``PATH[::key=value][::flag]``, see
    :class:`BenchmarkEntry`); the first one is the reference of the ratios.
    """
    s = settings
    _setup(s)
    device = torch.device(s.device)
    entries = [
        BenchmarkEntry.parse(t, amp=s.amp, channels_last=s.channels_last)
        for t in configs
    ]
    cfgs = [load_config(e.variant, s.input_size) for e in entries]
    # each config in its own layout (ChannelsLastHook) unless ::nchw
    entries = [e.with_config_layout(c) for e, c in zip(entries, cfgs)]
    with _data_folder(s.work_dir) as root:
        _log(f'synthetic data: {5 * s.pipeline_images} images of '
             f'{s.pipeline_image_size[0]}x{s.pipeline_image_size[1]}'
             f' in {root}')
        ann_file = make_synthetic_split(root, s.pipeline_images,
                                        s.pipeline_image_size)
        memory = [None] * len(entries)
        if not s.no_memory and device.type == 'cpu':
            _log('memory: one process per config ...')
            memory = measure_memory_cpu(entries, s.batch, root, ann_file,
                                        s.input_size, s.amp, s.channels_last)
        _log('building models ...')
        benches = [
            ModelBench(e, c, device, s.batch, root, ann_file, s.no_acc)
            for e, c in zip(entries, cfgs)
        ]
        _log('counting FLOPs ...')
        gflops = measure_gflops(benches)
        _log(f'training: {s.warmup} warm-up + {s.iters} timed rounds ...')
        train = measure_train_speed(benches, s.iters, s.warmup)
        if device.type == 'cuda' and not s.no_memory:
            memory = [measure_memory_cuda(b) for b in benches]
        _log('inference ...')
        infer = measure_inference(benches, s.batch, s.iters, s.warmup)
        _log('data pipelines ...')
        pipes = measure_pipelines(cfgs, root, ann_file,
                                  reps=max(1, min(s.iters, 3)))

    evaluation = None
    if s.eval_images:
        _log(f'evaluation of {s.eval_images} images ...')
        evaluation = measure_evaluation(s.eval_images)

    desc = machine_description(device)
    rows: List[BenchmarkRow] = []
    for i, (e, b) in enumerate(zip(entries, benches)):
        pipes[i].vs_train = pipes[i].img_per_s / train[i].img_per_s
        rows.append(
            BenchmarkRow(
                name=e.name,
                full_name=e.full_name,
                config_name=e.config_name,
                config=e.path,
                overrides={k: repr(v) for k, v in e.overrides.items()},
                flags=sorted(e.flags),
                input_size=list(b.input_size),
                batch=s.batch,
                device_desc=desc,
                params_m=b.params,
                gflops=gflops[i],
                train=train[i],
                infer=infer[i],
                memory=memory[i],
                pipeline=pipes[i],
                gflops_ratio=gflops[i] / gflops[0]
                if gflops[i] is not None and gflops[0] else None,
                compile=b.compile))
    return BenchmarkResult(machine=_machine_info(device, desc),
                           args=s.to_json(), results=rows,
                           evaluation=evaluation)
