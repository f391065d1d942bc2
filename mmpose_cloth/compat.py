"""Make the MMPose 1.x stack run on what installs today.

Imported first by :mod:`mmpose_cloth`; each of the things it does is
idempotent.

1. **mmcv-lite has no compiled ops.** Full mmcv 2.x has no wheel for current
   torch and its source build fails, so the project runs on ``mmcv-lite``.
   Then ``import mmpose.models`` fails, because a few modules (EDPose, DEKR,
   PoseWarper, and many of MMDetection's) import ``mmcv.ops`` at module level.
   :func:`install_mmcv_ops_standin` puts a stand-in ``mmcv.ops`` package in
   place: every name in it is a placeholder class that can be imported and
   subclassed, and that raises :class:`MissingMMCVOpError`, naming the op,
   only when it is used. Where a real ``mmcv.ops`` imports, nothing changes.

2. **torch >= 2.6 loads with ``weights_only=True`` by default**, and
   MMEngine 0.10.7 calls ``torch.load`` without saying otherwise, so torch
   refuses MMEngine's own checkpoints (``init_model``, ``tools/test.py``,
   ``resume``). Rather than switching the check off,
   :func:`allow_mmengine_checkpoints` allow-lists exactly the types such a
   checkpoint holds besides tensors. Anything else in a pickle is still
   refused by torch.

3. **numpy 2 refuses ``int()`` of a one-element array**, which MMPose
   1.3.2's ``OpencvBackendVisualizer.draw_circles`` does with the radius
   that ``PoseLocalVisualizer`` passes as ``np.array([radius])``, so every
   keypoint picture (``MMPoseInferencer(vis_out_dir=...)``,
   ``tools/test.py --show-dir``) crashed. :func:`mend_visualizer_for_numpy2`
   hands it a scalar radius; the picture is what MMPose draws on numpy 1.

4. **DSNT's loss turns every weight into NaN on current torch.** MMPose
   1.3.2's ``JSDiscretLoss`` (``DSNTHead``'s heatmap loss) multiplies the
   predicted heatmap by the keypoint weight and passes it to
   ``nn.KLDivLoss`` as the *target*; torch's gradient with respect to a
   target of 0 is ``log 0 = -inf``, so a keypoint of weight 0 (on FashionAI,
   the 9 to 20 of the 24 keypoints an image's category lacks) sends NaN
   into the first optimizer step. :func:`mend_js_discret_loss` computes the
   same divergence in the form of the implementation MMPose took it from
   (``dsntnn``: ``p * (log(p + eps) - log(q + eps))``): the same values, a
   finite gradient.
"""
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any, List, Tuple

__all__ = [
    'MissingMMCVOpError', 'install_mmcv_ops_standin',
    'allow_mmengine_checkpoints', 'safe_globals', 'has_real_mmcv_ops',
    'allow_cpu_distributed', 'mend_visualizer_for_numpy2',
    'mend_js_discret_loss'
]

_STANDIN_FLAG = '__mmpose_cloth_standin__'


class MissingMMCVOpError(ImportError):
    """A compiled mmcv op was used, but the installed mmcv has none."""


def _make_placeholder(qualname: str) -> type:
    import torch.nn as nn

    def _fail(self, *args: Any, **kwargs: Any) -> None:
        raise MissingMMCVOpError(
            f'{qualname} needs mmcv\'s compiled ops, but the installed mmcv '
            '(mmcv-lite) has none. The models in mmpose-cloth do not use it; '
            'to run a model or detector that does, install a full mmcv build '
            'that matches your torch (https://mmcv.readthedocs.io).')

    # A class (not a function) so that it can be subclassed at import time,
    # and calling it like a function (e.g. batched_nms(...)) still fails
    # loudly.
    return type(qualname.rsplit('.', 1)[-1], (nn.Module, ), {
        '__init__': _fail,
        '__module__': qualname.rsplit('.', 1)[0],
        _STANDIN_FLAG: True
    })


class _StandinModule(types.ModuleType):
    """``mmcv.ops`` or one of its submodules; any attribute is a
    placeholder."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith('__'):
            raise AttributeError(name)
        value = _make_placeholder(f'{self.__name__}.{name}')
        setattr(self, name, value)
        return value


class _StandinFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``mmcv.ops`` and every ``mmcv.ops.*`` submodule."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == 'mmcv.ops' or fullname.startswith('mmcv.ops.'):
            return importlib.machinery.ModuleSpec(
                fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _StandinModule(spec.name)
        module.__path__ = []
        setattr(module, _STANDIN_FLAG, True)
        return module

    def exec_module(self, module):
        pass


def has_real_mmcv_ops() -> bool:
    """Whether ``mmcv.ops`` is mmcv's real, compiled package."""
    install_mmcv_ops_standin()
    ops = sys.modules.get('mmcv.ops')
    return ops is not None and not getattr(ops, _STANDIN_FLAG, False)


def install_mmcv_ops_standin() -> bool:
    """Put a stand-in ``mmcv.ops`` in place if the real one cannot import.

    Returns:
        bool: True if the stand-in is (now) in use.
    """
    if any(isinstance(f, _StandinFinder) for f in sys.meta_path):
        return True
    try:
        import mmcv.ops  # noqa: F401
        return False
    except ImportError:
        pass
    # Drop what the failed import left behind, then serve the stand-in.
    for name in list(sys.modules):
        if name == 'mmcv.ops' or name.startswith('mmcv.ops.'):
            del sys.modules[name]
    sys.meta_path.insert(0, _StandinFinder())
    import mmcv
    import mmcv.ops  # noqa: F811  (now the stand-in)
    mmcv.ops = sys.modules['mmcv.ops']
    return True


_HISTORY_BUFFER_METHODS = ('min', 'max', 'mean', 'current')


def _history_buffer_getattr(obj: Any, name: str, *default: Any) -> Any:
    """``getattr`` for unpickling, limited to what MMEngine checkpoints use.

    MMEngine's ``HistoryBuffer`` pickles its statistics methods (min, max,
    mean, current) through ``getattr``. Admitting plain ``getattr`` would let
    a crafted pickle reach any attribute of any allowed object, so only those
    four lookups on ``HistoryBuffer`` are allowed.
    """
    from mmengine.logging import HistoryBuffer
    if (obj is HistoryBuffer or isinstance(obj, HistoryBuffer)) \
            and name in _HISTORY_BUFFER_METHODS:
        return getattr(obj, name)
    import pickle
    raise pickle.UnpicklingError(
        f'Refusing getattr({type(obj).__name__}, {name!r}) while loading a '
        'checkpoint: only HistoryBuffer statistics methods are allowed.')


def safe_globals() -> List[Any]:
    """The non-tensor types an MMEngine checkpoint of an MMPose run holds.

    Returns:
        list: entries for :func:`torch.serialization.add_safe_globals`:
        objects, and ``(object, 'module.name')`` pairs where the pickle names
        the object differently.
    """
    import codecs
    import collections

    import numpy as np
    from mmengine.logging import HistoryBuffer

    try:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
        core = 'numpy._core'
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
        core = 'numpy.core'
    entries: List[Any] = [
        np.dtype, np.ndarray, _reconstruct, scalar, collections.Counter,
        collections.OrderedDict, codecs.encode, HistoryBuffer,
        (_history_buffer_getattr, 'builtins.getattr'),
        (_history_buffer_getattr, '__builtin__.getattr'),
    ]
    # numpy 1 pickles name numpy.core, numpy 2 pickles numpy._core; a
    # checkpoint written under one must load under the other.
    for other in {'numpy.core', 'numpy._core'} - {core}:
        entries += [(_reconstruct, f'{other}.multiarray._reconstruct'),
                    (scalar, f'{other}.multiarray.scalar')]
    # The dtype classes (np.dtypes.Float32DType, ...) numpy >= 1.25 pickles.
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        entries += [
            getattr(dtypes, n) for n in dir(dtypes)
            if n.endswith('DType') and isinstance(getattr(dtypes, n), type)
        ]
    return entries


def allow_mmengine_checkpoints() -> Tuple[bool, int]:
    """Allow-list MMEngine checkpoint contents for ``weights_only`` loads.

    Returns:
        tuple: (whether torch supports allow-lists, number of entries added).
    """
    import torch.serialization as ts
    if not hasattr(ts, 'add_safe_globals'):
        return False, 0  # torch < 2.4 loads these without a weights-only check
    entries = safe_globals()
    ts.add_safe_globals(entries)
    return True, len(entries)


def allow_cpu_distributed() -> bool:
    """Let MMEngine's ``pytorch`` launcher (torchrun) run on CPUs (gloo).

    MMEngine 0.10.7 calls ``torch.cuda.set_device(LOCAL_RANK)`` when it
    initialises the process group, and wraps the model in DDP with
    ``device_ids=[LOCAL_RANK]``; both fail on a machine without a GPU. Where
    CUDA is not available the first is skipped (and the ``nccl`` backend,
    which needs GPUs, becomes ``gloo``, with a warning) and DDP gets
    ``device_ids=None``, what it needs for a CPU module. With a GPU nothing
    changes.

    Returns:
        bool: True once the patch is in place.
    """
    import torch
    from mmengine.dist import utils as dist_utils
    from mmengine.model import MMDistributedDataParallel
    if getattr(dist_utils._init_dist_pytorch, _STANDIN_FLAG, False):
        return True
    init_dist_pytorch = dist_utils._init_dist_pytorch

    def _init_dist_pytorch(backend='nccl', init_backend='torch', **kwargs):
        if torch.cuda.is_available() or init_backend != 'torch':
            return init_dist_pytorch(
                backend, init_backend=init_backend, **kwargs)
        if backend == 'nccl':
            import warnings
            warnings.warn("The 'nccl' backend needs GPUs; none is available, "
                          "so 'gloo' is used (set env_cfg.dist_cfg.backend="
                          "'gloo' to silence this)")
            backend = 'gloo'
        torch.distributed.init_process_group(backend=backend, **kwargs)

    setattr(_init_dist_pytorch, _STANDIN_FLAG, True)
    dist_utils._init_dist_pytorch = _init_dist_pytorch

    ddp_init = MMDistributedDataParallel.__init__

    def __init__(self, module, *args, **kwargs):
        if not torch.cuda.is_available():
            kwargs['device_ids'] = None
            kwargs.pop('output_device', None)
        ddp_init(self, module, *args, **kwargs)

    MMDistributedDataParallel.__init__ = __init__
    return True


def mend_visualizer_for_numpy2() -> bool:
    """Let MMPose's OpenCV visualizer draw circles with a one-element array
    radius on numpy 2 (see the module docstring).

    Returns:
        bool: whether ``draw_circles`` was wrapped now (``False`` when it was
        already).
    """
    import functools

    import numpy as np
    from mmpose.visualization.opencv_backend_visualizer import \
        OpencvBackendVisualizer
    original = OpencvBackendVisualizer.draw_circles
    if getattr(original, _STANDIN_FLAG, False):
        return False

    @functools.wraps(original)
    def draw_circles(self, center, radius, *args, **kwargs):
        radius = np.asarray(radius)
        if radius.size == 1:
            radius = radius.reshape(()).item()
        return original(self, center, radius, *args, **kwargs)

    setattr(draw_circles, _STANDIN_FLAG, True)
    OpencvBackendVisualizer.draw_circles = draw_circles
    return True


def mend_js_discret_loss() -> bool:
    """Give MMPose's ``JSDiscretLoss`` a finite gradient where a heatmap is
    0 (see the module docstring).

    ``kl(p, q)`` becomes ``p * (log(p + eps) - log(q + eps))``, dsntnn's
    own form with MMPose's ``eps = 1e-24``: where MMPose's ``KLDivLoss``
    gives ``p * (log p - log(q + eps))`` (0 where ``p`` is 0) this differs
    by ``log(1 + eps / p)``, below float32's resolution wherever ``p`` is
    above 1e-17.

    Returns:
        bool: whether ``kl`` was replaced now (``False`` when it was
        already).
    """
    from mmpose.models.losses.classification_loss import JSDiscretLoss
    if getattr(JSDiscretLoss.kl, _STANDIN_FLAG, False):
        return False

    def kl(self, p, q):
        """Kullback-Leibler divergence, elementwise (dsntnn's form)."""
        eps = 1e-24
        return p * ((p + eps).log() - (q + eps).log())

    setattr(kl, _STANDIN_FLAG, True)
    JSDiscretLoss.kl = kl
    return True


install_mmcv_ops_standin()
allow_mmengine_checkpoints()
allow_cpu_distributed()
mend_visualizer_for_numpy2()
mend_js_discret_loss()
