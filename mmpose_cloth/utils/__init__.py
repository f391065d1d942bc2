"""Small helpers that several parts of the package share: config handling
(used by deployment and by the analysis tools alike), the image files of
folders, and the command-line arguments every tool spells the same way."""
from .config import (ConfigVariant, config_input_size, fit_schedule,
                     load_config, parse_input_size, set_input_size)
from .image_files import IMAGE_EXTS, find_images

__all__ = [
    'ConfigVariant', 'IMAGE_EXTS', 'config_input_size', 'find_images',
    'fit_schedule', 'load_config', 'parse_input_size', 'set_input_size'
]
