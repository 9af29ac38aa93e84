#!/usr/bin/env python3
"""Issue 22's data-efficiency curve at converged budgets: Fashion-MNIST at 10, 100 and 1,000 images per class, the kit recipe,
fp32 on the CPU, one `structinit-compare` at a time, resumable (rerun the same command: finished runs are read back from each
folder's results.csv, an interrupted run resumes from its checkpoint).

Each size gets its own epoch budget, the one where timm's default init meets the rule (lesson 09's `converged_budget`: doubling
the budget moves timm's mean over two seeds by under one point):

1. the rule, size by size: timm at the doubling chain's budgets (`next_budget`) until two neighbours B and 2B meet it, read on
   seeds 0 and 1 (a third seed added in step 3 compares no other seeds, so it cannot move B);
2. every method at B: timm, torch, mimetic, impulse, impulse-paper, GPSA, IBiT and the ConvMixer, seeds 0 and 1;
3. a third seed (2) for every method whose mean at a size lies within three spreads (sample std, the larger of the two) of
   another method's there, so that the close calls rest on three runs.

100 per class lives in results/budget_100 (the budget sweep already holds its rule: 480 epochs); 10 and 1,000 per class in
results/curve_converged. Lesson 09 reads both (`converged_rows`, `curve_table`).

All 6,000 images per class ('all') is a GPU's job (a 240-epoch timm run at 1,000 per class takes 46 min on the kit's 2-core CPU,
six times the images would take days for the chain and eight methods); its runs go to results/curve_all, and the same command
resumes there. On a GPU (bf16, structinit-compare's default on CUDA):
    python scripts/curve_sweep.py --sizes all --device cuda

Usage: python scripts/curve_sweep.py [--dry-run] [--sizes 10,100,1000] [--device cpu|cuda|cuda:N]
"""
import argparse, subprocess, sys
from pathlib import Path
import pandas as pd
from structinit.store import read_results
from structinit.curve import budget_table, next_budget, converged_rows, curve_table, gap_3sd

ROOT = Path(__file__).resolve().parent.parent
PLAN = {'10': (480, ROOT/'results'/'curve_converged'),       # size: (the chain's first budget in epochs, the results folder)
        '100': (30, ROOT/'results'/'budget_100'),
        '1000': (30, ROOT/'results'/'curve_converged'),
        'all': (15, ROOT/'results'/'curve_all')}             # all 6,000 per class: 15 epochs are 7,020 steps (468 an epoch), 1,000 per class's 120 are 9,360
MAX_EPOCHS = {'10': 15360, '100': 3840, '1000': 480, 'all': 240}   # the chain stops here and says so (a machine's patience, not a rule)
METHODS = [['--inits', 'timm,torch,mimetic,impulse,impulse-paper'],
           ['--inits', 'timm', '--attn', 'gpsa,ibit'],
           ['--arch', 'convmixer_128_4_k3_p2', '--filters', 'learned']]

DEVICE = []   # ['--device', 'cuda'] when main() is given --device: passed on to every structinit-compare

def run(size, out, epochs, seeds, args, dry):
    cmd = ['structinit-compare', '--dataset', 'fashion_mnist', '--n-per-class', size, '--seeds', seeds, '--epochs', str(epochs),
           '--save-every', str(max(5 if size == 'all' else 10, epochs // 16)), '--out', str(out.relative_to(ROOT))] + args + DEVICE
    print('==', pd.Timestamp.now(tz='UTC').isoformat(timespec='seconds'), ' '.join(cmd), flush=True)
    if not dry: subprocess.run(cmd, check=True, cwd=ROOT)

def rows(size, out):
    df = read_results(out)
    return df[df.n_per_class.astype(str) == size]

def rule(size, dry):
    "Train timm along the chain until the rule is met; the converged budget, or None (dry run, or the chain hit MAX_EPOCHS)."
    start, out = PLAN[size]
    while True:
        df = rows(size, out); ruled = df[df.seed.astype(int) < 2]   # the rule reads seeds 0 and 1 at every budget (lesson 09's `converged_rows`)
        b = next_budget(budget_table(ruled) if len(ruled) else pd.DataFrame(columns=['method', 'epochs', 'runs']), start)
        if b is None: return converged_rows(df)[1][size]
        if b > MAX_EPOCHS[size]: print(f'{size}/class: timm has not met the rule by {MAX_EPOCHS[size]} epochs; stopping this size'); return None
        run(size, out, b, '0,1', ['--inits', 'timm'], dry)
        if dry: return None

def method_args(label):
    "The command arguments that train one method of `method_labels`: 'timm', 'timm+gpsa', 'convmixer_128_4_k3_p2 learned'."
    if ' ' in label: arch, filters = label.split(' '); return ['--arch', arch, '--filters', filters]
    if '+' in label: init, attn = label.split('+'); return ['--inits', init, '--attn', attn]
    return ['--inits', label]

def close_calls(size, out):
    "The methods whose mean at `size` lies within three spreads (the larger sample std of the two) of another method's: they get seed 2."
    t = curve_table(converged_rows(rows(size, out))[0])
    close = set()
    for i, a in t.iterrows():
        for j, b in t.iterrows():
            if i < j and gap_3sd(a.acc_mean - b.acc_mean, a.acc_std, b.acc_std) < 1: close |= {a.method, b.method}
    return sorted(close)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dry-run', action='store_true', help='print the next command of each phase and train nothing')
    p.add_argument('--sizes', default='10,100,1000', help='comma-separated, from ' + ', '.join(PLAN) + " ('all': 6,000 per class, a GPU's job)")
    p.add_argument('--device', help="passed on to structinit-compare: cpu, cuda or cuda:N (default: its own, CUDA if there is a GPU)")
    a = p.parse_args()
    sizes = a.sizes.split(',')
    if bad := [s for s in sizes if s not in PLAN]:
        sys.exit(f'curve_sweep: unknown size {bad[0]!r}; choose from {", ".join(PLAN)} (all 6,000 images per class is spelled all)')
    if a.device is not None:
        if not (a.device in ('cpu', 'cuda') or (a.device.startswith('cuda:') and a.device[5:].isdigit())):
            sys.exit(f'curve_sweep: unknown --device {a.device!r}; choose cpu, cuda or cuda:N (N a GPU index such as 0)')
        DEVICE[:] = ['--device', a.device]
    budgets = {}
    for size in sizes:
        b = budgets[size] = rule(size, a.dry_run)
        if b is None: continue
        print(f'{size}/class: timm meets the rule at {b} epochs')
        for m in METHODS: run(size, PLAN[size][1], b, '0,1', m, a.dry_run)
    for size, b in budgets.items():
        if b is None or a.dry_run: continue
        close = close_calls(size, PLAN[size][1])
        print(f'{size}/class: within three spreads of another method: {", ".join(close) or "none"}')
        for m in close: run(size, PLAN[size][1], b, '0,1,2', method_args(m), False)

if __name__ == '__main__': main()
