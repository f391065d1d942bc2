"""Compile validation and testing too, and log the compile time apart from
the steady state."""
import time
from typing import Dict, Optional

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmpose.registry import HOOKS

from ..compile import (compile_options, compile_prediction,
                       eager_data_preprocessor, eager_prediction)
from ..step_times import StepTimes


@HOOKS.register_module()
class CompileHook(Hook):
    """``torch.compile`` for validation and testing, and its cost in the
    log, from MMEngine's ``compile`` setting::

        compile = True  # or dict(backend='inductor', mode='max-autotune')
        custom_hooks = [..., dict(type='CompileHook')]

    ``tools/train.py --compile`` and ``tools/test.py --compile`` set both
    (as does ``--cfg-options compile=...`` through
    :func:`~mmpose_cloth.engine.with_compile_hook`). MMEngine's runner
    compiles ``model.train_step`` itself; this hook keeps the data
    preprocessor out of it
    (:func:`~mmpose_cloth.engine.eager_data_preprocessor`: dynamo failed on
    some runs to trace its copies of the samples' numpy metainfo), compiles
    the network of prediction
    (:func:`~mmpose_cloth.engine.compile_prediction`) in ``before_val`` /
    ``before_test`` and restores the eager model after each validation, so
    that the compiled training step sees the model it was compiled for.
    Without ``cfg.compile`` it does nothing.

    Each phase (train, val, test) logs the first iteration's time, which
    includes compiling, apart from the median of the later ones (the
    steady state), e.g. ``torch.compile (train): first iter 77.10 s, then
    0.105 s/iter (median of 99)``. The iteration is timed from
    ``before_*_iter`` to ``after_*_iter``: the model's step, not data
    loading.
    """
    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._times: Dict[str, StepTimes] = {}
        self._t0: Optional[float] = None
        self._on = False

    def before_run(self, runner) -> None:
        self._on = compile_options(runner.cfg.get('compile')) is not None

    def before_train(self, runner) -> None:
        self._times['train'] = StepTimes()
        if self._on:
            eager_data_preprocessor(runner.model)

    def after_train(self, runner) -> None:
        self._report('train')

    def before_val(self, runner) -> None:
        self._begin(runner, 'val')

    def after_val(self, runner) -> None:
        if self._on:
            eager_prediction(runner.model)
        self._report('val')

    def before_test(self, runner) -> None:
        self._begin(runner, 'test')

    def after_test(self, runner) -> None:
        self._report('test')

    def _begin(self, runner, mode: str) -> None:
        self._times[mode] = StepTimes()
        if self._on:
            compile_prediction(runner.model,
                               compile_options(runner.cfg.compile))

    def _before_iter(self, runner, batch_idx: int, data_batch=None,
                     mode: str = 'train') -> None:
        self._t0 = time.perf_counter()

    def _after_iter(self, runner, batch_idx: int, data_batch=None,
                    outputs=None, mode: str = 'train') -> None:
        if not self._on or self._t0 is None or mode not in self._times:
            return
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            torch.cuda.synchronize()
        times = self._times[mode]
        times.add(time.perf_counter() - self._t0)
        if len(times.times) == 1:  # why the first iteration was slow
            print_log(f'torch.compile ({mode}): {times.describe()}',
                      logger='current')

    def _report(self, mode: str) -> None:
        times = self._times.pop(mode, None)
        if self._on and times and times.times:
            print_log(f'torch.compile ({mode}): {times.describe()}',
                      logger='current')
