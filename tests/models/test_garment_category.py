"""The garment-category head and the estimator that carries it, on a
narrow ResNet-18 with random weights: shapes and loss of the head, the
category in predictions (other categories' keypoint scores zeroed, raw
scores kept), a model without the head unchanged, and the frozen keypoint
model that only the category head trains."""
import numpy as np
import pytest
import torch

import mmpose_cloth  # noqa: F401  (first: mmcv-lite compat, registries)
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData, PixelData

from fashionai_format import CATEGORIES, CATEGORY_KEYPOINTS, NUM_KEYPOINTS

init_default_scope('mmpose')

C = 128  # the narrow ResNet-18's last level


def _model_cfg(category_head=True, freeze=False, flip=False):
    codec = dict(type='MSRAHeatmap', input_size=(64, 64),
                 heatmap_size=(16, 16), sigma=2)
    cfg = dict(
        type='GarmentPoseEstimator',
        data_preprocessor=dict(type='PoseDataPreprocessor',
                               mean=[128.] * 3, std=[64.] * 3),
        backbone=dict(type='ResNet', depth=18, stem_channels=16,
                      base_channels=16, out_indices=(3, )),
        head=dict(type='HeatmapHead', in_channels=C,
                  out_channels=NUM_KEYPOINTS, deconv_out_channels=(16, 16, 16),
                  deconv_kernel_sizes=(4, 4, 4),
                  loss=dict(type='KeypointMSELoss', use_target_weight=True),
                  decoder=codec),
        test_cfg=dict(flip_test=flip, flip_mode='heatmap',
                      shift_heatmap=False),
        freeze_keypoint_model=freeze)
    if category_head:
        cfg['category_head'] = dict(type='GarmentCategoryHead',
                                    in_channels=C, dropout=0.)
    return cfg


def _build(cfg):
    from mmpose.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def _samples(n, categories=None):
    from mmpose.structures import PoseDataSample
    out = []
    for i in range(n):
        s = PoseDataSample(metainfo=dict(
            input_center=np.array([32., 32.]), input_scale=np.array([64.,
                                                                     64.]),
            input_size=(64, 64), flip_indices=list(range(NUM_KEYPOINTS))))
        if categories is not None:
            s.set_metainfo(dict(category_id=np.array(
                CATEGORIES.index(categories[i]) + 1)))
        s.gt_instances = InstanceData(
            bboxes=np.array([[0., 0., 63., 63.]]),
            bbox_scores=np.ones(1))
        target = torch.zeros(NUM_KEYPOINTS, 16, 16)
        s.gt_fields = PixelData(heatmaps=target)
        s.gt_instance_labels = InstanceData(
            keypoint_weights=torch.ones(1, NUM_KEYPOINTS))
        out.append(s)
    return out


def test_head_shapes_and_loss():
    from mmpose.registry import MODELS
    head = MODELS.build(dict(type='GarmentCategoryHead', in_channels=C,
                             dropout=0., loss_weight=2.0))
    feats = (torch.randn(3, 64, 8, 8), torch.randn(3, C, 2, 2))
    logits = head(feats)
    assert logits.shape == (3, len(CATEGORIES))
    probs = head.predict(feats)
    torch.testing.assert_close(probs.sum(-1), torch.ones(3))
    flipped = tuple(f.flip(-1) for f in feats)
    both = head.predict([feats, flipped], flip_test=True)
    torch.testing.assert_close(
        both, 0.5 * (probs + head.predict(flipped)))
    cats = ['blouse', 'skirt', 'trousers']
    losses = head.loss(feats, _samples(3, cats))
    want = torch.nn.functional.cross_entropy(
        logits, torch.tensor([0, 3, 4])) * 2.0
    torch.testing.assert_close(losses['loss_category'], want)
    assert 0 <= float(losses['acc_category']) <= 1
    with pytest.raises(KeyError, match='category_id'):
        head.loss(feats, _samples(3))
    with pytest.raises(ValueError, match=f'\\(B, {C}, H, W\\)'):
        head((torch.randn(3, 7, 2, 2), ))


def test_predict_adds_the_category_and_zeroes_other_categories():
    model = _build(_model_cfg(flip=True)).eval()
    # make 'skirt' the sure prediction
    with torch.no_grad():
        model.category_head.fc.bias.copy_(
            torch.tensor([0., 0., 0., 20., 0.]))
    inputs = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        res = model.predict(inputs, _samples(2))
    skirt = list(CATEGORY_KEYPOINTS['skirt'])
    others = [k for k in range(NUM_KEYPOINTS) if k not in skirt]
    for r in res:
        p = r.pred_instances
        assert p.category_scores.shape == (1, len(CATEGORIES))
        np.testing.assert_allclose(p.category_scores.sum(-1), 1, rtol=1e-5)
        assert p.category_labels.tolist() == [CATEGORIES.index('skirt')]
        assert p.category_confidences[0] > 0.99
        assert p.keypoints.shape == (1, NUM_KEYPOINTS, 2)
        assert (p.keypoint_scores[0, others] == 0).all()
        np.testing.assert_array_equal(p.keypoint_scores[0, skirt],
                                      p.raw_keypoint_scores[0, skirt])
        assert (p.raw_keypoint_scores[0, others] != 0).all()
        # what MMPose's visualizer thresholds
        np.testing.assert_array_equal(p.keypoints_visible,
                                      p.keypoint_scores)


def test_a_model_without_the_head_predicts_as_before():
    from mmpose.models import TopdownPoseEstimator  # noqa: F401
    plain_cfg = dict(_model_cfg(category_head=False),
                     type='TopdownPoseEstimator')
    plain_cfg.pop('freeze_keypoint_model')
    plain = _build(plain_cfg).eval()
    ours = _build(_model_cfg(category_head=False)).eval()
    ours.load_state_dict(plain.state_dict())
    inputs = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        a = plain.predict(inputs, _samples(2))
        b = ours.predict(inputs, _samples(2))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.pred_instances.keypoints,
                                      y.pred_instances.keypoints)
        np.testing.assert_array_equal(x.pred_instances.keypoint_scores,
                                      y.pred_instances.keypoint_scores)
        assert 'category_labels' not in y.pred_instances
    # a keypoint checkpoint loads into the model with the head: only the
    # head's weights are missing
    with_head = _build(_model_cfg())
    missing, unexpected = with_head.load_state_dict(plain.state_dict(),
                                                    strict=False)
    assert sorted(missing) == ['category_head.fc.bias',
                               'category_head.fc.weight']
    assert not unexpected


def test_joint_loss_has_both_terms():
    model = _build(_model_cfg()).train()
    cats = ['dress', 'outwear']
    losses = model.loss(torch.randn(2, 3, 64, 64), _samples(2, cats))
    assert 'loss_kpt' in losses and 'loss_category' in losses
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert model.backbone.conv1.weight.grad is not None
    assert model.category_head.fc.weight.grad is not None


def test_frozen_keypoint_model_trains_only_the_category_head():
    model = _build(_model_cfg(freeze=True)).train()
    assert not model.backbone.training and not model.head.training
    assert model.category_head.training
    before = {k: v.clone() for k, v in model.state_dict().items()
              if not k.startswith('category_head')}
    losses = model.loss(torch.randn(4, 3, 64, 64) * 3,
                        _samples(4, ['skirt'] * 4))
    assert set(losses) == {'loss_category', 'acc_category'}
    losses['loss_category'].backward()
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable == ['category_head.fc.weight', 'category_head.fc.bias']
    assert all(p.grad is None for n, p in model.named_parameters()
               if not n.startswith('category_head'))
    # BatchNorm statistics did not move in the training-mode forward
    for k, v in model.state_dict().items():
        if k in before:
            torch.testing.assert_close(v, before[k])
    with pytest.raises(ValueError, match='give category_head'):
        _build(_model_cfg(category_head=False, freeze=True))


def test_category_metric():
    from mmpose_cloth.evaluation import GarmentCategoryMetric
    metric = GarmentCategoryMetric()
    truth = ['blouse', 'skirt', 'skirt', 'trousers']
    pred = ['blouse', 'skirt', 'trousers', 'trousers']
    metric.process([], [
        dict(raw_ann_info=dict(category=t),
             pred_instances=dict(category_labels=np.array(
                 [CATEGORIES.index(p)]))) for t, p in zip(truth, pred)
    ])
    out = metric.compute_metrics(metric.results)
    assert out['accuracy'] == 0.75 and out['images'] == 4
    assert out['accuracy/skirt'] == 0.5
    assert out['accuracy/trousers'] == 1.0
    assert 'accuracy/dress' not in out
    with pytest.raises(KeyError, match='category_head'):
        metric.process([], [dict(raw_ann_info=dict(category='skirt'),
                                 pred_instances=dict())])


def test_efficientnet_lite_tail_is_the_backbone_top():
    """The tail on level 3 gives the backbone's level 4 with the same
    weights (loaded by the backbone's names), and the head trains through
    it."""
    from mmpose.registry import MODELS
    torch.manual_seed(0)
    backbone = MODELS.build(dict(type='EfficientNetLite', arch='lite0',
                                 out_indices=(3, 4))).eval()
    tail = MODELS.build(dict(type='EfficientNetLiteTail', arch='lite0',
                             start_level=4)).eval()
    missing, _ = tail.load_state_dict(backbone.state_dict(), strict=False)
    assert not missing
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        c4, c5 = backbone(x)
        (out, ) = tail(c4)
    assert c4.shape[1] == tail.in_channels == 112
    torch.testing.assert_close(out, c5)
    head = MODELS.build(dict(type='GarmentCategoryHead', in_index=0,
                             in_channels=1280, branch=dict(
                                 type='EfficientNetLiteTail', arch='lite0')))
    losses = head.loss((c4, ), _samples(2, ['dress', 'skirt']))
    losses['loss_category'].backward()
    assert head.branch.conv_head.weight.grad is not None
    with pytest.raises(ValueError, match='expects \\(B, 112, H, W\\)'):
        tail(torch.randn(1, 40, 8, 8))
