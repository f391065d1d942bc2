"""The model zoo as it ships: every model the index lists has its weights in
the package, named by their hash, recorded next to them, weights-only,
within the size limits; a changed byte is refused; the default model
predicts real garments it has never seen (the converter's val split) with
no category given; ``tools/infer.py photos/`` needs nothing else; MMPose's
inferencer finds it by alias; ``mim search`` lists it from an installed
copy."""
import csv
import os
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

import mmpose_cloth  # noqa: F401  (mmcv-lite compat, registries, scheme)
from conftest import REPO, load_tool
from fashionai_format import CATEGORIES, CATEGORY_KEYPOINTS, coco_to_records
from mmpose_cloth.apis import build_predictor
from mmpose_cloth.evaluation.functional import (category_indices,
                                                normalized_error)
from mmpose_cloth.model_zoo import (DEFAULT_MODEL, SCHEME, ChecksumError,
                                    file_sha256, get_model, list_models,
                                    verify_checkpoint, weights_path)

#: The issue's limits on what the repository carries.
MAX_FILE_MIB, MAX_ZOO_MIB = 25, 60

#: Every VAL_STRIDE-th image of the converter's val split (--val-ratio 0.15
#: --seed 0, none of them seen in training): 31 real photos, all five
#: categories.
VAL_STRIDE = 15

#: Bounds for the default model on those images with no category given
#: (the category predicted, then scored with the true one): measured 10.26%
#: NE with 28 of the 31 categories right when the crop-stage model shipped
#: (the single-pass model before it: 10.13%, 28 of 31; on the whole val
#: split 15.19% and 83.8% against 15.96% and 83.6%, see the model card in
#: the README). A model that ignores the image scores over 50%; one more
#: wrong category costs about 2 points here.
MAX_NE, MIN_CATEGORY_ACCURACY = 0.13, 0.80
#: The same images with the category given: measured 6.49% NE (3 of
#: them predicted as another garment when not given).
MAX_NE_GIVEN = 0.10


MODELS = list_models()


def test_the_index_has_the_default_model():
    model = get_model()
    assert DEFAULT_MODEL in model.aliases
    assert model.weights.startswith(SCHEME)
    assert osp.isfile(model.config)
    assert {'NE', 'Category accuracy'} <= set(model.results)


@pytest.mark.parametrize('model', MODELS, ids=[m.name for m in MODELS])
def test_shipped_file_matches_its_hash_and_loads_weights_only(model):
    path = weights_path(model.weights)
    sha = file_sha256(path)
    assert verify_checkpoint(path) == sha
    with open(path + '.sha256') as f:
        assert f.read().split() == [sha, osp.basename(path)]
    assert f'-{sha[:8]}' in osp.basename(path)
    assert os.path.getsize(path) <= MAX_FILE_MIB * 2**20
    ckpt = torch.load(path, map_location='cpu', weights_only=True)
    assert set(ckpt) == {'meta', 'state_dict'}  # no optimizer state
    floats = [v for v in ckpt['state_dict'].values() if v.is_floating_point()]
    assert floats and all(v.dtype == torch.float16 for v in floats)


def test_the_zoo_fits_in_the_repository():
    total = sum(os.path.getsize(weights_path(m.weights)) for m in MODELS)
    assert total <= MAX_ZOO_MIB * 2**20


def test_a_changed_byte_is_refused_with_both_hashes(tmp_path, monkeypatch):
    model = get_model()
    shipped = weights_path(model.weights)
    copy = tmp_path / osp.basename(shipped)
    shutil.copy(shipped, copy)
    shutil.copy(shipped + '.sha256', str(copy) + '.sha256')
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    with pytest.raises(ChecksumError) as e:
        verify_checkpoint(str(copy))
    message = str(e.value)
    assert str(copy) in message or copy.name in message
    assert file_sha256(shipped) in message and file_sha256(str(copy)) in \
        message


@pytest.fixture(scope='module')
def unseen(real_coco, real_split_dir):
    """(image paths, categories, keypoints (N, 24, 2), visibility (N, 24))
    of every VAL_STRIDE-th val image."""
    records = sorted(coco_to_records(real_coco['val']),
                     key=lambda r: r.image_id)[::VAL_STRIDE]
    return ([osp.join(real_split_dir, r.image_id) for r in records],
            [r.category for r in records],
            np.stack([r.keypoints for r in records]),
            np.stack([r.visibility for r in records]))


def test_default_model_on_real_photos_it_never_saw(unseen):
    paths, categories, gt, vis = unseen
    assert len(paths) >= 30 and set(categories) == set(CATEGORIES)
    predictor = build_predictor(device='cpu')  # no config: the zoo default
    preds = predictor.predict(paths)
    predicted = [p.category for p in preds]
    assert all(p.category_source == 'predicted' for p in preds)
    right = np.mean([p == c for p, c in zip(predicted, categories)])
    assert right >= MIN_CATEGORY_ACCURACY, list(zip(predicted, categories))
    # scored as the competition scores a category-free submission: only the
    # predicted category's keypoints, scored with the answer's category
    xy = np.full((len(preds), 24, 2), np.nan)
    for i, p in enumerate(preds):
        own = list(CATEGORY_KEYPOINTS[p.category])
        assert np.isfinite(p.keypoints[own]).all()
        xy[i, own] = p.keypoints[own]
    ne = normalized_error(xy, gt, vis, category_indices(categories))
    print(f'{len(paths)} unseen images: NE {ne.summary()["NE"]:.4f}, '
          f'categories right {right:.3f}')
    assert ne.summary()['NE'] <= MAX_NE


def test_default_model_predicts_the_garment_it_is_given(unseen):
    """A given category (``--category``, a test list) reaches the model:
    its keypoints are conditioned on it and its crop stage boxes that
    garment, as ``tools/test.py`` measures it, so it scores better than the
    category-free prediction, and the photos whose category the model gets
    wrong are predicted anew for the right garment."""
    paths, categories, gt, vis = unseen
    predictor = build_predictor(device='cpu')
    given = predictor.predict(paths, categories=categories)
    free = predictor.predict(paths)
    assert all(p.category_source == 'given' for p in given)
    xy = np.stack([p.keypoints for p in given])
    ne = normalized_error(xy, gt, vis,
                          category_indices(categories)).summary()['NE']
    wrong = [i for i, (p, c) in enumerate(zip(free, categories))
             if p.category != c]
    print(f'{len(paths)} unseen images, category given: NE {ne:.4f}; '
          f'{len(wrong)} predicted wrong when not given')
    assert ne <= MAX_NE_GIVEN
    assert wrong  # the case this is about
    moved = [
        np.linalg.norm(given[i].keypoints[own] - free[i].keypoints[own],
                       axis=-1).max()
        for i in wrong for own in [list(CATEGORY_KEYPOINTS[categories[i]])]
    ]  # pixels; a blouse for an outwear moves little, a dress for a skirt
    assert min(moved) > 0.5 and max(moved) > 20., moved


def test_default_model_takes_tta(unseen):
    """``--tta`` on the default model (its crop stage's CropStageTTAModel:
    the second pass at three margins) predicts the same garment: the same
    category, keypoints a few pixels from the plain prediction, and the
    model's own settings untouched for the next plain prediction."""
    paths = unseen[0][:2]
    plain = build_predictor(device='cpu')
    before = plain.predict(paths)
    augmented = build_predictor(device='cpu', tta=True).predict(paths)
    for p, a in zip(before, augmented):
        assert a.category == p.category
        own = list(CATEGORY_KEYPOINTS[p.category])
        shift = np.linalg.norm(a.keypoints[own] - p.keypoints[own], axis=-1)
        assert 0 < shift.max() and np.median(shift) < 10.  # pixels
    again = plain.predict(paths)
    for p, q in zip(before, again):
        np.testing.assert_allclose(q.keypoints, p.keypoints)


def test_infer_a_folder_with_nothing_but_photos(unseen, tmp_path):
    paths, categories = unseen[0][:3], unseen[1][:3]
    photos = tmp_path / 'photos'
    photos.mkdir()
    for i, p in enumerate(paths):  # plain names: nothing says the category
        shutil.copy(p, photos / f'photo{i}.jpg')
    out = tmp_path / 'out'
    tool = load_tool('tools/infer.py', 'infer_zoo_default')
    assert tool.main([str(photos), '--out-dir', str(out), '--device',
                      'cpu']) == 0
    with open(out / 'result.csv') as f:
        rows = list(csv.reader(f))
    assert rows[0][:2] == ['image_id', 'image_category']
    assert sorted(r[0] for r in rows[1:]) == [f'photo{i}.jpg'
                                               for i in range(3)]
    for row in rows[1:]:
        assert row[1] in CATEGORIES
        given = [i for i, cell in enumerate(row[2:]) if cell != '-1_-1_-1']
        assert given == list(CATEGORY_KEYPOINTS[row[1]])
    assert sorted(os.listdir(out / 'vis')) == sorted(os.listdir(photos))


def test_mmpose_inferencer_takes_the_zoo_model_by_alias(unseen, tmp_path):
    from mmpose.apis import MMPoseInferencer
    inferencer = MMPoseInferencer(pose2d=DEFAULT_MODEL, scope='mmpose_cloth',
                                  det_model='whole_image', device='cpu')
    result = next(inferencer(unseen[0][0]))
    keypoints = np.asarray(result['predictions'][0][0]['keypoints'])
    assert keypoints.shape == (24, 2)


def test_mim_search_lists_the_zoo_of_an_installed_copy(tmp_path):
    """``mim search`` reads an installed package's ``.mim`` folder (what
    ``setup.py`` builds, as MMPose's does); an editable install has none in
    site-packages, so the check installs a copy into a folder."""
    mim = shutil.which('mim', path=osp.dirname(sys.executable))
    if mim is None:
        pytest.skip('mim is not installed (tools/install.sh installs it)')
    target = tmp_path / 'site'
    subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-deps',
                    '--no-build-isolation', '--quiet', '--target',
                    str(target), REPO], check=True, cwd=tmp_path,
                   capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(target))
    out = subprocess.run([mim, 'search', 'mmpose_cloth'], env=env,
                         cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    for model in MODELS:
        assert model.name in out.stdout
