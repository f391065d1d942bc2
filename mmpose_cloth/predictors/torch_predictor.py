"""The PyTorch implementation of :class:`~.GarmentPredictor`: a top-down
model from :func:`mmpose.apis.init_model`, optionally with test-time
augmentation, an ensemble and ``torch.compile``."""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope

from fashionai_format import CATEGORIES, NUM_KEYPOINTS, keypoint_indices
from mmpose.registry import MODELS
from mmpose_cloth.engine import StepTimes, compile_prediction
from .base import BatchOutputs, GarmentPredictor
from .test_time_augmentation import tta_model_cfg, tta_test_pipeline
from .topdown_pipeline import TopdownPipeline

__all__ = ['TorchGarmentPredictor', 'default_device', 'model_keypoint_ids']


def default_device(device: Optional[str] = None) -> str:
    """``device``, else ``cuda:0`` when available, else ``cpu``."""
    return device or ('cuda:0' if torch.cuda.is_available() else 'cpu')


def model_keypoint_ids(model) -> np.ndarray:
    """(K,) indices into the 24 FashionAI keypoints of a model's K
    keypoints, by the names in its ``dataset_meta``."""
    return np.array(keypoint_indices(model.dataset_meta['keypoint_id2name'],
                                     source='model keypoints'))


class TorchGarmentPredictor(GarmentPredictor):
    """Predict with a PyTorch top-down model.

    The model's own test pipeline and test-time settings (flip test) are
    used, as in :func:`mmpose.apis.inference_topdown`; keypoints are those
    ``model.test_step`` gives, scores the keypoint head's own (a given
    category may differ from the predicted one, whose mask zeroed the
    others' ``keypoint_scores``).

    Args:
        model (nn.Module): a top-down model from
            :func:`mmpose.apis.init_model` (it has ``cfg`` and
            ``dataset_meta``), in eval mode on its device.
        tta (bool): test-time augmentation over the config's
            ``tta_pipeline`` views (``tools/test.py --tta``), merged by the
            config's ``tta_model``
            (:class:`~mmpose_cloth.models.HeatmapTTAModel`).
        ensemble (Sequence[tuple[str, str]]): (config, checkpoint) of
            further models whose heatmaps are averaged with this one's
            (``tools/test.py --ensemble``).
        compile (dict, optional): ``torch.compile`` keyword arguments
            (:func:`~mmpose_cloth.engine.compile_options`) for the network
            of every model that runs (:func:`~mmpose_cloth.engine.
            compile_prediction`); ``None``: eager. A compiled predictor
            times its batches (:attr:`batch_times`).
        name (str): what to call it in messages (the checkpoint file).

    Attributes:
        model (nn.Module): the model (for export and checks).
        device (str): where it runs.

    Raises:
        InferenceInputError: ``tta`` and a config without ``tta_pipeline``.
    """

    def __init__(self,
                 model,
                 tta: bool = False,
                 ensemble: Sequence[Tuple[str, str]] = (),
                 compile: Optional[dict] = None,
                 name: str = 'the model'):
        cfg = model.cfg
        scope = cfg.get('default_scope', 'mmpose')
        device = str(next(model.parameters()).device)
        wrapper = tta_model_cfg(cfg, tta, ensemble)
        self._test_step, runs = model.test_step, model
        if wrapper is not None:
            with DefaultScope.overwrite_default_scope(scope):
                runs = MODELS.build(dict(wrapper, module=model))
            runs = runs.to(device).eval()
            self._test_step = runs.test_step
        pipeline = tta_test_pipeline(cfg) if tta else \
            cfg.test_dataloader.dataset.pipeline
        times = None
        if compile is not None:
            compile_prediction(runs, compile)
            times = StepTimes()
        super().__init__(
            TopdownPipeline(pipeline, model.dataset_meta, scope),
            model_keypoint_ids(model),
            getattr(model, 'category_head', None) is not None, device,
            name, times)
        self.model = model

    def _forward(self, samples: List[dict]) -> BatchOutputs:
        b = len(samples)
        kpts = np.full((b, NUM_KEYPOINTS, 2), np.nan)
        scores = np.full((b, NUM_KEYPOINTS), np.nan)
        probs = np.zeros((b, len(CATEGORIES))) if self.predicts_category \
            else None
        if not samples:
            return kpts, scores, probs
        with torch.no_grad():
            results = self._test_step(pseudo_collate(samples))
        ids = self.keypoint_ids
        for j, res in enumerate(results):
            inst = res.pred_instances
            kpts[j, ids] = inst.keypoints[0]
            raw = inst.raw_keypoint_scores \
                if 'raw_keypoint_scores' in inst else inst.keypoint_scores
            scores[j, ids] = raw[0]
            if probs is not None:
                probs[j] = inst.category_scores[0]
        return kpts, scores, probs
