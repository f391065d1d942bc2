"""Training killed with SIGKILL mid-epoch resumes with ``tools/train.py
--resume`` and ends where an uninterrupted run ends: the same counters,
optimizer and scheduler state, and weights (deterministic CPU run)."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import torch
from mmengine.config import Config

from conftest import REPO
from reliability_helpers import narrow_cfg, subprocess_env

MAX_ITERS = 6
KILL_AFTER = 3  # 8 images, batch 4: iteration 3 is in the middle of epoch 2


def _config(tmp_path, synthetic_split) -> str:
    cfg = narrow_cfg(None, synthetic_split['root'],
                     synthetic_split['ann_file'], max_iters=MAX_ITERS)
    cfg.pop('work_dir')
    cfg['randomness'] = dict(seed=0, deterministic=True)
    cfg['custom_imports']['imports'].append('reliability_hang_hook')
    cfg['custom_hooks'] = [dict(type='HangAfterIterHook')]
    # a schedule with state: warm-up, then a step
    cfg['param_scheduler'] = [
        dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
             end=4),
        dict(type='MultiStepLR', by_epoch=False, milestones=[5], gamma=0.5)
    ]
    cfg['optim_wrapper'] = dict(
        optimizer=dict(type='SGD', lr=1e-2, momentum=0.9, weight_decay=1e-4))
    path = str(tmp_path / 'resume_cfg.py')
    Config(cfg).dump(path)
    return path


def _train(cfg_path, work_dir, log, *args, **env):
    return subprocess.Popen(
        [sys.executable, f'{REPO}/tools/train.py', cfg_path, '--work-dir',
         work_dir, *args],
        stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
        env=subprocess_env(**env))


def _tail(path, n=3000):
    with open(path, errors='replace') as f:
        return f.read()[-n:]


def _train_here(cfg_path, work_dir):
    """The uninterrupted run, in this process (one thread, as the
    subprocesses), while the other run starts up."""
    from mmengine.runner import Runner
    cfg = Config.fromfile(cfg_path)
    cfg.work_dir = work_dir
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        Runner.from_cfg(cfg).train()
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(False)  # set by randomness


def test_sigkill_mid_epoch_then_resume_matches_uninterrupted(
        tmp_path, synthetic_split):
    cfg = _config(tmp_path, synthetic_split)
    ref_dir, run_dir = str(tmp_path / 'ref'), str(tmp_path / 'run')
    run_log = tmp_path / 'run.log'
    with open(run_log, 'w') as log:
        victim = _train(cfg, run_dir, log,
                        RELIABILITY_HANG_AFTER_ITER=str(KILL_AFTER))
        try:
            _train_here(cfg, ref_dir)
            deadline = time.time() + 240
            while not osp.exists(osp.join(run_dir, 'hanging')):
                assert victim.poll() is None, _tail(run_log)
                assert time.time() < deadline, 'the run never got to iter 3'
                time.sleep(0.05)
            os.kill(victim.pid, signal.SIGKILL)
            assert victim.wait(timeout=60) == -signal.SIGKILL
        finally:
            if victim.poll() is None:
                victim.kill()
        with open(osp.join(run_dir, 'last_checkpoint')) as f:
            assert osp.basename(f.read().strip()) == f'iter_{KILL_AFTER}.pth'
        # A kill while torch.save was writing leaves a truncated file that
        # last_checkpoint does not name yet; resuming must not trip on it.
        with open(osp.join(run_dir, f'iter_{KILL_AFTER}.pth'), 'rb') as f:
            partial = f.read(4096)
        with open(osp.join(run_dir, f'iter_{KILL_AFTER + 1}.pth'), 'wb') as f:
            f.write(partial)

        resumed = _train(cfg, run_dir, log, '--resume')
        assert resumed.wait(timeout=300) == 0, _tail(run_log)
    assert f'Advance dataloader {KILL_AFTER} steps' in _tail(run_log, 10**6)

    for it in (KILL_AFTER + 1, MAX_ITERS):
        a = torch.load(osp.join(ref_dir, f'iter_{it}.pth'), weights_only=True)
        b = torch.load(osp.join(run_dir, f'iter_{it}.pth'), weights_only=True)
        assert (a['meta']['iter'], a['meta']['epoch']) == \
            (b['meta']['iter'], b['meta']['epoch'])
        assert b['meta']['iter'] == it
        torch.testing.assert_close(b['state_dict'], a['state_dict'],
                                   rtol=1e-4, atol=1e-6)
        torch.testing.assert_close(b['optimizer'], a['optimizer'], rtol=1e-4,
                                   atol=1e-6)
        assert b['param_schedulers'] == a['param_schedulers']
        assert b['optimizer']['param_groups'][0]['lr'] == \
            a['optimizer']['param_groups'][0]['lr']
