"""Split an mmcv :class:`ConvModule` at its convolution, so that something
(a resize, in :class:`GlobalNet`) can run between the
convolution and the layers after it."""
from mmcv.cnn import ConvModule
from torch import Tensor, nn

__all__ = ['forward_after_conv', 'output_writable']


def forward_after_conv(module: ConvModule, x: Tensor) -> Tensor:
    """Apply what ``module`` does after its convolution (norm and activation,
    in the module's ``order``).

    Args:
        module (ConvModule): The module.
        x (Tensor): An output of ``module.conv`` (possibly transformed), of
            shape [B, C_out, H, W].

    Returns:
        Tensor: Shape [B, C_out, H, W]: ``module(input)`` when ``x`` is
        ``module.conv(input)``.
    """
    for layer in module.order[module.order.index('conv') + 1:]:
        if layer == 'norm' and module.with_norm:
            x = module.norm(x)
        elif layer == 'act' and module.with_activation:
            x = module.activate(x)
    return x


def output_writable(module: ConvModule) -> bool:
    """Whether the output of :func:`forward_after_conv` may be changed in
    place: its backward pass does not use it (a batch or group norm and no
    activation).

    Args:
        module (ConvModule): The module.

    Returns:
        bool: ``True`` if an in-place update of the output is safe for
        autograd.
    """
    return (module.with_norm and not module.with_activation and isinstance(
        module.norm, (nn.modules.batchnorm._BatchNorm, nn.GroupNorm)))
