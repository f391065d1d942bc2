# CPN-ResNet-50 with the original CPN recipe (Adam, lr 5e-4, step decay)
# instead of the FashionAI paper's SGD lr 1e-4, for comparison.
_base_ = ['./td-hm_cpn-res50_8xb32-50e_fashionai-384x384.py']

optim_wrapper = dict(
    _delete_=True, optimizer=dict(type='Adam', lr=5e-4, weight_decay=1e-5))
