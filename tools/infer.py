"""Predict FashionAI keypoints for images: JSON, a submission CSV, pictures.

Each image's garment category says which keypoints it has. Give it for
all images with ``--category``, take it from a FashionAI test list with
``--test-csv``, let it be read from the FashionAI layout
(``.../Images/<category>/<name>.jpg``), or, with a model that has a
category head (``configs/cpn/td-hm_cpn-efficientnet-lite0-category_1xb16-
3e_fashionai-192x192_cpu.py``), leave it out and the model predicts it; a
given category wins over the predicted one::

    # a FashionAI test split: test.csv + Images/ (the submission for 9,996
    # images, streamed batch by batch)
    python tools/infer.py CONFIG CHECKPOINT \\
        --test-csv data/fashionai/test/test.csv --out-dir work_dirs/infer

    # a few photos of skirts
    python tools/infer.py CONFIG CHECKPOINT photo1.jpg photos/ --category skirt

    # shop photos of any garment: the category is predicted
    python tools/infer.py CATEGORY_CONFIG CATEGORY_CHECKPOINT photos/

    # the val split with its categories predicted, not read (then score
    # result.csv against the answers with tools/analysis/fashionai_eval.py)
    python tools/infer.py CATEGORY_CONFIG CATEGORY_CHECKPOINT \
        --test-csv answers.csv --root data/fashionai/train --predict-category

    # photos with several garments: boxes from an MMDetection detector
    python tools/infer.py CONFIG CHECKPOINT photos/ --category dress \\
        --det-config DET_CONFIG --det-checkpoint DET_CKPT --det-cat-id 0

Outputs in ``--out-dir`` (default ``work_dirs/infer``):

* ``keypoints.json``: ``{"keypoint_names": [24 names], "predictions":
  [{"image_id", "image_path", "category", "category_source" ("given" or
  "predicted"), "category_confidence" (the model's probability of that
  category, null without a category head), "category_scores", "bbox",
  "bbox_score", "keypoints": 24 x [x, y] (null for keypoints the category
  does not have), "keypoint_scores": 24 x score | null,
  "mean_keypoint_score"}, ...]}``; with a detector each prediction also
  lists every detected garment in ``"instances"`` (the top-level fields
  are those of the highest-scoring box); low confidences (a photo with no
  garment) are written as they are and counted in the summary;
* ``result.csv``: a FashionAI submission with each image's category and
  only its keypoints (score it with ``tools/analysis/fashionai_eval.py``);
* ``vis/<image_id>``: each image with its category's keypoints and skeleton
  drawn, a predicted category titled with its confidence (``--no-vis`` to
  skip, ``--vis-max N`` to draw only the first N).

A CHECKPOINT ending in ``.onnx`` (``tools/deploy/export_onnx.py``) runs in
ONNX Runtime with the same pre- and post-processing (several times faster on
CPUs). ``--compile`` runs the PyTorch model's network through
``torch.compile`` (the first batch compiles, the last, partial batch once
more for its size; the summary gives the first batch's time apart from the
others'). Flip test is on (``--no-flip`` turns it off); ``--tta`` adds the
config's multi-scale views and ``--ensemble CONFIG CKPT`` further models, as
in ``tools/test.py``. Boxes are whole images unless a detector is given.
Exit status: 0 done, 2 bad arguments or inputs, 3 the installed mmcv cannot
run the detector (mmcv-lite has no compiled ops).

The steps (plan, predict, write) are in :mod:`mmpose_cloth.apis`.
"""
import argparse
import os.path as osp
import sys
import time
from collections import Counter

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))

from mmengine.config import DictAction  # noqa: E402

import mmpose_cloth  # noqa: E402,F401
from mmpose_cloth.apis import (GarmentPredictor,  # noqa: E402
                               InferenceInputError, InferenceWriter,
                               default_device, keep_predicted_categories,
                               is_video_source, load_detector, plan_images,
                               predict_batches, predict_video,
                               require_categories)
from mmpose_cloth.compat import MissingMMCVOpError  # noqa: E402
from fashionai_format import CATEGORIES  # noqa: E402

EXIT_USAGE, EXIT_NO_OPS = 2, 3


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Predict FashionAI keypoints: keypoints.json, a '
        'submission result.csv and pictures with the keypoints drawn.')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='model checkpoint file (.pth), or '
                        'an ONNX model (.onnx) to run in ONNX Runtime')
    parser.add_argument('inputs', nargs='*',
                        help='image files or folders (searched recursively), '
                        'video files (.mp4, .avi, ...) or a camera index '
                        '(0): a video gets an annotated OUT_DIR/<name>.mp4 '
                        'and its keypoints per frame in OUT_DIR/<name>.json, '
                        'the category decided per frame')
    src = parser.add_mutually_exclusive_group()
    src.add_argument('--category', choices=CATEGORIES,
                     help='the garment category of every input image '
                     '(default: the folder name in the FashionAI layout '
                     'Images/<category>/, else predicted by a model with '
                     'a category head)')
    src.add_argument('--test-csv',
                     help='a FashionAI test list (image_id,image_category); '
                     'replaces INPUTS')
    parser.add_argument('--predict-category', action='store_true',
                        help='predict every image\'s category even where '
                        'a test list or the Images/<category>/ layout '
                        'names it (to measure a category head against '
                        'known categories); needs a model with a category '
                        'head')
    parser.add_argument('--root',
                        help='folder the test list\'s image_ids are '
                        'relative to (default: the folder of --test-csv)')
    parser.add_argument('--out-dir', default='work_dirs/infer')
    parser.add_argument('--batch-size', type=int, default=16,
                        help='boxes per forward pass')
    parser.add_argument('--compile', action='store_true', default=None,
                        help='torch.compile the network (the first batch '
                        'compiles); other options instead: --cfg-options '
                        'compile.mode=max-autotune')
    parser.add_argument('--no-flip', action='store_true',
                        help='switch flip test off '
                        '(model.test_cfg.flip_test=False)')
    parser.add_argument('--tta', action='store_true',
                        help='test-time augmentation over the config\'s '
                        'tta_pipeline views (several input sizes), as '
                        'tools/test.py --tta')
    parser.add_argument('--ensemble', nargs=2, action='append', default=[],
                        metavar=('CONFIG', 'CHECKPOINT'),
                        help='average the heatmaps of another model '
                        '(repeatable), as tools/test.py --ensemble')
    parser.add_argument('--device', default=None,
                        help='e.g. cpu, cuda:0 (default: cuda:0 when '
                        'available, else cpu)')
    parser.add_argument('--vis', action=argparse.BooleanOptionalAction,
                        default=True,
                        help='draw keypoints and skeletons into '
                        'OUT_DIR/vis (default: on)')
    parser.add_argument('--vis-max', type=int, default=None,
                        help='draw at most this many images')
    parser.add_argument('--max-frames', type=int, default=None,
                        help='stop a video or camera after this many frames')
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
    if args.predict_category and args.category:
        parser.error('--predict-category and --category exclude each other')
    if args.root and not args.test_csv:
        parser.error('--root goes with --test-csv')
    if bool(args.det_config) != bool(args.det_checkpoint):
        parser.error('--det-config and --det-checkpoint go together')
    if args.batch_size < 1:
        parser.error('--batch-size must be at least 1')
    return args


def _predictor(args) -> GarmentPredictor:
    return GarmentPredictor.from_checkpoint(
        args.config, args.checkpoint, device=args.device,
        flip_test=not args.no_flip, cfg_options=args.cfg_options,
        tta=args.tta, ensemble=args.ensemble, compile=args.compile)


def run_videos(args, sources) -> int:
    """Predict every frame of each video (or camera); status 1 if one of
    them ended on a frame that could not be decoded."""
    if args.det_config or args.test_csv:
        raise InferenceInputError('videos take whole-frame boxes and no test '
                                  'list: leave out --det-config/--test-csv')
    predictor = _predictor(args)
    status = 0
    for source in sources:
        t0 = time.time()
        res = predict_video(predictor, source, args.out_dir, args.category,
                            args.batch_size, args.max_frames)
        secs = time.time() - t0
        print(f'{source}: {res.frames} frames in {secs:.1f} s, '
              f'{res.frames / secs:.1f} frames/s on {predictor.device}')
        if res.stopped:
            print(f'warning: {source}: {res.stopped}', file=sys.stderr)
            status = 1
        print(f'wrote {res.video_path}')
        print(f'wrote {res.json_path}')
    _print_compile_times(predictor)
    return status


def run(args) -> int:
    """Videos and cameras frame by frame, then the images."""
    videos = [i for i in args.inputs if is_video_source(i)]
    status = run_videos(args, videos) if videos else 0
    args.inputs = [i for i in args.inputs if i not in videos]
    if args.inputs or args.test_csv:
        status = max(status, run_images(args))
    return status


def run_images(args) -> int:
    t0 = time.time()
    items, warnings = plan_images(args.inputs, args.category, args.test_csv,
                                  args.root, allow_unknown_category=True)
    for w in warnings:
        print(f'warning: {w}', file=sys.stderr)
    if args.predict_category:
        items = [(image_id, None, path) for image_id, _, path in items]
    predictor = _predictor(args)
    require_categories(items, predictor.predicts_category)
    items, warning = keep_predicted_categories(items, predictor.keypoint_ids,
                                               predictor.name)
    if warning:
        print(f'warning: {warning}', file=sys.stderr)
    detector = None
    if args.det_config:
        detector = load_detector(args.det_config, args.det_checkpoint,
                                 default_device(args.device))

    writer = InferenceWriter(
        args.out_dir,
        dict(config=args.config, checkpoint=args.checkpoint,
             flip_test=not args.no_flip, tta=args.tta,
             ensemble=[list(m) for m in args.ensemble],
             boxes='detector' if detector else 'whole image'),
        vis=args.vis, vis_max=args.vis_max, draw_boxes=detector is not None)
    from tqdm import tqdm
    bar = tqdm(total=len(items), unit='img', desc='inference',
               dynamic_ncols=True)
    try:
        for preds in predict_batches(items, predictor, args.batch_size,
                                     detector, args.bbox_thr,
                                     args.det_cat_id, args.nms_thr):
            for pred in preds:
                writer.write(pred)
            bar.update(len(preds))
    finally:
        bar.close()
        writer.close()
    result_csv = writer.write_submission()

    secs = time.time() - t0
    n = len(writer.image_ids)
    counts = Counter(writer.categories)
    print(f'{n} images ('
          + ', '.join(f'{counts[c]} {c}' for c in CATEGORIES if counts[c])
          + f') in {secs:.1f} s, {n / secs:.1f} images/s on '
          f'{predictor.device}, flip test {"off" if args.no_flip else "on"}')
    _print_compile_times(predictor)
    if writer.n_predicted:
        print(f'category predicted for {writer.n_predicted} images')
    print(writer.low_confidence_report())
    print(f'wrote {writer.json_path}')
    print(f'wrote {result_csv}')
    if writer.n_vis:
        print(f'wrote {writer.n_vis} pictures in '
              f'{osp.join(args.out_dir, "vis")}')
    return 0


def _print_compile_times(predictor) -> None:
    if predictor.batch_times is not None:
        print(f'torch.compile: {predictor.batch_times.describe("batch")}')


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
    except InferenceInputError as e:
        print(f'error: {e}', file=sys.stderr)
        return EXIT_USAGE
    except MissingMMCVOpError as e:  # mmcv-lite: no compiled ops
        return _no_ops(e, args)


if __name__ == '__main__':
    sys.exit(main())
