# Hourglass-52 (one stack), the paper's Hourglass baseline, on the same
# FashionAI data and schedule as CPN (trained from scratch, as in MMPose).
_base_ = ['../simplebaseline/td-hm_res50_8xb32-50e_fashionai-384x384.py']

model = dict(
    backbone=dict(_delete_=True, type='HourglassNet', num_stacks=1),
    head=dict(
        _delete_=True,
        type='CPMHead',
        in_channels=256,
        out_channels=_base_.num_keypoints,
        num_stages=1,
        deconv_out_channels=None,
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=_base_.codec))
