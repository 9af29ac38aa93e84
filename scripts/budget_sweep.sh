#!/usr/bin/env bash
# Issue 22's learning-budget sweep at 100 images per class (Fashion-MNIST, vit_pico_patch4_28, the kit recipe, fp32 on the CPU):
# each method at budgets that double, two seeds, one `structinit-compare` per (methods, budget) into one results folder.
# Resumable: finished runs are read back from results.csv, an interrupted run resumes from its checkpoint (--save-every);
# rerun the same script to go on. Learning curves: results/budget_100/logs/<run_id>.csv (lesson 03's EpochLog).
# Usage: bash scripts/budget_sweep.sh [BUDGETS...]   (default: 30 60 120 240)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=results/budget_100
BUDGETS=("${@:-30 60 120 240}"); BUDGETS=(${BUDGETS[@]})
run() { structinit-compare --dataset fashion_mnist --n-per-class 100 --seeds 0,1 --save-every 10 --out "$OUT" "$@"; }
for e in "${BUDGETS[@]}"; do          # every method at one budget, then the next budget: the 30-epoch runs are the main job's (lesson 04)
  for methods in "--inits timm,torch,mimetic,impulse" "--inits timm --attn gpsa,ibit" "--arch convmixer_128_4_k3_p2 --filters learned"; do
    echo "== $(date -Is) $methods, $e epochs"
    run $methods --epochs "$e"
  done
done
