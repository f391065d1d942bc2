# Data settings and the paper's schedule shared by every FashionAI 384x384
# config, so that CPN and the baselines are compared on the same data:
# whole-image boxes, flip + rotation augmentation ("Clothes Keypoints Detection
# with Cascaded Pyramid Network": SGD lr 1e-4, momentum 0.9, weight decay
# 1e-5, 50 epochs). A config adds its model, its codec, and the steps that
# depend on its input size:
#     train_pipeline = _base_.train_augment + [
#         dict(type='TopdownAffine', input_size=input_size),
#         dict(type='GenerateTarget', encoder=codec), dict(type='PackPoseInputs')]
#     train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
# and, at another input size than 384x384, its own validation pipeline:
#     val_pipeline = _base_.val_load + [
#         dict(type='TopdownAffine', input_size=input_size),
#         dict(type='PackPoseInputs')]
#     val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
#     test_dataloader = val_dataloader
#
# Data layout (tools/dataset_converters/fashionai2coco.py writes the JSONs):
#     data/fashionai/train/Images/<category>/*.jpg
#     data/fashionai/annotations/{train,val}.json
input_size = (384, 384)

# runtime
train_cfg = dict(by_epoch=True, max_epochs=50, val_interval=5)

# optimizer (the paper's recipe)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=1e-4, momentum=0.9, weight_decay=1e-5))

# learning policy
param_scheduler = [
    dict(
        type='LinearLR', begin=0, end=500, start_factor=0.001,
        by_epoch=False),  # warm-up
    dict(
        type='MultiStepLR',
        begin=0,
        end=50,
        milestones=[40, 47],
        gamma=0.1,
        by_epoch=True)
]

# automatically scaling LR based on the actual training batch size
auto_scale_lr = dict(base_batch_size=256)

# base dataset settings
dataset_type = 'FashionAIDataset'
data_mode = 'topdown'
data_root = 'data/fashionai/'

# pipelines, the steps that do not depend on the input size (every config
# at every size shares them): boxes are whole images, so no padding around
# them; flip, shift, scale and rotation augmentation in training
val_load = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
]
train_augment = val_load + [
    dict(type='RandomFlip', direction='horizontal'),
    dict(
        type='RandomBBoxTransform',
        shift_factor=0.05,
        scale_factor=(0.8, 1.2),
        rotate_factor=30),
]
val_pipeline = val_load + [
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='PackPoseInputs')
]

# data loaders (category=None: one model for all five garment categories
# and all 24 keypoints; set it to e.g. 'skirt' for one category)
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        category=None,
        ann_file='annotations/train.json',
        data_prefix=dict(img='train/'),
        pipeline=[],
    ))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        category=None,
        ann_file='annotations/val.json',
        data_prefix=dict(img='train/'),
        test_mode=True,
        pipeline=val_pipeline,
    ))
test_dataloader = val_dataloader

# evaluators: FashionAI normalized error (checkpoint save_best='fashionai/NE')
val_evaluator = dict(type='FashionAIMetric')
test_evaluator = val_evaluator
