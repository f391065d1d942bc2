"""tools/analysis/profile_train_step.py: the profiler table of a real
training step (ResNet-18 SimpleBaseline at 64x64, one step)."""
import os.path as osp

from conftest import REPO, load_tool

SIMPLE = osp.join(REPO, 'configs', 'simplebaseline',
                  'td-hm_res18_1xb16-30min_fashionai-128x128_cpu.py')


def test_profile_table_of_a_training_step(capsys):
    tool = load_tool('tools/analysis/profile_train_step.py', 'profile_step')
    assert tool.main([SIMPLE, '--batch', '1', '--steps', '1', '--rows', '30',
                      '--input-size', '64x64', '--no-acc']) == 0
    out = capsys.readouterr().out
    assert 'simplebaseline/res18' in out and 's per profiled step' in out
    # the operators of a forward + backward + Adam step
    assert 'Self CPU' in out and 'convolution_backward' in out
