"""Small helpers that several parts of the package share (config handling,
used by deployment and by the analysis tools alike)."""
from .config import (ConfigVariant, config_input_size, load_config,
                     parse_input_size, set_input_size)
from .setup_env import register_all_modules

__all__ = [
    'ConfigVariant', 'config_input_size', 'load_config', 'parse_input_size',
    'set_input_size', 'register_all_modules'
]
