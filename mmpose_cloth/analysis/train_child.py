"""The child process of :func:`mmpose_cloth.analysis.train_runs`: train one
config as ``tools/train.py CONFIG --work-dir WORK_DIR --cfg-options
randomness.seed=SEED`` does (the same runner, hooks and compile setting),
with ``--threads`` torch threads::

    python -m mmpose_cloth.analysis.train_child CONFIG WORK_DIR --seed 0 \\
        [--threads 1] [--resume] [--cfg-options key=value ...]

``--resume`` continues from ``WORK_DIR/last_checkpoint`` (``tools/train.py
--resume``).
"""
import argparse
import os
from typing import Optional, Sequence

__all__ = ['main']


def main(argv: Optional[Sequence[str]] = None) -> None:
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('work_dir')
    parser.add_argument('--seed', type=int, required=True)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--resume', action='store_true')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', '0')

    import torch
    from mmengine.config import Config
    from mmengine.runner import Runner

    import mmpose_cloth  # noqa: F401  (compat layer, registers modules)
    from mmpose_cloth.engine import teardown_distributed, with_compile_hook
    torch.set_num_threads(args.threads)
    cfg = Config.fromfile(args.config)
    cfg.launcher = 'none'
    cfg.work_dir = args.work_dir
    cfg.randomness = dict(cfg.get('randomness') or {}, seed=args.seed)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.resume = args.resume
    cfg = with_compile_hook(cfg)
    if 'preprocess_cfg' in cfg:
        cfg.model.setdefault('data_preprocessor',
                             cfg.get('preprocess_cfg', {}))
    runner = Runner.from_cfg(cfg)
    runner.train()
    del runner
    teardown_distributed()


if __name__ == '__main__':
    main()
