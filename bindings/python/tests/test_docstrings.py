"""Reference documentation: every public class, method, property and function of
pipc.posix_ipc, pipc.sysv_ipc, pipc.sync, pipc.channel and pipc.inventory has a docstring, and
every callable a signature that help() shows; pipc.__version__ is the version of the libpipc library loaded."""
import ctypes
import inspect
import pydoc
import re

import pytest

import pipc
from pipc import channel, inventory, posix_ipc, sync, sysv_ipc

MODULES = [posix_ipc, sysv_ipc, sync, channel]
# dunders a class defines itself whose documentation is the language's, not ours
OWN_DUNDERS = {'__enter__', '__exit__'}


def _public(names):
    return sorted(n for n in names if not n.startswith('_') or n in OWN_DUNDERS)


def _documented_names(module):
    """(qualified name, object) of every public name of MODULE and of its classes."""
    for name in _public(dir(module)):
        obj = getattr(module, name)
        if inspect.isclass(obj) or callable(obj):
            yield f'{module.__name__}.{name}', obj
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for member in _public(vars(obj)):
                yield f'{module.__name__}.{name}.{member}', vars(obj)[member]


@pytest.mark.parametrize('module', MODULES, ids=lambda m: m.__name__)
def test_every_public_name_has_a_docstring(module):
    assert (module.__doc__ or '').strip()
    names = list(_documented_names(module))
    assert len(names) > (15 if module is channel else 20)   # the walk found the API
    undocumented = [q for q, obj in names if not (obj.__doc__ or '').strip()]
    assert undocumented == []


@pytest.mark.parametrize('module', MODULES, ids=lambda m: m.__name__)
def test_every_callable_has_a_signature(module):
    """help() shows the arguments: each method, function and class has a text signature."""
    missing = []
    for qualified, obj in _documented_names(module):
        if callable(obj) and not (inspect.isclass(obj) and issubclass(obj, BaseException)):
            try:
                inspect.signature(obj)
            except ValueError:
                missing.append(qualified)
    assert missing == []


def test_help_of_acquire_documents_arguments_timeouts_and_exceptions():
    text = pydoc.render_doc(posix_ipc.Semaphore.acquire, renderer=pydoc.plaintext)
    assert 'acquire(self, /, timeout=None)' in text
    for words in ('monotonic clock', 'BusyError', 'ExistentialError', 'SignalError'):
        assert words in text


def test_version_is_the_loaded_librarys():
    # the extensions link libpipc.so.0: dlopen by soname finds the copy already loaded
    lib = ctypes.CDLL('libpipc.so.0')
    lib.pipc_version.restype = ctypes.c_char_p
    assert pipc.__version__ == lib.pipc_version().decode()
    assert re.fullmatch(r'\d+\.\d+\.\d+', pipc.__version__)


def test_reference_versions_are_unchanged():
    assert (posix_ipc.VERSION, posix_ipc.__version__) == ('1.3.2', '1.3.2')
    assert (sysv_ipc.VERSION, sysv_ipc.__version__) == ('1.2.0', '1.2.0')


def test_inventory_is_documented():
    """pipc.inventory (pure Python): its module, each name of __all__, and the classes'
    own methods have docstrings; each callable has a signature."""
    assert (inventory.__doc__ or '').strip()
    names = [(f'pipc.inventory.{n}', getattr(inventory, n)) for n in inventory.__all__]
    for qualified, obj in list(names):
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            names += [(f'{qualified}.{m}', v) for m, v in vars(obj).items()
                      if callable(v) and not m.startswith('_')]
    undocumented = [q for q, obj in names
                    if (callable(obj) or inspect.isclass(obj)) and not (obj.__doc__ or '').strip()]
    assert undocumented == []
    for _, obj in names:
        if callable(obj) and not (inspect.isclass(obj) and issubclass(obj, BaseException)):
            inspect.signature(obj)
    text = pydoc.render_doc(inventory.objects, renderer=pydoc.plaintext)
    assert 'objects(kinds' in text and 'holders' in text and 'NotImplementedError' in text
