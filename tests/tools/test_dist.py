"""Beyond one process: tools/dist_train.sh and dist_test.sh (torchrun) on
two CPU processes (gloo); distributed evaluation gives the same NE as one
process, and a process tears its group down before the interpreter exits."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys
import textwrap

import pytest
import torch

from conftest import REPO, tiny_topdown_cfg

#: An odd number of validation images: with two processes one rank gets one
#: image fewer; a sampler that padded (round_up=True) would count one twice.
NUM_VAL = 7


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _dist(script: str, *args: str, timeout: int = 150):
    """Run tools/dist_train.sh or dist_test.sh (torchrun, 2 processes)."""
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1',
               CUDA_VISIBLE_DEVICES='',  # CPU processes, gloo
               PYTHON=sys.executable, PORT=str(_free_port()))
    proc = subprocess.run(['bash', f'{REPO}/tools/{script}', *args],
                          capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc


def _val_metrics(work: str):
    """The validation record and the log of the training run in ``work``."""
    runs = [d for d in sorted(os.listdir(work))
            if osp.isfile(osp.join(work, d, 'vis_data', 'scalars.json'))]
    assert runs, os.listdir(work)
    with open(osp.join(work, runs[-1], 'vis_data', 'scalars.json')) as f:
        records = [json.loads(line) for line in f if line.strip()]
    val = [r for r in records if 'fashionai/NE' in r]
    assert val, records
    with open(osp.join(work, runs[-1], f'{runs[-1]}.log')) as f:
        log = f.read()
    return val[-1], log


def test_two_process_training_and_evaluation(synthetic_split, tmp_path):
    from mmengine.config import Config
    from mmengine.runner import Runner
    work = str(tmp_path / 'work')
    ann = synthetic_split['ann_file']
    cfg = Config(tiny_topdown_cfg(work, synthetic_split['root'], ann, ann,
                                  num_images=8, max_iters=2))
    for key in ('val_dataloader', 'test_dataloader'):
        cfg[key].dataset.indices = NUM_VAL
        assert cfg[key].sampler.round_up is False
        # one image per forward pass and one thread per process (below):
        # each image is computed exactly alike however the images are
        # shared out, so that NE can be compared exactly even for a model
        # whose heatmaps are nearly flat after two iterations
        cfg[key].batch_size = 1
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    # as in configs/_base_/default_runtime.py: BN statistics, which DDP does
    # not broadcast, are averaged over the processes before validation
    cfg.custom_hooks = [dict(type='SyncBuffersHook')]
    cfg.log_level = 'INFO'  # the log then says how many processes ran
    cfg_path = str(tmp_path / 'tiny_dist.py')
    cfg.dump(cfg_path)

    # 1. two processes train (DDP on gloo) and validate at the end
    _dist('dist_train.sh', cfg_path, '2', '--work-dir', work)
    ckpt = osp.join(work, 'iter_2.pth')
    best = osp.join(work, 'best_fashionai_NE_iter_2.pth')
    assert osp.isfile(ckpt) and osp.isfile(best), os.listdir(work)
    during_training, log = _val_metrics(work)
    # MMEngine logs the world size as 'GPU number', also on CPUs
    assert 'Distributed training: True' in log and 'GPU number: 2' in log

    # 2. tools/test.py on two processes
    out2 = tmp_path / 'metrics_2proc.json'
    _dist('dist_test.sh', cfg_path, ckpt, '2', '--work-dir',
          str(tmp_path / 'test2'), '--out', str(out2))
    two = json.loads(out2.read_text())

    # 3. the same checkpoints in one process
    def one_process(checkpoint, name):
        cfg1 = Config(cfg.to_dict())
        cfg1.work_dir = str(tmp_path / name)
        cfg1.load_from = checkpoint
        cfg1.log_level = 'WARNING'
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return Runner.from_cfg(cfg1).test()
        finally:
            torch.set_num_threads(threads)

    one = one_process(ckpt, 'test1')
    # the best checkpoint is saved after validation, with the averaged BN
    # statistics that validation used
    one_best = one_process(best, 'test1_best')

    print(f"\nNE of {NUM_VAL} images: one process {one['fashionai/NE']:.6f}, "
          f"two processes {two['fashionai/NE']:.6f}; validation in two-"
          f"process training {during_training['fashionai/NE']:.6f}, its "
          f"checkpoint in one process {one_best['fashionai/NE']:.6f}")
    for res, ref in ((two, one), (during_training, one_best)):
        assert res['fashionai/images'] == ref['fashionai/images'] == NUM_VAL
        assert res['fashionai/count'] == ref['fashionai/count']
        assert res['fashionai/NE'] == pytest.approx(ref['fashionai/NE'],
                                                    rel=1e-6)


def test_gloo_threads_are_joined_before_interpreter_exit(synthetic_split,
                                                         tmp_path):
    """What tools/train.py and test.py do after the run (``del runner``,
    ``teardown_distributed()``) frees the process group and joins gloo's
    ``pt_gloo_runloop`` threads, so none of them can meet a finalising
    interpreter (the cause of "terminate called without an active
    exception" after a successful run). The control keeps the runner: its
    DDP model holds the group and the threads stay."""
    work = str(tmp_path / 'work')
    ann = synthetic_split['ann_file']
    cfg = tiny_topdown_cfg(work, synthetic_split['root'], ann, ann,
                           num_images=4, max_iters=1)
    cfg['launcher'] = 'pytorch'
    script = tmp_path / 'one_rank.py'
    script.write_text(textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {REPO!r})
        import mmpose_cloth  # noqa: F401
        from mmengine.config import Config
        from mmengine.runner import Runner
        from mmpose_cloth.engine import teardown_distributed

        def gloo_threads():
            names = [open(f'/proc/self/task/{{t}}/comm').read().strip()
                     for t in os.listdir('/proc/self/task')]
            return sum(n.startswith('pt_gloo') for n in names)

        runner = Runner.from_cfg(Config({cfg!r}))
        runner.train()
        print('during:', gloo_threads())
        if sys.argv[1] == 'teardown':
            del runner
        teardown_distributed()
        print('after:', gloo_threads(), flush=True)
        if sys.argv[1] == 'control':
            # threads still alive: skip the finalisation they could abort
            os._exit(0)
    """))
    env = dict(os.environ, CUDA_VISIBLE_DEVICES='', RANK='0', LOCAL_RANK='0',
               WORLD_SIZE='1', MASTER_ADDR='127.0.0.1', OMP_NUM_THREADS='1')
    counts = {}
    for mode in ('teardown', 'control'):
        proc = subprocess.run(
            [sys.executable, str(script), mode], capture_output=True,
            text=True, timeout=180, cwd=str(tmp_path),
            env=dict(env, MASTER_PORT=str(_free_port())))
        assert proc.returncode == 0, proc.stderr[-3000:]
        lines = dict(line.split(': ') for line in proc.stdout.splitlines()
                     if line.startswith(('during:', 'after:')))
        counts[mode] = (int(lines['during']), int(lines['after']))
    assert counts['teardown'][0] > 0, counts  # DDP on gloo ran
    assert counts['teardown'][1] == 0, counts
    assert counts['control'][1] > 0, counts  # the check can fail
