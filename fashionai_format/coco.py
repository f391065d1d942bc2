"""FashionAI annotations to COCO-style keypoint JSON.

The JSON is what :class:`~mmpose_cloth.datasets.FashionAIDataset` (and any
``BaseCocoStyleDataset``) reads. Each annotation keeps, next to COCO's
``keypoints`` (``x, y, v`` with COCO visibility 2/1/0), the raw FashionAI
visibility (``fashionai_visibility``: 1/0/-1), the garment ``category`` and the
CSV ``line`` it came from, so the NE metric can be computed exactly and every
instance traced back to its row.
"""
import os
import os.path as osp
import warnings
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .csv_io import FashionAIRecord, RowProblem, read_annotations
from .image_check import read_image_size, verify_image
from .metainfo import fashionai_metainfo
from .schema import (CATEGORIES, FASHIONAI_TO_COCO_VIS, KEYPOINT_NAMES,
                     VIS_ABSENT, category_id, check_category)


@dataclass
class ConversionReport:
    """What a conversion did, for printing and for ``.rejects.csv``."""
    rows: int = 0
    images: int = 0
    rejects: List[RowProblem] = field(default_factory=list)
    out_of_image: List[Tuple[int, str, str]] = field(default_factory=list)
    per_category: Dict[str, int] = field(default_factory=dict)
    visibility: Dict[str, int] = field(default_factory=dict)
    skipped_category: int = 0


def keypoint_bbox(kpts: np.ndarray, vis: np.ndarray, width: int, height: int,
                  margin: float) -> List[float]:
    """A box around the present keypoints, grown by ``margin`` of its size
    on every side and clipped to the image; the whole image if none are
    present. Returns ``[x, y, w, h]``."""
    present = vis != VIS_ABSENT
    if not present.any():
        return [0.0, 0.0, float(width), float(height)]
    pts = kpts[present]
    x0, y0 = pts.min(0)
    x1, y1 = pts.max(0)
    mw, mh = (x1 - x0) * margin, (y1 - y0) * margin
    x0, y0 = max(0.0, x0 - mw), max(0.0, y0 - mh)
    x1, y1 = min(float(width), x1 + mw), min(float(height), y1 + mh)
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]


def records_to_coco(records: Sequence[FashionAIRecord],
                    image_sizes: Sequence[Tuple[int, int]],
                    bbox: str = 'image',
                    margin: float = 0.1) -> dict:
    """Build the COCO dict from parsed records and their image sizes.

    Args:
        records: parsed FashionAI rows, one image each.
        image_sizes: ``(width, height)`` of each record's image.
        bbox (str): ``'image'`` (whole image, the default) or ``'tight'``
            (around the present keypoints, grown by ``margin``).
        margin (float): relative margin for ``'tight'`` boxes.

    Returns:
        dict: COCO keypoint JSON content (images, annotations, categories).
    """
    if bbox not in ('image', 'tight'):
        raise ValueError(f"bbox must be 'image' or 'tight', got {bbox!r}")
    meta = fashionai_metainfo()
    skeleton = [[KEYPOINT_NAMES.index(a) + 1,
                 KEYPOINT_NAMES.index(b) + 1]
                for a, b in (s['link'] for s in meta['skeleton_info'].values())]
    categories = [
        dict(id=category_id(c), name=c, supercategory='garment',
             keypoints=list(KEYPOINT_NAMES), skeleton=skeleton)
        for c in CATEGORIES
    ]
    images, annotations = [], []
    coco_vis = np.vectorize(FASHIONAI_TO_COCO_VIS.get, otypes=[np.int64])
    for idx, (rec, (w, h)) in enumerate(zip(records, image_sizes)):
        img_id = idx + 1
        images.append(
            dict(id=img_id, file_name=rec.image_id, width=int(w),
                 height=int(h), category=rec.category))
        v = coco_vis(rec.visibility.astype(np.int64))
        xy = np.where((rec.visibility == VIS_ABSENT)[:, None], 0.0,
                      rec.keypoints.astype(np.float64))
        kpts = np.concatenate([xy, v[:, None].astype(np.float64)], axis=1)
        box = ([0.0, 0.0, float(w), float(h)] if bbox == 'image' else
               keypoint_bbox(rec.keypoints, rec.visibility, w, h, margin))
        annotations.append(
            dict(
                id=img_id,
                image_id=img_id,
                category_id=category_id(rec.category),
                category=rec.category,
                fashionai_image_id=rec.image_id,
                keypoints=[round(float(a), 2) for a in kpts.ravel()],
                fashionai_visibility=[int(a) for a in rec.visibility],
                num_keypoints=int((v > 0).sum()),
                bbox=[round(a, 2) for a in box],
                area=round(box[2] * box[3], 2),
                iscrowd=0,
                line=rec.line,
            ))
    return dict(
        info=dict(description='FashionAI Key Points Detection (converted '
                  'by mmpose-cloth)'),
        images=images,
        annotations=annotations,
        categories=categories)


def convert_split(split_dir: str,
                  csv: str = 'Annotations/train.csv',
                  category: Optional[str] = None,
                  bbox: str = 'image',
                  margin: float = 0.1,
                  verify: bool = False,
                  progress: bool = True) -> Tuple[dict, ConversionReport]:
    """Convert one FashionAI split folder into a COCO dict.

    Nothing is dropped silently: every row that cannot be used (malformed,
    image missing or unreadable) is in ``report.rejects`` with its line and
    reason; keypoints outside their image are kept and listed in
    ``report.out_of_image``.

    Args:
        split_dir (str): folder with ``Images/`` and the CSV.
        csv (str): the annotation CSV, relative to ``split_dir`` (or
            absolute).
        category (str, optional): keep only this category; other rows are
            counted in ``report.skipped_category``.
        bbox (str): ``'image'`` or ``'tight'``; see :func:`records_to_coco`.
        margin (float): margin of tight boxes.
        verify (bool): decode every image fully with OpenCV, as training
            does (slower), to catch truncated or corrupt files the header
            does not reveal, and images whose decoded size differs from the
            header's (an EXIF rotation). Without it, only the header is read.
        progress (bool): show a progress bar.

    Returns:
        tuple: ``(coco_dict, report)``.
    """
    if category is not None:
        check_category(category)
    csv_path = csv if osp.isabs(csv) else osp.join(split_dir, csv)
    if not osp.isfile(csv_path):
        raise FileNotFoundError(f'annotation file not found: {csv_path}')
    parsed = read_annotations(csv_path, errors='collect')
    report = ConversionReport(rejects=list(parsed.problems))
    report.rows = len(parsed.records) + len(parsed.problems)
    records, sizes = [], []
    iterator = parsed.records
    if progress:
        from tqdm import tqdm
        iterator = tqdm(iterator, desc='reading image headers', unit='img',
                        disable=None)
    for rec in iterator:
        if category is not None and rec.category != category:
            report.skipped_category += 1
            continue
        path = osp.join(split_dir, rec.image_id)
        try:
            w, h = read_image_size(path)
            if verify:
                size = verify_image(path)
                if size != (w, h):
                    raise ValueError(
                        f'decoded size {size[0]}x{size[1]} differs from the '
                        f'header size {w}x{h} (EXIF orientation?): {path}')
        except FileNotFoundError:
            report.rejects.append(
                RowProblem(rec.line, rec.image_id, 'image file not found'))
            continue
        except ValueError as e:
            report.rejects.append(RowProblem(rec.line, rec.image_id, str(e)))
            continue
        present = rec.visibility != VIS_ABSENT
        xy = rec.keypoints
        outside = present & ((xy[:, 0] < 0) | (xy[:, 1] < 0) |
                             (xy[:, 0] > w - 1) | (xy[:, 1] > h - 1))
        for k in np.flatnonzero(outside):
            report.out_of_image.append(
                (rec.line, rec.image_id, KEYPOINT_NAMES[k]))
        records.append(rec)
        sizes.append((w, h))
    report.rejects.sort(key=lambda p: p.line)
    if report.out_of_image:
        warnings.warn(
            f'{csv_path}: {len(report.out_of_image)} keypoint(s) lie outside '
            f'their image (kept); first: line {report.out_of_image[0][0]}, '
            f'{report.out_of_image[0][2]}')
    coco = records_to_coco(records, sizes, bbox=bbox, margin=margin)
    report.images = len(records)
    for rec in records:
        report.per_category[rec.category] = \
            report.per_category.get(rec.category, 0) + 1
        for v in rec.visibility[rec.visibility != VIS_ABSENT]:
            key = 'visible' if v == 1 else 'occluded'
            report.visibility[key] = report.visibility.get(key, 0) + 1
    return coco, report


def split_coco(coco: dict, val_ratio: float,
               seed: int = 0) -> Tuple[dict, dict]:
    """Deterministic train/val split of a COCO dict, stratified by category.

    Each category's images are shuffled with ``seed`` and the first
    ``round(n * val_ratio)`` go to val, so every category is represented in
    both parts in the same proportion.
    """
    if not 0.0 < val_ratio < 1.0:
        raise ValueError(f'val_ratio must be in (0, 1), got {val_ratio}')
    rng = np.random.default_rng(seed)
    val_ids = set()
    by_cat: Dict[str, List[int]] = {}
    for img in coco['images']:
        by_cat.setdefault(img['category'], []).append(img['id'])
    for cat in sorted(by_cat):
        ids = np.array(sorted(by_cat[cat]))
        rng.shuffle(ids)
        val_ids.update(ids[:int(round(len(ids) * val_ratio))].tolist())

    def part(keep) -> dict:
        out = {k: v for k, v in coco.items()
               if k not in ('images', 'annotations')}
        out['images'] = [i for i in coco['images'] if keep(i['id'])]
        out['annotations'] = [
            a for a in coco['annotations'] if keep(a['image_id'])
        ]
        return out

    return part(lambda i: i not in val_ids), part(lambda i: i in val_ids)


def write_rejects(path: str, rejects: Sequence[RowProblem]) -> None:
    """Write rejected rows as CSV with columns ``line,image_id,reason``."""
    import csv as _csv
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w', newline='', encoding='utf-8') as f:
        w = _csv.writer(f, lineterminator='\n')
        w.writerow(['line', 'image_id', 'reason'])
        for p in rejects:
            reason = p.reason if p.column is None else \
                f'column {p.column}: {p.reason}'
            w.writerow([p.line, p.image_id, reason])


def coco_to_records(coco: dict) -> List[FashionAIRecord]:
    """The FashionAI rows of a COCO dict written by :func:`records_to_coco`
    (e.g. to write the answer file of a val split)."""
    img_by_id = {i['id']: i for i in coco['images']}
    records = []
    for ann in coco['annotations']:
        vis = np.asarray(ann['fashionai_visibility'], dtype=np.int8)
        kpts = np.asarray(ann['keypoints'], dtype=np.float32).reshape(-1, 3)
        xy = np.where((vis == VIS_ABSENT)[:, None], -1.0, kpts[:, :2])
        records.append(
            FashionAIRecord(img_by_id[ann['image_id']]['file_name'],
                            ann['category'], xy.astype(np.float32), vis,
                            ann.get('line', 0)))
    return records
