"""Inference with no garment category given: a tiny model with a category
head (ResNet-18, 64x64, trained jointly for two iterations on real images,
synthetic ones where ../shared is absent), then its classifier set by hand
so that the prediction is known. tools/infer.py on a plain folder,
mmpose_cloth.apis, MMPoseInferencer and the ONNX runner predict the
category, write and draw only its keypoints; a given category wins; a
model without the head still needs the category."""
import csv
import importlib.util
import json
import os.path as osp
import shutil

import mmcv
import numpy as np
import pytest
import torch

import mmpose_cloth  # noqa: F401  (first: mmcv-lite compat, registries)
from conftest import REPO, tiny_topdown_cfg
from fashionai_format import CATEGORIES, CATEGORY_KEYPOINTS, KEYPOINT_NAMES

#: the category the hand-set classifier predicts
SURE = 'trousers'


@pytest.fixture(scope='module')
def infer_tool():
    spec = importlib.util.spec_from_file_location(
        'infer_tool_category', osp.join(REPO, 'tools', 'infer.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _set_classifier(ckpt: str, out: str, bias) -> str:
    """A copy of ``ckpt`` whose category classifier gives ``softmax(bias)``
    whatever the image."""
    state = torch.load(ckpt, map_location='cpu', weights_only=False)
    sd = state['state_dict']
    sd['category_head.fc.weight'] = torch.zeros_like(
        sd['category_head.fc.weight'])
    sd['category_head.fc.bias'] = torch.tensor(bias, dtype=torch.float32)
    torch.save(state, out)
    return out


@pytest.fixture(scope='module')
def trained(real_or_synthetic_coco, tmp_path_factory):
    """Config files (with and without the category head) and checkpoints:
    ``sure`` predicts SURE with probability ~1, ``unsure`` gives every
    category 0.2 (as for a photo with no garment)."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    data = real_or_synthetic_coco
    work = tmp_path_factory.mktemp('infer_category')
    raw = tiny_topdown_cfg(str(work), data['split_dir'],
                           data['paths']['train'], data['paths']['val'])
    raw['model'].update(
        type='GarmentPoseEstimator',
        category_head=dict(type='GarmentCategoryHead', in_channels=512))
    # MMPoseInferencer reads both
    raw.update(data_mode='topdown', dataset_type='FashionAIDataset')
    raw['val_evaluator'] = [dict(type='FashionAIMetric'),
                            dict(type='GarmentCategoryMetric')]
    cfg = Config(raw)
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=2, by_epoch=False,
        save_optimizer=False, save_param_scheduler=False)
    runner = Runner.from_cfg(cfg)
    runner.train()
    # the labels travelled through the real pipeline into both losses and
    # the validation's category metric
    scalars = runner.message_hub.log_scalars
    assert np.isfinite(scalars['train/loss_category'].current())
    assert 'train/loss_kpt' in scalars
    assert 0 <= scalars['val/category/accuracy'].current() <= 1
    cfg_path = str(work / 'category.py')
    cfg.dump(cfg_path)
    plain = Config(raw)
    plain.model.pop('category_head')
    plain.model.type = 'TopdownPoseEstimator'
    plain_path = str(work / 'plain.py')
    plain.dump(plain_path)
    ckpt = str(work / 'iter_2.pth')
    sure = [0.] * len(CATEGORIES)
    sure[CATEGORIES.index(SURE)] = 30.
    return dict(cfg=cfg_path, plain_cfg=plain_path, ckpt=ckpt,
                sure=_set_classifier(ckpt, str(work / 'sure.pth'), sure),
                unsure=_set_classifier(ckpt, str(work / 'unsure.pth'),
                                       [0.] * len(CATEGORIES)))


@pytest.fixture(scope='module')
def photos(real_or_synthetic_coco, tmp_path_factory):
    """A plain folder (no Images/<category>/ layout, no test list) with
    one image of each category, under new names."""
    data = real_or_synthetic_coco
    out = tmp_path_factory.mktemp('photos')
    seen = set()
    for im in data['coco']['images']:
        cat = im['file_name'].split('/')[1]
        if cat in seen:
            continue
        seen.add(cat)
        shutil.copy(osp.join(data['split_dir'], im['file_name']),
                    out / f'shop_{len(seen)}.jpg')
    assert len(seen) == len(CATEGORIES)
    return str(out)


def _run(tool, args, out):
    code = tool.main(list(args) + ['--out-dir', str(out), '--device',
                                   'cpu'])
    preds = json.loads((out / 'keypoints.json').read_text())['predictions']
    rows = list(csv.DictReader(open(out / 'result.csv')))
    return code, preds, rows


def _only_category_keypoints(row, cat):
    has = {KEYPOINT_NAMES[k] for k in CATEGORY_KEYPOINTS[cat]}
    for name in KEYPOINT_NAMES:
        assert (row[name] != '-1_-1_-1') == (name in has), (name, cat)


def test_plain_folder_gets_the_predicted_category(infer_tool, trained,
                                                  photos, tmp_path, capsys):
    out = tmp_path / 'out'
    code, preds, rows = _run(infer_tool, [trained['cfg'], trained['sure'],
                                          photos], out)
    assert code == 0
    assert len(preds) == len(rows) == len(CATEGORIES)
    for p, row in zip(preds, rows):
        assert p['category'] == SURE and p['category_source'] == 'predicted'
        assert p['category_confidence'] > 0.99
        assert max(p['category_scores'], key=p['category_scores'].get) == SURE
        has = set(CATEGORY_KEYPOINTS[SURE])
        assert [k is not None for k in p['keypoints']] == [
            k in has for k in range(24)]
        assert row['image_id'] == p['image_id']
        assert row['image_category'] == SURE
        _only_category_keypoints(row, SURE)
        assert (out / 'vis' / p['image_id']).is_file()
    printed = capsys.readouterr().out
    assert f'{len(CATEGORIES)} {SURE}' in printed
    assert f'category predicted for {len(CATEGORIES)} images\n' in printed
    assert f'{SURE} 1.00' not in printed  # a sure category is not low


def test_a_given_category_wins(infer_tool, trained, photos, tmp_path):
    code, preds, rows = _run(infer_tool, [trained['cfg'], trained['sure'],
                                          photos, '--category', 'skirt'],
                             tmp_path / 'out')
    assert code == 0
    for p, row in zip(preds, rows):
        assert p['category'] == 'skirt' and p['category_source'] == 'given'
        # the model's probability of the given category, reported as is
        assert p['category_confidence'] < 0.01
        assert row['image_category'] == 'skirt'
        _only_category_keypoints(row, 'skirt')


def test_low_confidence_is_reported_not_hidden(infer_tool, trained, photos,
                                               tmp_path, capsys):
    code, preds, rows = _run(infer_tool, [trained['cfg'], trained['unsure'],
                                          photos], tmp_path / 'out')
    assert code == 0 and len(rows) == len(CATEGORIES)
    for p in preds:
        assert p['category_source'] == 'predicted'
        assert p['category_confidence'] == pytest.approx(0.2, abs=1e-3)
        assert isinstance(p['mean_keypoint_score'], float)
    printed = capsys.readouterr().out
    assert f'category predicted for {len(CATEGORIES)} images\n' in printed
    assert (f'{len(CATEGORIES)} of {len(CATEGORIES)} images with a category '
            'confidence below 0.5') in printed
    assert f'{preds[0]["image_id"]} ({preds[0]["category"]} 0.20' in printed


def test_a_photo_with_no_garment_is_reported(infer_tool, trained, tmp_path,
                                             capsys):
    """Photos with no garment (a cup of coffee, a flat gray picture) are
    predicted and written like any other, their category confidence and
    mean keypoint score in the JSON, and named in the summary where either
    is low (what the model makes of them is not the point)."""
    import cv2
    import skimage.data
    folder = tmp_path / 'no_garment'
    folder.mkdir()
    cv2.imwrite(str(folder / 'coffee.jpg'), skimage.data.coffee()[..., ::-1])
    cv2.imwrite(str(folder / 'gray.png'), np.full((96, 128, 3), 128,
                                                  np.uint8))
    runs = {
        'category head': [trained['cfg'], trained['unsure'], str(folder)],
        'category given': [trained['plain_cfg'], trained['ckpt'],
                           str(folder), '--category', 'dress'],
    }
    for how, args in runs.items():
        capsys.readouterr()
        code, preds, rows = _run(infer_tool, args, tmp_path / how)
        assert code == 0, how
        assert sorted(p['image_id'] for p in preds) == ['coffee.jpg',
                                                        'gray.png']
        assert len(rows) == 2
        (report, ) = [line for line in capsys.readouterr().out.splitlines()
                      if 'mean keypoint score below' in line]
        low = []
        for p in preds:
            assert isinstance(p['mean_keypoint_score'], float), how
            conf = p['category_confidence']
            if how == 'category head':
                assert isinstance(conf, float)
            else:
                assert conf is None  # no head: nothing to report
            if (p['mean_keypoint_score'] < 0.35
                    or conf is not None and conf < 0.5):
                low.append(p['image_id'])
        assert low, how  # a two-iteration model: unsure of everything
        assert report.startswith(f'{len(low)} of 2 images with a '), report
        for image_id in low:
            assert f'{image_id} (' in report, (how, report)


def test_without_a_category_head_the_category_is_still_needed(
        infer_tool, trained, photos, tmp_path, capsys):
    args = [trained['plain_cfg'], trained['ckpt'], photos, '--out-dir',
            str(tmp_path / 'out'), '--device', 'cpu']
    assert infer_tool.main(args) == 2
    err = capsys.readouterr().err
    assert 'category of 5 image(s) is unknown' in err
    assert 'the model does not predict it: give --category' in err
    assert not (tmp_path / 'out').exists()  # nothing written
    # with the category given, the same checkpoint works as before
    assert infer_tool.main(args + ['--category', 'dress']) == 0
    preds = json.loads(
        (tmp_path / 'out' / 'keypoints.json').read_text())['predictions']
    assert {p['category'] for p in preds} == {'dress'}
    assert all(p['category_confidence'] is None for p in preds)
    assert all('category_scores' not in p for p in preds)


def test_apis_predict_the_category(trained, photos):
    from mmpose_cloth.apis import build_predictor
    predictor = build_predictor(trained['cfg'], trained['sure'], 'cpu')
    assert predictor.predicts_category
    paths = sorted(osp.join(photos, n) for n in ('shop_1.jpg', 'shop_2.jpg'))
    preds = predictor.predict(paths)
    probs = np.stack([p.category_scores for p in preds])
    assert probs.shape == (2, len(CATEGORIES))
    assert (probs.argmax(-1) == CATEGORIES.index(SURE)).all()
    assert [(p.category, p.category_source) for p in preds] == [
        (SURE, 'predicted')] * 2
    # the same images as BGR arrays (as cv2 reads them): the same
    # predictions
    arrays = predictor.predict([mmcv.imread(p) for p in paths])
    for a, b in zip(preds, arrays):
        np.testing.assert_array_equal(a.keypoints, b.keypoints)
        np.testing.assert_array_equal(a.category_scores, b.category_scores)
    # the keypoint head's own scores, not zeroed outside the category
    s = np.stack([p.scores for p in preds])
    others = [i for i in range(24) if i not in CATEGORY_KEYPOINTS[SURE]]
    assert (s[:, others] != 0).all()
    assert not build_predictor(trained['plain_cfg'], trained['ckpt'],
                               'cpu').predicts_category


def test_mmpose_inferencer_draws_only_the_category(trained, photos,
                                                   tmp_path):
    from mmpose.apis import MMPoseInferencer
    inferencer = MMPoseInferencer(pose2d=trained['cfg'],
                                  pose2d_weights=trained['sure'],
                                  det_model='whole_image', device='cpu')
    image = osp.join(photos, 'shop_1.jpg')
    (result, ) = list(inferencer(image, vis_out_dir=str(tmp_path / 'vis')))
    pred = result['predictions'][0][0]
    scores = np.asarray(pred['keypoint_scores'])
    has = list(CATEGORY_KEYPOINTS[SURE])
    others = [i for i in range(24) if i not in has]
    # MMPose's visualizer draws a keypoint, and a link, only above kpt_thr
    assert (scores[others] == 0).all()
    assert np.asarray(pred['keypoints']).shape == (24, 2)
    assert (tmp_path / 'vis' / 'shop_1.jpg').is_file()


def test_onnx_runner_reports_the_category(trained, photos, tmp_path,
                                          infer_tool):
    pytest.importorskip('onnx')
    pytest.importorskip('onnxruntime')
    from mmpose_cloth.apis import build_predictor
    from mmpose_cloth.deploy import export_onnx
    paths = [osp.join(photos, f'shop_{i}.jpg') for i in (1, 2, 3)]
    # the trained classifier (image-dependent, so flip test matters) and
    # the hand-set one
    for name in ('ckpt', 'sure'):
        reference = build_predictor(trained['cfg'], trained[name], 'cpu')
        onnx_file = str(tmp_path / f'{name}.onnx')
        info = export_onnx(reference.model, onnx_file)
        assert info['outputs'] == ['heatmaps', 'category_logits']
        runner = build_predictor(None, onnx_file, 'cpu')
        assert runner.predicts_category
        assert runner.device == 'CPU (ONNX Runtime)'
        ort, pt = runner.predict(paths), reference.predict(paths)
        np.testing.assert_allclose(
            np.stack([p.category_scores for p in ort]),
            np.stack([p.category_scores for p in pt]), rtol=0, atol=1e-6)
        np.testing.assert_allclose(np.stack([p.keypoints for p in ort]),
                                   np.stack([p.keypoints for p in pt]),
                                   atol=0.5)
    results = {}
    for name, weights in (('pth', trained['sure']), ('onnx', onnx_file)):
        code, preds, _ = _run(infer_tool, [trained['cfg'], weights, photos,
                                           '--no-vis'], tmp_path / name)
        assert code == 0
        assert {p['category'] for p in preds} == {SURE}
        results[name] = (tmp_path / name / 'result.csv').read_text()
    assert results['onnx'] == results['pth']


def test_predict_category_overrides_the_folder_layout(
        infer_tool, trained, real_or_synthetic_coco, tmp_path):
    """``--predict-category`` ignores the category the Images/<category>/
    layout names (how the README measures the head on the val split)."""
    data = real_or_synthetic_coco
    image = osp.join(data['split_dir'], next(
        im['file_name'] for im in data['coco']['images']
        if '/skirt/' in im['file_name']))
    args = [trained['cfg'], trained['sure'], image]
    code, preds, rows = _run(infer_tool, args, tmp_path / 'layout')
    assert code == 0 and preds[0]['category'] == 'skirt'
    assert preds[0]['category_source'] == 'given'
    code, preds, rows = _run(infer_tool, args + ['--predict-category'],
                             tmp_path / 'predicted')
    assert code == 0
    assert preds[0]['image_id'].startswith('Images/skirt/')
    assert preds[0]['category'] == SURE
    assert preds[0]['category_source'] == 'predicted'
    _only_category_keypoints(rows[0], SURE)


def test_mmpose_inferencer_draws_the_garment_skeleton(trained, photos,
                                                      tmp_path):
    """The configs' visualizer (FashionAIPoseLocalVisualizer) is
    MMPoseInferencer's: its picture of a prediction with the category
    head is that visualizer's drawing, and an outwear gets no blouse
    armpit -> top hem link, which MMPose's union skeleton would draw (an
    untrained model's keypoints lie on top of each other, so the link is
    checked on the inferencer's own sample with its keypoints moved
    apart)."""
    from mmpose.apis import MMPoseInferencer
    from mmpose.visualization import PoseLocalVisualizer
    from mmpose_cloth.visualization import FashionAIPoseLocalVisualizer
    bias = [0.] * len(CATEGORIES)
    bias[CATEGORIES.index('outwear')] = 30.
    weights = _set_classifier(trained['ckpt'], str(tmp_path / 'outwear.pth'),
                              bias)
    inferencer = MMPoseInferencer(pose2d=trained['cfg'],
                                  pose2d_weights=weights,
                                  det_model='whole_image', device='cpu')
    pose2d = inferencer.inferencer
    assert isinstance(pose2d.visualizer, FashionAIPoseLocalVisualizer)
    image = osp.join(photos, 'shop_2.jpg')
    settings = dict(radius=3, thickness=1, kpt_thr=1e-3)
    (result, ) = list(inferencer(image, return_datasamples=True,
                                 return_vis=True, vis_out_dir=str(
                                     tmp_path / 'vis'), **settings))
    assert (tmp_path / 'vis' / 'shop_2.jpg').is_file()
    (picture, ) = result['visualization']
    sample = result['predictions'][0]
    assert sample.pred_instances.category_labels.tolist() == [
        CATEGORIES.index('outwear')]
    rgb = mmcv.imread(image, channel_order='rgb')

    def drawn_by(visualizer, sample):
        visualizer.set_dataset_meta(pose2d.model.dataset_meta)
        visualizer.radius = settings['radius']
        visualizer.line_width = settings['thickness']
        return visualizer.add_datasample(
            'x', rgb.copy(), sample, draw_gt=False,
            kpt_thr=settings['kpt_thr'])

    np.testing.assert_array_equal(
        picture, drawn_by(FashionAIPoseLocalVisualizer(name='garment_vis'),
                          sample))
    # the sample's keypoints apart: blouse's link at x = 20, every other
    # keypoint right of x = 50, all of them above kpt_thr
    h, w = rgb.shape[:2]
    kpts = np.array([(50 + (w - 60) * (i % 6) / 5, 10 + (h - 20) * (i // 6)
                      / 3) for i in range(24)], np.float32)
    ends = [(20, 10), (20, h - 10)]
    for name, xy in zip(('armpit_left', 'top_hem_left'), ends):
        kpts[KEYPOINT_NAMES.index(name)] = xy
    sample.pred_instances.keypoints = kpts[None]
    raw = sample.pred_instances.raw_keypoint_scores
    has = list(CATEGORY_KEYPOINTS['outwear'])
    scores = np.zeros_like(raw)
    scores[:, has] = 1.
    sample.pred_instances.keypoint_scores = scores
    sample.pred_instances.keypoints_visible = scores
    (moved, ) = pose2d.visualize([image], [sample], return_vis=True,
                                 **settings)
    union = drawn_by(PoseLocalVisualizer(name='union_vis'), sample)
    ys = np.arange(h // 4, 3 * h // 4)
    assert (union[ys, 20] != rgb[ys, 20]).any(-1).all()  # the link
    np.testing.assert_array_equal(moved[ys, 19:22], rgb[ys, 19:22])
