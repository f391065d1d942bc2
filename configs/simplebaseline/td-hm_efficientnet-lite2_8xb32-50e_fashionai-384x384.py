# SimpleBaseline on ImageNet-initialised EfficientNet-Lite2, otherwise as the
# Lite0 config.
_base_ = ['./td-hm_efficientnet-lite0_8xb32-50e_fashionai-384x384.py']

model = dict(
    backbone=dict(
        arch='lite2',
        init_cfg=dict(checkpoint='efficientnet-lite://lite2')))
