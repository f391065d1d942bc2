"""Predict FashionAI keypoints for images: JSON, a submission CSV, pictures.

Each image needs its garment category (which keypoints it has). Give it
for all images with ``--category``, take it from a FashionAI test list with
``--test-csv``, or let it be read from the FashionAI layout
(``.../Images/<category>/<name>.jpg``)::

    # a FashionAI test split: test.csv + Images/ (the submission for 9,996
    # images, streamed batch by batch)
    python tools/infer.py CONFIG CHECKPOINT \\
        --test-csv data/fashionai/test/test.csv --out-dir work_dirs/infer

    # a few photos of skirts
    python tools/infer.py CONFIG CHECKPOINT photo1.jpg photos/ --category skirt

    # photos with several garments: boxes from an MMDetection detector
    python tools/infer.py CONFIG CHECKPOINT photos/ --category dress \\
        --det-config DET_CONFIG --det-checkpoint DET_CKPT --det-cat-id 0

Outputs in ``--out-dir`` (default ``work_dirs/infer``):

* ``keypoints.json``: ``{"keypoint_names": [24 names], "predictions":
  [{"image_id", "category", "image_path", "bbox", "bbox_score",
  "keypoints": 24 x [x, y] (null for keypoints the category does not have),
  "keypoint_scores": 24 x score | null}, ...]}``; with a detector each
  prediction also lists every detected garment in ``"instances"`` (the
  top-level keypoints are those of the highest-scoring box);
* ``result.csv``: a FashionAI submission (score it with
  ``tools/analysis/fashionai_eval.py``);
* ``vis/<image_id>``: each image with its category's keypoints and skeleton
  drawn (``--no-vis`` to skip, ``--vis-max N`` to draw only the first N).

A CHECKPOINT ending in ``.onnx`` (``tools/deploy/export_onnx.py``) runs in
ONNX Runtime with the same pre- and post-processing (several times faster on
CPUs). Flip test is on (``--no-flip`` turns it off). Boxes are whole images
unless a detector is given. Exit status: 0 done, 2 bad arguments or inputs,
3 the installed mmcv cannot run the detector (mmcv-lite has no compiled ops).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from collections import Counter
from typing import List, Optional, Tuple

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))

import cv2  # noqa: E402
import mmcv  # noqa: E402
import numpy as np  # noqa: E402
from mmengine.config import DictAction  # noqa: E402

import mmpose_cloth  # noqa: E402,F401
from mmpose_cloth.compat import MissingMMCVOpError  # noqa: E402
from fashionai_format import (CATEGORIES,  # noqa: E402
                              CATEGORY_KEYPOINTS, KEYPOINT_NAMES,
                              FashionAIFormatError, read_test_list,
                              write_submission)

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')
EXIT_USAGE, EXIT_NO_OPS = 2, 3


class UsageError(Exception):
    """Bad arguments or inputs: printed as ``error: ...``, exit status 2."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Predict FashionAI keypoints: keypoints.json, a '
        'submission result.csv and pictures with the keypoints drawn.')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='model checkpoint file (.pth), or '
                        'an ONNX model (.onnx) to run in ONNX Runtime')
    parser.add_argument('inputs', nargs='*',
                        help='image files or folders (searched recursively)')
    src = parser.add_mutually_exclusive_group()
    src.add_argument('--category', choices=CATEGORIES,
                     help='the garment category of every input image '
                     '(default: the folder name in the FashionAI layout '
                     'Images/<category>/)')
    src.add_argument('--test-csv',
                     help='a FashionAI test list (image_id,image_category); '
                     'replaces INPUTS')
    parser.add_argument('--root',
                        help='folder the test list\'s image_ids are '
                        'relative to (default: the folder of --test-csv)')
    parser.add_argument('--out-dir', default='work_dirs/infer')
    parser.add_argument('--batch-size', type=int, default=16,
                        help='boxes per forward pass')
    parser.add_argument('--no-flip', action='store_true',
                        help='switch flip test off '
                        '(model.test_cfg.flip_test=False)')
    parser.add_argument('--device', default=None,
                        help='e.g. cpu, cuda:0 (default: cuda:0 when '
                        'available, else cpu)')
    parser.add_argument('--vis', action=argparse.BooleanOptionalAction,
                        default=True,
                        help='draw keypoints and skeletons into '
                        'OUT_DIR/vis (default: on)')
    parser.add_argument('--vis-max', type=int, default=None,
                        help='draw at most this many images')
    det = parser.add_argument_group(
        'detector', 'garment boxes from an MMDetection model (photos with '
        'several garments); needs an mmcv with compiled ops')
    det.add_argument('--det-config', help='MMDetection config file')
    det.add_argument('--det-checkpoint', help='MMDetection checkpoint file')
    det.add_argument('--det-cat-id', type=int, nargs='+', default=None,
                     help='detector class ids to keep (default: all)')
    det.add_argument('--bbox-thr', type=float, default=0.3,
                     help='minimum detection score')
    det.add_argument('--nms-thr', type=float, default=0.3,
                     help='IoU threshold of the NMS over kept boxes')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override model config settings, key=value')
    args = parser.parse_args(argv)
    if args.test_csv and args.inputs:
        parser.error('give INPUTS or --test-csv, not both')
    if not args.test_csv and not args.inputs:
        parser.error('give image files or folders, or --test-csv')
    if args.root and not args.test_csv:
        parser.error('--root goes with --test-csv')
    if bool(args.det_config) != bool(args.det_checkpoint):
        parser.error('--det-config and --det-checkpoint go together')
    if args.batch_size < 1:
        parser.error('--batch-size must be at least 1')
    return args


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------
def _fashionai_id(path: str) -> Optional[str]:
    """``Images/<category>/<name>`` if ``path`` is in the FashionAI
    layout."""
    parts = osp.normpath(path).split(os.sep)
    if len(parts) >= 3 and parts[-3] == 'Images' and parts[-2] in CATEGORIES:
        return '/'.join(parts[-3:])
    return None


def collect_inputs(args) -> Tuple[List[Tuple[str, str, str]], List[str]]:
    """Resolve the images to predict.

    Returns:
        tuple: ``[(image_id, category, path), ...]`` and a list of
        warnings.
    """
    warnings = []
    if args.test_csv:
        try:
            rows = read_test_list(args.test_csv)
        except (FashionAIFormatError, FileNotFoundError) as e:
            raise UsageError(str(e))
        root = args.root or osp.dirname(osp.abspath(args.test_csv))
        items, missing = [], []
        for image_id, cat in rows:
            path = osp.join(root, image_id)
            (items if osp.isfile(path) else missing).append(
                (image_id, cat, path))
        if missing:
            warnings.append(
                f'{len(missing)} of {len(rows)} images of {args.test_csv} '
                f'are not under {root} (first: {missing[0][0]}); they are '
                'left out of result.csv')
        if not items:
            raise UsageError(f'none of the images of {args.test_csv} is '
                             f'under {root}; set --root to the folder '
                             'that holds Images/')
        return items, warnings

    files: List[Tuple[str, str]] = []  # (path, id relative to its input)
    for inp in args.inputs:
        if osp.isdir(inp):
            found = []
            for d, _, names in os.walk(inp):
                found += [osp.join(d, n) for n in names
                          if n.lower().endswith(IMAGE_EXTS)]
            if not found:
                warnings.append(f'no images found in {inp}')
            files += [(p, osp.relpath(p, inp).replace(os.sep, '/'))
                      for p in sorted(found)]
        elif osp.isfile(inp):
            files.append((inp, osp.basename(inp)))
        else:
            raise UsageError(f'{inp}: no such file or folder')
    if not files:
        raise UsageError('no images to predict')
    ids = [_fashionai_id(p) or rel for p, rel in files]
    if len(set(ids)) < len(ids):  # e.g. a.jpg in two folders
        common = osp.commonpath([osp.abspath(p) for p, _ in files])
        ids = [_fashionai_id(p) or osp.relpath(osp.abspath(p), common)
               .replace(os.sep, '/') for p, _ in files]
    if len(set(ids)) < len(ids):
        dup = next(i for i, c in Counter(ids).items() if c > 1)
        raise UsageError(f'{dup} is given more than once')
    items, unknown = [], []
    for (path, _), image_id in zip(files, ids):
        if args.category:
            cat = args.category
        else:
            parent = osp.basename(osp.dirname(osp.abspath(path)))
            cat = parent if parent in CATEGORIES else None
        if cat is None:
            unknown.append(path)
        items.append((image_id, cat, path))
    if unknown:
        raise UsageError(
            f'the garment category of {len(unknown)} image(s) is unknown '
            f'(e.g. {unknown[0]}): give --category, a test list with '
            '--test-csv, or put images in Images/<category>/ folders')
    return items, warnings


# --------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------
def init_pose_model(args):
    """The pose model as ``(predict(paths, boxes) -> (keypoints, scores),
    the indices of the keypoints it predicts, device)``.

    A ``.onnx`` checkpoint (``tools/deploy/export_onnx.py``) runs in ONNX
    Runtime, with the config stored in the file (CONFIG where the file has
    none).
    """
    import torch
    from mmengine.config import Config
    device = args.device or ('cuda:0' if torch.cuda.is_available() else 'cpu')
    if args.checkpoint.endswith('.onnx'):
        try:
            from mmpose_cloth.deploy import (OnnxGarmentPredictor,
                                             read_onnx_metadata)
            meta = read_onnx_metadata(args.checkpoint)
        except ImportError as e:
            raise UsageError(f'an .onnx checkpoint needs onnx and '
                             f'onnxruntime (requirements/optional.txt): {e}')
        providers = ['CPUExecutionProvider']
        if device.startswith('cuda'):
            providers.insert(0, 'CUDAExecutionProvider')
        predictor = OnnxGarmentPredictor(
            args.checkpoint,
            config=None if 'config' in meta else args.config,
            flip_test=not args.no_flip,
            providers=providers)
        device = '/'.join(p.replace('ExecutionProvider', '') for p in
                          predictor.session.get_providers()) + \
            ' (ONNX Runtime)'
        return predictor.predict_batch, predictor.keypoint_ids, device

    from mmpose.apis import init_model
    from mmpose_cloth.apis import predict_garment_batch
    from mmpose_cloth.apis.inference import model_keypoint_ids as _keypoint_ids
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.model.setdefault('test_cfg', {})
    cfg.model.test_cfg['flip_test'] = not args.no_flip
    model = init_model(cfg, args.checkpoint, device=device)

    def predict(paths, boxes):
        return predict_garment_batch(model, paths, boxes)

    return predict, _keypoint_ids(model), device


def init_detector_or_explain(args, device):
    try:
        from mmdet.apis import init_detector
    except ImportError as e:
        raise UsageError(f'--det-config needs MMDetection (mmdet 3.x): {e}')
    return init_detector(args.det_config, args.det_checkpoint, device=device)


def detect_boxes(detector, paths: List[str], args) -> List[np.ndarray]:
    """Garment boxes per image: (M, 5) xyxy + score, best first; a
    whole-image box (score 1, marked by M=0) where nothing is found."""
    from mmdet.apis import inference_detector
    from mmengine.registry import DefaultScope
    from mmpose.evaluation.functional import nms
    with DefaultScope.overwrite_default_scope(
            detector.cfg.get('default_scope', 'mmdet')):
        results = inference_detector(detector, paths)
    out = []
    for res in results:
        inst = res.pred_instances.cpu().numpy()
        keep = inst.scores > args.bbox_thr
        if args.det_cat_id is not None:
            keep &= np.isin(inst.labels, args.det_cat_id)
        dets = np.concatenate([inst.bboxes[keep], inst.scores[keep, None]],
                              axis=1).astype(np.float32)
        if len(dets):
            dets = dets[nms(dets, args.nms_thr)]
            dets = dets[np.argsort(-dets[:, 4])]
        out.append(dets)
    return out


# --------------------------------------------------------------------------
# outputs
# --------------------------------------------------------------------------
def _round(a, nd=2):
    return [None if not np.isfinite(v) else round(float(v), nd) for v in a]


def _instance(cat: str, kpts: np.ndarray, scores: np.ndarray,
              box: np.ndarray, box_score: float) -> dict:
    has = set(CATEGORY_KEYPOINTS[cat])
    return dict(
        bbox=_round(box),
        bbox_score=round(float(box_score), 4),
        keypoints=[_round(kpts[k]) if k in has else None
                   for k in range(len(KEYPOINT_NAMES))],
        keypoint_scores=[
            _round([scores[k]], 4)[0] if k in has else None
            for k in range(len(KEYPOINT_NAMES))
        ])


class JsonStream:
    """Write ``{"keypoint_names": ..., "predictions": [...]}`` one
    prediction at a time."""

    def __init__(self, path: str, header: dict):
        self.f = open(path, 'w', encoding='utf-8')
        head = json.dumps(dict(header, keypoint_names=list(KEYPOINT_NAMES)))
        self.f.write(head[:-1] + ', "predictions": [\n')
        self.n = 0

    def write(self, record: dict) -> None:
        self.f.write((',\n' if self.n else '') + json.dumps(record))
        self.n += 1

    def close(self) -> None:
        self.f.write('\n]}\n')
        self.f.close()


def draw(img: np.ndarray, cat: str, instances: List[dict],
         with_boxes: bool) -> np.ndarray:
    """The image (BGR) with each instance's keypoints, skeleton (and box)
    drawn."""
    from mmpose_cloth.visualization import draw_garment
    img = img.copy()
    for n, inst in enumerate(instances):
        kpts = np.array([k if k is not None else (np.nan, np.nan)
                         for k in inst['keypoints']], dtype=np.float64)
        if with_boxes:
            x1, y1, x2, y2 = (int(round(v)) for v in inst['bbox'])
            thick = max(1, round(max(img.shape[:2]) / 256))
            cv2.rectangle(img, (x1, y1), (x2, y2), (0, 200, 255), thick)
            cv2.putText(img, f'{inst["bbox_score"]:.2f}', (x1 + 3, y2 - 5),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.4 * thick, (0, 200, 255),
                        thick, cv2.LINE_AA)
        img = draw_garment(img, kpts, cat, title=None if n else cat)
    return img


def _vis_path(out_dir: str, image_id: str) -> str:
    rel = osp.normpath(image_id.replace('/', os.sep)).lstrip(os.sep)
    rel = rel.replace('..' + os.sep, '')
    return osp.join(out_dir, 'vis', osp.splitext(rel)[0] + '.jpg')


def run(args) -> int:
    t0 = time.time()
    items, warnings = collect_inputs(args)
    for w in warnings:
        print(f'warning: {w}', file=sys.stderr)
    predict, keypoint_ids, device = init_pose_model(args)
    predicted = set(np.asarray(keypoint_ids).tolist())
    covered = [
        c for c in CATEGORIES if set(CATEGORY_KEYPOINTS[c]) <= predicted
    ]
    skipped = Counter(c for _, c, _ in items if c not in covered)
    if skipped:
        print(f'warning: the model predicts the keypoints of '
              f'{", ".join(covered) or "no category"} only; left out: '
              + ', '.join(f'{n} {c}' for c, n in skipped.items()),
              file=sys.stderr)
        items = [it for it in items if it[1] in covered]
        if not items:
            raise UsageError('the model predicts none of the inputs\' '
                             'categories')

    detector = None
    if args.det_config:
        import torch
        detector = init_detector_or_explain(
            args, args.device or
            ('cuda:0' if torch.cuda.is_available() else 'cpu'))

    os.makedirs(args.out_dir, exist_ok=True)
    stream = JsonStream(
        osp.join(args.out_dir, 'keypoints.json'),
        dict(config=args.config, checkpoint=args.checkpoint,
             flip_test=not args.no_flip,
             boxes='detector' if detector else 'whole image'))
    ids, cats, kpts_all = [], [], []
    n_vis = 0
    from tqdm import tqdm
    bar = tqdm(total=len(items), unit='img', desc='inference',
               dynamic_ncols=True)
    try:
        for s in range(0, len(items), args.batch_size):
            chunk = items[s:s + args.batch_size]
            paths = [p for _, _, p in chunk]
            if detector is not None:
                dets = detect_boxes(detector, paths, args)
            else:
                dets = [np.zeros((0, 5), np.float32)] * len(chunk)
            # one entry per box (a whole-image box where none was found)
            flat_paths, flat_boxes, owner = [], [], []
            for i, (p, d) in enumerate(zip(paths, dets)):
                if len(d):
                    flat_paths += [p] * len(d)
                    flat_boxes += list(d[:, :4])
                    owner += [i] * len(d)
                else:
                    flat_paths.append(p)
                    flat_boxes.append(None)
                    owner.append(i)
            results = []
            for b in range(0, len(flat_paths), args.batch_size):
                k, sc = predict(flat_paths[b:b + args.batch_size],
                                flat_boxes[b:b + args.batch_size])
                results += list(zip(k, sc))
            for i, (image_id, cat, path) in enumerate(chunk):
                # decoded as the pipeline's LoadImage does (EXIF turns too)
                img = mmcv.imread(path, backend='cv2')
                h, w = img.shape[:2]
                idx = [j for j, o in enumerate(owner) if o == i]
                insts = []
                for n, j in enumerate(idx):
                    if flat_boxes[j] is None:
                        box, score = np.array([0, 0, w, h]), 1.0
                    else:
                        box, score = flat_boxes[j], float(dets[i][n, 4])
                    insts.append(_instance(cat, *results[j], box, score))
                record = dict(image_id=image_id, category=cat,
                              image_path=osp.abspath(path), **insts[0])
                if detector is not None:
                    record['bbox_source'] = 'detector' if len(dets[i]) \
                        else 'whole image (nothing detected)'
                    record['instances'] = insts
                stream.write(record)
                ids.append(image_id)
                cats.append(cat)
                kpts_all.append(results[idx[0]][0])
                if args.vis and (args.vis_max is None
                                 or n_vis < args.vis_max):
                    out = _vis_path(args.out_dir, image_id)
                    os.makedirs(osp.dirname(out), exist_ok=True)
                    cv2.imwrite(out, draw(img, cat, insts, detector
                                          is not None),
                                [cv2.IMWRITE_JPEG_QUALITY, 90])
                    n_vis += 1
            bar.update(len(chunk))
    finally:
        bar.close()
        stream.close()

    result_csv = osp.join(args.out_dir, 'result.csv')
    write_submission(result_csv, ids, cats,
                     np.asarray(kpts_all))
    secs = time.time() - t0
    counts = Counter(cats)
    print(f'{len(ids)} images ('
          + ', '.join(f'{counts[c]} {c}' for c in CATEGORIES if counts[c])
          + f') in {secs:.1f} s, {len(ids) / secs:.1f} images/s on '
          f'{device}, flip test {"off" if args.no_flip else "on"}')
    print(f'wrote {osp.join(args.out_dir, "keypoints.json")}')
    print(f'wrote {result_csv}')
    if n_vis:
        print(f'wrote {n_vis} pictures in {osp.join(args.out_dir, "vis")}')
    return 0


def _no_ops(e: Exception, args) -> int:
    what = 'the detector' if args.det_config else 'the model'
    hint = ('\nWhole-image boxes need no detector: leave out --det-config '
            'and --det-checkpoint (a FashionAI image holds one garment).'
            if args.det_config else '')
    print(f'error: {what} cannot run with the installed mmcv: {e}{hint}',
          file=sys.stderr)
    return EXIT_NO_OPS


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except UsageError as e:
        print(f'error: {e}', file=sys.stderr)
        return EXIT_USAGE
    except MissingMMCVOpError as e:  # mmcv-lite: no compiled ops
        return _no_ops(e, args)


if __name__ == '__main__':
    sys.exit(main())
