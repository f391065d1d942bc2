# SimpleBaseline-ResNet-50 for dress only: one model per garment category, as
# the paper trains them. Keypoints, flip pairs and skeleton come from the
# FashionAI schema through FashionAIDataset(category='dress'), the number of
# keypoints from the generated configs/_base_/datasets/fashionai.py.
_base_ = [
    './td-hm_res50_8xb32-50e_fashionai-384x384.py',
    '../_base_/datasets/fashionai.py'
]

category = 'dress'
num_keypoints = _base_.category_num_keypoints[category]
model = dict(head=dict(out_channels=num_keypoints))
train_dataloader = dict(dataset=dict(category=category))
val_dataloader = dict(dataset=dict(category=category))
test_dataloader = val_dataloader
