# A CPU recipe: CPN on ResNet-18 from scratch at 128x128 that learns the
# FashionAI data in about half an hour on 2 CPU cores (no pretrained weights
# can be assumed). Adam with a short warm-up and step decay converges faster
# from scratch than the paper's SGD lr 1e-4. Compare with
# configs/simplebaseline/td-hm_res18_1xb16-30min_fashionai-128x128_cpu.py,
# which has the same data, input size, backbone depth and schedule.
_base_ = ['./td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py']

input_size = (128, 128)
max_epochs = 8
kernel_sizes = [9, 7, 5, 3]  # coarse -> fine, at 32x32 heatmaps
codec = [
    dict(
        type='SeparableMegviiHeatmap',
        input_size=input_size,
        heatmap_size=(32, 32),
        kernel_size=k) for k in kernel_sizes
]

model = dict(
    backbone=dict(depth=18, init_cfg=None),
    head=dict(
        in_channels=(64, 128, 256, 512), unit_channels=128,
        decoder=codec[-1]))

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
    dict(type='GenerateTarget', multilevel=True, encoder=codec),
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
