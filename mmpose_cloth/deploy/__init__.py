"""Deployment: ONNX export of top-down heatmap models and an ONNX Runtime
predictor that gives the same keypoints as PyTorch.

``onnx`` and ``onnxruntime`` are optional (``requirements/optional.txt``);
they are imported only when used.
"""
from .onnx_export import HeatmapForward, export_onnx, read_onnx_metadata
from .onnx_runner import OnnxGarmentPredictor

__all__ = [
    'HeatmapForward', 'export_onnx', 'read_onnx_metadata',
    'OnnxGarmentPredictor'
]
