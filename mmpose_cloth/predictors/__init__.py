"""Predictors: the one interface of inference (:class:`GarmentPredictor`:
images or arrays, boxes and categories in, :class:`GarmentPrediction` out)
and its PyTorch implementation; the ONNX Runtime one is
:class:`mmpose_cloth.deploy.OnnxGarmentPredictor`, and
:func:`mmpose_cloth.apis.build_predictor` makes either.

Below :mod:`mmpose_cloth.deploy` and :mod:`mmpose_cloth.apis`, which both
build on it.
"""
from .base import (GarmentPrediction, GarmentPredictor, ImageItem,
                   InferenceInputError, check_predicted_categories,
                   model_categories)
from .test_time_augmentation import (tta_model_cfg, tta_test_pipeline,
                                     with_test_time_augmentation)
from .topdown_pipeline import ImageInput, TopdownPipeline, whole_image_bbox
from .torch_predictor import (TorchGarmentPredictor, default_device,
                              model_keypoint_ids)

__all__ = [
    'GarmentPrediction', 'GarmentPredictor', 'ImageInput', 'ImageItem',
    'InferenceInputError', 'TopdownPipeline', 'TorchGarmentPredictor',
    'check_predicted_categories', 'default_device', 'model_categories',
    'model_keypoint_ids', 'tta_model_cfg', 'tta_test_pipeline',
    'whole_image_bbox', 'with_test_time_augmentation'
]
