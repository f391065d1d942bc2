"""A built model with its optimizer and a fixed training batch, ready to
time training steps and inference forwards."""
import copy
import math
import time
from typing import Optional

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper

from mmpose.registry import MODELS
from mmpose_cloth.engine import STATIC_SHAPES
from mmpose_cloth.utils.config import config_input_size
from .data import build_train_dataset, train_pipeline_cfg
from .entry import BenchmarkEntry
from .flops import count_gflops
from .results import CompileTime

__all__ = ['ModelBench']


class ModelBench:
    """A config's model (random initialisation: no pretrained weights), its
    optimizer (the config's ``optim_wrapper``) and a fixed batch made by the
    config's own training pipeline, so that the targets have the head's
    real (multi-level) structure.

    With ``compile`` the training step (forward, loss, backward, optimizer
    step: what MMEngine's ``cfg.compile`` compiles, ``model.train_step``)
    and the inference forward each run through ``torch.compile`` with
    static shapes; :attr:`compile` collects the first calls' seconds.

    Args:
        entry (BenchmarkEntry): the config variant and its flags
            (``channels-last``, ``nchw``, ``amp``, ``backbone-only``,
            ``compile``); :meth:`BenchmarkEntry.with_config_layout` adds
            ``channels-last`` for a config with ``ChannelsLastHook``.
        cfg (mmengine.Config): its loaded config.
        device (torch.device): where to run.
        batch (int): B, the training batch size.
        root (str): the data folder (:func:`make_synthetic_split`).
        ann_file (str): its COCO JSON.
        no_acc (bool): skip the heads' training accuracy (``acc_pose``).

    Attributes:
        inputs (torch.Tensor): (B, 3, H, W), normalised.
        params (float): parameters of the timed network, in millions.
        last_cpu_s (float): the process's CPU seconds of the last training
            step.
        compile (CompileTime | None): the compile's options and first
            calls (filled in by the ``measure_*`` functions); ``None``
            without ``compile``.
    """

    def __init__(self, entry: BenchmarkEntry, cfg, device: torch.device,
                 batch: int, root: str, ann_file: str, no_acc: bool = False):
        self.entry, self.cfg, self.device = entry, cfg, device
        self.backbone_only = 'backbone-only' in entry.flags
        if 'channels-last' in entry.flags and 'nchw' in entry.flags:
            raise ValueError(f'{entry.text}: ::channels-last and ::nchw '
                             f'exclude each other')
        self.channels_last = 'channels-last' in entry.flags
        self.amp = 'amp' in entry.flags
        self.input_size = config_input_size(cfg)
        model = MODELS.build(copy.deepcopy(cfg.model))
        model.to(device)
        torch.manual_seed(0)
        np.random.seed(0)
        dataset = build_train_dataset(cfg, root, ann_file,
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
        # entries skip it, as every entry does with no_acc
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
        self.last_cpu_s = 0.0
        self._train_once, self._infer_once = self._train_body, \
            self._infer_body
        self.compile = None
        if 'compile' in entry.flags:
            self.compile = CompileTime(options=dict(STATIC_SHAPES))
            self._train_once = torch.compile(self._train_body,
                                             **self.compile.options)
            self._infer_once = torch.compile(self._infer_body,
                                             **self.compile.options)

    def autocast(self):
        """fp16 autocast on CUDA, bf16 on CPU with ``amp``; off without."""
        if not self.amp:
            return torch.autocast(self.device.type, enabled=False)
        dtype = torch.float16 if self.device.type == 'cuda' else \
            torch.bfloat16
        return torch.autocast(self.device.type, dtype=dtype)

    def sync(self) -> None:
        """Wait for the device's queued work (CUDA)."""
        if self.device.type == 'cuda':
            torch.cuda.synchronize(self.device)

    def train_step(self) -> float:
        """One forward + backward + optimizer step; wall-clock seconds (the
        process's CPU seconds go to :attr:`last_cpu_s`)."""
        self.net.train()
        self.sync()
        c0 = time.process_time()
        t0 = time.perf_counter()
        self._train_once()
        self.sync()
        dt = time.perf_counter() - t0
        self.last_cpu_s = time.process_time() - c0
        return dt

    def _train_body(self) -> None:
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

    @torch.no_grad()
    def infer(self, batch: int) -> float:
        """One inference forward (``mode='tensor'``) of ``batch`` images
        (the fixed batch, repeated where needed); seconds."""
        self.net.eval()
        inputs = self.inputs[:batch]
        if inputs.shape[0] < batch:
            reps = math.ceil(batch / inputs.shape[0])
            inputs = inputs.repeat(reps, 1, 1, 1)[:batch]
        self.sync()
        t0 = time.perf_counter()
        self._infer_once(inputs)
        self.sync()
        return time.perf_counter() - t0

    @torch.no_grad()
    def predict(self) -> float:
        """One image through the model's whole prediction
        (``mode='predict'``): the config's ``test_cfg`` (its flip test
        where it has one: two forward passes), the head's decoding and the
        mapping back to image pixels; seconds. Eager, whatever the entry's
        ``compile`` flag."""
        if self.backbone_only:
            raise ValueError(f'{self.entry.text}: a bare backbone does not '
                             'predict keypoints')
        self.model.eval()
        self.sync()
        t0 = time.perf_counter()
        with self.autocast():
            self.model(self.inputs[:1], self.data_samples[:1],
                       mode='predict')
        self.sync()
        return time.perf_counter() - t0

    def _infer_body(self, inputs: torch.Tensor):
        # the outputs are returned: a compiled graph whose outputs nobody
        # reads would be optimised away
        with self.autocast():
            if self.backbone_only:
                return self.net(inputs)
            return self.model(inputs, None, mode='tensor')

    def gflops(self) -> Optional[float]:
        """GFLOPs of one image at the config's input size (MMEngine's
        counter), on a copy of the network in eval mode."""
        net = copy.deepcopy(self.net).cpu().float()
        net.eval()  # (mmpose's ResNet.train() does not return the module)
        if not self.backbone_only:
            net.forward = net._forward
        w, h = self.input_size
        return count_gflops(net, (h, w))
