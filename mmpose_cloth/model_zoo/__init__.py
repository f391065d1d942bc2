"""The trained models that ship with mmpose-cloth: the index (MMPose's
``model-index.yml`` and ``metafile.yml``) and the checkpoints, checked by
their sha256 and loaded weights-only (``mmpose-cloth://<file>``)."""
from .checkpoint import (SCHEME, WEIGHTS_DIR, ChecksumError, file_sha256,
                         load_zoo_checkpoint, verify_checkpoint, weights_path)
from .model_index import (DEFAULT_MODEL, ZooModel, format_models, get_model,
                          list_models)

__all__ = [
    'SCHEME', 'WEIGHTS_DIR', 'ChecksumError', 'file_sha256',
    'load_zoo_checkpoint', 'verify_checkpoint', 'weights_path',
    'DEFAULT_MODEL', 'ZooModel', 'format_models', 'get_model', 'list_models'
]
