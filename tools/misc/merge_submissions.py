"""Merge several result.csv files (e.g. one per garment category, as the
CPN paper trains them) into one FashionAI submission for a test list.

    python tools/misc/merge_submissions.py test.csv \\
        work_dirs/infer_blouse/result.csv work_dirs/infer_skirt/result.csv ... \\
        --out submission.csv

Every test image must be predicted by exactly one file, with the test list's
category; otherwise nothing is written and the problems are listed (exit
status 1). ``--allow-missing`` writes images no file predicts as all
-1_-1_-1. Needs only the FashionAI format package (no torch).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from fashionai_format import (FashionAIFormatError,  # noqa: E402
                              merge_submissions)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Merge result.csv files into one FashionAI submission')
    parser.add_argument('test_list', help='image_id,image_category CSV')
    parser.add_argument('submissions', nargs='+', help='result.csv files')
    parser.add_argument('--out', required=True, help='the merged CSV')
    parser.add_argument('--allow-missing', action='store_true',
                        help='write images no file predicts as -1_-1_-1')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        report = merge_submissions(args.test_list, args.submissions,
                                   args.out, args.allow_missing)
    except (FashionAIFormatError, FileNotFoundError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    for path, n in report.rows_per_file.items():
        print(f'{path}: {n} rows')
    for line in report.warnings():
        print(f'warning: {line}', file=sys.stderr)
    for line in report.problems():  # only warnings once the file is written
        print(f'{"warning" if report.written else "error"}: {line}',
              file=sys.stderr)
    if not report.written:
        print(f'nothing written to {args.out}', file=sys.stderr)
        return 1
    print(f'wrote {args.out}: {sum(report.rows_per_file.values())} '
          'predicted images' +
          (f', {len(report.missing)} missing' if report.missing else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
