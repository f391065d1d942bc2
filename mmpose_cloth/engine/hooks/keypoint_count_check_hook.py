"""Fail before the first iteration when head and dataset disagree."""
from typing import Optional, Tuple

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpose.registry import HOOKS

__all__ = ['KeypointCountCheckHook', 'head_keypoint_count']

#: the head argument that holds the number of keypoints: heatmap and SimCC
#: heads (HeatmapHead, CPNHead, SimCCHead, RTMCCHead) name it out_channels,
#: MMPose's regression heads (RegressionHead, RLEHead,
#: IntegralRegressionHead, DSNTHead) num_joints
_COUNT_KEYS = ('out_channels', 'num_joints')


def head_keypoint_count(head) -> Tuple[Optional[str], Optional[int]]:
    """The name and value of a head's keypoint count.

    Args:
        head: a built head (``nn.Module``) or its config (a dict).

    Returns:
        tuple: (``'out_channels'`` or ``'num_joints'``, the count), or
        ``(None, None)`` when the head has neither.
    """
    for key in _COUNT_KEYS:
        value = head.get(key) if isinstance(head, dict) else getattr(
            head, key, None)
        if isinstance(value, int):
            return key, value
    return None, None


@HOOKS.register_module()
class KeypointCountCheckHook(Hook):
    """Check that the head predicts as many keypoints as the dataset has.

    A head built for 24 keypoints on a one-category dataset (or the reverse)
    otherwise fails deep in the first loss with a tensor-size error. This
    hook, enabled in ``configs/_base_/default_runtime.py``, compares
    ``model.head.out_channels`` (``num_joints`` for MMPose's regression
    heads: :func:`head_keypoint_count`) with each dataloader's
    ``metainfo['num_keypoints']`` before training, validation and testing,
    and raises a ``ValueError`` that names the fix.
    """
    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        self._check(runner, runner.train_dataloader, 'train_dataloader')

    def before_val(self, runner) -> None:
        self._check(runner, runner.val_dataloader, 'val_dataloader')

    def before_test(self, runner) -> None:
        self._check(runner, runner.test_dataloader, 'test_dataloader')

    @staticmethod
    def _check(runner, dataloader, loader: str) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        key, count = head_keypoint_count(getattr(model, 'head', None))
        dataset = getattr(dataloader, 'dataset', None)
        meta = getattr(dataset, 'metainfo', None) or {}
        num_keypoints = meta.get('num_keypoints')
        if count is None or num_keypoints is None or count == num_keypoints:
            return
        raise ValueError(
            f'model.head.{key}={count}, but {loader}.dataset '
            f"({meta.get('dataset_name')}) has {num_keypoints} keypoints: set "
            f'model.head.{key}={num_keypoints} (for CPM also '
            'model.backbone.out_channels and model.head.in_channels), or '
            'change the dataset category')
