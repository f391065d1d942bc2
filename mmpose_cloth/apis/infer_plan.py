"""Inference, step 1 of 3 (plan, predict, write): which images to predict
and with which garment category.

An image's category says which keypoints it has. It is given for all
images, read from a FashionAI test list (``image_id,image_category``),
taken from the FashionAI layout (``.../Images/<category>/<name>.jpg``), or
left to a model that predicts it (a category head): then it is ``None``
here. An *item* is ``(image_id, category or None, path)``.
"""
import os
import os.path as osp
from collections import Counter
from typing import Iterable, List, Optional, Sequence, Tuple

from fashionai_format import (CATEGORIES, FashionAIFormatError,
                              read_test_list)
from mmpose_cloth.predictors import (ImageItem, InferenceInputError,
                                     check_predicted_categories,
                                     model_categories)
from mmpose_cloth.predictors.base import category_examples
from mmpose_cloth.utils import find_images

__all__ = ['plan_images', 'keep_predicted_categories', 'require_categories']


def _fashionai_id(path: str) -> Optional[str]:
    """``Images/<category>/<name>`` if ``path`` is in the FashionAI
    layout."""
    parts = osp.normpath(path).split(os.sep)
    if len(parts) >= 3 and parts[-3] == 'Images' and parts[-2] in CATEGORIES:
        return '/'.join(parts[-3:])
    return None


def _plan_test_list(test_csv: str,
                    root: Optional[str]) -> Tuple[List[ImageItem], List[str]]:
    try:
        rows = read_test_list(test_csv)
    except (FashionAIFormatError, FileNotFoundError) as e:
        raise InferenceInputError(str(e))
    root = root or osp.dirname(osp.abspath(test_csv))
    items, missing = [], []
    for image_id, cat in rows:
        path = osp.join(root, image_id)
        (items if osp.isfile(path) else missing).append(
            (image_id, cat, path))
    warnings = []
    if missing:
        warnings.append(
            f'{len(missing)} of {len(rows)} images of {test_csv} '
            f'are not under {root} (first: {missing[0][0]}); they are '
            'left out of result.csv')
    if not items:
        raise InferenceInputError(f'none of the images of {test_csv} is '
                                  f'under {root}; set --root to the folder '
                                  'that holds Images/')
    return items, warnings


def plan_images(inputs: Sequence[str] = (),
                category: Optional[str] = None,
                test_csv: Optional[str] = None,
                root: Optional[str] = None,
                allow_unknown_category: bool = False
                ) -> Tuple[List[ImageItem], List[str]]:
    """Resolve the images to predict.

    Args:
        inputs (Sequence[str]): image files or folders (searched
            recursively); ignored with ``test_csv``.
        category (str, optional): the category of every input image
            (default: the folder name in the FashionAI layout).
        test_csv (str, optional): a FashionAI test list instead of inputs.
        root (str, optional): the folder the test list's image ids are
            relative to (default: the test list's folder).
        allow_unknown_category (bool): give images whose category cannot
            be told the category ``None`` (for a model that predicts it)
            instead of raising.

    Returns:
        tuple: ``[(image_id, category, path), ...]`` and a list of
        warnings.

    Raises:
        InferenceInputError: nothing to predict, a duplicate image id or
            (unless ``allow_unknown_category``) a category that cannot be
            told.
    """
    if test_csv:
        return _plan_test_list(test_csv, root)
    warnings = []
    files: List[Tuple[str, str]] = []  # (path, id relative to its input)
    for inp in inputs:
        if osp.isdir(inp):
            found = find_images(inp)
            if not found:
                warnings.append(f'no images found in {inp}')
            files += [(p, osp.relpath(p, inp).replace(os.sep, '/'))
                      for p in found]
        elif osp.isfile(inp):
            files.append((inp, osp.basename(inp)))
        else:
            raise InferenceInputError(f'{inp}: no such file or folder')
    if not files:
        raise InferenceInputError('no images to predict')
    ids = [_fashionai_id(p) or rel for p, rel in files]
    if len(set(ids)) < len(ids):  # e.g. a.jpg in two folders
        common = osp.commonpath([osp.abspath(p) for p, _ in files])
        ids = [_fashionai_id(p) or osp.relpath(osp.abspath(p), common)
               .replace(os.sep, '/') for p, _ in files]
    if len(set(ids)) < len(ids):
        dup = next(i for i, c in Counter(ids).items() if c > 1)
        raise InferenceInputError(f'{dup} is given more than once')
    items = []
    for (path, _), image_id in zip(files, ids):
        if category:
            cat = category
        else:
            parent = osp.basename(osp.dirname(osp.abspath(path)))
            cat = parent if parent in CATEGORIES else None
        items.append((image_id, cat, path))
    if not allow_unknown_category:
        require_categories(items, predicts_category=False)
    return items, warnings


def require_categories(items: Sequence[ImageItem],
                       predicts_category: bool) -> None:
    """Check that every image has a category, or that the model predicts
    it.

    Raises:
        InferenceInputError: images without a category and a model without
            a category head.
    """
    unknown = [p for _, c, p in items if c is None]
    if unknown and not predicts_category:
        raise InferenceInputError(
            f'the garment category of {len(unknown)} image(s) is unknown '
            f'(e.g. {unknown[0]}) and the model does not predict it: give '
            '--category, a test list with --test-csv, put images in '
            'Images/<category>/ folders, or use a model with a category '
            'head (configs/cpn/td-hm_cpn-efficientnet-lite0-category_'
            '1xb16-3e_fashionai-192x192_cpu.py)')


def keep_predicted_categories(
        items: Sequence[ImageItem],
        keypoint_ids: Iterable[int],
        model: str = 'the model'
) -> Tuple[List[ImageItem], Optional[str]]:
    """Leave out the images of categories whose keypoints the model does
    not all predict (e.g. the dresses of a full test list for a skirt-only
    model, whose ``result.csv`` then holds the skirts, for
    ``tools/misc/merge_submissions.py``); stop if that leaves none (all
    images are of another category than the checkpoint's, see
    :func:`check_predicted_categories`). Images whose category is to be
    predicted (``None``) are kept.

    Args:
        items (Sequence[tuple]): ``(image_id, category, path)``.
        keypoint_ids (Iterable[int]): the FashionAI keypoints the model
            predicts (indices among the 24).
        model (str): the checkpoint, to name in messages.

    Returns:
        tuple: the items kept (at least one), and a warning naming those
        left out (or ``None``).

    Raises:
        InferenceInputError: no image is of a category the model predicts.
    """
    ids = list(keypoint_ids)
    covered = model_categories(ids)
    kept = [it for it in items if it[1] is None or it[1] in covered]
    if not kept:
        check_predicted_categories(items, ids, model)
    skipped = [c for c in CATEGORIES if c not in covered]
    if len(kept) == len(items):
        return list(items), None
    warning = (f'{model} predicts the keypoints of '
               f'{", ".join(covered) or "no category"} only; left out: ' +
               category_examples(items, skipped))
    return kept, warning
