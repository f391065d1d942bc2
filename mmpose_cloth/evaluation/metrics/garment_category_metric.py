"""Garment-category accuracy as an MMEngine metric."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log

from mmpose.registry import METRICS

from fashionai_format.schema import CATEGORIES


@METRICS.register_module()
class GarmentCategoryMetric(BaseMetric):
    """Accuracy of the predicted garment category, overall and per
    category, with the confusion matrix in the log.

    The prediction is ``pred_instances.category_labels`` (from
    :class:`~mmpose_cloth.models.GarmentPoseEstimator` with a category head);
    the truth is ``raw_ann_info['category']`` (the converter's annotation,
    kept by ``PackPoseInputs``' default meta keys).

    Reported keys (default prefix ``category``): ``accuracy``,
    ``accuracy/<category>`` (recall of each true category), ``images``.

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Default: ``'cpu'``.
        prefix (str, optional): prefix of the metric names. Default:
            ``'category'``.
    """
    default_prefix: Optional[str] = 'category'

    def process(self, data_batch: Sequence[dict],
                data_samples: Sequence[dict]) -> None:
        """Keep each sample's true and predicted category index.

        Raises:
            KeyError: a prediction without ``category_labels`` (a model
                without a category head) or a sample without
                ``raw_ann_info['category']``.
        """
        for sample in data_samples:
            pred = sample['pred_instances']
            if 'category_labels' not in pred:
                raise KeyError(
                    'GarmentCategoryMetric needs pred_instances.'
                    'category_labels: a GarmentPoseEstimator with a '
                    'category_head')
            raw = sample.get('raw_ann_info') or {}
            if 'category' not in raw:
                raise KeyError("GarmentCategoryMetric needs raw_ann_info"
                               "['category'] (fashionai2coco.py writes it)")
            self.results.append(
                (CATEGORIES.index(raw['category']),
                 int(np.asarray(pred['category_labels']).reshape(-1)[0])))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        """Accuracy overall and per true category; logs the confusion
        matrix (rows: truth, columns: prediction)."""
        if not results:
            raise ValueError('GarmentCategoryMetric got no results')
        gt, pred = np.array(results).T
        n = len(CATEGORIES)
        conf = np.zeros((n, n), np.int64)
        np.add.at(conf, (gt, pred), 1)
        out = {'accuracy': float(np.mean(gt == pred)), 'images': len(gt)}
        for i, c in enumerate(CATEGORIES):
            if conf[i].sum():
                out[f'accuracy/{c}'] = float(conf[i, i] / conf[i].sum())
        width = max(map(len, CATEGORIES))
        lines = ['garment category (rows: truth, columns: prediction)',
                 ' ' * width + ''.join(f'{c[:8]:>9}' for c in CATEGORIES)]
        lines += [f'{c:<{width}}' + ''.join(f'{v:>9}' for v in row)
                  for c, row in zip(CATEGORIES, conf)]
        lines.append(f'accuracy {out["accuracy"]:.2%} over {len(gt)} images')
        print_log('\n'.join(lines), logger=MMLogger.get_current_instance())
        return out
