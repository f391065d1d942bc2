"""Fail before the first iteration when head and dataset disagree."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpose.registry import HOOKS


@HOOKS.register_module()
class KeypointCountCheckHook(Hook):
    """Check that the head predicts as many keypoints as the dataset has.

    A head built for 24 keypoints on a one-category dataset (or the reverse)
    otherwise fails deep in the first loss with a tensor-size error. This
    hook, enabled in ``configs/_base_/default_runtime.py``, compares
    ``model.head.out_channels`` with each dataloader's
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
    def _check(runner, dataloader, key: str) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        out_channels = getattr(getattr(model, 'head', None), 'out_channels',
                               None)
        dataset = getattr(dataloader, 'dataset', None)
        meta = getattr(dataset, 'metainfo', None) or {}
        num_keypoints = meta.get('num_keypoints')
        if out_channels is None or num_keypoints is None or \
                out_channels == num_keypoints:
            return
        raise ValueError(
            f'model.head.out_channels={out_channels}, but {key}.dataset '
            f"({meta.get('dataset_name')}) has {num_keypoints} keypoints: set "
            f'model.head.out_channels={num_keypoints} (for CPM also '
            'model.backbone.out_channels and model.head.in_channels), or '
            'change the dataset category')
