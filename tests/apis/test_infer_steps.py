"""mmpose_cloth.apis inference steps without a model: plan (which images,
which categories), predict (boxes and batches, with a predictor whose
network is a stand-in: the real test pipeline, constant keypoints) and
write (JSON stream, pictures, result.csv). tests/tools/test_infer.py runs
them end to end with a trained model."""
import csv
import json
import os.path as osp

import cv2
import numpy as np
import pytest

from mmpose_cloth.apis import (GarmentPrediction, GarmentPredictor,
                               InferenceInputError, InferenceWriter,
                               plan_images, predict_images)
from mmpose_cloth.apis.infer_plan import keep_predicted_categories
from mmpose_cloth.apis.infer_predict import ImagePrediction
from mmpose_cloth.apis.infer_write import format_instance, vis_path
from mmpose_cloth.predictors import (TopdownPipeline,
                                     check_predicted_categories,
                                     model_categories, model_keypoint_ids)
from fashionai_format import (CATEGORIES, CATEGORY_KEYPOINTS, KEYPOINT_NAMES,
                              write_test_list)


def _image(path, w=40, h=30):
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((h, w, 3), 128, np.uint8))
    return str(path)


def test_plan_from_the_fashionai_layout_and_a_test_list(tmp_path):
    a = _image(tmp_path / 'x' / 'Images' / 'skirt' / 'a.jpg')
    b = _image(tmp_path / 'x' / 'Images' / 'dress' / 'b.jpg')
    items, warnings = plan_images([str(tmp_path / 'x')])
    assert sorted(items) == [('Images/dress/b.jpg', 'dress', b),
                             ('Images/skirt/a.jpg', 'skirt', a)]
    assert warnings == []
    # a test list: images missing on disk are warned about and left out
    test_csv = str(tmp_path / 'x' / 'test.csv')
    write_test_list(test_csv, ['Images/skirt/a.jpg', 'Images/skirt/gone.jpg'],
                    ['skirt', 'skirt'])
    items, warnings = plan_images(test_csv=test_csv)
    assert items == [('Images/skirt/a.jpg', 'skirt',
                      osp.join(str(tmp_path / 'x'), 'Images/skirt/a.jpg'))]
    assert len(warnings) == 1 and '1 of 2 images' in warnings[0]


def test_plan_errors(tmp_path):
    loose = _image(tmp_path / 'loose.jpg')
    with pytest.raises(InferenceInputError, match='give --category'):
        plan_images([loose])
    assert plan_images([loose], category='blouse')[0] == [
        ('loose.jpg', 'blouse', loose)]
    with pytest.raises(InferenceInputError, match='no such file'):
        plan_images([str(tmp_path / 'nothing.jpg')])
    # the same name in two folders: ids relative to their common folder
    a = _image(tmp_path / 'p' / 'a.jpg')
    b = _image(tmp_path / 'q' / 'a.jpg')
    items, _ = plan_images([a, b], category='skirt')
    assert [i[0] for i in items] == ['p/a.jpg', 'q/a.jpg']


def test_keep_predicted_categories():
    items = [('a', 'skirt', 'a.jpg'), ('b', 'dress', 'b.jpg'),
             ('c', 'skirt', 'c.jpg')]
    kept, warning = keep_predicted_categories(items,
                                              CATEGORY_KEYPOINTS['skirt'],
                                              'skirt.pth')
    assert kept == [items[0], items[2]]
    assert warning == ('skirt.pth predicts the keypoints of skirt only; '
                       'left out: 1 dress (e.g. b.jpg)')
    assert keep_predicted_categories(items, range(24)) == (items, None)
    # none left: a checkpoint for one category on images of another
    with pytest.raises(InferenceInputError) as e:
        keep_predicted_categories(items[1:2], CATEGORY_KEYPOINTS['skirt'],
                                  'skirt.pth')
    assert str(e.value).startswith(
        'skirt.pth predicts the keypoints of skirt only (4 of the 24), but '
        'the images are of another category: 1 dress (e.g. b.jpg). Use a '
        'checkpoint trained for dress')


def test_check_predicted_categories():
    assert model_categories(range(24)) == list(CATEGORIES)
    assert model_categories(CATEGORY_KEYPOINTS['blouse']) == ['blouse']
    items = [('a', 'skirt', 'a.jpg'), ('b', 'dress', 'b.jpg'),
             ('c', None, 'c.jpg'), ('d', 'blouse', 'd.jpg'),
             ('e', 'dress', 'e.jpg')]
    check_predicted_categories(items, range(24))
    check_predicted_categories(items[2:3], CATEGORY_KEYPOINTS['skirt'])
    with pytest.raises(InferenceInputError,
                       match=r'the model predicts the keypoints of skirt '
                       r'only \(4 of the 24\).*: 1 blouse \(e.g. d.jpg\), '
                       r'2 dress \(e.g. b.jpg\)\. Use a checkpoint trained '
                       'for blouse and dress'):
        check_predicted_categories(items, CATEGORY_KEYPOINTS['skirt'])


def test_predict_images_refuses_other_categories_before_predicting():
    calls = []
    predictor = _Constant(calls)
    predictor.keypoint_ids = np.array(CATEGORY_KEYPOINTS['skirt'])
    predictor.name = 'skirt.pth'
    items = [('a', 'skirt', 'a.jpg'), ('b', 'dress', 'b.jpg')]
    with pytest.raises(InferenceInputError, match='skirt.pth predicts .* '
                       r'1 dress \(e.g. b.jpg\)'):
        predict_images(items, predictor)
    assert calls == []
    # the predictor itself refuses the same, for files and arrays alike
    with pytest.raises(InferenceInputError, match=r'1 dress \(e.g. image 0 '
                       r'\(an array\)\)'):
        predictor.predict([np.zeros((8, 8, 3), np.uint8)], categories='dress')
    with pytest.raises(InferenceInputError, match="unknown garment category "
                       "'hat'"):
        predictor.predict('a.jpg', categories=['hat'])
    assert calls == []


def test_model_keypoint_ids():

    class Model:
        dataset_meta = dict(keypoint_id2name={
            0: 'waistband_left', 1: 'waistband_right', 2: 'hemline_left'})

    assert model_keypoint_ids(Model()).tolist() == [
        KEYPOINT_NAMES.index(n)
        for n in ('waistband_left', 'waistband_right', 'hemline_left')]


class _Constant(GarmentPredictor):
    """A predictor whose network is a stand-in: the real test pipeline
    (whole-image boxes, the affine warp), then keypoints at (5, 5) and
    scores 0.5; it notes the image files of each forward batch."""

    def __init__(self, calls):
        pipeline = TopdownPipeline([
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale'),
            dict(type='TopdownAffine', input_size=(32, 32)),
            dict(type='PackPoseInputs')
        ])
        super().__init__(pipeline, np.arange(24), False, 'cpu')
        self.calls = calls

    def _forward(self, samples):
        paths = [s['data_samples'].metainfo['img_path'] for s in samples]
        self.calls.append([p and osp.basename(p) for p in paths])
        self.category_ids = getattr(self, 'category_ids', []) + [
            s['data_samples'].metainfo.get('category_id') for s in samples]
        b = len(samples)
        return np.full((b, 24, 2), 5.0), np.full((b, 24), 0.5), None


def test_predict_images_whole_images(tmp_path):
    calls = []
    items = [(f'{i}.jpg', 'skirt', _image(tmp_path / f'{i}.jpg'))
             for i in range(5)]
    batches = list(predict_images(items, _Constant(calls), batch_size=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert calls == [['0.jpg', '1.jpg'], ['2.jpg', '3.jpg'], ['4.jpg']]
    pred = batches[0][0]
    assert pred.item == items[0] and pred.detected is None
    assert pred.box_scores == [1.0]
    (inst, ) = pred.instances
    assert inst.bbox.tolist() == [0, 0, 39, 29]  # the whole 40 x 30 image
    assert inst.keypoints.shape == (24, 2)
    assert (inst.category, inst.category_source) == ('skirt', 'given')


def test_predict_takes_arrays_boxes_and_categories(tmp_path):
    """Files and BGR arrays, with and without boxes, in one call: one
    prediction each, in order, boxes as given."""
    calls = []
    path = _image(tmp_path / 'a.jpg', 40, 30)
    frame = np.full((20, 50, 3), 7, np.uint8)
    box = np.array([2, 3, 12, 13], np.float32)
    predictor = _Constant(calls)
    preds = predictor.predict([path, frame, frame],
                              boxes=[None, None, box],
                              categories=['skirt', None, 'dress'],
                              batch_size=2)
    assert calls == [['a.jpg', None], [None]]  # an array has no file
    # a given category reaches the model as the dataset gives it (a
    # category-conditioned model predicts that garment)
    assert predictor.category_ids == [4, None, 3]
    assert [p.bbox.tolist() for p in preds] == [[0, 0, 39, 29],
                                                [0, 0, 49, 19],
                                                [2, 3, 12, 13]]
    assert [p.category for p in preds] == ['skirt', None, 'dress']
    assert [p.category_source for p in preds] == ['given', None, 'given']
    with pytest.raises(InferenceInputError, match='1 boxes for 3 images'):
        _Constant(calls).predict([path, frame, frame], boxes=[box])
    # one frame alone, and a stack of frames: one prediction per frame
    assert len(_Constant([]).predict(frame)) == 1
    assert len(_Constant([]).predict(np.stack([frame] * 3))) == 3


def test_writer(tmp_path):
    path = _image(tmp_path / 'Images' / 'skirt' / 'a.jpg', 40, 30)
    items = [('Images/skirt/a.jpg', 'skirt', path)]
    (preds, ) = predict_images(items, _Constant([]))
    out = str(tmp_path / 'out')
    writer = InferenceWriter(out, dict(config='c.py'), vis=True)
    writer.write(preds[0])
    writer.close()
    writer.write_submission()
    data = json.loads(open(osp.join(out, 'keypoints.json')).read())
    assert data['config'] == 'c.py'
    assert data['keypoint_names'] == list(KEYPOINT_NAMES)
    (p, ) = data['predictions']
    # the whole image as the dataset crops it (whole_image_bbox)
    assert p['bbox'] == [0, 0, 39, 29] and p['bbox_score'] == 1.0
    assert 'instances' not in p
    has = CATEGORY_KEYPOINTS['skirt']
    assert [k is not None for k in p['keypoints']] == [
        k in has for k in range(24)]
    rows = list(csv.reader(open(osp.join(out, 'result.csv'))))
    assert rows[1][0] == 'Images/skirt/a.jpg' and rows[1][1] == 'skirt'
    assert osp.isfile(vis_path(out, 'Images/skirt/a.jpg'))
    assert writer.n_vis == 1
    # mean keypoint score 0.5: not low
    assert p['mean_keypoint_score'] == 0.5
    assert writer.low_confidence_report() == (
        'no image with a category confidence below 0.5 or mean keypoint '
        'score below 0.35')


def test_writer_reports_low_confidence(tmp_path):
    """Images under either threshold are written all the same and named
    in the report, the first few with their confidences."""
    paths = [_image(tmp_path / f'{i}.jpg') for i in range(5)]
    writer = InferenceWriter(str(tmp_path / 'out'), dict(config='c.py'),
                             vis=False)
    probs = np.full(len(CATEGORIES), 0.1)
    probs[CATEGORIES.index('dress')] = 0.6
    cases = [  # (given category, keypoint score, category scores)
        ('skirt', 0.9, None),  # fine
        ('skirt', 0.1, None),  # keypoints low
        (None, 0.9, probs),  # dress 0.6: fine
        (None, 0.9, np.full(len(CATEGORIES), 0.2)),  # category low
        (None, 0.2, np.full(len(CATEGORIES), 0.2)),  # both
    ]
    box = np.array([0, 0, 39, 29], np.float32)
    for (given, score, cs), path in zip(cases, paths):
        # the category as a predictor picks it: given, else predicted
        pred = GarmentPredictor._prediction(
            np.full((24, 2), 5.0), np.full(24, score), box, given, cs)
        writer.write(ImagePrediction((osp.basename(path), given, path),
                                     [pred], [1.0], None))
    writer.close()
    data = json.loads(open(writer.json_path).read())['predictions']
    assert len(data) == 5  # written, not hidden
    assert writer.n_predicted == 3
    assert writer.low_confidence_ids == ['1.jpg', '3.jpg', '4.jpg']
    assert writer.low_confidence_report(listed=2) == (
        '3 of 5 images with a category confidence below 0.5 or mean '
        'keypoint score below 0.35 (no garment in the photo?): 1.jpg '
        '(keypoints 0.10), 3.jpg (blouse 0.20) and 1 more')


def test_format_instance_and_vis_path():
    k = np.arange(48, dtype=float).reshape(24, 2) + 0.123
    inst = format_instance(
        GarmentPrediction(k, np.full(24, 0.98765),
                          np.array([1.111, 2, 3, 4]), 'skirt', 'given',
                          None), 0.5)
    assert inst['bbox'] == [1.11, 2.0, 3.0, 4.0]
    assert inst['keypoints'][15] == [30.12, 31.12]
    assert inst['keypoint_scores'][15] == 0.9877
    assert inst['keypoints'][0] is None
    # ids cannot leave OUT_DIR/vis
    assert vis_path('o', '../../a.png') == osp.join('o', 'vis', 'a.jpg')
