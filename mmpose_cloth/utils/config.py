"""Loading configs with ``::`` variants and changing their input size.

This lives in ``mmpose_cloth/utils`` (as MMPose keeps its config helpers in
``mmpose/utils/config_utils.py``) because both the deployment code
(:mod:`mmpose_cloth.deploy`, ``tools/deploy/export_onnx.py --input-size``)
and the analysis code (:mod:`mmpose_cloth.analysis`,
``tools/analysis/benchmark.py``) need it, and neither should import the
other.

A *config variant* is a config file followed by ``::``-separated parts:
``key=value`` overrides a config key (MMEngine's ``--cfg-options``
syntax, e.g. ``model.head.unit_channels=128``) and a bare word is a flag
that the caller interprets (the benchmark's ``channels-last``, ``amp``,
``backbone-only``, ``compile``)::

    CPN=configs/cpn/td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py
    $CPN::model.head.unit_channels=128::amp
"""
import argparse
import copy
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Optional, Sequence, Tuple, Union

from mmengine.config import Config, DictAction

__all__ = [
    'ConfigVariant', 'load_config', 'config_input_size', 'set_input_size',
    'parse_input_size', 'fit_schedule'
]

VARIANT_SEP = '::'


@dataclass(frozen=True)
class ConfigVariant:
    """A config file with ``key=value`` overrides and flags.

    Args:
        text (str): the variant as written, ``PATH[::part[::part ...]]``.
        path (str): the config file.
        overrides (dict): config keys (dotted) to their parsed values.
        flags (frozenset[str]): the bare-word parts.
    """
    text: str
    path: str
    overrides: Dict[str, Any] = field(default_factory=dict)
    flags: FrozenSet[str] = frozenset()

    @classmethod
    def parse(cls, text: str, flags: Sequence[str] = ()) -> 'ConfigVariant':
        """Parse ``PATH::key=value::flag``.

        Args:
            text (str): the variant.
            flags (Sequence[str]): the flags allowed.

        Raises:
            ValueError: a part is neither ``key=value`` nor an allowed flag.
        """
        path, *parts = text.split(VARIANT_SEP)
        overrides: Dict[str, Any] = {}
        found = set()
        for part in parts:
            if '=' in part:
                key, value = part.split('=', 1)
                overrides[key] = DictAction._parse_iterable(value)
            elif part in flags:
                found.add(part)
            else:
                raise ValueError(f'{text}: unknown variant {part!r}; use '
                                 f'key=value or one of {", ".join(flags)}')
        return cls(text, path, overrides, frozenset(found))


def load_config(variant: Union[str, ConfigVariant],
                input_size: Optional[Sequence[int]] = None):
    """Load a config file with a variant's overrides and, optionally,
    another input size (:func:`set_input_size`).

    Args:
        variant (str | ConfigVariant): a config path (no ``::`` parts) or a
            parsed variant.
        input_size (Sequence[int], optional): (W, H); the config's own when
            ``None``.

    Returns:
        mmengine.Config: the config.
    """
    if isinstance(variant, str):
        variant = ConfigVariant.parse(variant)
    cfg = Config.fromfile(variant.path)
    if variant.overrides:
        cfg.merge_from_dict(copy.deepcopy(variant.overrides))
    if input_size is not None and tuple(input_size) != \
            config_input_size(cfg):
        cfg = set_input_size(cfg, input_size)
    return cfg


def config_input_size(cfg) -> Tuple[int, int]:
    """(W, H) of a config's training input: its ``TopdownAffine``, else a
    top-level ``input_size``.

    Raises:
        ValueError: the config has neither.
    """
    for t in cfg.train_dataloader.dataset.pipeline:
        if t.get('type') == 'TopdownAffine':
            return tuple(t['input_size'])
    if 'input_size' in cfg:
        return tuple(cfg.input_size)
    raise ValueError('cannot find the input size (no TopdownAffine in the '
                     'training pipeline)')


def set_input_size(cfg, input_size: Sequence[int]):
    """A copy of ``cfg`` at another input size (W, H).

    Every ``input_size`` in the config tree becomes ``input_size``: the
    top-level variable, each pipeline's ``TopdownAffine`` (train, val,
    test), the codecs of ``GenerateTarget`` and the head's decoder. Each
    ``heatmap_size`` next to one keeps its codec's input/heatmap ratio, and
    each head's ``in_featuremap_size`` (``SimCCHead``, ``RTMCCHead``,
    ``DSNTHead``: the backbone's output size, which their layers are built
    for) keeps its ratio to the head's ``input_size`` or, where the head
    has none, to the config's.
    Fully convolutional models (ResNet, HRNet, CPN with ``out_shape=None``)
    run at any input size that their strides divide.

    Args:
        cfg (mmengine.Config): the config (not changed).
        input_size (Sequence[int]): (W, H).

    Returns:
        mmengine.Config: the changed copy.

    Raises:
        ValueError: the size is not a multiple of a codec's input/heatmap
            ratio or of a head's input/feature map ratio.
    """
    try:
        old = config_input_size(cfg)
    except ValueError:
        old = None
    cfg = copy.deepcopy(cfg)
    w, h = (int(v) for v in input_size)
    _set_sizes(cfg._cfg_dict, (w, h), old)
    return cfg


def parse_input_size(text: str) -> Tuple[int, int]:
    """``'384x288'`` -> ``(384, 288)`` (W, H): an argparse ``type=`` for
    input sizes, multiples of 32 (the backbones' stride), at least 32.

    Raises:
        argparse.ArgumentTypeError: not ``WxH`` or not such multiples.
    """
    try:
        w, h = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'expected WxH such as 384x384, got {text!r}') from None
    if w < 32 or h < 32 or w % 32 or h % 32:
        raise argparse.ArgumentTypeError(
            f'input size {text} must be multiples of 32 (the backbone '
            'stride), at least 32')
    return w, h


def _set_sizes(node, size: Tuple[int, int],
               old: Optional[Tuple[int, int]]) -> None:
    if isinstance(node, dict):
        own = node.get('input_size')
        own = own if isinstance(own, (tuple, list)) else None
        if isinstance(node.get('in_featuremap_size'), (tuple, list)):
            ref = own or old
            if ref is None:
                raise ValueError('cannot scale in_featuremap_size: no input '
                                 'size in the head or the config')
            node['in_featuremap_size'] = _heatmap_size(
                ref, node['in_featuremap_size'], size, 'head\'s input/'
                'feature map')
        if own is not None:
            if 'heatmap_size' in node:
                node['heatmap_size'] = _heatmap_size(
                    own, node['heatmap_size'], size)
            node['input_size'] = tuple(size)
        for v in node.values():
            _set_sizes(v, size, old)
    elif isinstance(node, (list, tuple)):
        for v in node:
            _set_sizes(v, size, old)


def _heatmap_size(old_input: Sequence[int], old_heatmap: Sequence[int],
                  size: Tuple[int, int],
                  what: str = 'codec\'s input/heatmap') -> Tuple[int, int]:
    (iw, ih), (hw, hh), (w, h) = old_input, old_heatmap, size
    rw, rh = iw / hw, ih / hh
    if w % rw or h % rh:
        raise ValueError(f'input size {w}x{h} is not a multiple of the '
                         f'{what} ratio {rw:g}x{rh:g}')
    return int(w / rw), int(h / rh)


def fit_schedule(cfg, epochs: int, iters_per_epoch: int):
    """``cfg`` (in place) trained for ``epochs`` instead of its own: the
    recipe's learning-rate schedule stretched or shrunk to them (epoch-based
    schedulers end at ``epochs``, a ``MultiStepLR`` steps once at 80%), an
    iteration warm-up (``LinearLR`` by iterations) cut to at most a fifth of
    the run, validation and the checkpoint at the end.

    Args:
        cfg (mmengine.Config): an epoch-based training config.
        epochs (int): the epochs to train.
        iters_per_epoch (int): iterations of one epoch (images / batch).

    Returns:
        mmengine.Config: ``cfg``.
    """
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = epochs
    iters = epochs * iters_per_epoch
    for sched in cfg.param_scheduler:
        if sched.get('by_epoch', True):
            sched.end = epochs
        elif sched.type == 'LinearLR':
            sched.end = min(sched.end, max(1, iters // 5))
        if sched.type == 'MultiStepLR':
            sched.milestones = [int(epochs * 0.8)]
    cfg.default_hooks.checkpoint.interval = epochs
    return cfg
