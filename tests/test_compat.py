"""MMPose on mmcv-lite, and MMEngine checkpoints on torch >= 2.6 without
turning weights-only loading off."""
import importlib
import os
import os.path as osp
import pickle
import subprocess
import sys

import pytest
import torch

from conftest import REPO, tiny_topdown_cfg
from mmpose_cloth import compat


def test_mmpose_models_import_on_this_mmcv():
    import mmpose.models  # noqa: F401
    from mmpose.registry import MODELS
    assert MODELS.get('HeatmapHead') is not None
    if compat.has_real_mmcv_ops():
        pytest.skip('a full mmcv with compiled ops is installed')
    from mmcv.ops import DeformConv2d, batched_nms
    with pytest.raises(compat.MissingMMCVOpError, match='DeformConv2d'):
        DeformConv2d(3, 3, 3)
    with pytest.raises(compat.MissingMMCVOpError, match='batched_nms'):
        batched_nms(None, None, None, None)

    class Sub(DeformConv2d):  # subclassing at import time must work
        pass

    with pytest.raises(compat.MissingMMCVOpError):
        Sub()


class _Evil:
    """Unpickling this runs code, unless the loader refuses it."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'w'))


def test_crafted_checkpoint_is_refused(tmp_path):
    from mmengine.runner import load_checkpoint
    marker = tmp_path / 'pwned'
    bad = tmp_path / 'bad.pth'
    torch.save({'state_dict': {}, 'meta': _Evil(str(marker))}, bad)
    with pytest.raises(pickle.UnpicklingError, match='Weights only load'):
        load_checkpoint(torch.nn.Linear(1, 1), str(bad))
    with pytest.raises(pickle.UnpicklingError, match='Weights only load'):
        torch.load(bad)  # torch's default stays weights-only
    assert not marker.exists()


#: Callables that, reachable from a pickle, run code or reach anything.
_NEVER_ALLOWED = (getattr, setattr, eval, exec, compile, open, __import__,
                  os.system, os.popen, subprocess.Popen, pickle.loads,
                  importlib.import_module)


def test_allow_list_is_narrow(tmp_path):
    """The check stays on because compat only allow-lists data types: no
    general-purpose callable is among what torch received, and the one
    getattr a checkpoint needs is the restricted one."""
    from mmengine.logging import HistoryBuffer
    from mmengine.runner import load_checkpoint
    entries = torch.serialization.get_safe_globals()
    objects = [e[0] if isinstance(e, tuple) else e for e in entries]
    assert not [o for o in objects if any(o is n for n in _NEVER_ALLOWED)]
    by_name = {e[1]: e[0] for e in entries if isinstance(e, tuple)}
    assert by_name['builtins.getattr'] is compat._history_buffer_getattr
    assert by_name['__builtin__.getattr'] is compat._history_buffer_getattr
    # getattr is allowed only for HistoryBuffer's statistics methods ...
    assert compat._history_buffer_getattr(HistoryBuffer, 'mean') is \
        HistoryBuffer.mean
    with pytest.raises(pickle.UnpicklingError,
                       match=r"Refusing getattr\(module, 'system'\)"):
        compat._history_buffer_getattr(os, 'system')
    # ... also inside a pickle, which torch then refuses
    bad = tmp_path / 'reach.pth'
    torch.save({'state_dict': {}, 'meta': _Reach()}, bad)
    with pytest.raises(pickle.UnpicklingError,
                       match=r"Refusing getattr\(type, '__init__'\)"):
        load_checkpoint(torch.nn.Linear(1, 1), str(bad))


class _Reach:
    """Unpickles as getattr(HistoryBuffer, '__init__'): an allowed class,
    an attribute outside the statistics methods."""

    def __reduce__(self):
        from mmengine.logging import HistoryBuffer
        return (getattr, (HistoryBuffer, '__init__'))


@pytest.fixture(scope='module')
def trained(real_or_synthetic_coco, tmp_path_factory):
    """Two real training iterations of a tiny model, checkpoint saved: on
    the real subset where ../shared has it, else on a synthetic split (what
    is checked here is the checkpoint, not what it learnt)."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    data = real_or_synthetic_coco
    work = str(tmp_path_factory.mktemp('work'))
    cfg = Config(tiny_topdown_cfg(work, data['split_dir'],
                                  data['paths']['train'],
                                  data['paths']['val']))
    runner = Runner.from_cfg(cfg)
    runner.train()
    ckpt = osp.join(work, 'iter_2.pth')
    assert osp.isfile(ckpt)
    cfg_path = osp.join(work, 'tiny.py')
    cfg.dump(cfg_path)
    return dict(cfg=cfg, ckpt=ckpt, work=work, cfg_path=cfg_path)


def test_checkpoint_loads_with_weights_only(trained):
    raw = torch.load(trained['ckpt'], map_location='cpu', weights_only=True)
    assert raw['meta']['iter'] == 2
    assert 'message_hub' in raw and 'optimizer' in raw


def test_init_model_loads_the_checkpoint(trained):
    from mmpose.apis import init_model
    model = init_model(trained['cfg'], trained['ckpt'], device='cpu')
    state = torch.load(trained['ckpt'], weights_only=True)['state_dict']
    key = 'backbone.conv1.weight'
    torch.testing.assert_close(model.state_dict()[key], state[key])


def test_resume_continues_from_the_checkpoint(trained):
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config(trained['cfg'].to_dict())
    cfg.train_cfg.max_iters = 3
    cfg.resume = True
    cfg.load_from = trained['ckpt']
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 3
    assert osp.isfile(osp.join(trained['work'], 'iter_3.pth'))


def test_tools_test_py_reports_ne_and_draws(trained, tmp_path):
    """``tools/test.py --out`` writes the NE; ``--show-dir`` (MMPose's
    flag, relative to the run's folder) one picture per validation image,
    which MMPose's visualizer could not draw on numpy 2."""
    import glob
    import json
    out = tmp_path / 'metrics.json'
    proc = subprocess.run([
        sys.executable, f'{REPO}/tools/test.py', trained['cfg_path'],
        trained['ckpt'], '--work-dir',
        str(tmp_path), '--out',
        str(out), '--show-dir', 'vis'
    ], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads(out.read_text())
    assert 0 < metrics['fashionai/NE'] < 10
    assert metrics['fashionai/count'] > 0
    pictures = glob.glob(str(tmp_path / '*' / 'vis' / '*.jpg'))
    assert len(pictures) == metrics['fashionai/images'] > 0


def test_keypoint_pictures_draw_on_numpy_2():
    """MMPose's visualizer passes ``np.array([radius])`` to OpenCV's
    ``draw_circles``, whose ``int()`` of it numpy 2 refuses; mended, the
    picture has the keypoint's colour at the keypoint."""
    import numpy as np
    from mmengine.structures import InstanceData
    from mmpose.structures import PoseDataSample
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose.visualization import PoseLocalVisualizer

    from fashionai_format.metainfo import fashionai_metainfo

    meta = parse_pose_metainfo(fashionai_metainfo())
    vis = PoseLocalVisualizer(radius=3, line_width=1)
    vis.set_dataset_meta(meta)
    sample = PoseDataSample()
    kpts = np.full((1, meta['num_keypoints'], 2), 32.0)
    kpts[0, 0] = (10.0, 12.0)  # keypoint 0 alone, away from the others
    sample.pred_instances = InstanceData(
        keypoints=kpts, keypoint_scores=np.ones(kpts.shape[:2]))
    image = np.zeros((64, 64, 3), np.uint8)
    drawn = vis.add_datasample(
        'garment', image, sample, draw_gt=False, draw_bbox=False,
        kpt_thr=0.3)
    colour = meta['keypoint_colors'][0]
    assert tuple(drawn[12, 10]) == tuple(int(c) for c in colour)
    assert compat.mend_visualizer_for_numpy2() is False  # idempotent


def test_dsnt_loss_has_a_finite_gradient_for_absent_keypoints():
    """DSNTHead's JSDiscretLoss with a keypoint of weight 0 (FashionAI: the
    keypoints a category lacks): the loss is MMPose's value, its gradient
    is finite and reaches the present keypoint only."""
    from mmpose.models.losses import JSDiscretLoss

    torch.manual_seed(0)
    logits = torch.randn(2, 3, 8, 8, dtype=torch.float64, requires_grad=True)
    pred = logits.flatten(2).softmax(-1).view_as(logits)
    gt = torch.rand(2, 3, 8, 8, dtype=torch.float64)
    gt = gt / gt.flatten(2).sum(-1)[..., None, None]
    weight = torch.tensor([[1., 0., 1.], [0., 1., 1.]], dtype=torch.float64)
    loss = JSDiscretLoss(use_target_weight=True)(pred, gt, weight)
    loss.backward()
    assert torch.isfinite(logits.grad).all()
    assert (logits.grad[weight == 0] == 0).all()
    assert (logits.grad[weight == 1].abs().sum((-1, -2)) > 0).all()

    # MMPose's own formula (nn.KLDivLoss, log 0 taken as 0) gives the value
    def kl(p, q):
        return torch.nn.KLDivLoss(reduction='none')((q + 1e-24).log(), p)

    w = weight[..., None, None]
    p, g = pred.detach() * w, gt * w
    m = 0.5 * (p + g)
    expected = (0.5 * (kl(p, m) + kl(g, m))).sum() / len(gt)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-12)
    assert compat.mend_js_discret_loss() is False  # idempotent


def test_publish_model_keeps_what_inference_needs(trained, tmp_path):
    """``tools/misc/publish_model.py`` on torch >= 2.6: the published file
    loads weights-only, has only meta and state_dict, is named by its hash,
    and ``init_model`` predicts with it exactly as with the original."""
    import hashlib
    import re
    import numpy as np
    from mmpose.apis import inference_topdown, init_model
    proc = subprocess.run([
        sys.executable, f'{REPO}/tools/misc/publish_model.py',
        trained['ckpt'], str(tmp_path / 'tiny.pth')
    ], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-3000:]
    final = proc.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r'.*/tiny-([0-9a-f]{8})_\d{8}\.pth', final)
    assert match, final
    assert hashlib.sha256(open(final, 'rb').read()).hexdigest()[:8] == \
        match.group(1)
    raw = torch.load(final, map_location='cpu', weights_only=True)
    assert sorted(raw) == ['meta', 'state_dict']
    assert not list(tmp_path.glob('tiny.pth'))  # renamed, not copied
    cfg = trained['cfg']
    image = osp.join(cfg.val_dataloader.dataset.data_root,
                     _first_val_image(cfg))
    preds = [
        inference_topdown(init_model(cfg, ckpt, device='cpu'), image)[0]
        .pred_instances.keypoints for ckpt in (trained['ckpt'], final)
    ]
    np.testing.assert_array_equal(preds[0], preds[1])


def _first_val_image(cfg) -> str:
    import json
    ds = cfg.val_dataloader.dataset
    ann = ds.ann_file if osp.isabs(ds.ann_file) else osp.join(
        ds.data_root, ds.ann_file)
    return json.load(open(ann))['images'][0]['file_name']


def test_mmpose_inferencer_runs_our_checkpoint(trained, tmp_path):
    """``mmpose.apis.MMPoseInferencer`` with this project's config and
    checkpoint (whole-image boxes, CPU): 24 keypoints per image, a picture
    in ``vis_out_dir`` and the predictions in ``pred_out_dir``."""
    import json
    import shutil

    import numpy as np
    from mmpose.apis import MMPoseInferencer
    cfg = trained['cfg']
    src = osp.join(cfg.val_dataloader.dataset.data_root,
                   _first_val_image(cfg))
    photos = tmp_path / 'photos'
    photos.mkdir()
    shutil.copy(src, photos / 'garment.jpg')
    inferencer = MMPoseInferencer(
        pose2d=trained['cfg_path'], pose2d_weights=trained['ckpt'],
        det_model='whole_image', device='cpu')
    results = list(
        inferencer(
            str(photos), vis_out_dir=str(tmp_path / 'vis'),
            pred_out_dir=str(tmp_path / 'preds')))
    assert len(results) == 1
    pred = results[0]['predictions'][0][0]
    assert np.asarray(pred['keypoints']).shape == (24, 2)
    assert np.isfinite(pred['keypoint_scores']).all()
    assert (tmp_path / 'vis' / 'garment.jpg').is_file()
    saved = json.loads((tmp_path / 'preds' / 'garment.json').read_text())
    np.testing.assert_allclose(saved[0]['keypoints'], pred['keypoints'])
