from .draw import draw_garment, image_grid

__all__ = ['draw_garment', 'image_grid']
