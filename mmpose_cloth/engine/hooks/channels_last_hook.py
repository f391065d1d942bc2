"""Run the model in the channels-last (NHWC) memory format."""
import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmpose.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model's weights to the channels-last memory format.

    A config switch, no code change::

        custom_hooks = [..., dict(type='ChannelsLastHook')]

    Convolutions with channels-last weights return channels-last outputs,
    so the whole network (and its gradients) runs in NHWC; the inputs need
    no conversion. The model computes the same function: keypoints agree
    with the default layout to float rounding
    (``tests/engine/test_channels_last_hook.py``). Whether it is faster
    depends on the device and kernels: on GPUs with tensor cores and under
    mixed precision it usually is; ``tools/analysis/benchmark.py
    CONFIG::channels-last`` measures it against the default layout.

    The conversion happens in ``before_run``, after the runner has wrapped
    the model: with DDP the gradient buckets keep the old strides, which
    costs one copy per bucket (PyTorch warns once); single-process
    training, validation and testing are unaffected.
    """
    priority = 'VERY_HIGH'

    @staticmethod
    def in_config(cfg) -> bool:
        """Whether a config trains and tests channels-last (lists this
        hook in ``custom_hooks``).

        Args:
            cfg (mmengine.Config | dict): a loaded config.
        """
        return any(
            str(h.get('type', '')).split('.')[-1] == 'ChannelsLastHook'
            for h in cfg.get('custom_hooks', None) or ())

    def before_run(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        model.to(memory_format=torch.channels_last)
        print_log('ChannelsLastHook: the model runs in the channels-last '
                  'memory format', logger='current')
