"""``torch.compile`` for MMPose models, from MMEngine's ``compile`` setting.

MMEngine's runner reads ``cfg.compile`` (``True``, or a dict of
``torch.compile`` keyword arguments, e.g. ``dict(backend='inductor',
mode='max-autotune')``) and compiles ``model.train_step`` only: validation
and testing stay eager. The prediction of a top-down model runs its network
twice under flip test and decodes heatmaps with numpy and OpenCV, so here
only the network is compiled for prediction, the two calls that
``TopdownPoseEstimator.predict`` makes: ``model.extract_feat`` (backbone
and neck) and ``model.head.forward``; decoding, flip test's bookkeeping and
a category head (one pooled linear layer) stay eager. The outputs are
those of the eager model to float rounding
(``tests/engine/test_compile.py``).
"""
from typing import Optional, Tuple, Union

import torch
from mmengine.model import BaseTTAModel, is_model_wrapper

__all__ = [
    'COMPILE_HOOK', 'PREDICTION_TARGETS', 'STATIC_SHAPES', 'compile_options',
    'compile_prediction', 'eager_prediction', 'eager_data_preprocessor',
    'with_compile_hook'
]

#: what prediction compiles: (attribute path of the owner, method name)
PREDICTION_TARGETS: Tuple[Tuple[str, str], ...] = (('', 'extract_feat'),
                                                   ('head', 'forward'))

#: the defaults of a compile for fixed input sizes (prediction, the
#: benchmark): one graph per batch size, no symbolic shapes
STATIC_SHAPES = dict(dynamic=False)

#: the hook that compiles validation and testing and reports compile time
COMPILE_HOOK = 'CompileHook'


def compile_options(value: Union[bool, dict, None]) -> Optional[dict]:
    """MMEngine's reading of ``cfg.compile``: ``None`` or ``False`` is
    off (``None`` returned), ``True`` the defaults (``{}``), a dict the
    ``torch.compile`` keyword arguments (a copy).

    Raises:
        TypeError: anything else.
    """
    if value is None or value is False:
        return None
    if value is True:
        return {}
    if isinstance(value, dict):
        return dict(value)
    raise TypeError(f'compile={value!r}: expected True, False or a dict of '
                    'torch.compile keyword arguments, e.g. '
                    "compile=dict(backend='inductor', mode='max-autotune')")


def _bare(model):
    return model.module if is_model_wrapper(model) else model


def _prediction_nets(model) -> list:
    """The estimators whose networks ``model.test_step`` runs: the model
    itself, or the tested model and the ensemble of a test-time
    augmentation model (``tools/test.py --tta``/``--ensemble``)."""
    net = _bare(model)
    if isinstance(net, BaseTTAModel):
        return [net.module, *getattr(net, 'ensemble', [])]
    return [net]


def _owner(model, path: str):
    owner = model
    for name in filter(None, path.split('.')):
        owner = getattr(owner, name, None)
    return owner


def compile_prediction(model, options: dict):
    """Compile the network that ``model.test_step`` runs (in place).

    ``model.extract_feat`` and ``model.head.forward`` become their
    ``torch.compile``'d versions (instance attributes, so the class and the
    ``state_dict`` are untouched and :func:`eager_prediction` undoes it).
    Shapes are static unless ``options`` say ``dynamic``: a batch of
    another size (the last, partial one) compiles once more for its size,
    and later batches of either size reuse what was compiled.

    Args:
        model (nn.Module): a top-down pose estimator (or its MMEngine
            wrapper, or a ``HeatmapTTAModel``: its tested model and
            ensemble are compiled).
        options (dict): ``torch.compile`` keyword arguments
            (:func:`compile_options`).

    Returns:
        nn.Module: ``model``.

    Raises:
        ValueError: the model lacks ``extract_feat`` or ``head.forward``.
    """
    options = dict(STATIC_SHAPES, **options)
    for net in _prediction_nets(model):
        for path, name in PREDICTION_TARGETS:
            owner = _owner(net, path)
            fn = getattr(owner, name, None)
            if fn is None:
                target = '.'.join(filter(None, ('model', path, name)))
                raise ValueError(
                    f'compile: {type(net).__name__} has no {target} (a '
                    f'top-down pose estimator has)')
            if name not in vars(owner):  # not compiled yet
                setattr(owner, name, torch.compile(fn, **options))
    return model


def eager_prediction(model):
    """Undo :func:`compile_prediction` (what was compiled stays cached by
    torch and is reused by the next :func:`compile_prediction`).

    Returns:
        nn.Module: ``model``.
    """
    for net in _prediction_nets(model):
        for path, name in PREDICTION_TARGETS:
            owner = _owner(net, path)
            if owner is not None:
                vars(owner).pop(name, None)
    return model


def eager_data_preprocessor(model):
    """Keep ``model.data_preprocessor`` out of a compiled ``train_step``
    (in place; dynamo runs it eagerly, between two graphs).

    It moves the batch's data samples to the device, and each sample's
    ``.to()`` deep-copies its metainfo, which holds numpy arrays
    (``input_center``, ``input_scale``, ...). With torch 2.14 dynamo traced
    such a copy as a tensor and failed on some runs of the same training
    ("Dynamo failed to run FX node with fake tensors: ... __deepcopy__ ...
    'ndarray' object has no attribute '__deepcopy__'"). Normalising a
    batch costs little next to the network.

    Returns:
        nn.Module: ``model``.
    """
    pre = _bare(model).data_preprocessor
    if 'forward' not in vars(pre):
        pre.forward = torch.compiler.disable(pre.forward)
    return model


def with_compile_hook(cfg):
    """Add :class:`~mmpose_cloth.engine.hooks.CompileHook` to
    ``cfg.custom_hooks`` where ``cfg.compile`` is on and the config lacks
    it (``tools/train.py``, ``tools/test.py``: after ``--compile`` and
    ``--cfg-options``), so that validation and testing are compiled too and
    the compile time is logged.

    Returns:
        mmengine.Config: ``cfg``.
    """
    if compile_options(cfg.get('compile')) is None:
        return cfg
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(h.get('type') == COMPILE_HOOK for h in hooks):
        cfg.custom_hooks = hooks + [dict(type=COMPILE_HOOK)]
    return cfg
