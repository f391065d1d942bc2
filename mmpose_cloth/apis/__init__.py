from .inference import predict_garments

__all__ = ['predict_garments']
