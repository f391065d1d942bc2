# The CPU recipe for SimpleBaseline on ResNet-18 from scratch at 128x128:
# the same data, input size, backbone depth and schedule as
# configs/cpn/td-hm_cpn-res18_1xb16-30min_fashionai-128x128_cpu.py.
_base_ = ['./td-hm_res50_8xb32-50e_fashionai-384x384.py']

input_size = (128, 128)
max_epochs = 8
codec = dict(
    type='MSRAHeatmap', input_size=input_size, heatmap_size=(32, 32),
    sigma=1)

model = dict(
    backbone=dict(depth=18, init_cfg=None),
    head=dict(in_channels=512, decoder=codec))

train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    _delete_=True, optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-5))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=100, start_factor=0.01,
         by_epoch=False),
    dict(type='MultiStepLR', begin=0, end=max_epochs, milestones=[7],
         gamma=0.1, by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=16)

train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = _base_.val_load + [
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=1, dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
