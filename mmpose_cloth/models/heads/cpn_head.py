"""Cascaded Pyramid Network head (GlobalNet + RefineNet) for MMPose 1.x.

`CPN`_ (Chen et al., CVPR 2018) predicts heatmaps in two steps on top of a
ResNet-style backbone: :class:`~mmpose_cloth.models.utils.GlobalNet`, a
feature pyramid that predicts heatmaps on every level, and
:class:`~mmpose_cloth.models.utils.RefineNet`, which refines the pyramid
into the final heatmaps. Layer widths follow the authors' TensorFlow code
(chenyilun95/tf-cpn) and its PyTorch port (GengDavid/pytorch-cpn), so that
CPN-ResNet-50 has the published number of parameters (27.0M).

The function is the published one; two 1x1 convolutions are computed in
front of the bilinear resizes they commute with (see ``GlobalNet`` and
``RefineNet``): at 384x384 on ResNet-50 about 3 of the head's 10 GFLOPs
less and no ``L * unit_channels``-channel concatenation.
``tests/models/cpn_reference.py`` keeps the formulation as drawn, with the
same parameters, and the tests prove the two agree.

.. _`CPN`: https://arxiv.org/abs/1711.07319
"""
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.structures import PixelData
from torch import Tensor, nn

from mmpose.evaluation.functional import pose_pck_accuracy
from mmpose.models.heads.base_head import BaseHead
from mmpose.models.losses import KeypointOHKMMSELoss
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.structures import MultilevelPixelData
from mmpose.utils.tensor_utils import to_numpy
from mmpose.utils.typing import (ConfigType, Features, OptConfigType,
                                 OptMultiConfig, OptSampleList, Predictions)
from ..losses import OHKMMSELoss  # noqa: F401  (registers the default loss)
from ..utils import GlobalNet, RefineBottleneck, RefineNet

__all__ = ['CPNHead']


@MODELS.register_module()
class CPNHead(BaseHead):
    """Cascaded Pyramid Network head: GlobalNet + RefineNet, introduced in
    `CPN`_ by Chen et al. (2018).

    Use it in a :class:`TopdownPoseEstimator` after a ResNet-like backbone
    that returns several levels (e.g. ``ResNet(depth=50,
    out_indices=(0, 1, 2, 3))``, giving C2-C5 at strides 4, 8, 16, 32, or
    :class:`~mmpose_cloth.models.backbones.DetNet`).

    The head returns ``L + 1`` heatmap sets for ``L`` input levels: the
    GlobalNet heatmaps of every level from **coarse to fine** (C5, C4, C3,
    C2: the order of MSPN's units and of the multilevel targets, whose
    Gaussians shrink from coarse to fine), then the RefineNet heatmaps.
    ``level_indices[i]`` says which target level supervises output ``i``;
    the default ``[0, 1, ..., L-1, L-1]`` matches a
    ``GenerateTarget(multilevel=True, encoder=[codec_0, ..., codec_{L-1}])``
    with kernels from large to small, RefineNet sharing the finest target.
    A single-level target (``GenerateTarget(encoder=codec)``) is also
    accepted: every output is then supervised by it.

    Online hard keypoint mining on the RefineNet output uses
    :class:`OHKMMSELoss` by default: per sample, the mean of the
    ``min(topk, number of keypoints with weight > 0)`` largest keypoint
    losses. Keypoints with weight 0 (absent from the garment, or outside the
    crop) are never mined, and ``out_channels < topk`` is allowed (e.g. a
    skirt's 4 keypoints with ``topk=8``): ``topk`` is an upper bound.
    MMPose's :class:`KeypointOHKMMSELoss` may be configured instead; it then
    needs ``out_channels >= topk``, which is checked when the head is built.

    Args:
        in_channels (Sequence[int]): Channels of the backbone levels, fine to
            coarse. Defaults to ``(256, 512, 1024, 2048)`` (ResNet-50 C2-C5)
        out_channels (int): Number of keypoints ``K``. Defaults to 17
        out_shape (tuple[int, int], optional): (H, W) of the output heatmaps.
            ``None`` (default) uses the size of the finest input level
            (stride 4 for C2), which must then equal the codec's heatmap size
        unit_channels (int): Channels of GlobalNet's pyramid and RefineNet.
            Defaults to 256
        num_refine_blocks (Sequence[int]): RefineNet bottlenecks per level,
            fine to coarse. Defaults to ``(0, 1, 2, 3)`` (C2: 0 ... C5: 3)
        norm_cfg (Config): Config of the norm layers. Defaults to
            ``dict(type='BN')``
        align_corners (bool): ``align_corners`` of the bilinear resizes.
            Defaults to ``True`` (as in the original code and MSPN)
        level_indices (Sequence[int], optional): Target level for each of the
            ``L + 1`` outputs. Defaults to ``[0, 1, ..., L-1, L-1]``
        loss (Config | List[Config], optional): Loss of each output (a list
            of ``L + 1`` configs, GlobalNet coarse to fine then RefineNet),
            or one config for all of them. Defaults to
            ``KeypointMSELoss(use_target_weight=True, loss_weight=0.5)`` on
            every GlobalNet level (the original halves each global L2 loss)
            and ``OHKMMSELoss(use_target_weight=True, topk=8)`` on RefineNet
        decoder (Config, optional): The decoder config that controls decoding
            keypoint coordinates from the network output (the codec of the
            finest level). Defaults to ``None``
        init_cfg (Config, optional): Config to control the initialization. See
            :attr:`default_init_cfg` for default settings

    Example:
        >>> import torch
        >>> from mmpose_cloth.models import CPNHead
        >>> head = CPNHead(in_channels=(8, 16, 32, 64), out_channels=4,
        ...                unit_channels=16)
        >>> feats = [torch.rand(1, c, 16 // 2**i, 16 // 2**i)
        ...          for i, c in enumerate((8, 16, 32, 64))]
        >>> [tuple(h.shape) for h in head(feats)] == [(1, 4, 16, 16)] * 5
        True

    .. _`CPN`: https://arxiv.org/abs/1711.07319
    """

    def __init__(self,
                 in_channels: Sequence[int] = (256, 512, 1024, 2048),
                 out_channels: int = 17,
                 out_shape: Optional[Tuple[int, int]] = None,
                 unit_channels: int = 256,
                 num_refine_blocks: Sequence[int] = (0, 1, 2, 3),
                 norm_cfg: ConfigType = dict(type='BN'),
                 align_corners: bool = True,
                 level_indices: Optional[Sequence[int]] = None,
                 loss: OptMultiConfig = None,
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None):
        if init_cfg is None:
            init_cfg = self.default_init_cfg
        super().__init__(init_cfg)

        self.in_channels = tuple(in_channels)
        self.num_levels = len(self.in_channels)
        if self.num_levels < 1:
            raise ValueError('CPNHead needs at least one input level')
        self.out_channels = out_channels
        self.out_shape = tuple(out_shape) if out_shape is not None else None
        self.unit_channels = unit_channels
        if unit_channels % RefineBottleneck.expansion:
            raise ValueError(f'unit_channels ({unit_channels}) must be a '
                             f'multiple of {RefineBottleneck.expansion}')
        if len(num_refine_blocks) != self.num_levels:
            raise ValueError(
                f'The length of num_refine_blocks ({len(num_refine_blocks)})'
                f' did not match the number of input levels '
                f'({self.num_levels}, from in_channels)')
        self.num_refine_blocks = tuple(num_refine_blocks)
        self.align_corners = align_corners
        num_outputs = self.num_levels + 1

        if level_indices is None:
            level_indices = list(range(self.num_levels)) + [
                self.num_levels - 1
            ]
        if len(level_indices) != num_outputs:
            raise ValueError(
                f'The length of level_indices ({len(level_indices)}) did not'
                f' match the number of outputs ({num_outputs}: '
                f'{self.num_levels} GlobalNet levels + RefineNet)')
        self.level_indices = list(level_indices)

        if loss is None:
            loss = [
                dict(
                    type='KeypointMSELoss',
                    use_target_weight=True,
                    loss_weight=0.5)
            ] * self.num_levels + [
                dict(type='OHKMMSELoss', use_target_weight=True, topk=8)
            ]
        if isinstance(loss, (list, tuple)):
            if len(loss) != num_outputs:
                raise ValueError(
                    f'The length of loss_module ({len(loss)}) did not match'
                    f' the number of outputs ({num_outputs}: '
                    f'{self.num_levels} GlobalNet levels + RefineNet)')
            self.loss_module = nn.ModuleList(
                MODELS.build(_loss) for _loss in loss)
            loss_modules = list(self.loss_module)
        else:
            self.loss_module = MODELS.build(loss)
            loss_modules = [self.loss_module]
        for module in loss_modules:
            if (type(module) is KeypointOHKMMSELoss
                    and module.topk > out_channels):
                raise ValueError(
                    f'KeypointOHKMMSELoss(topk={module.topk}) needs at least '
                    f'topk keypoints, but out_channels={out_channels}. Use '
                    f'type="OHKMMSELoss" (topk becomes an upper bound) or '
                    f'set topk <= {out_channels}.')

        if decoder is not None:
            self.decoder = KEYPOINT_CODECS.build(decoder)
        else:
            self.decoder = None

        self.global_net = GlobalNet(
            self.in_channels,
            unit_channels,
            out_channels,
            norm_cfg=norm_cfg,
            align_corners=align_corners)
        self.refine_net = RefineNet(
            self.num_levels,
            unit_channels,
            out_channels,
            self.num_refine_blocks,
            norm_cfg=norm_cfg,
            align_corners=align_corners)

    @property
    def default_init_cfg(self):
        """Default config for weight initialization."""
        init_cfg = [
            dict(type='Kaiming', layer='Conv2d'),
            dict(type='Constant', layer='BatchNorm2d', val=1),
        ]
        return init_cfg

    def forward(self, feats: Sequence[Tensor]) -> List[Tensor]:
        """Forward the network.

        Note:
            - batch_size: B
            - num_input_levels: L
            - num_keypoints: K
            - heatmaps height / width: H, W (``out_shape``, or the size of
              the finest input level)

        Args:
            feats (Sequence[Tensor]): ``L`` backbone levels, fine to coarse,
                level ``i`` of shape [B, in_channels[i], H_i, W_i], with
                ``H_i >= H_{i+1}``.

        Returns:
            List[Tensor]: ``L + 1`` heatmaps of shape [B, K, H, W]: the
            GlobalNet outputs from coarse to fine, then the RefineNet output.
        """
        assert len(feats) == self.num_levels, (
            f'{self.__class__.__name__} got {len(feats)} feature maps but '
            f'in_channels has {self.num_levels} levels: set the backbone '
            f'out_indices to return {self.num_levels} levels')
        for i, (feat, channels) in enumerate(zip(feats, self.in_channels)):
            assert feat.shape[1] == channels, (
                f'The number of channels of feature level {i} '
                f'({feat.shape[1]}) did not match in_channels[{i}] '
                f'({channels}) in {self.__class__.__name__}')
        out_shape = self.out_shape or tuple(feats[0].shape[-2:])
        pyramid, global_heatmaps = self.global_net(feats, out_shape)
        refine_heatmaps = self.refine_net(pyramid, out_shape)
        return global_heatmaps[::-1] + [refine_heatmaps]

    def predict(self,
                feats: Features,
                batch_data_samples: OptSampleList,
                test_cfg: ConfigType = {}) -> Predictions:
        """Predict results from the RefineNet heatmaps.

        Args:
            feats (Sequence[Tensor] | List[Sequence[Tensor]]): Backbone
                levels (see :meth:`forward`), or in flip test
                (``test_cfg['flip_test']``) a list of the levels of the
                original and of the horizontally flipped images
            batch_data_samples (List[:obj:`PoseDataSample`]): The batch
                data samples; flip test reads ``metainfo['flip_indices']``
            test_cfg (dict): The runtime config for testing process, e.g.
                ``dict(flip_test=True, flip_mode='heatmap',
                shift_heatmap=False, output_heatmaps=False)``. Defaults to
                ``{}``

        Returns:
            Union[InstanceList | Tuple[InstanceList | PixelDataList]]: If
            ``test_cfg['output_heatmaps']==True``, return both pose and
            heatmap prediction; otherwise only return the pose prediction.

            The pose prediction is a list of ``InstanceData``, each contains
            the following fields:

                - keypoints (np.ndarray): predicted keypoint coordinates in
                    shape (num_instances, K, D) where K is the keypoint number
                    and D is the keypoint dimension
                - keypoint_scores (np.ndarray): predicted keypoint scores in
                    shape (num_instances, K)

            The heatmap prediction is a list of ``PixelData``, each contains
            the following fields:

                - heatmaps (Tensor): The predicted heatmaps in shape (K, h, w)
        """
        if test_cfg.get('flip_test', False):
            # TTA: flip test -> feats = [orig, flipped]
            assert isinstance(feats, list) and len(feats) == 2
            flip_indices = batch_data_samples[0].metainfo['flip_indices']
            _feats, _feats_flip = feats
            _batch_heatmaps = self.forward(_feats)[-1]
            _batch_heatmaps_flip = flip_heatmaps(
                self.forward(_feats_flip)[-1],
                flip_mode=test_cfg.get('flip_mode', 'heatmap'),
                flip_indices=flip_indices,
                shift_heatmap=test_cfg.get('shift_heatmap', False))
            batch_heatmaps = (_batch_heatmaps + _batch_heatmaps_flip) * 0.5
        else:
            batch_heatmaps = self.forward(feats)[-1]

        preds = self.decode(batch_heatmaps)

        if test_cfg.get('output_heatmaps', False):
            pred_fields = [
                PixelData(heatmaps=hm) for hm in batch_heatmaps.detach()
            ]
            return preds, pred_fields
        else:
            return preds

    def _get_level_targets(self, batch_data_samples: OptSampleList,
                           level: int) -> Tuple[Tensor, Tensor]:
        """Stack the target heatmaps and keypoint weights of one level.

        Multilevel targets come from ``GenerateTarget(multilevel=True)``
        and ``PackPoseInputs``: ``gt_fields`` is a
        :class:`MultilevelPixelData` and ``keypoint_weights`` of each sample
        has shape [L, N, K]. Single-level targets (a :class:`PixelData` and
        weights [N, K]) serve every level.

        Args:
            batch_data_samples (List[:obj:`PoseDataSample`]): The batch.
            level (int): The target level, ``0 <= level < L``.

        Returns:
            tuple:
            - heatmaps (Tensor): [B, K, H, W]
            - keypoint_weights (Tensor): [B*N, K]
        """
        heatmaps, weights = [], []
        for d in batch_data_samples:
            gt_fields = d.gt_fields
            w = d.gt_instance_labels.keypoint_weights
            if isinstance(gt_fields, MultilevelPixelData):
                nlevel = gt_fields.nlevel
                if level >= nlevel:
                    raise ValueError(
                        f'level_indices asks for target level {level} but '
                        f'the data has {nlevel} levels: give '
                        f'GenerateTarget(multilevel=True) one encoder per '
                        f'level, or change level_indices')
                heatmaps.append(gt_fields[level].heatmaps)
                if w.ndim == 3:
                    if w.shape[0] != nlevel:
                        raise ValueError(
                            f'keypoint_weights of shape {tuple(w.shape)} do '
                            f'not match {nlevel} target levels: expected '
                            f'[L, N, K] with L={nlevel}, as PackPoseInputs '
                            f'packs GenerateTarget(multilevel=True)')
                    w = w[level]
            else:
                heatmaps.append(gt_fields.heatmaps)
                if w.ndim == 3:
                    w = w[min(level, w.shape[0] - 1)]
            weights.append(w)
        return torch.stack(heatmaps), torch.cat(weights, dim=0)

    def loss(self,
             feats: Sequence[Tensor],
             batch_data_samples: OptSampleList,
             train_cfg: ConfigType = {}) -> dict:
        """Calculate losses from a batch of inputs and data samples.

        Note:
            - batch_size: B
            - num_output_heatmap_levels: L + 1
            - num_keypoints: K
            - heatmaps height: H
            - heatmaps weight: W
            - num_instances: N (1 in top-down heatmap heads)

        Args:
            feats (Sequence[Tensor]): Backbone levels, fine to coarse
            batch_data_samples (List[:obj:`PoseDataSample`]): The Data
                Samples, with ``gt_fields.heatmaps`` (per level) and
                ``gt_instance_labels.keypoint_weights``
            train_cfg (dict): The runtime config for training process;
                ``compute_acc`` (default ``True``) adds ``acc_pose``

        Returns:
            dict: ``loss_kpt``, the sum of the GlobalNet and RefineNet losses,
            and ``acc_pose``, the PCK accuracy of the RefineNet heatmaps.
        """
        pred_heatmaps = self.forward(feats)

        losses = dict()
        for i, pred in enumerate(pred_heatmaps):
            if isinstance(self.loss_module, nn.ModuleList):
                loss_func = self.loss_module[i]
            else:
                loss_func = self.loss_module
            gt_heatmaps, keypoint_weights = self._get_level_targets(
                batch_data_samples, self.level_indices[i])
            loss_i = loss_func(pred, gt_heatmaps, keypoint_weights)
            if 'loss_kpt' not in losses:
                losses['loss_kpt'] = loss_i
            else:
                losses['loss_kpt'] = losses['loss_kpt'] + loss_i

        if train_cfg.get('compute_acc', True):
            # the last gt_heatmaps / keypoint_weights are RefineNet's
            _, avg_acc, _ = pose_pck_accuracy(
                output=to_numpy(pred_heatmaps[-1]),
                target=to_numpy(gt_heatmaps),
                mask=to_numpy(keypoint_weights) > 0)
            acc_pose = torch.tensor(avg_acc, device=gt_heatmaps.device)
            losses.update(acc_pose=acc_pose)

        return losses

