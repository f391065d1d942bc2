from .fashionai_dataset import FashionAIDataset
from .transforms import RandomKeypointBBox

__all__ = ['FashionAIDataset', 'RandomKeypointBBox']
