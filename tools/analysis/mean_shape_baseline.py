"""The guess that ignores the image: each category's mean keypoint position.

Fits the mean of every keypoint's position, relative to the image size, per
category on a training COCO file, predicts it for every image of an
evaluation COCO file, and scores it with the FashionAI NE. A model that
learns must beat this by a wide margin. Example::

    python tools/analysis/mean_shape_baseline.py \
        data/fashionai/annotations/train.json data/fashionai/annotations/val.json \
        --out-dir work_dirs/mean_shape
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from fashionai_format import (read_annotations,  # noqa: E402
                              write_annotations, write_submission)
from mmpose_cloth.baselines import (fit_mean_shape,  # noqa: E402
                                    predict_mean_shape)
from mmpose_cloth.evaluation import (evaluate_submission,  # noqa: E402
                                     format_ne_table)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('train_json')
    parser.add_argument('eval_json')
    parser.add_argument('--out-dir', default='work_dirs/mean_shape')
    parser.add_argument('--json', action='store_true',
                        help='print the result as one JSON object')
    args = parser.parse_args(argv)
    with open(args.train_json) as f:
        train = json.load(f)
    with open(args.eval_json) as f:
        evaluation = json.load(f)
    answers, preds = predict_mean_shape(fit_mean_shape(train), evaluation)
    os.makedirs(args.out_dir, exist_ok=True)
    answers_csv = osp.join(args.out_dir, 'answers.csv')
    result_csv = osp.join(args.out_dir, 'result.csv')
    write_annotations(answers_csv, answers)
    write_submission(result_csv, [r.image_id for r in answers],
                     [r.category for r in answers], preds)
    res = evaluate_submission(answers, read_annotations(result_csv).records)
    if args.json:
        print(json.dumps(res, sort_keys=True))
    else:
        print(format_ne_table(
            res, title='Mean-shape guess (ignores the image), FashionAI '
            'normalized error'))
        print(f'wrote {result_csv} and {answers_csv}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
