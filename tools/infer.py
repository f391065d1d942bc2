"""Predict FashionAI keypoints for images: JSON, a submission CSV, pictures.

With no config and checkpoint, the model zoo's default model (shipped with
the package; ``--model NAME`` picks another) predicts the category and the
keypoints::

    python tools/infer.py photos/

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

The run is :func:`mmpose_cloth.apis.run_inference`; the steps (plan,
predict, write) are in :mod:`mmpose_cloth.apis`.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))

from fashionai_format import CATEGORIES  # noqa: E402
from mmpose_cloth.apis import run_inference  # noqa: E402
from mmpose_cloth.model_zoo import format_models  # noqa: E402
from mmpose_cloth.utils.cli import (add_cfg_options_argument,  # noqa: E402
                                    add_compile_argument, add_tta_arguments)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Predict FashionAI keypoints: keypoints.json, a '
        'submission result.csv and pictures with the keypoints drawn.')
    parser.add_argument('inputs', nargs='*', metavar='[CONFIG CHECKPOINT] '
                        'INPUTS',
                        help='optionally a model config file (.py) and its '
                        'checkpoint (.pth, or an ONNX model .onnx to run in '
                        'ONNX Runtime; default: a model-zoo model, '
                        '--model), then image files or folders (searched '
                        'recursively), video files (.mp4, .avi, ...) or a '
                        'camera index (0): a video gets an annotated '
                        'OUT_DIR/<name>.mp4 and its keypoints per frame in '
                        'OUT_DIR/<name>.json, the category decided per '
                        'frame')
    parser.add_argument('--model', default=None,
                        help='a model of the model zoo, by name or alias, '
                        'instead of CONFIG CHECKPOINT (default: the zoo\'s '
                        'default model; --list-models lists them)')
    parser.add_argument('--list-models', action='store_true',
                        help='list the model zoo and exit')
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
    add_compile_argument(parser)
    parser.add_argument('--no-flip', action='store_true',
                        help='switch flip test off '
                        '(model.test_cfg.flip_test=False)')
    add_tta_arguments(parser)
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
    add_cfg_options_argument(parser, help='override model config settings, '
                             'key=value')
    args = parser.parse_args(argv)
    if args.list_models:
        return args
    args.config = args.checkpoint = None
    if args.inputs and args.inputs[0].endswith('.py'):
        if len(args.inputs) < 2:
            parser.error('a CONFIG needs its CHECKPOINT')
        args.config, args.checkpoint = args.inputs[:2]
        args.inputs = args.inputs[2:]
        if args.model:
            parser.error('give --model or CONFIG CHECKPOINT, not both')
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


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.list_models:
        print(format_models())
        return 0
    return run_inference(
        args.config, args.checkpoint, args.inputs, category=args.category,
        test_csv=args.test_csv, predict_category=args.predict_category,
        root=args.root, out_dir=args.out_dir, batch_size=args.batch_size,
        flip_test=not args.no_flip, tta=args.tta, ensemble=args.ensemble,
        compile=args.compile, device=args.device,
        cfg_options=args.cfg_options, vis=args.vis, vis_max=args.vis_max,
        max_frames=args.max_frames, det_config=args.det_config,
        det_checkpoint=args.det_checkpoint, det_cat_ids=args.det_cat_id,
        bbox_thr=args.bbox_thr, nms_thr=args.nms_thr, model=args.model)


if __name__ == '__main__':
    sys.exit(main())
