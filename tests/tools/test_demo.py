"""The README's main command, at a tiny size: generate, convert, train,
evaluate, draw, write and score a submission."""
import json
import subprocess
import sys

import cv2
import numpy as np

from conftest import REPO


def test_demo_end_to_end_tiny(tmp_path):
    work = tmp_path / 'demo'
    proc = subprocess.run([
        sys.executable, f'{REPO}/tools/demo.py', '--work-dir',
        str(work), '--epochs', '1', '--num-per-category', '4',
        '--test-per-category', '2', '--image-size', '128', '--num-vis', '4'
    ], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    summary = json.loads((work / 'summary.json').read_text())
    assert np.isfinite(summary['val']['fashionai/NE'])
    assert np.isfinite(summary['mean_shape']['NE'])
    # the submission covers every test image and scores with the evaluator
    assert summary['test']['missing'] == 0
    assert summary['test']['count'] > 0
    out = subprocess.run([
        sys.executable, f'{REPO}/tools/analysis/fashionai_eval.py', '--gt',
        str(work / 'data' / 'Annotations' / 'test_answers.csv'), '--pred',
        str(work / 'result.csv'), '--json'
    ], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout)['NE'] == summary['test']['NE']
    picture = cv2.imread(str(work / 'predictions.png'))
    assert picture is not None and picture.shape[1] == 4 * 256
    assert picture.std() > 20  # not blank
