from .fashionai_metric import FashionAIMetric
from .garment_category_metric import GarmentCategoryMetric

__all__ = ['FashionAIMetric', 'GarmentCategoryMetric']
