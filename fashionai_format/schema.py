"""The FashionAI Key Points Detection format: the one source of truth.

Every other part of mmpose-cloth (CSV reading and writing, the COCO converter,
the dataset metainfo, flip pairs, the NE metric, drawing) derives what it needs
from the constants here. Nothing about the format is written down twice.

Facts (Alibaba Tianchi FashionAI Key Points Detection, 2018):

* 24 keypoints, in the order of the CSV columns after ``image_id`` and
  ``image_category``.
* 5 garment categories; each has a fixed subset of the 24 keypoints.
* A cell is ``x_y_v``: ``v=1`` visible, ``v=0`` occluded (coordinates still
  given), ``v=-1`` the keypoint does not exist for this garment
  (``-1_-1_-1``).
* The normalized error (NE) divides each distance by the distance between two
  normalizing keypoints: the armpits for tops and dresses, the waistband ends
  for skirts and trousers.
"""
from typing import Dict, List, Mapping, Sequence, Tuple, Union

#: The 24 keypoint names in CSV column order.
KEYPOINT_NAMES: Tuple[str, ...] = (
    'neckline_left', 'neckline_right', 'center_front', 'shoulder_left',
    'shoulder_right', 'armpit_left', 'armpit_right', 'waistline_left',
    'waistline_right', 'cuff_left_in', 'cuff_left_out', 'cuff_right_in',
    'cuff_right_out', 'top_hem_left', 'top_hem_right', 'waistband_left',
    'waistband_right', 'hemline_left', 'hemline_right', 'crotch',
    'bottom_left_in', 'bottom_left_out', 'bottom_right_in',
    'bottom_right_out')
NUM_KEYPOINTS = len(KEYPOINT_NAMES)
_KEYPOINT_INDEX: Dict[str, int] = {n: i for i, n in enumerate(KEYPOINT_NAMES)}

#: The CSV header of annotation and submission files (26 columns).
CSV_HEADER: Tuple[str, ...] = ('image_id', 'image_category') + KEYPOINT_NAMES
#: The CSV header of a test list (``test.csv``).
TEST_CSV_HEADER: Tuple[str, ...] = ('image_id', 'image_category')

#: The garment categories, in the order used for category ids (1-based in
#: COCO files: blouse=1 ... trousers=5).
CATEGORIES: Tuple[str, ...] = ('blouse', 'outwear', 'dress', 'skirt',
                               'trousers')

#: Indices (into KEYPOINT_NAMES) of the keypoints each category has.
CATEGORY_KEYPOINTS: Dict[str, Tuple[int, ...]] = {
    'blouse': (0, 1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14),
    'outwear': (0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
    'dress': (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 17, 18),
    'skirt': (15, 16, 17, 18),
    'trousers': (15, 16, 19, 20, 21, 22, 23),
}

#: The two keypoints whose ground-truth distance normalizes the error.
NORM_PAIRS: Dict[str, Tuple[str, str]] = {
    'blouse': ('armpit_left', 'armpit_right'),
    'outwear': ('armpit_left', 'armpit_right'),
    'dress': ('armpit_left', 'armpit_right'),
    'skirt': ('waistband_left', 'waistband_right'),
    'trousers': ('waistband_left', 'waistband_right'),
}

#: The neckline's links on garments with a center front (blouse, dress).
_NECK: Tuple[Tuple[str, str], ...] = (
    ('neckline_left', 'neckline_right'), ('neckline_left', 'center_front'),
    ('neckline_right', 'center_front'))
#: Neckline to shoulders, and each sleeve from the shoulder round to the
#: armpit: the same on every upper-body garment.
_SHOULDERS_SLEEVES: Tuple[Tuple[str, str], ...] = (
    ('neckline_left', 'shoulder_left'), ('neckline_right', 'shoulder_right'),
    ('shoulder_left', 'cuff_left_out'), ('cuff_left_out', 'cuff_left_in'),
    ('cuff_left_in', 'armpit_left'), ('shoulder_right', 'cuff_right_out'),
    ('cuff_right_out', 'cuff_right_in'), ('cuff_right_in', 'armpit_right'))
#: Armpits to the waistline (outwear, dress).
_WAIST = (('armpit_left', 'waistline_left'),
          ('armpit_right', 'waistline_right'))

#: Lines drawn between keypoints, per category (names, not indices).
SKELETONS: Dict[str, Tuple[Tuple[str, str], ...]] = {
    'blouse': _NECK + _SHOULDERS_SLEEVES + (
        ('armpit_left', 'top_hem_left'), ('armpit_right', 'top_hem_right'),
        ('top_hem_left', 'top_hem_right')),
    'outwear': ((('neckline_left', 'neckline_right'), ) +
                _SHOULDERS_SLEEVES + _WAIST + (
                    ('waistline_left', 'top_hem_left'),
                    ('waistline_right', 'top_hem_right'),
                    ('top_hem_left', 'top_hem_right'))),
    'dress': _NECK + _SHOULDERS_SLEEVES + _WAIST + (
        ('waistline_left', 'hemline_left'),
        ('waistline_right', 'hemline_right'),
        ('hemline_left', 'hemline_right')),
    'skirt': (
        ('waistband_left', 'waistband_right'),
        ('waistband_left', 'hemline_left'),
        ('waistband_right', 'hemline_right'),
        ('hemline_left', 'hemline_right')),
    'trousers': (
        ('waistband_left', 'waistband_right'),
        ('waistband_left', 'bottom_left_out'),
        ('bottom_left_out', 'bottom_left_in'),
        ('bottom_left_in', 'crotch'), ('crotch', 'bottom_right_in'),
        ('bottom_right_in', 'bottom_right_out'),
        ('bottom_right_out', 'waistband_right')),
}

#: Raw FashionAI visibility values.
VIS_VISIBLE, VIS_OCCLUDED, VIS_ABSENT = 1, 0, -1
#: FashionAI visibility -> COCO visibility (2 visible, 1 occluded, 0 absent).
FASHIONAI_TO_COCO_VIS: Dict[int, int] = {1: 2, 0: 1, -1: 0}


def swap_name(name: str) -> str:
    """The keypoint a horizontal flip turns ``name`` into.

    ``left`` and ``right`` trade places (``cuff_left_in`` <->
    ``cuff_right_in``); a keypoint on the centre line (``center_front``,
    ``crotch``) maps to itself.
    """
    if '_left' in name:
        return name.replace('_left', '_right')
    if '_right' in name:
        return name.replace('_right', '_left')
    return name


def keypoint_side(name: str) -> str:
    """``'left'``, ``'right'`` or ``'center'``, used for drawing colours."""
    if '_left' in name:
        return 'left'
    if '_right' in name:
        return 'right'
    return 'center'


def category_keypoint_names(category: str) -> Tuple[str, ...]:
    """The names of a category's keypoints, in CSV order."""
    check_category(category)
    return tuple(KEYPOINT_NAMES[i] for i in CATEGORY_KEYPOINTS[category])


def keypoint_indices(names: Union[Sequence[str], Mapping[int, str]],
                     source: str = 'keypoints') -> Tuple[int, ...]:
    """Indices into :data:`KEYPOINT_NAMES` of keypoints given by name.

    This is how a model's or a dataset's K keypoints (all 24, or one
    category's) map onto the 24 FashionAI keypoints: by name, as MMPose
    metainfo names them.

    Args:
        names (Sequence[str] | Mapping[int, str]): the K names in order, or
            MMPose's ``keypoint_id2name`` (ids ``0 .. K-1``).
        source (str): what the names are, to start the error message
            (e.g. ``'FashionAIDataset: metainfo keypoints'``).

    Returns:
        tuple[int]: (K,) the index of each name among the 24.

    Raises:
        ValueError: some names are not FashionAI keypoint names.
    """
    if isinstance(names, Mapping):
        names = [names[i] for i in range(len(names))]
    unknown = [n for n in names if n not in _KEYPOINT_INDEX]
    if unknown:
        raise ValueError(
            f'{source} {unknown} are not FashionAI keypoints (expected names '
            'from fashionai_format.KEYPOINT_NAMES)')
    return tuple(_KEYPOINT_INDEX[n] for n in names)


def norm_pair_indices(category: str) -> Tuple[int, int]:
    """Indices (into the 24) of the category's normalizing keypoints."""
    check_category(category)
    a, b = NORM_PAIRS[category]
    return KEYPOINT_NAMES.index(a), KEYPOINT_NAMES.index(b)


def category_id(category: str) -> int:
    """The 1-based COCO category id of a garment category."""
    check_category(category)
    return CATEGORIES.index(category) + 1


def check_category(category: str) -> str:
    """Return ``category`` or raise a ``ValueError`` that lists the valid
    names (and the closest one, for typos)."""
    if category in CATEGORIES:
        return category
    import difflib
    close = difflib.get_close_matches(str(category), CATEGORIES, n=1)
    hint = f' Did you mean {close[0]!r}?' if close else ''
    raise ValueError(f'Unknown FashionAI category {category!r}; expected one '
                     f'of {", ".join(CATEGORIES)}.{hint}')


def category_mask() -> List[List[bool]]:
    """A (5, 24) table: ``mask[c][k]`` is whether category ``c`` has
    keypoint ``k``."""
    return [[k in CATEGORY_KEYPOINTS[c] for k in range(NUM_KEYPOINTS)]
            for c in CATEGORIES]


def _self_check() -> None:
    assert len(KEYPOINT_NAMES) == 24 and len(set(KEYPOINT_NAMES)) == 24
    for cat in CATEGORIES:
        kpts = category_keypoint_names(cat)
        assert set(NORM_PAIRS[cat]) <= set(kpts), cat
        for a, b in SKELETONS[cat]:
            assert a in kpts and b in kpts, (cat, a, b)
        for name in kpts:
            assert swap_name(name) in kpts, (cat, name)


_self_check()
