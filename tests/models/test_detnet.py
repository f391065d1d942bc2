import mmpose_cloth  # noqa: F401

from unittest import TestCase

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

import mmpose_cloth.models  # noqa: F401  (registers DetNet / CPNHead)
from mmpose.models.backbones import ResNet
from mmpose.registry import MODELS
from mmpose_cloth.models.backbones import DetNet


def _num_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _bottleneck_params(in_ch: int, width: int, out_ch: int,
                       projection: bool) -> int:
    """Parameters of a (dilated or strided) bottleneck by hand: convs
    without bias (1x1 ``in*w``, 3x3 ``9*w*w``, 1x1 ``w*out``), BN ``2*c``,
    and a 1x1 conv + BN projection shortcut."""
    params = in_ch * width + 9 * width * width + width * out_ch
    params += 2 * (width + width + out_ch)
    if projection:
        params += in_ch * out_ch + 2 * out_ch
    return params


def _stage_params(in_ch: int, width: int, out_ch: int, blocks: int) -> int:
    """A stage: one bottleneck with a projection shortcut, then
    ``blocks - 1`` with an identity shortcut."""
    return (_bottleneck_params(in_ch, width, out_ch, True) +
            (blocks - 1) * _bottleneck_params(out_ch, width, out_ch, False))


def _bottleneck_macs(in_ch: int, width: int, out_ch: int, projection: bool,
                     in_hw: int, out_hw: int) -> int:
    """Multiply-adds of a bottleneck's convolutions by hand (pytorch style:
    the stride is on the 3x3 conv, so ``conv1`` runs at the input size
    ``in_hw`` pixels, the rest at the output size ``out_hw``)."""
    macs = in_ch * width * in_hw
    macs += (9 * width * width + width * out_ch) * out_hw
    if projection:
        macs += in_ch * out_ch * out_hw
    return macs


class _Classifier(nn.Module):
    """ImageNet classifier on the last level: global pooling + FC."""

    def __init__(self, backbone: nn.Module, channels: int):
        super().__init__()
        self.backbone = backbone
        self.fc = nn.Linear(channels, 1000)

    def forward(self, x):
        return self.fc(self.backbone(x)[-1].mean(dim=(2, 3)))


class TestDetNet(TestCase):

    def setUp(self):
        torch.manual_seed(0)

    def test_output_shapes(self):
        model = DetNet(out_indices=(0, 1, 2, 3, 4))
        self.assertIs(model.eval(), model)
        with torch.no_grad():
            outs = model(torch.rand(1, 3, 64, 64))
        # strides 4, 8, 16, 16, 16 and channels 256, 512, 1024 (ResNet-50
        # res2-res4), 1024, 1024 (extra_channels, the default)
        self.assertEqual([tuple(o.shape) for o in outs], [
            (1, 256, 16, 16),
            (1, 512, 8, 8),
            (1, 1024, 4, 4),
            (1, 1024, 4, 4),
            (1, 1024, 4, 4),
        ])
        # the 256-channel variant, a subset of levels, via the registry
        model = MODELS.build(
            dict(
                type='DetNet',
                extra_channels=256,
                extra_expansion=1,
                out_indices=(0, 2, 4)))
        model.eval()
        with torch.no_grad():
            outs = model(torch.rand(1, 3, 64, 48))
        self.assertEqual([tuple(o.shape) for o in outs], [(1, 256, 16, 12),
                                                          (1, 1024, 4, 3),
                                                          (1, 256, 4, 3)])

    def test_structure(self):
        model = DetNet()
        self.assertEqual(model.res_layers,
                         ['layer1', 'layer2', 'layer3', 'layer4', 'layer5'])
        # DetNet-59 as the paper describes it: res2-res4 of ResNet-50 (3, 4,
        # 6 blocks), then two stages of 3 dilated bottlenecks of width 256
        self.assertEqual(model.stage_blocks, (3, 4, 6, 3, 3))
        for name in ('layer4', 'layer5'):
            layer = getattr(model, name)
            self.assertEqual(len(layer), 3)
            for i, block in enumerate(layer):
                self.assertEqual(block.conv2.dilation, (2, 2))
                self.assertEqual(block.conv2.padding, (2, 2))
                self.assertEqual(block.conv2.stride, (1, 1))
                self.assertEqual(block.mid_channels, 256)
                self.assertEqual(block.out_channels, 1024)
                # block B (projection shortcut) first, then blocks A
                self.assertEqual(block.downsample is not None, i == 0)
        # the paper's count: 19 bottlenecks x 3 convs + stem + classifier
        # = 59 layers (the "59" of DetNet-59)
        num_convs = sum(
            isinstance(m, nn.Conv2d) and 'downsample' not in name
            for name, m in model.named_modules())
        self.assertEqual(num_convs + 1, 59)

    def test_param_count_cheap(self):
        """DetNet-59 = ResNet-50 stages 1-4 + two dilated stages. The paper
        publishes no parameter count, so check it layer by layer. Builds the
        model only: no forward."""
        # stem (7x7 conv 3 -> 64 + BN) and res2-res4 (3, 4, 6 bottlenecks)
        stages_1_4 = (7 * 7 * 3 * 64 + 2 * 64 + _stage_params(64, 64, 256, 3)
                      + _stage_params(256, 128, 512, 4) +
                      _stage_params(512, 256, 1024, 6))
        # the hand count reproduces torchvision's published ResNet-50 size
        # (25,557,032 parameters, ResNet50_Weights.IMAGENET1K_V1) with res5
        # and the 2048 -> 1000 classifier added
        self.assertEqual(
            stages_1_4 + _stage_params(1024, 512, 2048, 3) + 2048 * 1000 +
            1000, 25_557_032)
        resnet50 = ResNet(depth=50)
        self.assertEqual(
            _num_params(resnet50) - _num_params(resnet50.layer4), stages_1_4)

        model = DetNet()
        self.assertEqual(
            _num_params(model), stages_1_4 + _stage_params(1024, 256, 1024, 3)
            + _stage_params(1024, 256, 1024, 3))
        model = DetNet(extra_channels=256, extra_expansion=1)
        self.assertEqual(
            _num_params(model), stages_1_4 + _stage_params(1024, 256, 256, 3)
            + _stage_params(256, 256, 256, 3))

    def test_flops_vs_paper(self):
        """The paper: ImageNet DetNet-59 costs 4.8 GFLOPs, ResNet-50 3.8
        (224x224). FLOP conventions differ between counters, so compare the
        ratio, measured with MMEngine's counter (one multiply-add counts
        one) as MMPose's get_flops does. Counted at 128x128 (both nets are
        fully convolutional up to the pooling, strides divide 128) and
        scaled to 224x224 to keep it quick.
        """
        from mmengine.analysis import get_model_complexity_info

        def gflops_224(model):
            model.eval()
            info = get_model_complexity_info(
                model, (3, 128, 128), show_table=False, show_arch=False)
            return info['flops'] / 1e9 * (224 / 128)**2

        detnet = gflops_224(_Classifier(DetNet(), 1024))
        resnet = gflops_224(_Classifier(ResNet(depth=50), 2048))
        # torchvision publishes 4.09 GFLOPS (multiply-adds) for ResNet-50
        # at 224x224 (ResNet50_Weights.IMAGENET1K_V1); the counter adds a
        # little for BN / ReLU / pooling
        self.assertAlmostEqual(resnet, 4.09, delta=0.05)
        # DetNet-59 by hand from that figure: res5 (3 bottlenecks, 14x14 ->
        # 7x7) out, two dilated stages at stride 16 (14x14) in, FC
        # 1024 -> 1000 instead of 2048 -> 1000
        res5 = (_bottleneck_macs(1024, 512, 2048, True, 196, 49) +
                2 * _bottleneck_macs(2048, 512, 2048, False, 49, 49))
        dilated = 2 * (_bottleneck_macs(1024, 256, 1024, True, 196, 196) +
                       2 * _bottleneck_macs(1024, 256, 1024, False, 196, 196))
        by_hand = 4.09 + (dilated - res5 - 1024 * 1000) / 1e9
        self.assertAlmostEqual(detnet, by_hand, delta=0.05)
        self.assertAlmostEqual(detnet / resnet / (4.8 / 3.8), 1., delta=0.05)

    def test_errors(self):
        with self.assertRaises(KeyError):
            DetNet(depth=50)
        with self.assertRaisesRegex(ValueError, 'out_indices'):
            DetNet(out_indices=(5, ))
        with self.assertRaisesRegex(ValueError, 'frozen_stages'):
            DetNet(frozen_stages=6)
        with self.assertRaisesRegex(ValueError, 'multiple'):
            DetNet(extra_channels=1000, extra_expansion=3)

    def test_frozen_stages(self):
        model = DetNet(frozen_stages=5)
        model.train()
        for param in model.parameters():
            self.assertFalse(param.requires_grad)
        for m in model.layer5.modules():
            if isinstance(m, _BatchNorm):
                self.assertFalse(m.training)
        model = DetNet(frozen_stages=3)
        model.train()
        self.assertFalse(model.layer3[0].conv1.weight.requires_grad)
        self.assertTrue(model.layer4[0].conv1.weight.requires_grad)
        self.assertTrue(model.layer4.training)

    def test_init_from_resnet50_checkpoint(self):
        """A ResNet-50 checkpoint (torchvision layout, as
        ``torchvision://resnet50``) initialises stages 1-4; the dilated
        stages keep their own init (last BN of each block zeroed)."""
        import tempfile

        import torchvision

        state_dict = torchvision.models.resnet50().state_dict()
        with tempfile.TemporaryDirectory() as tmp:
            path = f'{tmp}/resnet50.pth'
            torch.save(state_dict, path)
            model = DetNet(
                init_cfg=dict(type='Pretrained', checkpoint=path))
            model.init_weights()
        torch.testing.assert_close(model.conv1.weight,
                                   state_dict['conv1.weight'])
        torch.testing.assert_close(model.layer3[5].conv3.weight,
                                   state_dict['layer3.5.conv3.weight'])
        for layer in (model.layer4, model.layer5):
            for block in layer:
                self.assertEqual(block.norm3.weight.abs().sum().item(), 0.)
                self.assertTrue(torch.all(block.norm1.weight == 1))

    def test_cpn_on_detnet(self):
        """CPN on DetNet C2, C3, C4, C6 (strides 4, 8, 16, 16): the top-down
        pathway resizes C6 to C4's equal size."""
        model = MODELS.build(
            dict(
                type='TopdownPoseEstimator',
                backbone=dict(type='DetNet', out_indices=(0, 1, 2, 4)),
                head=dict(
                    type='CPNHead',
                    in_channels=(256, 512, 1024, 1024),
                    out_channels=4,
                    unit_channels=32))).eval()
        with torch.no_grad():
            outs = model(torch.rand(1, 3, 64, 64), None, mode='tensor')
        self.assertEqual([tuple(o.shape) for o in outs], [(1, 4, 16, 16)] * 5)
