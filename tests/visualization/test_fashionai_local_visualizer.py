"""FashionAIPoseLocalVisualizer draws each garment with its own category's
skeleton: pictures drawn by the real visualizer (OpenCV backend) from
constructed PoseDataSamples with known keypoints, checked pixel by pixel
along a link that only blouse has (armpit_left -> top_hem_left)."""
import itertools

import numpy as np
from mmengine.config import Config
from mmengine.structures import InstanceData
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.registry import VISUALIZERS
from mmpose.structures import PoseDataSample

import mmpose_cloth  # noqa: F401  (registers the visualizer)
from conftest import REPO
from fashionai_format import CATEGORIES, CATEGORY_KEYPOINTS, KEYPOINT_NAMES
from fashionai_format.metainfo import fashionai_metainfo
from fashionai_format.schema import SKELETONS, category_id
from mmpose_cloth.visualization import FashionAIPoseLocalVisualizer

SIZE = 160
#: where the two ends of the blouse-only link go (x, y); every other
#: keypoint lies at x >= 60, so only that link can cross the column x = 20
ARMPIT, HEM = (20, 30), (20, 130)
#: blouse's center_front (outwear has none), where no outwear link passes
CENTER_FRONT = (150, 150)
_names = itertools.count()


def _keypoints() -> np.ndarray:
    """(24, 2): the blouse-only link's ends at ARMPIT and HEM,
    center_front at CENTER_FRONT, the others on a grid right of x = 60."""
    grid = [(60 + 16 * (i % 6), 20 + 24 * (i // 6)) for i in range(24)]
    kpts = np.array(grid, dtype=np.float32)
    kpts[KEYPOINT_NAMES.index('armpit_left')] = ARMPIT
    kpts[KEYPOINT_NAMES.index('top_hem_left')] = HEM
    kpts[KEYPOINT_NAMES.index('center_front')] = CENTER_FRONT
    return kpts


def _visualizer(category=None):
    """The visualizer as the configs build it, with the 24-keypoint
    metainfo (or one category's)."""
    cfg = Config.fromfile(f'{REPO}/configs/_base_/default_runtime.py')
    vis = VISUALIZERS.build(dict(cfg.visualizer, vis_backends=None,
                                 name=f'vis{next(_names)}'))
    vis.set_dataset_meta(parse_pose_metainfo(fashionai_metainfo(category)))
    return vis


def _draw(vis, kpts, scores=None, meta_category=None, labels=None):
    """Draw predictions (N, K, 2) on black; return the RGB picture."""
    kpts = np.asarray(kpts, np.float32)
    if kpts.ndim == 2:
        kpts = kpts[None]
    sample = PoseDataSample()
    if meta_category is not None:
        sample.set_metainfo(dict(category_id=category_id(meta_category)))
    inst = InstanceData(
        keypoints=kpts,
        keypoint_scores=np.ones(kpts.shape[:2]) if scores is None else
        scores)
    inst.keypoints_visible = inst.keypoint_scores
    if labels is not None:
        inst.category_labels = np.array(
            [CATEGORIES.index(c) for c in labels])
    sample.pred_instances = inst
    image = np.zeros((SIZE, SIZE, 3), np.uint8)
    return vis.add_datasample('garment', image, sample, draw_gt=False,
                              kpt_thr=0.3)


def _link_drawn(picture, a, b) -> bool:
    """Whether the middle part of segment a -> b (away from the keypoint
    dots) is coloured: a coloured pixel within one pixel of each of 20
    points along it (a 1-pixel line rasterises off the exact points)."""
    (x1, y1), (x2, y2) = a, b
    ts = np.linspace(0.25, 0.75, 20)
    xs = np.round(x1 + ts * (x2 - x1)).astype(int)
    ys = np.round(y1 + ts * (y2 - y1)).astype(int)
    lit = picture.max(-1) > 0
    return all(lit[y - 1:y + 2, x - 1:x + 2].any() for x, y in zip(xs, ys))


def _at(kpts, name):
    return tuple(kpts[KEYPOINT_NAMES.index(name)])


def test_blouse_only_link_drawn_for_blouse_not_for_outwear():
    kpts = _keypoints()
    vis = _visualizer()
    assert isinstance(vis, FashionAIPoseLocalVisualizer)
    # the precondition: a link of blouse's, not outwear's; both garments
    # have its two keypoints
    link = ('armpit_left', 'top_hem_left')
    assert link in SKELETONS['blouse'] and link not in SKELETONS['outwear']
    for cat in ('blouse', 'outwear'):
        assert {KEYPOINT_NAMES.index(n) for n in link} <= set(
            CATEGORY_KEYPOINTS[cat])
    # the category from the predicted label, and from the sample's meta
    for how in ('labels', 'meta'):
        drawn = {
            cat: _draw(vis, kpts, **({'labels': [cat]} if how == 'labels'
                                     else {'meta_category': cat}))
            for cat in ('blouse', 'outwear')
        }
        assert _link_drawn(drawn['blouse'], ARMPIT, HEM), how
        assert not _link_drawn(drawn['outwear'], ARMPIT, HEM), how
        # outwear's own links are drawn (armpit -> waistline)
        waist = _at(kpts, 'waistline_left')
        assert _link_drawn(drawn['outwear'], ARMPIT, waist), how
        assert not _link_drawn(drawn['blouse'], ARMPIT, waist), how
        # and only the garment's keypoints: center_front is blouse's
        x, y = CENTER_FRONT
        assert drawn['blouse'][y, x].max() > 0, how
        assert drawn['outwear'][y, x].max() == 0, how


def test_unknown_category_draws_the_union_as_mmpose():
    from mmpose.visualization import PoseLocalVisualizer
    kpts = _keypoints()
    drawn = _draw(_visualizer(), kpts)
    assert _link_drawn(drawn, ARMPIT, HEM)
    plain = PoseLocalVisualizer(name=f'plain{next(_names)}')
    plain.set_dataset_meta(parse_pose_metainfo(fashionai_metainfo()))
    np.testing.assert_array_equal(drawn, _draw(plain, kpts))


def test_predicted_category_wins_over_the_sample_and_each_instance_has_its_own():
    vis = _visualizer()
    drawn = _draw(vis, _keypoints(), meta_category='blouse',
                  labels=['outwear'])
    assert not _link_drawn(drawn, ARMPIT, HEM)
    # two garments in one picture, each with its own category: the
    # second's blouse-only link at x = 40
    two = np.stack([_keypoints(), _keypoints()])
    two[1, KEYPOINT_NAMES.index('armpit_left')] = (40, 30)
    two[1, KEYPOINT_NAMES.index('top_hem_left')] = (40, 130)
    drawn = _draw(vis, two, labels=['blouse', 'outwear'])
    assert _link_drawn(drawn, ARMPIT, HEM)
    assert not _link_drawn(drawn, (40, 30), (40, 130))
    drawn = _draw(vis, two, labels=['outwear', 'blouse'])
    assert not _link_drawn(drawn, ARMPIT, HEM)
    assert _link_drawn(drawn, (40, 30), (40, 130))


def test_one_category_model_keeps_its_skeleton():
    """A skirt model's 4 keypoints map onto the schema by name: the skirt
    skeleton is drawn whole, with or without the category."""
    names = [KEYPOINT_NAMES[k] for k in CATEGORY_KEYPOINTS['skirt']]
    kpts = np.array([(40, 40), (120, 40), (30, 130), (130, 130)],
                    np.float32)
    assert names == ['waistband_left', 'waistband_right', 'hemline_left',
                     'hemline_right']
    vis = _visualizer('skirt')
    for meta in (None, 'skirt'):
        drawn = _draw(vis, kpts, meta_category=meta)
        for a, b in SKELETONS['skirt']:
            assert _link_drawn(drawn, kpts[names.index(a)],
                               kpts[names.index(b)]), (meta, a, b)


def test_the_title_halo_lines_up_with_its_text():
    """The title is white on a black halo that hugs it: the halo reaches
    only a few pixels past the white text on every side (a thick black copy
    of the text, as drawn before, drifted a glyph to the right)."""
    from mmpose_cloth.visualization.draw import draw_garment
    for size in (256, 512, 1024):
        gray = np.full((size, size, 3), 128, np.uint8)
        kpts = np.full((24, 2), 0.8 * size)  # the garment far below
        out = draw_garment(gray, kpts, 'blouse', title='blouse 0.87')
        band = out[:size // 4]  # the title's corner
        white = np.argwhere((band > 230).all(-1))
        dark = np.argwhere((band < 30).all(-1))
        assert len(white) and len(dark)
        thick = max(1, int(round(2 * size / 256)))
        reach = max(1, thick // 2) + 2
        assert (dark.min(0) >= white.min(0) - reach).all(), size
        assert (dark.max(0) <= white.max(0) + reach).all(), size
