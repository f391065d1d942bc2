"""``tools/infer.py`` in one call: videos frame by frame, then images in
three steps (plan, predict, write), with a summary on the console."""
import os.path as osp
import sys
import time
from collections import Counter
from typing import Optional, Sequence, Tuple

from tqdm import tqdm

from fashionai_format import CATEGORIES
from mmpose_cloth.compat import MissingMMCVOpError
from mmpose_cloth.predictors import (GarmentPredictor, InferenceInputError,
                                     default_device)
from .infer_plan import keep_predicted_categories, plan_images, \
    require_categories
from .infer_predict import load_detector, predict_images
from .infer_video import is_video_source, predict_video
from .infer_write import InferenceWriter
from .predictor import build_predictor

__all__ = ['run_inference', 'EXIT_USAGE', 'EXIT_NO_OPS']

#: exit status: bad arguments or inputs; the installed mmcv cannot run it
EXIT_USAGE, EXIT_NO_OPS = 2, 3


def run_inference(config: Optional[str],
                  checkpoint: Optional[str],
                  inputs: Sequence[str] = (),
                  category: Optional[str] = None,
                  test_csv: Optional[str] = None,
                  predict_category: bool = False,
                  root: Optional[str] = None,
                  out_dir: str = 'work_dirs/infer',
                  batch_size: int = 16,
                  flip_test: bool = True,
                  tta: bool = False,
                  ensemble: Sequence[Tuple[str, str]] = (),
                  compile: Optional[bool] = None,
                  device: Optional[str] = None,
                  cfg_options: Optional[dict] = None,
                  vis: bool = True,
                  vis_max: Optional[int] = None,
                  max_frames: Optional[int] = None,
                  det_config: Optional[str] = None,
                  det_checkpoint: Optional[str] = None,
                  det_cat_ids: Optional[Sequence[int]] = None,
                  bbox_thr: float = 0.3,
                  nms_thr: float = 0.3,
                  model: Optional[str] = None) -> int:
    """Predict FashionAI keypoints for images, videos and cameras: write
    ``keypoints.json``, ``result.csv`` and pictures (images), or an
    annotated video and its keypoints per frame, and print a summary.

    The arguments are ``tools/infer.py``'s (which see). Errors in the
    inputs are printed, not raised.

    Returns:
        int: the exit status: 0 done, 1 a video ended on a frame that could
        not be decoded, :data:`EXIT_USAGE` bad inputs,
        :data:`EXIT_NO_OPS` the installed mmcv cannot run the detector
        (mmcv-lite has no compiled ops).
    """
    predictor = None

    def get_predictor() -> GarmentPredictor:
        nonlocal predictor
        if predictor is None:
            predictor = build_predictor(
                config, checkpoint, device=device, flip_test=flip_test,
                cfg_options=cfg_options, tta=tta, ensemble=ensemble,
                compile=compile, model=model)
        return predictor

    try:
        videos = [i for i in inputs if is_video_source(i)]
        status = 0
        if videos:
            if det_config or test_csv:
                raise InferenceInputError(
                    'videos take whole-frame boxes and no test list: leave '
                    'out --det-config/--test-csv')
            status = _run_videos(get_predictor(), videos, out_dir, category,
                                 batch_size, max_frames)
        images = [i for i in inputs if i not in videos]
        if images or test_csv:
            status = max(status, _run_images(
                get_predictor, images, category, test_csv, predict_category,
                root, out_dir, batch_size,
                dict(config=config, checkpoint=checkpoint,
                     flip_test=flip_test, tta=tta,
                     ensemble=[list(m) for m in ensemble]),
                vis, vis_max, device, det_config, det_checkpoint,
                det_cat_ids, bbox_thr, nms_thr))
        return status
    except InferenceInputError as e:
        print(f'error: {e}', file=sys.stderr)
        return EXIT_USAGE
    except MissingMMCVOpError as e:  # mmcv-lite: no compiled ops
        what = 'the detector' if det_config else 'the model'
        hint = ('\nWhole-image boxes need no detector: leave out '
                '--det-config and --det-checkpoint (a FashionAI image '
                'holds one garment).' if det_config else '')
        print(f'error: {what} cannot run with the installed mmcv: {e}'
              f'{hint}', file=sys.stderr)
        return EXIT_NO_OPS


def _run_videos(predictor: GarmentPredictor, sources: Sequence[str],
                out_dir: str, category: Optional[str], batch_size: int,
                max_frames: Optional[int]) -> int:
    """Predict every frame of each video (or camera); status 1 if one of
    them ended on a frame that could not be decoded."""
    status = 0
    for source in sources:
        t0 = time.time()
        res = predict_video(predictor, source, out_dir, category, batch_size,
                            max_frames)
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


def _run_images(get_predictor, inputs, category, test_csv, predict_category,
                root, out_dir, batch_size, header, vis, vis_max, device,
                det_config, det_checkpoint, det_cat_ids, bbox_thr,
                nms_thr) -> int:
    t0 = time.time()
    items, warnings = plan_images(inputs, category, test_csv, root,
                                  allow_unknown_category=True)
    for w in warnings:
        print(f'warning: {w}', file=sys.stderr)
    if predict_category:
        items = [(image_id, None, path) for image_id, _, path in items]
    predictor = get_predictor()
    require_categories(items, predictor.predicts_category)
    items, warning = keep_predicted_categories(items, predictor.keypoint_ids,
                                               predictor.name)
    if warning:
        print(f'warning: {warning}', file=sys.stderr)
    detector = None
    if det_config:
        detector = load_detector(det_config, det_checkpoint,
                                 default_device(device))

    writer = InferenceWriter(
        out_dir,
        dict(header, boxes='detector' if detector else 'whole image'),
        vis=vis, vis_max=vis_max, draw_boxes=detector is not None)
    bar = tqdm(total=len(items), unit='img', desc='inference',
               dynamic_ncols=True)
    try:
        for preds in predict_images(items, predictor, batch_size, detector,
                                    bbox_thr, det_cat_ids, nms_thr):
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
          f'{predictor.device}, flip test '
          f'{"on" if header["flip_test"] else "off"}')
    _print_compile_times(predictor)
    if writer.n_predicted:
        print(f'category predicted for {writer.n_predicted} images')
    print(writer.low_confidence_report())
    print(f'wrote {writer.json_path}')
    print(f'wrote {result_csv}')
    if writer.n_vis:
        print(f'wrote {writer.n_vis} pictures in '
              f'{osp.join(out_dir, "vis")}')
    return 0


def _print_compile_times(predictor: GarmentPredictor) -> None:
    if predictor.batch_times is not None:
        print(f'torch.compile: {predictor.batch_times.describe("batch")}')
