"""The garment-crop second stage: the crop op on MMPose's affine grid, the
keypoint box, the training transform and the estimator's two passes."""
import numpy as np
import pytest
import torch

import mmpose_cloth  # noqa: F401  (first: mmcv-lite compat, registries)
from fashionai_format import CATEGORY_KEYPOINTS, NUM_KEYPOINTS
from mmpose.datasets.transforms import GetBBoxCenterScale, TopdownAffine
from mmpose_cloth.datasets import RandomKeypointBBox
from mmpose_cloth.models.utils import boxes_to_image, crop_boxes
from mmpose_cloth.structures import keypoint_bbox
from test_garment_category import _build, _model_cfg, _samples


#: black, as the test model's data preprocessor normalises it
FILL = [-128. / 64.] * 3


def _affine(img: np.ndarray, bbox, size) -> np.ndarray:
    """MMPose's own crop: GetBBoxCenterScale + TopdownAffine."""
    results = dict(img=img, bbox=np.array([bbox], np.float32),
                   img_shape=img.shape[:2])
    results = GetBBoxCenterScale(padding=1.0)(results)
    return TopdownAffine(input_size=size)(results)['img']


def _smooth_image(h=96, w=128):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.stack([
        127 + 100 * np.sin(x / 17.) * np.cos(y / 23.),
        127 + 100 * np.cos(x / 29. + y / 31.),
        127 + 90 * np.sin((x + 2 * y) / 41.)], -1)
    return img.astype(np.float32)


def test_crop_matches_topdown_affine_of_the_same_box():
    """A crop of the whole-image canvas equals MMPose's crop of the image
    (the same box), up to the canvas' resampling."""
    img = _smooth_image()
    whole = [0., -16., 128., 112.]  # the square whole-image box
    canvas = _affine(img, whole, (128, 128))
    box = [20., 10., 84., 74.]  # a 64x64 box inside the image
    want = _affine(img, box, (48, 48))
    in_canvas = np.array([[box[0] - whole[0], box[1] - whole[1],
                           box[2] - whole[0], box[3] - whole[1]]])
    t = torch.from_numpy(canvas).permute(2, 0, 1)[None].float()
    got = crop_boxes(t, torch.from_numpy(in_canvas), (48, 48), fill=[0.] * 3)
    got = got[0].permute(1, 2, 0).numpy()
    assert np.abs(got - want).mean() < 1.0  # of a 0-255 range
    # outside the image: the fill value, as TopdownAffine's black border
    out = crop_boxes(t, torch.tensor([[-200., -200., -100., -100.]]),
                     (8, 8), fill=[-1., 2., 3.])
    assert torch.equal(out[0, :, 0, 0], torch.tensor([-1., 2., 3.]))


@pytest.mark.parametrize('box', [[10., 20., 74., 84.], [-30., 5., 98., 133.],
                                 [35.5, 31.5, 67.5, 63.5]])
def test_a_point_found_in_the_crop_maps_back_to_where_it_is(box):
    x0, y0 = 51.3, 47.8
    y, x = np.mgrid[0:128, 0:128]
    blob = np.exp(-((x - x0)**2 + (y - y0)**2) / (2 * 3.0**2))
    t = torch.from_numpy(blob)[None, None].float()
    crop = crop_boxes(t, torch.tensor([box]), (64, 64), fill=[0.])[0, 0]
    w = crop.numpy() / crop.numpy().sum()
    cy, cx = (np.mgrid[0:64, 0:64] * w).sum((1, 2))  # centroid in the crop
    back = boxes_to_image(np.array([[[[cx, cy]]]]), np.array([box]), (64, 64))
    np.testing.assert_allclose(back[0, 0, 0], [x0, y0], atol=0.15)


def test_keypoint_bbox():
    kpts = np.array([[[10., 20.], [30., 60.], [500., 500.]],
                     [[5., 5.], [0., 0.], [0., 0.]]])
    mask = np.array([[True, True, False], [True, False, False]])
    boxes = keypoint_bbox(kpts, mask, margin=0.5, aspect_ratio=0.5)
    # 20 wide, 40 high -> already 1:2; grown by half about (20, 40)
    np.testing.assert_allclose(boxes[0], [5., 10., 35., 70.])
    assert np.isnan(boxes[1]).all()  # one keypoint: no box


def _transform_results(category='skirt', seed=0):
    rng = np.random.default_rng(seed)
    kpts = rng.uniform(100, 300, (1, NUM_KEYPOINTS, 2)).astype(np.float32)
    vis = np.zeros((1, NUM_KEYPOINTS), np.float32)
    vis[0, list(CATEGORY_KEYPOINTS[category])] = 1.
    return dict(keypoints=kpts, keypoints_visible=vis,
                bbox=np.array([[0., 0., 512., 512.]], np.float32))


def test_random_keypoint_bbox_holds_the_garment():
    np.random.seed(0)
    always = RandomKeypointBBox(prob=1.0, margin=(0.1, 0.4))
    for seed in range(20):
        res = always(_transform_results(seed=seed))
        exists = res['keypoints_visible'][0] > 0
        k = res['keypoints'][0][exists]
        x1, y1, x2, y2 = res['bbox'][0]
        assert (k[:, 0] > x1).all() and (k[:, 0] < x2).all()
        assert (k[:, 1] > y1).all() and (k[:, 1] < y2).all()
        assert x2 - x1 == pytest.approx(y2 - y1, rel=1e-5)  # square
        side = max(np.ptp(k[:, 0]), np.ptp(k[:, 1]))
        assert 1.1 * side - 1e-3 <= y2 - y1 <= 1.4 * side + 1e-3
    never = RandomKeypointBBox(prob=0.0)
    res = never(_transform_results())
    np.testing.assert_array_equal(res['bbox'], [[0., 0., 512., 512.]])
    lone = _transform_results()
    lone['keypoints_visible'][:] = 0
    lone['keypoints_visible'][0, 3] = 1  # one keypoint: whole image kept
    np.testing.assert_array_equal(always(lone)['bbox'], [[0, 0, 512, 512]])
    with pytest.raises(ValueError, match='margin'):
        RandomKeypointBBox(margin=(0.4, 0.1))


def _canvas_samples(categories, size=128):
    """Samples of a ``size`` x ``size`` canvas that is the image itself."""
    samples = _samples(len(categories), categories)
    for s in samples:
        s.set_metainfo(dict(input_size=(size, size),
                            input_center=np.array([size / 2.] * 2),
                            input_scale=np.array([float(size)] * 2)))
    return samples


def test_the_estimator_predicts_the_second_pass_on_the_garment_box():
    """The crop stage's keypoints are the second pass's, on the box around
    the first pass's keypoints of the given category, in canvas pixels."""
    model = _build(_model_cfg(category_head=False)).eval()
    canvas = torch.rand(2, 3, 128, 128)
    cats = ['skirt', 'dress']
    margin = 0.3

    with torch.no_grad():
        model.test_cfg['crop_stage'] = dict(margin=margin)
        got = model.predict(canvas, _canvas_samples(cats))
        model.test_cfg.pop('crop_stage')
        # by hand: the first pass on the whole canvas at 64x64
        whole = np.array([[0., 0., 128., 128.]] * 2)
        x1 = crop_boxes(canvas, torch.from_numpy(whole), (64, 64), FILL)
        first = model.predict(x1, _samples(2, cats))
        kpts = np.stack([s.pred_instances.keypoints for s in first]) * 2.
        mask = np.zeros((2, NUM_KEYPOINTS), bool)
        for i, c in enumerate(cats):
            mask[i, list(CATEGORY_KEYPOINTS[c])] = True
        boxes = keypoint_bbox(kpts[:, 0], mask, margin)
        x2 = crop_boxes(canvas, torch.from_numpy(boxes), (64, 64), FILL)
        second = model.predict(x2, _samples(2, cats))
    for g, s, box in zip(got, second, boxes):
        want = boxes_to_image(s.pred_instances.keypoints[None], box[None],
                              (64, 64))[0]
        np.testing.assert_allclose(g.pred_instances.keypoints, want,
                                   rtol=1e-5, atol=1e-3)
    # several margins and the first pass fused: the mean of the passes
    with torch.no_grad():
        margins = [margin, 0.1]
        model.test_cfg['crop_stage'] = dict(margin=margins,
                                            fuse_first_pass=True)
        fused = model.predict(canvas, _canvas_samples(cats))
        model.test_cfg.pop('crop_stage')
        passes = [kpts]
        scores = [np.stack([s.pred_instances.keypoint_scores for s in first])]
        for m in margins:
            b = keypoint_bbox(kpts[:, 0], mask, m)
            x = crop_boxes(canvas, torch.from_numpy(b), (64, 64), FILL)
            p = model.predict(x, _samples(2, cats))
            passes.append(boxes_to_image(
                np.stack([s.pred_instances.keypoints for s in p]), b,
                (64, 64)))
            scores.append(np.stack([s.pred_instances.keypoint_scores
                                    for s in p]))
    for i, g in enumerate(fused):
        np.testing.assert_allclose(g.pred_instances.keypoints,
                                   np.mean(passes, 0)[i], rtol=1e-5,
                                   atol=1e-3)
        np.testing.assert_allclose(g.pred_instances.keypoint_scores,
                                   np.mean(scores, 0)[i], rtol=1e-5)
    assert not np.allclose(fused[0].pred_instances.keypoints,
                           got[0].pred_instances.keypoints, atol=1e-2)
    model.test_cfg['crop_stage'] = dict(margin=[])
    with pytest.raises(ValueError, match='at least one margin'):
        model.predict(canvas, _canvas_samples(cats))
    model.test_cfg['crop_stage'] = dict(margin=margin)
    model.test_cfg['output_heatmaps'] = True
    with pytest.raises(ValueError, match='no heatmaps on a common grid'):
        model.predict(canvas, _canvas_samples(cats))
    model.test_cfg.pop('output_heatmaps')
    with pytest.raises(ValueError, match='give each sample its category'):
        model.predict(canvas, _samples(2))


def test_crop_stage_tta_model_runs_the_margins_and_restores_the_model():
    """``--tta`` on a crop-stage config: CropStageTTAModel predicts as the
    model with its margins and the first pass fused, on the one view, and
    leaves the model's own crop stage as it was; bad settings are named."""
    from mmpose_cloth.models import CropStageTTAModel
    model = _build(_model_cfg(category_head=False)).eval()
    model.test_cfg['crop_stage'] = dict(margin=0.25)
    cats = ['skirt', 'trousers']
    imgs = [torch.randint(0, 256, (3, 128, 128), dtype=torch.uint8)
            for _ in cats]

    def view():
        return dict(inputs=list(imgs), data_samples=_canvas_samples(cats))

    tta = CropStageTTAModel(model, margin=(0.15, 0.35),
                            fuse_first_pass=True).eval()
    with torch.no_grad():
        got = tta.test_step({k: [v] for k, v in view().items()})
        assert model.test_cfg['crop_stage'] == dict(margin=0.25)
        plain = model.test_step(view())
        model.test_cfg['crop_stage'] = dict(margin=[0.15, 0.35],
                                            fuse_first_pass=True)
        want = model.test_step(view())
        # fuse_first_pass left out: as the model's crop stage has it
        inherits = CropStageTTAModel(model, margin=(0.15, 0.35)).test_step(
            {k: [v] for k, v in view().items()})
    for g, w, p, i in zip(got, want, plain, inherits):
        np.testing.assert_allclose(i.pred_instances.keypoints,
                                   w.pred_instances.keypoints, rtol=1e-6)
        np.testing.assert_allclose(g.pred_instances.keypoints,
                                   w.pred_instances.keypoints, rtol=1e-6)
        assert not np.allclose(g.pred_instances.keypoints,
                               p.pred_instances.keypoints, atol=1e-2)
    model.test_cfg['crop_stage'] = dict(margin=0.25)
    with pytest.raises(ValueError, match='one view'):
        tta.test_step({k: [v, v] for k, v in view().items()})
    with pytest.raises(ValueError, match='ensemble'):
        CropStageTTAModel(model, ensemble=[dict(config='a', checkpoint='b')])
    with pytest.raises(ValueError, match='at least one margin'):
        CropStageTTAModel(model, margin=())
    model.test_cfg.pop('crop_stage')
    with pytest.raises(ValueError, match="needs a model with test_cfg"):
        CropStageTTAModel(model)
