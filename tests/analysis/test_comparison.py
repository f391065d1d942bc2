"""mmpose_cloth.analysis.work_dirs and .comparison on their own: which
validation record a work dir's best checkpoint has, a resumed run's time,
and which NE differences hold over seeds. The end-to-end run on really
trained work dirs is tests/tools/test_compare_models.py."""
import json

import pytest

from mmpose_cloth.analysis.comparison import (NA, ComparedModel, Comparison,
                                              differences, format_markdown)
from mmpose_cloth.analysis.work_dirs import RunNotFound, TrainedRun, read_run


def _run_folder(work, stamp, records, config_text, log_times=()):
    """A ``<timestamp>`` folder as MMEngine writes it: the scalars, the
    dumped config and a log with time-stamped lines."""
    folder = work / stamp
    (folder / 'vis_data').mkdir(parents=True)
    (folder / 'vis_data' / 'scalars.json').write_text(
        ''.join(json.dumps(r) + '\n' for r in records))
    (folder / 'vis_data' / 'config.py').write_text(config_text)
    (folder / f'{stamp}.log').write_text(''.join(
        f'{t} - mmengine - INFO - line\n' for t in log_times))


def _train(it, epoch):
    return dict(loss=1.0, loss_kpt=1.0, lr=1e-3, iter=it, epoch=epoch,
                step=it)


def _val(ne, gross, epoch):
    return {'fashionai/NE': ne, 'fashionai/NE/skirt': ne,
            'fashionai/gross': gross, 'fashionai/category/accuracy': gross,
            'step': epoch}


CONFIG = ("randomness = dict(seed=7)\n"
          "train_cfg = dict(by_epoch=True, max_epochs=4)\n"
          "default_hooks = dict(checkpoint=dict(type='CheckpointHook', "
          "save_best='fashionai/NE', rule='less'))\n")


def test_best_record_resumed_run_and_log_time(tmp_path):
    """The kept checkpoint's record is the first lowest NE (the hook keeps
    the first of equal scores), across a run resumed in a second folder;
    the wall-clock is each folder's first to last log line, summed."""
    work = tmp_path / 'run'
    _run_folder(work, '20260101_000000',
                [_train(10, 1), _val(0.30, 0.5, 1), _train(20, 2),
                 _val(0.20, 0.25, 2)], CONFIG,
                ['2026/01/01 00:00:00', '2026/01/01 00:10:00'])
    _run_folder(work, '20260101_010000',
                [_train(30, 3), _val(0.20, 0.75, 3), _train(40, 4),
                 _val(0.25, 0.0, 4)], CONFIG,
                ['2026/01/01 01:00:00', '2026/01/01 01:05:30'])
    (work / 'best_fashionai_NE_epoch_2.pth').write_bytes(b'')
    run = read_run(str(work))
    assert run.metrics['fashionai/NE'] == 0.20
    assert run.metrics['fashionai/gross'] == 0.25  # epoch 2's, not 3's
    assert 'step' not in run.metrics
    assert run.best_checkpoint == str(work / 'best_fashionai_NE_epoch_2.pth')
    assert run.seed == 7 and run.progress == (4, 4) and run.finished
    assert run.selected_by == 'fashionai/NE (less)'
    assert run.wall_s == 10 * 60 + 5 * 60 + 30 and run.timing == 'log'
    assert run.cpu_s is None

    # a run that keeps its best checkpoint by another key and rule, cut
    # short at epoch 2 of 4
    other = tmp_path / 'by_category'
    _run_folder(other, '20260102_000000',
                [_train(10, 1), _val(0.3, 0.5, 1), _train(20, 2),
                 _val(0.4, 0.9, 2)],
                CONFIG.replace("save_best='fashionai/NE', rule='less'",
                               "save_best='fashionai/category/accuracy', "
                               "rule='greater'"))
    run = read_run(str(other))
    assert run.metrics['fashionai/NE'] == 0.4  # the higher accuracy
    assert run.progress == (2, 4) and not run.finished
    assert run.wall_s is None and run.timing == ''

    with pytest.raises(RunNotFound, match='no validation record'):
        read_run(str(tmp_path / 'empty'))


def _model(label, nes):
    runs = [TrainedRun(work_dir=f'{label}{i}',
                       metrics={'fashionai/NE': v, 'fashionai/gross': 0.1},
                       selected_by='fashionai/NE (less)', seed=i)
            for i, v in enumerate(nes)]
    return ComparedModel(label=label, config=f'{label}.py', head='H',
                         codec='C', input_size=[192, 192], flip_test=True,
                         work_dirs=[r.work_dir for r in runs], runs=runs)


def test_which_differences_hold():
    a = _model('A', [0.130, 0.132])
    b = _model('B', [0.136, 0.138])  # every seed above A's
    c = _model('C', [0.131, 0.140])  # overlaps both
    d = _model('D', [0.125])  # one run
    e = _model('E', [0.20, 0.21])  # over 3 points from all
    f = _model('F', [])  # not trained
    found = {(x, y): (round(p, 3), v)
             for x, y, p, v in differences([a, b, c, d, e, f])}
    assert found[('A', 'B')] == (0.6, 'holds: every seed of A below every '
                                 'seed of B')
    assert found[('A', 'C')][1] == found[('C', 'B')][1] == \
        "within the seeds' spread: does not hold"
    assert found[('D', 'A')][1] == 'one run of a model: not tested'
    assert not any('E' in k or 'F' in k for k in found)

    text = format_markdown(Comparison([a, f], settings=dict(speed=False)))
    row_f = next(r for r in text.splitlines() if r.startswith('| F |'))
    # no runs, no cost: every figure n/a, none invented
    assert row_f.count(NA) == 12 and '| 0/0 |' in row_f
    row_a = next(r for r in text.splitlines() if r.startswith('| A |'))
    assert '| 13.10 (13.00, 13.20) |' in row_a and '| 10.0 |' in row_a


def test_a_run_still_training_is_marked_in_the_table():
    """A run stopped before its last epoch (a session's end, a killed
    job) gives an interim NE: the table says so, the runs list too."""
    done, partial = _model('G', [0.14, 0.16]).runs
    partial.progress = (3, 8)
    done.progress = (8, 8)
    g = ComparedModel(label='G', config='G.py', head='H', codec='C',
                      input_size=[192, 192], flip_test=True,
                      work_dirs=['G0', 'G1', 'G2'], runs=[done, partial],
                      missing=['G2'])
    text = format_markdown(Comparison([g], settings=dict(speed=False)))
    row = next(r for r in text.splitlines() if r.startswith('| G |'))
    assert '| 2/3 (1 unfinished) |' in row
    assert 'epoch 3/8 (not finished)' in text
    assert 'epoch 8/8 |' in text
    # the interim 16% is not averaged with the finished 14%
    assert g.values('all') == [0.14] and '| 14.00 |' in row
    h = _model('H', [0.15])
    assert [x[:2] for x in differences([g, h])] == [('G', 'H')]
    # a model with nothing finished shows its interim NE, said so, and is
    # left out of the differences (an interim NE decides nothing)
    only_partial = ComparedModel(label='P', config='P.py', head='H',
                                 codec='C', input_size=[192, 192],
                                 flip_test=True, work_dirs=['P1'],
                                 runs=[partial])
    text = format_markdown(Comparison([only_partial, h],
                                      settings=dict(speed=False)))
    row = next(r for r in text.splitlines() if r.startswith('| P |'))
    assert '| 16.00 (interim) |' in row
    assert differences([only_partial, h]) == []
