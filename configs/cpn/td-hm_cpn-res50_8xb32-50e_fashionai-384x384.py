# CPN (GlobalNet + RefineNet) on ResNet-50, the paper's model and recipe:
# "Clothes Keypoints Detection with Cascaded Pyramid Network", 384x384 input,
# 96x96 heatmaps, L2 losses on Gaussian targets that shrink from the coarse to
# the fine GlobalNet level, L2 with online hard keypoint mining on RefineNet.
_base_ = [
    '../_base_/default_runtime.py', '../_base_/fashionai_topdown_384x384.py'
]

num_keypoints = 24

# codec settings: one Gaussian size per GlobalNet level, coarse (C5) to fine
# (C2); RefineNet shares the finest. Kernel sizes as pytorch-cpn at 384x288.
# SeparableMegviiHeatmap: MMPose's MegviiHeatmap targets (to float32
# rounding), several times faster to encode (mmpose_cloth/codecs).
kernel_sizes = [23, 17, 13, 9]
codec = [
    dict(
        type='SeparableMegviiHeatmap',
        input_size=(384, 384),
        heatmap_size=(96, 96),
        kernel_size=k) for k in kernel_sizes
]

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
        out_indices=(0, 1, 2, 3),
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50'),
    ),
    head=dict(
        type='CPNHead',
        in_channels=(256, 512, 1024, 2048),
        out_channels=num_keypoints,
        unit_channels=256,
        num_refine_blocks=(0, 1, 2, 3),
        level_indices=[0, 1, 2, 3, 3],
        loss=[
            dict(
                type='KeypointMSELoss', use_target_weight=True,
                loss_weight=0.5)
        ] * 4 + [dict(type='OHKMMSELoss', use_target_weight=True, topk=8)],
        decoder=codec[-1]),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False))

# pipelines
train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=_base_.input_size),
    dict(type='GenerateTarget', multilevel=True, encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# NHWC by default: the same function (tests/engine/test_channels_last_hook.py)
# and faster training for CPN and SimpleBaseline on CPU and on an H100 with
# AMP (docs/benchmarks.md); `tools/analysis/benchmark.py CONFIG::nchw`
# measures the NCHW layout
custom_hooks = _base_.custom_hooks + [dict(type='ChannelsLastHook')]
