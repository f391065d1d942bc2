"""tools/analysis/compare_models.py end to end on runs really trained for
two iterations on the synthetic split: the table's NE is what tools/test.py
reports for the same best checkpoints; missing runs are trained (one process
each, timed) or shown as n/a; the cost columns are measured. No timing is
asserted: the machine is shared."""
import glob
import json
import os
import os.path as osp
import shutil
import statistics
import subprocess
import sys

import cv2
import pytest
import torch
from mmengine.config import Config

from conftest import REPO, load_tool, tiny_topdown_cfg
from fashionai_format.schema import CATEGORIES

sys.path.insert(0, osp.join(osp.dirname(osp.dirname(__file__)),
                            'reliability'))
from reliability_helpers import narrow_cfg, subprocess_env  # noqa: E402


def _heatmap_cfg(work: str, data: dict) -> dict:
    """SimpleBaseline on a narrow ResNet-18 at 64x64 (conftest's tiny
    config), validated after each of its 2 iterations, the best checkpoint
    kept by NE: the table must read the record of the kept one."""
    cfg = narrow_cfg(work, data['split_dir'], data['paths']['train'])
    val = tiny_topdown_cfg(work, data['split_dir'], data['paths']['train'],
                           data['paths']['val'])
    for key in ('val_dataloader', 'test_dataloader'):
        cfg[key] = val[key]
    cfg['train_cfg']['val_interval'] = 1
    cfg['default_hooks']['checkpoint'].update(save_optimizer=False,
                                              save_param_scheduler=False)
    return cfg


def _simcc_cfg(work: str, data: dict) -> dict:
    """The same with MMPose's SimCCHead and SimCCLabel: another head."""
    cfg = _heatmap_cfg(work, data)
    codec = dict(type='SimCCLabel', input_size=(64, 64), sigma=6.0,
                 simcc_split_ratio=2.0)
    for t in cfg['train_dataloader']['dataset']['pipeline']:
        if t['type'] == 'GenerateTarget':
            t['encoder'] = codec
    cfg['model']['head'] = dict(
        type='SimCCHead', in_channels=128, out_channels=24,
        input_size=(64, 64), in_featuremap_size=(2, 2),
        simcc_split_ratio=2.0, deconv_out_channels=None,
        loss=dict(type='KLDiscretLoss', use_target_weight=True),
        decoder=codec)
    cfg['model']['test_cfg'] = dict(flip_test=True)
    return cfg


@pytest.fixture(scope='module')
def runs(synthetic_coco, tmp_path_factory):
    """Two tiny configs as files, and runs of them trained in this
    process: the heatmap one with seeds 0 and 1, the SimCC one with 0.

    They train on one thread, as tools/test.py runs below: on an untrained
    model nearly flat heatmaps make the arg-max of a keypoint flip with the
    summation order of a convolution, which changes with the thread count
    (CI's two cores moved NE by 2e-4), and the test compares to 1e-9."""
    from mmengine.runner import Runner
    root = tmp_path_factory.mktemp('compare')
    configs, dirs = {}, {}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for name, make in (('heatmap', _heatmap_cfg), ('simcc', _simcc_cfg)):
            cfg = Config(make(str(root / name), synthetic_coco))
            configs[name] = str(root / f'tiny_{name}.py')
            cfg.dump(configs[name])
            for seed in ((0, 1) if name == 'heatmap' else (0, )):
                run = root / f'{name}_s{seed}'
                cfg.work_dir, cfg.randomness = str(run), dict(seed=seed)
                # MMEngine keeps one visualizer per name in a process: a new
                # name, or this run's scalars go to the first run's folder
                cfg.visualizer.name = f'visualizer_{name}_{seed}'
                Runner.from_cfg(cfg).train()
                dirs[name, seed] = str(run)
    finally:
        torch.set_num_threads(threads)
    return dict(root=root, configs=configs, dirs=dirs, data=synthetic_coco)


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools/analysis/compare_models.py', 'compare_models')


def _tools_test(config, ckpt, out, work):
    return subprocess.Popen(
        [sys.executable, osp.join(REPO, 'tools', 'test.py'), config, ckpt,
         '--out', str(out), '--work-dir', str(work)],
        cwd=REPO, env=subprocess_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)


def test_table_ne_is_what_tools_test_reports(runs, tool, tmp_path):
    hm, sc = runs['configs']['heatmap'], runs['configs']['simcc']
    d = runs['dirs']
    missing = tmp_path / 'never_trained'
    out = tmp_path / 'heads.md'
    assert tool.main([
        '--work-dirs', f'{hm}={d["heatmap", 0]}', f'{hm}={d["heatmap", 1]}',
        f'{sc}={d["simcc", 0]}', f'{sc}={missing}', '--no-speed', '--out',
        str(out), '--labels', 'Heatmap', 'SimCC'
    ]) == 0
    result = json.loads((tmp_path / 'heads.json').read_text())
    heat, simcc = result['models']
    assert [r['seed'] for r in heat['runs']] == [0, 1]
    assert [r['seed'] for r in simcc['runs']] == [0]
    assert simcc['missing'] == [str(missing)]

    # tools/test.py on the best checkpoints the table read
    checks = [(hm, heat['runs'][0]), (sc, simcc['runs'][0])]
    procs = []
    for i, (config, run) in enumerate(checks):
        assert osp.basename(run['best_checkpoint']).startswith(
            'best_fashionai_NE_iter_')
        procs.append(_tools_test(config, run['best_checkpoint'],
                                 tmp_path / f'm{i}.json', tmp_path / f'w{i}'))
    for i, ((config, run), proc) in enumerate(zip(checks, procs)):
        log, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, log[-3000:]
        tested = json.loads((tmp_path / f'm{i}.json').read_text())
        for key in ['fashionai/NE', 'fashionai/gross'] + [
                f'fashionai/NE/{c}' for c in CATEGORIES
                if f'fashionai/NE/{c}' in tested]:
            assert run['metrics'][key] == pytest.approx(tested[key],
                                                        rel=1e-9), key

    # the mean over the two seeds and each seed, as printed
    ne = [r['metrics']['fashionai/NE'] for r in heat['runs']]
    assert heat['ne']['all'] == pytest.approx(sum(ne) / 2)
    text = out.read_text()
    assert text.startswith('# Pose heads on FashionAI')
    assert 'python tools/analysis/compare_models.py \\\n    --work-dirs' \
        in text
    row = next(line for line in text.splitlines()
               if line.startswith('| Heatmap |'))
    assert (f'| {100 * heat["ne"]["all"]:.2f} ({100 * ne[0]:.2f}, '
            f'{100 * ne[1]:.2f}) |') in row
    simcc_row = next(line for line in text.splitlines()
                     if line.startswith('| SimCC |'))
    assert '| 1/2 |' in simcc_row
    assert simcc_row.rstrip(' |').endswith('n/a | n/a | n/a | n/a | n/a')
    assert f'| SimCC | n/a | n/a | not trained | n/a | n/a | `{missing}` |' \
        in text
    img = cv2.imread(str(tmp_path / 'heads.png'))
    assert img is not None and img.std() > 10
    # the same table again from the JSON, nothing re-read
    again = tmp_path / 'again' / 'heads.md'
    assert tool.main(['--render', str(tmp_path / 'heads.json'), '--out',
                      str(again)]) == 0
    assert again.read_text() == text


def test_missing_runs_are_trained_in_their_own_process(runs, tool,
                                                       tmp_path):
    hm, sc = runs['configs']['heatmap'], runs['configs']['simcc']
    root = tmp_path / 'root'
    assert tool.main([
        hm, '--work-dirs', f'{sc}={runs["dirs"]["simcc", 0]}',
        '--work-root', str(root), '--train', '--seeds', '3', '--no-speed',
        '--out', str(tmp_path / 'heads.md')
    ]) == 0
    heat, simcc = json.loads((tmp_path / 'heads.json').read_text())['models']
    # trained by the tool, in its own process, with the asked seed
    work = root / 'tiny_heatmap' / 'seed3'
    (run, ) = heat['runs']
    assert run['work_dir'] == str(work) and run['seed'] == 3
    assert run['timing'] == 'measured' and run['finished']
    timed = json.loads((work / 'train_time.json').read_text())
    assert timed['returncode'] == 0 and timed['seed'] == 3
    assert run['wall_s'] == timed['wall_s'] > 0
    assert run['cpu_s'] == timed['cpu_s'] > 0
    assert 0 < run['metrics']['fashionai/NE'] < 10
    # the given run is read, not retrained
    assert simcc['runs'][0]['work_dir'] == runs['dirs']['simcc', 0]
    assert not (root / 'tiny_simcc').exists()


def test_an_interrupted_run_is_resumed_not_retrained(runs, tool, tmp_path):
    """A run stopped at iteration 2 of 4 (a session's end): --train
    continues it from its last checkpoint to 4, in a second run folder;
    its first segment was not timed, so the table's wall-clock comes from
    the logs of both folders and its CPU time is not claimed."""
    hm = Config.fromfile(runs['configs']['heatmap'])
    hm.train_cfg.max_iters = 4
    config = tmp_path / 'tiny_heatmap4.py'
    hm.dump(str(config))
    work = tmp_path / 'root' / 'tiny_heatmap4' / 'seed0'
    shutil.copytree(runs['dirs']['heatmap', 0], work)
    for dumped in glob.glob(str(work / '*' / 'vis_data' / 'config.py')):
        shutil.copy(config, dumped)  # the run of this config, cut at 2 of 4
    last = sorted(glob.glob(str(work / 'iter_*.pth')))[-1]
    (work / 'last_checkpoint').write_text(last)
    before = set(os.listdir(work))
    out = tmp_path / 'heads.md'
    assert tool.main([
        str(config), '--work-root', str(tmp_path / 'root'), '--train',
        '--seeds', '0', '--no-speed', '--out', str(out)
    ]) == 0
    (run, ) = json.loads((tmp_path / 'heads.json').read_text())[
        'models'][0]['runs']
    assert run['progress'] == [4, 4] and run['finished']
    new_folders = sorted(set(os.listdir(work)) - before)
    assert len([f for f in new_folders if f[:8].isdigit()]) == 1
    assert 'iter_4.pth' in new_folders and 'iter_1.pth' not in new_folders
    stamp = next(f for f in new_folders if f[:8].isdigit())
    log = (work / stamp / f'{stamp}.log').read_text()
    # MMEngine's own warning on resuming at iteration 2
    assert 'Advance dataloader 2 steps' in log
    timed = json.loads((work / 'train_time.json').read_text())
    assert '--resume' in timed['command'] and len(timed['segments']) == 1
    assert run['timing'] == 'log' and run['cpu_s'] is None
    assert run['wall_s'] is not None


def test_costs_are_measured_side_by_side(runs, tool, tmp_path):
    hm, sc = runs['configs']['heatmap'], runs['configs']['simcc']
    out = tmp_path / 'heads.md'
    assert tool.main([
        '--work-dirs', f'{hm}={runs["dirs"]["heatmap", 0]}',
        f'{sc}={runs["dirs"]["simcc", 0]}', '--batch', '2', '--iters', '1',
        '--warmup', '0', '--speed-images', '1', '--out', str(out)
    ]) == 0
    heat, simcc = json.loads((tmp_path / 'heads.json').read_text())['models']
    assert (heat['head'], simcc['head']) == ('HeatmapHead', 'SimCCHead')
    for m in (heat, simcc):
        cost = m['cost']
        assert cost['params_m'] > 0 and cost['gflops'] > 0
        assert cost['train_img_per_s'] > 0 and cost['predict_ms'] > 0
        assert cost['peak_rss_mb'] > cost['train_step_mb'] > 0
    assert heat['cost']['train_ratio'] == 1.0
    # the SimCC head has no deconvolutions: fewer parameters
    assert simcc['cost']['params_m'] < heat['cost']['params_m']
    row = next(line for line in out.read_text().splitlines()
               if line.startswith('| SimpleBaseline |'))
    assert 'n/a' not in row
    img = cv2.imread(str(tmp_path / 'heads.png'))
    assert img is not None and img.std() > 10

    # --costs-from: the same costs again without measuring, matched by
    # config (here in the other order), the machine they were measured on
    # named, and a config the earlier JSON lacks refused by name
    again = tmp_path / 'again' / 'heads.md'
    again.parent.mkdir()
    assert tool.main([
        '--work-dirs', f'{sc}={runs["dirs"]["simcc", 0]}',
        f'{hm}={runs["dirs"]["heatmap", 0]}', '--costs-from',
        str(tmp_path / 'heads.json'), '--out', str(again)
    ]) == 0
    simcc2, heat2 = json.loads(
        (tmp_path / 'again' / 'heads.json').read_text())['models']
    assert (simcc2['cost'], heat2['cost']) == (simcc['cost'], heat['cost'])
    text = again.read_text()
    assert 'heads.json`, an earlier measurement' in text
    first = json.loads((tmp_path / 'heads.json').read_text())
    assert first['machine'] and first['machine'] in text
    lonely = tmp_path / 'lonely.py'
    lonely.write_text(open(hm).read())
    with pytest.raises(ValueError, match='no measured cost of .*lonely.py'):
        tool.main([
            '--work-dirs', f'{lonely}={runs["dirs"]["heatmap", 0]}',
            '--costs-from',
            str(tmp_path / 'heads.json'), '--out', str(tmp_path / 'x.md')
        ])


def test_runs_lost_from_disk_are_taken_from_the_record(runs, tool,
                                                       tmp_path):
    """A fresh machine (a new session, CI) has lost the work dirs of the
    runs an earlier comparison trained: --runs-from takes them from that
    comparison's JSON, marked as recorded there, and --train trains only
    what neither the disk nor the record has; a run on disk is read from
    disk."""
    hm = runs['configs']['heatmap']
    root = tmp_path / 'root'
    for seed in (0, 1):
        shutil.copytree(runs['dirs']['heatmap', seed],
                        root / 'tiny_heatmap' / f'seed{seed}')
    first = tmp_path / 'first' / 'heads.md'
    first.parent.mkdir()
    args = [hm, '--work-root', str(root), '--seeds', '0', '1', '--no-speed']
    assert tool.main(args + ['--out', str(first)]) == 0
    record = tmp_path / 'first' / 'heads.json'
    (was0, was1) = json.loads(record.read_text())['models'][0]['runs']

    shutil.rmtree(root / 'tiny_heatmap' / 'seed1')  # the session's end
    lost = tmp_path / 'lost' / 'heads.md'
    lost.parent.mkdir()
    assert tool.main(args + ['--out', str(lost)]) == 0
    (only, ) = json.loads((lost.parent / 'heads.json').read_text())[
        'models'][0]['runs']
    assert only['seed'] == 0
    assert 'not trained' in lost.read_text()

    again = tmp_path / 'again' / 'heads.md'
    again.parent.mkdir()
    assert tool.main(args + ['--runs-from', str(record), '--seeds', '0', '1',
                             '2', '--train', '--out', str(again)]) == 0
    model = json.loads((again.parent / 'heads.json').read_text())[
        'models'][0]
    on_disk, recorded, trained = model['runs']
    assert 'recorded_in' not in on_disk['extra']
    assert on_disk['metrics'] == was0['metrics']
    # the lost run, as recorded: not retrained
    assert recorded['extra']['recorded_in'] == str(record)
    assert recorded['metrics'] == was1['metrics']
    assert recorded['wall_s'] == was1['wall_s'] and recorded['seed'] == 1
    assert not (root / 'tiny_heatmap' / 'seed1').exists()
    # what neither had: trained now
    assert trained['seed'] == 2 and trained['timing'] == 'measured'
    assert (root / 'tiny_heatmap' / 'seed2' / 'train_time.json').is_file()
    # both seeds of the record count in the table's mean
    assert model['ne']['all'] == pytest.approx(statistics.fmean(
        r['metrics']['fashionai/NE'] for r in model['runs']))
    text = again.read_text()
    assert f'(recorded in `{record}`)' in text and 'not trained' not in text
