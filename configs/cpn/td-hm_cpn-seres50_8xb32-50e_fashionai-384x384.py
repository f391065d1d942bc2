# CPN on SE-ResNet-50 (the paper's SE-ResNet-50 backbone).
_base_ = ['./td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='SEResNet',
        depth=50,
        out_indices=(0, 1, 2, 3),
        init_cfg=dict(type='Pretrained', checkpoint='mmcls://se-resnet50')))
