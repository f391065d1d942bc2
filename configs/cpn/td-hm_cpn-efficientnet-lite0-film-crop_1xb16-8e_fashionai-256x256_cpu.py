# The two garment levers together on the 256x256 CPU recipe: the keypoints
# conditioned on the garment category (CategoryFiLM, as in
# ./td-hm_cpn-efficientnet-lite0-film_1xb16-8e_fashionai-256x256_cpu.py) and
# the garment-crop second stage trained on keypoint boxes (everything of
# ./td-hm_cpn-efficientnet-lite0-crop_1xb16-8e_fashionai-256x256_cpu.py:
# half of the training samples cropped to the garment with a random margin,
# testing on the whole image and then on the box around its keypoints).
_base_ = ['./td-hm_cpn-efficientnet-lite0-crop_1xb16-8e_fashionai-256x256_cpu.py']

model = dict(
    category_condition=dict(
        type='CategoryFiLM', in_channels=_base_.model.head.in_channels))
