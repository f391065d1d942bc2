"""The FashionAI normalized error as an MMEngine metric."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log

from mmpose.registry import METRICS

from fashionai_format.csv_io import write_submission
from fashionai_format.schema import (CATEGORIES, NUM_KEYPOINTS, category_mask,
                                     keypoint_indices)
from ..functional import (category_indices, format_ne_table, format_worst,
                          normalized_error)


@METRICS.register_module()
class FashionAIMetric(BaseMetric):
    """FashionAI normalized error (NE), overall and per category.

    NE pools ``d / s`` over every keypoint whose ground truth is visible
    (FashionAI v=1) across all images, where ``s`` is the ground-truth
    distance between the category's normalizing keypoints; see
    :func:`mmpose_cloth.evaluation.functional.normalized_error`. Lower is
    better, so a config selects its best checkpoint with
    ``checkpoint=dict(save_best='fashionai/NE', rule='less')``.

    The ground truth comes from each sample's ``raw_ann_info`` (which MMPose's
    ``PackPoseInputs`` keeps by default): the 24 keypoints, their raw
    FashionAI visibility and the category, as written by
    ``tools/dataset_converters/fashionai2coco.py``. Predictions are mapped to
    the 24 FashionAI keypoints by name through ``dataset_meta``, so the same
    metric serves the 24-keypoint model and per-category models.

    Reported keys (with the default prefix ``fashionai``): ``NE`` (a
    fraction), ``NE/<category>``, ``count`` (keypoints scored),
    ``count/<category>``, ``images``, ``left_out`` (images whose normalizing
    keypoints are absent) and ``invalid`` (scored keypoints with a non-finite
    prediction, counted as error 1).

    It also reports ``gross``: the share of images that are gross failures
    (an image's own NE over 50%, keypoints on another garment or nowhere
    near it), and logs the ``num_worst`` worst images by name. Where the
    model predicts the garment category (``pred_instances.category_labels``,
    a category head), ``NE_predicted_category`` is the NE of a submission
    that writes the predicted category's keypoints only, as
    ``tools/infer.py`` does without a given category: a keypoint the
    predicted category lacks counts as missing (error 1); with it come
    ``NE_predicted_category/<category>`` (by the true category) and
    ``gross_predicted_category``. They are left out (and the log says why)
    where the keypoints of an image were predicted for another category
    than the predicted one (``pred_instances.conditioned_category_labels``:
    a category-conditioned model or a crop stage given the true category),
    since a submission without categories would not have had that help.

    Args:
        outfile_prefix (str, optional): if given, also write the predictions
            as a FashionAI submission to ``{outfile_prefix}.result.csv``.
        num_worst (int): how many of the worst images to name in the log.
            Default: 10.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Default: ``'cpu'``.
        prefix (str, optional): prefix of the metric names. Default:
            ``'fashionai'``.
    """
    default_prefix: Optional[str] = 'fashionai'

    def __init__(self,
                 outfile_prefix: Optional[str] = None,
                 num_worst: int = 10,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.outfile_prefix = outfile_prefix
        self.num_worst = num_worst

    def _keypoint_ids(self) -> np.ndarray:
        """Indices (into the 24) of the model's keypoints, by name."""
        meta = self.dataset_meta or {}
        id2name = meta.get('keypoint_id2name')
        if not id2name:
            raise ValueError(
                'FashionAIMetric needs dataset_meta with keypoint names; '
                'evaluate it on a FashionAIDataset (the runner sets '
                'dataset_meta from the dataset).')
        return np.array(keypoint_indices(
            id2name, source='FashionAIMetric: dataset_meta keypoints'))

    def process(self, data_batch: Sequence[dict],
                data_samples: Sequence[dict]) -> None:
        """Keep the 24-keypoint prediction and ground truth of each sample.

        Args:
            data_batch (Sequence[dict]): a batch from the dataloader.
            data_samples (Sequence[dict]): the model's outputs, each with
                ``pred_instances.keypoints`` of shape (1, K, 2) and the meta
                key ``raw_ann_info``.
        """
        ids = self._keypoint_ids()
        for sample in data_samples:
            raw = sample.get('raw_ann_info')
            if raw is None or 'fashionai_visibility' not in raw:
                raise KeyError(
                    'FashionAIMetric needs raw_ann_info with '
                    "'fashionai_visibility' in each data sample: keep "
                    "'raw_ann_info' in PackPoseInputs(meta_keys=...) and "
                    'use annotations written by fashionai2coco.py.')
            gt = np.asarray(raw['keypoints'], dtype=np.float64)
            gt = gt.reshape(NUM_KEYPOINTS, 3)[:, :2]
            kpts = np.asarray(sample['pred_instances']['keypoints'])
            if kpts.ndim == 3:
                kpts = kpts[0]
            if kpts.shape != (len(ids), 2):
                raise ValueError(
                    f'prediction has keypoints of shape {kpts.shape}, but '
                    f'dataset_meta has {len(ids)} keypoints: the head\'s '
                    'out_channels must match the dataset\'s keypoints')
            pred = np.full((NUM_KEYPOINTS, 2), np.nan)
            pred[ids] = kpts
            labels = sample['pred_instances'].get('category_labels')
            conditioned = sample['pred_instances'].get(
                'conditioned_category_labels')
            self.results.append(
                dict(
                    pred_category=None if labels is None else int(
                        np.asarray(labels).reshape(-1)[0]),
                    conditioned_category=None if conditioned is None else
                    int(np.asarray(conditioned).reshape(-1)[0]),
                    pred=pred,
                    gt=gt,
                    vis=np.asarray(raw['fashionai_visibility'], np.int8),
                    category=raw['category'],
                    image_id=raw.get('fashionai_image_id',
                                     sample.get('img_path', '')),
                ))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Pool the results into NE overall and per category."""
        logger: MMLogger = MMLogger.get_current_instance()
        if not results:
            raise ValueError('FashionAIMetric got no results to score')
        pred = np.stack([r['pred'] for r in results])
        gt = np.stack([r['gt'] for r in results])
        vis = np.stack([r['vis'] for r in results])
        cats = [r['category'] for r in results]
        ne = normalized_error(pred, gt, vis, category_indices(cats))
        summary = ne.summary()
        print_log(format_ne_table(summary), logger=logger)
        # keypoints predicted for another category than the predicted one
        # (a category-conditioned model, or a crop stage, given the true
        # category) would score the submission with that help
        helped = sum(
            r.get('conditioned_category') is not None
            and r['conditioned_category'] != r.get('pred_category')
            for r in results)
        if helped and all(r.get('pred_category') is not None
                          for r in results):
            print_log(
                f'NE with the predicted category is not reported: the '
                f'keypoints of {helped} of {len(results)} images were '
                f'predicted for another category (the given one) than the '
                f'predicted one; for what a submission without categories '
                f'scores, test with --cfg-options '
                f'model.test_cfg.category_source=predicted',
                logger=logger)
        elif all(r.get('pred_category') is not None for r in results):
            # as a submission with the predicted category scores: only that
            # category's keypoints are written, the others are missing
            has = np.asarray(category_mask(), dtype=bool)[[
                r['pred_category'] for r in results
            ]]
            free = normalized_error(
                np.where(has[..., None], pred, np.nan), gt, vis,
                category_indices(cats)).summary()
            summary['NE_predicted_category'] = free['NE']
            summary['gross_predicted_category'] = free['gross']
            for c in CATEGORIES:
                if f'NE/{c}' in free:
                    summary[f'NE_predicted_category/{c}'] = free[f'NE/{c}']
            print_log(
                f'NE with the predicted category (its keypoints only, as a '
                f'submission writes them): {free["NE"]:.2%}', logger=logger)
        worst = format_worst(ne, [r['image_id'] for r in results],
                             self.num_worst)
        if worst:
            print_log(worst, logger=logger)
        if self.outfile_prefix:
            path = f'{self.outfile_prefix}.result.csv'
            write_submission(path, [r['image_id'] for r in results], cats,
                             pred)  # NaN -> -1_-1_-1 (scored as error 1)
            print_log(f'submission written to {osp.abspath(path)}',
                      logger=logger)
        return summary
