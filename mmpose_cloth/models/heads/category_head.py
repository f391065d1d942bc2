"""A garment-category classifier on one backbone level."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmpose.registry import MODELS
from fashionai_format.schema import CATEGORIES

__all__ = ['GarmentCategoryHead', 'category_labels']

Feats = Union[Tensor, Sequence[Tensor]]


def category_labels(data_samples: Sequence) -> Tensor:
    """(B,) labels, indices into ``CATEGORIES``, from the samples'
    ``category_id`` meta key.

    FashionAI's COCO files (``tools/dataset_converters/fashionai2coco.py``)
    number the categories ``1 + CATEGORIES.index(category)``
    (:func:`fashionai_format.schema.category_id`), and MMPose's
    ``PackPoseInputs`` keeps ``category_id`` by default, so the label reaches
    the model with no change to the pipelines.

    Raises:
        KeyError: a sample without ``category_id``.
    """
    ids = []
    for s in data_samples:
        if 'category_id' not in s.metainfo:
            raise KeyError(
                'GarmentCategoryHead needs the meta key category_id in each '
                "data sample (PackPoseInputs' default meta_keys keep it)")
        ids.append(int(s.metainfo['category_id']) - 1)
    return torch.tensor(ids, dtype=torch.long)


@MODELS.register_module()
class GarmentCategoryHead(BaseModule):
    """Which of the five FashionAI garments an image shows.

    Average pooling of one or more backbone levels, dropout and a linear
    layer (the recipe of an ImageNet classifier on the same features),
    optionally with one hidden layer (``hidden_channels``) before it, so
    that a category head trained alone on a frozen keypoint backbone (a
    probe) or jointly with the keypoint loss both work. The coarsest level
    (EfficientNet-Lite's 1280 channels at stride 32) is the most semantic
    and the default. ``pool_size`` > 1 pools each level to a
    ``pool_size`` x ``pool_size`` grid instead of one value per channel,
    which keeps the coarse layout (legs apart or not: trousers or skirt);
    several levels (``in_index`` a tuple) are pooled each and concatenated.

    ``branch`` gives the head layers of its own between the backbone level
    and the pooling, e.g. :class:`~mmpose_cloth.models.backbones.
    EfficientNetLiteTail`: an ImageNet-initialised copy of the backbone's
    last level on its stride-16 features. On a frozen keypoint model this
    is what makes the category learnable: features fine-tuned for keypoints
    pool into poor category evidence (a linear probe of the CPU recipe's
    stride-32 level reached 80% on the real val split), while its own top
    level trains to it and leaves the keypoints untouched.

    Args:
        in_channels (int | Sequence[int]): channels of the level(s) pooled
            (the branch's output with ``branch``). Default: 1280
            (EfficientNet-Lite's last level).
        num_classes (int): garment categories, in the order of
            ``fashionai_format.CATEGORIES``. Default: 5.
        in_index (int | Sequence[int]): which of the backbone's outputs to
            use. Default: -1 (the last, coarsest).
        pool_size (int): each level is average-pooled to pool_size x
            pool_size. Default: 1 (global average pooling).
        branch (dict, optional): a module config (``MODELS``) run on the
            level ``in_index`` (one level only) before pooling; its last
            output is pooled.
        hidden_channels (int, optional): width of a hidden layer (Linear +
            ReLU) between the pooled features and the classifier; ``None``
            (default) for a linear classifier.
        dropout (float): dropout before the classifier. Default: 0.2.
        loss_weight (float): weight of the cross-entropy loss
            (``loss_category``) next to the keypoint losses. Default: 1.
        label_smoothing (float): cross-entropy label smoothing. Default: 0.
        init_cfg (dict, optional): MMEngine init config. Default: a normal
            init of the linear layer (std 0.01), bias 0.

    Shape:
        - feats: a tuple of backbone levels, level ``in_index`` (B, C, H, W)
        - pooled features (B, sum(C) * pool_size**2), hidden (B,
          hidden_channels)
        - output of ``forward``: logits (B, num_classes)
        - output of ``predict``: probabilities (B, num_classes); with flip
          test (``[feats, flipped feats]``) the mean of both.
    """

    def __init__(self,
                 in_channels: Union[int, Sequence[int]] = 1280,
                 num_classes: int = len(CATEGORIES),
                 in_index: Union[int, Sequence[int]] = -1,
                 pool_size: int = 1,
                 branch: Optional[dict] = None,
                 hidden_channels: Optional[int] = None,
                 dropout: float = 0.2,
                 loss_weight: float = 1.0,
                 label_smoothing: float = 0.0,
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Linear', std=0.01, bias=0.)):
        super().__init__(init_cfg=init_cfg)
        multi = isinstance(in_index, (list, tuple))
        self.in_index = tuple(in_index) if multi else (in_index, )
        self.in_channels = tuple(in_channels) if multi else (in_channels, )
        if len(self.in_channels) != len(self.in_index):
            raise ValueError(f'in_channels {in_channels} and in_index '
                             f'{in_index} differ in length')
        self.num_classes = num_classes
        self.pool_size = pool_size
        pooled = sum(self.in_channels) * pool_size**2
        if branch is not None and len(self.in_index) != 1:
            raise ValueError('a branch takes one level: give one in_index')
        self.branch = None if branch is None else MODELS.build(branch)
        self.loss_weight = loss_weight
        self.label_smoothing = label_smoothing
        if hidden_channels:
            self.hidden = nn.Sequential(
                nn.Linear(pooled, hidden_channels), nn.ReLU(True))
        else:
            self.hidden = nn.Identity()
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc = nn.Linear(hidden_channels or pooled, num_classes)

    def forward(self, feats: Feats) -> Tensor:
        """Logits (B, num_classes) of the backbone level(s) (B, C, H, W)."""
        if not isinstance(feats, (list, tuple)):
            feats = (feats, )
        pooled = []
        for i, c in zip(self.in_index, self.in_channels):
            x = feats[i]
            if self.branch is not None:
                x = self.branch(x)[-1]
            if x.dim() != 4 or x.shape[1] != c:
                raise ValueError(
                    f'{type(self).__name__} expects (B, {c}, H, W) '
                    f'features at index {i}; got {tuple(x.shape)}')
            pooled.append(torch.flatten(
                F.adaptive_avg_pool2d(x, self.pool_size), 1))
        x = torch.cat(pooled, 1) if len(pooled) > 1 else pooled[0]
        return self.fc(self.dropout(self.hidden(x)))

    def predict(self, feats: Union[Feats, Tuple[Feats, Feats]],
                flip_test: bool = False) -> Tensor:
        """Category probabilities (B, num_classes).

        Args:
            feats: the backbone levels, or with ``flip_test`` the pair
                ``[feats, feats of the flipped image]`` (as
                ``TopdownPoseEstimator.predict`` makes them); the category
                does not change under a flip, so both views' probabilities
                are averaged.
            flip_test (bool): whether ``feats`` is such a pair.
        """
        if flip_test:
            return 0.5 * (self.forward(feats[0]).softmax(-1) +
                          self.forward(feats[1]).softmax(-1))
        return self.forward(feats).softmax(-1)

    def loss(self, feats: Feats, data_samples: Sequence) -> dict:
        """``loss_category`` (weighted cross-entropy) and ``acc_category``
        (the batch's accuracy, logged, not back-propagated).

        Args:
            feats: the backbone levels.
            data_samples: B samples with the meta key ``category_id``
                (:func:`category_labels`).
        """
        logits = self.forward(feats)
        labels = category_labels(data_samples).to(logits.device)
        loss = F.cross_entropy(logits, labels,
                               label_smoothing=self.label_smoothing)
        acc = (logits.argmax(-1) == labels).float().mean()
        return dict(loss_category=loss * self.loss_weight,
                    acc_category=acc.detach())
