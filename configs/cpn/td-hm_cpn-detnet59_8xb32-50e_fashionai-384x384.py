# CPN on DetNet-59 (the paper's DetNet backbone): ResNet-50 stages 1-4, then
# two dilated stages at stride 16. GlobalNet takes C2, C3, C4 and C6.
# torchvision's ResNet-50 weights initialise the stem and stages 2-4; the
# DetNet stages start from Kaiming init (no public ImageNet DetNet weights).
_base_ = ['./td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='DetNet',
        depth=59,
        out_indices=(0, 1, 2, 4),
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    head=dict(in_channels=(256, 512, 1024, 1024)))
