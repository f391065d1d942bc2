"""Deployment: ONNX export of top-down heatmap models, an ONNX Runtime
predictor that gives the same keypoints as PyTorch, and checks of the one
against the other.

``onnx`` and ``onnxruntime`` are optional (``requirements/optional.txt``);
they are imported only when used.
"""
from .onnx_check import (compare_with_pytorch, sample_images,
                         time_pytorch_and_onnx)
from .onnx_export import HeatmapForward, export_onnx, read_onnx_metadata
from .onnx_runner import OnnxGarmentPredictor

__all__ = [
    'HeatmapForward', 'export_onnx', 'read_onnx_metadata',
    'OnnxGarmentPredictor', 'compare_with_pytorch', 'sample_images',
    'time_pytorch_and_onnx'
]
