"""Score a FashionAI submission (result.csv) against an answer file.

Example::

    python tools/analysis/fashionai_eval.py --gt answers.csv --pred result.csv
    python tools/analysis/fashionai_eval.py --gt answers.csv --pred result.csv --json

The normalized error (NE) is pooled over every keypoint the answer marks
visible, in every image whose normalizing keypoints are both given and
apart (the others are left out and counted). Only those keypoints of a
prediction row are read, as the competition's scorer did. An image whose
prediction row is missing (or unreadable) counts as error 1 for each of its
visible keypoints, and the output says how many there were. The table ends
with the share of gross failures (an image's own NE over 50%) and names the
10 worst images. With ``--json`` one JSON object is printed; ``NE`` is a
fraction, not a percent.

Submissions as real users bring them are scored, not refused:

* a file without the header row (its first cell is an image id such as
  ``Images/blouse/<md5>.jpg``, not ``image_id``) is read from line 1, with
  a one-line note on stderr;
* cells for keypoints the row's category does not have (joint 24-keypoint
  models fill all 24) are ignored and counted, in one line on stderr;
* coordinates slightly outside the image (negative, with ``v = 1``) are
  predictions like any other.

A row that is really malformed (a cell that is not ``x_y_v`` with finite
numbers, in any of the 24 columns; a wrong column count; an unknown
category; a repeated image) is reported with file, line and column and
scored as a missing prediction. A row for an image not in the answers is
reported and not scored; a row whose category differs from the answer's is
reported and scored with the answer's category. An answer file must be well
formed (its header included).
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from fashionai_format import (FashionAIFormatError,  # noqa: E402
                              read_annotations)
from mmpose_cloth.evaluation import (format_ne_table,  # noqa: E402
                                     format_worst, score_submission)


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
                                header='optional', extra_keypoints='ignore')
    except (FashionAIFormatError, FileNotFoundError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    if not pred.has_header:
        print(f'note: {args.pred} has no header row; scoring it from line 1',
              file=sys.stderr)
    if pred.ignored_cells:
        print(f'note: {args.pred}: {pred.ignored_rows} rows give '
              f'{pred.ignored_cells} cells for keypoints their category does '
              'not have; ignored (only keypoints the answer marks visible '
              f'are scored), e.g. {pred.first_ignored.describe(args.pred)}',
              file=sys.stderr)
    score = score_submission(gt, pred.records, pred.problems)
    warnings = sorted(
        [(p, ' (scored as a missing prediction)') for p in pred.problems] +
        [(p, '') for p in score.flagged], key=lambda w: w[0].line)
    for p, outcome in warnings[:10]:
        print(f'warning: {p.describe(args.pred)}{outcome}', file=sys.stderr)
    if len(warnings) > 10:
        print(f'warning: ... and {len(warnings) - 10} more rows',
              file=sys.stderr)
    res = score.summary()
    res.update(ignored_cells=pred.ignored_cells,
               ignored_rows=pred.ignored_rows)
    if args.json:
        own = score.ne.per_image()
        res['worst'] = [[score.image_ids[i], float(own[i])]
                        for i in score.ne.worst(10)]
        print(json.dumps(res, sort_keys=True))
        return 0
    print(format_ne_table(res))
    worst = format_worst(score.ne, score.image_ids, 10)
    if worst:
        print(worst)
    print(f'missing predictions: {res["missing"]}, unreadable rows: '
          f'{res["unreadable"]}, invalid keypoints: {res["invalid"]}, extra '
          f'rows: {res["extra"]}, category mismatches: '
          f'{res["category_mismatch"]}, ignored cells: '
          f'{res["ignored_cells"]} in {res["ignored_rows"]} rows')
    return 0


if __name__ == '__main__':
    sys.exit(main())
