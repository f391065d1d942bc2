"""Deployment: ONNX export of top-down heatmap models, the ONNX Runtime
implementation of :class:`~mmpose_cloth.predictors.GarmentPredictor`
(the same keypoints as PyTorch), and checks of the one against the other.

Builds on :mod:`mmpose_cloth.predictors`; never imports
:mod:`mmpose_cloth.apis`, which builds on it. ``onnx`` and ``onnxruntime``
are optional (``requirements/optional.txt``); they are imported only when
used.
"""
from .onnx_check import compare_with_pytorch, time_pytorch_and_onnx
from .onnx_export import (DEFAULT_OPSET, HeatmapForward, export_onnx,
                          read_onnx_metadata)
from .onnx_predictor import OnnxGarmentPredictor

__all__ = [
    'DEFAULT_OPSET', 'HeatmapForward', 'export_onnx', 'read_onnx_metadata',
    'OnnxGarmentPredictor', 'compare_with_pytorch', 'time_pytorch_and_onnx'
]
