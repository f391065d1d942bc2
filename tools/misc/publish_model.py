# Copyright (c) OpenMMLab. All rights reserved.
# Adapted from MMPose 1.3.2 tools/misc/publish_model.py: the same command
# line and file name (<out>-<sha256[:8]>_<date>.pth), but the checkpoint is
# loaded weights-only, which torch >= 2.6 needs for MMEngine checkpoints
# (mmpose_cloth.engine.publish_checkpoint).
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from mmpose_cloth.engine import publish_checkpoint  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(
        description='Process a checkpoint to be published')
    parser.add_argument('in_file', help='input checkpoint filename')
    parser.add_argument('out_file', help='output checkpoint filename')
    parser.add_argument(
        '--save-keys',
        nargs='+',
        type=str,
        default=['meta', 'state_dict'],
        help='keys to save in published checkpoint (default: meta state_dict)')
    parser.add_argument(
        '--fp16', action='store_true',
        help='store the weights as float16 (half the size; measure the NE)')
    return parser.parse_args()


def main():
    args = parse_args()
    print(publish_checkpoint(args.in_file, args.out_file, args.save_keys,
                             fp16=args.fp16))


if __name__ == '__main__':
    main()
