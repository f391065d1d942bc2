"""ONNX export and the ONNX Runtime predictor: the same keypoints as
PyTorch (preprocessing, flip test and decoding included), for CPN (the
RefineNet output) and SimpleBaseline, all 24 keypoints or one category."""
import importlib.util
import json
import os.path as osp
import re

import numpy as np
import pytest

from conftest import REPO, tiny_topdown_cfg

_OPTIONAL = 'optional: pip install -r requirements/optional.txt'
onnx = pytest.importorskip('onnx', reason=f'onnx is {_OPTIONAL}')
ort = pytest.importorskip('onnxruntime', reason=f'onnxruntime is {_OPTIONAL}')

#: Keypoints may differ by float noise only; a different heatmap maximum
#: would move a keypoint by a heatmap pixel (4 input pixels or more).
MAX_PX = 0.5


#: A narrow ResNet-18 (16 channels at the stem instead of 64): the same
#: layers, a 16th of the weights, a fast export.
WIDTHS = (16, 32, 64, 128)


def _small_cfg(cfg: dict, cpn: bool) -> dict:
    """The tiny config on a narrow ResNet-18, with a CPN head (GlobalNet +
    RefineNet on the four levels) or SimpleBaseline's deconvolution head."""
    cfg['model']['backbone'] = dict(
        type='ResNet', depth=18, stem_channels=16, base_channels=16,
        out_indices=(0, 1, 2, 3) if cpn else (3, ))
    head = cfg['model']['head']
    if cpn:
        cfg['model']['head'] = dict(
            type='CPNHead', in_channels=WIDTHS,
            out_channels=head['out_channels'], unit_channels=32,
            decoder=head['decoder'])
    else:
        head['in_channels'] = WIDTHS[-1]
    return cfg


def _model(tmp_path, split, category=None, cpn=True, flip=True):
    """A randomly initialised model (parity needs no training), its config
    file and a checkpoint of it."""
    import torch
    from mmengine.config import Config
    from mmpose.apis import init_model
    cfg = tiny_topdown_cfg(str(tmp_path), split['root'], split['ann_file'],
                           split['ann_file'], category=category)
    cfg = _small_cfg(cfg, cpn)
    cfg['model']['test_cfg']['flip_test'] = flip
    cfg = Config(cfg)
    cfg_path = str(tmp_path / 'model.py')
    cfg.dump(cfg_path)
    torch.manual_seed(0)
    model = init_model(cfg, None, device='cpu')
    from fashionai_format import fashionai_metainfo
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    model.dataset_meta = parse_pose_metainfo(fashionai_metainfo(category))
    ckpt = str(tmp_path / 'model.pth')
    torch.save({'state_dict': model.state_dict(),
                'meta': {'dataset_meta': model.dataset_meta}}, ckpt)
    return model, cfg_path, ckpt


def _images(split, category=None, n=None):
    paths = [
        osp.join(split['root'], im['file_name'])
        for im in split['coco']['images']
    ]
    if category:
        paths = [p for p in paths if f'/{category}/' in p]
    return paths[:n]


@pytest.mark.parametrize('category,cpn,flip', [
    (None, True, True),      # CPN, all 24 keypoints, flip test
    ('skirt', False, False)  # SimpleBaseline, one category (4), no flip
])
def test_onnx_runtime_matches_pytorch(synthetic_split, tmp_path, category,
                                      cpn, flip):
    import torch
    from mmpose_cloth.apis import build_predictor
    from mmpose_cloth.deploy import (HeatmapForward, export_onnx,
                                     read_onnx_metadata)
    from mmpose_cloth.predictors import TopdownPipeline
    from fashionai_format import CATEGORY_KEYPOINTS
    model, cfg_path, ckpt = _model(tmp_path, synthetic_split, category, cpn,
                                   flip)
    onnx_file = str(tmp_path / 'model.onnx')
    info = export_onnx(model, onnx_file)
    num_kpts = 24 if category is None else len(CATEGORY_KEYPOINTS[category])
    assert info['num_keypoints'] == num_kpts
    assert info['input_size'] == (64, 64) and info['heatmap_size'] == (16, 16)
    meta = read_onnx_metadata(onnx_file)
    assert len(json.loads(meta['dataset_meta'])['keypoint_names']) == \
        num_kpts

    # the config, keypoints and flip pairs come from the file itself
    predictor = build_predictor(None, onnx_file, 'cpu', onnx_threads=1)
    assert predictor.flip_test is flip
    images = _images(synthetic_split, category, n=6)
    pt = build_predictor(cfg_path, ckpt, 'cpu').predict(images)
    ort = predictor.predict(images, batch_size=4)
    k_pt, s_pt = (np.stack([p.keypoints for p in pt]),
                  np.stack([p.scores for p in pt]))
    k_ort, s_ort = (np.stack([p.keypoints for p in ort]),
                    np.stack([p.scores for p in ort]))

    # same keypoints (NaN exactly where the model predicts nothing)
    assert np.array_equal(np.isnan(k_pt), np.isnan(k_ort))
    ok = ~np.isnan(k_pt[..., 0])
    assert ok.sum(-1).tolist() == [num_kpts] * len(images)
    diff = np.abs(k_pt - k_ort)[ok]
    inputs, _ = predictor.preprocess(images)
    # the input is the model's own pipeline and data_preprocessor, bit for
    # bit (the runner builds them from the config)
    from mmengine.dataset import pseudo_collate
    pipeline = TopdownPipeline(model.cfg.test_dataloader.dataset.pipeline)
    batch = pseudo_collate([pipeline(p)[0] for p in images])
    with torch.no_grad():
        want = model.data_preprocessor(batch, False)['inputs'].numpy()
    np.testing.assert_array_equal(inputs, want)
    with torch.no_grad():
        hm_pt = HeatmapForward(model)(torch.from_numpy(inputs)).numpy()
    hm_diff = np.abs(hm_pt - predictor.run_network(inputs)[0]).max()
    print(f'\n{"CPN" if cpn else "SimpleBaseline"} '
          f'{category or "all"}: max |PyTorch - ONNX Runtime| '
          f'{diff.max():.2e} px over {len(images)} images x {num_kpts} '
          f'keypoints; heatmaps {hm_diff:.2e} (values up to '
          f'{np.abs(hm_pt).max():.2f})')
    assert diff.max() < MAX_PX
    assert hm_diff <= 1e-4 * max(1.0, np.abs(hm_pt).max())
    np.testing.assert_allclose(s_ort[ok], s_pt[ok], rtol=1e-3, atol=1e-5)


def test_export_tool_checks_and_benchmarks(real_split_dir, synthetic_split,
                                           tmp_path, capsys):
    """tools/deploy/export_onnx.py on real images, at another input size
    than the config's: writes the model, prints the parity and the
    speed comparison."""
    spec = importlib.util.spec_from_file_location(
        'export_onnx_tool', osp.join(REPO, 'tools', 'deploy',
                                     'export_onnx.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    _, cfg_path, ckpt = _model(tmp_path, synthetic_split, None, cpn=True)
    images = osp.join(real_split_dir, 'Images', 'dress')
    out = str(tmp_path / 'export' / 'cpn.onnx')
    rc = tool.main([
        cfg_path, ckpt, out, '--input-size', '96x96', '--check', images,
        '--max-images', '2', '--batch-size', '2', '--benchmark', '--runs',
        '1'
    ])
    printed = capsys.readouterr().out
    print(printed)
    assert rc == 0
    assert 'input (B, 3, 96, 96) -> heatmaps (B, 24, 24, 24)' in printed
    m = re.search(r'max \|PyTorch - ONNX Runtime\| = ([\d.e+-]+) px',
                  printed)
    assert m and float(m.group(1)) < MAX_PX, printed
    assert 'check on 2 images' in printed
    assert re.search(r'network, batch 2 +[\d.]+ ms +[\d.]+ ms', printed)
    assert re.search(r'end to end, 2 images', printed)

    model = onnx.load(out)
    assert model.opset_import[0].version == 17
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == 'batch'  # a variable batch size
    assert [d.dim_value for d in dims[1:]] == [3, 96, 96]


def test_infer_tool_runs_an_onnx_checkpoint(synthetic_split, tmp_path,
                                            capsys):
    """tools/infer.py with CHECKPOINT.onnx: ONNX Runtime, the same
    submission as with the .pth checkpoint."""
    from mmpose_cloth.deploy import export_onnx
    model, cfg_path, ckpt = _model(tmp_path, synthetic_split, None, cpn=True)
    onnx_file = str(tmp_path / 'model.onnx')
    export_onnx(model, onnx_file)
    spec = importlib.util.spec_from_file_location(
        'infer_tool_onnx', osp.join(REPO, 'tools', 'infer.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    test_csv = osp.join(synthetic_split['root'], 'test.csv')
    results = {}
    for name, weights in (('pth', ckpt), ('onnx', onnx_file)):
        out = tmp_path / name
        assert tool.main([cfg_path, weights, '--test-csv', test_csv,
                          '--out-dir', str(out), '--device', 'cpu',
                          '--no-vis']) == 0
        results[name] = (out / 'result.csv').read_text()
    printed = capsys.readouterr().out
    assert 'on CPU (ONNX Runtime)' in printed
    assert results['onnx'] == results['pth']
    assert results['onnx'].count('\n') == 11  # header + 2 per category


def test_export_rejects_an_unsupported_opset(synthetic_split, tmp_path):
    from mmpose_cloth.deploy import export_onnx
    model, _, _ = _model(tmp_path, synthetic_split, 'skirt', cpn=False)
    with pytest.raises(ValueError, match='opset 99 is not supported'):
        export_onnx(model, str(tmp_path / 'x.onnx'), opset=99)


def test_onnx_runtime_runs_the_crop_stage_as_pytorch(synthetic_split,
                                                     tmp_path):
    """The zoo default's kind of model (category head, keypoints conditioned
    on the category, a crop stage on a canvas larger than the input, flip
    test): ONNX Runtime gives the keypoints and categories PyTorch gives,
    with the category given and predicted (where the two flip views
    disagree about the category too)."""
    import torch
    from mmengine.config import Config
    from mmpose.apis import init_model
    from fashionai_format import CATEGORIES, fashionai_metainfo
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose_cloth.apis import build_predictor
    from mmpose_cloth.deploy import export_onnx
    cfg = _small_cfg(tiny_topdown_cfg(
        str(tmp_path), synthetic_split['root'], synthetic_split['ann_file'],
        synthetic_split['ann_file']), cpn=True)
    cfg['model'].update(
        type='GarmentPoseEstimator',
        # a 2x2 grid keeps left and right apart, so that the two flip
        # views can disagree about the category
        category_head=dict(type='GarmentCategoryHead',
                           in_channels=WIDTHS[-1], pool_size=2),
        category_condition=dict(type='CategoryFiLM', in_channels=WIDTHS))
    cfg['model']['test_cfg'].update(
        crop_stage=dict(margin=[0.2, 0.3], fuse_first_pass=True))
    for loader in ('val_dataloader', 'test_dataloader'):  # a 96x96 canvas
        cfg[loader]['dataset']['pipeline'][2]['input_size'] = (96, 96)
    cfg = Config(cfg)
    cfg_path = str(tmp_path / 'model.py')
    cfg.dump(cfg_path)
    torch.manual_seed(0)
    model = init_model(cfg, None, device='cpu')
    with torch.no_grad():  # FiLM starts as the identity: make it count
        for p in model.category_condition.parameters():
            p.normal_(0, 0.5)
        for p in model.category_head.parameters():
            p.normal_(0, 1.)
    model.dataset_meta = parse_pose_metainfo(fashionai_metainfo())
    ckpt = str(tmp_path / 'model.pth')
    torch.save({'state_dict': model.state_dict(),
                'meta': {'dataset_meta': model.dataset_meta}}, ckpt)
    info = export_onnx(model, str(tmp_path / 'model.onnx'))
    assert info['inputs'] == ['input', 'category']

    images = _images(synthetic_split, n=8)
    pt = build_predictor(cfg_path, ckpt, 'cpu')
    ort = build_predictor(None, str(tmp_path / 'model.onnx'), 'cpu',
                          onnx_threads=1)
    free_pt, free_ort = pt.predict(images), ort.predict(images, batch_size=3)
    given = [CATEGORIES[(CATEGORIES.index(p.category) + 1) % 5]
             for p in free_pt]  # not what it predicts: the box moves
    given_pt = pt.predict(images, categories=given)
    given_ort = ort.predict(images, categories=given, batch_size=3)
    for a, b in [*zip(free_pt, free_ort), *zip(given_pt, given_ort)]:
        assert a.category == b.category
        np.testing.assert_allclose(b.category_scores, a.category_scores,
                                   atol=1e-5)
        assert np.abs(a.keypoints - b.keypoints).max() < MAX_PX
    moved = max(np.abs(a.keypoints - b.keypoints).max()
                for a, b in zip(free_pt, given_pt))
    assert moved > 1.  # the given category changed the prediction
    # export_onnx.py --check: the heatmaps of the first pass's input
    from mmpose_cloth.deploy.onnx_check import compare_with_pytorch
    check = compare_with_pytorch(pt, ort, images[:4], 4)
    assert check['max_px'] < MAX_PX and check['heatmap_max'] < 1e-3
