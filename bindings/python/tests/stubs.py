"""Checks both modules' tests make of a module's stub (pipc/NAME.pyi): it declares every
public name of the module and nothing else, each class's methods and attributes, and
mypy's stubtest finds the two in agreement."""
import ast
import os
import subprocess
import sys

import pytest

STUB_DIR = os.path.join(os.path.dirname(__file__), '..', 'pipc')

# what every module has from the import system, which stubs do not declare
IMPORT_DUNDERS = {'__doc__', '__name__', '__loader__', '__spec__', '__package__', '__file__',
                  '__builtins__', '__cached__'}


def stub_path(module):
    return os.path.join(STUB_DIR, module.__name__.rpartition('.')[2] + '.pyi')


def assert_stub_names_match(module, classes):
    with open(stub_path(module)) as f:
        tree = ast.parse(f.read())
    declared, members = set(), {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            declared.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            declared.add(node.target.id)
        if isinstance(node, ast.ClassDef):
            members[node.name] = {n.name if isinstance(n, ast.FunctionDef) else n.target.id
                                  for n in node.body
                                  if isinstance(n, (ast.FunctionDef, ast.AnnAssign))}
    public = {n for n in dir(module)
              if not n.startswith('_') or (n.startswith('__') and n not in IMPORT_DUNDERS)}
    stub_only = {n for n in declared if n.startswith('_') and not n.startswith('__')}
    assert declared - stub_only == public
    for cls in classes:
        runtime = {n for n in vars(cls) if not n.startswith('__')} | (
            {'__enter__', '__exit__'} & set(vars(cls)))
        stubbed = {n for n in members[cls.__name__]
                   if not n.startswith('__') or n in ('__enter__', '__exit__')}
        assert stubbed == runtime, cls.__name__


def assert_stubtest_passes(module, classes, tmp_path):
    pytest.importorskip('mypy.stubtest')
    (tmp_path / 'pipc').mkdir()
    (tmp_path / 'pipc' / '__init__.pyi').write_text('')
    with open(stub_path(module)) as f:
        (tmp_path / 'pipc' / os.path.basename(stub_path(module))).write_text(f.read())
    allowed = [f'{module.__name__}.{cls.__name__}' for cls in classes]  # SWIG's metaclass
    if sys.version_info < (3, 12) and hasattr(module, 'SharedMemory'):
        # the buffer protocol's PEP 688 names, stubbed for type checkers of every version,
        # appear at run time from 3.12 on
        allowed += [f'{module.__name__}.SharedMemory.{n}'
                    for n in ('__buffer__', '__release_buffer__')]
    allow = tmp_path / 'allowlist'
    allow.write_text('\n'.join(allowed) + '\n')
    env = dict(os.environ, MYPYPATH=str(tmp_path))
    env['PYTHONPATH'] = os.pathsep.join(p for p in sys.path if p)
    out = subprocess.run([sys.executable, '-m', 'mypy.stubtest', module.__name__,
                          '--allowlist', str(allow)], cwd=str(tmp_path), env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert out.returncode == 0, out.stdout.decode()
