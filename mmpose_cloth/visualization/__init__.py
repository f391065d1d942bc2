from .draw import draw_garment, image_grid
from .fashionai_local_visualizer import (FashionAIPoseLocalVisualizer,
                                         sample_category)

__all__ = [
    'draw_garment', 'image_grid', 'FashionAIPoseLocalVisualizer',
    'sample_category'
]
