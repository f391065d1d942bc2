from .separable_megvii_heatmap import SeparableMegviiHeatmap

__all__ = ['SeparableMegviiHeatmap']
