# The model-zoo recipe ('garment': category-conditioned keypoints and a
# category head), stage 1 (256x256, 8 epochs): the 256x256 CPU recipe
# with the keypoint head conditioned on the garment category (CategoryFiLM,
# ./td-hm_cpn-efficientnet-lite0-film_1xb16-8e_fashionai-256x256_cpu.py)
# and a garment-category head trained jointly from the first iteration, so
# that one model predicts the category and the keypoints of a photo that
# comes without one. The category head is the one of
# ./td-hm_cpn-efficientnet-lite0-category-joint_1xb16-3e_fashionai-256x256_cpu.py
# (its own ImageNet-initialised copy of Lite0's last stage on the stride-16
# level). Validation conditions on the given category (NE) and also reports
# NE with the predicted one (NE_predicted_category) and the category
# accuracy; the best checkpoint is kept by NE. Stage 2 fine-tunes it at
# 384x384: ./td-hm_cpn-efficientnet-lite0-garment-ft384_1xb16-3e_fashionai-384x384_cpu.py
_base_ = ['./td-hm_cpn-efficientnet-lite0-film_1xb16-8e_fashionai-256x256_cpu.py']

model = dict(
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

val_evaluator = [
    dict(type='FashionAIMetric'),
    dict(type='GarmentCategoryMetric')
]
test_evaluator = val_evaluator
