# SimpleBaseline (ResNet-50 + 3 deconvolutions), MMPose's stock heatmap head,
# on the same FashionAI data and schedule as CPN, for benchmarking.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/fashionai_topdown_384x384.py'
]

num_keypoints = 24

# codec settings
codec = dict(
    type='MSRAHeatmap', input_size=(384, 384), heatmap_size=(96, 96), sigma=3)

# model settings
model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50'),
    ),
    head=dict(
        type='HeatmapHead',
        in_channels=2048,
        out_channels=num_keypoints,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

# pipelines
train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=_base_.input_size),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# NHWC by default: the same function (tests/engine/test_channels_last_hook.py)
# and faster training for CPN and SimpleBaseline on CPU and on an H100 with
# AMP (docs/benchmarks.md); `tools/analysis/benchmark.py CONFIG::nchw`
# measures the NCHW layout
custom_hooks = _base_.custom_hooks + [dict(type='ChannelsLastHook')]
