"""Shared pieces of the reliability tests (not a test module)."""
import os
import os.path as osp
import struct
import zlib

from conftest import REPO, tiny_topdown_cfg

HERE = osp.dirname(osp.abspath(__file__))


def narrow_cfg(work_dir, data_root, ann_file, **kwargs) -> dict:
    """``tiny_topdown_cfg`` (ResNet-18, 64x64) at a quarter of the width:
    the same layers, ~16x fewer parameters, so that checkpoints are small and
    a step takes milliseconds on 2 CPU cores."""
    cfg = tiny_topdown_cfg(work_dir, data_root, ann_file, ann_file, **kwargs)
    cfg['model']['backbone'].update(stem_channels=16, base_channels=16)
    cfg['model']['head']['in_channels'] = 128
    return cfg


def subprocess_env(**extra) -> dict:
    """Environment for tools/*.py subprocesses: one thread (deterministic and
    kind to shared cores), this folder importable for test-only hooks."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [HERE, REPO] + [p for p in [env.get('PYTHONPATH')] if p])
    env.update(OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    env.update(extra)
    return env


def png_bomb_bytes(width=40000, height=40000) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels (1.6 G by
    default): a few dozen bytes that a careless loader would try to
    allocate gigabytes for."""

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))

    return (b'\x89PNG\r\n\x1a\n' +
            chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0,
                                       0)) +
            chunk(b'IDAT', zlib.compress(b'\0' * 16)) + chunk(b'IEND', b''))


def fashionai_eval():
    """tools/analysis/fashionai_eval.py as a module, to call its ``main``
    in-process (a subprocess would spend seconds importing torch)."""
    import importlib.util
    import sys
    name = 'reliability_fashionai_eval'
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, osp.join(REPO, 'tools', 'analysis', 'fashionai_eval.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def record(image_id, category, kpts, vis, line=0):
    import numpy as np
    from fashionai_format import FashionAIRecord
    return FashionAIRecord(image_id, category, np.asarray(kpts, np.float32),
                           np.asarray(vis, np.int8), line)


def metric_summary(gt_records, preds, outfile_prefix=None) -> dict:
    """FashionAIMetric's numbers for (N, 24, 2) ``preds`` of ``gt_records``,
    fed as the runner would (raw_ann_info as fashionai2coco writes it)."""
    import numpy as np
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose_cloth.evaluation import FashionAIMetric
    from fashionai_format import fashionai_metainfo
    from fashionai_format.schema import FASHIONAI_TO_COCO_VIS
    metric = FashionAIMetric(outfile_prefix=outfile_prefix)
    metric.dataset_meta = parse_pose_metainfo(fashionai_metainfo())
    samples = []
    for r, p in zip(gt_records, preds):
        vis = r.visibility.astype(int)
        xy = np.where((vis < 0)[:, None], 0.0, r.keypoints.astype(float))
        coco_v = np.array([FASHIONAI_TO_COCO_VIS[v] for v in vis])
        kpts = np.concatenate([xy, coco_v[:, None]], 1).ravel().tolist()
        samples.append(
            dict(raw_ann_info=dict(keypoints=kpts,
                                   fashionai_visibility=vis.tolist(),
                                   category=r.category,
                                   fashionai_image_id=r.image_id),
                 pred_instances=dict(keypoints=np.asarray(p)[None])))
    metric.process([], samples)
    return metric.compute_metrics(metric.results)


def csv_summary(tmp_dir, gt_records, preds, order=None) -> dict:
    """tools/analysis/fashionai_eval.py's numbers for the same predictions,
    through an answer file and a submission written to ``tmp_dir``."""
    import numpy as np
    from mmpose_cloth.evaluation import evaluate_submission
    from fashionai_format import (read_annotations, write_annotations,
                                  write_submission)
    order = range(len(gt_records)) if order is None else order
    answers = osp.join(str(tmp_dir), 'answers.csv')
    result = osp.join(str(tmp_dir), 'result.csv')
    write_annotations(answers, gt_records)
    write_submission(result, [gt_records[i].image_id for i in order],
                     [gt_records[i].category for i in order],
                     np.asarray(preds).reshape(-1, 24, 2)[list(order)])
    sub = read_annotations(result, errors='collect')
    return evaluate_submission(
        read_annotations(answers).records, sub.records, sub.problems)
