# Ablation of the SimpleBaseline CPU recipe: Gaussian targets with sigma 2
# instead of 1 on the 32x32 heatmaps (MMPose's SimpleBaseline default is
# sigma 2 at 64x48). Everything else as
# configs/simplebaseline/td-hm_res18_1xb16-30min_fashionai-128x128_cpu.py:
# it tests whether sparse sigma-1 targets explain why SimpleBaseline-R18
# learns so much slower than CPN-R18 from scratch at 128x128.
_base_ = ['./td-hm_res18_1xb16-30min_fashionai-128x128_cpu.py']

codec = dict(_base_.codec, sigma=2)

model = dict(head=dict(decoder=codec))

train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=_base_.input_size),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
