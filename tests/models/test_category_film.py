"""Category-aware keypoints: CategoryFiLM and the estimator conditioning
its keypoint head on the given or the predicted garment category."""
import numpy as np
import pytest
import torch

import mmpose_cloth  # noqa: F401  (first: mmcv-lite compat, registries)
from fashionai_format import CATEGORIES
from mmpose_cloth.models.utils import CategoryFiLM
from test_garment_category import C, _build, _model_cfg, _samples


def _film_cfg(category_head=True, flip=False):
    cfg = _model_cfg(category_head=category_head, flip=flip)
    cfg['category_condition'] = dict(type='CategoryFiLM', in_channels=(C, ))
    return cfg


def _perturb(film: CategoryFiLM, seed: int = 0) -> None:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in [*film.gamma, *film.beta]:
            p.copy_(torch.randn(p.shape, generator=g))


def test_film_starts_as_identity_and_modulates_per_category():
    film = CategoryFiLM(in_channels=(4, 6))
    feats = (torch.randn(3, 4, 5, 5), torch.randn(3, 6, 2, 2))
    labels = torch.tensor([0, 2, 4])
    for a, b in zip(film(feats, labels), feats):
        assert torch.equal(a, b)
    _perturb(film)
    out = film(feats, labels)
    for x, y, gamma, beta in zip(feats, out, film.gamma, film.beta):
        for i, c in enumerate(labels.tolist()):
            want = x[i] * (1 + gamma[c])[:, None, None] + \
                beta[c][:, None, None]
            torch.testing.assert_close(y[i], want)
    with pytest.raises(ValueError, match='2 levels'):
        film(feats[:1], labels)


def test_conditioned_prediction_follows_the_given_category():
    model = _build(_film_cfg(category_head=False)).eval()
    _perturb(model.category_condition)
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        skirt = model.predict(x, _samples(2, ['skirt', 'skirt']))
        mixed = model.predict(x, _samples(2, ['skirt', 'blouse']))
    kp = [s.pred_instances.keypoints for s in (skirt + mixed)]
    np.testing.assert_array_equal(kp[0], kp[2])  # same category, same input
    assert not np.allclose(kp[1], kp[3])  # another category, other heatmaps
    with pytest.raises(ValueError, match='no category head'):
        model.predict(x, _samples(2))  # no category anywhere


@pytest.mark.parametrize('flip', [False, True])
def test_predicted_category_is_used_where_none_is_given(flip):
    model = _build(_film_cfg(category_head=True, flip=flip)).eval()
    _perturb(model.category_condition)
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        free = model.predict(x, _samples(2))
        labels = [int(s.pred_instances.category_labels[0]) for s in free]
        given = model.predict(x, _samples(2, [CATEGORIES[c] for c in labels]))
        other = [CATEGORIES[(c + 1) % 5] for c in labels]
        wrong = model.predict(x, _samples(2, other))
        model.test_cfg['category_source'] = 'predicted'
        forced = model.predict(x, _samples(2, other))
    for f, g, w, p in zip(free, given, wrong, forced):
        np.testing.assert_allclose(f.pred_instances.keypoints,
                                   g.pred_instances.keypoints)
        np.testing.assert_allclose(f.pred_instances.keypoints,
                                   p.pred_instances.keypoints)
        assert not np.allclose(f.pred_instances.keypoints,
                               w.pred_instances.keypoints)
    # which category the keypoints were conditioned on, for the metric
    for samples, want in [(free, labels), (given, labels),
                          (wrong, [CATEGORIES.index(c) for c in other]),
                          (forced, labels)]:
        assert [int(s.pred_instances.conditioned_category_labels[0])
                for s in samples] == want
    model.test_cfg['category_source'] = 'guess'
    with pytest.raises(ValueError, match="'given' or 'predicted'"):
        model.predict(x, _samples(2))


def test_training_moves_only_the_labelled_categories():
    model = _build(_film_cfg(category_head=True)).train()
    data = _samples(2, ['dress', 'trousers'])
    for s in data:  # a target somewhere, so the keypoint loss has a gradient
        s.gt_fields.heatmaps[:, 5, 5] = 1.
    losses = model.loss(torch.rand(2, 3, 64, 64), data)
    assert set(losses) >= {'loss_kpt', 'loss_category'}
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    grad = model.category_condition.gamma[0].grad.abs().sum(-1)
    used = [CATEGORIES.index('dress'), CATEGORIES.index('trousers')]
    assert (grad[used] > 0).all()
    assert (grad[[i for i in range(5) if i not in used]] == 0).all()


def test_an_unconditioned_checkpoint_loads_and_predicts_the_same():
    plain = _build(_model_cfg(category_head=True)).eval()
    film = _build(_film_cfg(category_head=True)).eval()
    missing, unexpected = film.load_state_dict(plain.state_dict(),
                                               strict=False)
    assert not unexpected
    assert all(k.startswith('category_condition.') for k in missing)
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        a = plain.predict(x, _samples(2, ['dress', 'skirt']))
        b = film.predict(x, _samples(2, ['dress', 'skirt']))
    for s, t in zip(a, b):
        np.testing.assert_array_equal(s.pred_instances.keypoints,
                                      t.pred_instances.keypoints)


def test_onnx_export_conditions_on_the_given_or_predicted_category(
        tmp_path):
    """The exported network takes the category to condition on: -1 for its
    own prediction, as category_source='predicted' does in PyTorch, or the
    given one, as 'given' does."""
    ort = pytest.importorskip('onnxruntime')
    pytest.importorskip('onnx')
    from mmengine.config import Config
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from fashionai_format import fashionai_metainfo
    from mmpose_cloth.deploy import export_onnx
    cfg = _film_cfg(category_head=True)
    model = _build(cfg).eval()
    _perturb(model.category_condition)
    model.cfg = Config(dict(model=cfg))
    model.dataset_meta = parse_pose_metainfo(fashionai_metainfo())
    onnx_file = str(tmp_path / 'film.onnx')
    export_onnx(model, onnx_file)
    x = torch.rand(3, 3, 64, 64)
    sess = ort.InferenceSession(onnx_file,
                                providers=['CPUExecutionProvider'])
    assert [i.name for i in sess.get_inputs()] == ['input', 'category']
    skirt = CATEGORIES.index('skirt')
    heatmaps, logits = sess.run(None, dict(
        input=x.numpy(), category=np.full(3, -1, np.int64)))
    skirt_heatmaps, _ = sess.run(None, dict(
        input=x.numpy(), category=np.full(3, skirt, np.int64)))
    model.test_cfg.update(category_source='predicted', output_heatmaps=True)
    with torch.no_grad():
        given = ['skirt'] * 3  # ignored: the predicted category counts
        _, fields, _, labels = model._predict_view(x, _samples(3, given))
        model.test_cfg['category_source'] = 'given'
        _, skirt_fields, _, _ = model._predict_view(x, _samples(3, given))
    np.testing.assert_array_equal(labels.numpy(), logits.argmax(-1))
    scale = np.abs(heatmaps).max()  # a random head's heatmaps are tiny
    for hm, f in zip(heatmaps, fields):
        np.testing.assert_allclose(hm, f.heatmaps.numpy(), rtol=0,
                                   atol=1e-4 * scale)
    for hm, f in zip(skirt_heatmaps, skirt_fields):
        np.testing.assert_allclose(hm, f.heatmaps.numpy(), rtol=0,
                                   atol=1e-4 * scale)
    not_skirt = labels.numpy() != skirt
    assert not_skirt.any()  # so the condition is seen
    i = int(np.argmax(not_skirt))
    assert not np.allclose(heatmaps[i], skirt_fields[i].heatmaps.numpy(),
                           rtol=0, atol=1e-2 * scale)
