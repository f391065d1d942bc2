#!/usr/bin/env bash
# Install mmpose-cloth and its MMPose 1.x stack into a project virtual environment.
#
#   bash tools/install.sh            # creates/updates .venv (safe to run again)
#   VENV=/path/to/venv bash tools/install.sh
#
# It handles the ecosystem traps listed in DESIGN.md:
#   * torch 2.14.1 / torchvision 0.29.1 (mmcv full has no wheel for them, so mmcv-lite
#     2.1.0 is used; mmpose_cloth.compat stands in for the missing compiled ops),
#   * chumpy (an mmpose dependency) only builds without build isolation,
#   * xtcocotools' PyPI wheel is built against numpy 1 and breaks on numpy 2, so it is
#     built from source against the numpy that is installed.
# A stamp file records what was installed; a second run with nothing changed only
# re-checks the imports. pip's wheel cache (~/.cache/pip) makes reinstalls fast.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

if [ ! -x "$VENV/bin/python" ]; then
  echo "[install] creating virtual environment $VENV with $("$PYTHON" --version)"
  "$PYTHON" -m venv "$VENV"
fi
py="$VENV/bin/python"
pip=("$py" -m pip --disable-pip-version-check)

stamp="$VENV/.mmpose_cloth_install"
want=$(cat tools/install.sh requirements/*.txt setup.py 2>/dev/null | sha256sum | cut -d' ' -f1)

check() {
  "$py" - <<'PY'
import mmengine, mmcv, mmdet, torch, numpy, xtcocotools.coco  # noqa: F401
import mmpose_cloth  # registers everything, installs the mmcv.ops stand-in
import mmpose.models  # noqa: F401  must work on mmcv-lite
print(f'[install] ok: torch {torch.__version__}, numpy {numpy.__version__}, '
      f'mmengine {mmengine.__version__}, mmcv {mmcv.__version__}, '
      f'mmpose {__import__("mmpose").__version__}, mmdet {mmdet.__version__}, '
      f'mmpose_cloth {mmpose_cloth.__version__}')
PY
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && check 2>/dev/null; then
  exit 0
fi

echo "[install] installing the MMPose stack into $VENV (pip cache: $("${pip[@]}" cache dir 2>/dev/null || echo off))"
"${pip[@]}" install -q --upgrade pip wheel "setuptools<81"
"${pip[@]}" install -q torch==2.14.1 torchvision==0.29.1
# build tools first: chumpy and xtcocotools are built without isolation against these
"${pip[@]}" install -q -r requirements/build.txt
"${pip[@]}" install -q --no-build-isolation chumpy==0.70
if ! "$py" -c 'import xtcocotools._mask' 2>/dev/null; then
  "${pip[@]}" install -q --force-reinstall --no-deps --no-build-isolation \
    --no-binary xtcocotools xtcocotools==1.14.3
fi
"${pip[@]}" install -q -r requirements/runtime.txt
"${pip[@]}" install -q -r requirements/tests.txt
"${pip[@]}" install -q -r requirements/optional.txt  # onnx, onnxruntime, tensorboard
"${pip[@]}" install -q -r requirements/mim.txt
"${pip[@]}" install -q --no-deps openmim==0.3.9  # see requirements/mim.txt
"${pip[@]}" install -q --no-build-isolation --no-deps -e .
check
echo "$want" > "$stamp"
