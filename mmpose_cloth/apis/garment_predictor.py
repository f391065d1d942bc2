"""A pose model loaded for inference, from a PyTorch checkpoint or an ONNX
file, behind one call: ``predict_batch(paths, boxes)``."""
import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence, Tuple, Union

import numpy as np

from mmpose_cloth.engine import StepTimes, compile_options, compile_prediction

from .infer_plan import InferenceInputError
from .inference import (GarmentBatch, model_keypoint_ids,
                        model_predicts_category,
                        predict_garment_batch_with_category)

__all__ = ['GarmentPredictor', 'default_device']


def default_device(device: Optional[str] = None) -> str:
    """``device``, else ``cuda:0`` when available, else ``cpu``."""
    import torch
    return device or ('cuda:0' if torch.cuda.is_available() else 'cpu')


@dataclass
class GarmentPredictor:
    """A model that predicts FashionAI keypoints for boxes in images.

    Args:
        predict_batch (Callable): ``(paths, boxes) -> GarmentBatch`` with B
            paths and B (4,) xyxy boxes (``None``: the whole image):
            keypoints (B, 24, 2) in image pixels and scores (B, 24), NaN
            where not predicted, and the (B, 5) category probabilities or
            ``None`` (:func:`predict_garment_batch_with_category`).
        keypoint_ids (np.ndarray): (K,) the FashionAI keypoints it
            predicts.
        device (str): where it runs, in words (e.g. ``cpu``,
            ``CPU (ONNX Runtime)``).
        predicts_category (bool): whether it predicts the garment category
            (a model with a category head); without it every image needs
            its category.
        name (str): what to call it in messages (the checkpoint file).
        batch_times (StepTimes, optional): seconds of each
            ``predict_batch`` call of a compiled model (the first one
            compiles); ``None`` when not compiled.
    """
    predict_batch: Callable[[Sequence[str], Sequence[Optional[np.ndarray]]],
                            GarmentBatch]
    keypoint_ids: np.ndarray
    device: str
    predicts_category: bool = False
    name: str = 'the model'
    batch_times: Optional[StepTimes] = None

    @classmethod
    def from_checkpoint(cls,
                        config: str,
                        checkpoint: str,
                        device: Optional[str] = None,
                        flip_test: bool = True,
                        cfg_options: Optional[dict] = None,
                        tta: bool = False,
                        ensemble: Sequence[Tuple[str, str]] = (),
                        compile: Union[bool, dict, None] = None
                        ) -> 'GarmentPredictor':
        """Load a ``.pth`` checkpoint with its config, or a ``.onnx`` file
        (``tools/deploy/export_onnx.py``) to run in ONNX Runtime with the
        config stored in the file (``config`` where the file has none).

        Args:
            config (str): the model config file.
            checkpoint (str): ``.pth`` or ``.onnx``.
            device (str, optional): see :func:`default_device`.
            flip_test (bool): ``model.test_cfg.flip_test``.
            cfg_options (dict, optional): config overrides (``.pth`` only).
            tta (bool): test-time augmentation over the config's
                ``tta_pipeline`` views (``tools/test.py --tta``), merged by
                :class:`~mmpose_cloth.models.HeatmapTTAModel`.
            ensemble (Sequence[tuple[str, str]]): (config, checkpoint) of
                further models whose heatmaps are averaged with this one's
                (``tools/test.py --ensemble``).
            compile (bool | dict, optional): ``torch.compile`` the network
                (:func:`~mmpose_cloth.engine.compile_prediction`; with
                ``tta``/``ensemble`` every model's): ``True`` or
                ``torch.compile`` keyword arguments, as MMEngine's
                ``cfg.compile``; the config's ``compile`` when ``None``
                (``.pth`` only).

        Raises:
            InferenceInputError: an ``.onnx`` file without onnx and
                onnxruntime installed, or with ``tta``/``ensemble`` or
                ``compile``; a config without ``tta_pipeline`` with
                ``tta``.
        """
        device = default_device(device)
        if checkpoint.endswith('.onnx'):
            if tta or ensemble:
                raise InferenceInputError(
                    'test-time augmentation and ensembles run the PyTorch '
                    'checkpoints (.pth), not an .onnx file')
            if compile:
                raise InferenceInputError(
                    f'{checkpoint}: an ONNX model runs in ONNX Runtime and '
                    'is not compiled with torch.compile: leave out '
                    '--compile')
            return cls._from_onnx(config, checkpoint, device, flip_test)
        from mmengine.config import Config
        from mmpose.apis import init_model
        cfg = Config.fromfile(config)
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
        cfg.model.setdefault('test_cfg', {})
        cfg.model.test_cfg['flip_test'] = flip_test
        if tta and 'tta_pipeline' not in cfg:
            raise InferenceInputError(
                f'test-time augmentation: {config} has no `tta_pipeline` '
                f'(the 256x256 CPU recipes define one)')
        model = init_model(cfg, checkpoint, device=device)
        step, pipeline = model.test_step, None
        if tta or ensemble:
            from mmpose_cloth.models import HeatmapTTAModel
            tta_model = HeatmapTTAModel(
                module=model,
                ensemble=[dict(config=c, checkpoint=k) for c, k in ensemble],
                **{k: v for k, v in cfg.get('tta_model', {}).items()
                   if k != 'type'}).to(device).eval()
            step = tta_model.test_step
            pipeline = cfg.tta_pipeline if tta else None
        options = compile_options(cfg.get('compile') if compile is None
                                  else compile)
        times = None
        if options is not None:
            compile_prediction(tta_model if tta or ensemble else model,
                               options)
            times = StepTimes()

        def predict(paths, boxes):
            t0 = time.perf_counter()
            batch = predict_garment_batch_with_category(
                model, paths, boxes, pipeline=pipeline, test_step=step)
            if times is not None:
                times.add(time.perf_counter() - t0)
            return batch

        return cls(predict, model_keypoint_ids(model), device,
                   model_predicts_category(model), checkpoint, times)

    @classmethod
    def _from_onnx(cls, config: str, checkpoint: str, device: str,
                   flip_test: bool) -> 'GarmentPredictor':
        try:
            from mmpose_cloth.deploy import (OnnxGarmentPredictor,
                                             read_onnx_metadata)
            meta = read_onnx_metadata(checkpoint)
        except ImportError as e:
            raise InferenceInputError(
                f'an .onnx checkpoint needs onnx and onnxruntime '
                f'(requirements/optional.txt): {e}')
        providers = ['CPUExecutionProvider']
        if device.startswith('cuda'):
            providers.insert(0, 'CUDAExecutionProvider')
        predictor = OnnxGarmentPredictor(
            checkpoint,
            config=None if 'config' in meta else config,
            flip_test=flip_test,
            providers=providers)
        where = '/'.join(p.replace('ExecutionProvider', '')
                         for p in predictor.session.get_providers())
        return cls(predictor.predict_batch_with_category,
                   predictor.keypoint_ids, where + ' (ONNX Runtime)',
                   predictor.predicts_category, checkpoint)
