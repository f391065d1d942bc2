# The model-zoo recipe with the garment-crop stage: stage 2 of
# ./td-hm_cpn-efficientnet-lite0-garment-ft384_1xb16-2e_fashionai-384x384_cpu.py
# (2 epochs at 384x384 with the category head trained alongside) on the
# checkpoint of the 256x256 CPU recipe with both garment levers,
# ./td-hm_cpn-efficientnet-lite0-film-crop_1xb16-8e_fashionai-256x256_cpu.py,
# and trained as that one is: half of the samples cropped to the garment's
# keypoints with a random margin; tested on the whole image (from a 512x512
# canvas, FashionAI's longest side) and then on the box around the first
# pass's keypoints of the given or predicted category.
#
#   python tools/train.py configs/cpn/td-hm_cpn-efficientnet-lite0-film-crop_1xb16-8e_fashionai-256x256_cpu.py
#   python tools/train.py configs/cpn/td-hm_cpn-efficientnet-lite0-garment-crop-ft384_1xb16-2e_fashionai-384x384_cpu.py
_base_ = ['./td-hm_cpn-efficientnet-lite0-garment-ft384_1xb16-2e_fashionai-384x384_cpu.py']

crop_margin = 0.25  # the test box's margin; training draws around it
canvas_size = (512, 512)

model = dict(test_cfg=dict(crop_stage=dict(margin=crop_margin)))
load_from = ('work_dirs/td-hm_cpn-efficientnet-lite0-film-crop_1xb16-8e_'
             'fashionai-256x256_cpu/epoch_8.pth')

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='RandomKeypointBBox', prob=0.5,
         margin=(crop_margin - 0.15, crop_margin + 0.15)),
] + _base_.train_pipeline[1:]
val_pipeline = _base_.val_load + [
    dict(type='TopdownAffine', input_size=canvas_size),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
# the crop stage gives no heatmaps on a common grid to average over views
tta_model = None
tta_pipeline = None
