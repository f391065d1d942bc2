# The 256x256 CPU recipe (./td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-
# 256x256_cpu.py) with the keypoint head told which garment to look at:
# every backbone level is modulated by the garment category (CategoryFiLM,
# a scale and a shift per category and channel, starting as the identity)
# before GlobalNet. Training conditions on the label; testing on the given
# category (test_cfg.category_source='given'; the zoo model's category head
# gives it where no category is given). Everything else is the recipe's.
_base_ = ['./td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-256x256_cpu.py']

model = dict(
    type='GarmentPoseEstimator',
    category_condition=dict(
        type='CategoryFiLM', in_channels=_base_.model.head.in_channels))
