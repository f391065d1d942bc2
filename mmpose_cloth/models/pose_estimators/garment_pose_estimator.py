"""A top-down estimator of FashionAI's 24 keypoints that can also tell the
garment category."""
from typing import Optional, Sequence, Union

import numpy as np
import torch
from torch import Tensor

from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType, SampleList

from fashionai_format.schema import NUM_KEYPOINTS, category_mask
from ..heads.category_head import category_labels
from ..utils import CategoryFiLM  # noqa: F401  (registers it)
from ..utils import crop_stage_passes

__all__ = ['GarmentPoseEstimator']


@MODELS.register_module()
class GarmentPoseEstimator(TopdownPoseEstimator):
    """``TopdownPoseEstimator`` with an optional garment-category head.

    A shop photo comes without its category, and the category says which of
    the 24 keypoints the garment has. The category head
    (:class:`~mmpose_cloth.models.heads.GarmentCategoryHead`) reads the
    same backbone features as the keypoint head, so telling the category
    costs one pooled linear layer.

    Training:

    * jointly (``freeze_keypoint_model=False``): the loss is the keypoint
      head's losses plus ``loss_category`` (cross-entropy times the head's
      ``loss_weight``), back-propagated into the shared backbone;
    * on top of a trained keypoint model (``freeze_keypoint_model=True``,
      with ``load_from`` a keypoint checkpoint): backbone, neck and keypoint
      head keep their weights and BatchNorm statistics (no gradients, eval
      mode even while training), their features are computed without
      autograd, and only ``loss_category`` is computed: a linear probe
      that costs a fraction of one keypoint epoch and leaves the keypoints
      exactly as they were.

    The label is the ``category_id`` meta key (FashionAI's COCO ids, 1-based
    in ``CATEGORIES`` order), which ``PackPoseInputs`` keeps by default.

    Prediction: with the head, every ``pred_instances`` also has

    * ``category_scores`` (N, 5): probabilities in ``CATEGORIES`` order
      (mean over the flip-test views);
    * ``category_labels`` (N,): the predicted category (index into
      ``CATEGORIES``) and ``category_confidences`` (N,) its probability;
    * ``raw_keypoint_scores`` (N, 24): the keypoint head's scores, and
      ``keypoint_scores`` (and ``keypoints_visible``) with the scores of the
      keypoints the predicted category does not have set to 0, so that
      MMPose's visualizer (``kpt_thr``) and ``MMPoseInferencer`` draw only
      the garment's keypoints and the links between them. The keypoints
      themselves are kept for all 24.

    Category-aware keypoints (``category_condition``, e.g.
    ``dict(type='CategoryFiLM', in_channels=...)``): the keypoint head reads
    the backbone levels modulated by the garment category (see
    :class:`~mmpose_cloth.models.utils.CategoryFiLM`), so that on an outfit
    photo it looks for the labelled garment. Training conditions on the
    label; prediction on the category ``test_cfg['category_source']`` names:

    * ``'given'`` (default): the sample's ``category_id`` meta key where it
      has one (a test list, the val split), else the predicted category;
    * ``'predicted'``: the category head's prediction, always.

    The category conditioned on (also the one whose keypoints make the crop
    stage's box) is ``pred_instances.conditioned_category_labels`` (N,), so
    that a metric can tell a prediction helped by the given category.

    The category head always reads the unmodulated levels.

    Without ``category_head`` and ``category_condition`` it is exactly a
    ``TopdownPoseEstimator`` (and a checkpoint without the extra weights
    loads into it, those keeping their initial weights).

    Args:
        backbone, neck, head, train_cfg, test_cfg, data_preprocessor,
            init_cfg, metainfo: as for ``TopdownPoseEstimator``.
        category_head (dict, optional): the category head's config.
        category_condition (dict, optional): a module config, called as
            ``module(feats, labels)``, that conditions the keypoint head's
            input on the category (``CategoryFiLM``).
        freeze_keypoint_model (bool): train the category head alone (see
            above). Default: ``False``.
    """

    def __init__(self,
                 backbone: ConfigType,
                 neck: OptConfigType = None,
                 head: OptConfigType = None,
                 category_head: OptConfigType = None,
                 category_condition: OptConfigType = None,
                 freeze_keypoint_model: bool = False,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptConfigType = None,
                 metainfo: Optional[dict] = None):
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
            metainfo=metainfo)
        if freeze_keypoint_model and category_head is None:
            raise ValueError('freeze_keypoint_model=True trains only the '
                             'category head: give category_head')
        self.category_head = None if category_head is None \
            else MODELS.build(category_head)
        self.category_condition = None if category_condition is None \
            else MODELS.build(category_condition)
        self.freeze_keypoint_model = freeze_keypoint_model
        # (5, 24): which keypoints each category has
        self.register_buffer(
            'category_keypoint_mask',
            torch.tensor(category_mask(), dtype=torch.bool),
            persistent=False)
        if freeze_keypoint_model:
            for module in self._keypoint_modules():
                module.requires_grad_(False)

    @property
    def with_category_head(self) -> bool:
        """Whether the model predicts the garment category."""
        return self.category_head is not None

    @property
    def with_category_condition(self) -> bool:
        """Whether the keypoint head is conditioned on the category."""
        return self.category_condition is not None

    def _keypoint_modules(self):
        return [m for m in (self.backbone, getattr(self, 'neck', None),
                            getattr(self, 'head', None),
                            self.category_condition) if m is not None]

    def _condition(self, feats, labels: Optional[Tensor]):
        """The keypoint head's input: ``feats`` as they are, or modulated
        by the categories ``labels`` (B,)."""
        if not self.with_category_condition:
            return feats
        return tuple(self.category_condition(feats, labels))

    def _test_labels(self, data_samples: SampleList,
                     probs: Optional[Tensor]) -> Tensor:
        """(B,) the categories prediction conditions on (see the class
        docstring, ``category_source``)."""
        source = self.test_cfg.get('category_source', 'given')
        if source not in ('given', 'predicted'):
            raise ValueError(f"test_cfg['category_source'] must be 'given' "
                             f"or 'predicted'; got {source!r}")
        given = [s.metainfo.get('category_id') for s in data_samples]
        if source == 'given' and all(g is not None for g in given):
            return torch.tensor([int(g) - 1 for g in given])
        if probs is None:
            raise ValueError(
                'this model conditions its keypoints (or its crop stage) on '
                'the garment category but has no category head: give each '
                'sample its category (the meta key category_id, e.g. '
                '--category or a test list)')
        predicted = probs.argmax(-1).cpu()
        if source == 'predicted':
            return predicted
        return torch.tensor([
            int(g) - 1 if g is not None else int(p)
            for g, p in zip(given, predicted)
        ])

    def train(self, mode: bool = True) -> 'GarmentPoseEstimator':
        """Set train mode; a frozen keypoint model stays in eval mode
        (BatchNorm statistics and dropout as at test time)."""
        super().train(mode)
        if self.freeze_keypoint_model:
            for module in self._keypoint_modules():
                module.eval()
        return self

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """The keypoint losses (unless frozen) and ``loss_category``.

        Args:
            inputs (Tensor): (B, 3, H, W).
            data_samples (list[PoseDataSample]): B samples; with the
                category head each needs the meta key ``category_id``.
        """
        if self.freeze_keypoint_model:
            with torch.no_grad():
                feats = self.extract_feat(inputs)
            losses = dict()
        else:
            feats = self.extract_feat(inputs)
            losses = dict()
            if self.with_head:
                kfeats = self._condition(
                    feats, category_labels(data_samples)
                    if self.with_category_condition else None)
                losses.update(
                    self.head.loss(kfeats, data_samples,
                                   train_cfg=self.train_cfg))
        if self.with_category_head:
            losses.update(self.category_head.loss(feats, data_samples))
        return losses

    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """Keypoints as ``TopdownPoseEstimator.predict``, plus the category
        (see the class docstring) when the model has the category head, in
        one pass or with the crop stage (``test_cfg['crop_stage']``).

        Args:
            inputs (Tensor): (B, 3, H, W).
            data_samples (list[PoseDataSample]): B samples.

        Returns:
            list[PoseDataSample]: with ``pred_instances``.
        """
        crop_stage = self.test_cfg.get('crop_stage')
        if not (self.with_category_head or self.with_category_condition
                or crop_stage):
            return super().predict(inputs, data_samples)
        assert self.with_head, (
            'The model must have head to perform prediction.')
        if crop_stage:
            instances, probs, labels = self._predict_crop_stage(
                inputs, data_samples, **crop_stage)
            fields = None
        else:
            instances, fields, probs, labels = self._predict_view(
                inputs, data_samples)
        if probs is not None:
            probs = probs.detach().cpu().numpy()
            mask = self.category_keypoint_mask.cpu().numpy()
            for pred, p in zip(instances, probs):
                self._add_category(pred, p, mask)
        if labels is not None:
            for pred, label in zip(instances, labels.tolist()):
                pred.conditioned_category_labels = np.full(
                    len(pred.keypoints), label, dtype=np.int64)
        return self.add_pred_to_datasample(instances, fields, data_samples)

    def _predict_view(self, inputs: Tensor, data_samples: SampleList,
                      labels: Optional[Tensor] = None) -> tuple:
        """One pass of the network (with its flip test).

        Args:
            inputs (Tensor): (B, 3, H, W) at the network's input size.
            data_samples (list[PoseDataSample]): B samples.
            labels (Tensor, optional): (B,) the categories to condition on;
                by default :meth:`_test_labels` decides.

        Returns:
            tuple: the head's instances (keypoints in ``inputs``' pixels),
            its heatmap fields (or ``None``), the (B, 5) category
            probabilities (or ``None`` without the head) and the (B,)
            labels conditioned on (or ``None`` without conditioning).
        """
        flip_test = self.test_cfg.get('flip_test', False)
        if flip_test:
            feats = [self.extract_feat(inputs),
                     self.extract_feat(inputs.flip(-1))]
        else:
            feats = self.extract_feat(inputs)
        probs = None
        if self.with_category_head:
            probs = self.category_head.predict(feats, flip_test=flip_test)
        kfeats = feats
        if self.with_category_condition:
            if labels is None:
                labels = self._test_labels(data_samples, probs)
            kfeats = [self._condition(f, labels) for f in feats] \
                if flip_test else self._condition(feats, labels)
        preds = self.head.predict(kfeats, data_samples,
                                  test_cfg=self.test_cfg)
        instances, fields = preds if isinstance(preds, tuple) \
            else (preds, None)
        return instances, fields, probs, labels

    def _predict_crop_stage(self, canvas: Tensor, data_samples: SampleList,
                            margin: Union[float, Sequence[float]] = 0.25,
                            fuse_first_pass: bool = False) -> tuple:
        """Two passes: the whole image, then the box around the garment's
        keypoints of the first pass, each resampled from ``canvas`` to the
        network's input size.

        The test pipeline's ``TopdownAffine`` makes ``canvas``, the whole
        image box at a size of at least the network's (FashionAI's longest
        side, 512, keeps every pixel), so that the second pass sees a small
        garment at up to full resolution. The box is
        :func:`~mmpose_cloth.structures.keypoint_bbox` around the keypoints
        of the category conditioned on (the given, else the predicted one),
        grown by ``margin``, as ``RandomKeypointBBox`` made them in
        training. The category is the first pass's.

        Several margins make one second pass each (the crop stage's
        test-time augmentation), and ``fuse_first_pass`` adds the first
        pass to them, at no extra cost (the peers' fusion of the whole-image
        and the crop model, see ``docs/results.md``): the keypoints and
        their scores are the mean over those passes, in canvas pixels. The
        passes are :func:`~mmpose_cloth.models.utils.crop_stage_passes`,
        which the ONNX Runtime predictor runs too.

        Args:
            canvas (Tensor): (B, 3, Hc, Wc).
            data_samples (list[PoseDataSample]): B samples.
            margin (float | Sequence[float]): the box's growth. Default:
                0.25.
            fuse_first_pass (bool): average the first pass in. Default:
                ``False``.

        Returns:
            tuple: the instances (keypoints in ``canvas`` pixels), the
            first pass's category probabilities (or ``None``) and the (B,)
            categories the box (and the conditioning) came from.
        """
        if self.test_cfg.get('output_heatmaps', False):
            raise ValueError(
                "test_cfg['crop_stage'] predicts each image on its own crop, "
                'so there are no heatmaps on a common grid to output or '
                'average (test-time augmentation): leave one of them out')
        first = {}

        def run(inputs: Tensor, labels: Optional[np.ndarray]) -> tuple:
            instances, _, probs, used = self._predict_view(
                inputs, data_samples,
                None if labels is None else torch.from_numpy(labels))
            if labels is None:  # the first pass
                first.update(instances=instances, probs=probs)
                if used is None:
                    used = self._test_labels(data_samples, probs)
                labels = used.numpy()
            return (np.stack([np.asarray(i.keypoints) for i in instances]),
                    np.stack([np.asarray(i.keypoint_scores)
                              for i in instances]), labels)

        pre = self.data_preprocessor
        keypoints, scores, labels = crop_stage_passes(
            canvas, run,
            tuple(int(s) for s in self.head.decoder.input_size),
            (-pre.mean / pre.std).flatten().tolist(),
            margin, fuse_first_pass,
            self.category_keypoint_mask.cpu().numpy())
        for inst, k, s in zip(first['instances'], keypoints, scores):
            inst.keypoints = k
            inst.keypoint_scores = s.astype(np.float32)
        return first['instances'], first['probs'], torch.from_numpy(labels)

    @staticmethod
    def _add_category(pred, probs: np.ndarray, mask: np.ndarray) -> None:
        """Add the category fields to one sample's instances and zero the
        scores of keypoints the predicted category lacks (before
        ``add_pred_to_datasample``, which copies the scores into
        ``keypoints_visible``)."""
        scores = np.asarray(pred.keypoint_scores)
        if scores.shape[-1] != NUM_KEYPOINTS:
            raise ValueError(
                f'GarmentPoseEstimator with a category head needs the '
                f'{NUM_KEYPOINTS}-keypoint model (all categories); the head '
                f'predicts {scores.shape[-1]} keypoints')
        n = len(scores)
        label = int(np.argmax(probs))
        pred.category_scores = np.repeat(probs[None], n, axis=0)
        pred.category_labels = np.full(n, label, dtype=np.int64)
        pred.category_confidences = np.full(n, float(probs[label]),
                                            dtype=np.float32)
        pred.raw_keypoint_scores = scores.copy()
        pred.keypoint_scores = np.where(mask[label][None], scores,
                                        0.).astype(scores.dtype)
