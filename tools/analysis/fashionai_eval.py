"""Score a FashionAI submission (result.csv) against an answer file.

Example::

    python tools/analysis/fashionai_eval.py --gt answers.csv --pred result.csv
    python tools/analysis/fashionai_eval.py --gt answers.csv --pred result.csv --json

The normalized error (NE) is pooled over every visible ground-truth keypoint
of every image. An image whose prediction row is missing (or unreadable)
counts as error 1 for each of its visible keypoints, and the output says how
many there were. With ``--json`` one JSON object is printed; ``NE`` is a
fraction, not a percent.

Submissions as real users bring them are scored, not refused: a file without
the header row (its first cell is an image id such as
``Images/blouse/<md5>.jpg``, not ``image_id``) is read from line 1, with a
one-line note on stderr; coordinates slightly outside the image (negative,
with ``v = 1``) are predictions like any other. A row that is really
malformed is reported with file, line and column and scored as a missing
prediction; an answer file must be well formed (its header included).
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from fashionai_format import (FashionAIFormatError,  # noqa: E402
                              read_annotations)
from mmpose_cloth.evaluation import (evaluate_submission,  # noqa: E402
                                     format_ne_table)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='FashionAI normalized error of a submission')
    parser.add_argument('--gt', required=True,
                        help='answer CSV (26 columns, with visibility)')
    parser.add_argument('--pred', required=True,
                        help='submission CSV (26 columns)')
    parser.add_argument('--json', action='store_true',
                        help='print one JSON object instead of a table')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        gt = read_annotations(args.gt).records
        pred = read_annotations(args.pred, errors='collect',
                                header='optional')
    except (FashionAIFormatError, FileNotFoundError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    if not pred.has_header:
        print(f'note: {args.pred} has no header row; scoring it from line 1',
              file=sys.stderr)
    for p in pred.problems[:10]:
        print(f'warning: {p.describe(args.pred)} '
              '(scored as a missing prediction)', file=sys.stderr)
    if len(pred.problems) > 10:
        print(f'warning: ... and {len(pred.problems) - 10} more unreadable '
              'rows', file=sys.stderr)
    res = evaluate_submission(gt, pred.records, pred.problems)
    if args.json:
        print(json.dumps(res, sort_keys=True))
        return 0
    print(format_ne_table(res))
    print(f'missing predictions: {res["missing"]}, unreadable rows: '
          f'{res["unreadable"]}, invalid keypoints: {res["invalid"]}, extra '
          f'rows: {res["extra"]}, category mismatches: '
          f'{res["category_mismatch"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
