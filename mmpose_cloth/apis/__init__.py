"""Inference on garment images and videos, in FashionAI's 24 keypoints.

One predictor for every caller: :func:`build_predictor` (:mod:`.predictor`)
makes a :class:`~mmpose_cloth.predictors.GarmentPredictor` from a ``.pth``
checkpoint (PyTorch; with test-time augmentation, ensembles,
``torch.compile``) or an ``.onnx`` file (ONNX Runtime);
``predictor.predict(images, boxes, categories)`` takes image files or BGR
arrays and gives one :class:`~mmpose_cloth.predictors.GarmentPrediction`
each.

``tools/infer.py`` is :func:`run_inference` (:mod:`.infer`): plan
(:mod:`.infer_plan`: which images, which categories, if given), predict
(:mod:`.infer_predict`: detector boxes, then batches) and write
(:mod:`.infer_write`: JSON, pictures, ``result.csv``); :mod:`.infer_video`
does the same for every frame of a video. ``tools/deploy/export_onnx.py``
is :mod:`.export`, ``tools/demo.py`` :mod:`.demo`.
"""
from mmpose_cloth.predictors import (GarmentPrediction, GarmentPredictor,
                                     InferenceInputError)
from .infer import run_inference
from .infer_plan import plan_images
from .infer_predict import predict_images
from .infer_video import predict_video
from .infer_write import InferenceWriter
from .predictor import build_predictor

__all__ = [
    'build_predictor', 'GarmentPredictor', 'GarmentPrediction',
    'InferenceInputError', 'plan_images', 'predict_images', 'predict_video',
    'InferenceWriter', 'run_inference'
]
