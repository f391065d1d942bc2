"""Training curves from MMEngine's scalars.json and per-category NE bars
from the project's metrics files: PNGs that show something."""
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import pytest

from conftest import REPO
from fashionai_format.schema import CATEGORIES as CATS
from mmpose_cloth.analysis.curves import training_curves
from mmpose_cloth.analysis.work_dirs import find_scalars, read_records


def _tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO, 'tools', 'analysis', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _assert_picture(path, min_colors=20):
    img = cv2.imread(str(path))
    assert img is not None, path
    assert img.shape[0] > 200 and img.shape[1] > 300
    assert img.std() > 10  # not blank
    # lines or bars in colour, not only black text on white
    colourful = np.abs(img.astype(int) - img.mean(-1, keepdims=True)).max(-1)
    assert (colourful > 60).sum() > 200
    assert len(np.unique(img.reshape(-1, 3), axis=0)) >= min_colors


def _write_run(run_dir, epochs=4, iters_per_epoch=25, interval=10,
               by_epoch=True):
    """A scalars.json as MMEngine writes it: training records every
    ``interval`` iterations, a validation record after each epoch (its
    'step' is the epoch for epoch-based runs)."""
    vis = run_dir / 'vis_data'
    vis.mkdir(parents=True)
    rng = np.random.default_rng(0)
    lines, it = [], 0
    for e in range(1, epochs + 1):
        for _ in range(iters_per_epoch):
            it += 1
            if it % interval == 0:
                loss = 400 * np.exp(-it / 60) + rng.random()
                # an iteration-based run logs epoch 1 throughout
                lines.append(dict(lr=1e-3, data_time=0.01, loss=loss,
                                  loss_kpt=loss, acc_pose=0.1, time=1.0,
                                  epoch=e if by_epoch else 1, iter=it,
                                  step=it))
        ne = 0.3 * np.exp(-e / 2) + 0.05
        rec = {'fashionai/NE': ne, 'fashionai/count': 900,
               'data_time': 0.01, 'time': 0.5,
               'step': e if by_epoch else 0}
        for i, c in enumerate(CATS):
            rec[f'fashionai/NE/{c}'] = ne * (0.8 + 0.1 * i)
            rec[f'fashionai/count/{c}'] = 180
        lines.append(rec)
    (vis / 'scalars.json').write_text(
        '\n'.join(json.dumps(r) for r in lines) + '\n')
    return lines


def test_plot_curves_epoch_based(tmp_path, capsys):
    work = tmp_path / 'work'
    _write_run(work / '20260101_000000')
    tool = _tool('plot_curves')
    curves = training_curves(read_records(find_scalars(str(work))))
    xlabel, losses, nes = curves.xlabel, curves.losses, curves.nes
    assert xlabel == 'epoch'
    assert list(losses) == ['loss']  # loss_kpt == loss is not drawn twice
    assert nes['fashionai/NE'][0] == [1, 2, 3, 4]
    xs = losses['loss'][0]
    assert xs[0] == pytest.approx(10 / 25) and xs[-1] == pytest.approx(4)
    assert set(nes) == {'fashionai/NE'} | {f'fashionai/NE/{c}' for c in CATS}

    out = tmp_path / 'curves.png'
    assert tool.main([str(work), '--out', str(out)]) == 0
    best = 100 * (0.3 * np.exp(-4 / 2) + 0.05)
    assert f'best NE {best:.2f}%, last {best:.2f}%' in capsys.readouterr().out
    _assert_picture(out)


def test_plot_curves_iter_based_and_resumed(tmp_path):
    """Two runs in one work dir (a resumed one): joined; iteration-based
    validation records (step 0) are placed at the iteration before them."""
    work = tmp_path / 'work'
    first = _write_run(work / '20260101_000000', epochs=2, by_epoch=False)
    later = work / '20260102_000000'
    _write_run(later, epochs=2, by_epoch=False)
    lines = [json.loads(x) for x in
             (later / 'vis_data' / 'scalars.json').read_text().split('\n')
             if x]
    for r in lines:  # the resumed run goes on counting
        if 'iter' in r:
            r['iter'] += 50
            r['step'] += 50
    (later / 'vis_data' / 'scalars.json').write_text(
        '\n'.join(json.dumps(r) for r in lines))
    tool = _tool('plot_curves')
    curves = training_curves(read_records(find_scalars(str(work))))
    xlabel, losses, nes = curves.xlabel, curves.losses, curves.nes
    assert xlabel == 'iteration'
    assert nes['fashionai/NE'][0] == [20, 50, 70, 100]
    assert len(losses['loss'][0]) == 2 * sum('loss' in r for r in first)
    out = tmp_path / 'curves.png'
    assert tool.main([str(work), '--out', str(out), '--x', 'iter']) == 0
    _assert_picture(out)
    # a work dir without logs: a clear error
    assert tool.main([str(tmp_path / 'nothing')]) == 2


def test_plot_ne_bars(tmp_path, capsys):
    metrics = {'fashionai/NE': 0.061, 'fashionai/count': 900}
    for i, c in enumerate(CATS):
        metrics[f'fashionai/NE/{c}'] = 0.05 + 0.005 * i
        metrics[f'fashionai/count/{c}'] = 180
    cpn = tmp_path / 'cpn.json'  # tools/test.py --out
    cpn.write_text(json.dumps(metrics))
    evaluated = tmp_path / 'eval.json'  # fashionai_eval.py --json
    evaluated.write_text(json.dumps(
        {'NE': 0.07, 'NE/skirt': 0.06, 'NE/trousers': 0.08, 'count': 10,
         'missing': 0}))
    summary = tmp_path / 'summary.json'  # tools/demo.py
    summary.write_text(json.dumps({
        'val': metrics,
        'mean_shape': {'NE': 0.2, 'NE/blouse': 0.25, 'images': 3},
        'test': None,
        'seconds': 12.0
    }))
    tool = _tool('plot_ne_bars')
    out = tmp_path / 'bars.png'
    assert tool.main([str(cpn), str(evaluated), str(summary), '--labels',
                      'CPN', 'SimpleBaseline', 'demo', '--out',
                      str(out)]) == 0
    printed = capsys.readouterr().out
    assert 'CPN' in printed and 'skirt 6.00%' in printed
    assert 'demo: val' in printed and 'demo: mean_shape' in printed
    _assert_picture(out)

    assert tool.main([str(cpn), '--labels', 'a', 'b']) == 2
    bad = tmp_path / 'bad.json'
    bad.write_text('{"loss": 1}')
    assert tool.main([str(bad), '--out', str(tmp_path / 'x.png')]) == 2
    assert 'no NE values' in capsys.readouterr().err
