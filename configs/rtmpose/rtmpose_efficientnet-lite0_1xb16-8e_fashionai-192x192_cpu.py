# RTMPose's head (RTMCCHead: a 7x7 conv to per-keypoint tokens, a gated
# attention unit, then SimCC x/y classifiers) on the CPU recipe's ImageNet
# EfficientNet-Lite0: the same backbone, weights, data, augmentation, input
# size, schedule and seed as
# ../simplebaseline/td-hm_efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py
# and ../cpn/td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py,
# so only the head and its codec differ (docs/benchmarks.md, "Heads").
#
# Head, loss, codec and flip test from MMPose 1.3.2's
# configs/body_2d_keypoint/rtmpose/coco/rtmpose-s_8xb256-420e_coco-256x192.py
# (the t/s/m/l configs share them, only in_channels differs):
# final_layer_kernel_size=7, gau_cfg (hidden_dims 256, s 128, expansion 2,
# no dropout, SiLU, no relative bias), KLDiscretLoss(beta=10,
# label_softmax=True), SimCCLabel(simcc_split_ratio=2.0, normalize=False,
# use_dark=False), test_cfg flip_test=True. Scaled to 192x192: MMPose's
# sigmas grow with the square root of the axis length (4.9 for 192 px, 5.66
# for 256, 6.93 for 288 in the 384x288 configs: sqrt(L / 8)), so 4.9 on both
# axes here, its own value for a 192 px axis; the feature map is the input
# over 32 as there. in_channels is Lite0's 1280-channel stride-32 level.
# Not taken: RTMPose's CSPNeXt, its AdamW 4e-3 / 420-epoch schedule, EMA,
# two-stage augmentation (HSV, blur, coarse dropout) and seed 21: the head
# comparison keeps the CPU recipe's for every head.
_base_ = ['../_base_/fashionai_topdown_192x192_cpu.py']

num_keypoints = 24

codec = dict(
    type='SimCCLabel',
    input_size=_base_.input_size,
    sigma=(4.9, 4.9),
    simcc_split_ratio=2.0,
    normalize=False,
    use_dark=False)

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
        type='RTMCCHead',
        in_channels=1280,
        out_channels=num_keypoints,
        input_size=codec['input_size'],
        in_featuremap_size=tuple([s // 32 for s in codec['input_size']]),
        simcc_split_ratio=codec['simcc_split_ratio'],
        final_layer_kernel_size=7,
        gau_cfg=dict(
            hidden_dims=256,
            s=128,
            expansion_factor=2,
            dropout_rate=0.,
            drop_path=0.,
            act_fn='SiLU',
            use_rel_bias=False,
            pos_enc=False),
        loss=dict(
            type='KLDiscretLoss',
            use_target_weight=True,
            beta=10.,
            label_softmax=True),
        decoder=codec),
    test_cfg=dict(flip_test=True))

train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=_base_.input_size),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
