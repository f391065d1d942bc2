"""The one factory of predictors: every inference caller (``tools/infer.py``,
videos, the demo, the ONNX parity check, the speed benchmark) gets its
:class:`~mmpose_cloth.predictors.GarmentPredictor` here."""
import os
import os.path as osp
from typing import Optional, Sequence, Tuple, Union

from mmengine.config import Config
from mmpose.apis import init_model

from mmpose_cloth.deploy import OnnxGarmentPredictor, read_onnx_metadata
from mmpose_cloth.engine import compile_options
from mmpose_cloth.model_zoo import (SCHEME, ChecksumError, get_model,
                                    verify_checkpoint, weights_path)
from mmpose_cloth.predictors import (GarmentPredictor, InferenceInputError,
                                     TorchGarmentPredictor, default_device)

__all__ = ['build_predictor', 'resolve_model']

ConfigInput = Union[str, os.PathLike, Config, None]


def resolve_model(config: ConfigInput = None,
                  checkpoint: Union[str, os.PathLike, None] = None,
                  model: Optional[str] = None) -> Tuple[ConfigInput, str]:
    """The (config, checkpoint) a predictor is made from: the files as
    given, or a model of the model zoo by name or alias (``model``; the
    default model where neither files nor a name are given).

    A shipped checkpoint (``mmpose-cloth://<file>``) is checked against
    its recorded sha256 here, before anything loads it.

    Raises:
        InferenceInputError: the checkpoint is not there or changed, a
            config without its checkpoint, files and a name both, or a
            name the zoo does not have.
    """
    if model is not None and (config is not None or checkpoint is not None):
        raise InferenceInputError(
            f'give a model-zoo name ({model!r}) or a config and checkpoint, '
            f'not both')
    if checkpoint is None:
        if config is not None:
            raise InferenceInputError(
                f'{config}: a config needs its checkpoint (or leave both '
                f'out for the model zoo\'s default model)')
        try:
            zoo = get_model() if model is None else get_model(model)
        except (KeyError, FileNotFoundError) as e:
            raise InferenceInputError(str(e).strip('"')) from None
        config, checkpoint = zoo.config, zoo.weights
    checkpoint = os.fspath(checkpoint)
    if checkpoint.startswith(SCHEME):
        try:
            verify_checkpoint(weights_path(checkpoint))
        except (ChecksumError, FileNotFoundError) as e:
            raise InferenceInputError(str(e)) from None
    elif not osp.isfile(checkpoint):
        raise InferenceInputError(f'{checkpoint}: no such checkpoint file')
    return config, checkpoint


def build_predictor(config: ConfigInput = None,
                    checkpoint: Union[str, os.PathLike, None] = None,
                    device: Optional[str] = None,
                    flip_test: Optional[bool] = None,
                    cfg_options: Optional[dict] = None,
                    tta: bool = False,
                    ensemble: Sequence[Tuple[str, str]] = (),
                    compile: Union[bool, dict, None] = None,
                    onnx_threads: Optional[int] = None,
                    model: Optional[str] = None) -> GarmentPredictor:
    """A predictor for a ``.pth`` checkpoint with its config, or for an
    ``.onnx`` file (``tools/deploy/export_onnx.py``) run in ONNX Runtime
    with the config stored in the file (``config`` where the file has
    none).

    Args:
        config (str | Config | None): the model config (a file or a loaded
            config); ``None`` for an ``.onnx`` file that carries its own.
        checkpoint (str): ``.pth`` or ``.onnx``.
        device (str, optional): see
            :func:`~mmpose_cloth.predictors.default_device`; an ``.onnx``
            file runs on ONNX Runtime's CUDA provider for ``cuda``.
        flip_test (bool, optional): ``model.test_cfg.flip_test``; the
            config's when ``None``.
        cfg_options (dict, optional): config overrides (``.pth`` only).
        tta (bool): test-time augmentation over the config's
            ``tta_pipeline`` views (``tools/test.py --tta``), merged by
            :class:`~mmpose_cloth.models.HeatmapTTAModel`.
        ensemble (Sequence[tuple[str, str]]): (config, checkpoint) of
            further models whose heatmaps are averaged with this one's
            (``tools/test.py --ensemble``).
        compile (bool | dict, optional): ``torch.compile`` the network
            (with ``tta``/``ensemble`` every model's): ``True`` or
            ``torch.compile`` keyword arguments, as MMEngine's
            ``cfg.compile``; the config's ``compile`` when ``None``
            (``.pth`` only).
        onnx_threads (int, optional): ONNX Runtime's intra-op threads (its
            default: all cores).
        model (str, optional): a model-zoo name or alias instead of
            ``config`` and ``checkpoint``; with none of the three, the zoo's
            default model (:data:`~mmpose_cloth.model_zoo.DEFAULT_MODEL`).

    Returns:
        GarmentPredictor: :class:`~mmpose_cloth.predictors.
        TorchGarmentPredictor` or :class:`~mmpose_cloth.deploy.
        OnnxGarmentPredictor`.

    Raises:
        InferenceInputError: a missing file; an ``.onnx`` file without onnx
            and onnxruntime installed, or with ``tta``/``ensemble`` or
            ``compile``; a config without ``tta_pipeline`` with ``tta``.
    """
    config, checkpoint = resolve_model(config, checkpoint, model)
    device = default_device(device)
    if checkpoint.endswith('.onnx'):
        return _onnx_predictor(config, checkpoint, device, flip_test, tta,
                               ensemble, compile, onnx_threads)
    if config is None:
        raise InferenceInputError(f'{checkpoint}: a PyTorch checkpoint needs '
                                  'its config')
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if flip_test is not None:
        cfg.model.setdefault('test_cfg', {})
        cfg.model.test_cfg['flip_test'] = flip_test
    model = init_model(cfg, checkpoint, device=device)
    return TorchGarmentPredictor(
        model, tta=tta, ensemble=ensemble,
        compile=compile_options(cfg.get('compile') if compile is None
                                else compile),
        name=checkpoint)


def _onnx_predictor(config, checkpoint: str, device: str,
                    flip_test: Optional[bool], tta: bool, ensemble,
                    compile, threads: Optional[int]) -> GarmentPredictor:
    if tta or ensemble:
        raise InferenceInputError(
            'test-time augmentation and ensembles run the PyTorch '
            'checkpoints (.pth), not an .onnx file')
    if compile:
        raise InferenceInputError(
            f'{checkpoint}: an ONNX model runs in ONNX Runtime and is not '
            'compiled with torch.compile: leave out --compile')
    try:
        meta = read_onnx_metadata(checkpoint)
        providers = ['CPUExecutionProvider']
        if device.startswith('cuda'):
            providers.insert(0, 'CUDAExecutionProvider')
        return OnnxGarmentPredictor(
            checkpoint, config=None if 'config' in meta else config,
            flip_test=flip_test, providers=providers, num_threads=threads)
    except NotImplementedError as e:
        raise InferenceInputError(str(e)) from None
    except ImportError as e:
        raise InferenceInputError(
            f'an .onnx checkpoint needs onnx and onnxruntime '
            f'(requirements/optional.txt): {e}')
