#!/usr/bin/env python3
"""Random-call fuzzing of pipc.posix_ipc and pipc.sysv_ipc: one batch, in this process.

bindings/fuzz/run_fuzz.py runs one child per batch, in a private IPC namespace:
    fuzz_calls.py --seed S --calls N --log FILE [--skip-known] [--shared-ipc]
    fuzz_calls.py --replay FILE --log FILE [--skip-known]   # runs a log again

Each statement is a call on something public in the two modules: constructors with random
positional and keyword arguments, methods of live, closed, removed and uninitialised
objects, attribute reads, writes and deletions, module functions, buffer views; with
arguments of every type. It is written to the log (unbuffered) before it runs, so the log
is a Python program that says what crashed and that --replay runs again.

Any exception of the types in ALLOWED is validation at work. A SystemError, any other
exception type, or one reported as unraisable (from a notification thread, a finalizer)
is a failure, listed in the "#RESULT {json}" line that ends the log. "#+ KIND IDENT"
lines name the objects the calls made; at the end every object still known is closed and
removed, so that whatever the batch leaves in the namespace is a leak.

Calls that may wait run under a timer (ALARM_S): an unbounded wait is ended by a signal
whose handler raises FuzzAlarm, the path Ctrl-C takes. Names are fresh ones under PREFIX,
names used before, None, or invalid; keys likewise. With --shared-ipc (no private
namespace) no call names an id or key that the batch did not make or pick as unused."""
import argparse
import array  # noqa: F401 (used by statements)
import copy  # noqa: F401
import faulthandler
import gc
import json
import operator
import os
import pathlib  # noqa: F401
import pickle
import random
import re
import signal
import sys
import warnings
import weakref  # noqa: F401

from pipc import posix_ipc, sysv_ipc

PREFIX = '/pipcfz'
ALARM_S = 0.002           # the longest a call may wait before the timer ends it
MAX_SLOTS = 48            # live results kept; beyond, slots are dropped more often


# ---- what statements use -------------------------------------------------------------

class FuzzRaised(Exception):
    """Raised by the odd objects below: the call must let it through."""


class FuzzAlarm(Exception):
    """A call waited longer than ALARM_S."""


def _give(value):
    if isinstance(value, type) and issubclass(value, BaseException):
        raise value('from an odd object')
    return value


class Index:
    """An object whose __index__ gives VALUE (an exception class: raises it)."""
    def __init__(self, value): self.value = value
    def __index__(self): return _give(self.value)
    def __repr__(self): return f'Index({self.value!r})'


class Float:
    def __init__(self, value): self.value = value
    def __float__(self): return _give(self.value)


class Int:
    def __init__(self, value): self.value = value
    def __int__(self): return _give(self.value)


class Bool:
    def __init__(self, value): self.value = value
    def __bool__(self): return _give(self.value)


class Len:
    def __init__(self, value): self.value = value
    def __len__(self): return _give(self.value)


class FsPath:
    def __init__(self, value): self.value = value
    def __fspath__(self): return _give(self.value)


class Odd:
    """Every conversion at once, each giving VALUE."""
    def __init__(self, value): self.value = value
    def __index__(self): return _give(self.value)
    __int__ = __float__ = __bool__ = __len__ = __fspath__ = __index__
    def __eq__(self, other): return _give(self.value)
    __hash__ = object.__hash__


class IntSub(int):
    """An int whose own conversions raise (C code reading the value directly works)."""
    def __index__(self): raise FuzzRaised('IntSub.__index__')
    __int__ = __float__ = __index__


class StrSub(str):
    def __eq__(self, other): raise FuzzRaised('StrSub.__eq__')
    __hash__ = str.__hash__


notes = []


def fz_note(param=None):
    """A notification callback. It keeps the parameter's type, not the parameter: an object
    kept here would outlive the batch (a SharedMemory attached, its segment with it)."""
    if len(notes) < 1000:
        notes.append(type(param))


def fz_raise(param=None):
    raise FuzzRaised('a callback raised')


def fz_close(obj):
    """A notification callback that closes (or removes) its parameter from the callback's thread."""
    getattr(obj, 'close', getattr(obj, 'remove', fz_note))()


_subclasses = {}


def fz_sub(cls):
    """A subclass of CLS whose finalizer calls into the object (dealloc-time calls)."""
    if cls not in _subclasses:
        def __del__(self):
            for method in ('release', 'detach', 'close'):
                try:
                    getattr(self, method)()
                except Exception:
                    pass
        _subclasses[cls] = type('Sub' + cls.__name__, (cls,), {'__del__': __del__})
    return _subclasses[cls]


# ---- the modules' surface ------------------------------------------------------------

CLASSES = {
    'posix_sem': posix_ipc.Semaphore, 'posix_shm': posix_ipc.SharedMemory,
    'posix_mq': posix_ipc.MessageQueue, 'sysv_sem': sysv_ipc.Semaphore,
    'sysv_shm': sysv_ipc.SharedMemory, 'sysv_mq': sysv_ipc.MessageQueue,
}
KIND_OF_CLASS = {cls: kind for kind, cls in CLASSES.items()}

# Parameters as (keyword, what value): the kinds of value are Values' v_* methods.
CONSTRUCTORS = {
    'posix_sem': [('name', 'name'), ('flags', 'posix_flags'), ('mode', 'mode'),
                  ('initial_value', 'sem_value')],
    'posix_shm': [('name', 'name'), ('flags', 'posix_flags'), ('mode', 'mode'), ('size', 'size'),
                  ('read_only', 'boolish')],
    'posix_mq': [('name', 'name'), ('flags', 'posix_flags'), ('mode', 'mode'),
                 ('max_messages', 'mq_count'), ('max_message_size', 'mq_size'), ('read', 'boolish'),
                 ('write', 'boolish')],
    'sysv_sem': [('key', 'key'), ('flags', 'sysv_flags'), ('mode', 'mode'), ('initial_value', 'sem_value')],
    'sysv_shm': [('key', 'key'), ('flags', 'shm_flags'), ('mode', 'mode'), ('size', 'size'),
                 ('init_character', 'fill')],
    'sysv_mq': [('key', 'key'), ('flags', 'sysv_flags'), ('mode', 'mode'), ('max_message_size', 'mq_size')],
}
EXIT = [('exc_type', 'any'), ('exc_value', 'any'), ('traceback', 'any')]
SYSV_WAIT = [('timeout', 'timeout'), ('delta', 'delta')]
METHODS = {   # the methods with parameters; the others take none
    'posix_sem': {'acquire': [('timeout', 'timeout')], '__exit__': EXIT},
    'posix_shm': {},
    'posix_mq': {'send': [('message', 'data'), ('timeout', 'timeout'), ('priority', 'priority')],
                 'receive': [('timeout', 'timeout')],
                 'request_notification': [('notification', 'notification')]},
    'sysv_sem': {'acquire': SYSV_WAIT, 'P': SYSV_WAIT, 'release': [('delta', 'delta')],
                 'V': [('delta', 'delta')], 'Z': [('timeout', 'timeout')], '__exit__': EXIT},
    'sysv_shm': {'attach': [('address', 'address'), ('flags', 'attach_flags')],
                 'read': [('byte_count', 'count'), ('offset', 'count')],
                 'write': [('s', 'data'), ('offset', 'count'), ('some_bytes', 'data')]},
    'sysv_mq': {'send': [('message', 'data'), ('block', 'boolish'), ('type', 'mq_type')],
                'receive': [('block', 'boolish'), ('type', 'mq_type')]},
}
WAITING = {'acquire', 'P', 'Z', '__enter__', 'send', 'receive'}   # may wait without limit
# Calls that end an object come less often than the others (dunders too), so that most
# calls find it alive; those that move data come more often (the few calls that do the work).
METHOD_WEIGHTS = {'close': 0.4, 'close_fd': 0.4, 'unlink': 0.4, 'remove': 0.4, 'detach': 0.4,
                  'read': 3, 'write': 3, 'send': 2, 'receive': 2, 'acquire': 2, 'release': 2, 'attach': 2}
SETTABLE = {'value': 'sem_value', 'undo': 'boolish', 'block': 'boolish', 'mode': 'mode',
            'uid': 'owner_id', 'gid': 'owner_id', 'max_size': 'max_bytes'}
SETTABLE_OF = {'posix_sem': set(), 'posix_shm': set(), 'posix_mq': {'block'},     # as the references
               'sysv_sem': {'value', 'undo', 'block', 'mode', 'uid', 'gid'},
               'sysv_shm': {'mode', 'uid', 'gid'}, 'sysv_mq': {'max_size', 'mode', 'uid', 'gid'}}
FUNCTIONS = {   # keyword None: positional only
    'posix_ipc.unlink_semaphore': [('name', 'name')],
    'posix_ipc.unlink_shared_memory': [('name', 'name')],
    'posix_ipc.unlink_message_queue': [('name', 'name')],
    'sysv_ipc.ftok': [('path', 'path'), ('id', 'small_int'), ('silence_warning', 'boolish')],
    'sysv_ipc.attach': [('id', 'shm_id'), ('address', 'address'), ('flags', 'attach_flags')],
    'sysv_ipc.remove_semaphore': [(None, 'sem_id')],
    'sysv_ipc.remove_shared_memory': [(None, 'shm_id')],
    'sysv_ipc.remove_message_queue': [(None, 'mq_id')],
}


def public_surface():
    """Every method and attribute of each class, and every module function, read from the
    modules (so that what they gain is fuzzed too)."""
    methods, attributes = {}, {}
    for kind, cls in CLASSES.items():
        names = [n for n in dir(cls) if not n.startswith('_') or
                 (n.startswith('__') and n not in dir(object))]
        attributes[kind] = [n for n in names if type(cls.__dict__.get(n)).__name__ == 'getset_descriptor']
        methods[kind] = [n for n in names if n not in attributes[kind]] + ['__init__']
    functions = [f'{m.__name__.split(".")[1]}.{n}' for m in (posix_ipc, sysv_ipc) for n in dir(m)
                 if not n.startswith('_') and callable(getattr(m, n)) and not isinstance(getattr(m, n), type)]
    return methods, attributes, functions


# Exceptions that are validation at work. A SystemError, a RecursionError or any other
# type is a failure.
ALLOWED = (TypeError, ValueError, OverflowError, AttributeError, BufferError, OSError, MemoryError,
           RuntimeError, NotImplementedError, IndexError, pickle.PicklingError, posix_ipc.Error,
           sysv_ipc.Error, FuzzRaised, FuzzAlarm, Warning)
NOT_ALLOWED = (SystemError, RecursionError)


def allowed(error):
    return isinstance(error, ALLOWED) and not isinstance(error, NOT_ALLOWED)


# ---- values of every type, as Python source -----------------------------------------

ANY = [
    'None', 'True', 'False', '0', '1', '-1', '2', '7', '255', '256', '4096', '65536', '2**31 - 1',
    '2**31', '-2**31', '-2**31 - 1', '2**32', '2**63 - 1', '2**63', '-2**63', '-2**63 - 1', '2**64',
    '2**80', '-2**80', "float('nan')", "float('inf')", "-float('inf')", '-0.0', '0.0', '0.001', '0.5',
    '1.5', '1e300', '-1e300', '5e-324', '1j', "''", "'x'", "'\\x00'", "'a\\x00b'", "'x' * 100000",
    "'é'", "'\\udcff'", "'\\U0001f600'", "'/'", "b''", "b'x'", "b'\\x00'", "b'\\xff' * 3",
    'bytes(1 << 20)', "bytearray(b'abc')", 'bytearray(65536)', "memoryview(b'abcd')",
    "memoryview(b'abcdef')[::2]", "memoryview(bytearray(8)).cast('I')", "array.array('d', [1.5])",
    '[]', '[1, 2]', '{}', "{'a': 1}", '()', '(1,)', '(fz_note, 1)', 'set()', 'object()', 'object', 'int',
    'type', 'fz_note', 'lambda *a: 0', 'Ellipsis', 'NotImplemented', 'Index(1)', 'Index(-1)',
    'Index(2**80)', 'Index(FuzzRaised)', "Index('x')", 'Int(3)', 'Float(0.5)', 'Float(FuzzRaised)',
    'Bool(FuzzRaised)', 'Len(FuzzRaised)', 'Odd(FuzzRaised)', 'Odd(1)', 'IntSub(5)', 'IntSub(-1)',
    "StrSub('/x')", "FsPath('/tmp')", 'posix_ipc', 'posix_ipc.Semaphore', 'sysv_ipc.SharedMemory',
    'FuzzRaised()', "pathlib.Path('/')",
]


# What a slot may hold (kind_of). A POSIX segment can be shrunk under a live view of it (by
# any handle, in any process), and touching the view past the new end is SIGBUS, as with
# any mapping: so the content of POSIX memory (view_posix) is never read or written.
ALL_KINDS = ('posix_sem', 'posix_shm', 'posix_mq', 'sysv_sem', 'sysv_shm', 'sysv_mq', 'view_posix',
             'view_sysv', 'other')
ANY_BUT_POSIX_MEMORY = tuple(k for k in ALL_KINDS if k not in ('posix_shm', 'view_posix'))


class Values:
    """Source text of values, by what they are for (v_KIND); a share of them is any value
    at all. REFS collects the slots a generated value refers to."""

    def __init__(self, rng, state):
        self.rng = rng
        self.state = state
        self.refs = set()

    def pick(self, choices):
        return self.rng.choice(choices)

    def value(self, kind):
        if kind == 'data' and self.rng.random() < 0.06:
            return self.v_any(ANY_BUT_POSIX_MEMORY)
        if kind != 'any' and self.rng.random() < 0.06:
            kind = 'any'
        return getattr(self, 'v_' + kind)()

    def slot(self, *kinds):
        """o[k] for a live slot of one of KINDS (any slot without KINDS), or None."""
        slots = self.state.slots_of(*(kinds or ALL_KINDS))
        if not slots:
            return None
        k = self.pick(slots)
        self.refs.add(k)
        return f'o[{k}]'

    def v_any(self, slot_kinds=()):
        roll = self.rng.random()
        if roll < 0.1:
            return self.slot(*slot_kinds) or 'None'
        if roll < 0.2:
            return str(self.rng.randint(-2**70, 2**70) >> self.rng.randint(0, 70))
        if roll < 0.25:
            return repr(self.rng.uniform(-10, 10))
        return self.pick(ANY)

    def v_name(self):
        """(o[k].name: a second handle on a live object, which may resize it under the first)"""
        roll = self.rng.random()
        fresh = self.state.fresh_name()
        if roll < 0.4:
            return repr(fresh)
        live = roll < 0.55 and self.slot('posix_sem', 'posix_shm', 'posix_mq')
        if live:
            return live + '.name'
        if roll < 0.7 and self.state.names:
            return repr(self.pick(self.state.names))
        if roll < 0.8:
            return 'None'
        return self.pick([repr(fresh.encode()), repr(fresh[1:]), repr(fresh + '\x00x'),
                          repr(fresh + 'x' * 300), repr(fresh + '/x'), repr(fresh + 'é'),
                          repr(fresh + '\udcff'), "'/'", "''", "b'/'", f'StrSub({fresh!r})',
                          f'bytearray({fresh.encode()!r})', f'FsPath({fresh!r})'])

    def v_key(self):
        roll = self.rng.random()
        if roll < 0.3:
            return 'None'
        if roll < 0.4:
            return 'sysv_ipc.IPC_PRIVATE'
        if roll < 0.65 and self.state.keys:
            return str(self.pick(self.state.keys))
        if roll < 0.9:
            return str(self.state.fresh_key())
        return self.pick(['sysv_ipc.KEY_MIN', 'sysv_ipc.KEY_MAX', 'sysv_ipc.KEY_MAX + 1',
                          'sysv_ipc.KEY_MIN - 1', '2**63', '-1', 'Index(5)', 'IntSub(7)', "'1'", '1.0'])

    def flags(self, bits, odd):
        if self.rng.random() < 0.85:
            chosen = [b for b, p in bits if self.rng.random() < p]
            return ' | '.join(chosen) or '0'
        return self.pick(odd)

    def v_posix_flags(self):
        return self.flags([('posix_ipc.O_CREAT', 0.6), ('posix_ipc.O_EXCL', 0.35), ('posix_ipc.O_TRUNC', 0.1),
                           ('posix_ipc.O_NONBLOCK', 0.1), ('posix_ipc.O_RDONLY', 0.05)],
                          ['-1', '2**31', '2**32', '0xffff', 'Index(posix_ipc.O_CREX)', '1.0', 'None'])

    def v_sysv_flags(self):
        return self.flags([('sysv_ipc.IPC_CREAT', 0.6), ('sysv_ipc.IPC_EXCL', 0.35)],
                          ['-1', '2**31', '2**32', '0xffff', 'Index(sysv_ipc.IPC_CREX)', '1.0', 'None'])

    def v_shm_flags(self):
        return self.flags([('sysv_ipc.IPC_CREAT', 0.6), ('sysv_ipc.IPC_EXCL', 0.35),
                           ('sysv_ipc.SHM_HUGETLB', 0.04), ('sysv_ipc.SHM_NORESERVE', 0.04)],
                          ['-1', '2**31', '2**32', '0xffff', 'Index(sysv_ipc.IPC_CREX)', '1.0', 'None'])

    def choose(self, typical, edge):
        """Mostly a TYPICAL value (so that calls get past their checks), else an EDGE one."""
        return self.pick(typical if self.rng.random() < 0.8 else edge)

    def v_mode(self):
        return self.choose(['0o600', '0o600', '0o644', '0o400'],
                           ['0o200', '0', '0o777', '0o7777', '-1', '2**31', '0o1000000', 'Index(0o600)'])

    def v_size(self):
        return self.choose(['0', '4096', '4096', '1', '100', '8192', '65536', 'posix_ipc.PAGE_SIZE * 3'],
                           ['4095', '2**20', '2**26', '2**26 + 1', '2**31', '2**40', '-1', '2**63',
                            '2**63 - 1', '2**64', 'Index(4096)'])

    def v_sem_value(self):
        return self.choose(['0', '0', '1', '2', '100'],
                           ['posix_ipc.SEMAPHORE_VALUE_MAX', 'sysv_ipc.SEMAPHORE_VALUE_MAX',
                            'sysv_ipc.SEMAPHORE_VALUE_MAX + 1', '-1', '2**32', '2**63', 'Index(1)', 'IntSub(1)'])

    def v_timeout(self):
        return self.choose(['0', '0', '0.0', '0.001', '1e-9', 'None'],
                           ['0.002', '1e-12', '-1', '-0.0', "float('nan')", "float('inf')", '2**80', '1e300',
                            '2**63', '1', 'True', "'0'", 'Float(0.001)', 'Index(0)', 'Float(FuzzRaised)', '1j',
                            'IntSub(0)'])

    def v_delta(self):
        return self.choose(['1', '1', '2', '-1', '3'],
                           ['0', '-2', 'sysv_ipc.SEMAPHORE_VALUE_MAX', 'sysv_ipc.SEMAPHORE_VALUE_MAX + 1',
                            '2**31', '2**63', '-2**63 - 1', 'Index(2)', '1.5', 'None'])

    def v_data(self):
        roll = self.rng.random()
        if roll < 0.1:
            return self.slot('sysv_shm', 'view_sysv') or "b'x'"
        if roll < 0.5:
            return repr(bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(0, 40))))
        return self.pick(["b''", "b'x'", "'text'", "'é'", "'\\udcff'", 'bytes(100)', 'bytes(2048)',
                          'bytes(2049)', 'bytes(8192)', 'bytes(8193)', 'bytes(65536)', "bytearray(b'abc')",
                          "memoryview(b'abcdef')[1:3]", "memoryview(b'abcdef')[::2]",
                          "array.array('i', [1, 2])", "memoryview(b'x').toreadonly()"])

    def v_mq_count(self):
        return self.choose(['1', '2', '10', 'posix_ipc.QUEUE_MESSAGES_MAX_DEFAULT'],
                           ['0', '-1', '2**31', '2**63', '1000000', 'Index(3)'])

    def v_mq_size(self):
        return self.choose(['16', '1024', '2048', '8192', 'posix_ipc.QUEUE_MESSAGE_SIZE_MAX_DEFAULT'],
                           ['1', '0', '-1', '65536', '2**31', '2**62', '2**63', 'Index(64)'])

    def v_priority(self):
        return self.choose(['0', '0', '1', '7', 'posix_ipc.QUEUE_PRIORITY_MAX'],
                           ['posix_ipc.QUEUE_PRIORITY_MAX + 1', '-1', '2**32', '2**63', 'True', 'Index(1)', '1.0'])

    def v_mq_type(self):
        return self.choose(['0', '1', '1', '2', '-2'],
                           ['-1', '2**31', '2**63 - 1', '2**63', '-2**63', '-2**63 - 1', 'Index(1)', '1.0',
                            'IntSub(1)'])

    def v_boolish(self):
        return self.choose(['True', 'False'],
                           ['0', '1', 'None', '[]', '[0]', 'Bool(FuzzRaised)', 'Bool(2)', "''", 'Len(0)',
                            'Len(-1)', 'Len(2**80)'])

    def v_fill(self):
        return self.choose(["b' '", "b'x'", "b'\\x00'", "bytearray(b'z')"],
                           ["b''", "b'ab'", "'x'", '32', 'None', "memoryview(b'x')"])

    def v_count(self):
        return self.choose(['0', '0', '1', '10', '100', '4095'],
                           ['4096', '4097', '-1', '2**31', '2**63 - 1', '2**63', '-2**63 - 1', 'Index(5)',
                            '1.0', 'None'])

    def v_owner_id(self):
        return self.choose(['0', '0', '1000'], ['1', '65534', '-1', '2**32 - 1', '2**32', '2**63', "'0'"])

    def v_max_bytes(self):
        return self.choose(['16384', '2**20', '100'], ['1', '0', '-1', '2**31', '2**63', 'Index(100)', '1.5'])

    def v_small_int(self):
        return self.pick(['0', '1', '42', '255', '256', '-1', '2**31', '2**63', 'Index(1)', '1.0'])

    def v_path(self):
        return self.pick(["'/'", "'/tmp'", "'/dev/null'", "''", "'/nonexistent/x'", "'/tmp\\x00x'",
                          "b'/tmp'", "FsPath('/tmp')", 'FsPath(FuzzRaised)', 'FsPath(3)', "pathlib.Path('/')",
                          "'é'", "bytearray(b'/tmp')"])

    def ipc_id(self, kind):
        ref = self.rng.random() < 0.6 and self.slot(kind)
        if ref:
            return ref + '.id'
        odd = ['-1', '2**31', '2**63', "'1'", 'None', '1.0', 'Index(0)']
        if self.state.shared_ipc:
            return self.pick(odd)          # never an id another program may own
        return self.pick(odd + ['0', '1', '2', '32768', str(self.rng.randint(0, 2**20))])

    def v_sem_id(self):
        return self.ipc_id('sysv_sem')

    def v_shm_id(self):
        return self.ipc_id('sysv_shm')

    def v_mq_id(self):
        return self.ipc_id('sysv_mq')

    def v_address(self):
        roll = self.rng.random()
        if roll < 0.6:
            return 'None'
        if roll < 0.7:
            return (self.slot('sysv_shm') or 'None') + '.address'
        return self.pick(['0', '1', '4096', '2**30', '2**46', '2**47', '2**64', '-1', '-4096', "'0'", '1.0'])

    def v_attach_flags(self):
        return self.flags([('sysv_ipc.SHM_RDONLY', 0.3), ('sysv_ipc.SHM_RND', 0.1),
                           ('sysv_ipc.SHM_REMAP', 0.05), ('sysv_ipc.SHM_EXEC', 0.05)],
                          ['-1', '2**31', 'Index(sysv_ipc.SHM_RDONLY)', '1.0', 'None'])

    def v_notification(self):
        queue = self.slot('posix_mq', 'sysv_shm', 'posix_sem')
        return self.pick(['None', 'None', 'signal.SIGUSR1', 'signal.SIGUSR2', 'posix_ipc.USER_SIGNAL_MIN',
                          '0', '-1', '65', '2**40', '(fz_note, 1)', '(fz_raise, None)', '(1, 2)',
                          '(fz_note,)', '[fz_note, 1]', 'fz_note', '(fz_note, 1, 2)']
                         + ([f'(fz_note, {queue})', f'(fz_close, {queue})'] if queue else []))


# ---- the batch -----------------------------------------------------------------------

# Signals a queue may send this process: the harmless ones (see install_handlers).
SAFE_SIGNALS = {signal.SIGUSR1, signal.SIGUSR2, signal.SIGRTMIN}


class State:
    """What the generator knows of the batch: the live slots and what they hold, the names
    and keys used so far, the slots made by known-crash call shapes."""

    def __init__(self, rng, token, shared_ipc):
        self.rng = rng
        self.token = token
        self.shared_ipc = shared_ipc
        self.kinds = {}        # slot -> kind of what it holds
        self.names, self.keys = [], []
        self.counter = 0
        self.tagged = {}       # slot -> known-crash tag
        self.taken_keys = set()
        if shared_ipc:
            for table in ('sem', 'shm', 'msg'):
                with open(f'/proc/sysvipc/{table}') as f:
                    self.taken_keys |= {int(r.split()[0]) for r in f.read().splitlines()[1:]}

    def remember(self, ident):
        """Keeps a name or key to open again (the most recent ones)."""
        if isinstance(ident, str):
            self.names = self.names[-40:] + [ident]
        elif ident is not None:
            self.keys = self.keys[-40:] + [ident]

    def slots_of(self, *kinds):
        return [k for k, kind in self.kinds.items() if not kinds or kind in kinds]

    def fresh_name(self):
        self.counter += 1
        return f'{PREFIX}.{self.token}.{self.counter}'

    def fresh_key(self):
        while True:
            key = self.rng.randint(1, 2**31 - 1)
            if key not in self.taken_keys:
                return key

    def new_slot(self):
        self.counter += 1
        return self.counter


def kind_of(value):
    kind = KIND_OF_CLASS.get(type(value)) or next(
        (k for c, k in KIND_OF_CLASS.items() if isinstance(value, c)), None)
    if kind:
        return kind
    if isinstance(value, memoryview):
        try:
            obj = value.obj
        except ValueError:
            return 'other'
        if isinstance(obj, posix_ipc.SharedMemory):
            return 'view_posix'
        if isinstance(obj, sysv_ipc.SharedMemory):
            return 'view_sysv'
    return 'other'


FILLS_SLOT = re.compile(r'o\[(\d+)\](?: = |\.__init__\()')


class Statement:
    """TEXT; whether it may wait (run under the alarm) and whether it must raise (a write to
    a read-only attribute); its known-crash tag. The log marks all three after the text:
    "  # waits must-raise known:TAG"."""

    MARKS = re.compile(r'  #((?: (?:waits|must-raise|known:\S+))+)$')

    def __init__(self, text, waits=False, tag=None, must_raise=False):
        self.text, self.waits, self.tag, self.must_raise = text, waits, tag, must_raise

    def line(self):
        marks = ['waits'] * self.waits + ['must-raise'] * self.must_raise + [f'known:{self.tag}'] * bool(self.tag)
        return self.text + ('  # ' + ' '.join(marks) if marks else '')

    @classmethod
    def parse(cls, line):
        marks = cls.MARKS.search(line)
        if not marks:
            return cls(line)
        words = marks.group(1).split()
        tag = next((w[len('known:'):] for w in words if w.startswith('known:')), None)
        return cls(line[:marks.start()], 'waits' in words, tag, 'must-raise' in words)


class Generator:
    """Makes the next statement from the RNG and what the batch has so far."""

    def __init__(self, rng, state, namespace):
        self.rng = rng
        self.state = state
        self.ns = namespace
        self.values = Values(rng, state)
        self.methods, self.attributes, self.functions = public_surface()
        unknown = [f for f in self.functions if f not in FUNCTIONS]
        if unknown:
            print(f'fuzz_calls: module functions without a parameter list here: {unknown}', file=sys.stderr)

    def evaluate(self, source):
        """The value of SOURCE now (for the rules below), or an exception."""
        try:
            return eval(source, self.ns)
        except Exception as error:
            return error

    def next(self):
        v = self.values
        v.refs = set()
        objects = self.state.slots_of(*CLASSES)
        actions = [(self.construct, 18), (self.method, 34 if objects else 0),
                   (self.read_attribute, 10 if objects else 0), (self.write_attribute, 10 if objects else 0),
                   (self.function, 8), (self.buffer_op, 6), (self.misc, 6),
                   (self.drop, 3 + (20 if len(self.state.kinds) > MAX_SLOTS else 0))]
        action = self.rng.choices([a for a, _ in actions], [w for _, w in actions])[0]
        statement = action()
        tags = {self.state.tagged[k] for k in v.refs if k in self.state.tagged}
        if statement.tag:
            tags.add(statement.tag)
        statement.tag = min(tags) if tags else None
        return statement

    # -- arguments --

    def arguments(self, params, fixed=None, first=False):
        """An argument list for PARAMS: some by position, some by keyword, now and then one
        too many, a keyword given twice or unknown. FIXED: values already chosen by name.
        FIRST: the first parameter (a constructor's name or key) is nearly always given by
        position. Returns the text and the value each parameter gets."""
        values = [(name, (fixed or {}).get(name) or self.values.value(kind)) for name, kind in params]
        positional = self.rng.randint(0, len(values))
        if first and values and positional == 0 and self.rng.random() < 0.9:
            positional = 1
        parts = [value for _, value in values[:positional]]
        bound = dict(values[:positional])
        if positional == len(values) and self.rng.random() < 0.03:
            parts.append(self.values.value('any'))
        for name, value in values[positional:]:
            if name is not None and self.rng.random() < 0.5:
                parts.append(f'{name}={value}')
                bound[name] = value
        roll = self.rng.random()
        if roll < 0.02:
            parts.append(f'bogus={self.values.value("any")}')
        elif roll < 0.04 and positional and values[0][0]:
            parts.append(f'{values[0][0]}={values[0][1]}')
        elif roll < 0.045 and values and values[-1][0]:
            name = values[-1][0]
            parts.append(f'**{{StrSub({name!r}): 0}}')   # a str subclass as keyword
            bound.setdefault(name, '0')
        return ', '.join(parts), bound

    def constructor_values(self, kind):
        """Values for a constructor of KIND, mostly consistent with each other (a random name
        or key with the create-exclusive flags it needs)."""
        v = self.values
        params = CONSTRUCTORS[kind]
        chosen = {name: v.value(k) for name, k in params}
        first = params[0][0]
        if chosen[first] == 'None' and self.rng.random() < 0.7:
            chosen['flags'] = 'posix_ipc.O_CREX' if kind.startswith('posix') else 'sysv_ipc.IPC_CREX'
        return chosen

    def known_crash(self, kind, bound):
        """The tag of a call shape whose crash is known and fixed elsewhere, or None (BOUND:
        the constructor's arguments by parameter).
        hugetlb: a System V segment made with SHM_HUGETLB | SHM_NORESERVE where no huge page
        is reserved faults (SIGBUS) when libpipc's core fills it with init_character (or
        when it is read or written)."""
        if kind != 'sysv_shm':
            return None
        flags = self.evaluate(bound.get('flags', '0'))
        try:
            flags = operator.index(flags)
        except Exception:
            return None
        both = sysv_ipc.SHM_HUGETLB | sysv_ipc.SHM_NORESERVE
        return 'hugetlb' if flags & both == both else None

    # -- actions --

    def construct(self):
        kind = self.rng.choice(list(CLASSES))
        chosen = self.constructor_values(kind)
        cls = f'{kind.split("_")[0]}_ipc.{CLASSES[kind].__name__}'
        if self.rng.random() < 0.05:
            cls = f'fz_sub({cls})'
        slot = self.state.new_slot()
        args, bound = self.arguments(CONSTRUCTORS[kind], chosen, first=True)
        return Statement(f'o[{slot}] = {cls}({args})', tag=self.known_crash(kind, bound))

    def target(self):
        k = self.rng.choice(self.state.slots_of(*CLASSES))
        self.values.refs.add(k)
        return k, self.state.kinds[k]

    def method(self):
        k, kind = self.target()
        methods = self.methods[kind]
        name = self.rng.choices(methods, [METHOD_WEIGHTS.get(m, 0.3 if m.startswith('__') else 1)
                                          for m in methods])[0]
        if name == '__init__':
            args, bound = self.arguments(CONSTRUCTORS[kind], self.constructor_values(kind), first=True)
            return Statement(f'o[{k}].__init__({args})', tag=self.known_crash(kind, bound))
        params = METHODS[kind].get(name, [])
        if name == 'attach':
            return self.attach(f'o[{k}].attach', params)
        fixed = {'notification': self.safe_notification()} if name == 'request_notification' else None
        args, _ = self.arguments(params, fixed, first=True)
        slot = self.state.new_slot() if name in ('__enter__', 'receive') else None
        text = f'o[{k}].{name}({args})'
        return Statement(f'o[{slot}] = {text}' if slot else text, waits=name in WAITING)

    def attach(self, callee, params, first=''):
        """attach(): SHM_REMAP only without an address (SHM_REMAP at an address replaces
        whatever is mapped there: this process's own memory)."""
        address, flags = self.values.value('address'), self.values.value('attach_flags')
        value = self.evaluate(address)
        if isinstance(value, int) and value != 0:
            try:
                if operator.index(self.evaluate(flags)) & sysv_ipc.SHM_REMAP:
                    flags = 'sysv_ipc.SHM_RDONLY'
            except Exception:
                pass            # not an integer: the call refuses it
        args, _ = self.arguments(params, {'address': address, 'flags': flags})
        if first:
            args = ', '.join(filter(None, [first, args]))
        slot = self.state.new_slot()
        return Statement(f'o[{slot}] = {callee}({args})')

    def safe_notification(self):
        """A notification whose signal, if it is one, is harmless to this process (any value
        at all may be an int: True is SIGHUP)."""
        source = self.values.value('notification')
        value = self.evaluate(source)
        if isinstance(value, int) and 1 <= value <= signal.SIGRTMAX and value not in SAFE_SIGNALS:
            return 'signal.SIGUSR2'
        return source

    def read_attribute(self):
        k, kind = self.target()
        name = self.rng.choice(self.attributes[kind] + ['nonexistent'])
        return Statement(f'o[{k}].{name}')

    def write_attribute(self):
        """A write (or deletion): to anything but a settable attribute, it must raise."""
        k, kind = self.target()
        name = self.rng.choice(self.attributes[kind] + ['nonexistent'])
        # (an instance of a Python subclass has a __dict__ for names the class lacks)
        in_dict = name == 'nonexistent' and type(self.ns['o'][k]) is not CLASSES[kind]
        if self.rng.random() < 0.1:
            return Statement(f'del o[{k}].{name}', must_raise=not in_dict)
        return Statement(f'o[{k}].{name} = {self.values.value(SETTABLE.get(name, "any"))}',
                         must_raise=name not in SETTABLE_OF[kind] and not in_dict)

    def function(self):
        name = self.rng.choice(self.functions)
        params = FUNCTIONS.get(name, [])
        if name == 'sysv_ipc.attach':
            return self.attach(name, params[1:], self.values.value('shm_id'))
        return Statement(f'{name}({self.arguments(params)[0]})')

    def buffer_op(self):
        views = self.state.slots_of('view_posix', 'view_sysv')
        slot = self.state.new_slot()
        if not views or self.rng.random() < 0.4:
            if self.rng.random() < 0.2:     # a copy of the content: System V memory only
                source = self.values.slot('sysv_shm', 'view_sysv') or 'b"x"'
                return Statement(f'o[{slot}] = bytearray({source})')
            source = self.values.slot('posix_shm', 'sysv_shm') or self.values.slot() or 'b"x"'
            return Statement(f'o[{slot}] = memoryview({source})')
        k = self.rng.choice(views)
        self.values.refs.add(k)
        a, b = sorted(self.rng.randint(-5, 5000) for _ in range(2))
        ops = [f'o[{k}].release()', f'len(o[{k}])', f'o[{k}].readonly', f'o[{k}][{a}:{b}]']
        if self.state.kinds[k] == 'view_sysv':
            # A POSIX segment may have been shrunk since the view was made (by any handle):
            # touching its memory then is SIGBUS by design. A System V segment cannot shrink.
            ops += [f'bytes(o[{k}][{a}:{b}])', f'o[{k}][{a}:{b}] = {self.values.value("data")}',
                    f'o[{k}][{a}]', f'o[{k}][{a}] = {self.rng.randint(-1, 256)}']
        op = self.rng.choice(ops)
        return Statement(op if ' = ' in op else f'o[{slot}] = {op}')

    def misc(self):
        ref = self.values.slot() or 'None'
        other = self.values.slot() or 'None'
        ops = [f'repr({ref})', f'str({ref})', f'bool({ref})', f'dir({ref})', f'copy.copy({ref})',
               f'copy.deepcopy({ref})', f'pickle.dumps({ref})', f'weakref.ref({ref})',
               f'type({ref}).__new__(type({ref}))', 'gc.collect()', f'{ref}.__reduce_ex__(2)',
               f'sys.getsizeof({ref})']
        kinds = {self.state.kinds.get(int(r[2:-1])) for r in (ref, other) if r != 'None'}
        if not kinds & {'posix_shm', 'view_posix'}:
            # these read a buffer's content (int() and float() parse it as text)
            ops += [f'hash({ref})', f'{ref} == {other}', f'int({ref})', f'float({ref})']
        op = self.rng.choice(ops)
        slot = self.state.new_slot()
        return Statement(f'o[{slot}] = {op}')

    def drop(self):
        if not self.state.kinds:
            return Statement('gc.collect()')
        k = self.rng.choice(list(self.state.kinds))
        self.values.refs.add(k)
        return Statement(f'del o[{k}]')


# ---- running statements --------------------------------------------------------------

# While a call that may wait runs, a timer signals every ALARM_S, and the first signal
# whose handler runs raises FuzzAlarm. Repeating: a signal that comes just before the call
# starts waiting only sets CPython's flag, and the wait would not end without another.
_alarm_armed = [False]


def on_alarm(signum, frame):
    if _alarm_armed[0]:
        _alarm_armed[0] = False
        raise FuzzAlarm()


def arm_alarm(on):
    _alarm_armed[0] = on
    signal.setitimer(signal.ITIMER_REAL, ALARM_S if on else 0, ALARM_S if on else 0)


def install_handlers(failures):
    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGUSR1, lambda *a: None)   # a handler that returns: SignalError
    signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    signal.signal(signal.SIGRTMIN, signal.SIG_IGN)
    warnings.simplefilter('ignore')

    def unraisable(info):
        if not allowed(info.exc_value):
            failures.append({'statement': f'(unraisable, in {info.object!r:.200})',
                             'error': f'{type(info.exc_value).__name__}: {info.exc_value}'})
    sys.unraisablehook = unraisable


class Batch:
    def __init__(self, log_path, skip_known, shared_ipc):
        self.log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.skip_known = skip_known
        self.shared_ipc = shared_ipc
        self.ns = {name: value for name, value in globals().items() if not name.startswith('__')}
        self.ns.update(o={}, sys=sys, signal=signal, gc=gc)
        self.made = []          # (kind, how to remove it) of every object a call returned
        self.failures = []
        self.exceptions = {}
        self.calls = 0
        self.skipped_known = 0
        install_handlers(self.failures)

    def write(self, line):
        os.write(self.log, line.encode('utf-8', 'surrogateescape') + b'\n')

    def execute(self, statement):
        """Runs one statement. Returns the slot it filled (o[k] = ..., o[k].__init__(...))
        and the name or key of the IPC object there; (None, None) when it raised."""
        text, waits = statement.text, statement.waits
        if statement.tag and self.skip_known:
            self.skipped_known += 1
            return None, None
        self.write(statement.line())
        self.calls += 1
        try:
            code = compile(text, '<fuzz>', 'exec')
            try:
                if waits:
                    arm_alarm(True)
                exec(code, self.ns)
            finally:
                if waits:
                    arm_alarm(False)
        except BaseException as error:  # noqa: B902 (every exception is judged)
            if waits:
                # The alarm may have raised in the finally above before it disarmed the
                # timer (it raises once per arming, so this one completes).
                arm_alarm(False)
                if isinstance(error, FuzzAlarm) and error.__context__ is not None:
                    error = error.__context__
            name = type(error).__name__
            self.exceptions[name] = self.exceptions.get(name, 0) + 1
            if not allowed(error):
                self.fail(text, f'{name}: {error}')
            return None, None
        if statement.must_raise:
            self.fail(text, 'NoError: a read-only attribute (or a deletion) was accepted')
        filled = FILLS_SLOT.match(text)
        if not filled:
            return None, None
        slot = int(filled.group(1))
        value = self.ns['o'].get(slot)
        return slot, self.track(value) if kind_of(value) in CLASSES else None

    def fail(self, text, error):
        self.failures.append({'statement': text, 'error': error[:500], 'call': self.calls})

    def track(self, value):
        """Notes an object a call made, for the log and the final removal: its name (POSIX)
        or key (System V), or None."""
        kind = kind_of(value)
        try:
            if kind.startswith('posix'):
                name = os.fsencode(value.name)
                name = name if name.startswith(b'/') else b'/' + name
                self.made.append((kind, name))
                self.write(f'#+ {kind} {name.hex()}')
                return os.fsdecode(name)
            self.made.append((kind, value.id))
            self.write(f'#+ {kind} {value.id} {value.key}')
            return value.key
        except Exception:   # closed (by a finalizer, a notification) before we looked
            return None

    def finish(self):
        """Closes and removes what the batch made, and ends the log."""
        self.ns['o'].clear()
        gc.collect()
        removers = {'posix_sem': posix_ipc.unlink_semaphore, 'posix_shm': posix_ipc.unlink_shared_memory,
                    'posix_mq': posix_ipc.unlink_message_queue, 'sysv_sem': sysv_ipc.remove_semaphore,
                    'sysv_shm': sysv_ipc.remove_shared_memory, 'sysv_mq': sysv_ipc.remove_message_queue}
        for kind, ident in self.made:
            try:
                removers[kind](ident)
            except (posix_ipc.Error, sysv_ipc.Error, ValueError, OSError):
                pass        # removed already
        self.write('#RESULT ' + json.dumps({'calls': self.calls, 'failures': self.failures,
                                            'exceptions': self.exceptions,
                                            'skipped_known': self.skipped_known}))

    def fuzz(self, seed, calls):
        rng = random.Random(seed)
        # In a private namespace the seed alone names things; shared, the pid keeps two runs apart.
        token = f'{seed:x}' + (f'.{os.getpid()}' if self.shared_ipc else '')
        state = State(rng, token, self.shared_ipc)
        generator = Generator(rng, state, self.ns)
        for _ in range(calls):
            statement = generator.next()
            slot, ident = self.execute(statement)
            for k in list(state.kinds):
                if k not in self.ns['o']:
                    del state.kinds[k]
            if slot in self.ns['o']:
                state.kinds[slot] = kind_of(self.ns['o'][slot])
                if statement.tag:
                    state.tagged[slot] = statement.tag
                state.remember(ident)
        self.finish()

    def replay(self, path):
        with open(path, encoding='utf-8', errors='surrogateescape') as f:
            lines = [line for line in f.read().splitlines() if line and not line.startswith('#')]
        for line in lines:
            self.execute(Statement.parse(line))
        self.finish()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seed', type=int)
    parser.add_argument('--calls', type=int, default=1000)
    parser.add_argument('--replay')
    parser.add_argument('--log', required=True)
    parser.add_argument('--skip-known', action='store_true')
    parser.add_argument('--shared-ipc', action='store_true')
    args = parser.parse_args()
    faulthandler.enable()   # a crash prints the Python stack too
    batch = Batch(args.log, args.skip_known, args.shared_ipc)
    if args.replay:
        batch.replay(args.replay)
    else:
        batch.fuzz(args.seed, args.calls)


if __name__ == '__main__':
    main()
