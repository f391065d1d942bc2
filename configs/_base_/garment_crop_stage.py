# The garment-crop stage's settings, shared by the configs that train and
# test it (../cpn/*-crop_*.py): half of the training samples take the box
# around the garment's keypoints with a random margin around the test
# box's (RandomKeypointBBox); testing (model.test_cfg.crop_stage) runs the
# whole image, then the box around the first pass's keypoints, both
# resampled to the network's input from a canvas at FashionAI's longest
# side (a small garment is seen at up to full resolution in the second
# pass).
crop_margin = 0.25  # the test box's margin; training draws around it
canvas_size = (512, 512)
crop_bbox = dict(type='RandomKeypointBBox', prob=0.5,
                 margin=(crop_margin - 0.15, crop_margin + 0.15))
crop_test = dict(margin=crop_margin)
# --tta (CropStageTTAModel): the second pass on boxes at three margins
# within the training range, averaged (with the first pass where the
# config's crop stage fuses it); the pipeline gives the one canvas view
crop_tta_model = dict(type='CropStageTTAModel',
                      margin=(crop_margin - 0.1, crop_margin,
                              crop_margin + 0.1))
# the test pipeline's last steps: the whole image onto the canvas, packed
crop_canvas_steps = [
    dict(type='TopdownAffine', input_size=canvas_size),
    dict(type='PackPoseInputs')
]
crop_tta_views = [[step] for step in crop_canvas_steps]
