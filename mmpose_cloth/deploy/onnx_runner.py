"""FashionAI keypoints from an exported ONNX model, with ONNX Runtime.

Does what :func:`mmpose_cloth.apis.predict_garment_batch` does with the
PyTorch model, step by step, so that both give the same keypoints:

1. the config's test pipeline: a whole-image (or given) box, its centre
   and scale, the affine warp to the input size, ``PackPoseInputs``;
2. the model's ``data_preprocessor``, built from the config
   (``MODELS.build(cfg.model.data_preprocessor)``, MMPose's
   ``PoseDataPreprocessor``): BGR -> RGB, ``(x - mean) / std``, batching;
3. the network in ONNX Runtime; with flip test (``model.test_cfg``) the
   horizontally flipped inputs run in the same batch, and their heatmaps are
   flipped back with MMPose's ``flip_heatmaps`` (flip indices, shift) and
   averaged;
4. the model's codec (``KEYPOINT_CODECS.build(cfg.model.head.decoder)``)
   decodes each heatmap set, and keypoints go from input to image pixels;
5. a file exported from a model with a category head has a second output,
   ``category_logits``: their softmax (the mean over both views with flip
   test, as :class:`~mmpose_cloth.models.GarmentCategoryHead` does) is the
   garment-category probabilities.
"""
import json
import os
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple, Union

import numpy as np

from fashionai_format.schema import NUM_KEYPOINTS, keypoint_indices
from .onnx_export import read_onnx_metadata

if TYPE_CHECKING:
    from ..apis.inference import GarmentBatch

__all__ = ['OnnxGarmentPredictor']


class OnnxGarmentPredictor:
    """Predict FashionAI keypoints with an ONNX model from
    :func:`~mmpose_cloth.deploy.export_onnx`.

    Args:
        onnx_file (str): the exported model.
        config (str | Config, optional): the model config; by default the
            one stored in the file at export.
        flip_test (bool, optional): flip test; by default the config's
            ``model.test_cfg.flip_test``.
        providers (Sequence[str], optional): ONNX Runtime execution
            providers; CPU by default.
        num_threads (int, optional): ONNX Runtime intra-op threads (its
            default: all cores).
        spinning (bool): let ONNX Runtime's idle threads spin-wait for
            work. Off by default: spinning threads take the CPU from the
            pre- and post-processing between batches (and from PyTorch in a
            side-by-side benchmark).

    Attributes:
        predicts_category (bool): whether the file has the
            ``category_logits`` output.

    Example:
        >>> predictor = OnnxGarmentPredictor('cpn.onnx')
        >>> keypoints, scores = predictor.predict(['a.jpg', 'b.jpg'])
        >>> keypoints.shape, scores.shape
        ((2, 24, 2), (2, 24))
        >>> predictor.predict_batch_with_category(['a.jpg']).category_scores
        array([[0.98, 0.01, 0.  , 0.  , 0.01]])  # with a category head
    """

    def __init__(self,
                 onnx_file: str,
                 config=None,
                 flip_test: Optional[bool] = None,
                 providers: Optional[Sequence[str]] = None,
                 num_threads: Optional[int] = None,
                 spinning: bool = False):
        import onnxruntime as ort
        from mmengine.config import Config
        from mmengine.registry import DefaultScope
        from mmpose.registry import KEYPOINT_CODECS, MODELS

        opts = ort.SessionOptions()
        if num_threads:
            opts.intra_op_num_threads = num_threads
        if not spinning:
            opts.add_session_config_entry('session.intra_op.allow_spinning',
                                          '0')
        self.session = ort.InferenceSession(
            os.fspath(onnx_file), opts,
            providers=list(providers or ['CPUExecutionProvider']))
        self.input_name = self.session.get_inputs()[0].name
        self.predicts_category = 'category_logits' in [
            o.name for o in self.session.get_outputs()]
        meta = read_onnx_metadata(self.session)

        if config is None:
            if 'config' not in meta:
                raise ValueError(
                    f'{onnx_file} carries no config (it was not written by '
                    'mmpose_cloth.deploy.export_onnx): pass config=')
            config = Config.fromstring(meta['config'], '.py')
        elif not isinstance(config, Config):
            config = Config.fromfile(config)
        self.cfg = config

        if 'dataset_meta' in meta:
            dm = json.loads(meta['dataset_meta'])
            names, flip = dm['keypoint_names'], dm['flip_indices']
        else:
            from fashionai_format.metainfo import fashionai_metainfo
            from mmpose.datasets.datasets.utils import parse_pose_metainfo
            cat = config.train_dataloader.dataset.get('category')
            parsed = parse_pose_metainfo(fashionai_metainfo(cat))
            names = [parsed['keypoint_id2name'][i]
                     for i in range(parsed['num_keypoints'])]
            flip = parsed['flip_indices']
        self.keypoint_names = list(names)
        self.keypoint_ids = np.array(
            keypoint_indices(names, source=f'{onnx_file}: keypoints'))
        self.flip_indices = list(flip)

        test_cfg = dict(config.model.get('test_cfg') or {})
        self.flip_test = bool(test_cfg.get('flip_test', False)) \
            if flip_test is None else flip_test
        self.flip_mode = test_cfg.get('flip_mode', 'heatmap')
        self.shift_heatmap = test_cfg.get('shift_heatmap', False)

        self.scope = config.get('default_scope', 'mmpose')
        self.pipeline_cfg = list(config.test_dataloader.dataset.pipeline)
        with DefaultScope.overwrite_default_scope(self.scope):
            # the model's own preprocessing, so that ONNX Runtime gets
            # exactly the input PyTorch gets
            self.data_preprocessor = MODELS.build(
                config.model.data_preprocessor).eval()
        self.codec = KEYPOINT_CODECS.build(config.model.head.decoder)

    # ------------------------------------------------------------------
    def preprocess(self, image_paths: Sequence[str],
                   bboxes: Optional[Sequence[np.ndarray]] = None
                   ) -> Tuple[np.ndarray, List[dict]]:
        """The config's test pipeline and the model's data_preprocessor on a
        batch.

        Returns:
            tuple: inputs (B, 3, H, W) float32 and, per image, a dict with
            ``input_center``, ``input_scale`` and ``input_size``.
        """
        import torch
        from mmengine.dataset import pseudo_collate
        from mmengine.registry import DefaultScope
        from ..apis.inference import run_test_pipeline
        with DefaultScope.overwrite_default_scope(self.scope):
            batch = [
                run_test_pipeline(self.pipeline_cfg, path,
                                  None if bboxes is None else bboxes[i])
                for i, path in enumerate(image_paths)
            ]
        with torch.no_grad():
            data = self.data_preprocessor(pseudo_collate(batch), False)
        metas = [
            dict(input_center=np.asarray(s.metainfo['input_center']),
                 input_scale=np.asarray(s.metainfo['input_scale']),
                 input_size=np.asarray(s.metainfo['input_size']))
            for s in data['data_samples']
        ]
        inputs = data['inputs'].float().contiguous().cpu().numpy()
        return np.ascontiguousarray(inputs, np.float32), metas

    def heatmaps(self, inputs: np.ndarray) -> np.ndarray:
        """Run the network (with flip test if on): (B, K, h, w)."""
        return self.heatmaps_and_categories(inputs)[0]

    def heatmaps_and_categories(self, inputs: np.ndarray
                                ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """Run the network (with flip test if on): heatmaps (B, K, h, w)
        and category probabilities (B, 5), ``None`` without the
        ``category_logits`` output."""
        if not self.flip_test:
            hm, logits = self._run_outputs(inputs)
            return hm, None if logits is None else _softmax(logits)
        import torch
        from mmpose.models.utils.tta import flip_heatmaps
        b = len(inputs)
        both, logits = self._run_outputs(
            np.concatenate([inputs, inputs[..., ::-1]]))
        flipped = flip_heatmaps(
            torch.from_numpy(np.ascontiguousarray(both[b:])),
            flip_indices=self.flip_indices,
            flip_mode=self.flip_mode,
            shift_heatmap=self.shift_heatmap).numpy()
        probs = None
        if logits is not None:
            probs = (_softmax(logits[:b]) + _softmax(logits[b:])) * 0.5
        return (both[:b] + flipped) * 0.5, probs

    def _run(self, inputs: np.ndarray) -> np.ndarray:
        return self._run_outputs(inputs)[0]

    def _run_outputs(self, inputs: np.ndarray
                     ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """Heatmaps and category logits (``None`` without them)."""
        out = self.session.run(
            None, {self.input_name: np.ascontiguousarray(inputs)})
        return out[0], out[1] if self.predicts_category else None

    def decode(self, heatmaps: np.ndarray, metas: List[dict]
               ) -> Tuple[np.ndarray, np.ndarray]:
        """Decode heatmaps to (B, 24, 2) image pixels and (B, 24) scores
        (NaN for keypoints the model does not predict)."""
        kpts = np.full((len(metas), NUM_KEYPOINTS, 2), np.nan)
        scores = np.full((len(metas), NUM_KEYPOINTS), np.nan)
        for j, (hm, m) in enumerate(zip(heatmaps, metas)):
            k, s = self.codec.decode(hm)
            k = k[0, :, :2] / m['input_size'] * m['input_scale'] \
                + m['input_center'] - 0.5 * m['input_scale']
            kpts[j, self.keypoint_ids] = k
            scores[j, self.keypoint_ids] = s[0]
        return kpts, scores

    def predict_batch(self, image_paths: Sequence[str],
                      bboxes: Optional[Sequence[np.ndarray]] = None
                      ) -> Tuple[np.ndarray, np.ndarray]:
        """One batch: (B, 24, 2) keypoints in image pixels, (B, 24)
        scores."""
        batch = self.predict_batch_with_category(image_paths, bboxes)
        return batch.keypoints, batch.scores

    def predict_batch_with_category(
            self,
            image_paths: Sequence[str],
            bboxes: Optional[Sequence[np.ndarray]] = None) -> 'GarmentBatch':
        """One batch: keypoints (B, 24, 2) in image pixels, scores (B, 24)
        and category probabilities (B, 5) or ``None``, as
        :func:`mmpose_cloth.apis.predict_garment_batch_with_category`."""
        from ..apis.inference import GarmentBatch
        inputs, metas = self.preprocess(image_paths, bboxes)
        heatmaps, probs = self.heatmaps_and_categories(inputs)
        return GarmentBatch(*self.decode(heatmaps, metas), probs)

    def predict(self,
                image_paths: Sequence[Union[str, os.PathLike]],
                batch_size: int = 8,
                bboxes: Optional[Sequence[np.ndarray]] = None
                ) -> Tuple[np.ndarray, np.ndarray]:
        """All images, ``batch_size`` at a time: (N, 24, 2) keypoints and
        (N, 24) scores."""
        paths = [os.fspath(p) for p in image_paths]
        kpts = np.full((len(paths), NUM_KEYPOINTS, 2), np.nan)
        scores = np.full((len(paths), NUM_KEYPOINTS), np.nan)
        for s in range(0, len(paths), batch_size):
            e = min(s + batch_size, len(paths))
            kpts[s:e], scores[s:e] = self.predict_batch(
                paths[s:e], None if bboxes is None else bboxes[s:e])
        return kpts, scores


def _softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in float64."""
    z = np.asarray(logits, np.float64)
    z = np.exp(z - z.max(-1, keepdims=True))
    return z / z.sum(-1, keepdims=True)
