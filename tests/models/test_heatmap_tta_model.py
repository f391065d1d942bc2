"""HeatmapTTAModel (tools/test.py --tta / --ensemble): heatmaps resized on
the codecs' grid, one view and a self-ensemble equal the plain model, the
merged heatmaps are the weighted mean of the views' and models', and the
tool's flags reach the runner (real images where ../shared has them)."""
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import REPO, tiny_topdown_cfg


def test_resize_heatmaps_keeps_the_codec_grid():
    """Pixel j of an h-pixel heatmap sits at the fraction j/h of the crop:
    a ramp f = j/h resized to H pixels reads k/H (exact for linear
    interpolation), where F.interpolate's half-pixel grid does not."""
    from mmpose_cloth.models.utils import resize_heatmaps
    h, H = 48, 64
    ramp = (torch.arange(h, dtype=torch.float32) / h).expand(h, h)
    out = resize_heatmaps(ramp[None, None], (H, H))[0, 0]
    k = torch.arange(H, dtype=torch.float32)
    inside = k * h / H <= h - 1  # beyond the last pixel: clamped
    torch.testing.assert_close(out[0][inside], (k / H)[inside])
    torch.testing.assert_close(out[:, 5], out[0, 5].expand(H))  # rows alike
    # same size: the tensor itself
    assert resize_heatmaps(ramp[None, None], (h, h)).data_ptr() == \
        ramp.data_ptr()


@pytest.fixture(scope='module')
def tiny(real_or_synthetic_coco, tmp_path_factory):
    """Two tiny untrained SimpleBaselines (seeds 0 and 1): config path,
    checkpoints, models and a val batch through the test pipeline and
    through a TestTimeAug pipeline of two input sizes (64 and 80)."""
    import mmpose_cloth  # noqa: F401 (first: MMPose on mmcv-lite)
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope
    from mmpose.apis import init_model
    from mmpose.registry import DATASETS, MODELS
    data = real_or_synthetic_coco
    work = str(tmp_path_factory.mktemp('tta'))
    cfg = Config(tiny_topdown_cfg(work, data['split_dir'],
                                  data['paths']['train'],
                                  data['paths']['val']))
    cfg_path = osp.join(work, 'tiny.py')
    cfg.dump(cfg_path)
    init_default_scope('mmpose')
    ckpts = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        model = MODELS.build(cfg.model)
        model.init_weights()
        ckpts.append(osp.join(work, f'seed{seed}.pth'))
        torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpts[-1])
    models = [init_model(cfg_path, c, device='cpu') for c in ckpts]

    def batch(pipeline):
        ds = dict(cfg.test_dataloader.dataset, pipeline=pipeline)
        ds['indices'] = 4
        dataset = DATASETS.build(ds)
        return pseudo_collate([dataset[i] for i in range(len(dataset))])

    load = cfg.test_dataloader.dataset.pipeline[:2]
    tta = dict(type='TestTimeAug', transforms=[
        [dict(type='TopdownAffine', input_size=s) for s in [(64, 64),
                                                            (80, 80)]],
        [dict(type='PackPoseInputs')]])
    one = dict(tta, transforms=[[tta['transforms'][0][0]],
                                tta['transforms'][1]])
    return dict(cfg=cfg_path, ckpts=ckpts, models=models, work=work,
                plain=batch(cfg.test_dataloader.dataset.pipeline),
                one_view=batch(load + [one]), two_views=batch(load + [tta]))


def _keypoints(samples):
    return np.stack([s.pred_instances.keypoints[0] for s in samples])


def _tta(module, **kwargs):
    from mmpose_cloth.models import HeatmapTTAModel
    return HeatmapTTAModel(module=module, **kwargs).eval()


@torch.no_grad()
def test_one_view_and_self_ensemble_are_the_plain_model(tiny):
    model = tiny['models'][0]
    plain = _keypoints(model.test_step(tiny['plain']))
    one_view = _keypoints(_tta(model).test_step(tiny['one_view']))
    np.testing.assert_allclose(one_view, plain, atol=1e-4)
    twice = _tta(model, ensemble=[dict(config=tiny['cfg'],
                                       checkpoint=tiny['ckpts'][0])])
    np.testing.assert_allclose(
        _keypoints(twice.test_step(tiny['plain'])), plain, atol=1e-4)
    # weight 0 for the other model: the tested one alone
    other = _tta(model, ensemble=[dict(config=tiny['cfg'],
                                       checkpoint=tiny['ckpts'][1])],
                 weights=[1, 0])
    np.testing.assert_allclose(
        _keypoints(other.test_step(tiny['plain'])), plain, atol=1e-4)
    # the test_cfg of the tested model is left as it was
    assert 'output_heatmaps' not in model.test_cfg


@torch.no_grad()
def test_views_and_models_are_averaged_as_heatmaps(tiny):
    """Merged heatmaps = the weighted mean of every (model, view) heatmap
    on the tested model's grid; keypoints = their decoding."""
    from mmpose_cloth.models.utils import resize_heatmaps
    m0, m1 = tiny['models']
    tta = _tta(m0, ensemble=[dict(config=tiny['cfg'],
                                  checkpoint=tiny['ckpts'][1])],
               weights=[3, 1])
    merged = tta.test_step(tiny['two_views'])
    views = [{k: v[i] for k, v in tiny['two_views'].items()}
             for i in range(2)]
    expected = 0
    for model, weight in ((m0, 0.75), (m1, 0.25)):
        model.test_cfg['output_heatmaps'] = True
        for view in views:
            hm = torch.stack([s.pred_fields.heatmaps
                              for s in model.test_step(view)])
            expected = expected + resize_heatmaps(hm, (16, 16)) * weight / 2
        model.test_cfg.pop('output_heatmaps')
    got = torch.stack([s.pred_fields.heatmaps for s in merged])
    torch.testing.assert_close(got, expected, atol=1e-6, rtol=1e-5)
    # keypoints are the decoded mean, mapped to the image by the 64 view
    kpts, _ = m0.head.decoder.decode(expected[0].numpy())
    meta = views[0]['data_samples'][0].metainfo
    image_kpts = kpts[0] / meta['input_size'] * meta['input_scale'] + \
        meta['input_center'] - 0.5 * meta['input_scale']
    np.testing.assert_allclose(merged[0].pred_instances.keypoints[0],
                               image_kpts, atol=1e-3)
    assert not np.allclose(_keypoints(merged),
                           _keypoints(m0.test_step(tiny['plain'])))


def test_bad_tta_settings_are_named(tiny):
    from mmpose_cloth.models import HeatmapTTAModel
    model = tiny['models'][0]
    with pytest.raises(ValueError, match='2 weights for 1 models'):
        HeatmapTTAModel(module=model, weights=[1, 1])
    with pytest.raises(KeyError, match=r"ensemble\[0\] needs \['checkpoint'"):
        HeatmapTTAModel(module=model, ensemble=[dict(config=tiny['cfg'])])
    # a view list without the model's own input size
    views = {k: v[1:] for k, v in tiny['two_views'].items()}
    with pytest.raises(ValueError, match=r'input size \(64, 64\)'):
        HeatmapTTAModel(module=model).test_step(views)


def _test_tool(tiny, *args):
    # a work dir of its own: the runner writes the (wrapped) config there
    work = osp.join(tiny['work'], f'test{len(args)}')
    out = osp.join(work, 'metrics.json')
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', 'test.py'), tiny['cfg'],
         tiny['ckpts'][0], '--work-dir', work, '--out', out,
         '--cfg-options', 'test_dataloader.dataset.indices=8', *args],
        capture_output=True, text=True, cwd=REPO, timeout=300)
    return proc, out


def test_tools_test_ensemble_and_tta_flags(tiny):
    proc, out = _test_tool(tiny)
    assert proc.returncode == 0, proc.stderr[-2000:]
    plain = json.load(open(out))['fashionai/NE']
    proc, out = _test_tool(tiny, '--ensemble', tiny['cfg'], tiny['ckpts'][0])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.load(open(out))['fashionai/NE'] == pytest.approx(
        plain, abs=1e-6)
    # the tiny config has no tta_pipeline: the flag says so
    proc, _ = _test_tool(tiny, '--tta')
    assert proc.returncode != 0
    assert 'has no `tta_pipeline`' in proc.stderr


def test_inference_api_takes_tta_and_ensembles(tiny, real_or_synthetic_coco):
    """mmpose_cloth.apis (tools/infer.py --tta / --ensemble): a one-view
    tta_pipeline and a self-ensemble give the plain predictions, two
    views do not; a config without tta_pipeline is refused by name."""
    from mmengine.config import Config
    from mmpose_cloth.apis import InferenceInputError, build_predictor
    ds = tiny['one_view']['data_samples'][0][0]
    paths = [ds.img_path]
    cfg, ckpt = tiny['cfg'], tiny['ckpts'][0]

    def keypoints(predictor):
        return predictor.predict(paths)[0].keypoints

    plain = build_predictor(cfg, ckpt, device='cpu', flip_test=True)
    expected = keypoints(plain)
    twice = build_predictor(cfg, ckpt, device='cpu', flip_test=True,
                            ensemble=[(cfg, ckpt)])
    np.testing.assert_allclose(keypoints(twice), expected, atol=1e-3)
    with pytest.raises(InferenceInputError, match='no `tta_pipeline`'):
        build_predictor(cfg, ckpt, device='cpu', tta=True)
    c = Config.fromfile(cfg)
    load = c.test_dataloader.dataset.pipeline[:2]
    views = []
    for sizes in ([(64, 64)], [(64, 64), (80, 80)]):
        c.tta_pipeline = load + [dict(
            type='TestTimeAug',
            transforms=[[dict(type='TopdownAffine', input_size=s)
                         for s in sizes], [dict(type='PackPoseInputs')]])]
        path = osp.join(tiny['work'], f'tta{len(sizes)}.py')
        c.dump(path)
        views.append(keypoints(build_predictor(path, ckpt, device='cpu',
                                               flip_test=True, tta=True)))
    np.testing.assert_allclose(views[0], expected, atol=1e-3)
    assert not np.allclose(views[1], expected, atol=1e-3)


def test_compile_reaches_every_model_of_the_tta_model(tiny):
    """--compile with --tta/--ensemble compiles the tested model's and the
    ensemble's networks (torch.compile is lazy: nothing runs here), and
    eager_prediction undoes it."""
    from mmpose_cloth.engine import compile_prediction, eager_prediction
    tta = _tta(tiny['models'][0], ensemble=[dict(
        config=tiny['cfg'], checkpoint=tiny['ckpts'][1])])
    nets = [tta.module, tta.ensemble[0]]
    compile_prediction(tta, {})
    for net in nets:
        assert 'extract_feat' in vars(net) and 'forward' in vars(net.head)
    eager_prediction(tta)
    for net in nets:
        assert 'extract_feat' not in vars(net)
        assert 'forward' not in vars(net.head)
