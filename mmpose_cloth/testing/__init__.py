"""Test and demo data: a deterministic synthetic FashionAI dataset in the
official layout (as MMPose has ``mmpose/testing/``)."""
from .synthetic import (DEFAULT_IMAGE_SIZE, DEFAULT_MAX_ROTATION,
                        DEFAULT_SCALE_RANGE, SyntheticGarment,
                        generate_fashionai, render_garment, sample_rng,
                        synthetic_image_id)

__all__ = [
    'SyntheticGarment', 'render_garment', 'generate_fashionai',
    'synthetic_image_id', 'sample_rng', 'DEFAULT_IMAGE_SIZE',
    'DEFAULT_SCALE_RANGE', 'DEFAULT_MAX_ROTATION'
]
