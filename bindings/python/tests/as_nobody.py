"""Runs Python code in a child that root's permissions do not cover: as the user nobody
when this process is root (as itself otherwise). The child imports a copy of this build's
pipc package and libpipc that nobody can read, since the build tree may sit where only its
owner can (CI's is under /root)."""
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

import pipc


def _loaded_libpipc():
    """The libpipc this process loaded, from its memory map."""
    with open('/proc/self/maps') as maps:
        for line in maps:
            path = line.split()[-1]
            if os.path.basename(path).startswith('libpipc.so'):
                return path
    raise AssertionError('libpipc is not loaded')


def run(code, *args, timeout):
    """The finished child running CODE with ARGS (a CompletedProcess, text output); skips
    the test when no such child can be started."""
    as_nobody = dict(user=65534, group=65534, extra_groups=[]) if os.geteuid() == 0 else {}
    with tempfile.TemporaryDirectory() as copy:
        # the package's extension modules find libpipc at $ORIGIN/../../../libpipc
        package = os.path.join(copy, 'bindings', 'python', 'pipc')
        shutil.copytree(os.path.dirname(pipc.__file__), package,
                        ignore=shutil.ignore_patterns('*.p', '__pycache__'))
        os.makedirs(os.path.join(copy, 'libpipc'))
        shutil.copy(_loaded_libpipc(), os.path.join(copy, 'libpipc', 'libpipc.so.0'))
        for root, dirs, _ in os.walk(copy):
            for d in [root] + [os.path.join(root, d) for d in dirs]:
                os.chmod(d, 0o755)
        env = dict(os.environ, PYTHONPATH=os.path.dirname(package))
        try:
            return subprocess.run([sys.executable, '-c', code, *map(str, args)], cwd=copy, env=env,
                                  capture_output=True, text=True, timeout=timeout, **as_nobody)
        except (OSError, subprocess.SubprocessError) as e:
            pytest.skip('cannot run a child as nobody: %s' % e)
