"""The ``mmpose_cloth`` registry scope: children of MMPose's registries.

Every module of this package registers into MMPose's own registries (so
``custom_imports`` in a config is all a user needs). These children exist so
that ``mmpose_cloth`` is also a scope that MMEngine's inferencers can run in
(``MMPoseInferencer(pose2d='garment', scope='mmpose_cloth')`` finds the model
zoo of this package); a lookup in them falls back to MMPose's.
"""
from mmengine.config.utils import MODULE2PACKAGE
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import Registry

from mmpose import registry as mmpose_registry

__all__ = [
    'DATASETS', 'EVALUATORS', 'HOOKS', 'INFERENCERS', 'KEYPOINT_CODECS',
    'METRICS', 'MODELS', 'TRANSFORMS', 'VISBACKENDS', 'VISUALIZERS',
    'DATA_SAMPLERS', 'LOOPS', 'OPTIM_WRAPPERS', 'OPTIMIZERS',
    'PARAM_SCHEDULERS', 'RUNNERS', 'WEIGHT_INITIALIZERS', 'MODEL_WRAPPERS',
    'TASK_UTILS', 'LOG_PROCESSORS', 'BATCH_AUGMENTS',
    'OPTIM_WRAPPER_CONSTRUCTORS', 'RUNNER_CONSTRUCTORS', 'FUNCTIONS'
]


def _child(name: str) -> Registry:
    parent = getattr(mmpose_registry, name, None)
    if parent is None:  # MMPose has none of its own (FUNCTIONS): MMEngine's
        parent = MMENGINE_FUNCTIONS
    # a lookup in the scope first imports the whole plugin (its modules
    # register into MMPose's registries, the parents)
    return Registry(parent.name, parent=parent, scope='mmpose_cloth',
                    locations=['mmpose_cloth'])


for _name in __all__:
    globals()[_name] = _child(_name)

# MMEngine's table of OpenMMLab scopes and their pip packages, which its
# inferencers check before reading a scope's model-index.yml
MODULE2PACKAGE.setdefault('mmpose_cloth', 'mmpose-cloth')
