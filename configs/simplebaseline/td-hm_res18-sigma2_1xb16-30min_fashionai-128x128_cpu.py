# Ablation of the SimpleBaseline CPU recipe: Gaussian targets with sigma 2
# instead of 1 on the 32x32 heatmaps (MMPose's SimpleBaseline default is
# sigma 2 at 64x48). Everything else as
# configs/simplebaseline/td-hm_res18_1xb16-30min_fashionai-128x128_cpu.py:
# it tests whether sparse sigma-1 targets explain why SimpleBaseline-R18
# learns so much slower than CPN-R18 from scratch at 128x128.
_base_ = ['./td-hm_res18_1xb16-30min_fashionai-128x128_cpu.py']

codec = dict(
    type='MSRAHeatmap', input_size=(128, 128), heatmap_size=(32, 32),
    sigma=2)

model = dict(head=dict(decoder=codec))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='RandomFlip', direction='horizontal'),
    dict(
        type='RandomBBoxTransform',
        shift_factor=0.05,
        scale_factor=(0.8, 1.2),
        rotate_factor=30),
    dict(type='TopdownAffine', input_size=(128, 128)),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
