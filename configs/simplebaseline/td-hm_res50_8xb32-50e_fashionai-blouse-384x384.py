# SimpleBaseline-ResNet-50 for blouse only (13 keypoints): one model per garment category,
# as the paper trains them. Keypoints, flip pairs and skeleton come from the
# FashionAI schema through FashionAIDataset(category='blouse').
_base_ = ['./td-hm_res50_8xb32-50e_fashionai-384x384.py']

category = 'blouse'
model = dict(head=dict(out_channels=13))
train_dataloader = dict(dataset=dict(category=category))
val_dataloader = dict(dataset=dict(category=category))
test_dataloader = val_dataloader
