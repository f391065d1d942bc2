"""Top-down inference on whole garment images, in FashionAI's 24 keypoints."""
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmengine.dataset import Compose, pseudo_collate

from ..fashionai.schema import KEYPOINT_NAMES, NUM_KEYPOINTS

__all__ = ['predict_garments']


def _keypoint_ids(model) -> np.ndarray:
    id2name = model.dataset_meta['keypoint_id2name']
    return np.array([KEYPOINT_NAMES.index(id2name[i])
                     for i in range(len(id2name))])


def predict_garments(model,
                     image_paths: Sequence[str],
                     batch_size: int = 8,
                     bboxes: Optional[Sequence[np.ndarray]] = None,
                     progress: bool = False) -> np.ndarray:
    """Predict FashionAI keypoints for whole images, in batches.

    The model's own test pipeline (``cfg.test_dataloader.dataset.pipeline``)
    and test-time settings (flip test) are used, as in
    :func:`mmpose.apis.inference_topdown`.

    Args:
        model (nn.Module): a top-down model from
            :func:`mmpose.apis.init_model`, trained on FashionAI.
        image_paths (Sequence[str]): N image files.
        batch_size (int): images per forward pass.
        bboxes (Sequence[np.ndarray], optional): one (4,) xyxy box per image;
            the whole image by default.
        progress (bool): show a progress bar.

    Returns:
        np.ndarray: (N, 24, 2) keypoints in image pixels; keypoints the
        model does not predict are NaN.
    """
    pipeline = Compose(model.cfg.test_dataloader.dataset.pipeline)
    ids = _keypoint_ids(model)
    out = np.full((len(image_paths), NUM_KEYPOINTS, 2), np.nan)
    starts = range(0, len(image_paths), batch_size)
    if progress:
        from tqdm import tqdm
        starts = tqdm(starts, desc='inference', unit='batch')
    for s in starts:
        batch: List[dict] = []
        for i in range(s, min(s + batch_size, len(image_paths))):
            data = dict(img_path=image_paths[i])
            if bboxes is not None:
                data['bbox'] = np.asarray(bboxes[i], np.float32)[None]
            data.update(model.dataset_meta)
            data = _with_whole_image_box(data)
            batch.append(pipeline(data))
        with torch.no_grad():
            results = model.test_step(pseudo_collate(batch))
        for j, res in enumerate(results):
            out[s + j, ids] = res.pred_instances.keypoints[0]
    return out


def _with_whole_image_box(data: dict) -> dict:
    """Add a whole-image box where none is given (needs the image size)."""
    if 'bbox' in data:
        data.setdefault('bbox_score', np.ones(1, dtype=np.float32))
        return data
    from PIL import Image
    with Image.open(data['img_path']) as im:
        w, h = im.size
    data['bbox'] = np.array([[0, 0, w, h]], dtype=np.float32)
    data['bbox_score'] = np.ones(1, dtype=np.float32)
    return data
