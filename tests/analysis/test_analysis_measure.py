"""mmpose_cloth.analysis: the measure_* functions that the benchmark's
smoke test (tests/tools/test_benchmark.py) does not single out, the FLOP
counter's standard models and the pipeline profile. Nothing is timed."""
import os.path as osp

import pytest

from conftest import REPO
from mmpose_cloth.analysis import (PUBLISHED, count_params_flops,
                                   make_synthetic_split, measure_evaluation,
                                   measure_pipelines, median_ratio,
                                   profile_pipeline)
from mmpose_cloth.utils import load_config

SB_R18 = osp.join(REPO, 'configs', 'simplebaseline',
                  'td-hm_res18_1xb16-30min_fashionai-128x128_cpu.py')


def test_median_ratio():
    # per-round speed ratios to the reference: 2, 1, 4 -> 2
    assert median_ratio([1.0, 2.0, 0.5], [2.0, 2.0, 2.0]) == 2.0


def test_measure_evaluation_is_typed():
    ev = measure_evaluation(50, reps=1)
    assert ev.images == 50
    assert min(ev.normalized_error_s, ev.metric_compute_s,
               ev.evaluate_submission_s, ev.offline_csv_s) > 0


@pytest.mark.parametrize('name', sorted(PUBLISHED))
def test_standard_model_params_match_the_papers(name):
    res = count_params_flops(name, (256, 192), 17, with_flops=False)
    assert res['gflops'] is None
    assert res['params'] == pytest.approx(PUBLISHED[name][0], rel=0.05)


def test_pipeline_measure_and_profile(tmp_path):
    from mmengine.registry import init_default_scope
    init_default_scope('mmpose')
    cfg = load_config(SB_R18, (64, 64))
    root = str(tmp_path)
    ann = make_synthetic_split(root, 1, (96, 96))
    (speed, ) = measure_pipelines([cfg], root, ann, reps=1)
    assert speed.img_per_s > 0 and speed.vs_train is None
    assert {'LoadImage', 'TopdownAffine', 'GenerateTarget',
            'PackPoseInputs'} <= set(speed.transforms_ms)
    n, secs, prof = profile_pipeline(cfg, root, ann, passes=2)
    assert n == 10 and secs > 0
    assert prof.getstats()
