"""Test-time augmentation and ensembles, assembled in one place for
``tools/test.py --tta/--ensemble`` (a runner's config) and for inference
(a loaded model, :class:`~.TorchGarmentPredictor`)."""
from typing import List, Optional, Sequence, Tuple

from mmengine.config import ConfigDict

from .base import InferenceInputError

__all__ = ['tta_model_cfg', 'tta_test_pipeline', 'with_test_time_augmentation']


def tta_model_cfg(cfg, tta: bool = False,
                  ensemble: Sequence[Tuple[str, str]] = ()
                  ) -> Optional[ConfigDict]:
    """The model that wraps ``cfg.model`` for test-time augmentation and
    ensembles, without its ``module``: the config's ``tta_model``
    (:class:`~mmpose_cloth.models.HeatmapTTAModel` by default) with
    ``ensemble``, the further models whose heatmaps are averaged in.

    Args:
        cfg (mmengine.Config): the tested model's config.
        tta (bool): test-time augmentation over the views of the config's
            ``tta_pipeline`` (:func:`tta_test_pipeline`).
        ensemble (Sequence[tuple[str, str]]): (config, checkpoint) of
            further models.

    Returns:
        ConfigDict | None: ``None`` with neither ``tta`` nor ``ensemble``.

    Raises:
        InferenceInputError: ``tta`` and a config without
            ``tta_pipeline``.
    """
    if tta:
        tta_test_pipeline(cfg)  # the config must have the views
    if not (tta or ensemble):
        return None
    wrapper = ConfigDict(cfg.get('tta_model', dict(type='HeatmapTTAModel')))
    if ensemble:
        wrapper.ensemble = [dict(config=c, checkpoint=k) for c, k in ensemble]
    return wrapper


def tta_test_pipeline(cfg) -> List[dict]:
    """The config's ``tta_pipeline`` (its views end in ``TestTimeAug``).

    Raises:
        InferenceInputError: the config has none.
    """
    if 'tta_pipeline' not in cfg:
        raise InferenceInputError(
            f'test-time augmentation: {cfg.filename or "the config"} has no '
            '`tta_pipeline` (the 256x256 CPU recipes define one)')
    return list(cfg.tta_pipeline)


def with_test_time_augmentation(cfg, tta: bool = False,
                                ensemble: Sequence[Tuple[str, str]] = ()):
    """``cfg`` changed in place for a runner's test: its model wrapped in
    :func:`tta_model_cfg` and, with ``tta``, its test pipeline replaced by
    the ``tta_pipeline`` (``tools/test.py --tta/--ensemble``, the way
    MMDetection's and MMSegmentation's ``test.py`` do it).

    Returns:
        mmengine.Config: ``cfg``.

    Raises:
        InferenceInputError: ``tta`` and a config without
            ``tta_pipeline``.
    """
    wrapper = tta_model_cfg(cfg, tta, ensemble)
    if tta:
        cfg.test_dataloader.dataset.pipeline = tta_test_pipeline(cfg)
    if wrapper is not None:
        cfg.model = ConfigDict(**wrapper, module=cfg.model)
    return cfg
