# CPM for dress only (15 keypoints): one model per garment category,
# as the paper trains them. Keypoints, flip pairs and skeleton come from the
# FashionAI schema through FashionAIDataset(category='dress').
_base_ = ['./td-hm_cpm_8xb32-50e_fashionai-384x384.py']

category = 'dress'
model = dict(backbone=dict(out_channels=15),
    head=dict(in_channels=15, out_channels=15))
train_dataloader = dict(dataset=dict(category=category))
val_dataloader = dict(dataset=dict(category=category))
test_dataloader = val_dataloader
