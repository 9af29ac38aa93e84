#!/usr/bin/env bash
# The kit's GPU check (lesson 91): bf16, channels-last and torch.compile on and off, the GPU-resident pipeline, the attention
# kinds' step times, the distributed path with one process, and the main job on all of Fashion-MNIST; prints one table.
# For one CUDA GPU machine with torch, torchvision, timm and accelerate but not fastai, fastcore or nbdev, and no network:
# run scripts/gpu_prepare.sh first where there is network (it fills .whl/ and .data/fashion-mnist/).
# Usage, from anywhere in the repository: bash scripts/gpu_check.sh [--quick] [--epochs E] [--out gpu_check.csv]
# Exit status: 0 every row ok, 1 a row not ok (or a refusal of the check itself), 2 something missing here.
set -euo pipefail
cd "$(dirname "$0")/.."
# the wheels gpu_prepare.sh downloads: fastai-2.8.12 fastcore-2.2.39 fastprogress-1.0.3 fasttransform-0.0.5 plum_dispatch-2.9.0 beartype-0.23.1 fastdownload-0.0.8
WHEELS="fastai fastcore fastprogress fasttransform plum_dispatch beartype fastdownload"
if ! python3 -c "import fastai, fastcore, fastprogress, fasttransform, plum" 2>/dev/null; then
  for w in $WHEELS; do
    ls .whl/"$w"-*.whl >/dev/null 2>&1 || { echo "gpu_check: no wheel for $w in .whl/: run scripts/gpu_prepare.sh where there is network, and bring .whl/ here" >&2; exit 2; }
  done
  site=${TMPDIR:-/tmp}/structinit-site
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$site" .whl/*.whl
  export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"   # the kit from this checkout (no install needed)
if [ -z "${STRUCTINIT_DATA:-}" ] && [ -d .data/fashion-mnist ]; then export STRUCTINIT_DATA="$PWD/.data/fashion-mnist"; fi
python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" || { echo "gpu_check: no CUDA device on this machine (torch.cuda.is_available() is False); lesson 91 runs the CPU twin" >&2; exit 2; }
command -v torchrun >/dev/null || { echo "gpu_check: torchrun (part of torch) is not on PATH" >&2; exit 2; }
PYTHONUNBUFFERED=1 exec python3 -m structinit.gpucheck "$@"
