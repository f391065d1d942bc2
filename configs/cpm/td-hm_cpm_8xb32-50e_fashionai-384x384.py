# Convolutional Pose Machines (6 stages), the paper's CPM baseline, on the
# same FashionAI data and schedule as CPN. CPM works at stride 8, so its
# heatmaps are 48x48.
_base_ = ['../simplebaseline/td-hm_res50_8xb32-50e_fashionai-384x384.py']

num_keypoints = 24

# codec settings
codec = dict(
    type='MSRAHeatmap', input_size=(384, 384), heatmap_size=(48, 48), sigma=2)

model = dict(
    backbone=dict(
        _delete_=True,
        type='CPM',
        in_channels=3,
        out_channels=num_keypoints,
        feat_channels=128,
        num_stages=6),
    head=dict(
        _delete_=True,
        type='CPMHead',
        in_channels=num_keypoints,
        out_channels=num_keypoints,
        num_stages=6,
        deconv_out_channels=None,
        final_layer=None,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec))

# pipelines
train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=_base_.input_size),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
