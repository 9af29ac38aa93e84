#!/usr/bin/env python3
"""Rewrite the tables of README.md and of the home page (nbs/index.ipynb) that come from the results kept in results/.

Each such table sits between `<!-- name -->` and `<!-- /name -->` comment lines (lesson 00's `md_block`); the lesson that
draws it checks, in a default test, that README says what the results file says. Run from anywhere:
    python scripts/readme_tables.py
"""
import json
from pathlib import Path
import pandas as pd
from structinit.data import atomic_write, md_block, set_md_block
from structinit.store import read_results
from structinit.compare import results_table
from structinit.runner import main_job_rows, MAIN_INITS
from structinit.curve import budget_table, budget_markdown, curve_table, curve_markdown, converged_rows
from structinit.design import ablation_table, ablation_markdown
from structinit.swin_mixer import arch_curve_markdown

ROOT = Path(__file__).resolve().parent.parent

def impulse_cnn_table(kept):
    "Lesson 05's study: the preset's own rows (model_kwargs '{}': the seven filter modes; the width sweep's other points record theirs)."
    return results_table(kept[kept.model_kwargs == '{}'], ['learned', 'random-frozen', 'impulse-frozen', 'box-frozen', 'random', 'impulse', 'box'])

SWIN_MIXER = ['swin_pico_patch2_window7_28', 'mixer_pico_patch4_28']   # lesson 11's models; its ViT runs are the reference, not in README's table

BLOCKS = {  # block name -> the table, from results/ (the lesson that tests it)
    'main-job': lambda: results_table(main_job_rows(read_results(ROOT/'results'/'budget_100')), MAIN_INITS),   # lesson 04
    'budget-sweep': lambda: budget_markdown(budget_table(read_results(ROOT/'results'/'budget_100'))),                 # lesson 09
    'converged-curve': lambda: curve_markdown(curve_table(converged_rows(pd.concat(                                  # lesson 09
        [read_results(ROOT/'results'/f) for f in ('budget_100', 'curve_converged')], ignore_index=True))[0]), epochs=True),
    'curve-210': lambda: curve_markdown(curve_table(read_results(ROOT/'results'/'data_efficiency_210'))),          # lesson 09
    'attention': lambda: results_table(read_results(ROOT/'results'/'attention')),                                    # lesson 07
    'design': lambda: ablation_markdown(ablation_table(read_results(ROOT/'results'/'design'))),                        # lesson 10
    'impulse-cnn': lambda: impulse_cnn_table(read_results(ROOT/'results'/'impulse_cnn')),                              # lesson 05
    'swin-mixer': lambda: arch_curve_markdown((k := read_results(ROOT/'results'/'swin_mixer'))[k.arch.isin(SWIN_MIXER)]),  # lesson 11
}

def rewrite(text:str)->str:
    for name, table in BLOCKS.items():
        if f'<!-- {name} -->' in text: text = set_md_block(text, name, table())
    return text

def main():
    readme = ROOT/'README.md'
    new = rewrite(readme.read_text())
    atomic_write(readme, lambda p: p.write_text(new))
    index = ROOT/'nbs'/'index.ipynb'; nb = json.loads(index.read_text())
    for c in nb['cells']:
        if c['cell_type'] != 'markdown': continue
        s = rewrite(''.join(c['source'])); lines = s.split('\n')
        c['source'] = [l + '\n' for l in lines[:-1]] + [lines[-1]]
    atomic_write(index, lambda p: p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n'))
    for name in BLOCKS:
        if f'<!-- {name} -->' in new: print(f'{name}:\n{md_block(new, name)}\n')

if __name__ == '__main__': main()
