# The CPN-EfficientNet-Lite0 CPU recipe without ImageNet init (timm's random
# initialisation), everything else the same: what the pretrained weights are
# worth.
_base_ = ['./td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py']

model = dict(backbone=dict(init_cfg=None))
