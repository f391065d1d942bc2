# The model-zoo recipe, stage 2: stage 1 (./td-hm_cpn-efficientnet-lite0-
# garment_1xb16-8e_fashionai-256x256_cpu.py, 8 epochs at 256x256)
# fine-tuned for 3 epochs at 384x384 as
# ./td-hm_cpn-efficientnet-lite0-ft384_1xb16-3e_fashionai-384x384_cpu.py
# fine-tunes the plain recipe (progressive resizing). The shipped
# category-free model.
#
#   python tools/train.py configs/cpn/td-hm_cpn-efficientnet-lite0-garment_1xb16-8e_fashionai-256x256_cpu.py
#   python tools/train.py configs/cpn/td-hm_cpn-efficientnet-lite0-garment-ft384_1xb16-3e_fashionai-384x384_cpu.py
_base_ = ['./td-hm_cpn-efficientnet-lite0-ft384_1xb16-3e_fashionai-384x384_cpu.py']

model = dict(
    type='GarmentPoseEstimator',
    category_condition=dict(
        type='CategoryFiLM', in_channels=_base_.model.head.in_channels),
    category_head=dict(
        type='GarmentCategoryHead',
        in_index=2,
        branch=dict(type='EfficientNetLiteTail', arch='lite0',
                    start_level=4),
        in_channels=1280,
        dropout=0.2,
        loss_weight=10.0))
load_from = ('work_dirs/td-hm_cpn-efficientnet-lite0-garment_1xb16-8e_'
             'fashionai-256x256_cpu/epoch_8.pth')

val_evaluator = [
    dict(type='FashionAIMetric'),
    dict(type='GarmentCategoryMetric')
]
test_evaluator = val_evaluator
