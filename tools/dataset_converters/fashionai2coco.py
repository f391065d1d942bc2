"""Convert a FashionAI split folder to COCO-style keypoint JSON.

Example::

    python tools/dataset_converters/fashionai2coco.py \
        data/fashionai/train data/fashionai/annotations/train.json \
        --val-ratio 0.15 --seed 0

writes ``train.json`` and ``val.json`` (a deterministic split, stratified by
category) and ``train.rejects.csv`` listing every row that could not be used
(``line,image_id,reason``). ``--strict`` exits with status 1 if any row was
rejected, and shows the first few rejected rows (file, line, column,
reason) on the screen.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from fashionai_format import (CATEGORIES, convert_split,  # noqa: E402
                              split_coco, write_rejects)

#: Rejected rows ``--strict`` shows on the screen; the rest are counted.
SHOW_REJECTS = 5


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='FashionAI split folder (Annotations/*.csv + Images/) '
        'to COCO keypoint JSON')
    parser.add_argument('split_dir', help='e.g. data/fashionai/train')
    parser.add_argument('out_json', help='output JSON; with --val-ratio, '
                        'the val part goes next to it as val.json '
                        '(or --val-json)')
    parser.add_argument('--csv', default='Annotations/train.csv',
                        help='annotation CSV relative to SPLIT_DIR')
    parser.add_argument('--category', choices=CATEGORIES,
                        help='keep only one garment category')
    parser.add_argument('--val-ratio', type=float, default=None,
                        help='fraction of each category held out for val')
    parser.add_argument('--seed', type=int, default=0, help='split seed')
    parser.add_argument('--val-json', default=None,
                        help='where the val part goes (default: val.json '
                        'beside OUT_JSON)')
    parser.add_argument('--bbox', choices=('image', 'tight'), default='image',
                        help='whole-image box (default) or a tight box '
                        'around the keypoints')
    parser.add_argument('--margin', type=float, default=0.1,
                        help='relative margin of --bbox tight')
    parser.add_argument('--verify', action='store_true',
                        help='decode every image fully to catch corrupt or '
                        'truncated files (slower)')
    parser.add_argument('--strict', action='store_true',
                        help='exit with status 1 if any row was rejected')
    parser.add_argument('--no-progress', action='store_true')
    return parser.parse_args(argv)


def dump(obj: dict, path: str) -> None:
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))


def main(argv=None) -> int:
    args = parse_args(argv)
    coco, report = convert_split(
        args.split_dir, csv=args.csv, category=args.category, bbox=args.bbox,
        margin=args.margin, verify=args.verify,
        progress=not args.no_progress)
    outputs = {}
    if args.val_ratio:
        train, val = split_coco(coco, args.val_ratio, args.seed)
        val_json = args.val_json or osp.join(
            osp.dirname(osp.abspath(args.out_json)), 'val.json')
        dump(train, args.out_json)
        dump(val, val_json)
        outputs = {args.out_json: train, val_json: val}
    else:
        dump(coco, args.out_json)
        outputs = {args.out_json: coco}
    rejects_path = osp.splitext(args.out_json)[0] + '.rejects.csv'
    write_rejects(rejects_path, report.rejects)

    print(f'rows read: {report.rows}, images converted: {report.images}, '
          f'rejected: {len(report.rejects)}'
          + (f', other categories skipped: {report.skipped_category}'
             if args.category else ''))
    print('per category: ' + ', '.join(
        f'{c} {report.per_category.get(c, 0)}' for c in CATEGORIES
        if args.category in (None, c)))
    print(f'keypoints: visible {report.visibility.get("visible", 0)}, '
          f'occluded {report.visibility.get("occluded", 0)}; outside their '
          f'image (kept): {len(report.out_of_image)}')
    reasons = {}
    for p in report.rejects:
        key = p.reason if p.column is None else f'column {p.column}'
        reasons[key] = reasons.get(key, 0) + 1
    for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f'  rejected: {n} x {reason}')
    for path, part in outputs.items():
        print(f'wrote {path} ({len(part["images"])} images)')
    print(f'wrote {rejects_path} ({len(report.rejects)} rows)')
    if args.strict and report.rejects:
        print(f'--strict: {len(report.rejects)} row(s) rejected, see '
              f'{rejects_path}', file=sys.stderr)
        # the first rows on screen, so the usual fix needs no second look
        csv_path = args.csv if osp.isabs(args.csv) else osp.join(
            args.split_dir, args.csv)
        for p in report.rejects[:SHOW_REJECTS]:
            image = f' [{p.image_id}]' if p.image_id else ''
            print(f'  {p.describe(csv_path)}{image}', file=sys.stderr)
        more = len(report.rejects) - SHOW_REJECTS
        if more > 0:
            print(f'  ... and {more} more in {rejects_path}',
                  file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
