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

from fashionai_format import (CATEGORIES, CATEGORY_KEYPOINTS,
                              FashionAIFormatError, read_test_list)

__all__ = [
    'IMAGE_EXTS', 'InferenceInputError', 'plan_images',
    'keep_predicted_categories', 'require_categories', 'model_categories',
    'check_predicted_categories'
]

#: the file endings of images searched in folders
IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')

#: ``(image_id, category, path)``; the category is ``None`` where it is to
#: be predicted
ImageItem = Tuple[str, Optional[str], str]


class InferenceInputError(Exception):
    """Bad inputs to inference (no images, an unknown category, a missing
    optional package): a message for the user, not a bug."""


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
            found = []
            for d, _, names in os.walk(inp):
                found += [osp.join(d, n) for n in names
                          if n.lower().endswith(IMAGE_EXTS)]
            if not found:
                warnings.append(f'no images found in {inp}')
            files += [(p, osp.relpath(p, inp).replace(os.sep, '/'))
                      for p in sorted(found)]
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


def model_categories(keypoint_ids: Iterable[int]) -> List[str]:
    """The categories all of whose keypoints a model predicts: all five
    for a 24-keypoint model, one for a per-category model (e.g. a skirt
    model's 4).

    Args:
        keypoint_ids (Iterable[int]): the FashionAI keypoints the model
            predicts (indices among the 24).
    """
    predicted = set(int(k) for k in keypoint_ids)
    return [c for c in CATEGORIES if set(CATEGORY_KEYPOINTS[c]) <= predicted]


def _examples(items: Sequence[ImageItem], categories: Sequence[str]) -> str:
    """``1 blouse (e.g. b.jpg), 3 dress (e.g. a.jpg)`` for the items of
    ``categories``."""
    counts = Counter(c for _, c, _ in items if c in categories)
    first = {}
    for _, c, path in items:
        first.setdefault(c, path)
    return ', '.join(f'{counts[c]} {c} (e.g. {first[c]})'
                     for c in CATEGORIES if counts[c])


def check_predicted_categories(items: Sequence[ImageItem],
                               keypoint_ids: Iterable[int],
                               model: str = 'the model') -> None:
    """Stop before predicting anything if an image's category has
    keypoints the model does not predict (a checkpoint trained for one
    category used on images of another). Images whose category is to be
    predicted (``None``) pass: a model that predicts the category predicts
    all 24 keypoints.

    Args:
        items (Sequence[tuple]): ``(image_id, category, path)``.
        keypoint_ids (Iterable[int]): the FashionAI keypoints the model
            predicts (indices among the 24).
        model (str): the checkpoint, to name in the message.

    Raises:
        InferenceInputError: naming the checkpoint's category, the images'
            categories and a file of each.
    """
    ids = list(keypoint_ids)
    covered = model_categories(ids)
    wrong = sorted({c for _, c, _ in items
                    if c is not None and c not in covered},
                   key=CATEGORIES.index)
    if not wrong:
        return
    trained = (f'the keypoints of {" and ".join(covered)} only '
               f'({len(ids)} of the 24)') if covered else \
        f'{len(ids)} keypoints that make up no whole category'
    raise InferenceInputError(
        f'{model} predicts {trained}, but the images are of another '
        f'category: {_examples(items, wrong)}. Use a checkpoint trained for '
        f'{" and ".join(wrong)} (or for all 24 keypoints), or give this one '
        f'images of {" and ".join(covered) or "its keypoints"} (check '
        '--category, the test list or the Images/<category>/ folders)')


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
               _examples(items, skipped))
    return kept, warning
