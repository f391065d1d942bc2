"""Strip a training checkpoint to what inference needs and name it by its
hash, as MMPose's ``tools/misc/publish_model.py`` does, loading weights-only."""
import hashlib
import os
import os.path as osp
from datetime import date
from typing import Optional, Sequence

import torch

from ..compat import allow_mmengine_checkpoints

__all__ = ['publish_checkpoint']


def publish_checkpoint(in_file: str,
                       out_file: str,
                       save_keys: Sequence[str] = ('meta', 'state_dict'),
                       today: Optional[date] = None,
                       fp16: bool = False) -> str:
    """Keep ``save_keys`` of a checkpoint, save it and rename it
    ``<out_file stem>-<first 8 hex digits of its sha256>_<YYYYMMDD>.pth``.

    MMPose 1.3.2's tool calls ``torch.load`` without ``weights_only``, which
    torch >= 2.6 turns into a weights-only load that refuses MMEngine's
    checkpoints (their message hub holds MMEngine objects). Here the load is
    weights-only on purpose, with :mod:`mmpose_cloth.compat`'s narrow
    allow-list of the types an MMEngine checkpoint holds, so a crafted
    pickle is still refused; the published file has tensors, numbers,
    strings and the ``meta`` dict (``dataset_meta`` included, which
    ``mmpose.apis.init_model`` reads) only.

    Args:
        in_file (str): a checkpoint written by MMEngine's runner.
        out_file (str): where to write; ``.pth`` is taken off before the hash
            is added.
        save_keys (Sequence[str]): top-level keys to keep. Defaults to
            ``('meta', 'state_dict')``, MMPose's.
        today (date, optional): the date in the name; today by default.
        fp16 (bool): store the floating-point tensors of ``state_dict`` as
            float16 (half the file; they load into float32 parameters).

    Returns:
        str: the path of the published file. Its full sha256 is written
        beside it, as ``sha256sum`` writes it, to ``<file>.sha256``: the
        record :func:`mmpose_cloth.model_zoo.verify_checkpoint` checks.

    Raises:
        KeyError: a key of ``save_keys`` is not in the checkpoint (the names
            it has are listed).
    """
    allow_mmengine_checkpoints()  # idempotent
    checkpoint = torch.load(in_file, map_location='cpu', weights_only=True)
    missing = [k for k in save_keys if k not in checkpoint]
    if missing:
        raise KeyError(f'{in_file}: no {missing} in the checkpoint; it has '
                       f'{sorted(checkpoint)}')
    published = {k: checkpoint[k] for k in save_keys}
    if fp16 and 'state_dict' in published:
        published['state_dict'] = {
            k: v.half() if torch.is_floating_point(v) else v
            for k, v in published['state_dict'].items()
        }
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    torch.save(published, out_file)
    with open(out_file, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    stem = out_file[:-4] if out_file.endswith('.pth') else out_file
    stamp = (today or date.today()).strftime('%Y%m%d')
    final = f'{stem}-{sha[:8]}_{stamp}.pth'
    os.replace(out_file, final)
    with open(final + '.sha256', 'w') as f:
        f.write(f'{sha}  {osp.basename(final)}\n')
    return final
