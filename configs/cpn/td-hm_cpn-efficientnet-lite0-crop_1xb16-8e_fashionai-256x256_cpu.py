# The 256x256 CPU recipe (./td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-
# 256x256_cpu.py) with a garment-crop second stage, made by the same model:
#   * training: half of the samples take the box around the garment's
#     keypoints with a random margin (RandomKeypointBBox) instead of the
#     whole image, jittered by RandomBBoxTransform as before;
#   * testing (model.test_cfg.crop_stage): the whole image first, then the
#     box around the first pass's keypoints of the garment's category with
#     a margin of 0.25, both resampled to 256x256 from a 512x512 canvas (the
#     whole image at FashionAI's longest side: a small garment is seen at up
#     to full resolution in the second pass).
_base_ = [
    './td-hm_cpn-efficientnet-lite0_1xb16-8e_fashionai-256x256_cpu.py',
    '../_base_/garment_crop_stage.py'
]

model = dict(
    type='GarmentPoseEstimator', test_cfg=dict(crop_stage=_base_.crop_test))

train_pipeline = [dict(type='LoadImage'), _base_.crop_bbox
                  ] + _base_.train_pipeline[1:]
val_pipeline = _base_.val_load + _base_.crop_canvas_steps
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
tta_model = _base_.crop_tta_model
tta_pipeline = _base_.val_load + [
    dict(type='TestTimeAug', transforms=_base_.crop_tta_views)
]
