#!/usr/bin/env bash
# Prepares, on a machine with network and the kit's set-up (README: pip install -e ".[dev]" -c constraints.txt), what
# scripts/gpu_check.sh needs on a GPU machine that has no network:
#   .whl/                 the wheels the GPU machine lacks, DERIVED by scripts/wheelset.py: the kit's dependency closure
#                         (pyproject's dependencies, walked through the installed distributions' requirements for the
#                         target Python on x86-64 Linux) minus the GPU image's packages (scripts/gpu_image_packages.txt),
#                         at the versions installed here (constraints.txt), with the exclusions and overrides of
#                         scripts/gpu_wheelset.txt; pure py3-none-any wheels where they exist; and the kit's own wheel.
#                         It then proves the set suffices (imports every structinit module and fails if one loads a
#                         distribution that is neither in the image nor in the set), and lists the wheels and their size.
#   .data/fashion-mnist/  the four Fashion-MNIST files (from $STRUCTINIT_DATA, or the Debian package dataset-fashion-mnist)
# Both folders are ignored by git; carry them to the GPU machine with the repository (about 32 MB).
# Usage, from anywhere in the repository: bash scripts/gpu_prepare.sh
#   PY=3.12         the GPU machine's Python (default 3.12)
#   WHL=.whl        the wheel folder (default .whl; wheels of an earlier set that the new one lacks are removed from it)
#   DATA_DEST=...   where the Fashion-MNIST files go (default .data/fashion-mnist)
#   PYTHON=python3  the interpreter that has the kit's set-up
# Exit status: 0 done, 1 the derivation or its proof failed, 2 a download, the build or the data is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-3.12}; WHL=${WHL:-.whl}; DATA_DEST=${DATA_DEST:-.data/fashion-mnist}; PYTHON=${PYTHON:-python3}
"$PYTHON" scripts/wheelset.py --python "$PY" --dest "$WHL"
src=${STRUCTINIT_DATA:-/usr/share/datasets/fashion-mnist}
mkdir -p "$DATA_DEST"
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [ -f "$src/$f" ] || { echo "gpu_prepare: $src/$f not found: set STRUCTINIT_DATA to a folder with the four Fashion-MNIST files, or apt-get install dataset-fashion-mnist" >&2; exit 2; }
  cp "$src/$f" "$DATA_DEST/"
done
echo "gpu_prepare: $(ls "$WHL"/*.whl | wc -l) wheels in $WHL/ for Python $PY, Fashion-MNIST in $DATA_DEST/; on the GPU machine: bash scripts/gpu_check.sh"
