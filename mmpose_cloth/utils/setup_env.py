"""MMEngine's per-package entry point for the ``mmpose_cloth`` scope."""
from mmengine import DefaultScope

__all__ = ['register_all_modules']


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register every module of mmpose-cloth (and MMPose's) in MMPose's
    registries, as MMPose's own ``register_all_modules`` does.

    MMEngine calls it by convention (``<scope>.utils.register_all_modules``)
    when something is built in the ``mmpose_cloth`` scope, e.g.
    ``MMPoseInferencer(pose2d='garment', scope='mmpose_cloth')``.

    Args:
        init_default_scope (bool): make ``mmpose_cloth`` the default scope
            if no scope is set yet. Default: True.
    """
    # the whole package, above this module: imported when called, as MMPose
    # does in its own register_all_modules
    import mmpose_cloth  # noqa: F401
    import mmpose_cloth.registry  # noqa: F401
    from mmpose.utils import register_all_modules as register_mmpose
    register_mmpose(init_default_scope=False)
    if init_default_scope and DefaultScope.get_current_instance() is None:
        DefaultScope.get_instance('mmpose_cloth', scope_name='mmpose_cloth')
