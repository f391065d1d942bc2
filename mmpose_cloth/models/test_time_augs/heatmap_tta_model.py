"""Test-time augmentation for top-down heatmap models: several input scales
and several checkpoints, merged as heatmaps."""
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmengine.config import Config
from mmengine.model import BaseTTAModel
from mmengine.structures import InstanceData, PixelData
from torch import nn

from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

from ..utils import resize_heatmaps

__all__ = ['HeatmapTTAModel']


@MODELS.register_module()
class HeatmapTTAModel(BaseTTAModel):
    """Average the heatmaps of several views and models, decode once.

    MMEngine's test-time augmentation (``tools/test.py --tta``, and
    ``--ensemble CONFIG CHECKPOINT``, which also works on the plain test
    pipeline, one view): the
    config's ``tta_pipeline`` ends in ``TestTimeAug`` with one
    ``TopdownAffine`` per input size, so that each sample arrives as several
    views of the same box at different resolutions (multi-scale test); this
    model runs ``module`` (the config's model, with the checkpoint given to
    ``tools/test.py``) and every model of ``ensemble`` on each view, each
    with its own data preprocessor and its own flip test, takes their
    heatmaps (``output_heatmaps``), resizes them onto ``module``'s heatmap
    grid (:func:`~mmpose_cloth.models.utils.resize_heatmaps`, which keeps
    a peak's place in the crop), averages them with ``weights`` and decodes
    the mean with ``module``'s decoder. Keypoints are mapped to the image
    through the view at ``module``'s own input size.

    With a category head on ``module`` (``GarmentPoseEstimator``), the
    category probabilities of the views and models that have one are
    averaged too and the category fields are set as the estimator sets
    them.

    Args:
        module (dict | nn.Module): The tested model.
        ensemble (Sequence[dict]): Further models, each
            ``dict(config=PATH, checkpoint=PATH)``; their configs must
            predict the same keypoints in the same order. Default: none.
        weights (Sequence[float], optional): One weight per model
            (``module`` first); default equal.
        data_preprocessor (dict, optional): As ``BaseTTAModel``.
    """

    def __init__(self,
                 module,
                 ensemble: Sequence[dict] = (),
                 weights: Optional[Sequence[float]] = None,
                 data_preprocessor: Optional[dict] = None):
        super().__init__(module=module, data_preprocessor=data_preprocessor)
        self.ensemble = nn.ModuleList(
            [self._load_member(m, i) for i, m in enumerate(ensemble)])
        num_models = 1 + len(self.ensemble)
        if weights is None:
            weights = [1.0] * num_models
        if len(weights) != num_models:
            raise ValueError(
                f'HeatmapTTAModel: {len(weights)} weights for {num_models} '
                f'models (the tested model and {len(self.ensemble)} of '
                f'`ensemble`)')
        if min(weights) < 0 or sum(weights) <= 0:
            raise ValueError(f'HeatmapTTAModel: weights {list(weights)} '
                             f'must be >= 0 with a positive sum')
        self.weights = [float(w) / sum(weights) for w in weights]

    @staticmethod
    def _load_member(member: dict, index: int) -> nn.Module:
        """Build and load one model of ``ensemble``."""
        missing = {'config', 'checkpoint'} - set(member)
        if missing:
            raise KeyError(f'tta_model.ensemble[{index}] needs '
                           f'{sorted(missing)} (dict(config=PATH, '
                           f'checkpoint=PATH)), got {sorted(member)}')
        from mmpose.apis import init_model
        return init_model(
            Config.fromfile(member['config']), member['checkpoint'],
            device='cpu')

    def _models(self) -> List[nn.Module]:
        return [self.module, *self.ensemble]

    def test_step(self, data: dict) -> List[PoseDataSample]:
        """Predict every view with every model and merge.

        Args:
            data (dict): ``inputs`` and ``data_samples``, each a list over
                the views of the batch's lists (``pseudo_collate`` of
                ``TestTimeAug``'s output), or the batch of the plain test
                pipeline (one view).

        Returns:
            list[PoseDataSample]: one merged prediction per sample.
        """
        if isinstance(data['data_samples'][0], (list, tuple)):
            views = [{key: value[i] for key, value in data.items()}
                     for i in range(len(data['inputs']))]
        else:  # the plain test pipeline: one view (an ensemble alone)
            views = [data]
        # per model, per view: a batch of predicted data samples
        predictions = []
        for model in self._models():
            with _heatmaps_out(model):
                predictions.append([model.test_step(v) for v in views])
        merged = []
        for i in range(len(views[0]['data_samples'])):
            merged.append(
                self._merge_sample([[view[i] for view in per_model]
                                    for per_model in predictions]))
        return merged

    def merge_preds(self, data_samples_list):
        """Unused: :meth:`test_step` merges heatmaps, not predictions."""
        raise NotImplementedError('HeatmapTTAModel merges in test_step')

    def _merge_sample(
            self, preds: List[List[PoseDataSample]]) -> PoseDataSample:
        """Merge one sample's predictions, ``preds[model][view]``."""
        decoder = self.module.head.decoder
        size = tuple(int(s) for s in decoder.heatmap_size)[::-1]  # (H, W)
        base = self._base_view(preds[0], tuple(decoder.input_size))
        total = None
        probs, prob_weight = None, 0.
        for weight, per_model in zip(self.weights, preds):
            for pred in per_model:
                heatmaps = resize_heatmaps(
                    pred.pred_fields.heatmaps[None].float(), size)[0]
                term = heatmaps * (weight / len(per_model))
                total = term if total is None else total + term
                if 'category_scores' in pred.pred_instances:
                    p = np.asarray(pred.pred_instances.category_scores[0])
                    probs = p * weight if probs is None \
                        else probs + p * weight
                    prob_weight += weight
        keypoints, scores = decoder.decode(total.cpu().numpy())
        instances = InstanceData(keypoints=keypoints, keypoint_scores=scores)
        if probs is not None and getattr(self.module, 'with_category_head',
                                         False):
            self.module._add_category(
                instances, probs / prob_weight,
                self.module.category_keypoint_mask.cpu().numpy())
        conditioned = {
            int(np.asarray(pred.pred_instances.conditioned_category_labels)
                .reshape(-1)[0])
            for per_model in preds for pred in per_model
            if 'conditioned_category_labels' in pred.pred_instances
        }
        if conditioned:
            # -1: the views' keypoints came from different categories
            instances.conditioned_category_labels = np.full(
                len(keypoints),
                conditioned.pop() if len(conditioned) == 1 else -1,
                dtype=np.int64)
        sample = base.clone()
        del sample.pred_instances
        self.module.add_pred_to_datasample(
            [instances], [PixelData(heatmaps=total)], [sample])
        return sample

    @staticmethod
    def _base_view(views: List[PoseDataSample],
                   input_size: Tuple[int, int]) -> PoseDataSample:
        """The view at the tested model's own input size."""
        for view in views:
            if tuple(int(s) for s in view.metainfo['input_size']) == \
                    tuple(int(s) for s in input_size):
                return view
        raise ValueError(
            f'HeatmapTTAModel: no view of the tta_pipeline has the model\'s '
            f'input size {tuple(input_size)} (views: '
            f'{[tuple(v.metainfo["input_size"]) for v in views]}); list it '
            f'among the TopdownAffine sizes of TestTimeAug')


class _heatmaps_out:
    """Context: ``model.test_cfg['output_heatmaps'] = True``, then back."""

    def __init__(self, model: nn.Module):
        self.test_cfg = model.test_cfg

    def __enter__(self):
        self.before = self.test_cfg.get('output_heatmaps', None)
        self.test_cfg['output_heatmaps'] = True

    def __exit__(self, *exc):
        if self.before is None:
            self.test_cfg.pop('output_heatmaps')
        else:
            self.test_cfg['output_heatmaps'] = self.before
        return False
