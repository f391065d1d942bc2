"""Checks of FashionAI image files: the header's size, a full decode.

The COCO converter reads each image's size from its header (and, with
``--verify``, decodes it as training does); the dataset asks why an image
failed to load. Both use these two functions, so the reasons read the same.
"""
import os.path as osp
from typing import Tuple

import numpy as np

__all__ = ['read_image_size', 'verify_image']


def read_image_size(path: str) -> Tuple[int, int]:
    """Width and height of an image, read from its header (no full decode).

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file is empty, not an image PIL can identify, or
            larger than PIL's decompression-bomb limit (about 179 million
            pixels, ``PIL.Image.MAX_IMAGE_PIXELS`` x 2).
    """
    from PIL import Image
    if not osp.isfile(path):
        raise FileNotFoundError(f'image file not found: {path}')
    if osp.getsize(path) == 0:
        raise ValueError(f'image file is empty (0 bytes): {path}')
    try:
        with Image.open(path) as im:
            w, h = im.size
    except Image.DecompressionBombError as e:
        raise ValueError(f'image is too large to load safely ({e}): '
                         f'{path}') from None
    except Exception as e:  # PIL raises many types for malformed files
        raise ValueError(f'cannot read image header of {path}: {e}') from None
    if w <= 0 or h <= 0:
        raise ValueError(f'image has no pixels ({w}x{h}): {path}')
    return w, h


def verify_image(path: str) -> Tuple[int, int]:
    """Decode an image fully, as training does (OpenCV, 3-channel BGR).

    Grayscale, CMYK and PNG data in a ``.jpg`` file decode fine (to BGR);
    OpenCV refuses a truncated JPEG.

    Returns:
        tuple: ``(width, height)`` of the decoded image.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file is empty, too large for OpenCV, or cannot be
            decoded; the message names the path and the reason.
    """
    import cv2
    if not osp.isfile(path):
        raise FileNotFoundError(f'image file not found: {path}')
    buf = np.fromfile(path, dtype=np.uint8)
    if not buf.size:
        raise ValueError(f'image file is empty (0 bytes): {path}')
    try:
        img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    except cv2.error as e:
        msg = str(e).strip().splitlines()[-1]
        raise ValueError(f'image cannot be decoded ({msg}): {path}') from None
    if img is None:
        raise ValueError(f'image cannot be decoded (corrupt, truncated or '
                         f'not an image): {path}')
    return img.shape[1], img.shape[0]
