# SimpleBaseline (MMPose's stock deconvolution HeatmapHead) on ImageNet-
# initialised EfficientNet-Lite0: the same backbone, weights, data and
# fine-tuning schedule as
# ../cpn/td-hm_cpn-efficientnet-lite0_8xb32-50e_fashionai-384x384.py.
_base_ = ['./td-hm_res50_8xb32-50e_fashionai-384x384.py']

model = dict(
    data_preprocessor=dict(mean=[127.0] * 3, std=[128.0] * 3),
    backbone=dict(
        _delete_=True,
        type='EfficientNetLite',
        arch='lite0',
        out_indices=(4, ),  # stride 32, after the 1280-channel head conv
        init_cfg=dict(
            type='Pretrained', checkpoint='efficientnet-lite://lite0')),
    head=dict(in_channels=1280))

# the CPN-EfficientNet-Lite configs' fine-tuning schedule
optim_wrapper = dict(
    _delete_=True, optimizer=dict(type='Adam', lr=5e-4, weight_decay=0.))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=1e-3,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=50, eta_min=5e-6,
         by_epoch=True)
]
