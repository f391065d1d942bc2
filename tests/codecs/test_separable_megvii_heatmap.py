"""SeparableMegviiHeatmap gives MMPose's MegviiHeatmap targets (to float32
rounding) with the same keypoint weights, and is what the CPN configs use."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

import mmpose_cloth  # noqa: F401
from mmpose.codecs import MegviiHeatmap
from mmpose.registry import KEYPOINT_CODECS
from mmpose_cloth.codecs import SeparableMegviiHeatmap
from conftest import REPO


@pytest.mark.parametrize('kernel_size', [3, 5, 7, 9, 13, 17, 23])
@pytest.mark.parametrize('heatmap_size', [(96, 96), (48, 64), (24, 24)])
def test_same_targets_as_megvii_heatmap(kernel_size, heatmap_size):
    w, h = heatmap_size
    input_size = (w * 4, h * 4)
    ref = MegviiHeatmap(input_size, heatmap_size, kernel_size)
    fast = SeparableMegviiHeatmap(input_size, heatmap_size, kernel_size)
    rng = np.random.default_rng(kernel_size * 1000 + w + h)
    for _ in range(20):
        # keypoints inside, on the borders (reflected blur), just outside,
        # far outside, invisible
        kpts = np.stack([rng.uniform(-30, input_size[0] + 30, 24),
                         rng.uniform(-30, input_size[1] + 30, 24)], -1)
        kpts[:4] = [[0, 0], [input_size[0] - 1, input_size[1] - 1],
                    [1, input_size[1] - 2], [input_size[0], 5]]
        vis = rng.choice([0., 1., 1., 1.], 24)
        vis[:4] = 1
        a = ref.encode(kpts[None].copy(), vis[None].copy())
        b = fast.encode(kpts[None].copy(), vis[None].copy())
        np.testing.assert_array_equal(b['keypoint_weights'],
                                      a['keypoint_weights'])
        assert b['heatmaps'].dtype == np.float32
        assert b['heatmaps'].shape == (24, h, w)
        # float32 rounding of values up to 255
        np.testing.assert_allclose(b['heatmaps'], a['heatmaps'], rtol=0,
                                   atol=255 * 2e-6)
        assert (b['heatmaps'][a['keypoint_weights'][0] == 0] == 0).all()


def test_decode_is_megvii_heatmaps_and_no_visibility_means_all():
    fast = KEYPOINT_CODECS.build(
        dict(type='SeparableMegviiHeatmap', input_size=(256, 256),
             heatmap_size=(64, 64), kernel_size=11))
    kpts = np.array([[[40.0, 100.0], [200.0, 12.0]]])
    enc = fast.encode(kpts)  # keypoints_visible=None: all visible
    assert enc['keypoint_weights'].tolist() == [[1.0, 1.0]]
    dec, _ = fast.decode(enc['heatmaps'])
    ref, _ = MegviiHeatmap((256, 256), (64, 64), 11).decode(enc['heatmaps'])
    np.testing.assert_array_equal(dec, ref)
    assert np.abs(dec - kpts).max() <= 4  # one heatmap pixel


def test_cpn_configs_use_it():
    for path in glob.glob(osp.join(REPO, 'configs', 'cpn', '*.py')):
        cfg = Config.fromfile(path)
        if cfg.model.get('freeze_keypoint_model'):
            continue  # trains the category head only: no keypoint targets
        target = [t for t in cfg.train_dataloader.dataset.pipeline
                  if t['type'] == 'GenerateTarget'][0]
        assert {c['type'] for c in target['encoder']} == {
            'SeparableMegviiHeatmap'}, path


def _gaussian(centre, size, sigma):
    """A 2-D Gaussian of peak 255 centred at ``centre`` (x, y) in heatmap
    pixels, shape (1, H, W)."""
    w, h = size
    x, y = np.arange(w), np.arange(h)
    g = np.exp(-((x[None] - centre[0])**2 + (y[:, None] - centre[1])**2) /
               (2 * sigma**2))
    return (255 * g / g.max())[None].astype(np.float32)


def test_dark_decoding_finds_sub_pixel_centres():
    """Floor-quantised targets under random sub-pixel shifts average to a
    Gaussian centred half a bin before the keypoint. From such a heatmap
    DARK + half a bin recovers the keypoint to a small fraction of a bin,
    the quarter-bin rule only to its grid (error up to 1/4 bin)."""
    size, stride, k = (48, 48), 4, 7
    sigma = 0.3 * ((k - 1) * 0.5 - 1) + 0.8  # OpenCV's sigma for kernel k
    dark = SeparableMegviiHeatmap((192, 192), size, k, decode_mode='dark')
    megvii = SeparableMegviiHeatmap((192, 192), size, k)
    rng = np.random.default_rng(0)
    err_dark, err_megvii = [], []
    for _ in range(50):
        kpt = rng.uniform(40, 150, 2)  # input pixels, away from borders
        heatmap = _gaussian(kpt / stride - 0.5, size, sigma)
        err_dark.append(np.abs(dark.decode(heatmap)[0][0, 0] - kpt).max())
        err_megvii.append(
            np.abs(megvii.decode(heatmap)[0][0, 0] - kpt).max())
    assert max(err_dark) < 0.05 * stride
    assert max(err_megvii) > 0.15 * stride  # the grid shows
    assert np.mean(err_dark) < np.mean(err_megvii) / 4


def test_unknown_decode_mode_is_refused():
    with pytest.raises(ValueError, match="decode_mode 'udp'"):
        SeparableMegviiHeatmap((64, 64), (16, 16), 5, decode_mode='udp')
