#!/usr/bin/env bash
# Issue 22's learning-budget sweep at 100 images per class (Fashion-MNIST, vit_pico_patch4_28, the kit recipe, fp32 on the CPU):
# methods at budgets that double, two seeds, one `structinit-compare` per (methods, budget) into one results folder.
# Phase 1: the timm baseline and impulse init at 30..960 epochs (doubling until the timm mean moves by under one point; the rule is read on timm: lesson 09's converged_budget).
# Phase 2: torch, mimetic, GPSA, IBiT and the ConvMixer at 30..480 epochs (480: the budget where timm meets the rule).
# Resumable: finished runs are read back from results.csv, an interrupted run resumes from its checkpoint (--save-every);
# rerun the same script to go on. Run order does not change any result (each run's key names its whole recipe).
# Learning curves: results/budget_100/logs/<run_id>.csv (lesson 03's EpochLog).
# Usage: bash scripts/budget_sweep.sh [BUDGETS...]   (phase 1's budgets; default: 30 60 120 240 480 960)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=results/budget_100
LONG=("${@:-30 60 120 240 480 960}"); LONG=(${LONG[@]})
run() { echo "== $(date -Is) $*"; structinit-compare --dataset fashion_mnist --n-per-class 100 --seeds 0,1 --save-every 10 --out "$OUT" "$@"; }
for e in "${LONG[@]}"; do run --inits timm,impulse --epochs "$e"; done
for e in 30 60 120 240 480; do           # the 30-epoch runs are the main job's (lesson 04)
  run --inits torch,mimetic --epochs "$e"
  run --inits timm --attn gpsa,ibit --epochs "$e"
  run --arch convmixer_128_4_k3_p2 --filters learned --epochs "$e"
done
