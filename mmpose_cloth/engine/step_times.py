"""The first step's time apart from the steady state's (compile time)."""
import statistics
from dataclasses import dataclass, field
from typing import List, Optional

__all__ = ['StepTimes']


@dataclass
class StepTimes:
    """Wall seconds of repeated steps (iterations, batches), the first one
    apart: under ``torch.compile`` it includes compiling.

    Args:
        times (list[float]): seconds of each step, in order.
    """
    times: List[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.times.append(float(seconds))

    @property
    def first(self) -> Optional[float]:
        """The first step's seconds (``None`` before any)."""
        return self.times[0] if self.times else None

    @property
    def steady(self) -> Optional[float]:
        """The median of the later steps' seconds (``None`` with fewer than
        two steps): a median, so that a recompile for a batch of another
        size (the last, partial one) does not count."""
        return statistics.median(self.times[1:]) \
            if len(self.times) > 1 else None

    def describe(self, unit: str = 'iter') -> str:
        """``'first iter 31.20 s, then 0.052 s/iter (median of 9)'``."""
        if not self.times:
            return f'no {unit}s timed'
        text = f'first {unit} {self.first:.2f} s'
        if self.steady is not None:
            text += (f', then {self.steady:.3f} s/{unit} (median of '
                     f'{len(self.times) - 1})')
        return text
