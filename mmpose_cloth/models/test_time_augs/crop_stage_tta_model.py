"""Test-time augmentation for a model with the garment-crop stage: more
second passes, on boxes of several margins, averaged."""
from typing import List, Optional, Sequence

from mmengine.model import BaseTTAModel

from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

__all__ = ['CropStageTTAModel']


@MODELS.register_module()
class CropStageTTAModel(BaseTTAModel):
    """The crop stage's test-time augmentation (``tools/test.py --tta``).

    A model with ``test_cfg['crop_stage']``
    (:class:`~mmpose_cloth.models.GarmentPoseEstimator`) predicts each image
    on its own box, so its views share no heatmap grid that
    :class:`HeatmapTTAModel` could average. Its augmentation is instead
    the second pass repeated on the boxes around the first pass's keypoints
    grown by each of ``margin`` (the training boxes' margins range over
    them), averaged in image pixels, with the first pass too where
    ``fuse_first_pass`` (by default as the model's crop stage has it). The
    config's ``tta_pipeline`` gives one view (the crop stage's canvas); the
    module's own flip test stays on.

    The module's ``test_cfg`` is changed only while this model predicts,
    so a model shared with a plain predictor keeps its settings.

    Args:
        module (dict | nn.Module): The tested model; its ``test_cfg`` must
            have ``crop_stage``.
        margin (Sequence[float]): One second pass per margin. Default:
            ``(0.15, 0.25, 0.35)``.
        fuse_first_pass (bool, optional): Average the first pass in.
            Default: as the module's ``test_cfg['crop_stage']``.
        ensemble (Sequence[dict]): Not supported (given by ``--ensemble``):
            a non-empty one raises.
        data_preprocessor (dict, optional): As ``BaseTTAModel``.

    Raises:
        ValueError: an ensemble, no margin, or a module without the crop
            stage.
    """

    def __init__(self,
                 module,
                 margin: Sequence[float] = (0.15, 0.25, 0.35),
                 fuse_first_pass: Optional[bool] = None,
                 ensemble: Sequence[dict] = (),
                 data_preprocessor=None):
        if ensemble:
            raise ValueError(
                'CropStageTTAModel: the crop stage predicts each model on '
                'its own boxes, so there are no heatmaps to ensemble: leave '
                '--ensemble out')
        super().__init__(module=module, data_preprocessor=data_preprocessor)
        if not (self.module.test_cfg or {}).get('crop_stage'):
            raise ValueError(
                "CropStageTTAModel needs a model with test_cfg['crop_stage'] "
                '(the *-crop configs); other configs use HeatmapTTAModel')
        if not len(margin):
            raise ValueError('CropStageTTAModel: give at least one margin')
        self.margin = [float(m) for m in margin]
        self.fuse_first_pass = fuse_first_pass

    def test_step(self, data) -> List[PoseDataSample]:
        """``BaseTTAModel.test_step`` with the module's crop stage set to
        this model's margins for the call."""
        cfg = self.module.test_cfg
        saved = cfg['crop_stage']
        cfg['crop_stage'] = dict(saved, margin=self.margin)
        if self.fuse_first_pass is not None:
            cfg['crop_stage']['fuse_first_pass'] = self.fuse_first_pass
        try:
            return super().test_step(data)
        finally:
            cfg['crop_stage'] = saved

    def merge_preds(self, data_samples_list: List[List[PoseDataSample]]
                    ) -> List[PoseDataSample]:
        """The one view's predictions (the passes were merged by the
        module).

        Args:
            data_samples_list (list[list[PoseDataSample]]): per sample, one
                prediction per view.

        Returns:
            list[PoseDataSample]: one per sample.

        Raises:
            ValueError: a sample with several views.
        """
        if any(len(views) != 1 for views in data_samples_list):
            raise ValueError(
                'CropStageTTAModel takes one view per sample (the crop '
                "stage's canvas): the tta_pipeline's TestTimeAug must make "
                'one')
        return [views[0] for views in data_samples_list]
