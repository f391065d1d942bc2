# Data settings and schedule of the CPU fine-tuning recipes: 192x192 input,
# 8 epochs, batch 16 on one process, made to fine-tune an ImageNet-initialised
# backbone on a few thousand FashionAI images in about 45 minutes on 2 CPU
# cores. Same boxes and augmentation as the 384x384 configs. A config adds
# its codec, model and training pipeline as the 384x384 base says.
#
# Schedule, chosen for a pretrained backbone under a randomly initialised
# head: Adam lr 1e-3 (what learned fastest in the from-scratch CPU recipes),
# a short linear warm-up (200 iterations from lr 1e-6) so that the head's
# first, random gradients do not wreck the pretrained features and BN
# statistics, then cosine decay to 1e-5, which ends the short budget at a low
# learning rate rather than after one step drop.
_base_ = ['./default_runtime.py', './fashionai_topdown_384x384.py']

input_size = (192, 192)
max_epochs = 8

train_cfg = dict(max_epochs=max_epochs, val_interval=2)
optim_wrapper = dict(
    _delete_=True, optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=200, start_factor=1e-3,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_epochs, eta_min=1e-5,
         by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=16)

# the 384x384 base's augmentation and loading; only the crop size differs
val_pipeline = _base_.val_load + [
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='PackPoseInputs')
]
# one loader worker: the other core trains
train_dataloader = dict(batch_size=16, num_workers=1)
val_dataloader = dict(
    batch_size=16, num_workers=1, dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader

default_hooks = dict(
    logger=dict(interval=20), checkpoint=dict(interval=1, max_keep_ckpts=1))
randomness = dict(seed=0)  # --cfg-options randomness.seed=1 for a 2nd seed
env_cfg = dict(dist_cfg=dict(backend='gloo'))
