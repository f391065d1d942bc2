# RLE regression (RLEHead: global average pooling, one linear layer to each
# keypoint's x, y and scale, trained with residual log-likelihood estimation)
# on the CPU recipe's ImageNet EfficientNet-Lite0: the same backbone,
# weights, data, augmentation, input size, schedule and seed as
# ../simplebaseline/td-hm_efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py
# and ../cpn/td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py,
# so only the head and its codec differ (docs/benchmarks.md, "Heads").
#
# Neck, head, loss, codec and flip test from MMPose 1.3.2's
# configs/body_2d_keypoint/topdown_regression/coco/
# td-reg_mobilenetv2_rle-pretrained-8xb64-210e_coco-256x192.py, MMPose's
# RLE config for a 1280-channel stride-32 backbone like Lite0's last level:
# GlobalAveragePooling neck, RLEHead(in_channels=1280), RLELoss(
# use_target_weight=True), RegressionLabel (coordinates over the input
# size: nothing to scale but the input size), test_cfg flip_test=True,
# shift_coords=True.
# Not taken: MMPose's initialisation from a COCO-trained heatmap model, its
# Adam 1e-3 / 210-epoch schedule and RandomHalfBody: the head comparison
# keeps the CPU recipe's ImageNet weights and schedule.
_base_ = ['../_base_/fashionai_topdown_192x192_cpu.py']

num_keypoints = 24

codec = dict(type='RegressionLabel', input_size=_base_.input_size)

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
        out_indices=(4, ),  # stride 32, after the 1280-channel head conv
        init_cfg=dict(
            type='Pretrained', checkpoint='efficientnet-lite://lite0')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='RLEHead',
        in_channels=1280,
        num_joints=num_keypoints,
        loss=dict(type='RLELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, shift_coords=True))

train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=_base_.input_size),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
