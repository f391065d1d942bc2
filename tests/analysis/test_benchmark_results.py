"""mmpose_cloth.analysis.results and .report: the typed benchmark rows
read the committed docs/benchmarks/*.json files and write them back with
the same keys and values, and the table, summary and chart read them."""
import glob
import json
import os.path as osp

import pytest

from conftest import REPO
from mmpose_cloth.analysis import (BenchmarkResult, BenchmarkRow,
                                   CompileTime, EvaluationTiming, InferSpeed,
                                   MachineInfo, MemoryUse, PipelineSpeed,
                                   TrainSpeed, attach_ne, load_benchmark,
                                   ne_of, plot_benchmark, print_details,
                                   print_table, save_benchmark)

COMMITTED = sorted(
    p for p in glob.glob(osp.join(REPO, 'docs', 'benchmarks', '*.json'))
    if 'results' in json.load(open(p)))


def _row(name='cpn/cpn-res18', memory=None, **kw):
    return BenchmarkRow(
        name=name, full_name=name, config_name='td-hm_cpn-res18',
        config='configs/cpn/td-hm_cpn-res18.py', overrides={}, flags=[],
        input_size=[64, 64], batch=1, device_desc='a CPU', params_m=12.5,
        gflops=0.5,
        train=TrainSpeed(img_per_s=2.0, step_s=0.5, ratio=1.0,
                         ratio_of_medians=1.0, cpu_ratio=1.0,
                         times_s=[0.5], cpu_times_s=[0.6]),
        infer=InferSpeed(latency_ms=20.0, latency_ratio=1.0, img_per_s=50.0,
                         ratio=1.0, latency_times_s=[0.02],
                         batch_times_s=[0.02]),
        memory=memory,
        pipeline=PipelineSpeed(img_per_s=100.0, ms_per_img=10.0,
                               transforms_ms={'LoadImage': 4.0},
                               vs_train=50.0), **kw)


def test_committed_files_round_trip():
    assert len(COMMITTED) == 8  # r18_128, r50_384 (+ compile), layouts, lite0, H100
    for path in COMMITTED:
        with open(path) as f:
            raw = json.load(f)
        result = load_benchmark(path)
        assert isinstance(result.results[0], BenchmarkRow)
        assert result.reference == raw['reference']
        # the same keys in the same order, the same values
        assert json.dumps(result.to_dict()) == json.dumps(raw), path


def test_row_round_trips_through_json(tmp_path):
    rows = [
        _row(memory=MemoryUse(train_step_mb=400.0, peak_rss_mb=1400.0,
                              baseline_rss_mb=1000.0)),
        _row('cpn/cpn-res18 [amp]', memory=None, gflops_ratio=1.0),
        _row('sb/res18', memory=MemoryUse(train_step_mb=8.0,
                                          peak_alloc_mb=12.0)),
        _row('sb/res18 [compile]',
             compile=CompileTime(options=dict(dynamic=False),
                                 train_first_step_s=30.0,
                                 infer_first_b1_s=10.0,
                                 infer_first_batch_s=12.0)),
    ]
    result = BenchmarkResult(
        machine=MachineInfo(description='a CPU', device='cpu',
                            torch='2.x', torch_threads=1, cpu_count=2,
                            python='3.11'),
        args=dict(batch=1, smoke=True), results=rows,
        evaluation=EvaluationTiming(images=10, normalized_error_s=0.1,
                                    metric_compute_s=0.2,
                                    evaluate_submission_s=0.3,
                                    offline_csv_s=0.4))
    path = str(tmp_path / 'bench.json')
    save_benchmark(result, path)
    raw = json.loads(open(path).read())
    assert raw['reference'] == 'cpn/cpn-res18'
    assert list(raw['results'][0]['memory']) == [
        'peak_rss_mb', 'baseline_rss_mb', 'train_step_mb']
    assert list(raw['results'][2]['memory']) == ['peak_alloc_mb',
                                                 'train_step_mb']
    assert raw['results'][1]['memory'] is None
    assert 'gflops_ratio' not in raw['results'][0]
    assert 'ne' not in raw['results'][0]  # only when NE was looked up
    assert [('compile' in r) for r in raw['results']] == [False] * 3 + [True]
    assert raw['results'][3]['compile']['train_first_step_s'] == 30.0
    assert load_benchmark(path) == result

    attach_ne(result.results, {'td-hm_cpn-res18': 0.07})
    save_benchmark(result, path)
    raw = json.loads(open(path).read())
    assert [r['ne'] for r in raw['results']] == [0.07] * 4
    assert load_benchmark(path) == result


def test_ne_of_looks_up_every_name():
    row = _row()
    assert ne_of(row, {'cpn/cpn-res18': 0.1}) == 0.1
    assert ne_of(row, {'td-hm_cpn-res18': 0.2}) == 0.2
    assert ne_of(row, {'configs/cpn/td-hm_cpn-res18.py': 0.3}) == 0.3
    assert ne_of(row, {'other': 0.3}) is None


@pytest.mark.parametrize('path', COMMITTED, ids=osp.basename)
def test_reports_read_committed_files(path, tmp_path, capsys):
    result = load_benchmark(path)
    print_table(result.results, result.args['batch'], result.args['iters'])
    print_details(result)
    out = capsys.readouterr().out
    for row in result.results:
        assert row.name in out
    assert f'ratios (x) are to {result.reference!r}' in out
    png = tmp_path / 'chart.png'
    plot_benchmark(result.results, str(png))
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
