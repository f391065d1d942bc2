"""Tests of the synthetic FashionAI generator and its command line."""
import importlib.util
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmpose_cloth.evaluation.functional import normalized_error
from fashionai_format.csv_io import read_annotations, read_test_list
from fashionai_format.schema import (CATEGORIES, CATEGORY_KEYPOINTS,
                                     KEYPOINT_NAMES, norm_pair_indices)
from mmpose_cloth.testing.synthetic import (generate_fashionai,
                                            render_garment, sample_rng,
                                            synthetic_image_id)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# Not square, so that a width/height mix-up shows.
SIZE = (160, 120)
NUM, TEST_NUM = 6, 3


def _files(root: str) -> dict:
    """Relative path -> bytes of every file under ``root``."""
    out = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = osp.join(dirpath, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = f.read()
    return out


def _decode(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp('synthetic')
    summary = generate_fashionai(out, num_per_category=NUM,
                                 test_per_category=TEST_NUM, image_size=SIZE,
                                 seed=7)
    train = read_annotations(summary['train_csv'], errors='collect')
    answers = read_annotations(summary['answers_csv'], errors='collect')
    return dict(root=str(out), summary=summary, train=train, answers=answers)


# --------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------


def test_same_seed_gives_identical_files_and_pixels(tmp_path):
    kw = dict(num_per_category=2, test_per_category=1, image_size=(96, 80))
    generate_fashionai(tmp_path / 'a', seed=3, **kw)
    generate_fashionai(tmp_path / 'b', seed=3, **kw)
    a, b = _files(tmp_path / 'a'), _files(tmp_path / 'b')
    assert sorted(a) == sorted(b)
    assert len(a) == 5 * 3 + 3  # images + train.csv, test.csv, answers
    for name in ('Annotations/train.csv', 'test.csv',
                 'Annotations/test_answers.csv'):
        assert a[name] == b[name], name
    for name in a:
        if name.endswith('.jpg'):
            np.testing.assert_array_equal(_decode(a[name]), _decode(b[name]))


def test_other_seed_differs(tmp_path):
    kw = dict(num_per_category=2, test_per_category=0, image_size=(96, 80))
    generate_fashionai(tmp_path / 'a', seed=3, **kw)
    generate_fashionai(tmp_path / 'b', seed=4, **kw)
    ra = read_annotations(tmp_path / 'a' / 'Annotations' / 'train.csv')
    rb = read_annotations(tmp_path / 'b' / 'Annotations' / 'train.csv')
    assert {r.image_id for r in ra.records}.isdisjoint(
        r.image_id for r in rb.records)
    for x, y in zip(ra.records, rb.records):
        assert not np.array_equal(x.keypoints, y.keypoints)
        img_a = cv2.imread(str(tmp_path / 'a' / x.image_id))
        img_b = cv2.imread(str(tmp_path / 'b' / y.image_id))
        assert np.abs(img_a.astype(int) - img_b).mean() > 5


def test_partial_generation_reproduces_the_same_images(tmp_path):
    """Each image has its own random stream: a smaller run is a prefix of a
    larger one, and a single image can be rendered on its own."""
    generate_fashionai(tmp_path / 'small', num_per_category=1,
                       test_per_category=0, image_size=(96, 80), seed=5)
    generate_fashionai(tmp_path / 'big', num_per_category=3,
                       test_per_category=0, image_size=(96, 80), seed=5,
                       categories=('trousers', 'blouse', 'dress', 'skirt',
                                   'outwear'))
    small = read_annotations(tmp_path / 'small' / 'Annotations' / 'train.csv')
    big = {r.image_id: r for r in read_annotations(
        tmp_path / 'big' / 'Annotations' / 'train.csv').records}
    for r in small.records:
        np.testing.assert_array_equal(big[r.image_id].keypoints, r.keypoints)
        np.testing.assert_array_equal(big[r.image_id].visibility,
                                      r.visibility)
        with open(tmp_path / 'small' / r.image_id, 'rb') as f1, \
                open(tmp_path / 'big' / r.image_id, 'rb') as f2:
            assert f1.read() == f2.read()

    one = render_garment('skirt', sample_rng(5, 'train', 'skirt', 0),
                         (96, 80))
    rec = next(r for r in small.records if r.category == 'skirt')
    np.testing.assert_array_equal(one.keypoints, rec.keypoints)
    np.testing.assert_array_equal(one.visibility, rec.visibility)


# --------------------------------------------------------------------------
# Validity of the files
# --------------------------------------------------------------------------


def test_train_csv_is_valid_and_matches_summary(dataset):
    train, summary = dataset['train'], dataset['summary']
    assert train.problems == []
    assert len(train.records) == NUM * len(CATEGORIES)
    cats = [r.category for r in train.records]
    assert {c: cats.count(c) for c in CATEGORIES} == \
        summary['train']['per_category'] == {c: NUM for c in CATEGORIES}
    for r in train.records:
        assert r.image_id == f'Images/{r.category}/{osp.basename(r.image_id)}'
        assert len(osp.basename(r.image_id)) == 32 + 4  # md5 + .jpg
    own = np.concatenate([
        r.visibility[list(CATEGORY_KEYPOINTS[r.category])]
        for r in train.records
    ])
    assert summary['train']['visible'] == int((own == 1).sum()) > 0
    assert summary['train']['occluded'] == int((own == 0).sum()) > 0
    assert summary['train']['absent'] == int((own == -1).sum())


def test_images_exist_and_have_the_stated_size(dataset):
    w, h = SIZE
    for rec in dataset['train'].records + dataset['answers'].records:
        img = cv2.imread(osp.join(dataset['root'], rec.image_id))
        assert img is not None, rec.image_id
        assert img.shape == (h, w, 3)
        assert img.std() > 5  # not a blank image


def test_keypoints_follow_the_category_and_stay_in_the_image(dataset):
    w, h = SIZE
    for rec in dataset['train'].records + dataset['answers'].records:
        has = np.zeros(len(KEYPOINT_NAMES), bool)
        has[list(CATEGORY_KEYPOINTS[rec.category])] = True
        assert (rec.visibility[~has] == -1).all()
        assert (rec.keypoints[~has] == -1).all()
        present = rec.visibility >= 0
        # Most of the category's keypoints exist (sleeveless dresses have
        # no cuffs, straight coats no waistline).
        assert present[has].sum() >= has.sum() - 4
        xy = rec.keypoints[present]
        assert (xy[:, 0] >= 0).all() and (xy[:, 0] <= w - 1).all()
        assert (xy[:, 1] >= 0).all() and (xy[:, 1] <= h - 1).all()
        # The normalizing pair is always there and far enough apart.
        a, b = norm_pair_indices(rec.category)
        assert rec.visibility[a] in (0, 1) and rec.visibility[b] in (0, 1)
        dist = np.linalg.norm(rec.keypoints[a] - rec.keypoints[b])
        assert dist >= 0.08 * min(w, h)


def test_test_list_and_answers_agree(dataset):
    summary, answers = dataset['summary'], dataset['answers']
    assert answers.problems == []
    listed = read_test_list(summary['test_csv'])
    assert listed == [(r.image_id, r.category) for r in answers.records]
    assert len(listed) == TEST_NUM * len(CATEGORIES)
    assert summary['test']['images'] == len(listed)
    train_ids = {r.image_id for r in dataset['train'].records}
    assert train_ids.isdisjoint(i for i, _ in listed)
    assert listed[0][0] == synthetic_image_id(7, 'test', CATEGORIES[0], 0)


# --------------------------------------------------------------------------
# The image determines the keypoints
# --------------------------------------------------------------------------


@pytest.mark.parametrize('category', CATEGORIES)
def test_keypoints_lie_on_the_garment_outline(category):
    """Every keypoint is on the garment; the outer corners (all but the
    armpits, the crotch and the front neck centre, which are inner corners)
    have background right next to them."""
    inner = {'armpit_left', 'armpit_right', 'crotch', 'center_front'}
    for i in range(10):
        g = render_garment(category, sample_rng(11, 'train', category, i),
                           SIZE)
        assert g.mask.shape == g.image.shape[:2] and g.mask.any()
        for k in np.flatnonzero(g.visibility >= 0):
            x, y = g.keypoints[k].astype(int)
            win = g.mask[max(y - 2, 0):y + 3, max(x - 2, 0):x + 3]
            assert win[1:-1, 1:-1].any(), (i, KEYPOINT_NAMES[k])
            if KEYPOINT_NAMES[k] not in inner:
                assert not win.all(), (i, KEYPOINT_NAMES[k])


def test_garment_outline_is_visible_at_the_keypoints():
    """Around a visible outer-corner keypoint the garment's pixels and the
    pixels beside it differ in colour: the image shows the corner (the
    garment colour is chosen to stand out, and seams are drawn)."""
    inner = {'armpit_left', 'armpit_right', 'crotch', 'center_front'}
    shown = total = 0
    for category in CATEGORIES:
        for i in range(6):
            g = render_garment(category, sample_rng(2, 'test', category, i),
                               SIZE)
            for k in np.flatnonzero(g.visibility == 1):
                if KEYPOINT_NAMES[k] in inner:
                    continue
                x, y = g.keypoints[k].astype(int)
                win = (slice(max(y - 3, 0), y + 4), slice(max(x - 3, 0),
                                                          x + 4))
                on, pix = g.mask[win], g.image[win].astype(np.float32)
                contrast = np.linalg.norm(pix[on].mean(0) -
                                          pix[~on].mean(0))
                shown += contrast > 25
                total += 1
    assert total > 100 and shown / total > 0.9


def test_occluded_keypoints_are_painted_over():
    """Turning the occluders off changes nothing but the occluders: the
    same garment, all its keypoints visible, and the pixels at the keypoints
    that were marked occluded are the ones that change."""
    occluded = 0
    for category in CATEGORIES:
        for i in range(10):
            g = render_garment(category,
                               sample_rng(7, 'train', category, i), SIZE)
            clean = render_garment(category,
                                   sample_rng(7, 'train', category, i), SIZE,
                                   occlusion=False)
            np.testing.assert_array_equal(g.keypoints, clean.keypoints)
            np.testing.assert_array_equal(g.mask, clean.mask)
            present = g.visibility >= 0
            np.testing.assert_array_equal(clean.visibility[present], 1)
            np.testing.assert_array_equal(clean.visibility[~present], -1)
            diff = np.abs(g.image.astype(np.float32) - clean.image).sum(-1)
            for k in np.flatnonzero(present):
                x, y = g.keypoints[k].astype(int)
                changed = diff[max(y - 1, 0):y + 2, max(x - 1, 0):x + 2]
                if g.visibility[k] == 0:
                    occluded += 1
                    assert changed.mean() > 20, (category, i, k)
                else:  # untouched, up to blur from a nearby occluder
                    assert diff[y, x] < 60, (category, i, k)
    assert occluded >= 5


# --------------------------------------------------------------------------
# Difficulty
# --------------------------------------------------------------------------


def test_mean_shape_guess_scores_badly(tmp_path):
    """A model that ignores the image (the per-category mean keypoint
    position) must have a large normalized error."""
    summary = generate_fashionai(tmp_path, num_per_category=20,
                                 test_per_category=6, image_size=(96, 96),
                                 seed=1)
    train = read_annotations(summary['train_csv']).records
    test = read_annotations(summary['answers_csv']).records
    mean = {}
    for c in CATEGORIES:
        k = np.array([r.keypoints for r in train if r.category == c])
        v = np.array([r.visibility for r in train if r.category == c])
        w = (v >= 0)[..., None]
        mean[c] = (k * w).sum(0) / np.maximum(w.sum(0), 1)
    result = normalized_error(
        np.array([mean[r.category] for r in test]),
        np.array([r.keypoints for r in test]),
        np.array([r.visibility for r in test]),
        np.array([CATEGORIES.index(r.category) for r in test]))
    assert result.summary()['NE'] > 0.4


# --------------------------------------------------------------------------
# Arguments and command line
# --------------------------------------------------------------------------


def test_bad_arguments_raise(tmp_path):
    with pytest.raises(ValueError, match='Unknown FashionAI category'):
        generate_fashionai(tmp_path, 1, 0, categories=['shirt'])
    with pytest.raises(ValueError, match='scale_range'):
        generate_fashionai(tmp_path, 1, 0, scale_range=(0.9, 0.5))
    with pytest.raises(ValueError, match='image_size'):
        render_garment('skirt', np.random.default_rng(0), (16, 16))
    with pytest.raises(ValueError, match='split'):
        sample_rng(0, 'val', 'skirt', 0)
    assert not os.listdir(tmp_path)  # nothing written before the checks


def test_command_line(tmp_path, capsys):
    path = osp.join(REPO, 'tools', 'dataset_converters',
                    'make_synthetic_fashionai.py')
    spec = importlib.util.spec_from_file_location('make_synthetic', path)
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    out = tmp_path / 'ds'
    rc = cli.main([
        str(out), '--num-per-category', '2', '--test-per-category', '1',
        '--size', '96', '--seed', '9', '--no-progress'
    ])
    assert rc == 0
    text = capsys.readouterr().out
    assert 'train: 10 images' in text and 'test: 5 images' in text
    assert 'occluded' in text
    recs = read_annotations(out / 'Annotations' / 'train.csv').records
    assert len(recs) == 10
    assert cv2.imread(str(out / recs[0].image_id)).shape == (96, 96, 3)
    assert len(read_test_list(out / 'test.csv')) == 5
    assert cli.main([str(tmp_path / 'x'), '--scale-range', '0.9', '0.1',
                     '--no-progress']) == 2
