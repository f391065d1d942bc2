# MMPose's default runtime, with mmpose_cloth imported (it registers the
# FashionAI dataset and metric, CPN and DetNet) and the best checkpoint chosen
# by the FashionAI normalized error (lower is better).
default_scope = 'mmpose'
custom_imports = dict(imports=['mmpose_cloth'], allow_failed_imports=False)

# hooks
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook',
        interval=10,
        save_best='fashionai/NE',
        rule='less',
        max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='PoseVisualizationHook', enable=False),
    badcase=dict(
        type='BadCaseAnalysisHook',
        enable=False,
        out_dir='badcase',
        metric_type='loss',
        badcase_thr=5))

# custom hooks
custom_hooks = [
    # Synchronize model buffers such as running_mean and running_var in BN
    # at the end of each epoch
    dict(type='SyncBuffersHook'),
    # fail before the first iteration if head and dataset keypoints differ
    dict(type='KeypointCountCheckHook'),
]

# multi-processing backend
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

# visualizer: MMPose's PoseLocalVisualizer, each garment drawn with its own
# category's skeleton (the predicted category, else the sample's
# category_id) instead of the union of the five in the metainfo.
# For TensorBoard next to the local logs, a two-line config:
#   _base_ = ['./CONFIG.py']
#   visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
#                                   dict(type='TensorboardVisBackend')])
# (or --cfg-options visualizer.vis_backends.0.type=TensorboardVisBackend,
# which replaces the local backend that tools/analysis/plot_curves.py reads)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='FashionAIPoseLocalVisualizer',
    vis_backends=vis_backends,
    name='visualizer')

# logger
log_processor = dict(
    type='LogProcessor', window_size=50, by_epoch=True, num_digits=6)
log_level = 'INFO'
load_from = None
resume = False

# file I/O backend
backend_args = dict(backend='local')

# training/validation/testing progress
# train_cfg (epochs, val interval) is set by _base_/fashionai_topdown_384x384.py
val_cfg = dict()
test_cfg = dict()
