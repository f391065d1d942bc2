# Integral regression with DSNT (DSNTHead: SimpleBaseline's deconvolutions to
# stride-4 heatmaps, a softmax, the coordinates as their expectation,
# trained on the coordinates and on the heatmaps' Jensen-Shannon divergence
# to a Gaussian) on the CPU recipe's ImageNet EfficientNet-Lite0: the same
# backbone, weights, data, augmentation, input size, schedule and seed as
# ../simplebaseline/td-hm_efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py
# and ../cpn/td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py,
# so only the head and its codec differ (docs/benchmarks.md, "Heads").
#
# Head, loss, codec and flip test from MMPose 1.3.2's
# configs/body_2d_keypoint/integral_regression/coco/
# ipr_res50_dsnt-8xb64-210e_coco-256x256.py (DSNT: 67.4 AP there, plain
# integral regression with an MSE heatmap loss 63.3): DSNTHead with its
# three 256-channel 4x4 deconvolutions on the stride-32 level (the heatmaps
# at stride 4, in_featuremap_size the input over 32), MultipleLossWrapper
# of SmoothL1Loss and JSDiscretLoss (both use_target_weight=True),
# IntegralRegressionLabel(sigma=2.0, normalize=True) with heatmaps a
# quarter of the input (64x64 for 256x256 there, 48x48 here; sigma 2 at
# stride 4 as SimpleBaseline's), test_cfg flip_test=True,
# shift_coords=True, shift_heatmap=True. in_channels is Lite0's 1280.
# Not taken: MMPose's initialisation of the whole model from a COCO-trained
# SimpleBaseline, its Adam 5e-4 / 210-epoch schedule and RandomHalfBody:
# the head comparison keeps the CPU recipe's ImageNet weights and schedule.
_base_ = ['../_base_/fashionai_topdown_192x192_cpu.py']

num_keypoints = 24

codec = dict(
    type='IntegralRegressionLabel',
    input_size=_base_.input_size,
    heatmap_size=(48, 48),
    sigma=2.0,
    normalize=True)

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
        type='DSNTHead',
        in_channels=1280,
        in_featuremap_size=tuple([s // 32 for s in codec['input_size']]),
        num_joints=num_keypoints,
        loss=dict(
            type='MultipleLossWrapper',
            losses=[
                dict(type='SmoothL1Loss', use_target_weight=True),
                dict(type='JSDiscretLoss', use_target_weight=True)
            ]),
        decoder=codec),
    test_cfg=dict(flip_test=True, shift_coords=True, shift_heatmap=True))

train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=_base_.input_size),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
