"""Keypoints for every frame of a video file (or a camera): an annotated
video and the keypoints per frame in JSON, as ``tools/infer.py`` writes them
for images."""
import os
import os.path as osp
from typing import List, NamedTuple, Optional

import cv2
import numpy as np
from tqdm import tqdm

from mmpose_cloth.predictors import (GarmentPredictor, InferenceInputError,
                                     check_predicted_categories)
from .infer_write import JsonArrayStream, draw_instances, format_instance

__all__ = ['VIDEO_EXTS', 'VideoResult', 'is_video_source', 'predict_video']

VIDEO_EXTS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg')


def is_video_source(source: str) -> bool:
    """A video file (by extension) or a camera index (``'0'``)."""
    return source.isdigit() or (osp.isfile(source) and osp.splitext(
        source)[1].lower() in VIDEO_EXTS)


class VideoResult(NamedTuple):
    """What :func:`predict_video` wrote.

    Attributes:
        frames (int): frames predicted and written.
        expected (int | None): frames the file says it has (``None`` for a
            camera or where the container does not say).
        json_path (str): the keypoints, one record per frame.
        video_path (str): the annotated video.
        stopped (str | None): why reading ended before ``expected`` frames
            (an unreadable frame), else ``None``.
    """
    frames: int
    expected: Optional[int]
    json_path: str
    video_path: str
    stopped: Optional[str]


def predict_video(predictor: GarmentPredictor,
                  source: str,
                  out_dir: str,
                  category: Optional[str] = None,
                  batch_size: int = 8,
                  max_frames: Optional[int] = None,
                  progress: bool = True) -> VideoResult:
    """Predict the garment keypoints of every frame.

    Each frame is one whole-image box, predicted like an image (the model's
    test pipeline and flip test), handed to the predictor as the array
    OpenCV decoded. The
    category is decided **per frame**: the given ``category`` for every
    frame, else the category head's prediction for that frame (a garment
    can change between shots). Writes ``<name>.mp4`` (the frames with the
    category's keypoints and skeleton) and ``<name>.json`` (``fps``,
    ``size`` and per frame ``frame`` plus the fields of an image
    prediction); both are written under a ``.part`` name and renamed only
    when reading ends, so a file that is there is complete for the frames it
    names.

    Args:
        predictor (GarmentPredictor): the model.
        source (str): a video file, or a camera index such as ``'0'``.
        out_dir (str): where to write.
        category (str, optional): every frame's category.
        batch_size (int): frames per forward pass.
        max_frames (int, optional): stop after this many (a camera runs
            until it stops or Ctrl-C otherwise).
        progress (bool): show a progress bar.

    Returns:
        VideoResult: counts, paths, and why reading stopped early if it did.

    Raises:
        InferenceInputError: the video cannot be opened, no category is
            given for a model without a category head, or the given one has
            keypoints the model does not predict.
    """
    if category is None and not predictor.predicts_category:
        raise InferenceInputError(
            f'{source}: the garment category of the frames is unknown and '
            'the model has no category head; pass --category')
    if category is not None:
        check_predicted_categories([(source, category, source)],
                                   predictor.keypoint_ids, predictor.name)
    camera = source.isdigit()
    cap = cv2.VideoCapture(int(source) if camera else source)
    ok, frame = cap.read() if cap.isOpened() else (False, None)
    if not ok:
        cap.release()
        raise InferenceInputError(
            f'cannot read camera {source} (no camera on this machine?)'
            if camera else f'cannot read video {source}: not a video file '
            'OpenCV can decode, or its first frame is damaged')
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    expected = None if camera or count <= 0 else count
    if max_frames is not None:
        expected = max_frames if expected is None else min(expected,
                                                           max_frames)
    h, w = frame.shape[:2]
    os.makedirs(out_dir, exist_ok=True)
    stem = f'camera{source}' if camera else osp.splitext(
        osp.basename(source))[0]
    json_path = osp.join(out_dir, f'{stem}.json')
    video_path = osp.join(out_dir, f'{stem}.mp4')
    part_json, part_video = json_path + '.part', video_path + '.part.mp4'
    writer = cv2.VideoWriter(part_video, cv2.VideoWriter_fourcc(*'mp4v'),
                             fps, (w, h))
    bar = None
    if progress:
        bar = tqdm(total=expected, unit='frame', desc=stem,
                   dynamic_ncols=True)
    n, stopped = 0, None
    stream = JsonArrayStream(
        part_json,
        dict(source=source, fps=fps, size=[w, h],
             category_decided='per frame'), 'frames')
    try:
        batch = []
        while ok:
            batch.append(frame)
            full = max_frames is not None and n + len(batch) >= max_frames
            if not full:
                ok, frame = cap.read()
            if len(batch) == batch_size or not ok or full:
                n = _predict_frames(predictor, batch, n, category, stream,
                                    writer)
                if bar is not None:
                    bar.update(len(batch))
                batch = []
            if full:
                break
    except KeyboardInterrupt:
        stopped = f'interrupted after {n} frames'
    finally:
        stream.close()
        cap.release()
        writer.release()
        if bar is not None:
            bar.close()
    if stopped is None and expected is not None and n < expected:
        stopped = (f'frame {n + 1} of {expected} could not be decoded; the '
                   f'output covers frames 1-{n}')
    os.replace(part_json, json_path)
    os.replace(part_video, video_path)
    return VideoResult(n, expected, json_path, video_path, stopped)


def _predict_frames(predictor: GarmentPredictor, frames: List[np.ndarray],
                    first: int, category: Optional[str],
                    stream: JsonArrayStream, writer) -> int:
    """Predict, write and draw one batch of frames; return the next frame
    number."""
    preds = predictor.predict(frames, categories=category,
                              batch_size=len(frames))
    for j, (img, pred) in enumerate(zip(frames, preds)):
        inst = format_instance(pred)
        stream.write(dict(frame=first + j, **inst))
        writer.write(draw_instances(img, pred.category, [inst], False))
    return first + len(frames)
