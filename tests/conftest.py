"""Shared fixtures. Real FashionAI data is read from ../shared beside the
checkout; tests that need it skip with a reason where it is absent (as on a
user's machine)."""
import json
import os
import os.path as osp

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_SPLIT = os.environ.get(
    'FASHIONAI_TRAIN_DIR',
    osp.join(REPO, '..', 'shared', 'data', 'fashionai', 'train'))

#: What the real subset in ../shared holds (its README says so).
REAL_ROWS = 3114
REAL_IMAGES = 3050
REAL_MISSING = 64


def _has_real_data() -> bool:
    return osp.isfile(osp.join(SHARED_SPLIT, 'Annotations', 'train.csv'))


requires_real_data = pytest.mark.skipif(
    not _has_real_data(),
    reason=f'real FashionAI data not found at {osp.normpath(SHARED_SPLIT)} '
    '(set FASHIONAI_TRAIN_DIR to a FashionAI train split folder)')


@pytest.fixture(scope='session')
def real_split_dir() -> str:
    if not _has_real_data():
        pytest.skip('real FashionAI data not found at '
                    f'{osp.normpath(SHARED_SPLIT)}')
    return osp.abspath(SHARED_SPLIT)


@pytest.fixture(scope='session')
def real_coco(real_split_dir, tmp_path_factory):
    """The real subset converted once per session: (coco dict, report,
    path of the full JSON, train JSON, val JSON)."""
    from mmpose_cloth.fashionai import convert_split, split_coco
    out = tmp_path_factory.mktemp('real_coco')
    coco, report = convert_split(real_split_dir, progress=False)
    train, val = split_coco(coco, 0.15, seed=0)
    paths = {}
    for name, part in (('all', coco), ('train', train), ('val', val)):
        paths[name] = str(out / f'{name}.json')
        with open(paths[name], 'w') as f:
            json.dump(part, f)
    return dict(coco=coco, report=report, paths=paths, train=train, val=val)
