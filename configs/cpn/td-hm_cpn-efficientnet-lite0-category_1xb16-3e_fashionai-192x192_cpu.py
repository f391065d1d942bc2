# The garment category for the CPU recipe's CPN-EfficientNet-Lite0, learned
# in three cheap epochs on top of a trained keypoint checkpoint, so that
# tools/infer.py, mmpose_cloth.apis and MMPoseInferencer need no category:
# GarmentPoseEstimator with a GarmentCategoryHead. The keypoint model
# (backbone + CPN head) is loaded from `load_from` and frozen (no gradients,
# BatchNorm in eval mode, no keypoint loss, so no heatmap targets either): its
# keypoints are exactly those of the checkpoint. The head runs its own
# ImageNet-initialised copy of EfficientNet-Lite0's last level
# (EfficientNetLiteTail, blocks 5-6 + the 1280-channel conv) on the frozen
# backbone's stride-16 features, then global average pooling, dropout and a
# linear layer to the 5 categories (cross-entropy); only the head trains
# (about 80 s an epoch on the 2 CPU cores).
#
#   python tools/train.py configs/cpn/td-hm_cpn-efficientnet-lite0-category_1xb16-3e_fashionai-192x192_cpu.py \
#       --cfg-options load_from=KEYPOINT_CHECKPOINT
#
# (by default load_from is the keypoint recipe's last checkpoint in its
# default work dir). Validation reports the FashionAI NE (unchanged) and the
# category accuracy (GarmentCategoryMetric); the best checkpoint is kept by
# category accuracy. On the real val split: 82.5% (docs/results.md).
#
# Joint training from the start instead (backbone shared by both losses):
# the keypoint recipe itself with
#   model = dict(type='GarmentPoseEstimator',
#                category_head=dict(type='GarmentCategoryHead',
#                                   in_channels=1280, loss_weight=1.0))
# and its own training pipeline (with GenerateTarget); the loss is then the
# CPN losses plus loss_category.
_base_ = ['./td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-192x192_cpu.py']

max_epochs = 3

model = dict(
    type='GarmentPoseEstimator',
    freeze_keypoint_model=True,
    category_head=dict(
        type='GarmentCategoryHead',
        # the backbone's stride-16 level (112 channels) through a copy of
        # EfficientNet-Lite0's last level of its own, ImageNet-initialised
        # (the frozen keypoint features at stride 32 pool into poor
        # category evidence: 80% for a linear probe)
        in_index=2,
        branch=dict(
            type='EfficientNetLiteTail',
            arch='lite0',
            start_level=4,
            init_cfg=dict(
                type='Pretrained', checkpoint='efficientnet-lite://lite0')),
        in_channels=1280,
        dropout=0.2,
        loss_weight=1.0))
load_from = ('work_dirs/td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-'
             '192x192_cpu/epoch_8.pth')

# the augmentation of the keypoint recipe; no heatmap targets (no keypoint
# loss while the keypoint model is frozen)
train_pipeline = _base_.train_augment + [
    dict(type='TopdownAffine', input_size=_base_.input_size),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# a short warm-up, then cosine decay over the epochs
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=20, start_factor=1e-2,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_epochs, eta_min=1e-5,
         by_epoch=True, convert_to_iter_based=True)
]

val_evaluator = [
    dict(type='FashionAIMetric'),
    dict(type='GarmentCategoryMetric')
]
test_evaluator = val_evaluator
default_hooks = dict(
    checkpoint=dict(save_best='category/accuracy', rule='greater'))
