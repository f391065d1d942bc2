"""Losses of mmpose-cloth, registered in MMPose's ``MODELS`` registry."""
from .ohkm_mse_loss import OHKMMSELoss

__all__ = ['OHKMMSELoss']
