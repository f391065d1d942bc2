"""Models of mmpose-cloth: the CPN head and the DetNet and EfficientNet-Lite
backbones; ``utils/`` holds the blocks the heads are built from (CPN's
GlobalNet and RefineNet) and their ops.

Importing this package registers :class:`CPNHead`, :class:`OHKMMSELoss`,
:class:`DetNet` and :class:`EfficientNetLite` in MMPose's ``MODELS``
registry.
"""
from .backbones import DetNet, EfficientNetLite
from .heads import CPNHead
from .losses import OHKMMSELoss

__all__ = ['DetNet', 'EfficientNetLite', 'CPNHead', 'OHKMMSELoss']
