"""tools/analysis/infer_speed.py: a checkpoint's predictors timed end to
end side by side (here eager and a self-ensemble of a tiny model; the
compiled and ONNX predictors are the ones tools/infer.py runs, tested in
test_compile_switch.py and test_onnx.py). No timing is asserted."""
import json

import pytest

from conftest import load_tool, train_tiny_checkpoint


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools/analysis/infer_speed.py', 'infer_speed_tool')


def test_predictors_side_by_side(tool, synthetic_coco, tmp_path):
    tiny = train_tiny_checkpoint(synthetic_coco, str(tmp_path / 'work'))
    images = synthetic_coco['split_dir']
    out = tmp_path / 'speed.json'
    assert tool.main([tiny['cfg'], tiny['ckpt'], '--images', images,
                      '--ensemble', tiny['cfg'], tiny['ckpt'], '--batch',
                      '2', '--rounds', '2', '--out-json', str(out)]) == 0
    rows = json.loads(out.read_text())['results']
    assert [r['name'] for r in rows] == ['eager', 'ensemble']
    for r in rows:
        assert len(r['b1_times_s']) == 2 and len(r['batch_times_s']) == 2
        assert r['first_s'] > 0 and r['b1_ms'] > 0
    assert rows[0]['b1_ratio'] == 1.0 and rows[0]['batch_ratio'] == 1.0


def test_too_few_images_is_named(tool, synthetic_coco, tmp_path, capsys):
    tiny = train_tiny_checkpoint(synthetic_coco, str(tmp_path / 'work'))
    assert tool.main([tiny['cfg'], tiny['ckpt'], '--images',
                      str(tmp_path), '--rounds', '2']) == 2
    assert 'need at least 18 (--batch + --rounds)' in capsys.readouterr().err
