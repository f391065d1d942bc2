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
``model.head.fast=False``, CPN's plain formulation), and the flags
``channels-last``, ``amp`` and ``backbone-only`` (the bare backbone with a
mean-of-features loss, e.g. a bare ResNet-50) apply to that entry only;
``--channels-last`` and ``--amp`` apply to all.

Example::

    python tools/analysis/benchmark.py \\
        configs/simplebaseline/td-hm_res50_8xb32-50e_fashionai-384x384.py \\
        configs/cpn/td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py \\
        configs/cpn/td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py::model.head.fast=False \\
        --batch 4 --iters 10 --out-json bench.json --out-png bench.png

    # CI smoke test: tiny input, one iteration, a few seconds
    python tools/analysis/benchmark.py CONFIG [CONFIG ...] --smoke \\
        --out-json smoke.json --out-png smoke.png
"""
import argparse
import contextlib
import copy
import io
import json
import logging
import math
import os
import os.path as osp
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Optional, Sequence, Tuple

REPO = osp.abspath(osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
for _path in (REPO, osp.dirname(osp.abspath(__file__))):  # + its siblings
    if _path not in sys.path:
        sys.path.insert(0, _path)

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

FLAGS = ('channels-last', 'amp', 'backbone-only')


# --------------------------------------------------------------------------
# command line


def parse_size(text: str) -> Tuple[int, int]:
    """``'384x288'`` -> ``(384, 288)`` (width, height)."""
    try:
        w, h = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'expected WxH such as 384x384, got {text!r}') from None
    if w < 32 or h < 32 or w % 32 or h % 32:
        raise argparse.ArgumentTypeError(
            f'input size {text} must be multiples of 32 (the backbone '
            'stride), at least 32')
    return w, h


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Side-by-side benchmark of pose configs: params, '
        'GFLOPs, training/inference speed, memory, data pipeline, NE '
        'evaluation speed',
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='CONFIG may be followed by ::key=value overrides and the '
        'flags ::channels-last, ::amp, ::backbone-only')
    parser.add_argument('configs', nargs='+', metavar='CONFIG')
    parser.add_argument('--batch', type=int, default=4,
                        help='training / batched inference batch size '
                        '(default 4)')
    parser.add_argument('--iters', type=int, default=10,
                        help='timed repetitions per config (default 10)')
    parser.add_argument('--warmup', type=int, default=2,
                        help='untimed repetitions per config (default 2)')
    parser.add_argument('--input-size', type=parse_size, default=None,
                        metavar='WxH',
                        help="override every config's input size (codecs "
                        'keep their input / heatmap ratio)')
    parser.add_argument('--device', default='cpu',
                        help='cpu or cuda[:N] (default cpu)')
    parser.add_argument('--amp', action='store_true',
                        help='mixed precision for all configs: fp16 + '
                        'GradScaler on CUDA, bf16 autocast on CPU')
    parser.add_argument('--channels-last', action='store_true',
                        help='channels-last memory format for all configs')
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
    parser.add_argument('--pipeline-image-size', type=parse_size,
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
    parser.add_argument('--memory-child', nargs=2, default=None,
                        metavar=('ROOT', 'ANN_FILE'), help=argparse.SUPPRESS)
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


# --------------------------------------------------------------------------
# configs


class Spec:
    """One benchmarked entry: a config file, overrides and flags."""

    def __init__(self, text: str, args: argparse.Namespace):
        parts = text.split('::')
        self.text = text
        self.path = parts[0]
        self.overrides: Dict[str, object] = {}
        self.flags = set()
        from mmengine.config import DictAction
        for part in parts[1:]:
            if '=' in part:
                key, value = part.split('=', 1)
                self.overrides[key] = DictAction._parse_iterable(value)
            elif part in FLAGS:
                self.flags.add(part)
            else:
                raise ValueError(f'{text}: unknown variant {part!r}; use '
                                 f'key=value or one of {", ".join(FLAGS)}')
        if args.amp:
            self.flags.add('amp')
        if args.channels_last:
            self.flags.add('channels-last')
        stem = osp.splitext(osp.basename(self.path))[0]
        self.config_name = stem
        # a short name for tables: <folder>/<model token>
        folder = osp.basename(osp.dirname(osp.abspath(self.path)))
        tokens = stem.split('_')
        short = tokens[1] if len(tokens) > 1 and tokens[0].startswith(
            'td-') else stem
        extra = [f'{k}={v}' for k, v in self.overrides.items()]
        extra += sorted(f for f in self.flags
                        if not (f == 'amp' and args.amp) and not (
                            f == 'channels-last' and args.channels_last))
        self.name = f'{folder}/{short}' + ''.join(f' [{e}]' for e in extra)
        self.full_name = stem + ''.join(f' [{e}]' for e in extra)


def _rescale_sizes(node, new: Tuple[int, int], old: Tuple[int, int]):
    """Set every ``input_size`` in a config tree to ``new`` and scale the
    ``heatmap_size`` next to it by the same factor."""
    if isinstance(node, dict):
        if 'input_size' in node and isinstance(node['input_size'],
                                               (tuple, list)):
            iw, ih = node['input_size']
            node['input_size'] = tuple(new)
            if 'heatmap_size' in node:
                hw, hh = node['heatmap_size']
                node['heatmap_size'] = (max(1, round(hw * new[0] / iw)),
                                        max(1, round(hh * new[1] / ih)))
        for v in node.values():
            _rescale_sizes(v, new, old)
    elif isinstance(node, (list, tuple)):
        for v in node:
            _rescale_sizes(v, new, old)


def load_config(spec: Spec, input_size: Optional[Tuple[int, int]]):
    """The spec's config with overrides and the input size applied."""
    from mmengine.config import Config
    cfg = Config.fromfile(spec.path)
    if spec.overrides:
        cfg.merge_from_dict(spec.overrides)
    size = config_input_size(cfg)
    if input_size is not None and tuple(input_size) != size:
        d = cfg.to_dict()
        _rescale_sizes(d, tuple(input_size), size)
        cfg = Config(d)
    return cfg


def train_pipeline_cfg(cfg) -> list:
    return copy.deepcopy(cfg.train_dataloader.dataset.pipeline)


def config_input_size(cfg) -> Tuple[int, int]:
    """(w, h) of the config's training input (its TopdownAffine)."""
    for t in cfg.train_dataloader.dataset.pipeline:
        if t.get('type') == 'TopdownAffine':
            return tuple(t['input_size'])
    if 'input_size' in cfg:
        return tuple(cfg.input_size)
    raise ValueError('cannot find the input size (no TopdownAffine in the '
                     'training pipeline)')


# --------------------------------------------------------------------------
# synthetic data


def make_synthetic_split(root: str, per_category: int,
                         image_size: Tuple[int, int]) -> str:
    """Write a synthetic FashionAI split and its COCO JSON; return the JSON
    path."""
    from fashionai_format import convert_split
    from mmpose_cloth.testing import generate_fashionai
    generate_fashionai(root, num_per_category=per_category,
                       test_per_category=0, image_size=tuple(image_size),
                       seed=0)
    coco, _ = convert_split(root, progress=False)
    path = osp.join(root, 'annotations.json')
    with open(path, 'w') as f:
        json.dump(coco, f)
    return path


def build_dataset(cfg, root: str, ann_file: str, pipeline=None):
    from mmpose.registry import DATASETS
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    ds_cfg.update(data_root=root, ann_file=ann_file,
                  data_prefix=dict(img=''), test_mode=False,
                  pipeline=pipeline if pipeline is not None else [])
    ds_cfg.pop('indices', None)
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools' chatter
        return DATASETS.build(ds_cfg)


# --------------------------------------------------------------------------
# models


class Bench:
    """A built model, its optimizer and a fixed training batch."""

    def __init__(self, spec: Spec, cfg, device: torch.device, batch: int,
                 root: str, ann_file: str, no_acc: bool = False):
        from mmengine.dataset import pseudo_collate
        from mmengine.optim import build_optim_wrapper
        from mmpose.registry import MODELS
        self.spec, self.cfg, self.device = spec, cfg, device
        self.backbone_only = 'backbone-only' in spec.flags
        self.channels_last = 'channels-last' in spec.flags
        self.amp = 'amp' in spec.flags
        self.input_size = config_input_size(cfg)
        # random initialisation: no pretrained weights are loaded
        model = MODELS.build(copy.deepcopy(cfg.model))
        model.to(device)
        # a fixed batch from the config's own training pipeline
        torch.manual_seed(0)
        np.random.seed(0)
        dataset = build_dataset(cfg, root, ann_file,
                                pipeline=train_pipeline_cfg(cfg))
        samples = [dataset[i % len(dataset)] for i in range(batch)]
        with torch.no_grad():
            data = model.data_preprocessor(pseudo_collate(samples), True)
        self.inputs = data['inputs']
        self.data_samples = data['data_samples']
        if self.channels_last:
            model.to(memory_format=torch.channels_last)
            self.inputs = self.inputs.contiguous(
                memory_format=torch.channels_last)
        # bf16 heatmaps cannot go to numpy for the heads' accuracy metric
        # (training with bf16 on CPU is not an MMPose option): CPU amp
        # entries skip it, as every entry does with --no-acc
        if no_acc or (self.amp and device.type == 'cpu'):
            model.train_cfg = dict(model.train_cfg or {}, compute_acc=False)
        self.model = model
        self.net = model.backbone if self.backbone_only else model
        self.params = sum(p.numel() for p in self.net.parameters()) / 1e6
        optim_wrapper = build_optim_wrapper(self.net,
                                            copy.deepcopy(cfg.optim_wrapper))
        self.optimizer = optim_wrapper.optimizer
        self.scaler = None
        if self.amp and device.type == 'cuda':
            self.scaler = torch.amp.GradScaler('cuda')
        self.batch = batch

    def autocast(self):
        if not self.amp:
            return torch.autocast(self.device.type, enabled=False)
        dtype = torch.float16 if self.device.type == 'cuda' else \
            torch.bfloat16
        return torch.autocast(self.device.type, dtype=dtype)

    def sync(self):
        if self.device.type == 'cuda':
            torch.cuda.synchronize(self.device)

    def train_step(self) -> float:
        """One forward + backward + optimizer step; wall-clock seconds (the
        process's CPU seconds go to :attr:`last_cpu_s`)."""
        self.net.train()
        self.sync()
        c0 = time.process_time()
        t0 = time.perf_counter()
        self.optimizer.zero_grad(set_to_none=True)
        with self.autocast():
            if self.backbone_only:
                feats = self.net(self.inputs)
                loss = sum(f.float().mean() for f in feats)
            else:
                losses = self.model(self.inputs, self.data_samples,
                                    mode='loss')
                loss = sum(v for k, v in losses.items() if 'loss' in k)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()
        self.sync()
        dt = time.perf_counter() - t0
        self.last_cpu_s = time.process_time() - c0
        return dt

    @torch.no_grad()
    def infer(self, batch: int) -> float:
        """One inference forward of ``batch`` images; seconds."""
        self.net.eval()
        inputs = self.inputs[:batch]
        if inputs.shape[0] < batch:
            reps = math.ceil(batch / inputs.shape[0])
            inputs = inputs.repeat(reps, 1, 1, 1)[:batch]
        self.sync()
        t0 = time.perf_counter()
        with self.autocast():
            if self.backbone_only:
                self.net(inputs)
            else:
                self.model(inputs, None, mode='tensor')
        self.sync()
        return time.perf_counter() - t0

    def gflops(self) -> Optional[float]:
        """GFLOPs of one image at the config's input size (MMEngine's
        counter), on a copy of the network in eval mode."""
        from count_params_flops import count_gflops
        net = copy.deepcopy(self.net).cpu().float()
        net.eval()  # (mmpose's ResNet.train() does not return the module)
        if not self.backbone_only:
            net.forward = net._forward
        w, h = self.input_size
        return count_gflops(net, (h, w))


# --------------------------------------------------------------------------
# memory


def _rss_kb() -> int:
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf('SC_PAGE_SIZE') // 1024


def memory_child(args: argparse.Namespace) -> None:
    """The ``--memory-child`` mode: build one config's model and batch,
    note the RSS, run two training steps (the second one holds the optimizer
    state too) and print the peak RSS (``ru_maxrss``) and that baseline as
    JSON on the last line of stdout."""
    import mmpose_cloth  # noqa: F401  (compat layer, registers modules)
    from mmengine.registry import init_default_scope
    init_default_scope('mmpose')
    logging.getLogger('mmengine').setLevel(logging.ERROR)
    torch.set_num_threads(1)  # memory hardly depends on the threads
    root, ann_file = args.memory_child
    spec = Spec(args.configs[0], args)
    bench = Bench(spec, load_config(spec, args.input_size),
                  torch.device('cpu'), args.batch, root, ann_file)
    base = _rss_kb()
    for _ in range(2):
        bench.train_step()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(dict(peak_rss_mb=peak / 1024,
                          baseline_rss_mb=base / 1024,
                          train_step_mb=(peak - base) / 1024)))


def measure_memory(specs: List[Spec], args: argparse.Namespace, root: str,
                   ann_file: str) -> List[Optional[dict]]:
    """Peak RSS of a training step, each config in a fresh Python process
    (this script with ``--memory-child``): a process's peak RSS only grows,
    so one process per config is the only clean way to see each one. A
    fresh process rather than a fork: forking after torch has started its
    OpenMP threads can deadlock the child."""
    if not osp.exists('/proc/self/statm'):  # not Linux
        return [None] * len(specs)
    results = []
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (REPO, env.get('PYTHONPATH')) if p)
    for spec in specs:
        cmd = [sys.executable, osp.abspath(__file__), spec.text,
               '--batch', str(args.batch), '--memory-child', root, ann_file]
        if args.input_size:
            cmd += ['--input-size', '{}x{}'.format(*args.input_size)]
        cmd += ['--amp'] if args.amp else []
        cmd += ['--channels-last'] if args.channels_last else []
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        try:
            res = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            print(f'warning: memory of {spec.name}: the memory process '
                  f'exited with {proc.returncode}: ' + ' | '.join(tail),
                  file=sys.stderr)
            res = None
        results.append(res)
    return results


def measure_memory_cuda(bench: Bench) -> dict:
    torch.cuda.synchronize(bench.device)
    torch.cuda.reset_peak_memory_stats(bench.device)
    base = torch.cuda.memory_allocated(bench.device)
    bench.train_step()
    peak = torch.cuda.max_memory_allocated(bench.device)
    return dict(peak_alloc_mb=peak / 2**20,
                train_step_mb=(peak - base) / 2**20)


# --------------------------------------------------------------------------
# data pipeline


def time_pipelines(cfgs, names: List[str], root: str, ann_file: str,
                   reps: int) -> List[dict]:
    """Images/s per worker of each config's training pipeline (one thread,
    as one dataloader worker), with the median time of each transform;
    configs interleaved round-robin."""
    from mmengine.dataset import Compose
    torch_threads = torch.get_num_threads()
    cv2_threads = cv2.getNumThreads()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    try:
        items = []
        for cfg in cfgs:
            ds = build_dataset(cfg, root, ann_file, pipeline=[])
            infos = [ds.get_data_info(i) for i in range(len(ds))]
            pipe = Compose(train_pipeline_cfg(cfg))
            items.append((infos, pipe))
        np.random.seed(0)
        per_img = [[] for _ in cfgs]
        steps = [dict() for _ in cfgs]
        for r in range(reps + 1):  # the first round is a warm-up
            for c, (infos, pipe) in enumerate(items):
                total = 0.0
                for info in infos:
                    results = copy.deepcopy(info)
                    for t in pipe.transforms:
                        t0 = time.perf_counter()
                        results = t(results)
                        dt = time.perf_counter() - t0
                        total += dt
                        if r:
                            steps[c].setdefault(type(t).__name__,
                                                []).append(dt)
                if r:
                    per_img[c].append(total / len(infos))
        out = []
        for c, name in enumerate(names):
            med = statistics.median(per_img[c])
            out.append(
                dict(img_per_s=1.0 / med, ms_per_img=med * 1e3,
                     transforms_ms={
                         k: statistics.median(v) * 1e3
                         for k, v in steps[c].items()
                     }))
        return out
    finally:
        torch.set_num_threads(torch_threads)
        cv2.setNumThreads(cv2_threads)


# --------------------------------------------------------------------------
# evaluation


def time_evaluation(n: int, reps: int = 5) -> dict:
    """Seconds to score ``n`` images: the vectorised NE, the MMEngine
    metric's ``compute_metrics`` and the offline evaluator (CSV files read,
    matched and scored, as ``tools/analysis/fashionai_eval.py``)."""
    from mmpose_cloth.evaluation import FashionAIMetric, evaluate_submission
    from mmpose_cloth.evaluation.functional import normalized_error
    from fashionai_format import (CATEGORIES, CATEGORY_KEYPOINTS,
                                  FashionAIRecord, read_annotations,
                                  write_annotations)
    rng = np.random.default_rng(0)
    cat = rng.integers(0, len(CATEGORIES), n)
    gt = rng.uniform(0, 512, (n, 24, 2))
    pred = gt + rng.normal(0, 10, (n, 24, 2))
    vis = np.full((n, 24), -1, np.int8)
    for c, name in enumerate(CATEGORIES):
        sel = np.flatnonzero(cat == c)
        ids = np.asarray(CATEGORY_KEYPOINTS[name])
        vis[np.ix_(sel, ids)] = rng.choice([0, 1], (len(sel), len(ids)),
                                           p=[0.2, 0.8])
    gt[vis == -1] = -1
    names = [CATEGORIES[c] for c in cat]

    def median_time(fn):
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    out = dict(images=n)
    out['normalized_error_s'] = median_time(
        lambda: normalized_error(pred, gt, vis, cat).summary())
    metric = FashionAIMetric()
    results = [
        dict(pred=pred[i], gt=gt[i], vis=vis[i], category=names[i],
             image_id=f'Images/{names[i]}/{i:08d}.jpg') for i in range(n)
    ]
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        out['metric_compute_s'] = median_time(
            lambda: metric.compute_metrics(results))
    finally:
        logger.setLevel(level)
    gt_rec = [
        FashionAIRecord(r['image_id'], r['category'],
                        gt[i].astype(np.float32), vis[i])
        for i, r in enumerate(results)
    ]
    pvis = np.where(vis == -1, -1, 1).astype(np.int8)
    pred_rec = [
        FashionAIRecord(r['image_id'], r['category'],
                        np.where(vis[i, :, None] == -1, -1,
                                 pred[i]).astype(np.float32), pvis[i])
        for i, r in enumerate(results)
    ]
    out['evaluate_submission_s'] = median_time(
        lambda: evaluate_submission(gt_rec, pred_rec))
    with tempfile.TemporaryDirectory() as tmp:
        gt_csv, pred_csv = osp.join(tmp, 'gt.csv'), osp.join(tmp, 'pred.csv')
        write_annotations(gt_csv, gt_rec)
        write_annotations(pred_csv, pred_rec)

        def offline():
            g = read_annotations(gt_csv).records
            p = read_annotations(pred_csv, errors='collect')
            evaluate_submission(g, p.records, p.problems)

        out['offline_csv_s'] = median_time(offline, )
    return out


# --------------------------------------------------------------------------
# report


def _median_ratio(values: List[float], ref: List[float]) -> float:
    """Median over rounds of ``ref[r] / values[r]`` (time ratio = speed
    ratio to the reference)."""
    return statistics.median(r / v for v, r in zip(values, ref))


def print_table(rows: List[dict], args) -> None:
    ref = rows[0]['name']
    print(f'\nratios (x) are to {ref!r}: medians of the per-round ratios '
          f'(batch {args.batch}, {args.iters} rounds); "cpu" uses the '
          'process\'s CPU time instead of wall time')
    w = max(20, max(len(r['name']) for r in rows) + 1)
    head = (f'{"model":<{w}}{"params":>7}{"GFLOPs":>7}{"train":>7}{"x":>6}'
            f'{"x cpu":>6}{"infer b1":>9}{"x":>6}{"infer bN":>9}{"x":>6}'
            f'{"mem":>7}{"pipe":>7}{"pipe/":>7}')
    unit = (f'{"":<{w}}{"(M)":>7}{"":>7}{"img/s":>7}{"":>6}{"":>6}'
            f'{"ms/img":>9}{"":>6}{"img/s":>9}{"":>6}{"(MB)":>7}'
            f'{"img/s":>7}{"train":>7}')
    print(head)
    print(unit)
    print('-' * len(head))
    for r in rows:
        mem = r['memory']
        mem_s = (f'{mem["train_step_mb"]:7.0f}' if mem else f'{"-":>7}')
        pipe = r['pipeline']
        gf = f'{r["gflops"]:7.2f}' if r['gflops'] is not None else \
            f'{"-":>7}'
        pipe_s = (f'{pipe["img_per_s"]:7.1f}{pipe["vs_train"]:7.0f}'
                  if pipe else f'{"-":>7}{"-":>7}')
        t, i = r['train'], r['infer']
        print(f'{r["name"]:<{w}}{r["params_m"]:7.2f}{gf}'
              f'{t["img_per_s"]:7.2f}{t["ratio"]:6.2f}{t["cpu_ratio"]:6.2f}'
              f'{i["latency_ms"]:9.0f}{i["latency_ratio"]:6.2f}'
              f'{i["img_per_s"]:9.2f}{i["ratio"]:6.2f}{mem_s}{pipe_s}')


def plot(rows: List[dict], path: str, ne: Optional[Dict[str, float]]):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names = [r['name'] for r in rows]
    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    ypos = np.arange(len(rows))

    def bars(ax, values, title, xlabel):
        ax.barh(ypos, values, color='tab:blue')
        ax.set_yticks(ypos)
        ax.set_yticklabels(names, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        for y, v in zip(ypos, values):
            ax.text(v, y, f' {v:.2f}', va='center', fontsize=8)

    bars(axes[0, 0], [r['train']['ratio'] for r in rows],
         'training throughput, ratio to the first', 'x')
    bars(axes[0, 1], [r['infer']['ratio'] for r in rows],
         f'inference throughput (batch {rows[0]["batch"]}), ratio',
         'x')
    ax = axes[1, 0]
    gfl = [r['gflops'] or 0 for r in rows]
    ips = [r['train']['img_per_s'] for r in rows]
    ax.scatter(gfl, ips)
    for g, i, n in zip(gfl, ips, names):
        ax.annotate(n, (g, i), fontsize=7)
    ax.set_xlabel('GFLOPs per image')
    ax.set_ylabel('training images/s')
    ax.set_title('arithmetic vs training speed', fontsize=10)
    ax = axes[1, 1]
    if ne:
        pts = [(r['train']['img_per_s'], ne_of(r, ne), r['name'])
               for r in rows]
        pts = [p for p in pts if p[1] is not None]
        ax.scatter([p[0] for p in pts], [p[1] * 100 for p in pts])
        for x, y, n in pts:
            ax.annotate(n, (x, y * 100), fontsize=7)
        ax.set_xlabel('training images/s')
        ax.set_ylabel('NE (%)')
        ax.set_title('NE vs training throughput', fontsize=10)
    else:
        pipe = [r['pipeline']['vs_train'] if r['pipeline'] else 0
                for r in rows]
        bars(ax, pipe, 'data pipeline images/s per worker / training '
             'images/s', 'x')
    fig.suptitle(rows[0]['device_desc'], fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def ne_of(row: dict, ne: Dict[str, float]) -> Optional[float]:
    for key in (row['name'], row['full_name'], row['config_name'],
                row['config']):
        if key in ne:
            return float(ne[key])
    return None


# --------------------------------------------------------------------------
# main


def machine_description(device: torch.device) -> str:
    if device.type == 'cuda':
        return torch.cuda.get_device_name(device)
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return (f'{cpu}, {os.cpu_count()} logical CPUs, '
            f'{torch.get_num_threads()} torch threads')


_T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f'[{time.perf_counter() - _T0:6.1f}s] {msg}', flush=True)


def run(args: argparse.Namespace) -> dict:
    import mmpose_cloth  # noqa: F401  (compat layer, registers modules)
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope
    init_default_scope('mmpose')
    MMLogger.get_current_instance().setLevel(logging.ERROR)
    logging.getLogger('mmengine').setLevel(logging.ERROR)
    if args.threads:
        torch.set_num_threads(args.threads)
    # as MMEngine's runner does: no OpenCV threads
    cv2.setNumThreads(0)
    device = torch.device(args.device)
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('--device cuda: CUDA is not available')
    if args.cudnn_benchmark:
        torch.backends.cudnn.benchmark = True

    specs = [Spec(t, args) for t in args.configs]
    cfgs = [load_config(s, args.input_size) for s in specs]
    names = [s.name for s in specs]

    tmp = None
    if args.work_dir:
        root = osp.join(args.work_dir, 'synthetic')
        os.makedirs(root, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix='benchmark_')
        root = tmp.name
    try:
        log(f'synthetic data: {5 * args.pipeline_images} images of '
              f'{args.pipeline_image_size[0]}x{args.pipeline_image_size[1]}'
              f' in {root}')
        ann_file = make_synthetic_split(root, args.pipeline_images,
                                        args.pipeline_image_size)

        memory = [None] * len(specs)
        if not args.no_memory and device.type == 'cpu':
            log('memory: one process per config ...')
            memory = measure_memory(specs, args, root, ann_file)

        log('building models ...')
        benches = [
            Bench(s, c, device, args.batch, root, ann_file, args.no_acc)
            for s, c in zip(specs, cfgs)
        ]
        log('counting FLOPs ...')
        gflops = []
        for b in benches:
            try:
                gflops.append(b.gflops())
            except Exception as e:  # noqa: BLE001  (report, go on)
                print(f'warning: FLOPs of {b.spec.name}: {e}',
                      file=sys.stderr)
                gflops.append(None)

        log(f'training: {args.warmup} warm-up + {args.iters} timed '
              'rounds ...')
        for _ in range(args.warmup):
            for b in benches:
                b.train_step()
        train = [[] for _ in benches]
        train_cpu = [[] for _ in benches]
        for r in range(args.iters):
            for i, b in enumerate(benches):
                train[i].append(b.train_step())
                train_cpu[i].append(b.last_cpu_s)
            print(f'  round {r + 1}/{args.iters}: ' + ', '.join(
                f'{args.batch / t[-1]:.2f}' for t in train) + ' img/s')
        if device.type == 'cuda' and not args.no_memory:
            memory = [measure_memory_cuda(b) for b in benches]

        log('inference ...')
        lat = [[] for _ in benches]
        thr = [[] for _ in benches]
        for _ in range(max(1, args.warmup)):
            for b in benches:
                b.infer(1)
                b.infer(args.batch)
        for r in range(args.iters):
            for i, b in enumerate(benches):
                lat[i].append(b.infer(1))
                thr[i].append(b.infer(args.batch))

        log('data pipelines ...')
        pipes = time_pipelines(cfgs, names, root, ann_file,
                               reps=max(1, min(args.iters, 3)))
    finally:
        if tmp is not None:
            tmp.cleanup()

    evaluation = None
    if args.eval_images:
        log(f'evaluation of {args.eval_images} images ...')
        evaluation = time_evaluation(args.eval_images)

    desc = machine_description(device)
    rows = []
    for i, (s, b) in enumerate(zip(specs, benches)):
        t_med = statistics.median(train[i])
        row = dict(
            name=s.name,
            full_name=s.full_name,
            config_name=s.config_name,
            config=s.path,
            overrides={k: repr(v) for k, v in s.overrides.items()},
            flags=sorted(s.flags),
            input_size=list(b.input_size),
            batch=args.batch,
            device_desc=desc,
            params_m=b.params,
            gflops=gflops[i],
            train=dict(
                img_per_s=args.batch / t_med,
                step_s=t_med,
                ratio=_median_ratio(train[i], train[0]),
                ratio_of_medians=statistics.median(train[0]) / t_med,
                # CPU seconds of this process: less sensitive than wall
                # time to other processes taking the cores
                cpu_ratio=_median_ratio(train_cpu[i], train_cpu[0]),
                times_s=train[i],
                cpu_times_s=train_cpu[i]),
            infer=dict(
                latency_ms=statistics.median(lat[i]) * 1e3,
                latency_ratio=_median_ratio(lat[i], lat[0]),
                img_per_s=args.batch / statistics.median(thr[i]),
                ratio=_median_ratio(thr[i], thr[0]),
                latency_times_s=lat[i],
                batch_times_s=thr[i]),
            memory=memory[i],
            pipeline=dict(pipes[i]),
        )
        row['pipeline']['vs_train'] = (row['pipeline']['img_per_s'] /
                                       row['train']['img_per_s'])
        if gflops[i] is not None and gflops[0]:
            row['gflops_ratio'] = gflops[i] / gflops[0]
        rows.append(row)
    result = dict(
        machine=dict(
            description=desc,
            device=str(device),
            torch=torch.__version__,
            torch_threads=torch.get_num_threads(),
            cpu_count=os.cpu_count(),
            python=platform.python_version(),
            # allocator and threading settings change CPU speed a lot
            env={
                k: v
                for k, v in os.environ.items()
                if k.startswith(('MALLOC_', 'OMP_', 'MKL_', 'KMP_',
                                 'DNNL_', 'ONEDNN_')) or k == 'LD_PRELOAD'
            }),
        args=dict(
            batch=args.batch, iters=args.iters, warmup=args.warmup,
            input_size=list(args.input_size) if args.input_size else None,
            amp=args.amp, channels_last=args.channels_last,
            cudnn_benchmark=args.cudnn_benchmark, no_acc=args.no_acc,
            smoke=args.smoke, pipeline_images=5 * args.pipeline_images,
            pipeline_image_size=list(args.pipeline_image_size)),
        reference=rows[0]['name'],
        results=rows,
        evaluation=evaluation)
    return result


def main(argv: Optional[Sequence[str]] = None) -> Optional[dict]:
    args = parse_args(argv)
    if args.memory_child:
        memory_child(args)
        return None
    result = run(args)
    print_table(result['results'], args)
    for r in result['results']:
        steps = ', '.join(f'{k} {v:.2f}'
                          for k, v in r['pipeline']['transforms_ms'].items())
        print(f'pipeline {r["name"]}: {r["pipeline"]["ms_per_img"]:.1f} '
              f'ms/img ({steps} ms)')
    ev = result['evaluation']
    if ev:
        print(f'evaluation of {ev["images"]} images: NE '
              f'{ev["normalized_error_s"] * 1e3:.1f} ms, metric '
              f'{ev["metric_compute_s"] * 1e3:.1f} ms, evaluate_submission '
              f'{ev["evaluate_submission_s"] * 1e3:.1f} ms, CSV read + '
              f'score {ev["offline_csv_s"] * 1e3:.1f} ms')
    ne = None
    if args.ne_json:
        with open(args.ne_json) as f:
            ne = json.load(f)
        for r in result['results']:
            r['ne'] = ne_of(r, ne)
    if args.out_json:
        os.makedirs(osp.dirname(osp.abspath(args.out_json)), exist_ok=True)
        with open(args.out_json, 'w') as f:
            json.dump(result, f, indent=1)
        print(f'results written to {args.out_json}')
    if args.out_png:
        os.makedirs(osp.dirname(osp.abspath(args.out_png)), exist_ok=True)
        plot(result['results'], args.out_png, ne)
        print(f'chart written to {args.out_png}')
    return result


if __name__ == '__main__':
    main()
