"""Compare pose configs on FashionAI in one table and one chart: NE overall
and per category, gross failures, parameters, GFLOPs, training images/s,
CPU prediction time with flip test and peak memory.

Accuracy comes from the configs' trained work dirs (the best checkpoint's
validation metrics in MMEngine's ``<timestamp>/vis_data/scalars.json``);
``--train`` first trains the missing ones, ``<work-root>/<config
name>/seed<k>`` for each ``--seeds`` value, each in its own process with one
torch thread (what ``tools/train.py CONFIG --cfg-options
randomness.seed=k`` does), timing wall-clock and CPU; a run stopped
before its last epoch (a session's end) is resumed from its last
checkpoint. The cost of all
configs is then measured side by side in this process, interleaved. The
markdown starts with the command that made it; an unknown cell is ``n/a``.

Example (the head comparison's full command is in docs/benchmarks.md)::

    CPN=configs/cpn/td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py
    SB=configs/simplebaseline/td-hm_efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py
    python tools/analysis/compare_models.py $CPN $SB --train --seeds 0 1 \\
        --out docs/benchmarks/heads.md

    # on a machine that lost the work dirs of earlier sessions: their runs
    # from the committed JSON, only the rest trained
    python tools/analysis/compare_models.py $CPN $SB --train --seeds 0 1 \\
        --runs-from docs/benchmarks/heads.json --out docs/benchmarks/heads.md

    # runs trained elsewhere: CONFIG=DIR (repeat a config for each seed,
    # or give a folder of seed<k> folders)
    python tools/analysis/compare_models.py --work-dirs \\
        $CPN=work_dirs/cpn_s0 $CPN=work_dirs/cpn_s1 $SB=work_dirs/sb

The reading, training, measuring, table and chart are in
:mod:`mmpose_cloth.analysis.comparison`.
"""
import argparse
import os.path as osp
import shlex
import sys
from typing import Optional, Sequence

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmpose_cloth.analysis.comparison import (  # noqa: E402
    ComparisonSettings, load_comparison, plot_comparison, run_comparison,
    save_comparison, write_markdown)


def _pair(text: str):
    if '=' not in text:
        raise argparse.ArgumentTypeError(f'expected CONFIG=DIR, got {text!r}')
    config, work_dir = text.split('=', 1)
    return config, work_dir


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description='Compare pose configs on FashionAI: NE (overall, per '
        'category, gross failures) from their trained work dirs, and '
        'params, GFLOPs, training and prediction speed, memory measured '
        'side by side; one markdown table and one chart',
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('configs', nargs='*', metavar='CONFIG',
                        help='configs in table order (the first is the '
                        'reference of the speed ratios); those of '
                        '--work-dirs are added after them')
    parser.add_argument('--work-dirs', nargs='+', type=_pair, default=[],
                        action='extend', metavar='CONFIG=DIR',
                        help='a trained run of a config (repeat the config '
                        'for each seed; a DIR of seed<k> folders counts as '
                        'those); such configs are not looked for under '
                        '--work-root nor trained')
    parser.add_argument('--work-root', default='work_dirs/heads',
                        help='runs of the other configs: WORK_ROOT/<config '
                        'name>/seed<k> (default work_dirs/heads)')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1],
                        help='seeds looked for and trained there (default '
                        '0 1)')
    parser.add_argument('--train', action='store_true',
                        help='train the missing runs under --work-root '
                        'first, and resume those stopped before their last '
                        'epoch from their last checkpoint')
    parser.add_argument('--jobs', type=int, default=1,
                        help='training processes at a time (default 1)')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads of each training process and '
                        'of the measurements (default 1)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='overrides for the trainings, as '
                        'tools/train.py --cfg-options')
    parser.add_argument('--costs-from', metavar='JSON', default=None,
                        help='take the costs (and the machine they were '
                        'measured on) from the JSON of an earlier '
                        'comparison of these configs instead of measuring '
                        'again')
    parser.add_argument('--runs-from', metavar='JSON', default=None,
                        help='take a run whose work dir is no longer on '
                        'disk (an earlier session\'s) from the JSON of an '
                        'earlier comparison, marked as recorded there; '
                        'with --train only what neither has is trained')
    parser.add_argument('--no-speed', action='store_true',
                        help='skip the cost measurement (n/a in the table)')
    parser.add_argument('--no-memory', action='store_true',
                        help='skip the peak memory measurement')
    parser.add_argument('--batch', type=int, default=16,
                        help='training batch of the speed measurement '
                        '(default 16, the CPU recipes\')')
    parser.add_argument('--iters', type=int, default=5,
                        help='timed rounds (default 5)')
    parser.add_argument('--warmup', type=int, default=1,
                        help='untimed rounds first (default 1)')
    parser.add_argument('--speed-images', type=int, default=2,
                        help='synthetic images per category for the speed '
                        'batch (default 2)')
    parser.add_argument('--labels', nargs='+',
                        help='a table name per config (default: the head)')
    parser.add_argument('--title', default='Pose heads on FashionAI')
    parser.add_argument('--out', default='docs/benchmarks/heads.md',
                        help='the markdown table (default '
                        'docs/benchmarks/heads.md); the chart and the JSON '
                        'go beside it (.png, .json) unless --png / --json')
    parser.add_argument('--png', help='the chart')
    parser.add_argument('--json', help='the numbers')
    parser.add_argument('--render', metavar='JSON',
                        help='write the table and chart again from the JSON '
                        'of an earlier run (its command stays at the top); '
                        'reads, trains and measures nothing')
    args = parser.parse_args(argv)
    stem = osp.splitext(args.out)[0]
    args.png = args.png or stem + '.png'
    args.json = args.json or stem + '.json'
    if args.render:
        return args
    configs = list(args.configs)
    for config, _ in args.work_dirs:
        if not any(osp.abspath(config) == osp.abspath(c) for c in configs):
            configs.append(config)
    if not configs:
        parser.error('give at least one CONFIG or --work-dirs CONFIG=DIR')
    args.configs = configs
    if args.jobs < 1 or args.threads < 1 or args.iters < 1 or \
            args.batch < 1 or args.warmup < 0:
        parser.error('--jobs, --threads, --iters and --batch must be >= 1, '
                     '--warmup >= 0')
    return args


def _command(argv: Sequence[str]) -> str:
    """The command line as the docs write one: a line per option, and a
    new line where one would pass 79 characters."""
    lines = ['python tools/analysis/compare_models.py']
    for a in map(shlex.quote, argv):
        if a.startswith('-') or len(lines[-1]) + len(a) > 76:
            lines.append('   ')
        lines[-1] += ' ' + a
    return ' \\\n'.join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.render:
        result = load_comparison(args.render)
        write_markdown(result, args.out, args.title, chart=args.png)
        plot_comparison(result, args.png, args.title)
        print(f'wrote {args.out} and {args.png} from {args.render}')
        return 0
    work_dirs = {}
    for config, work_dir in args.work_dirs:
        work_dirs.setdefault(config, []).append(work_dir)
    settings = ComparisonSettings(
        configs=args.configs, work_dirs=work_dirs, work_root=args.work_root,
        seeds=args.seeds, train=args.train, parallel=args.jobs,
        threads=args.threads, cfg_options=dict(args.cfg_options),
        speed=not args.no_speed, batch=args.batch, iters=args.iters,
        warmup=args.warmup, memory=not args.no_memory,
        speed_images=args.speed_images, labels=args.labels,
        costs_from=args.costs_from, runs_from=args.runs_from)
    command = _command(argv)
    result = run_comparison(settings, command, progress=print)
    write_markdown(result, args.out, args.title, chart=args.png)
    plot_comparison(result, args.png, args.title)
    save_comparison(result, args.json)
    print(f'wrote {args.out}, {args.png} and {args.json}')
    failed = [f for m in result.models for f in m.failed]
    for f in failed:
        print(f'training failed: see {f}', file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
