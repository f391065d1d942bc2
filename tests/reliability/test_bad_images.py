"""Bad image files: what the converter reports, and what training does with
them (``FashionAIDataset(bad_image='error'|'skip')``).

Each image of a copy of the synthetic split is damaged in one way, after the
COCO file was written (a file deleted or corrupted after conversion, as
after a partial download or a full disk)."""
import logging
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from PIL import Image

import mmpose_cloth  # noqa: F401
from mmpose.registry import DATASETS
from mmpose_cloth.datasets.fashionai_dataset import BadImageError
from fashionai_format import convert_split, read_annotations
from reliability_helpers import narrow_cfg, png_bomb_bytes

#: index into the synthetic COCO images -> how that image is damaged
DAMAGE = {
    0: 'truncated',  # first half of the JPEG
    1: 'empty',  # zero bytes
    2: 'text',  # not an image at all
    3: 'missing',  # listed in the CSV, file gone
    4: 'bomb',  # PNG header claiming 40000x40000 pixels
    5: 'grayscale',  # accepted: loads as BGR
    6: 'cmyk',  # accepted: loads as BGR
    7: 'png',  # PNG data in a .jpg: accepted, loads as BGR
    8: 'exif_rotated',  # EXIF orientation 6: decodes rotated
    9: 'huge',  # 8000x8000: accepted
}
BAD = ('truncated', 'empty', 'text', 'missing', 'bomb')
ACCEPTED = ('grayscale', 'cmyk', 'png')

#: what the converter says, by damage: (header only, with verify=True)
CONVERTER = {
    'truncated': (None, 'cannot be decoded'),
    'empty': ('image file is empty (0 bytes)', ) * 2,
    'text': ('cannot read image header', ) * 2,
    'missing': ('image file not found', ) * 2,
    'bomb': ('too large to load safely', ) * 2,
    'grayscale': (None, None),
    'cmyk': (None, None),
    'png': (None, None),
    'exif_rotated': (None, 'differs from the header size 300x200 (EXIF'),
    'huge': (None, None),
}

#: what training says, by damage (bad_image='error')
AT_TRAINING = {
    'truncated': 'cannot be decoded',
    'empty': 'image file is empty (0 bytes)',
    'text': 'cannot be decoded',
    'missing': 'file not found',
    'bomb': 'cannot be decoded (',  # OpenCV's own pixel limit
}


def _damage(path: str, how: str) -> None:
    good = open(path, 'rb').read()
    img = cv2.imread(path)
    if how == 'truncated':
        open(path, 'wb').write(good[:len(good) // 2])
    elif how == 'empty':
        open(path, 'wb').close()
    elif how == 'text':
        open(path, 'w').write('<html>404 Not Found</html>')
    elif how == 'missing':
        os.remove(path)
    elif how == 'bomb':
        open(path, 'wb').write(png_bomb_bytes())
    elif how == 'grayscale':
        cv2.imwrite(path, cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
    elif how == 'cmyk':
        Image.fromarray(img[..., ::-1]).convert('CMYK').save(path, 'JPEG')
    elif how == 'png':
        open(path, 'wb').write(cv2.imencode('.png', img)[1].tobytes())
    elif how == 'exif_rotated':
        exif = Image.Exif()
        exif[0x0112] = 6  # rotate 90 degrees when displayed
        Image.new('RGB', (300, 200), (90, 60, 30)).save(
            path, 'JPEG', exif=exif.tobytes())
    elif how == 'huge':
        # solid colour: 8000x8000 pixels in ~1 MB, written in ~0.5 s
        Image.new('RGB', (8000, 8000), (40, 80, 120)).save(path, 'JPEG',
                                                             quality=50)
    else:
        raise AssertionError(how)


@pytest.fixture(scope='module')
def damaged(synthetic_split, tmp_path_factory):
    root = str(tmp_path_factory.mktemp('damaged') / 'split')
    shutil.copytree(synthetic_split['root'], root)
    coco = synthetic_split['coco']
    files = {}
    for i, how in DAMAGE.items():
        name = coco['images'][i]['file_name']
        _damage(osp.join(root, name), how)
        files[how] = name
    lines = {
        r.image_id: r.line
        for r in read_annotations(osp.join(root, 'Annotations',
                                           'train.csv')).records
    }
    return dict(root=root, files=files, lines=lines,
                ann_file=synthetic_split['ann_file'])


@pytest.mark.parametrize('verify', [False, True], ids=['header', 'verify'])
def test_converter_reports_each_bad_image_with_its_reason(damaged, verify):
    coco, report = convert_split(damaged['root'], verify=verify,
                                 progress=False)
    rejects = {p.image_id: p for p in report.rejects}
    kept = {i['file_name'] for i in coco['images']}
    for how, name in damaged['files'].items():
        expected = CONVERTER[how][int(verify)]
        if expected is None:
            assert name in kept and name not in rejects, how
        else:
            assert name not in kept, how
            assert expected in rejects[name].reason, (how, rejects[name])
            assert rejects[name].line == damaged['lines'][name]
    assert report.images + len(report.rejects) == report.rows == 20
    huge = next(i for i in coco['images']
                if i['file_name'] == damaged['files']['huge'])
    assert (huge['width'], huge['height']) == (8000, 8000)


PIPELINE = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=(64, 64)),
    dict(type='GenerateTarget',
         encoder=dict(type='MSRAHeatmap', input_size=(64, 64),
                      heatmap_size=(16, 16), sigma=2)),
    dict(type='PackPoseInputs'),
]


def _dataset(damaged, pipeline=PIPELINE, **kwargs):
    init_default_scope('mmpose')
    return DATASETS.build(
        dict(type='FashionAIDataset', ann_file=damaged['ann_file'],
             data_root=damaged['root'], data_prefix=dict(img=''),
             pipeline=pipeline, **kwargs))


def _index(ds, damaged, how):
    name = damaged['files'][how]
    for i in range(len(ds)):
        if ds.get_data_info(i)['img_path'].endswith(name):
            return i
    raise AssertionError(how)


def test_accepted_formats_load_as_bgr(damaged):
    ds = _dataset(damaged)
    for how in ACCEPTED:
        sample = ds[_index(ds, damaged, how)]
        assert tuple(sample['inputs'].shape) == (3, 64, 64), how
        assert sample['data_samples'].metainfo['img_path'].endswith(
            damaged['files'][how])
    assert ds.bad_image_count == 0


@pytest.mark.parametrize('how', BAD)
def test_error_mode_names_the_file_reason_and_fix(damaged, how):
    ds = _dataset(damaged)  # bad_image='error' is the default
    with pytest.raises(BadImageError) as e:
        ds[_index(ds, damaged, how)]
    msg = str(e.value)
    name = damaged['files'][how]
    assert e.value.path == osp.join(damaged['root'], name)
    assert e.value.path in msg
    assert AT_TRAINING[how] in msg
    assert f'annotation line {damaged["lines"][name]}' in msg
    assert "bad_image='skip'" in msg and '--verify' in msg
    # no traceback from deep inside OpenCV / mmcv is chained to it
    assert e.value.__cause__ is None and e.value.__suppress_context__


def test_skip_mode_warns_counts_and_returns_another_sample(damaged):
    ds = _dataset(damaged, bad_image='skip')
    logger = MMLogger.get_current_instance()
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(min(level or logging.WARNING, logging.WARNING))
    try:
        np.random.seed(0)
        for n, how in enumerate(BAD, 1):
            i = _index(ds, damaged, how)
            for _ in range(2):  # a second time: counted, not logged again
                sample = ds[i]
                path = sample['data_samples'].metainfo['img_path']
                assert not path.endswith(damaged['files'][how])
                assert tuple(sample['inputs'].shape) == (3, 64, 64)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    # each bad index was asked for twice; a random refetch may land on a
    # bad image too, and counts as well
    assert ds.bad_image_count >= 2 * len(BAD)
    messages = [r.getMessage() for r in records]
    for how in BAD:
        name = damaged['files'][how]
        assert sum(name in m for m in messages) == 1, how
        assert any(name in m and AT_TRAINING[how] in m for m in messages)


def test_skip_mode_still_fails_at_evaluation(damaged):
    ds = _dataset(damaged, bad_image='skip', test_mode=True)
    with pytest.raises(BadImageError, match='Evaluation cannot skip'):
        ds[_index(ds, damaged, 'missing')]


def test_a_failing_transform_is_not_taken_for_a_bad_image(damaged):
    """A bug in the pipeline must surface, even in skip mode."""
    no_bbox = [t for t in PIPELINE if t['type'] != 'GetBBoxCenterScale']
    ds = _dataset(damaged, pipeline=no_bbox, bad_image='skip')
    i = _index(ds, damaged, 'grayscale')
    with pytest.raises(KeyError) as e:
        ds[i]
    assert damaged['files']['grayscale'] in ' '.join(e.value.__notes__)
    assert ds.bad_image_count == 0


def test_bad_image_option_is_checked(damaged):
    with pytest.raises(ValueError, match="bad_image must be 'error' or"):
        _dataset(damaged, bad_image='ignore')


def test_skip_count_reaches_the_main_process(damaged):
    """Skips in DataLoader worker processes are counted where the dataset
    was built."""
    from mmengine.dataset import pseudo_collate
    from torch.utils.data import DataLoader
    ds = _dataset(damaged, bad_image='skip', indices=8)  # 5 of them bad
    loader = DataLoader(ds, batch_size=4, num_workers=1,
                        collate_fn=pseudo_collate)
    assert sum(len(b['inputs']) for b in loader) == 8
    assert ds.bad_image_count >= len(BAD)


def test_training_run_fails_with_the_path(damaged, tmp_path):
    """Through the runner, with a DataLoader worker process: the run stops
    with the path, and the exception type survives the worker."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = narrow_cfg(str(tmp_path), damaged['root'], damaged['ann_file'],
                     max_iters=1, num_images=8)
    cfg['val_cfg'] = cfg['val_dataloader'] = cfg['val_evaluator'] = None
    cfg['default_hooks']['checkpoint'] = dict(type='CheckpointHook',
                                              interval=-1)
    cfg['train_dataloader'].update(num_workers=1, persistent_workers=False)
    runner = Runner.from_cfg(Config(cfg))
    with pytest.raises(BadImageError, match=r'cannot load image .*'
                       r'Images/.*\.jpg.*bad_image=.skip.'):
        runner.train()
