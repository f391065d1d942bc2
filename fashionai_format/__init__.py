"""The FashionAI Key Points Detection format, without torch or MMPose.

The schema (keypoints, categories, normalizing pairs, flips, skeletons) is
the one source of truth that everything in mmpose-cloth derives from; next
to it are the CSV files, image checks, the COCO conversion and the MMPose
metainfo built from the schema. It needs only numpy (and PIL/OpenCV for the
image checks), so tools that only read or write the format start without
torch, MMCV and MMPose. ``import mmpose_cloth`` is the MMPose plugin.
"""
from .coco import (ConversionReport, coco_to_records, convert_split,
                   records_to_coco, split_coco, write_rejects)
from .csv_io import (FashionAIFormatError, FashionAIRecord, ReadResult,
                     RowProblem, read_annotations, read_test_list,
                     write_annotations, write_submission, write_test_list)
from .image_check import read_image_size, verify_image
from .merge import MergeReport, merge_submissions
from .metainfo import fashionai_metainfo
from .schema import (CATEGORIES, CATEGORY_KEYPOINTS, CSV_HEADER,
                     KEYPOINT_NAMES, NORM_PAIRS, NUM_KEYPOINTS, SKELETONS,
                     category_keypoint_names, check_category,
                     keypoint_indices, norm_pair_indices)

__all__ = [
    'CATEGORIES', 'CATEGORY_KEYPOINTS', 'CSV_HEADER', 'KEYPOINT_NAMES',
    'NORM_PAIRS', 'NUM_KEYPOINTS', 'SKELETONS', 'category_keypoint_names',
    'check_category', 'keypoint_indices', 'norm_pair_indices',
    'FashionAIFormatError', 'FashionAIRecord', 'ReadResult', 'RowProblem',
    'read_annotations', 'read_test_list', 'write_annotations',
    'write_submission', 'write_test_list', 'fashionai_metainfo',
    'read_image_size', 'verify_image', 'ConversionReport', 'coco_to_records',
    'convert_split', 'records_to_coco', 'split_coco', 'write_rejects',
    'MergeReport', 'merge_submissions'
]
