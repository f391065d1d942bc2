"""tools/infer.py on FashionAI images (the real subset where ../shared has
it, else a synthetic split) with a model trained for two iterations:
keypoints JSON, a submission the offline evaluator scores, and pictures;
category from a test list or the folder layout; detector boxes filtered by
score, class and NMS; a detector that cannot run on mmcv-lite fails with a
clear message."""
import csv
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from conftest import REPO, load_tool, train_tiny_checkpoint


@pytest.fixture(scope='module')
def infer_tool():
    return load_tool('tools/infer.py', 'infer_tool')


@pytest.fixture(scope='module')
def trained(real_or_synthetic_coco, tmp_path_factory):
    """A tiny SimpleBaseline (ResNet-18, 64x64) after two iterations on
    real images (synthetic ones where ../shared is absent): config file and
    checkpoint."""
    return train_tiny_checkpoint(real_or_synthetic_coco,
                       str(tmp_path_factory.mktemp('infer_work')))


@pytest.fixture(scope='module')
def split_dir(real_or_synthetic_coco):
    """The split folder the model was trained on."""
    return real_or_synthetic_coco['split_dir']


@pytest.fixture(scope='module')
def test_list(split_dir, tmp_path_factory):
    """A test list of two images per category (present on disk) and its
    answer file."""
    from fashionai_format import (CATEGORIES, read_annotations,
                                  write_annotations, write_test_list)
    out = tmp_path_factory.mktemp('test_list')
    records = read_annotations(
        osp.join(split_dir, 'Annotations', 'train.csv')).records
    picks = []
    for cat in CATEGORIES:
        picks += [
            r for r in records if r.category == cat
            and osp.isfile(osp.join(split_dir, r.image_id))
        ][:2]
    test_csv, answers = str(out / 'test.csv'), str(out / 'answers.csv')
    write_test_list(test_csv, [r.image_id for r in picks],
                    [r.category for r in picks])
    write_annotations(answers, picks)
    return dict(csv=test_csv, answers=answers, records=picks)


def test_infer_test_list(infer_tool, trained, test_list, split_dir,
                         tmp_path, capsys):
    from fashionai_format import CATEGORY_KEYPOINTS, KEYPOINT_NAMES
    out = tmp_path / 'out'
    rc = infer_tool.main([
        trained['cfg'], trained['ckpt'], '--test-csv', test_list['csv'],
        '--root', split_dir, '--out-dir',
        str(out), '--batch-size', '4', '--device', 'cpu'
    ])
    printed = capsys.readouterr()
    assert rc == 0, printed.err[-3000:]
    assert '10 images (2 blouse, 2 outwear, 2 dress, 2 skirt, 2 trousers)' \
        in printed.out

    # keypoints.json: 24 entries per image, null where the category has none
    data = json.loads((out / 'keypoints.json').read_text())
    assert data['keypoint_names'] == list(KEYPOINT_NAMES)
    assert data['flip_test'] is True
    preds = data['predictions']
    assert [p['image_id'] for p in preds] == \
        [r.image_id for r in test_list['records']]
    for p in preds:
        has = CATEGORY_KEYPOINTS[p['category']]
        assert len(p['keypoints']) == 24
        for k, xy in enumerate(p['keypoints']):
            assert (xy is not None) == (k in has), (p['image_id'], k)
            if xy is not None:
                assert len(xy) == 2 and all(np.isfinite(xy))
        assert osp.isfile(p['image_path'])
        assert p['bbox'][:2] == [0, 0] and p['bbox_score'] == 1.0

    # result.csv: a submission the offline evaluator scores in full
    with open(out / 'result.csv') as f:
        rows = list(csv.reader(f))
    assert len(rows) == 11 and len(rows[0]) == 26
    # only the category's keypoints, the others -1_-1_-1 (the format's rule;
    # the evaluator would ignore them, other scorers may not)
    for row in rows[1:]:
        has = CATEGORY_KEYPOINTS[row[1]]
        for k, cell in enumerate(row[2:]):
            assert (cell == '-1_-1_-1') == (k not in has), (row[0], k, cell)
    evaluator = load_tool('tools/analysis/fashionai_eval.py', 'eval_tool')
    assert evaluator.main(['--gt', test_list['answers'], '--pred',
                           str(out / 'result.csv'), '--json']) == 0
    res = json.loads(capsys.readouterr().out)
    assert np.isfinite(res['NE']) and res['count'] > 0
    assert res['missing'] == 0 and res['unreadable'] == 0
    assert res['images'] == 10

    # pictures: one per image, where the image id says, not blank
    pics = sorted(
        osp.relpath(osp.join(d, n), out / 'vis')
        for d, _, names in os.walk(out / 'vis') for n in names)
    assert pics == sorted(
        osp.splitext(r.image_id)[0] + '.jpg' for r in test_list['records'])
    pic = cv2.imread(str(out / 'vis' / pics[0]))
    src = cv2.imread(preds[0]['image_path'])
    assert pic.shape == src.shape
    assert pic.std() > 20
    assert np.abs(pic.astype(int) - src).max() > 100  # something was drawn


def test_infer_folder_in_fashionai_layout(infer_tool, trained, test_list,
                                          split_dir, tmp_path, capsys):
    # images in Images/<category>/ folders: the category comes from there
    root = tmp_path / 'photos'
    for r in test_list['records'][6:]:  # skirt and trousers
        dst = root / r.image_id
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(osp.join(split_dir, r.image_id), dst)
    out = tmp_path / 'out'
    rc = infer_tool.main([
        trained['cfg'], trained['ckpt'],
        str(root), '--out-dir',
        str(out), '--no-vis', '--no-flip', '--device', 'cpu'
    ])
    assert rc == 0, capsys.readouterr().err[-3000:]
    data = json.loads((out / 'keypoints.json').read_text())
    assert data['flip_test'] is False
    assert sorted(p['image_id'] for p in data['predictions']) == sorted(
        r.image_id for r in test_list['records'][6:])
    cats = {p['category'] for p in data['predictions']}
    assert cats == {'skirt', 'trousers'}
    assert not (out / 'vis').exists()

    # an image whose category cannot be told: a clear error
    loose = tmp_path / 'loose.jpg'
    os.symlink(osp.join(split_dir, test_list['records'][0].image_id),
               loose)
    capsys.readouterr()
    rc = infer_tool.main([
        trained['cfg'], trained['ckpt'],
        str(loose), '--out-dir',
        str(tmp_path / 'out2'), '--device', 'cpu'
    ])
    assert rc == 2
    assert 'give --category' in capsys.readouterr().err
    # ... which --category settles
    rc = infer_tool.main([
        trained['cfg'], trained['ckpt'],
        str(loose), '--category', 'blouse', '--out-dir',
        str(tmp_path / 'out2'), '--device', 'cpu'
    ])
    assert rc == 0
    data = json.loads((tmp_path / 'out2' / 'keypoints.json').read_text())
    assert data['predictions'][0]['image_id'] == 'loose.jpg'
    assert data['predictions'][0]['category'] == 'blouse'


@pytest.fixture(scope='module')
def tiny_detector(tmp_path_factory):
    """A tiny RetinaNet (5 classes) built by MMDetection, untrained, as
    config and checkpoint files."""
    pytest.importorskip('mmdet')
    import torch
    from mmdet.apis import init_detector
    out = tmp_path_factory.mktemp('detector')
    det_cfg = out / 'retinanet_tiny.py'
    det_cfg.write_text(TINY_RETINANET)
    det = init_detector(str(det_cfg), None, device='cpu')
    det_ckpt = out / 'retinanet_tiny.pth'
    torch.save({'state_dict': det.state_dict(), 'meta': {}}, det_ckpt)
    return dict(cfg=str(det_cfg), ckpt=str(det_ckpt))


#: What the stubbed MMDetection call returns for the first image:
#: x1, y1, x2, y2, score, class. With --bbox-thr 0.3 --nms-thr 0.3
#: --det-cat-id 0 2 the project keeps A, F, C, in this order.
RAW_DETECTIONS = np.array([
    [70, 10, 120, 60, 0.5, 2],  # C: kept
    [100, 100, 127, 127, 0.2, 0],  # below the score threshold
    [12, 12, 62, 62, 0.8, 0],  # overlaps A (IoU 0.86): suppressed
    [10, 70, 60, 120, 0.95, 1],  # the best score, but class 1 is not asked
    [10, 10, 60, 60, 0.9, 0],  # A: kept, the best
    [72, 12, 122, 62, 0.4, 0],  # overlaps C of another class: suppressed
    [40, 70, 100, 120, 0.6, 2],  # F: kept
])
KEPT_BOXES = [[10, 10, 60, 60], [40, 70, 100, 120], [70, 10, 120, 60]]
KEPT_SCORES = [0.9, 0.6, 0.5]


def test_infer_with_detector_boxes(infer_tool, trained, test_list,
                                   split_dir, tiny_detector, tmp_path,
                                   monkeypatch, capsys):
    """Several boxes in one image: only MMDetection's inference call is
    stubbed, so the project's own filtering (score threshold, class ids, NMS
    over all classes, best first) decides the instances; one instance per
    kept box, the best one in the submission, boxes drawn."""
    import mmdet.apis
    import torch
    from mmengine.structures import InstanceData
    from mmdet.structures import DetDataSample

    calls = []

    def fake_inference_detector(detector, paths):
        calls.append(list(paths))
        results = []
        for i in range(len(paths)):
            raw = RAW_DETECTIONS if i == 0 else np.zeros((0, 6))
            results.append(DetDataSample(pred_instances=InstanceData(
                bboxes=torch.tensor(raw[:, :4], dtype=torch.float32),
                scores=torch.tensor(raw[:, 4], dtype=torch.float32),
                labels=torch.tensor(raw[:, 5], dtype=torch.int64))))
        return results

    monkeypatch.setattr(mmdet.apis, 'inference_detector',
                        fake_inference_detector)
    out = tmp_path / 'out'
    recs = test_list['records'][:2]
    paths = [osp.join(split_dir, r.image_id) for r in recs]
    rc = infer_tool.main([
        trained['cfg'], trained['ckpt'], *paths, '--out-dir',
        str(out), '--device', 'cpu', '--det-config', tiny_detector['cfg'],
        '--det-checkpoint', tiny_detector['ckpt'], '--bbox-thr', '0.3',
        '--nms-thr', '0.3', '--det-cat-id', '0', '2'
    ])
    assert rc == 0, capsys.readouterr().err[-3000:]
    assert calls == [paths]  # one detector call for the batch
    preds = json.loads((out / 'keypoints.json').read_text())['predictions']
    first, second = preds
    assert [i['bbox'] for i in first['instances']] == KEPT_BOXES
    assert [i['bbox_score'] for i in first['instances']] == \
        pytest.approx(KEPT_SCORES)
    assert first['bbox_source'] == 'detector'
    assert first['keypoints'] == first['instances'][0]['keypoints']
    assert first['bbox_score'] == pytest.approx(0.9)
    assert second['bbox_source'].startswith('whole image')
    assert len(second['instances']) == 1
    assert len(list((out / 'vis').rglob('*.jpg'))) == 2


def test_detector_needs_mmcv_ops(infer_tool, trained, test_list,
                                 split_dir, tiny_detector, tmp_path, capsys):
    """mmcv-lite has no NMS: a real MMDetection detector fails with a
    message that says why and what to do, and exit status 3."""
    from mmpose_cloth import compat
    if compat.has_real_mmcv_ops():
        pytest.skip('a full mmcv with compiled ops is installed')
    det_cfg, det_ckpt = tiny_detector['cfg'], tiny_detector['ckpt']
    capsys.readouterr()
    rc = infer_tool.main([
        trained['cfg'], trained['ckpt'],
        osp.join(split_dir, test_list['records'][0].image_id),
        '--category', 'blouse', '--out-dir',
        str(tmp_path / 'out'), '--device', 'cpu', '--det-config',
        str(det_cfg), '--det-checkpoint',
        str(det_ckpt)
    ])
    err = capsys.readouterr().err
    assert rc == 3, err[-3000:]
    assert 'error: the detector cannot run with the installed mmcv' in err
    assert 'mmcv-lite' in err and 'leave out --det-config' in err
    assert 'Traceback' not in err


TINY_RETINANET = """
default_scope = 'mmdet'
model = dict(
    type='RetinaNet',
    data_preprocessor=dict(
        type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_size_divisor=32),
    backbone=dict(type='ResNet', depth=18, num_stages=4, out_indices=(1, 2, 3),
                  norm_cfg=dict(type='BN', requires_grad=False),
                  norm_eval=True, style='pytorch'),
    neck=dict(type='FPN', in_channels=[128, 256, 512], out_channels=16,
              start_level=0, add_extra_convs='on_input', num_outs=5),
    bbox_head=dict(
        type='RetinaHead', num_classes=5, in_channels=16, stacked_convs=1,
        feat_channels=16,
        anchor_generator=dict(type='AnchorGenerator', octave_base_scale=4,
                              scales_per_octave=3, ratios=[0.5, 1.0, 2.0],
                              strides=[8, 16, 32, 64, 128]),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder',
                        target_means=[.0, .0, .0, .0],
                        target_stds=[1.0, 1.0, 1.0, 1.0]),
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0,
                      alpha=0.25, loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    test_cfg=dict(nms_pre=100, min_bbox_size=0, score_thr=0.05,
                  nms=dict(type='nms', iou_threshold=0.5), max_per_img=10))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor'))
]
test_dataloader = dict(dataset=dict(
    type='CocoDataset', pipeline=test_pipeline,
    metainfo=dict(classes=('blouse', 'outwear', 'dress', 'skirt',
                           'trousers'))))
"""


def test_submission_scores_what_validation_measured(infer_tool, trained,
                                                     split_dir, tmp_path,
                                                     capsys):
    """One prediction path: ``tools/test.py`` on the validation images and
    ``tools/infer.py --test-csv`` on the same images, its ``result.csv``
    scored by the offline evaluator, give the same NE to 0.01 points, and
    the keypoints agree to float rounding (they crop the same box: MMPose's
    datasets clip the converter's whole-image box to the last pixel)."""
    import subprocess
    import sys

    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmpose.registry import DATASETS

    from fashionai_format import (CATEGORY_KEYPOINTS, read_annotations,
                                  write_annotations, write_test_list)
    metrics = tmp_path / 'metrics.json'
    proc = subprocess.run([
        sys.executable, f'{REPO}/tools/test.py', trained['cfg'],
        trained['ckpt'], '--work-dir', str(tmp_path / 'test'), '--out',
        str(metrics), '--dump', str(tmp_path / 'preds.pkl')
    ], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ne_test = json.loads(metrics.read_text())

    cfg = Config.fromfile(trained['cfg'])
    with DefaultScope.overwrite_default_scope('mmpose'):  # not a detector's
        dataset = DATASETS.build(cfg.test_dataloader.dataset)
    image_ids = [
        osp.relpath(dataset.get_data_info(i)['img_path'], split_dir)
        for i in range(len(dataset))
    ]
    by_id = {
        r.image_id: r
        for r in read_annotations(
            osp.join(split_dir, 'Annotations', 'train.csv')).records
    }
    records = [by_id[i] for i in image_ids]
    test_csv, answers = str(tmp_path / 'val.csv'), str(tmp_path / 'gt.csv')
    write_test_list(test_csv, image_ids, [r.category for r in records])
    write_annotations(answers, records)
    out = tmp_path / 'infer'
    assert infer_tool.main([
        trained['cfg'], trained['ckpt'], '--test-csv', test_csv, '--root',
        split_dir, '--out-dir', str(out), '--device', 'cpu', '--no-vis'
    ]) == 0
    evaluator = load_tool('tools/analysis/fashionai_eval.py', 'eval_tool')
    capsys.readouterr()
    assert evaluator.main(['--gt', answers, '--pred',
                           str(out / 'result.csv'), '--json']) == 0
    ne_infer = json.loads(capsys.readouterr().out)
    assert ne_infer['images'] == ne_test['fashionai/images'] == len(records)
    assert abs(ne_infer['NE'] - ne_test['fashionai/NE']) < 1e-4

    # the keypoints themselves: tools/test.py's dump vs keypoints.json
    import pickle
    with open(tmp_path / 'preds.pkl', 'rb') as f:
        dumped = {
            osp.relpath(p['img_path'], split_dir): p
            for p in pickle.load(f)
        }
    inferred = json.loads((out / 'keypoints.json').read_text())
    for pred in inferred['predictions']:
        has = list(CATEGORY_KEYPOINTS[pred['category']])
        ref = np.asarray(dumped[pred['image_id']]['pred_instances']
                         ['keypoints'])[0][has]
        np.testing.assert_allclose(
            np.asarray([pred['keypoints'][k] for k in has]), ref, atol=0.01)


def _write_video(path, images, size=(96, 96), fps=5):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'),
                             fps, size)
    for img in images:
        writer.write(cv2.resize(cv2.imread(img), size))
    writer.release()


def test_infer_video(infer_tool, trained, test_list, split_dir, tmp_path,
                     capsys):
    """A video in: every frame predicted (the given category for each),
    an annotated video with as many frames, the keypoints per frame in
    JSON, nothing left under a .part name; a file that is not a video and a
    video without a category for a model without a category head: clear
    errors, nothing written."""
    frames = [
        osp.join(split_dir, r.image_id) for r in test_list['records']
        if r.category == 'skirt'
    ] * 3  # 6 frames
    video = tmp_path / 'clip.mp4'
    _write_video(video, frames)
    out = tmp_path / 'out'
    rc = infer_tool.main([
        trained['cfg'], trained['ckpt'], str(video), '--category', 'skirt',
        '--out-dir', str(out), '--device', 'cpu', '--batch-size', '4'
    ])
    printed = capsys.readouterr()
    assert rc == 0, printed.err[-3000:]
    assert 'clip.mp4: 6 frames' in printed.out
    data = json.loads((out / 'clip.json').read_text())
    assert data['size'] == [96, 96] and data['category_decided'] == \
        'per frame'
    assert [f['frame'] for f in data['frames']] == list(range(6))
    from fashionai_format import CATEGORY_KEYPOINTS
    for f in data['frames']:
        assert f['category'] == 'skirt' and f['category_source'] == 'given'
        has = [k for k, xy in enumerate(f['keypoints']) if xy is not None]
        assert has == sorted(CATEGORY_KEYPOINTS['skirt'])
    cap = cv2.VideoCapture(str(out / 'clip.mp4'))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 6
    ok, first = cap.read()
    assert ok and first.shape == (96, 96, 3)
    assert not list(out.glob('*.part*'))

    # each frame's keypoints are those of the same decoded frame predicted
    # as an image
    cap = cv2.VideoCapture(str(video))
    stills = tmp_path / 'stills'
    stills.mkdir()
    for i in range(6):
        ok, img = cap.read()
        cv2.imwrite(str(stills / f'{i}.png'), img)
    assert infer_tool.main([
        trained['cfg'], trained['ckpt'], str(stills), '--category', 'skirt',
        '--out-dir', str(tmp_path / 'stills_out'), '--device', 'cpu',
        '--no-vis'
    ]) == 0
    capsys.readouterr()
    by_id = {p['image_id']: p for p in json.loads(
        (tmp_path / 'stills_out' / 'keypoints.json').read_text())
        ['predictions']}
    for f in data['frames']:
        still = by_id[f'{f["frame"]}.png']['keypoints']
        for a, b in zip(f['keypoints'], still):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, atol=0.01)

    bad = tmp_path / 'broken.mp4'
    bad.write_bytes(b'not a video' * 100)
    rc = infer_tool.main([
        trained['cfg'], trained['ckpt'], str(bad), '--category', 'skirt',
        '--out-dir', str(tmp_path / 'bad'), '--device', 'cpu'
    ])
    assert rc == 2
    assert 'cannot read video' in capsys.readouterr().err
    assert not (tmp_path / 'bad' / 'broken.json').exists()
    rc = infer_tool.main([
        trained['cfg'], trained['ckpt'], str(video), '--out-dir',
        str(tmp_path / 'nocat'), '--device', 'cpu'
    ])
    assert rc == 2
    assert 'no category head' in capsys.readouterr().err


@pytest.fixture(scope='module')
def trained_skirt(real_or_synthetic_coco, tmp_path_factory):
    """A per-category checkpoint: the tiny model for the 4 skirt keypoints
    (``FashionAIDataset(category='skirt')``, ``out_channels=4``)."""
    return train_tiny_checkpoint(real_or_synthetic_coco,
                       str(tmp_path_factory.mktemp('infer_skirt')), 'skirt')


def test_a_category_checkpoint_on_another_category_stops(
        infer_tool, trained_skirt, test_list, split_dir, tmp_path, capsys):
    """A skirt checkpoint on dresses (by --category, by the Images/dress/
    layout, for a video): status 2 before anything is written, naming the
    checkpoint, its category, the images' category and a file. On a full
    test list it predicts the skirts and says which images it left out."""
    from fashionai_format import CATEGORY_KEYPOINTS
    dresses = [r.image_id for r in test_list['records']
               if r.category == 'dress']
    layout = tmp_path / 'layout'
    for image_id in dresses:
        dst = layout / image_id
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(osp.join(split_dir, image_id), dst)
    video = tmp_path / 'dress.mp4'
    _write_video(video, [osp.join(split_dir, i) for i in dresses])
    photo = osp.join(split_dir, dresses[0])
    for name, inputs, example in (
            ('category', [photo, '--category', 'dress'], photo),
            ('layout', [str(layout)], str(layout / dresses[0])),
            ('video', [str(video), '--category', 'dress'], str(video))):
        out = tmp_path / f'out_{name}'
        capsys.readouterr()
        rc = infer_tool.main([trained_skirt['cfg'], trained_skirt['ckpt']] +
                             inputs + ['--out-dir', str(out), '--device',
                                       'cpu'])
        err = capsys.readouterr().err
        assert rc == 2, (name, err)
        n = 1 if name != 'layout' else len(dresses)
        # the example is the first dress found (the layout is listed sorted)
        example = example if name != 'layout' else \
            str(layout / sorted(dresses)[0])
        assert (f'error: {trained_skirt["ckpt"]} predicts the keypoints of '
                f'skirt only (4 of the 24), but the images are of another '
                f'category: {n} dress (e.g. {example}). Use a checkpoint '
                'trained for dress') in err, (name, err)
        assert not out.exists(), name  # nothing written, not even a folder

    # a test list of all five: the skirts predicted, the others named
    out = tmp_path / 'test_list'
    rc = infer_tool.main([
        trained_skirt['cfg'], trained_skirt['ckpt'], '--test-csv',
        test_list['csv'], '--root', split_dir, '--out-dir', str(out),
        '--device', 'cpu', '--no-vis'
    ])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert (f'warning: {trained_skirt["ckpt"]} predicts the keypoints of '
            'skirt only; left out: 2 blouse (e.g. ') in err
    preds = json.loads((out / 'keypoints.json').read_text())['predictions']
    assert [p['category'] for p in preds] == ['skirt', 'skirt']
    has = CATEGORY_KEYPOINTS['skirt']
    for p in preds:
        assert all((xy is not None) == (k in has)
                   for k, xy in enumerate(p['keypoints']))


def test_apis_refuse_a_category_checkpoint_on_another_category(
        trained_skirt, test_list, split_dir, tmp_path):
    """The same stop through mmpose_cloth.apis, before any prediction."""
    from mmpose_cloth.apis import (InferenceInputError, build_predictor,
                                   predict_images, predict_video)
    predictor = build_predictor(trained_skirt['cfg'], trained_skirt['ckpt'],
                                device='cpu')
    assert predictor.name == trained_skirt['ckpt']
    record = next(r for r in test_list['records'] if r.category == 'dress')
    path = osp.join(split_dir, record.image_id)
    with pytest.raises(InferenceInputError,
                       match=r'skirt only .*1 dress \(e.g. ' + path):
        predict_images([(record.image_id, 'dress', path)], predictor)
    with pytest.raises(InferenceInputError,
                       match=r'skirt only .*1 dress \(e.g. ' + path):
        predictor.predict(path, categories='dress')
    video = tmp_path / 'clip.mp4'
    _write_video(video, [path])
    with pytest.raises(InferenceInputError, match=r'1 dress \(e.g. .*clip'):
        predict_video(predictor, str(video), str(tmp_path / 'out'), 'dress')
    assert not (tmp_path / 'out').exists()
