"""FashionAI keypoints from an exported ONNX model, with ONNX Runtime.

Does what :class:`~mmpose_cloth.predictors.TorchGarmentPredictor` does with
the PyTorch model, step by step, so that both give the same keypoints:

1. the config's test pipeline (:class:`~mmpose_cloth.predictors.
   TopdownPipeline`): a whole-image (or given) box, its centre and scale,
   the affine warp to the input size, ``PackPoseInputs``;
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
   garment-category probabilities;
6. a file exported from a category-conditioned model has a second input,
   ``category``: each image's given category (its ``category_id``, as the
   PyTorch model reads it), -1 where none is given (the network conditions
   on its own prediction);
7. a config with a crop stage (``model.test_cfg['crop_stage']``) runs its
   passes as the PyTorch model does
   (:func:`~mmpose_cloth.models.utils.crop_stage_passes`): the network on
   the whole canvas the pipeline made, then on the box around the
   garment's keypoints.

``onnxruntime`` is optional (``requirements/optional.txt``): it is imported
when a predictor is made.
"""
import json
import os
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope

from fashionai_format import (NUM_KEYPOINTS, fashionai_metainfo,
                              keypoint_indices)
from fashionai_format.schema import category_mask
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose_cloth.models.utils import crop_stage_passes, crop_whole
from mmpose_cloth.predictors import (GarmentPredictor, ImageInput,
                                     TopdownPipeline)
from mmpose_cloth.predictors.base import BatchOutputs
from .onnx_export import read_onnx_metadata

__all__ = ['OnnxGarmentPredictor']


class OnnxGarmentPredictor(GarmentPredictor):
    """Predict FashionAI keypoints with an ONNX model from
    :func:`~mmpose_cloth.deploy.export_onnx`
    (:meth:`~mmpose_cloth.predictors.GarmentPredictor.predict`).

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
        session (onnxruntime.InferenceSession): the network.

    Example:
        >>> from mmpose_cloth.apis import build_predictor
        >>> predictor = build_predictor(None, 'cpn.onnx')
        >>> pred, = predictor.predict('a.jpg', categories='skirt')
        >>> pred.keypoints.shape, pred.scores.shape
        ((24, 2), (24,))
    """

    def __init__(self,
                 onnx_file: str,
                 config=None,
                 flip_test: Optional[bool] = None,
                 providers: Optional[Sequence[str]] = None,
                 num_threads: Optional[int] = None,
                 spinning: bool = False):
        import onnxruntime as ort  # optional
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
        #: whether the network takes the category to condition on
        self.takes_category = 'category' in [
            i.name for i in self.session.get_inputs()]
        with_category = 'category_logits' in [
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
            cat = config.train_dataloader.dataset.get('category')
            parsed = parse_pose_metainfo(fashionai_metainfo(cat))
            names = [parsed['keypoint_id2name'][i]
                     for i in range(parsed['num_keypoints'])]
            flip = parsed['flip_indices']
        self.keypoint_names = list(names)
        self.flip_indices = list(flip)

        test_cfg = dict(config.model.get('test_cfg') or {})
        self.crop_stage = test_cfg.get('crop_stage')
        self.flip_test = bool(test_cfg.get('flip_test', False)) \
            if flip_test is None else flip_test
        self.flip_mode = test_cfg.get('flip_mode', 'heatmap')
        self.shift_heatmap = test_cfg.get('shift_heatmap', False)

        scope = config.get('default_scope', 'mmpose')
        with DefaultScope.overwrite_default_scope(scope):
            # the model's own preprocessing, so that ONNX Runtime gets
            # exactly the input PyTorch gets
            self.data_preprocessor = MODELS.build(
                config.model.data_preprocessor).eval()
        self.codec = KEYPOINT_CODECS.build(config.model.head.decoder)
        # the crop stage's network input (W, H) and its border value
        self._input_size = tuple(int(s) for s in self.codec.input_size)
        pre = self.data_preprocessor
        self._fill = (-pre.mean / pre.std).flatten().tolist()
        where = '/'.join(p.replace('ExecutionProvider', '')
                         for p in self.session.get_providers())
        super().__init__(
            TopdownPipeline(config.test_dataloader.dataset.pipeline,
                            scope=scope),
            np.array(keypoint_indices(names,
                                      source=f'{onnx_file}: keypoints')),
            with_category, where + ' (ONNX Runtime)', os.fspath(onnx_file))

    # ------------------------------------------------------------------
    def preprocess(self, images: Sequence[ImageInput],
                   bboxes: Optional[Sequence[np.ndarray]] = None
                   ) -> Tuple[np.ndarray, List[dict]]:
        """The config's test pipeline and the model's data_preprocessor on a
        batch.

        Returns:
            tuple: inputs (B, 3, H, W) float32 and, per image, a dict with
            ``input_center``, ``input_scale``, ``input_size`` and
            ``category`` (the given one's index, -1 for none).
        """
        samples = [
            self.pipeline(image, None if bboxes is None else bboxes[i])[0]
            for i, image in enumerate(images)
        ]
        return self._preprocess(samples)

    def _preprocess(self, samples: List[dict]
                    ) -> Tuple[np.ndarray, List[dict]]:
        with torch.no_grad():
            data = self.data_preprocessor(pseudo_collate(samples), False)
        metas = [
            dict(input_center=np.asarray(s.metainfo['input_center']),
                 input_scale=np.asarray(s.metainfo['input_scale']),
                 input_size=np.asarray(s.metainfo['input_size']),
                 category=int(s.metainfo['category_id']) - 1
                 if s.metainfo.get('category_id') is not None else -1)
            for s in data['data_samples']
        ]
        inputs = data['inputs'].float().contiguous().cpu().numpy()
        return np.ascontiguousarray(inputs, np.float32), metas

    def network_input(self, inputs: np.ndarray) -> np.ndarray:
        """What the network's first pass sees of :meth:`preprocess`'s
        inputs: the inputs themselves, or with a crop stage the whole
        canvas resampled to the network's input size."""
        if not self.crop_stage:
            return inputs
        return crop_whole(torch.from_numpy(inputs), self._input_size,
                          self._fill)[0].numpy()

    def run_network(self, inputs: np.ndarray,
                    categories: Optional[np.ndarray] = None
                    ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """The network once, no flip test: heatmaps (B, K, h, w) and
        category logits (B, 5), ``None`` without them. ``categories``
        (B,): what a category-conditioned network conditions on (indices
        into ``CATEGORIES``, -1 or ``None``: its own prediction)."""
        feed = {self.input_name: np.ascontiguousarray(inputs)}
        if self.takes_category:
            feed['category'] = np.full(len(inputs), -1, np.int64) \
                if categories is None else np.asarray(categories, np.int64)
        out = self.session.run(None, feed)
        return out[0], out[1] if self.predicts_category else None

    def heatmaps_and_categories(self, inputs: np.ndarray,
                                categories: Optional[np.ndarray] = None
                                ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """Run the network (with flip test if on): heatmaps (B, K, h, w)
        and category probabilities (B, 5), ``None`` without the
        ``category_logits`` output; ``categories`` as
        :meth:`run_network`."""
        if not self.flip_test:
            hm, logits = self.run_network(inputs, categories)
            return hm, None if logits is None else _softmax(logits)
        b = len(inputs)
        views = np.concatenate([inputs, inputs[..., ::-1]])
        if categories is None:
            categories = np.full(b, -1, np.int64)
        both, logits = self.run_network(
            views, np.concatenate([categories, categories]))
        if self.takes_category and logits is not None:
            # the network conditions each view on its own prediction, the
            # PyTorch model both on their mean's: where a view disagrees
            # with the mean, run the image again on the mean's category
            per_view = logits.argmax(-1)
            mean = (_softmax(logits[:b]) + _softmax(logits[b:])).argmax(-1)
            redo = np.flatnonzero((categories < 0) & (
                (per_view[:b] != mean) | (per_view[b:] != mean)))
            if len(redo):
                again, _ = self.run_network(
                    views[np.concatenate([redo, redo + b])],
                    np.concatenate([mean[redo], mean[redo]]))
                both[redo], both[redo + b] = again[:len(redo)], \
                    again[len(redo):]
        flipped = flip_heatmaps(
            torch.from_numpy(np.ascontiguousarray(both[b:])),
            flip_indices=self.flip_indices,
            flip_mode=self.flip_mode,
            shift_heatmap=self.shift_heatmap).numpy()
        probs = None
        if logits is not None:
            probs = (_softmax(logits[:b]) + _softmax(logits[b:])) * 0.5
        return (both[:b] + flipped) * 0.5, probs

    def decode(self, heatmaps: np.ndarray, metas: List[dict]
               ) -> Tuple[np.ndarray, np.ndarray]:
        """Decode heatmaps to (B, 24, 2) image pixels and (B, 24) scores
        (NaN for keypoints the model does not predict)."""
        kpts, scores = self._decode_input(heatmaps)
        return self._to_image(kpts, scores, metas)

    def _decode_input(self, heatmaps: np.ndarray
                      ) -> Tuple[np.ndarray, np.ndarray]:
        """The codec on each heatmap set: keypoints (B, 1, K, 2) in input
        pixels and scores (B, 1, K)."""
        decoded = [self.codec.decode(hm) for hm in heatmaps]
        return (np.stack([k[:, :, :2] for k, _ in decoded]),
                np.stack([s for _, s in decoded]))

    def _to_image(self, kpts: np.ndarray, scores: np.ndarray,
                  metas: List[dict]) -> Tuple[np.ndarray, np.ndarray]:
        """(B, 1, K, 2) keypoints in input pixels and (B, 1, K) scores to
        (B, 24, 2) image pixels and (B, 24) scores."""
        out_k = np.full((len(metas), NUM_KEYPOINTS, 2), np.nan)
        out_s = np.full((len(metas), NUM_KEYPOINTS), np.nan)
        for j, m in enumerate(metas):
            out_k[j, self.keypoint_ids] = \
                kpts[j, 0] / m['input_size'] * m['input_scale'] \
                + m['input_center'] - 0.5 * m['input_scale']
            out_s[j, self.keypoint_ids] = scores[j, 0]
        return out_k, out_s

    def _forward(self, samples: List[dict]) -> BatchOutputs:
        inputs, metas = self._preprocess(samples)
        given = np.array([m['category'] for m in metas], np.int64)
        if not self.crop_stage:
            heatmaps, probs = self.heatmaps_and_categories(inputs, given)
            return (*self.decode(heatmaps, metas), probs)
        kpts, scores, probs = self._crop_stage(inputs, given,
                                               **self.crop_stage)
        return (*self._to_image(kpts, scores, metas), probs)

    def _crop_stage(self, canvas: np.ndarray, given: np.ndarray,
                    margin: Union[float, Sequence[float]] = 0.25,
                    fuse_first_pass: bool = False) -> tuple:
        """The config's crop stage (``model.test_cfg['crop_stage']``) on
        the pipeline's canvas, with the passes the PyTorch model runs
        (:func:`~mmpose_cloth.models.utils.crop_stage_passes`).

        Returns:
            tuple: keypoints (B, 1, K, 2) in canvas pixels, scores (B, 1,
            K) and the first pass's (B, 5) category probabilities (or
            ``None``).
        """
        first = {}

        def run(inputs: torch.Tensor, labels: Optional[np.ndarray]):
            heatmaps, probs = self.heatmaps_and_categories(
                inputs.numpy(), given if labels is None else labels)
            if labels is None:  # the first pass: the given, else predicted
                first['probs'] = probs
                labels = given
                if (labels < 0).any():
                    if probs is None:
                        raise ValueError(
                            'the crop stage boxes the keypoints of the '
                            "garment's category: give each image its "
                            'category (this model does not predict it)')
                    labels = np.where(labels >= 0, labels,
                                      probs.argmax(-1))
            return (*self._decode_input(heatmaps), labels)

        kpts, scores, _ = crop_stage_passes(
            torch.from_numpy(canvas), run, self._input_size, self._fill,
            margin, fuse_first_pass, np.array(category_mask(), dtype=bool))
        return kpts, scores, first['probs']


def _softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in float64."""
    z = np.asarray(logits, np.float64)
    z = np.exp(z - z.max(-1, keepdims=True))
    return z / z.sum(-1, keepdims=True)
