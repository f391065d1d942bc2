"""End-to-end inference time of one checkpoint's predictors side by side:
PyTorch eager, ``torch.compile``, ONNX Runtime, test-time augmentation and
ensembles, each from image file to keypoints in image pixels."""
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

__all__ = ['PredictorSpeed', 'measure_predictors']


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


def measure_predictors(predictors: Dict[str, object],
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
        predictors[name].predict_batch(paths[:1], [None])
        first[name] = time.perf_counter() - t0
        predictors[name].predict_batch(paths[:batch], [None] * batch)
        if progress:
            progress(f'{name}: first call {first[name]:.2f} s')
    b1 = {n: [] for n in names}
    per_image = {n: [] for n in names}
    for r in range(rounds):
        one = [paths[r % len(paths)]]
        start = (r * batch) % max(1, len(paths) - batch + 1)
        many = list(paths[start:start + batch])
        for name in names:
            predict = predictors[name].predict_batch
            t0 = time.perf_counter()
            predict(one, [None])
            b1[name].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            predict(many, [None] * len(many))
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
