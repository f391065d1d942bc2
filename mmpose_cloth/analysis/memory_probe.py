"""The child process of :func:`mmpose_cloth.analysis.measure_memory_cpu`:
build one config's model and batch, note the RSS, run two training steps
(the second one holds the optimizer state too) and print the peak RSS
(``ru_maxrss``), that baseline and their difference as JSON on the last
line of stdout::

    python -m mmpose_cloth.analysis.memory_probe CONFIG[::variant] ROOT \\
        ANN_FILE --batch 4 [--input-size WxH] [--amp] [--channels-last]
"""
import argparse
import json
import logging
import os
import resource
from typing import Optional, Sequence

import torch
from mmengine.registry import init_default_scope

from mmpose_cloth.utils.cli import (add_channels_last_argument,
                                    add_input_size_argument)
from mmpose_cloth.utils.config import load_config
from .entry import BenchmarkEntry
from .model_bench import ModelBench

__all__ = ['rss_kb', 'main']


def rss_kb() -> int:
    """The process's resident set size now, in KiB (Linux)."""
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf('SC_PAGE_SIZE') // 1024


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('entry')
    parser.add_argument('root')
    parser.add_argument('ann_file')
    parser.add_argument('--batch', type=int, required=True)
    add_input_size_argument(parser)
    parser.add_argument('--amp', action='store_true')
    add_channels_last_argument(parser)
    args = parser.parse_args(argv)

    init_default_scope('mmpose')
    logging.getLogger('mmengine').setLevel(logging.ERROR)
    torch.set_num_threads(1)  # memory hardly depends on the threads
    entry = BenchmarkEntry.parse(args.entry, amp=args.amp,
                                 channels_last=args.channels_last)
    cfg = load_config(entry.variant, args.input_size)
    bench = ModelBench(entry.with_config_layout(cfg), cfg,
                       torch.device('cpu'), args.batch, args.root,
                       args.ann_file)
    base = rss_kb()
    for _ in range(2):
        bench.train_step()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(dict(peak_rss_mb=peak / 1024,
                          baseline_rss_mb=base / 1024,
                          train_step_mb=(peak - base) / 1024)))


if __name__ == '__main__':
    main()
