"""The shipped checkpoints: files named by their hash, checked before they
load, loaded weights-only; ``mmpose-cloth://<file>`` for MMEngine."""
import hashlib
import os
import os.path as osp
import re
from typing import Dict, Optional

import torch
from mmengine.runner import CheckpointLoader

from ..compat import allow_mmengine_checkpoints

__all__ = [
    'SCHEME', 'WEIGHTS_DIR', 'ChecksumError', 'file_sha256', 'weights_path',
    'verify_checkpoint', 'load_zoo_checkpoint'
]

#: The checkpoint prefix of shipped weights, as configs, the model index and
#: ``tools/test.py CONFIG mmpose-cloth://<file>`` write it.
SCHEME = 'mmpose-cloth://'
#: Where the shipped ``.pth`` files and their ``.sha256`` records live.
WEIGHTS_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'weights')
#: ``<name>-<first 8 hex digits of the sha256>[_<YYYYMMDD>].pth``, the name
#: ``tools/misc/publish_model.py`` gives.
_NAME = re.compile(r'^(?P<stem>.+)-(?P<sha8>[0-9a-f]{8})(_\d{8})?\.pth$')


class ChecksumError(RuntimeError):
    """A shipped checkpoint whose bytes are not the ones recorded."""


def file_sha256(path: str) -> str:
    """The sha256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def weights_path(uri: str) -> str:
    """The file a ``mmpose-cloth://<file>`` URI (or a bare file name) names.

    Raises:
        FileNotFoundError: no such shipped file (the shipped ones listed).
    """
    name = uri[len(SCHEME):] if uri.startswith(SCHEME) else uri
    path = osp.join(WEIGHTS_DIR, name)
    if osp.basename(name) != name or not osp.isfile(path):
        shipped = sorted(f for f in os.listdir(WEIGHTS_DIR)
                         if f.endswith('.pth')) \
            if osp.isdir(WEIGHTS_DIR) else []
        raise FileNotFoundError(
            f'no shipped checkpoint {name!r} in {WEIGHTS_DIR}; shipped: '
            f'{", ".join(shipped) or "none"}')
    return path


def verify_checkpoint(path: str) -> str:
    """Check a checkpoint's bytes against the sha256 recorded next to it
    (``<file>.sha256``, as ``sha256sum`` writes it) and against the 8 hex
    digits in its name.

    Returns:
        str: the verified sha256.

    Raises:
        ChecksumError: the file changed, naming the file and both hashes.
        FileNotFoundError: no ``.sha256`` record beside it.
    """
    record = path + '.sha256'
    if not osp.isfile(record):
        raise FileNotFoundError(
            f'{path}: no checksum record {osp.basename(record)} beside it; '
            f'a shipped checkpoint is loaded only when its bytes are known')
    with open(record) as f:
        recorded = f.read().split()[0].strip().lower()
    actual = file_sha256(path)
    if actual != recorded:
        raise ChecksumError(
            f'{path} does not match its recorded sha256 (the file changed '
            f'or is incomplete): recorded {recorded}, file {actual}')
    m = _NAME.match(osp.basename(path))
    if m is None or not recorded.startswith(m['sha8']):
        raise ChecksumError(
            f'{path}: the name must carry the first 8 hex digits of the '
            f'sha256 {recorded} (<name>-{recorded[:8]}.pth)')
    return actual


def load_zoo_checkpoint(uri: str,
                        map_location: Optional[str] = 'cpu') -> Dict:
    """Verify and load a shipped checkpoint, weights-only.

    Args:
        uri (str): ``mmpose-cloth://<file>`` or the file name.
        map_location (str, optional): as ``torch.load``'s.

    Returns:
        dict: the checkpoint (``state_dict`` and ``meta``).
    """
    path = weights_path(uri)
    verify_checkpoint(path)
    allow_mmengine_checkpoints()
    return torch.load(path, map_location=map_location, weights_only=True)


def _load_for_mmengine(filename: str, map_location=None, logger=None):
    return load_zoo_checkpoint(filename, map_location)


if SCHEME not in CheckpointLoader._schemes:
    CheckpointLoader.register_scheme(SCHEME, _load_for_mmengine)
