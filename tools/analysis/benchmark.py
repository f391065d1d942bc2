"""Benchmark pose models side by side: size, arithmetic, speed, memory and
the data pipeline that feeds them.

For every config (MMPose top-down configs, e.g. CPN and SimpleBaseline on
FashionAI) this measures, in one process and one run:

* parameters and GFLOPs at the config's input size (MMEngine's counter, as
  ``tools/analysis/count_params_flops.py``: one multiply-add is one FLOP);
* training throughput (images/s): forward, backward and optimizer step (the
  config's optimizer) on a fixed batch made by the config's own training
  pipeline from synthetic FashionAI images, so the targets have the head's
  real (multi-level) structure;
* inference: latency per image at batch 1 and throughput at ``--batch``
  (the network's forward, ``mode='tensor'``: no flip test, no decoding);
* peak memory of a training step: on CPU the peak resident set size (RSS)
  of a separate process that builds the same model and batch and runs two
  steps, minus its RSS before the first step (``torch`` allocations are not
  seen by ``tracemalloc``); on CUDA ``torch.cuda.max_memory_allocated``;
* the training data pipeline's throughput in images/s per worker (one
  process, one thread, as one dataloader worker): JPEG decoding through
  augmentation and (multi-level) target generation to packing, with the time
  of every transform;
* the NE metric and the offline evaluator on 10,000 (``--eval-images``)
  random images.

Noise (other processes on the machine) hits all configs alike: their
repetitions are interleaved round-robin, medians are reported, and every
speed is also given as a ratio to the first config, the median of the
ratios of the same round.

A CONFIG may carry variants after ``::``, so that variants of one config are
compared in the same run: ``key=value`` overrides a config key (e.g.
``model.head.unit_channels=128``, a narrower CPN head), and the flags
``channels-last``, ``amp``, ``backbone-only`` (the bare backbone with a
mean-of-features loss, e.g. a bare ResNet-50) and ``compile``
(``torch.compile`` of the training step and the inference forward; the
first, compiling call of each is reported apart from the steady state, and
the CPU memory probe is skipped) apply to that entry only and combine
(``CONFIG::channels-last::compile``); ``--channels-last`` and ``--amp``
apply to all.

Example::

    python tools/analysis/benchmark.py \\
        configs/simplebaseline/td-hm_res50_8xb32-50e_fashionai-384x384.py \\
        configs/cpn/td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py \\
        configs/cpn/td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py::model.head.unit_channels=128 \\
        --batch 4 --iters 10 --out-json bench.json --out-png bench.png

    # CI smoke test: tiny input, one iteration, a few seconds
    python tools/analysis/benchmark.py CONFIG [CONFIG ...] --smoke \\
        --out-json smoke.json --out-png smoke.png

The measurements live in :mod:`mmpose_cloth.analysis` (one ``measure_*``
function per figure, typed result rows); this is its command line.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Optional, Sequence

import torch

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmpose_cloth.analysis import (BenchmarkSettings,  # noqa: E402
                                   attach_ne, plot_benchmark, print_details,
                                   print_table, run_benchmark,
                                   save_benchmark)
from mmpose_cloth.utils.cli import (add_channels_last_argument,  # noqa
                                    add_input_size_argument)
from mmpose_cloth.utils.config import parse_input_size  # noqa: E402


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Side-by-side benchmark of pose configs: params, '
        'GFLOPs, training/inference speed, memory, data pipeline, NE '
        'evaluation speed',
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='CONFIG may be followed by ::key=value overrides and the '
        'flags ::channels-last, ::amp, ::backbone-only, ::compile')
    parser.add_argument('configs', nargs='+', metavar='CONFIG')
    parser.add_argument('--batch', type=int, default=4,
                        help='training / batched inference batch size '
                        '(default 4)')
    parser.add_argument('--iters', type=int, default=10,
                        help='timed repetitions per config (default 10)')
    parser.add_argument('--warmup', type=int, default=2,
                        help='untimed repetitions per config (default 2)')
    add_input_size_argument(parser, help="override every config's input "
                            'size, width x height (codecs keep their input '
                            '/ heatmap ratio)')
    parser.add_argument('--device', default='cpu',
                        help='cpu or cuda[:N] (default cpu)')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision for all configs: fp16 + '
                        'GradScaler on CUDA, bf16 autocast on CPU')
    add_channels_last_argument(parser, help='channels-last memory format '
                               'for all configs')
    parser.add_argument('--cudnn-benchmark', action='store_true',
                        help='let cuDNN pick the fastest algorithms for the '
                        'fixed input size (MMEngine env_cfg.cudnn_benchmark)')
    parser.add_argument('--no-acc', action='store_true',
                        help="skip the heads' training accuracy (acc_pose, "
                        'computed with numpy on the host every step by '
                        'default in MMPose); on a GPU it can cost more than '
                        'the network')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch intra-op threads (default: torch\'s)')
    parser.add_argument('--pipeline-images', type=int, default=2,
                        help='synthetic images per category for the data '
                        'pipeline (default 2, i.e. 10 images)')
    parser.add_argument('--pipeline-image-size', type=parse_input_size,
                        default=(512, 512), metavar='WxH',
                        help='size of the synthetic JPEGs (default '
                        '512x512, the longest side of FashionAI images)')
    parser.add_argument('--eval-images', type=int, default=10000,
                        help='images for the NE evaluation timing '
                        '(default 10000; 0 skips it)')
    parser.add_argument('--no-memory', action='store_true',
                        help='skip the peak memory measurement')
    parser.add_argument('--smoke', action='store_true',
                        help='tiny run for CI: 64x64 input (unless '
                        '--input-size), batch 1, 1 iteration, no warm-up, '
                        '1 small image per category, 200 eval images')
    parser.add_argument('--ne-json', default=None,
                        help='JSON {config_name: NE} to plot NE against '
                        'training throughput')
    parser.add_argument('--out-json', default=None, help='write results')
    parser.add_argument('--out-png', default=None, help='write a chart')
    parser.add_argument('--work-dir', default=None,
                        help='where the synthetic images go (default: a '
                        'temporary folder, removed afterwards)')
    args = parser.parse_args(argv)
    if args.smoke:
        args.input_size = args.input_size or (64, 64)
        args.batch, args.iters, args.warmup = 1, 1, 0
        args.pipeline_images = 1
        args.pipeline_image_size = (96, 96)
        args.eval_images = min(args.eval_images, 200)
    if args.batch < 1 or args.iters < 1 or args.warmup < 0:
        parser.error('--batch and --iters must be >= 1, --warmup >= 0')
    return args


def settings_from_args(args: argparse.Namespace) -> BenchmarkSettings:
    """The library's settings from the parsed command line."""
    return BenchmarkSettings(
        batch=args.batch, iters=args.iters, warmup=args.warmup,
        input_size=args.input_size, device=args.device, amp=args.amp,
        channels_last=args.channels_last,
        cudnn_benchmark=args.cudnn_benchmark, no_acc=args.no_acc,
        threads=args.threads, pipeline_images=args.pipeline_images,
        pipeline_image_size=args.pipeline_image_size,
        eval_images=args.eval_images, no_memory=args.no_memory,
        smoke=args.smoke, work_dir=args.work_dir)


def main(argv: Optional[Sequence[str]] = None) -> dict:
    args = parse_args(argv)
    if args.device.startswith('cuda'):
        if not torch.cuda.is_available():
            raise SystemExit('--device cuda: CUDA is not available')
    result = run_benchmark(args.configs, settings_from_args(args))
    print_table(result.results, args.batch, args.iters)
    print_details(result)
    ne = None
    if args.ne_json:
        with open(args.ne_json) as f:
            ne = json.load(f)
        attach_ne(result.results, ne)
    if args.out_json:
        os.makedirs(osp.dirname(osp.abspath(args.out_json)), exist_ok=True)
        save_benchmark(result, args.out_json)
        print(f'results written to {args.out_json}')
    if args.out_png:
        os.makedirs(osp.dirname(osp.abspath(args.out_png)), exist_ok=True)
        plot_benchmark(result.results, args.out_png, ne)
        print(f'chart written to {args.out_png}')
    return result.to_dict()


if __name__ == '__main__':
    main()
