# ./td-hm_efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py at 256x256
# input and 64x64 heatmaps: the same backbone, weights, data, input size and
# schedule as ../cpn/td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-256x256_cpu.py.
_base_ = ['./td-hm_efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py']

input_size = (256, 256)
heatmap_size = (64, 64)

codec = dict(_base_.codec, input_size=input_size, heatmap_size=heatmap_size)

model = dict(head=dict(decoder=dict(codec, unbiased=True)))

train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = _base_.val_load + [
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader

# NHWC: the same function, 1.4-1.6x faster training steps on CPU for the
# depthwise convolutions of EfficientNet-Lite (measured before choosing it)
custom_hooks = _base_.custom_hooks + [dict(type='ChannelsLastHook')]
