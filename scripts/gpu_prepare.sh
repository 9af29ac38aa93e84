#!/usr/bin/env bash
# Prepares, on a machine with network, what scripts/gpu_check.sh needs on a GPU machine that has none:
#   .whl/                 the pure-Python wheels the kit needs beyond torch, torchvision, timm, accelerate, pandas and
#                         matplotlib (which the GPU machines have): fastai's stack, for the GPU machine's Python (3.12)
#   .data/fashion-mnist/  the four Fashion-MNIST files (from $STRUCTINIT_DATA, or the Debian package dataset-fashion-mnist)
# Both folders are ignored by git; carry them to the GPU machine with the repository (about 32 MB).
# Usage, from anywhere in the repository: bash scripts/gpu_prepare.sh   (PY=3.11 for another Python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-3.12}
# fastprogress 1.0.3, not 1.1: fastprogress 1.1 imports FastHTML and its web stack (a dozen packages more); fastai needs only its bars.
WHEELS="fastai==2.8.12 fastcore==2.2.39 fastprogress==1.0.3 fasttransform==0.0.5 plum-dispatch==2.9.0 beartype==0.23.1 fastdownload==0.0.8"
python3 -m pip download --no-deps --only-binary=:all: --python-version "$PY" --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl $WHEELS
src=${STRUCTINIT_DATA:-/usr/share/datasets/fashion-mnist}
mkdir -p .data/fashion-mnist
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [ -f "$src/$f" ] || { echo "gpu_prepare: $src/$f not found: set STRUCTINIT_DATA to a folder with the four Fashion-MNIST files, or apt-get install dataset-fashion-mnist" >&2; exit 2; }
  cp "$src/$f" .data/fashion-mnist/
done
echo "gpu_prepare: $(ls .whl | wc -l) wheels in .whl/, Fashion-MNIST in .data/fashion-mnist/; on the GPU machine: bash scripts/gpu_check.sh"
