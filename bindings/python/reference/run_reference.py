#!/usr/bin/env python3
"""Runs a reference library's own unittest suite against pipc's drop-in module.

    run_reference.py {posix_ipc|sysv_ipc} [--cache DIR] [--against pipc|installed]

The suites of posix_ipc 1.3.2 and sysv_ipc 1.2.0 are not part of this repository
(they are their authors' work, under their licence). At test time this script takes
the source distribution from the directory named by $PIPC_REFERENCE_SDISTS (the
.tar.gz, or an already unpacked NAME-VERSION/ tree), else from --cache, else
downloads it from PyPI into --cache (sha256-pinned). It unpacks only the tests/
directory into a temporary directory, puts a one-line alias module named after the
reference first on sys.path (so that `import posix_ipc` gives `pipc.posix_ipc`), and
runs the suite with unittest in a subprocess.

Prints "N passed, N failed, N skipped" and exits 0 when nothing failed, 1 when
something did, and 77 (meson's "skipped") when the sdist cannot be obtained.
--against installed runs the suite against whatever `import NAME` finds instead
(a check of this script with the original modules).

The one segment posix_ipc's suite itself leaks (test_ftruncate_increase) is unlinked
afterwards; any other object of the family that appeared during the run and is still
there is listed (not removed: a test running beside this one may own it).
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request

SKIP = 77

REFERENCES = {
    'posix_ipc': ('1.3.2', '6923232111329954a8349f7d99f212b6e96b5206e77fbd39aaf1b3cb4a5e9260'),
    'sysv_ipc': ('1.2.0', 'ef96ab33bb62e4d14142f0be0524dcc0c3c70c96442df2fc773c67b7c7514199'),
}

ALIAS = 'import sys; from pipc import {name} as m; sys.modules[__name__] = m\n'

# Runs in the child: imports the module under test, then the suite; reports counts as
# one JSON line on stdout (unittest's own report goes to stderr).
DRIVER = r'''
import importlib, json, os, sys, unittest
alias_dir, root, name, against = sys.argv[1:5]
if alias_dir:
    sys.path.insert(0, alias_dir)
sys.path.insert(1 if alias_dir else 0, root)
mod = importlib.import_module(name)
if against == "pipc" and mod is not importlib.import_module("pipc." + name):
    sys.exit("import %s did not give pipc.%s" % (name, name))
print("module under test: %s (%s)" % (mod.__name__, getattr(mod, "__file__", "?")),
      file=sys.stderr, flush=True)

# posix_ipc's test_ftruncate_increase makes a segment and never unlinks it. Note the
# segments this process resizes that did not exist before; unlink those left at the end.
shm_before = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
shm_resized = set()
real_ftruncate = os.ftruncate
def ftruncate(fd, length):
    try:
        path = os.readlink("/proc/self/fd/%d" % fd)
    except (OSError, TypeError):
        path = ""
    if os.path.dirname(path) == "/dev/shm" and os.path.basename(path) not in shm_before:
        shm_resized.add(path)
    return real_ftruncate(fd, length)
os.ftruncate = ftruncate

suite = unittest.TestLoader().discover("tests", top_level_dir=root)
result = unittest.TextTestRunner(stream=sys.stderr, verbosity=2).run(suite)
for path in sorted(shm_resized):
    if os.path.exists(path):
        os.unlink(path)
        print("removed %s, which the suite left behind" % path, file=sys.stderr)
print("PIPC-REFERENCE-COUNTS " + json.dumps({
    "run": result.testsRun,
    "failures": len(result.failures),
    "errors": len(result.errors),
    "skipped": len(result.skipped),
    "expected_failures": len(result.expectedFailures),
    "unexpected_successes": len(result.unexpectedSuccesses),
}), flush=True)
'''


class Unavailable(Exception):
    """The source distribution cannot be obtained here."""


def sha256(path):
    import hashlib
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 16), b''):
            h.update(block)
    return h.hexdigest()


def download(name, version, digest, cache):
    """Downloads NAME==VERSION's sdist from PyPI into CACHE (checked against DIGEST, its
    sha256); returns the path. Needs only the standard library: no pip on the machine."""
    os.makedirs(cache, exist_ok=True)
    # The simple index (PEP 503) lists every file with its sha256 in the link.
    index = 'https://pypi.org/simple/%s/' % name.replace('_', '-')
    try:
        with urllib.request.urlopen(index, timeout=30) as response:
            page = response.read().decode('utf-8', 'replace')
        url = next(link for link in re.findall(r'href="([^"]+)"', page)
                   if link.endswith('#sha256=' + digest))
        with urllib.request.urlopen(url.split('#')[0], timeout=60) as response:
            data = response.read()
    except (OSError, ValueError, StopIteration) as e:
        raise Unavailable('cannot download %s %s from PyPI: %r' % (name, version, e))
    if hashlib.sha256(data).hexdigest() != digest:
        raise Unavailable('%s %s from PyPI does not have the pinned sha256' % (name, version))
    dest = os.path.join(cache, '%s-%s.tar.gz' % (name, version))
    with tempfile.NamedTemporaryFile(dir=cache, delete=False) as f:
        f.write(data)
    os.replace(f.name, dest)
    return dest


def find_source(name, version, digest, cache):
    """The sdist (a .tar.gz path) or an unpacked tree (a directory holding tests/)."""
    stems = {'%s-%s' % (name, version), '%s-%s' % (name.replace('_', '-'), version)}
    given = os.environ.get('PIPC_REFERENCE_SDISTS')
    places = [given] if given else []
    if cache:
        places.append(cache)
    for place in places:
        for stem in sorted(stems):
            tree = os.path.join(place, stem)
            if os.path.isdir(os.path.join(tree, 'tests')):
                return tree
            tarball = tree + '.tar.gz'
            if os.path.isfile(tarball):
                if sha256(tarball) != digest:
                    sys.exit('%s: sha256 differs from %s %s\'s sdist on PyPI'
                             % (tarball, name, version))
                return tarball
    if given:
        raise Unavailable('PIPC_REFERENCE_SDISTS=%s holds neither %s-%s.tar.gz nor %s-%s/tests'
                          % (given, name, version, name, version))
    if not cache:
        raise Unavailable('no --cache directory to download %s %s into' % (name, version))
    return download(name, version, digest, cache)


def unpack_tests(source, dest):
    """Copies only tests/ of the sdist SOURCE into DEST/tests."""
    if os.path.isdir(source):
        shutil.copytree(os.path.join(source, 'tests'), os.path.join(dest, 'tests'))
        return
    with tarfile.open(source, 'r:gz') as tar:
        for member in tar.getmembers():
            parts = member.name.split('/')
            if len(parts) < 3 or parts[1] != 'tests' or not member.isfile():
                continue
            if any(p in ('', '.', '..') for p in parts[1:]):
                continue
            path = os.path.join(dest, *parts[1:])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with tar.extractfile(member) as src, open(path, 'wb') as out:
                shutil.copyfileobj(src, out)
    if not os.path.isfile(os.path.join(dest, 'tests', '__init__.py')):
        sys.exit('%s has no tests/ package' % source)


def ipc_objects(name):
    """The IPC objects of the family NAME tests that exist now, one string each: POSIX
    names (posix_ipc), or SysV keys and ids (sysv_ipc)."""
    found = set()
    posix = name == 'posix_ipc'
    for kind, where in (('shm', '/dev/shm'), ('mqueue', '/dev/mqueue')) if posix else ():
        try:
            found.update('%s %s' % (kind, n) for n in os.listdir(where))
        except OSError:
            pass
    for kind in () if posix else ('shm', 'sem', 'msg'):
        try:
            with open('/proc/sysvipc/' + kind) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            key, ident = row.split()[:2]
            found.add('sysv %s key %#010x id %s' % (kind, int(key) & 0xffffffff, ident))
    return found


def run_suite(name, version, source, against, timeout):
    with tempfile.TemporaryDirectory(prefix='pipc-reference-') as tmp:
        root = os.path.join(tmp, 'suite')
        os.mkdir(root)
        unpack_tests(source, root)
        alias_dir = ''
        if against == 'pipc':
            alias_dir = os.path.join(tmp, 'alias')
            os.mkdir(alias_dir)
            with open(os.path.join(alias_dir, name + '.py'), 'w') as f:
                f.write(ALIAS.format(name=name))
        cmd = [sys.executable, '-c', DRIVER, alias_dir, root, name, against]
        env = dict(os.environ)  # the suite runs elsewhere: keep PYTHONPATH's meaning
        if env.get('PYTHONPATH'):
            env['PYTHONPATH'] = os.pathsep.join(
                os.path.abspath(p) for p in env['PYTHONPATH'].split(os.pathsep) if p)
        print('%s %s reference suite against %s, from %s' % (name, version, against, source),
              flush=True)
        before = ipc_objects(name)
        try:
            proc = subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.PIPE, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            print('%s: the suite did not finish within %d s' % (name, timeout))
            return None
        finally:
            left = sorted(ipc_objects(name) - before)
            if left:  # not removed: a test running beside this one may own them
                print('WARNING: %d IPC objects appeared while the suite ran and are still there '
                      '(the suite\'s, unless a concurrent test made them):\n  %s'
                      % (len(left), '\n  '.join(left)))
    counts = None
    for line in proc.stdout.splitlines():
        if line.startswith('PIPC-REFERENCE-COUNTS '):
            counts = json.loads(line.split(' ', 1)[1])
        else:
            print(line)
    if counts is None:
        print('%s: the suite did not report (exit status %d)' % (name, proc.returncode))
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('name', choices=sorted(REFERENCES))
    parser.add_argument('--cache', help='directory for downloaded sdists (kept and reused)')
    parser.add_argument('--against', choices=('pipc', 'installed'), default='pipc')
    parser.add_argument('--timeout', type=int, default=1500, help='seconds for the whole suite')
    args = parser.parse_args()
    version, digest = REFERENCES[args.name]
    try:
        source = find_source(args.name, version, digest, args.cache)
    except Unavailable as e:
        print('SKIP: cannot obtain the %s %s source distribution, so its reference suite '
              'was NOT run.\n%s\nGive a directory with %s-%s.tar.gz in PIPC_REFERENCE_SDISTS '
              'to run it offline.' % (args.name, version, e, args.name, version))
        return SKIP
    counts = run_suite(args.name, version, source, args.against, args.timeout)
    if counts is None:
        print('%s %s reference suite: FAILED to complete' % (args.name, version))
        return 1
    failed = counts['failures'] + counts['errors'] + counts['unexpected_successes']
    passed = (counts['run'] - failed - counts['skipped'] - counts['expected_failures'])
    print('%s %s reference suite (%s): %d passed, %d failed, %d skipped'
          % (args.name, version, args.against, passed, failed, counts['skipped']))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
