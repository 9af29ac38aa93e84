#!/usr/bin/env python3
"""The wheels a GPU machine without network needs for the kit, derived rather than hand-written.

The set: the kit's dependency closure (pyproject's [project].dependencies, walked recursively through the installed
distributions' requirements, markers evaluated for the target Python on x86-64 Linux, an extra followed only where a
requirement asks for it), minus the GPU image's packages (scripts/gpu_image_packages.txt), at the versions installed
here (constraints.txt), with the exclusions and overrides of scripts/gpu_wheelset.txt. Pure `py3-none-any` wheels are
preferred; a dependency without one gets its CPython manylinux wheel. The kit's own wheel goes into the folder too.

Then the proof that the set suffices: a subprocess imports every structinit module and maps every module it loaded to
its distribution; the check fails when one is neither in the GPU image nor in the wheel set (an excluded one included).
The overrides' wheels are put first on that subprocess's path, so it imports them rather than the versions here.

Usage (from the repository; scripts/gpu_prepare.sh calls it):
  python3 scripts/wheelset.py [--python 3.12] [--dest .whl]      derive, download, build the kit's wheel, prove, list
  python3 scripts/wheelset.py --list-only                        derive and print the closure (downloads only overrides)
  python3 scripts/wheelset.py --python 3.11 --dest D --verify PY  only the import proof, run by the interpreter PY
                                                                 (an environment where the set is installed)
Exit status: 0 done, 1 the derivation or the proof failed, 2 a download or build failed.
Standard library and `packaging` only."""
from __future__ import annotations
import argparse, concurrent.futures as cf, importlib.metadata as md, json, os, shutil, subprocess, sys, tempfile, zipfile
from email.parser import Parser
from pathlib import Path
try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name as norm, parse_wheel_filename
except ImportError:  # pip vendors packaging
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name as norm, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
KIT = 'structinit'

class Fail(Exception): pass

def read_image(path):
    "The GPU image's packages: {normalised name: version or None}."
    out = {}
    for line in Path(path).read_text().splitlines():
        line = line.split('#', 1)[0].split()
        if line: out[norm(line[0])] = line[1] if len(line) > 1 else None
    return out

def read_rules(path):
    """scripts/gpu_wheelset.txt: ({excluded name: reason}, {overridden name: (version, reason)}). A rule's reason is
    its comment and the indented comment lines right under it."""
    rules, last = [], None
    for n, raw in enumerate(Path(path).read_text().splitlines(), 1):
        body, _, why = raw.partition('#')
        words = body.split()
        if not words:
            if last is not None and raw[:1].isspace() and why.strip(): last[2] += ' ' + why.strip()
            else: last = None
            continue
        if len(words) != 2 or words[0] not in ('exclude', 'override') or not why.strip():
            raise Fail(f"{path}:{n}: expected 'exclude NAME  # reason' or 'override NAME==VERSION  # reason', got {raw.strip()!r}")
        last = [words[0], words[1], why.strip()]; rules.append(last)
    excl, over = {}, {}
    for kind, what, why in rules:
        if kind == 'exclude': excl[norm(what)] = why; continue
        name, sep, ver = what.partition('==')
        if not sep or not ver: raise Fail(f"{path}: an override needs NAME==VERSION, got {what!r}")
        over[norm(name)] = (ver, why)
    return excl, over

def root_requirements():
    "The kit's declared dependencies: pyproject's [project].dependencies (tomllib), else the installed kit's metadata."
    try:
        import tomllib
        return tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']['dependencies']
    except ImportError:
        return [r for r in md.requires(KIT) or [] if 'extra ==' not in r]

def marker_env(py):
    parts = py.split('.')
    if len(parts) < 2: raise Fail(f"--python {py}: give MAJOR.MINOR (3.12) or MAJOR.MINOR.PATCH")
    full = py if len(parts) == 3 else f'{py}.0'
    return dict(implementation_name='cpython', implementation_version=full, os_name='posix', platform_machine='x86_64',
                platform_python_implementation='CPython', platform_release='', platform_system='Linux', platform_version='',
                python_full_version=full, python_version='.'.join(parts[:2]), sys_platform='linux')

def applies(req, env, extras):
    "Whether requirement `req` applies on the target, for a distribution asked for with `extras` (the base: '')."
    return req.marker is None or any(req.marker.evaluate({**env, 'extra': e}) for e in ('', *extras))

def installed_version(name):
    try: return md.version(name)
    except md.PackageNotFoundError: return None

def wheel_metadata(whl):
    with zipfile.ZipFile(whl) as z:
        meta = next(n for n in z.namelist() if n.count('/') == 1 and n.endswith('.dist-info/METADATA'))
        return Parser().parsestr(z.read(meta).decode())

def find_wheel(dest, name, version):
    for f in sorted(Path(dest).glob('*.whl')):
        n, v, _, _ = parse_wheel_filename(f.name)
        if n == name and str(v) == str(version): return f
    return None

def pip_download(name, version, py, dest):
    "Download name==version's wheel for Python `py` into dest: the pure wheel if there is one, else CPython manylinux."
    have = find_wheel(dest, name, version)
    if have: return have
    nodot = ''.join(py.split('.')[:2])
    base = [sys.executable, '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--python-version', nodot,
            '--disable-pip-version-check', '-q', '-d', str(dest), f'{name}=={version}']
    pure = ['--implementation', 'py', '--abi', 'none', '--platform', 'any']
    linux = ['--implementation', 'cp'] + [a for m in range(39, 16, -1) for a in ('--platform', f'manylinux_2_{m}_x86_64')] + ['--platform', 'manylinux2014_x86_64']
    errs = []
    for extra in (pure, linux):
        p = subprocess.run(base + extra, capture_output=True, text=True)
        f = find_wheel(dest, name, version)
        if p.returncode == 0 and f: return f
        errs.append('\n'.join(l for l in (p.stdout + p.stderr).splitlines() if 'is ignored: it is neither' not in l))
    raise Fail(f"no wheel of {name}=={version} for Python {py} (pure or manylinux x86-64):\n" + '\n'.join(errs))

def derive(py, image, excl, over, dest):
    """Walk the closure. Returns (wheels {name: (version, [required by])}, image_used {name: [required by]},
    excluded_hits {name: [required by]}, problems [str])."""
    env, problems = marker_env(py), []
    wheels, used, hits, extras_of = {}, {}, {}, {}
    queue = [(KIT, Requirement(r)) for r in root_requirements()]
    while queue:
        parent, req = queue.pop(0)
        name = norm(req.name)
        if name in image:
            used.setdefault(name, []).append(f'{parent} ({req.specifier or "any"})')
            known = image[name]
            if known and not req.specifier.contains(known, prereleases=True):
                problems.append(f"{parent} requires {req}, but the GPU image has {name} {known}")
            continue
        if name in excl:
            hits.setdefault(name, []).append(f'{parent} ({req.specifier or "any"})')
            continue
        new_extras = set(req.extras) - extras_of.get(name, set())
        if name in wheels:
            wheels[name][1].append(parent)
            ver = wheels[name][0]
            if not req.specifier.contains(ver, prereleases=True):
                problems.append(f"{parent} requires {req}, but the wheel set has {name} {ver}")
            if not new_extras: continue
        else:
            here = installed_version(name)
            ver = over[name][0] if name in over else here
            if ver is None:
                problems.append(f"{parent} requires {req} (on Python {py}), which is not installed here: install it with "
                                f"pip -c constraints.txt (or add an override to scripts/gpu_wheelset.txt)")
                continue
            if not req.specifier.contains(ver, prereleases=True):
                problems.append(f"{parent} requires {req}, but the version {'overridden' if name in over else 'installed here'} is {name} {ver}")
            wheels[name] = (ver, [parent])
        extras_of[name] = extras_of.get(name, set()) | set(req.extras)
        # its requirements: from the installed metadata (the same version), else from its wheel
        if installed_version(name) == ver: reqs = md.requires(name) or []
        else: reqs = wheel_metadata(pip_download(name, ver, py, dest)).get_all('Requires-Dist') or []
        for r in map(Requirement, reqs):
            if applies(r, env, extras_of[name]): queue.append((name, r))
    return wheels, used, hits, problems

PROBE = r"""
import importlib, importlib.metadata as md, json, os, pkgutil, sys, sysconfig
importer, skip = {}, {os.path.realpath(importlib.__file__)}
class Recorder:  # first on sys.meta_path: notes which module's code asked for each module imported from now on
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in importer:
            f = sys._getframe(1)
            while f and (f.f_code.co_filename.startswith('<frozen') or os.path.realpath(f.f_code.co_filename) in skip): f = f.f_back
            importer[name] = f.f_globals.get('__name__') if f else None
        return None
sys.meta_path.insert(0, Recorder)
out = dict(failed={}, modules=[])
import structinit
kit = os.path.realpath(os.path.dirname(structinit.__file__))
mods = ['structinit'] + sorted(m.name for m in pkgutil.walk_packages(structinit.__path__, 'structinit.'))
for m in mods:
    try: importlib.import_module(m)
    except BaseException as e: out['failed'][m] = f'{type(e).__name__}: {e}' + (f' (module {e.name!r})' if isinstance(e, ImportError) and e.name else '')
sys.meta_path.remove(Recorder)
top, files, index = md.packages_distributions(), {}, None
std = {os.path.realpath(sysconfig.get_paths()[k]) for k in ('stdlib', 'platstdlib')}
def owns(d):
    if d not in files:
        try: files[d] = {os.path.realpath(md.distribution(d).locate_file(p)) for p in md.distribution(d).files or ()}
        except md.PackageNotFoundError: files[d] = set()
    return files[d]
def dist_of(name):  # (distribution, file); distribution '' for the standard library, None when no distribution owns it
    global index
    mod = sys.modules.get(name); f, t = getattr(mod, '__file__', None), name.split('.')[0]
    if t in sys.stdlib_module_names or t in sys.builtin_module_names or t == '__main__': return '', f
    if not f: return '', None  # a namespace package or a module made at run time: its submodules have files
    f = os.path.realpath(f)
    if f.startswith(kit + os.sep) or t.startswith('__editable___structinit'): return 'structinit', f
    if any(f.startswith(s + os.sep) for s in std) and not {'site-packages', 'dist-packages'} & set(f.split(os.sep)): return '', f
    cands = list(dict.fromkeys(top.get(t, [])))
    if len(cands) == 1: return cands[0], f
    for d in cands:
        if f in owns(d): return d, f
    if index is None: index = list(md.distributions())  # the slow way: any distribution whose RECORD lists the file
    base = os.path.basename(f)
    for d in index:
        if base in (d.read_text('RECORD') or '') and f in owns(d.metadata['Name']): return d.metadata['Name'], f
    return None, f
for name, by in sorted(importer.items()):
    if name not in sys.modules: continue
    d, f = dist_of(name)
    if d == '' : continue
    bd = dist_of(by)[0] if by in sys.modules else ''
    out['modules'].append([name, d, f, by, bd])
print('PROBE' + json.dumps(out))
"""

def probe(python, extra_path=None, cwd=None):
    """Import every structinit module with `python`; {failed: {module: error}, modules: [[module, distribution, file,
    importing module, its distribution]]} for the modules that came from installed distributions."""
    envv = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    if extra_path: envv['PYTHONPATH'] = str(extra_path)
    envv.setdefault('MPLBACKEND', 'Agg')
    p = subprocess.run([python, '-c', PROBE], capture_output=True, text=True, env=envv, cwd=cwd or tempfile.gettempdir())
    line = next((l for l in p.stdout.splitlines() if l.startswith('PROBE')), None)
    if p.returncode or line is None: raise Fail(f"the import probe failed ({python}, exit {p.returncode}):\n{p.stderr[-3000:]}")
    return json.loads(line[5:])

def prove(python, image, wheels, excl, over=None, overlay=None, cwd=None):
    """The import-based closure against the GPU image and the wheel set; returns the report's lines, raises Fail.
    A module the kit or a wheel's code imports must come from the GPU image or the wheel set. A module that a GPU image
    package's own code imports (torchvision's optional defusedxml, accelerate's optional boto3, ...) is the image's
    business: the image is a working environment, and such imports are optional there or provided there."""
    r = probe(python, overlay, cwd)
    provided = lambda d: d in image or d in wheels or d == KIT
    bad, loaded, optional = [f"importing {m} failed: {e}" for m, e in r['failed'].items()], {}, {}
    missing = {}  # missing distribution: (the provided module importing it, the chain of modules, that module's distribution)
    info = {m: (norm(d) if d else None, f, by, norm(bd) if bd else '') for m, d, f, by, bd in r['modules']}
    for m, (d, f, by, bd) in info.items():
        if d and provided(d):
            loaded.setdefault(d, m)
            if d in (over or {}) and overlay and not f.startswith(os.path.realpath(overlay) + os.sep):
                bad.append(f"{d}: the probe imported {f}, not the override's wheel")
            continue
        chain = [m]  # up the chain of importers that are not provided either, to the first that is
        while bd and not provided(bd) and by in info and by not in chain: chain.append(by); by, bd = info[by][2], info[by][3]
        if bd in image: optional.setdefault(d or f, f'{by}'); continue
        key = d or f  # one line per missing distribution: the shortest chain to it
        if key in missing and len(missing[key][1]) <= len(chain): continue
        missing[key] = (by, chain, bd)
    for key, (by, chain, bd) in sorted(missing.items()):
        m, d = chain[-1], info[chain[0]][0]
        if d is None: bad.append(f"module {m} ({key}) belongs to no installed distribution; imported by {by}")
        else:
            why = f" (excluded in scripts/gpu_wheelset.txt: {excl[d]})" if d in excl else ''
            lead = f", which imports {chain[0]}" if len(chain) > 1 else ''
            bad.append(f"{by} ({bd or 'the kit'}) imports {m}{lead}: {d} is neither in the GPU image nor in the wheel set{why}")
    if bad: raise Fail('the wheel set does not suffice:\n  ' + '\n  '.join(sorted(set(bad))))
    img, ws = sorted(d for d in loaded if d in image), sorted(d for d in loaded if d in wheels)
    lines = [f"import proof ({python}): every structinit module imports; what the kit and its wheels load comes from the "
             f"GPU image ({len(img)}: {', '.join(img)}) or the wheel set ({len(ws)}: {', '.join(ws)})"]
    if optional: lines.append("not provided, but imported only by GPU image packages' own code (the image's business): " +
                              ', '.join(f'{d} (by {by})' for d, by in sorted(optional.items())))
    return lines

def build_kit_wheel(dest):
    for f in Path(dest).glob(f'{KIT}-*.whl'): f.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '--disable-pip-version-check',
                            '-q', '-w', tmp, str(ROOT)], capture_output=True, text=True, cwd=ROOT)
        built = list(Path(tmp).glob(f'{KIT}-*.whl'))
        if p.returncode or not built: raise Fail(f"building the kit's wheel failed:\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
        return Path(shutil.move(str(built[0]), dest))

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--python', default=os.environ.get('PY', '3.12'), help="the GPU machine's Python (default 3.12, or $PY)")
    ap.add_argument('--dest', default=str(ROOT / '.whl'), help='the wheel folder (default .whl/)')
    ap.add_argument('--image', default=str(ROOT / 'scripts/gpu_image_packages.txt'))
    ap.add_argument('--rules', default=str(ROOT / 'scripts/gpu_wheelset.txt'))
    ap.add_argument('--list-only', action='store_true', help='derive and print; download only what the overrides need')
    ap.add_argument('--verify', metavar='PYTHON', help='only the import proof, with this interpreter (where the set is installed)')
    a = ap.parse_args(argv)
    dest = Path(a.dest).resolve(); dest.mkdir(parents=True, exist_ok=True)
    try:
        image = read_image(a.image); excl, over = read_rules(a.rules)
        for n in over:
            if n in image: raise Fail(f"override {n}: the GPU image has it; an override is for the wheel set")
        wheels, used, hits, problems = derive(a.python, image, excl, over, dest)
        if problems: raise Fail('the derivation found:\n  ' + '\n  '.join(problems))
        for n in excl:
            if n not in hits: print(f"wheelset: note: exclude {n} is not in the closure any more; drop it from {a.rules}")
        print(f"wheelset: the kit's closure for Python {a.python} on x86-64 Linux: {len(used)} from the GPU image, "
              f"{len(wheels)} wheels, {len(hits)} excluded")
        for n, by in sorted(hits.items()): print(f"  excluded {n}: required by {', '.join(by)}: {excl[n]}")
        for n, (v, r) in sorted(over.items()): print(f"  override {n}=={v} (here: {installed_version(n)}): {r}")
        if a.verify:  # the set installed where `a.verify` runs: the same versions, then the import proof there
            code = 'import importlib.metadata as md, json, sys\ndef v(n):\n try: return md.version(n)\n except md.PackageNotFoundError: return None\n' \
                   f'print(json.dumps({{n: v(n) for n in {sorted(wheels) + [KIT]!r}}}))'
            p = subprocess.run([a.verify, '-c', code], capture_output=True, text=True, cwd=tempfile.gettempdir())
            if p.returncode: raise Fail(f"{a.verify} failed:\n{p.stderr[-2000:]}")
            got = json.loads(p.stdout.strip().splitlines()[-1])
            off = [f"{n} {got[n]} (the set: {wheels[n][0]})" for n in wheels if got[n] != wheels[n][0]] + (["structinit is not installed"] if not got[KIT] else [])
            if off: raise Fail(f"{a.verify}'s environment does not hold the wheel set: " + ', '.join(off))
            print(f"wheelset: {a.verify} holds the wheel set: " + ', '.join(f'{n} {got[n]}' for n in sorted(got)))
            for l in prove(a.verify, image, wheels, excl): print('wheelset:', l)
            return 0
        if a.list_only:
            for n, (v, by) in sorted(wheels.items()): print(f"  {n}=={v}  <- {', '.join(sorted(set(by)))}")
            return 0
        # download (in parallel), then the kit's wheel, then drop stale wheels
        try:
            with cf.ThreadPoolExecutor(4) as ex:
                files = dict(zip(wheels, ex.map(lambda n: pip_download(n, wheels[n][0], a.python, dest), wheels)))
            files[KIT] = build_kit_wheel(dest)
        except Fail as e:
            print(f'wheelset: {e}', file=sys.stderr); return 2
        keep = {f.name for f in files.values()}
        for f in dest.glob('*.whl'):
            if f.name not in keep: print(f"wheelset: removing {f.name} (not in the derived set)"); f.unlink()
        # the proof, with the overrides' wheels first on the path
        with tempfile.TemporaryDirectory() as overlay:
            ow = [files[n] for n in over if n in files]
            for f in ow:
                if not f.name.endswith('-none-any.whl'): raise Fail(f"override {f.name} is not a pure wheel: the proof cannot import it here")
            if ow:
                p = subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--no-index', '--no-deps', '--no-compile',
                                    '--disable-pip-version-check', '--target', overlay, *map(str, ow)], capture_output=True, text=True)
                if p.returncode: raise Fail(f"unpacking the overrides failed:\n{p.stderr[-2000:]}")
            for l in prove(sys.executable, image, wheels, excl, over, overlay if ow else None): print('wheelset:', l)
        total = 0
        print(f"wheelset: {len(files)} wheels in {dest} for Python {a.python}:")
        for n, f in sorted(files.items()):
            size = f.stat().st_size; total += size
            print(f"  {f.name:<55} {size / 1e3:8.1f} kB   {'(the kit)' if n == KIT else 'required by ' + ', '.join(sorted(set(wheels[n][1])))}")
        print(f"  total {total / 1e6:.2f} MB")
        return 0
    except Fail as e:
        print(f'wheelset: {e}', file=sys.stderr); return 1

if __name__ == '__main__': sys.exit(main())
