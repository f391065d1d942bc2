"""End-to-end inference time of one checkpoint's predictors side by side:
PyTorch eager, ``torch.compile``, ONNX Runtime, test-time augmentation and
ensembles, each from image file to keypoints in image pixels
(``tools/analysis/infer_speed.py``)."""
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch

from mmpose_cloth.apis import GarmentPredictor, build_predictor
from mmpose_cloth.utils import find_images
from .benchmark import machine_description

__all__ = ['PredictorSpeed', 'measure_predictors', 'compare_predictor_speeds']


@dataclass
class PredictorSpeed:
    """One predictor's times.

    Attributes:
        name (str): the predictor (``eager``, ``compiled``, ...).
        device (str): where it ran, in words.
        first_s (float): seconds of the first call (batch 1), before any
            other: a compiled predictor compiles there.
        b1_ms (float): median milliseconds of one image, end to end.
        b1_ratio (float): median over rounds of ``b1`` / the first
            predictor's ``b1`` in the same round.
        batch_ms_per_image (float): median milliseconds per image at the
            batch size.
        batch_ratio (float): the same ratio at the batch size.
        b1_times_s (list[float]): every round's seconds, batch 1.
        batch_times_s (list[float]): every round's seconds per image.
    """
    name: str
    device: str
    first_s: float
    b1_ms: float
    b1_ratio: float
    batch_ms_per_image: float
    batch_ratio: float
    b1_times_s: List[float] = field(default_factory=list)
    batch_times_s: List[float] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _median_ratio(a: Sequence[float], b: Sequence[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b))


def measure_predictors(predictors: Dict[str, GarmentPredictor],
                       paths: Sequence[str],
                       batch: int,
                       rounds: int,
                       progress: Optional[Callable[[str], None]] = None
                       ) -> List[PredictorSpeed]:
    """Time ``GarmentPredictor``s on the same images, interleaved.

    Every predictor first predicts one image (timed apart: compiling,
    ONNX Runtime's first run), then one more batch as warm-up (a compiled
    model compiles once more for the batch size); then each round times
    every predictor on one image and on a batch of ``batch`` images, in
    turn, so that noise from other processes hits all of them alike. The
    first predictor is the reference of the ratios.

    Args:
        predictors (dict[str, GarmentPredictor]): name -> predictor.
        paths (Sequence[str]): at least ``batch`` image files; round ``r``
            predicts image ``r`` alone and the batch starting there.
        batch (int): images per batched call.
        rounds (int): timed rounds.
        progress (Callable, optional): called with a line per step.

    Returns:
        list[PredictorSpeed]: in the order of ``predictors``.
    """
    if len(paths) < batch:
        raise ValueError(f'{len(paths)} images for a batch of {batch}')
    names = list(predictors)
    first = {}
    for name in names:
        t0 = time.perf_counter()
        predictors[name].predict(paths[:1], batch_size=1)
        first[name] = time.perf_counter() - t0
        predictors[name].predict(paths[:batch], batch_size=batch)
        if progress:
            progress(f'{name}: first call {first[name]:.2f} s')
    b1 = {n: [] for n in names}
    per_image = {n: [] for n in names}
    for r in range(rounds):
        one = [paths[r % len(paths)]]
        start = (r * batch) % max(1, len(paths) - batch + 1)
        many = list(paths[start:start + batch])
        for name in names:
            predict = predictors[name].predict
            t0 = time.perf_counter()
            predict(one, batch_size=1)
            b1[name].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            predict(many, batch_size=len(many))
            per_image[name].append((time.perf_counter() - t0) / len(many))
        if progress:
            progress(f'round {r + 1}/{rounds}')
    ref = names[0]
    return [
        PredictorSpeed(
            name=n,
            device=predictors[n].device,
            first_s=first[n],
            b1_ms=statistics.median(b1[n]) * 1e3,
            b1_ratio=_median_ratio(b1[n], b1[ref]),
            batch_ms_per_image=statistics.median(per_image[n]) * 1e3,
            batch_ratio=_median_ratio(per_image[n], per_image[ref]),
            b1_times_s=b1[n],
            batch_times_s=per_image[n]) for n in names
    ]


def compare_predictor_speeds(config: str,
                             checkpoint: str,
                             images: str,
                             compile: bool = False,
                             onnx: Optional[str] = None,
                             tta: bool = False,
                             ensemble: Sequence[Tuple[str, str]] = (),
                             batch: int = 16,
                             rounds: int = 5,
                             threads: Optional[int] = None,
                             device: str = 'cpu',
                             out_json: Optional[str] = None) -> int:
    """Build a checkpoint's predictors (:func:`~mmpose_cloth.apis.
    build_predictor`, flip test on): ``eager``, and as asked ``compiled``,
    ``onnx`` (the same model exported), ``tta``, ``ensemble`` and ``tta +
    ensemble``; time them on images of a folder
    (:func:`measure_predictors`) and print a table (and write JSON).

    Args:
        config (str): the model config.
        checkpoint (str): its checkpoint.
        images (str): a folder of images (searched recursively): at least
            ``batch + rounds``, picked evenly.
        compile, onnx, tta, ensemble: the predictors to add.
        batch (int): images per batched call.
        rounds (int): timed rounds.
        threads (int, optional): torch's and ONNX Runtime's intra-op
            threads.
        device (str): where the PyTorch predictors run.
        out_json (str, optional): where to write the rows.

    Returns:
        int: the exit status: 0, or 2 with too few images.
    """
    if threads:
        torch.set_num_threads(threads)
    paths = find_images(images)
    need = batch + rounds
    if len(paths) < need:
        print(f'error: {images}: {len(paths)} images, need at least '
              f'{need} (--batch + --rounds)', file=sys.stderr)
        return 2
    paths = paths[::max(1, len(paths) // need)][:need]

    def load(**kwargs):
        return build_predictor(config, kwargs.pop('checkpoint', checkpoint),
                               device=device, flip_test=True, **kwargs)

    predictors = {'eager': load()}
    if compile:
        predictors['compiled'] = load(compile=True)
    if onnx:
        predictors['onnx'] = load(checkpoint=onnx, onnx_threads=threads)
    if tta:
        predictors['tta'] = load(tta=True)
    if ensemble:
        predictors['ensemble'] = load(ensemble=ensemble)
    if tta and ensemble:
        predictors['tta + ensemble'] = load(tta=True, ensemble=ensemble)
    rows = measure_predictors(predictors, paths, batch, rounds,
                              progress=print)
    print(f'\n{machine_description(torch.device(device))}, flip test on, '
          f'batch {batch}, {rounds} rounds')
    print(f'| predictor | device | first call | 1 image | ratio | '
          f'per image at batch {batch} | ratio |')
    print('|---|---|---|---|---|---|---|')
    for r in rows:
        print(f'| {r.name} | {r.device} | {r.first_s:.2f} s | '
              f'{r.b1_ms:.0f} ms | {r.b1_ratio:.2f} | '
              f'{r.batch_ms_per_image:.0f} ms | {r.batch_ratio:.2f} |')
    if out_json:
        with open(out_json, 'w') as f:
            json.dump(dict(config=config, checkpoint=checkpoint, batch=batch,
                           rounds=rounds, threads=torch.get_num_threads(),
                           results=[r.to_dict() for r in rows]), f, indent=1)
        print(f'wrote {out_json}')
    return 0
