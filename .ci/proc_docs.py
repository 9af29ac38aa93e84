"""Run nbdev's docs processing (the step before `quarto render`) without Quarto, and check it.

`nbdev-docs` = nbdev's `_pre_docs` (write nbs/nbdev.yml, make sure Quarto is installed, build the
module index, the sidebar, `nbdev.serve.proc_nbs`) followed by `quarto render`. nbdev 3.3's
`nbdev-proc-nbs` runs `_pre_docs` too, so it starts by downloading Quarto when it is missing, which
fails on machines without network. This script runs the same steps except the Quarto check, through
nbdev's Python API, into `_proc/` (gitignored), and exits with status 1 when

- a notebook's processing raises (the cell that failed is named: processing executes every cell with
  an import, every exported cell and every show_doc cell, in a fresh kernel per notebook);
- a notebook in nbs/ did not become a page (no processed notebook in `_proc/` with a title);
- a cell would make processing run what the default tests skip (a `#| slow` cell with an import in it,
  i.e. a training run on every docs build), or mixes imports with other code (nbdev's "Found cells
  containing imports and other code": processing runs such a cell without the cells before it);
- `nbs/sidebar.yml` (with `custom_sidebar = true`) leaves out a notebook or lists a missing one.

fastcore's `parallel`, which `proc_nbs` uses, re-raises only the first worker exception and drops the
others; the script collects every notebook's result (`return_exceptions=True`) so that one run names
every failing notebook. Usage: `python .ci/proc_docs.py [--n-workers N] [--file-glob '05_*']` from anywhere in the repo.
"""
import argparse, os, sys, time, warnings
from fnmatch import fnmatch
from pathlib import Path

import yaml
from fastcore.parallel import parallel
import nbdev.serve
from nbdev.config import get_config
from nbdev.doclinks import nbglob, _build_modidx
from nbdev.process import NBProcessor
from nbdev.processors import _do_eval
from nbdev.quarto import refresh_quarto_yml
from fastcore.nbio import read_nb

MIXED = 'Found cells containing imports and other code'


def static_problems(nb_path, skip_flags):
    "Cells of `nb_path` that processing would run although the default tests skip them, and cells that mix imports with code."
    out = []
    for i, cell in enumerate(NBProcessor(nb_path, procs=[]).nb.cells):
        if cell.cell_type != 'code': continue
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            runs = _do_eval(cell)
        flags = set(cell.directives_) & skip_flags
        if runs and flags:
            out.append(f"cell {i}: a `#| {' '.join(sorted(flags))}` cell that docs processing would execute (it has an import, "
                       "or is exported): move its imports into an import cell")
        if any(MIXED in str(o.message) for o in w):
            out.append(f"cell {i}: mixes imports with other code; docs processing runs it without the cells before it: "
                       "put the imports in their own cell")
    return out


def sidebar_problems(nbs, pages):
    "Notebooks that nbs/sidebar.yml leaves out, and entries that are not notebooks."
    sb = nbs/'sidebar.yml'
    if not sb.exists(): return [f'{sb} not found (custom_sidebar = true)']
    listed = set()
    def walk(o):
        if isinstance(o, str): listed.add(o)
        elif isinstance(o, list): [walk(v) for v in o]
        elif isinstance(o, dict): [walk(o[k]) for k in ('contents', 'href') if k in o]
    walk(yaml.safe_load(sb.read_text())['website']['sidebar']['contents'])
    names = {str(p.relative_to(nbs)) for p in pages}
    return ([f'sidebar.yml leaves out {n}' for n in sorted(names - listed)] +
            [f'sidebar.yml lists {n}, which is not a notebook in {nbs}' for n in sorted(listed - names)])


def _code(s):
    "Source without nbdev/quarto directive lines (processing rewrites them), for matching."
    return '\n'.join(l.rstrip() for l in s.splitlines() if not l.lstrip().startswith('#|')).strip()

def source_cell(nb_path, msg):
    "Index of the source cell whose code nbdev's error message quotes (nbdev's own index counts processed cells)."
    hits = [(len(_code(c.source)), i) for i, c in enumerate(read_nb(nb_path).cells)
            if c.cell_type == 'code' and _code(c.source) and _code(c.source) in _code(msg)]
    return max(hits)[1] if hits else None


def main(n_workers=None, file_glob=''):
    t0 = time.time()
    cfg = get_config(Path(__file__).resolve().parent)
    os.chdir(cfg.config_path)                     # as `_pre_docs` does: processing runs from the project root
    nbs, cache = cfg.nbs_path, cfg.config_path/'_proc'
    every = nbglob(nbs, as_path=True).map(Path.resolve).sorted()
    notebooks = every.filter(lambda p: not file_glob or fnmatch(p.name, file_glob))
    problems = {}
    skip = set(str(cfg.get('tst_flags', '')).split())
    for p in notebooks: problems[p] = static_problems(p, skip)
    sb = sidebar_problems(nbs, every) if cfg.get('custom_sidebar') else []

    # nbdev's `_pre_docs` without `_ensure_quarto`; the mixed-cell warning of the workers is reported above instead
    os.environ['PYTHONWARNINGS'] = 'ignore::UserWarning:nbdev.processors'
    refresh_quarto_yml()
    _build_modidx()
    results = []
    def collecting_parallel(f, items, *args, **kwargs):
        res = parallel(f, items, *args, return_exceptions=True, **kwargs)
        results.extend(zip(items, res))
        return res
    nbdev.serve.parallel = collecting_parallel
    crash = None
    try: nbdev.serve.proc_nbs(nbs, force=True, file_glob=file_glob, **({} if n_workers is None else dict(n_workers=n_workers)))
    except Exception as e: crash = e              # e.g. a worker killed: every notebook without a page is named below
    for (src, dst, *_), r in results:
        if isinstance(r, BaseException):
            i = source_cell(src, str(r))
            where = '' if i is None else f' in cell {i} (nbdev counts processed cells)'
            problems.setdefault(Path(src).resolve(), []).append(f"processing raised{where}: {type(r).__name__}: {r}")
    for p in notebooks:
        page = cache/p.relative_to(nbs)
        if not page.exists(): problems[p].append(f'no page: {page} was not written')
        else:
            first = read_nb(page).cells[0]
            if first.cell_type != 'raw' or 'title:' not in first.source:
                problems[p].append(f'{page} has no title frontmatter: the notebook needs a "# Title" markdown cell')

    bad = {p: v for p, v in problems.items() if v}
    for p, v in bad.items():
        print(f'\n{p.relative_to(cfg.config_path)}:', file=sys.stderr)
        for m in v: print('  - ' + m.replace('\n', '\n      '), file=sys.stderr)
    if sb: print(f'\n{(nbs/"sidebar.yml").relative_to(cfg.config_path)}:', file=sys.stderr)
    for m in sb: print(f'  - {m}', file=sys.stderr)
    if crash is not None: print(f'proc_nbs itself raised: {type(crash).__name__}: {crash}', file=sys.stderr)
    n_bad = len(bad) + bool(sb) + (crash is not None)
    dt = time.time() - t0
    if n_bad:
        print(f'\ndocs processing FAILED: {len(bad)} of {len(notebooks)} notebooks{", the sidebar" if sb else ""}; {dt:.0f} s', file=sys.stderr)
        return 1
    print(f'docs processing: {len(notebooks)} notebook{"s" if len(notebooks) != 1 else ""} became pages in {cache.relative_to(cfg.config_path)}/, '
          f'sidebar lists every one; {dt:.0f} s')
    return 0


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n-workers', type=int, default=None, help="notebooks processed at once (default: proc_nbs's, the CPU count)")
    ap.add_argument('--file-glob', default='', help="only these notebooks, e.g. '05_*' (the sidebar is still checked against all)")
    a = ap.parse_args()
    sys.exit(main(a.n_workers, a.file_glob))
