"""Models of mmpose-cloth: the CPN head and the DetNet backbone.

Importing this package registers :class:`CPNHead`, :class:`OHKMMSELoss` and
:class:`DetNet` in MMPose's ``MODELS`` registry.
"""
from .backbones import DetNet
from .heads import CPNHead
from .losses import OHKMMSELoss

__all__ = ['DetNet', 'CPNHead', 'OHKMMSELoss']
