"""The image files of folders: one list of extensions, one folder walk,
for every tool that takes folders of images."""
import os
import os.path as osp
from typing import List

__all__ = ['IMAGE_EXTS', 'find_images']

#: the file endings (lower case) of the images searched in folders
IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')


def find_images(folder: str) -> List[str]:
    """The image files under ``folder`` (searched recursively, by
    :data:`IMAGE_EXTS`, in any case), sorted by path.

    Args:
        folder (str): the folder.

    Returns:
        list[str]: the paths, ``folder`` joined with each file's path
        inside it.
    """
    found = []
    for d, _, names in os.walk(folder):
        found += [osp.join(d, n) for n in names
                  if n.lower().endswith(IMAGE_EXTS)]
    return sorted(found)
