#!/usr/bin/env bash
# CI's proof, without a GPU, that the GPU check installs and runs on the GPU machine as it is (a step of .ci/run):
#  1. a fresh virtual environment (python3 -m venv, no system site-packages) holding only the GPU image's packages
#     (scripts/gpu_image_packages.txt), linked from this environment rather than downloaded (scripts/gpu_image_env.py);
#     fastai, fastcore, fastprogress, nbdev, the kit, ... must not be importable there;
#  2. scripts/gpu_prepare.sh's derivation for this Python into a folder of its own (downloads come from pip's cache
#     after the first run);
#  3. pip install --no-index --no-deps of those wheels and the kit's wheel into the environment, as on the GPU machine;
#  4. there, from outside the checkout: the versions are the set's, every structinit module imports and loads only
#     the image's and the set's distributions (scripts/wheelset.py --verify), and the GPU check's CPU twin runs end
#     to end: python -m structinit.gpucheck --device cpu --small --quick (exit 0 when every row is ok).
# Needs the kit's set-up (README) in this environment. Usage: bash scripts/gpu_env_check.sh   (GPU_ENV_DIR: the work
# folder, default .gpu_env/, emptied first and left for inspection; ignored by git). Exit status: that of the failed step.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD; t0=$(date +%s)
dir=${GPU_ENV_DIR:-.gpu_env}
rm -rf "$dir"; mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
unset PYTHONPATH
PYV=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VPY="$dir/venv/bin/python"
step() { echo "-- $1 (at $(( $(date +%s) - t0 )) s)"; }

step "a virtual environment with only the GPU image's packages, linked from this environment"
python3 -m venv "$dir/venv"
python3 scripts/gpu_image_env.py "$dir/venv"
(cd "$dir" && "$VPY" - <<'EOF'
import importlib.util, sys
absent = ['fastai', 'fastcore', 'fastprogress', 'fasttransform', 'fastdownload', 'plum', 'beartype', 'nbdev', 'execnb',
          'fasthtml', 'spacy', 'IPython', 'structinit']
present = ['torch', 'torchvision', 'timm', 'accelerate', 'pandas', 'numpy', 'matplotlib', 'sklearn', 'einops', 'filelock']
there = [m for m in absent if importlib.util.find_spec(m)]
gone = [m for m in present if not importlib.util.find_spec(m)]
if there: sys.exit(f"gpu_env_check: the image-only environment can import {', '.join(there)}: it is not the GPU image")
if gone: sys.exit(f"gpu_env_check: the image-only environment cannot import {', '.join(gone)}")
print(f"gpu_env_check: importable: {', '.join(present)}; not importable: {', '.join(absent)}")
EOF
)

step "the wheel set for Python $PYV (scripts/gpu_prepare.sh)"
PY=$PYV WHL="$dir/whl" DATA_DEST="$dir/data" bash scripts/gpu_prepare.sh

step "pip install --no-index --no-deps of the set and the kit, as on the GPU machine"
"$VPY" -m pip install -q --no-index --no-deps --disable-pip-version-check "$dir"/whl/*.whl

step "in the environment, outside the checkout: the set's versions and the import proof"
cd "$dir"
python3 "$repo/scripts/wheelset.py" --python "$PYV" --dest "$dir/whl" --verify "$VPY"
"$VPY" -c "import structinit.cli, structinit.gpucheck, structinit, sys; assert structinit.__file__.startswith(sys.prefix), structinit.__file__; print('gpu_env_check: import structinit.cli, structinit.gpucheck: ok, from', structinit.__file__)"

step "the GPU check's CPU twin: python -m structinit.gpucheck --device cpu --small --quick"
PATH="$dir/venv/bin:$PATH" STRUCTINIT_DATA="$dir/data" MPLBACKEND=Agg PYTHONUNBUFFERED=1 \
  "$VPY" -m structinit.gpucheck --device cpu --small --quick --out "$dir/gpu_check_cpu.csv"
echo "gpu_env_check: ok in $(( $(date +%s) - t0 )) s"
