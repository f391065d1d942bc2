"""One benchmarked config: a config variant, the flags that apply to it and
its names in tables."""
import os.path as osp
from dataclasses import dataclass, replace
from typing import Any, Dict, FrozenSet

from mmpose_cloth.engine.hooks import ChannelsLastHook
from mmpose_cloth.utils.cli import CHANNELS_LAST, COMPILE, NCHW
from mmpose_cloth.utils.config import ConfigVariant

__all__ = ['BENCHMARK_FLAGS', 'BenchmarkEntry']

#: the flags a benchmark entry may carry after ``::``: channels-last memory
#: format (a config with ``ChannelsLastHook`` has it without the flag),
#: NCHW even where the config says channels-last, mixed precision, the bare
#: backbone with a mean-of-features loss, ``torch.compile`` of the timed
#: training step and inference forward; the words of the tools' switches
#: (``--channels-last``, ``--amp``, ``--compile``:
#: :mod:`mmpose_cloth.utils.cli`)
BENCHMARK_FLAGS = (CHANNELS_LAST, NCHW, 'amp', 'backbone-only', COMPILE)


@dataclass(frozen=True)
class BenchmarkEntry:
    """A benchmarked config (``PATH::key=value::flag``).

    Args:
        variant (ConfigVariant): the config file, overrides and own flags.
        flags (frozenset[str]): the entry's flags and the run's global
            ones (``--amp``, ``--channels-last``).
        name (str): the short table name, ``<folder>/<model token>``, then
            each override and own flag in brackets (global flags are not
            named: every entry has them).
        full_name (str): the config file's stem with the same brackets.
        config_name (str): the config file's stem.
    """
    variant: ConfigVariant
    flags: FrozenSet[str]
    name: str
    full_name: str
    config_name: str

    @classmethod
    def parse(cls,
              text: str,
              amp: bool = False,
              channels_last: bool = False) -> 'BenchmarkEntry':
        """Parse an entry; ``amp`` and ``channels_last`` are the run's
        global switches.

        Raises:
            ValueError: an unknown ``::`` part.
        """
        variant = ConfigVariant.parse(text, BENCHMARK_FLAGS)
        global_flags = {f for f, on in (('amp', amp),
                                        (CHANNELS_LAST, channels_last))
                        if on}
        stem = osp.splitext(osp.basename(variant.path))[0]
        folder = osp.basename(osp.dirname(osp.abspath(variant.path)))
        tokens = stem.split('_')
        short = tokens[1] if len(tokens) > 1 and tokens[0].startswith(
            'td-') else stem
        extra = [f'{k}={v}' for k, v in variant.overrides.items()]
        extra += sorted(variant.flags - global_flags)
        brackets = ''.join(f' [{e}]' for e in extra)
        return cls(variant, variant.flags | global_flags,
                   f'{folder}/{short}' + brackets, stem + brackets, stem)

    def with_config_layout(self, cfg) -> 'BenchmarkEntry':
        """The entry with its config's memory format: ``channels-last``
        added where the config trains channels-last (``ChannelsLastHook``)
        and the entry does not say ``nchw``.

        Args:
            cfg (mmengine.Config): the entry's loaded config.
        """
        if NCHW in self.flags or not ChannelsLastHook.in_config(cfg):
            return self
        return replace(self, flags=self.flags | {CHANNELS_LAST})

    @property
    def text(self) -> str:
        return self.variant.text

    @property
    def path(self) -> str:
        return self.variant.path

    @property
    def overrides(self) -> Dict[str, Any]:
        return self.variant.overrides
