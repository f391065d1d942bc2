"""The benchmark's results: one typed row per benchmarked config.

The dataclasses here are one schema (a row and the figures it holds), kept
in one file so that a reader sees the whole JSON layout at once. Their
``to_dict`` gives the JSON that ``tools/analysis/benchmark.py --out-json``
writes (the same keys, in the same order, as the files under
``docs/benchmarks/``); ``from_dict`` reads such files back.
"""
import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

__all__ = [
    'TrainSpeed', 'InferSpeed', 'PredictSpeed', 'MemoryUse', 'PipelineSpeed',
    'CompileTime', 'EvaluationTiming', 'MachineInfo', 'BenchmarkRow',
    'BenchmarkResult', 'load_benchmark', 'save_benchmark'
]


@dataclass
class TrainSpeed:
    """Training throughput: forward, backward and optimizer step.

    Ratios are to the first config, medians of the per-round ratios.
    """
    img_per_s: float
    step_s: float  #: median wall seconds of a step
    ratio: float
    ratio_of_medians: float
    cpu_ratio: float  #: the same ratio in the process's CPU seconds
    times_s: List[float]  #: wall seconds of each timed round
    cpu_times_s: List[float]


@dataclass
class InferSpeed:
    """Inference forward (``mode='tensor'``) at batch 1 and at the batch."""
    latency_ms: float  #: median, batch 1
    latency_ratio: float
    img_per_s: float  #: at the benchmark's batch size
    ratio: float
    latency_times_s: List[float]
    batch_times_s: List[float]


@dataclass
class PredictSpeed:
    """Whole prediction of one image (``mode='predict'``: the config's
    flip test, decoding, back to image pixels), not the data pipeline."""
    ms_per_img: float  #: median
    ratio: float  #: speed ratio to the first config, median of rounds
    times_s: List[float]


@dataclass
class MemoryUse:
    """Peak memory of a training step: on CPU the peak RSS of a fresh
    process and its RSS before the first step, on CUDA the peak
    allocation; ``train_step_mb`` is the step's own share either way."""
    train_step_mb: float
    peak_rss_mb: Optional[float] = None
    baseline_rss_mb: Optional[float] = None
    peak_alloc_mb: Optional[float] = None

    def to_dict(self) -> Dict[str, float]:
        d = dict(peak_rss_mb=self.peak_rss_mb,
                 baseline_rss_mb=self.baseline_rss_mb,
                 peak_alloc_mb=self.peak_alloc_mb,
                 train_step_mb=self.train_step_mb)
        return {k: v for k, v in d.items() if v is not None}


@dataclass
class PipelineSpeed:
    """The training data pipeline in one thread (one dataloader worker)."""
    img_per_s: float
    ms_per_img: float
    transforms_ms: Dict[str, float]  #: median ms per image of each step
    vs_train: Optional[float] = None  #: img_per_s / training img/s


@dataclass
class CompileTime:
    """``torch.compile``'s warm-up (``::compile`` entries): wall seconds of
    the first call of each compiled shape, compiling included. The steady
    state is the row's ``train.step_s`` and ``infer`` medians."""
    options: Dict[str, Any]  #: the ``torch.compile`` keyword arguments
    train_first_step_s: Optional[float] = None
    infer_first_b1_s: Optional[float] = None  #: batch 1
    infer_first_batch_s: Optional[float] = None  #: the benchmark's batch


@dataclass
class EvaluationTiming:
    """Seconds to score ``images`` random images."""
    images: int
    normalized_error_s: float
    metric_compute_s: float
    evaluate_submission_s: float
    offline_csv_s: float


@dataclass
class MachineInfo:
    """Where the benchmark ran."""
    description: str
    device: str
    torch: str
    torch_threads: int
    cpu_count: Optional[int]
    python: str
    env: Dict[str, str] = field(default_factory=dict)


@dataclass
class BenchmarkRow:
    """Every figure of one benchmarked config.

    ``name`` is the short table name (``<folder>/<model token>`` and the
    variant), ``full_name`` the config file's stem with the variant,
    ``config_name`` the stem, ``config`` the path.
    """
    name: str
    full_name: str
    config_name: str
    config: str
    overrides: Dict[str, str]  #: key -> repr(value)
    flags: List[str]
    input_size: List[int]  #: (W, H)
    batch: int
    device_desc: str
    params_m: float
    gflops: Optional[float]
    train: TrainSpeed
    infer: InferSpeed
    memory: Optional[MemoryUse]
    pipeline: Optional[PipelineSpeed]
    gflops_ratio: Optional[float] = None  #: to the first config
    ne: Optional[float] = None  #: from ``--ne-json``
    has_ne: bool = False  #: whether NE was looked up (``ne`` in the JSON)
    compile: Optional[CompileTime] = None  #: ``::compile`` entries only

    def to_dict(self) -> Dict[str, Any]:
        d = {f.name: getattr(self, f.name)
             for f in dataclasses.fields(self)
             if f.name not in ('has_ne', 'ne', 'gflops_ratio', 'compile')}
        d['train'] = dataclasses.asdict(self.train)
        d['infer'] = dataclasses.asdict(self.infer)
        d['memory'] = self.memory.to_dict() if self.memory else None
        d['pipeline'] = dataclasses.asdict(self.pipeline) \
            if self.pipeline else None
        if self.gflops_ratio is not None:
            d['gflops_ratio'] = self.gflops_ratio
        if self.has_ne:
            d['ne'] = self.ne
        if self.compile is not None:
            d['compile'] = dataclasses.asdict(self.compile)
        return d

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> 'BenchmarkRow':
        d = dict(d)
        d['train'] = TrainSpeed(**d['train'])
        d['infer'] = InferSpeed(**d['infer'])
        d['memory'] = MemoryUse(**d['memory']) if d.get('memory') else None
        d['pipeline'] = PipelineSpeed(**d['pipeline']) \
            if d.get('pipeline') else None
        d['has_ne'] = 'ne' in d
        d['compile'] = CompileTime(**d['compile']) if d.get('compile') \
            else None
        return cls(**d)


@dataclass
class BenchmarkResult:
    """A whole run: the machine, the run's settings, the rows (the first
    one is the reference of the ratios) and the evaluation timing."""
    machine: MachineInfo
    args: Dict[str, Any]
    results: List[BenchmarkRow]
    evaluation: Optional[EvaluationTiming] = None

    @property
    def reference(self) -> str:
        return self.results[0].name

    def to_dict(self) -> Dict[str, Any]:
        return dict(
            machine=dataclasses.asdict(self.machine),
            args=dict(self.args),
            reference=self.reference,
            results=[r.to_dict() for r in self.results],
            evaluation=dataclasses.asdict(self.evaluation)
            if self.evaluation else None)

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> 'BenchmarkResult':
        ev = d.get('evaluation')
        return cls(
            machine=MachineInfo(**d['machine']),
            args=dict(d['args']),
            results=[BenchmarkRow.from_dict(r) for r in d['results']],
            evaluation=EvaluationTiming(**ev) if ev else None)


def save_benchmark(result: BenchmarkResult, path: str) -> None:
    """Write a result as the benchmark's JSON (indent 1)."""
    with open(path, 'w') as f:
        json.dump(result.to_dict(), f, indent=1)


def load_benchmark(path: str) -> BenchmarkResult:
    """Read a JSON file written by :func:`save_benchmark` (or by
    ``tools/analysis/benchmark.py --out-json``, e.g.
    ``docs/benchmarks/r50_384_cpu.json``)."""
    with open(path) as f:
        return BenchmarkResult.from_dict(json.load(f))
