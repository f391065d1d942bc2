# SimCC (SimCCHead: x and y classifiers over 2x sub-pixel bins, no heatmap)
# on the CPU recipe's ImageNet EfficientNet-Lite0: the same backbone,
# weights, data, augmentation, input size, schedule and seed as
# ../simplebaseline/td-hm_efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py
# and ../cpn/td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py,
# so only the head and its codec differ (docs/benchmarks.md, "Heads").
#
# Head, loss, codec and flip test from MMPose 1.3.2's
# configs/body_2d_keypoint/simcc/coco/
# simcc_mobilenetv2_wo-deconv-8xb64-210e_coco-256x192.py, MMPose's SimCC
# config for a 1280-channel stride-32 backbone like Lite0's last level: no
# deconvolutions (deconv_out_channels=None), a 1x1 conv to the keypoints,
# KLDiscretLoss(use_target_weight=True), SimCCLabel(sigma=6.0,
# simcc_split_ratio=2.0), test_cfg flip_test=True. MMPose keeps sigma 6.0
# at 256x192 and at 384x288 (simcc_res50_8xb32-140e_coco-384x288.py), so
# 6.0 here too; the feature map is the input over 32 as there. (MMPose's
# ResNet-50 SimCC configs add three 256-channel deconvolutions: this config
# with ::model.head.deconv_out_channels="(256,256,256)" in the benchmark.)
# Not taken: MMPose's Adam 5e-4 / 210-epoch schedule and RandomHalfBody (a
# person-only augmentation): the head comparison keeps the CPU recipe's.
_base_ = ['../_base_/fashionai_topdown_192x192_cpu.py']

num_keypoints = 24

codec = dict(
    type='SimCCLabel',
    input_size=_base_.input_size,
    sigma=6.0,
    simcc_split_ratio=2.0)

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
    head=dict(
        type='SimCCHead',
        in_channels=1280,
        out_channels=num_keypoints,
        input_size=codec['input_size'],
        in_featuremap_size=tuple([s // 32 for s in codec['input_size']]),
        simcc_split_ratio=codec['simcc_split_ratio'],
        deconv_out_channels=None,
        loss=dict(type='KLDiscretLoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True))

train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=_base_.input_size),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
