"""A test-only hook: make a training run stop still after a given iteration
(its checkpoint written), so that a test can SIGKILL it at a known point.

Active only when ``RELIABILITY_HANG_AFTER_ITER`` is set, so the same config
also serves the uninterrupted and the resumed run. Imported by the test
configs through ``custom_imports``.
"""
import os
import os.path as osp
import time

from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class HangAfterIterHook(Hook):
    priority = 'LOWEST'  # after CheckpointHook has saved iter_N.pth

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        hang_after = os.environ.get('RELIABILITY_HANG_AFTER_ITER')
        if hang_after and runner.iter + 1 == int(hang_after):
            with open(osp.join(runner.work_dir, 'hanging'), 'w') as f:
                f.write(str(os.getpid()))
            time.sleep(600)
