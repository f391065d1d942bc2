"""Inference on whole garment images in FashionAI's 24 keypoints.

:mod:`.inference` predicts with a PyTorch model; ``tools/infer.py`` runs
three steps over many images: plan (:mod:`.infer_plan`: which images, which
categories, if given), predict (:mod:`.garment_predictor` loads a ``.pth`` or
``.onnx`` model, :mod:`.infer_predict` adds detector boxes and runs it
batch by batch) and write (:mod:`.infer_write`: JSON, pictures,
``result.csv``); :mod:`.infer_video` does the same for every frame of a
video.
"""
from .garment_predictor import GarmentPredictor, default_device
from .infer_plan import (IMAGE_EXTS, InferenceInputError,
                         check_predicted_categories,
                         keep_predicted_categories, model_categories,
                         plan_images, require_categories)
from .infer_predict import (ImagePrediction, detect_boxes, load_detector,
                            predict_batches)
from .infer_video import (VIDEO_EXTS, VideoResult, is_video_source,
                          predict_video)
from .infer_write import (InferenceWriter, choose_category, draw_instances,
                          format_instance, vis_path)
from .inference import (GarmentBatch, model_keypoint_ids,
                        model_predicts_category, predict_garment_batch,
                        predict_garment_batch_with_category, predict_garments,
                        run_test_pipeline, whole_image_bbox)

__all__ = [
    'predict_garments', 'predict_garment_batch', 'run_test_pipeline',
    'model_keypoint_ids', 'GarmentPredictor', 'default_device', 'IMAGE_EXTS',
    'InferenceInputError', 'keep_predicted_categories', 'plan_images',
    'ImagePrediction', 'detect_boxes', 'load_detector', 'predict_batches',
    'InferenceWriter', 'draw_instances', 'format_instance', 'vis_path',
    'whole_image_bbox', 'GarmentBatch', 'predict_garment_batch_with_category',
    'model_predicts_category', 'require_categories', 'choose_category',
    'VIDEO_EXTS', 'VideoResult', 'is_video_source', 'predict_video',
    'model_categories', 'check_predicted_categories'
]
