# HRNet-W32 for trousers only (7 keypoints): one model per garment category,
# as the paper trains them. Keypoints, flip pairs and skeleton come from the
# FashionAI schema through FashionAIDataset(category='trousers').
_base_ = ['./td-hm_hrnet-w32_8xb32-50e_fashionai-384x384.py']

category = 'trousers'
model = dict(head=dict(out_channels=7))
train_dataloader = dict(dataset=dict(category=category))
val_dataloader = dict(dataset=dict(category=category))
test_dataloader = val_dataloader
