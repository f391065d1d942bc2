from .inference import predict_garment_batch, predict_garments

__all__ = ['predict_garments', 'predict_garment_batch']
