"""Profile a config's training step: which operators the time goes to.

Builds the benchmark's model, optimizer and fixed batch
(:class:`mmpose_cloth.analysis.ModelBench`, synthetic images, random
weights) and runs PyTorch's profiler over a few forward + backward +
optimizer steps, printing the operators by self time. A CONFIG takes the
benchmark's ``::`` variants (``::nchw``, ``::compile``, ``::amp``,
``key=value``)::

    python tools/analysis/profile_train_step.py \\
        configs/cpn/td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py --batch 4

The profiling is :func:`mmpose_cloth.analysis.profile_train_step`.
"""
import argparse
import os.path as osp
import sys
import tempfile

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmpose_cloth.utils.cli import add_input_size_argument  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='PyTorch profiler table of a config\'s training step')
    parser.add_argument('config')
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument('--steps', type=int, default=2)
    parser.add_argument('--rows', type=int, default=20)
    add_input_size_argument(parser)
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--no-acc', action='store_true',
                        help="skip the heads' training accuracy (numpy)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    import mmpose_cloth  # noqa: F401
    from mmengine.registry import init_default_scope
    from mmpose_cloth.analysis import (BenchmarkEntry, ModelBench,
                                       make_synthetic_split,
                                       profile_train_step)
    from mmpose_cloth.utils import load_config
    init_default_scope('mmpose')
    if args.threads:
        torch.set_num_threads(args.threads)
    entry = BenchmarkEntry.parse(args.config)
    cfg = load_config(entry.variant, args.input_size)
    entry = entry.with_config_layout(cfg)
    with tempfile.TemporaryDirectory() as root:
        ann = make_synthetic_split(root, 1, (512, 512))
        bench = ModelBench(entry, cfg, torch.device(args.device), args.batch,
                           root, ann, no_acc=args.no_acc)
        table, wall = profile_train_step(bench, args.steps, args.rows)
    print(f'{entry.name} {sorted(entry.flags)}: batch {args.batch}, '
          f'{torch.get_num_threads()} threads, {wall:.2f} s per profiled '
          f'step (the profiler adds some)')
    print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
