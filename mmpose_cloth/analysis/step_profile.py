"""Where a training step's time goes: PyTorch's profiler over a
:class:`ModelBench` step, grouped by operator."""
import time
from typing import Tuple

from torch.profiler import ProfilerActivity, profile

__all__ = ['profile_train_step']


def profile_train_step(bench, steps: int = 2,
                       row_limit: int = 20) -> Tuple[str, float]:
    """Profile ``steps`` training steps (forward, backward, optimizer) of
    a benchmarked model, after one untimed step.

    Args:
        bench (ModelBench): the model, optimizer and fixed batch.
        steps (int): profiled steps.
        row_limit (int): operators in the table.

    Returns:
        tuple[str, float]: the table of operators by self CPU time (PyTorch
        profiler's ``key_averages``; its ``Self CPU %`` column is the share
        of the profiled time), and the profiled steps' mean wall-clock
        seconds.
    """
    bench.train_step()
    activities = [ProfilerActivity.CPU]
    if bench.device.type == 'cuda':
        activities.append(ProfilerActivity.CUDA)
    with profile(activities=activities) as prof:
        t0 = time.perf_counter()
        for _ in range(steps):
            bench.train_step()
        wall = (time.perf_counter() - t0) / steps
    sort = 'self_cuda_time_total' if bench.device.type == 'cuda' \
        else 'self_cpu_time_total'
    table = prof.key_averages().table(sort_by=sort, row_limit=row_limit,
                                      max_name_column_width=40)
    return table, wall
