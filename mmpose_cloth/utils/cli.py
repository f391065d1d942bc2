"""The command-line arguments that several tools share, spelled once.

Every tool that has one of these settings takes it the same way:

* ``--compile``: ``torch.compile`` (MMEngine's ``cfg.compile``; other
  options through ``--cfg-options compile.mode=max-autotune``); a
  benchmark entry takes the same word, ``CONFIG::compile``;
* ``--channels-last``: the channels-last memory format (what
  ``ChannelsLastHook`` does to a config's model); a benchmark entry takes
  ``CONFIG::channels-last`` (and ``::nchw``, its opposite, for a config
  whose hook makes it channels-last);
* ``--input-size WxH``: another input size than the config's
  (:func:`~.config.set_input_size`), width first, as MMPose's configs write
  ``input_size=(W, H)``;
* ``--tta`` and ``--ensemble CONFIG CHECKPOINT``: test-time augmentation
  and ensembles (:mod:`mmpose_cloth.predictors.test_time_augmentation`);
* ``--cfg-options key=value``: config overrides (MMEngine's ``DictAction``).
"""
import argparse
from typing import Optional

from mmengine.config import DictAction

from .config import parse_input_size

__all__ = [
    'COMPILE', 'CHANNELS_LAST', 'NCHW', 'add_cfg_options_argument',
    'add_channels_last_argument', 'add_compile_argument',
    'add_input_size_argument', 'add_tta_arguments', 'apply_compile'
]

#: the words of the settings, as ``--flags`` and as ``::`` benchmark flags
COMPILE, CHANNELS_LAST, NCHW = 'compile', 'channels-last', 'nchw'


def add_compile_argument(parser: argparse.ArgumentParser,
                         help: Optional[str] = None) -> None:
    """``--compile`` (``args.compile``: ``True``, or ``None``: the
    config's ``compile`` setting)."""
    parser.add_argument(
        f'--{COMPILE}', action='store_true', default=None,
        help=help or 'torch.compile the network (the config\'s `compile` '
        'setting, on; the first batch compiles); other options instead: '
        '--cfg-options compile.mode=max-autotune')


def apply_compile(cfg, compile: Optional[bool]):
    """``cfg.compile = True`` where ``--compile`` was given (a config's
    own ``compile`` dict is kept otherwise).

    Returns:
        mmengine.Config: ``cfg``.
    """
    if compile:
        cfg.compile = True
    return cfg


def add_channels_last_argument(parser: argparse.ArgumentParser,
                               help: Optional[str] = None) -> None:
    """``--channels-last`` (``args.channels_last``)."""
    parser.add_argument(
        f'--{CHANNELS_LAST}', action='store_true',
        help=help or 'run the model in the channels-last memory format (as '
        'ChannelsLastHook does)')


def add_input_size_argument(parser: argparse.ArgumentParser,
                            help: Optional[str] = None,
                            default=None) -> None:
    """``--input-size WxH`` (``args.input_size``: ``(W, H)`` or
    ``default``)."""
    parser.add_argument(
        '--input-size', type=parse_input_size, default=default,
        metavar='WxH',
        help=help or 'another input size than the config\'s, width x '
        'height (multiples of 32, e.g. 384x384); codecs keep their input / '
        'heatmap ratio')


def add_tta_arguments(parser: argparse.ArgumentParser) -> None:
    """``--tta`` and ``--ensemble CONFIG CHECKPOINT`` (repeatable;
    ``args.ensemble``: a list of pairs)."""
    parser.add_argument(
        '--tta', action='store_true',
        help='test-time augmentation: the config\'s tta_model and '
        'tta_pipeline views (several input sizes), merged as heatmaps')
    parser.add_argument(
        '--ensemble', nargs=2, action='append', default=[],
        metavar=('CONFIG', 'CHECKPOINT'),
        help='average the heatmaps of another model with this one\'s '
        '(repeatable; with --tta over the views too)')


def add_cfg_options_argument(parser: argparse.ArgumentParser,
                             help: Optional[str] = None) -> None:
    """``--cfg-options key=value ...`` (``args.cfg_options``: a dict or
    ``None``)."""
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help=help or 'override config settings, key=value (MMEngine '
        'DictAction), e.g. model.test_cfg.flip_test=False')
