#!/usr/bin/env bash
# The kit's GPU check (lesson 91): bf16, channels-last and torch.compile on and off, the GPU-resident pipeline, the attention
# kinds' step times, the distributed path with one process, and the main job on all of Fashion-MNIST; prints one table.
# For one CUDA GPU machine with torch, torchvision, timm and accelerate but not fastai, fastcore or nbdev, and no network
# (its packages: scripts/gpu_image_packages.txt): run scripts/gpu_prepare.sh first where there is network (it derives and
# fills .whl/ and copies .data/fashion-mnist/), and bring both folders here with the checkout.
# The wheels in .whl/ (all but the kit's own) go into a folder of their own with pip --no-index --no-deps --target (a few
# seconds; redone only when .whl/ changes); the kit itself runs from this checkout, put first on PYTHONPATH, so that edits
# made since gpu_prepare.sh count. The pre-check imports the kit (structinit.cli, structinit.gpucheck) before anything runs.
# Usage, from anywhere in the repository: bash scripts/gpu_check.sh [--quick] [--epochs E] [--out gpu_check.csv]
# Exit status: 0 every row ok, 1 a row not ok (or a refusal of the check itself), 2 something missing here.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}   # the image's Python with torch (e.g. PYTHON=/opt/torch/.venv/bin/python3 when python3 is another)
command -v "$PYTHON" >/dev/null || { echo "gpu_check: $PYTHON not found: set PYTHON to the Python that has torch" >&2; exit 2; }
PATH="$("$PYTHON" -c 'import os, sys; print(os.path.dirname(sys.executable))'):$PATH"   # its torchrun first
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"   # the kit from this checkout (its wheel in .whl/ is for CI's proof)
wheels=$(ls .whl/*.whl 2>/dev/null | grep -v '/structinit-' || true)
if [ -n "$wheels" ]; then
  site=${TMPDIR:-/tmp}/structinit-site
  stamp=$(ls -l $wheels | md5sum)
  if [ "$(cat "$site/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$site"
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --disable-pip-version-check --target "$site" $wheels \
      || { echo "gpu_check: installing .whl/ into $site failed (pip's message above): rerun scripts/gpu_prepare.sh with PY=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])') where there is network" >&2; exit 2; }
    echo "$stamp" > "$site/.stamp"
  fi
  PYTHONPATH="$PYTHONPATH:$site"
fi
export PYTHONPATH
if ! msg=$(WHEELS="$wheels" "$PYTHON" - 2>&1 <<'EOF'
import os, re, sys
try:
    import torch
    import structinit.cli, structinit.gpucheck
except ModuleNotFoundError as e:
    name = (e.name or '').split('.')[0]
    image = {re.sub(r'[-_.]+', '-', l.split()[0]).lower() for l in open('scripts/gpu_image_packages.txt') if l.strip() and not l.startswith('#')}
    print(f"gpu_check: the kit cannot be imported: module {e.name!r} is missing ({e}).", file=sys.stderr)
    if name == 'torch': print(f"gpu_check: {sys.executable} has no torch: set PYTHON to the GPU image's Python (e.g. PYTHON=/opt/torch/.venv/bin/python3)", file=sys.stderr)
    elif re.sub(r'[-_.]+', '-', name).lower() in image: print(f"gpu_check: scripts/gpu_image_packages.txt says this machine has {name}, but it has not: update that list from this machine's pip list, rerun scripts/gpu_prepare.sh where there is network, and bring .whl/ here", file=sys.stderr)
    elif not os.environ['WHEELS']: print("gpu_check: there is no .whl/ here: run scripts/gpu_prepare.sh where there is network, and bring .whl/ (and .data/) here", file=sys.stderr)
    else: print("gpu_check: .whl/ lacks it: rerun scripts/gpu_prepare.sh where there is network (it derives the wheel set from scripts/gpu_image_packages.txt; if this machine lacks a package that list names, update the list from this machine's pip list first), and bring .whl/ here", file=sys.stderr)
    sys.exit(2)
except Exception as e:
    print(f"gpu_check: the kit cannot be imported: {type(e).__name__}: {e}", file=sys.stderr); sys.exit(2)
EOF
); then
  echo "$msg" | grep '^gpu_check: ' >&2
  exit 2
fi
if [ -z "${STRUCTINIT_DATA:-}" ] && [ -d .data/fashion-mnist ]; then export STRUCTINIT_DATA="$PWD/.data/fashion-mnist"; fi
"$PYTHON" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" || { echo "gpu_check: no CUDA device on this machine (torch.cuda.is_available() is False); lesson 91 runs the CPU twin" >&2; exit 2; }
command -v torchrun >/dev/null || { echo "gpu_check: torchrun (part of torch) is not on PATH" >&2; exit 2; }
PYTHONUNBUFFERED=1 exec "$PYTHON" -m structinit.gpucheck "$@"
