"""tools/analysis/benchmark.py: the CI smoke mode end to end (tiny input,
one iteration), and the config variants and input size it parses
(mmpose_cloth.analysis, mmpose_cloth.utils.config). No timing is asserted:
the machine is shared."""
import importlib.util
import json
import os.path as osp
import shutil

import pytest
import torch
from mmengine.registry import init_default_scope

from mmpose_cloth.analysis import (BenchmarkEntry, CompileTime, ModelBench,
                                   load_benchmark, make_synthetic_split)
from mmpose_cloth.utils import config_input_size, load_config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CPN = osp.join(REPO, 'configs', 'cpn',
               'td-hm_cpn-res18_1xb16-30min_fashionai-128x128_cpu.py')
SIMPLE = osp.join(REPO, 'configs', 'simplebaseline',
                  'td-hm_res18_1xb16-30min_fashionai-128x128_cpu.py')
CPN_R50 = osp.join(REPO, 'configs', 'cpn',
                   'td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py')


@pytest.fixture(scope='module')
def benchmark():
    spec = importlib.util.spec_from_file_location(
        'benchmark_tool', osp.join(REPO, 'tools', 'analysis', 'benchmark.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_smoke_end_to_end(benchmark, tmp_path):
    out_json = tmp_path / 'bench.json'
    out_png = tmp_path / 'bench.png'
    ne_json = tmp_path / 'ne.json'
    ne_json.write_text(json.dumps({
        'td-hm_res18_1xb16-30min_fashionai-128x128_cpu': 0.12,
        'cpn/cpn-res18': 0.10,
    }))
    result = benchmark.main([
        SIMPLE, CPN, CPN + '::model.head.unit_channels=64', '--smoke',
        '--out-json', str(out_json), '--out-png', str(out_png), '--ne-json',
        str(ne_json), '--work-dir', str(tmp_path / 'work')
    ])
    data = json.loads(out_json.read_text())
    assert data['reference'] == 'simplebaseline/res18'
    assert data['args']['smoke'] and data['args']['input_size'] == [64, 64]
    assert {'description', 'device', 'torch', 'torch_threads'} <= set(
        data['machine'])
    rows = data['results']
    assert [r['name'] for r in rows] == [
        'simplebaseline/res18', 'cpn/cpn-res18',
        'cpn/cpn-res18 [model.head.unit_channels=64]'
    ]
    for r in rows:
        assert r['input_size'] == [64, 64] and r['batch'] == 1
        assert r['params_m'] > 1 and r['gflops'] > 0
        assert r['train']['img_per_s'] > 0 and r['train']['ratio'] > 0
        assert len(r['train']['times_s']) == 1
        assert r['infer']['latency_ms'] > 0 and r['infer']['img_per_s'] > 0
        # measured in a fresh process per config (Linux: /proc)
        mem = r['memory']
        assert mem['peak_rss_mb'] >= mem['baseline_rss_mb'] > 0
        pipe = r['pipeline']
        assert pipe['img_per_s'] > 0 and pipe['vs_train'] > 0
        assert {'LoadImage', 'TopdownAffine', 'GenerateTarget',
                'PackPoseInputs'} <= set(pipe['transforms_ms'])
    assert rows[0]['train']['ratio'] == 1.0
    assert rows[0]['infer']['ratio'] == 1.0
    # the override reached the model: a narrower head, fewer weights and
    # less arithmetic
    assert rows[2]['params_m'] < rows[1]['params_m']
    assert rows[2]['gflops'] < rows[1]['gflops']
    # NE matched by config name or by short name
    assert rows[0]['ne'] == 0.12 and rows[1]['ne'] == 0.10
    assert rows[2]['ne'] is None
    ev = data['evaluation']
    assert ev['images'] == 200
    for key in ('normalized_error_s', 'metric_compute_s',
                'evaluate_submission_s', 'offline_csv_s'):
        assert ev[key] > 0
    assert out_png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert result['results'][0]['name'] == rows[0]['name']


def _entry(text, args):
    return BenchmarkEntry.parse(text, amp=args.amp,
                                channels_last=args.channels_last)


def test_spec_variants(benchmark):
    args = benchmark.parse_args([CPN_R50, '--smoke'])
    spec = _entry(CPN_R50 + '::model.head.unit_channels=64::channels-last',
                  args)
    assert spec.overrides == {'model.head.unit_channels': 64}
    assert spec.flags == {'channels-last'}
    assert spec.name == ('cpn/cpn-res50 [model.head.unit_channels=64] '
                         '[channels-last]')
    spec = _entry(CPN_R50 + '::channels-last::compile', args)
    assert spec.flags == {'channels-last', 'compile'}
    assert spec.name == 'cpn/cpn-res50 [channels-last] [compile]'
    with pytest.raises(ValueError, match='unknown variant'):
        _entry(CPN_R50 + '::fastest', args)
    # global switches apply to every entry without renaming it
    args = benchmark.parse_args([CPN_R50, '--amp', '--channels-last'])
    spec = _entry(CPN_R50, args)
    assert spec.flags == {'amp', 'channels-last'}
    assert spec.name == 'cpn/cpn-res50'


def test_input_size_override_rescales_codecs(benchmark):
    args = benchmark.parse_args([CPN_R50, '--input-size', '128x96'])
    cfg = load_config(_entry(CPN_R50, args).variant, args.input_size)
    assert config_input_size(cfg) == (128, 96)
    target = [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t['type'] == 'GenerateTarget'
    ][0]
    for codec in target['encoder']:
        assert tuple(codec['input_size']) == (128, 96)
        assert tuple(codec['heatmap_size']) == (32, 24)
    assert tuple(cfg.model.head.decoder['heatmap_size']) == (32, 24)
    with pytest.raises(SystemExit):
        benchmark.parse_args([CPN_R50, '--input-size', '100x100'])


@pytest.mark.skipif(
    shutil.which('g++') is None and shutil.which('c++') is None,
    reason='torch.compile (inductor) on CPU needs a C++ compiler')
def test_compile_variant_reports_compile_time_apart(benchmark, tmp_path):
    """``::compile`` next to the eager entry: its row holds the first
    (compiling) calls apart from the steady medians, and reads back. The
    model is SimpleBaseline cut to ResNet-18's first stage and a 1x1 head,
    so that inductor compiles it in seconds."""
    tiny = tmp_path / 'td-hm_res18-stage1_tiny.py'
    tiny.write_text(
        f'_base_ = [{SIMPLE!r}]\n'
        'model = dict(\n'
        '    backbone=dict(num_stages=1, strides=(1, ), dilations=(1, ),\n'
        '                  out_indices=(0, )),\n'
        '    head=dict(in_channels=64, deconv_out_channels=None,\n'
        '              deconv_kernel_sizes=None))\n')
    out_json = tmp_path / 'bench.json'
    benchmark.main([
        str(tiny), f'{tiny}::compile', '--smoke', '--no-acc',
        '--eval-images', '0', '--out-json', str(out_json), '--work-dir',
        str(tmp_path / 'w')
    ])
    eager, compiled = json.loads(out_json.read_text())['results']
    # channels-last: the layout of the 128x128 recipe it inherits
    assert 'compile' not in eager and compiled['flags'] == [
        'channels-last', 'compile']
    assert eager['memory'] and compiled['memory'] is None  # the compiler's
    times = compiled['compile']
    assert times['options'] == {'dynamic': False}
    # compiling takes longer than a step (seconds against milliseconds)
    assert times['train_first_step_s'] > 3 * compiled['train']['step_s']
    assert times['infer_first_b1_s'] > \
        3 * compiled['infer']['latency_ms'] / 1e3
    assert compiled['train']['img_per_s'] > 0
    row = load_benchmark(str(out_json)).results[1]
    assert isinstance(row.compile, CompileTime)
    assert row.compile.train_first_step_s == times['train_first_step_s']


def test_layout_is_the_configs_unless_nchw(tmp_path):
    """A config that trains channels-last (ChannelsLastHook, the 384x384
    CPN and SimpleBaseline default) is benchmarked channels-last and named
    as the default; ``::nchw`` measures the NCHW layout; both flags at once
    are refused."""
    init_default_scope('mmpose')
    # the 192x192 EfficientNet-Lite0 recipe trains NCHW
    nchw = osp.join(REPO, 'configs', 'simplebaseline',
                    'td-hm_efficientnet-lite0_1xb16-8e_fashionai-'
                    '192x192_cpu.py')
    cfg_cl = tmp_path / 'td-hm_lite0_cl.py'
    cfg_cl.write_text(f'_base_ = [{nchw!r}]\n'
                      "custom_hooks = _base_.custom_hooks + "
                      "[dict(type='ChannelsLastHook')]\n")
    root = str(tmp_path / 'data')
    ann = make_synthetic_split(root, 1, (96, 96))
    layouts = {}
    for text in (str(cfg_cl), f'{cfg_cl}::nchw', nchw, SIMPLE):
        entry = BenchmarkEntry.parse(text)
        cfg = load_config(entry.variant, (64, 64))
        entry = entry.with_config_layout(cfg)
        bench = ModelBench(entry, cfg, torch.device('cpu'), 1, root, ann)
        layouts[text] = (sorted(entry.flags), entry.name,
                         bench.inputs.is_contiguous(
                             memory_format=torch.channels_last))
    # the config's own layout: no bracket in the name
    assert layouts[str(cfg_cl)] == (['channels-last'],
                                    f'{tmp_path.name}/lite0', True)
    assert layouts[f'{cfg_cl}::nchw'][0] == ['nchw']
    assert layouts[f'{cfg_cl}::nchw'][2] is False
    assert layouts[nchw][0] == [] and layouts[nchw][2] is False
    # the 384x384 base's default, inherited by the 128x128 recipe
    assert layouts[SIMPLE][0] == ['channels-last'] and layouts[SIMPLE][2]
    entry = BenchmarkEntry.parse(f'{cfg_cl}::nchw::channels-last')
    with pytest.raises(ValueError, match='exclude each other'):
        ModelBench(entry, load_config(entry.variant, (64, 64)),
                   torch.device('cpu'), 1, root, ann)
