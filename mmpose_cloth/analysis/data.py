"""Data for measurements: a synthetic FashionAI split on disk and a
config's training dataset built on it (no real data needed)."""
import contextlib
import copy
import io
import json
import os.path as osp
from typing import Optional, Sequence, Tuple

from fashionai_format import convert_split
from mmpose.registry import DATASETS
from mmpose_cloth.testing import generate_fashionai

__all__ = ['make_synthetic_split', 'build_train_dataset', 'train_pipeline_cfg']


def make_synthetic_split(root: str, per_category: int,
                         image_size: Tuple[int, int]) -> str:
    """Write a synthetic FashionAI split (``per_category`` JPEGs of
    ``image_size`` (W, H) per category, seed 0) and its COCO JSON under
    ``root``; return the JSON path."""
    generate_fashionai(root, num_per_category=per_category,
                       test_per_category=0, image_size=tuple(image_size),
                       seed=0)
    coco, _ = convert_split(root, progress=False)
    path = osp.join(root, 'annotations.json')
    with open(path, 'w') as f:
        json.dump(coco, f)
    return path


def train_pipeline_cfg(cfg) -> list:
    """A copy of the config's training pipeline (its transforms' configs)."""
    return copy.deepcopy(cfg.train_dataloader.dataset.pipeline)


def build_train_dataset(cfg, root: str, ann_file: str,
                        pipeline: Optional[Sequence[dict]] = None):
    """The config's training dataset on ``root`` / ``ann_file`` (e.g. from
    :func:`make_synthetic_split`), with ``pipeline`` (none by default:
    samples are the annotations)."""
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    ds_cfg.update(data_root=root, ann_file=ann_file,
                  data_prefix=dict(img=''), test_mode=False,
                  pipeline=list(pipeline) if pipeline is not None else [])
    ds_cfg.pop('indices', None)
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools' chatter
        return DATASETS.build(ds_cfg)
