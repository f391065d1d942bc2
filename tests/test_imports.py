"""What importing costs and what it registers, each in a fresh interpreter:
the FashionAI format imports without torch, MMCV or MMPose; a config's
``custom_imports=dict(imports=['mmpose_cloth'])`` registers everything."""
import json
import subprocess
import sys

from conftest import REPO

#: Heavy packages the FashionAI format must not import.
HEAVY = ('torch', 'torchvision', 'mmcv', 'mmengine', 'mmpose')


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, '-c', code], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout


def test_the_format_imports_without_torch():
    out = _run(
        'import json, sys\n'
        'import fashionai_format\n'
        'import fashionai_format.schema\n'
        'from fashionai_format import CATEGORIES, read_annotations\n'
        f'print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n')
    assert json.loads(out) == []


def _registered_here() -> dict:
    """Registry name -> the mmpose_cloth classes registered in it, in this
    (test) process, where the whole package is imported."""
    import mmpose_cloth  # noqa: F401
    from mmpose import registry
    out = {}
    for name in ('DATASETS', 'METRICS', 'KEYPOINT_CODECS', 'MODELS',
                 'HOOKS', 'VISUALIZERS'):
        reg = getattr(registry, name)
        out[name] = sorted(
            k for k, v in reg.module_dict.items()
            if getattr(v, '__module__', '').startswith('mmpose_cloth.'))
    return out


def test_custom_imports_registers_everything(tmp_path):
    expected = _registered_here()
    for reg, names in (('DATASETS', 'FashionAIDataset'),
                       ('METRICS', 'FashionAIMetric'),
                       ('KEYPOINT_CODECS', 'SeparableMegviiHeatmap'),
                       ('MODELS', 'CPNHead'), ('MODELS', 'DetNet'),
                       ('HOOKS', 'KeypointCountCheckHook'),
                       ('HOOKS', 'ChannelsLastHook'),
                       ('VISUALIZERS', 'FashionAIPoseLocalVisualizer')):
        assert names in expected[reg], (reg, names)
    cfg = tmp_path / 'cfg.py'
    cfg.write_text("custom_imports = dict(imports=['mmpose_cloth'], "
                   'allow_failed_imports=False)\n')
    out = _run(
        'import json, sys\n'
        'from mmengine.config import Config\n'
        "assert 'mmpose_cloth' not in sys.modules\n"
        f'Config.fromfile({str(cfg)!r})\n'
        'from mmpose import registry\n'
        f'expected = {expected!r}\n'
        'print(json.dumps({r: [n for n in names\n'
        '                      if getattr(registry, r).get(n) is None]\n'
        '                  for r, names in expected.items()}))\n')
    assert json.loads(out) == {r: [] for r in expected}
