#!/usr/bin/env python3
"""Make a fresh virtual environment hold only the GPU image's packages, reused from this environment, not downloaded.

For every distribution installed here (in this interpreter's site-packages) whose name is in
scripts/gpu_image_packages.txt, its entries (packages, modules, extension files, its .dist-info) are linked into
VENV/gpu-image-site/, which a .pth file adds to the environment; a folder that it shares with a distribution not in
the image (a namespace package) is made real and only the image's part of it linked. Its console scripts (torchrun,
accelerate, ...) get launchers in VENV/bin that run the environment's Python. Distributions the environment already
has (pip, setuptools) are left as they are. Nothing else of this environment is visible there.

Usage: python3 scripts/gpu_image_env.py VENV   (VENV made with `python3 -m venv VENV` by this same Python)
Used by scripts/gpu_env_check.sh. Standard library and `packaging` only."""
from __future__ import annotations
import argparse, importlib.metadata as md, os, sys, sysconfig
from pathlib import Path, PurePosixPath
sys.path.insert(0, str(Path(__file__).resolve().parent))
from wheelset import read_image, norm, ROOT

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('venv')
    ap.add_argument('--image', default=str(ROOT / 'scripts/gpu_image_packages.txt'))
    a = ap.parse_args(argv)
    venv = Path(a.venv).resolve()
    vsite = venv / 'lib' / f'python{sys.version_info[0]}.{sys.version_info[1]}' / 'site-packages'
    if not vsite.is_dir(): sys.exit(f"gpu_image_env: {vsite} is not there: make {venv} with `{sys.executable} -m venv {venv}` first")
    have = {norm(d.metadata['Name']) for d in md.distributions(path=[str(vsite)])}
    image = read_image(a.image)
    site = Path(sysconfig.get_paths()['purelib']).resolve()
    owner, chosen, scripts = {}, [], []  # owner: relative path (parts) -> distributions that installed it
    for d in md.distributions(path=[str(site)]):
        name = norm(d.metadata['Name'])
        pick = name in image and name not in have
        if pick: chosen.append(f"{name} {d.version}")
        for f in d.files or ():
            parts = PurePosixPath(f).parts
            if not parts or parts[0] == '..': continue
            for i in range(1, len(parts) + 1): owner.setdefault(parts[:i], set()).add((name, pick))
        if pick: scripts += [ep for ep in d.entry_points if ep.group == 'console_scripts']
    dest = venv / 'gpu-image-site'
    dest.mkdir()
    def link(parts):  # all of it when only image distributions own it, else a real folder and the image's parts of it
        owners = owner[parts]
        if not any(p for _, p in owners): return
        if all(p for _, p in owners): os.symlink(site.joinpath(*parts), dest.joinpath(*parts)); return
        if not site.joinpath(*parts).is_dir(): return  # a file that another distribution claims too: left out
        dest.joinpath(*parts).mkdir()
        for child in sorted(k for k in owner if len(k) == len(parts) + 1 and k[:-1] == parts): link(child)
    for top in sorted(k for k in owner if len(k) == 1): link(top)
    (vsite / '_gpu_image.pth').write_text(f"import site; site.addsitedir({str(dest)!r})\n")
    made = []
    for ep in scripts:
        exe = venv / 'bin' / ep.name
        if exe.exists(): continue
        mod, _, attr = ep.value.partition(':')
        attr = attr.split('[')[0].strip()
        exe.write_text(f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom {mod.strip()} import {attr.split('.')[0]}\n"
                       f"sys.exit({attr}())\n")
        exe.chmod(0o755); made.append(ep.name)
    missing = sorted(set(image) - {c.split()[0] for c in chosen} - have)
    print(f"gpu_image_env: {venv}: {len(chosen)} of the GPU image's {len(image)} packages linked from {site} "
          f"({', '.join(sorted(chosen))}); {len(made)} console scripts ({', '.join(sorted(made))}); "
          f"already in the environment: {', '.join(sorted(have & set(image)))}; "
          f"not installed here, so absent there too: {len(missing)}")

if __name__ == '__main__': main()
