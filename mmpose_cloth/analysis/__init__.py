"""Measuring models and data: the side-by-side benchmark
(``tools/analysis/benchmark.py``), parameter and FLOP counts
(``tools/analysis/count_params_flops.py``), data pipeline profiles
(``tools/analysis/profile_pipeline.py``) and end-to-end inference times of
a checkpoint's predictors (``tools/analysis/infer_speed.py``).

* :mod:`.benchmark`: :func:`run_benchmark` and its settings;
* :mod:`.measure`, :mod:`.pipeline`: one ``measure_*`` function per figure;
* :mod:`.results`: the typed result rows and their JSON;
* :mod:`.report`: the table, summary and chart made from the rows;
* :mod:`.flops`: MMEngine's FLOP counter, standard models to count;
* :mod:`.entry`, :mod:`.model_bench`, :mod:`.data`: a benchmarked config,
  its built model and batch, the synthetic data they run on;
* :mod:`.infer_speed`: eager, compiled, ONNX Runtime, TTA and ensemble
  predictors of one checkpoint timed side by side;
* :mod:`.step_profile`: the profiler table of a training step
  (``tools/analysis/profile_train_step.py``);
* :mod:`.comparison`: configs compared on FashionAI in one table and one
  chart, NE from their work dirs and cost side by side
  (``tools/analysis/compare_models.py``), over :mod:`.work_dirs` (what a
  run left in its work dir), :mod:`.train_runs` (training runs, one
  process each, timed) and :mod:`.ne_bars` (per-category NE bars,
  ``tools/analysis/plot_ne_bars.py``);
* :mod:`.curves`: training curves from a work dir's logs
  (``tools/analysis/plot_curves.py``).
"""
from .benchmark import BenchmarkSettings, machine_description, run_benchmark
from .comparison import (ComparedModel, Comparison, ComparisonSettings,
                         ModelCost, plot_comparison, run_comparison,
                         save_comparison, write_markdown)
from .curves import Curves, plot_training_curves, training_curves
from .data import build_train_dataset, make_synthetic_split, train_pipeline_cfg
from .entry import BENCHMARK_FLAGS, BenchmarkEntry
from .infer_speed import (PredictorSpeed, compare_predictor_speeds,
                          measure_predictors)
from .step_profile import profile_train_step
from .flops import (PUBLISHED, STANDARD_MODELS, count_gflops,
                    count_params_flops, standard_model_cfg)
from .measure import (measure_evaluation, measure_gflops, measure_inference,
                      measure_memory_cpu, measure_memory_cuda,
                      measure_prediction, measure_train_speed, median_ratio)
from .model_bench import ModelBench
from .ne_bars import draw_ne_bars, plot_ne_bars, read_series
from .pipeline import measure_pipelines, pipeline_inputs, profile_pipeline
from .report import (attach_ne, ne_of, plot_benchmark, print_details,
                     print_table)
from .results import (BenchmarkResult, BenchmarkRow, CompileTime,
                      EvaluationTiming, InferSpeed, MachineInfo, MemoryUse,
                      PipelineSpeed, PredictSpeed, TrainSpeed,
                      load_benchmark, save_benchmark)
from .train_runs import TrainJob, TrainOutcome, train_runs
from .work_dirs import RunNotFound, TrainedRun, read_run

__all__ = [
    'BenchmarkSettings', 'machine_description', 'run_benchmark',
    'build_train_dataset', 'make_synthetic_split', 'train_pipeline_cfg',
    'BENCHMARK_FLAGS', 'BenchmarkEntry', 'PUBLISHED', 'STANDARD_MODELS',
    'count_gflops', 'count_params_flops', 'standard_model_cfg',
    'measure_evaluation', 'measure_gflops', 'measure_inference',
    'measure_memory_cpu', 'measure_memory_cuda', 'measure_prediction',
    'measure_train_speed', 'median_ratio', 'PredictorSpeed',
    'compare_predictor_speeds', 'measure_predictors', 'profile_train_step',
    'ModelBench', 'measure_pipelines', 'pipeline_inputs', 'profile_pipeline',
    'attach_ne', 'ne_of', 'plot_benchmark',
    'print_details', 'print_table', 'BenchmarkResult', 'BenchmarkRow',
    'CompileTime', 'EvaluationTiming', 'InferSpeed', 'MachineInfo',
    'MemoryUse', 'PipelineSpeed', 'PredictSpeed', 'TrainSpeed',
    'load_benchmark', 'save_benchmark', 'ComparedModel', 'Comparison',
    'ComparisonSettings', 'ModelCost', 'plot_comparison', 'run_comparison',
    'save_comparison', 'write_markdown', 'draw_ne_bars', 'plot_ne_bars',
    'read_series', 'TrainJob', 'TrainOutcome', 'train_runs', 'RunNotFound',
    'TrainedRun', 'read_run', 'Curves', 'plot_training_curves',
    'training_curves'
]
