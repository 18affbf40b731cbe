"""pipc.sysv_ipc: every class, method, attribute and constant of sysv_ipc 1.2, and the ways
it does better than the reference (no crash through views of read-only or detached
segments, bad arguments raise, monotonic timeouts, signals, threads, IPC_CREAT keeps a
semaphore's value).

Every object a test makes is removed at teardown (the `ipc` fixture), also on failure."""
import errno
import gc
import inspect
import mmap
import os
import random
import signal
import subprocess
import sys
import threading
import time
import warnings

import pytest

import as_nobody
import stubs
import waits
from pipc import inventory, sysv_ipc

WAIT = 10  # seconds: the bound of any wait that is expected to end early


# ---- helpers ---------------------------------------------------------------------------

class Made:
    """Tracks the System V objects a test makes; removes whatever is left at teardown."""

    def __init__(self):
        self.ids = []  # (remove function, id)

    def track(self, obj):
        for kind, remover in ((sysv_ipc.Semaphore, sysv_ipc.remove_semaphore),
                              (sysv_ipc.SharedMemory, sysv_ipc.remove_shared_memory),
                              (sysv_ipc.MessageQueue, sysv_ipc.remove_message_queue)):
            if isinstance(obj, kind):
                break
        self.ids.append((remover, obj.id))
        return obj

    def sem(self, key=None, flags=sysv_ipc.IPC_CREX, **kw):
        return self.track(sysv_ipc.Semaphore(key, flags, **kw))

    def shm(self, key=None, flags=sysv_ipc.IPC_CREX, **kw):
        return self.track(sysv_ipc.SharedMemory(key, flags, **kw))

    def mq(self, key=None, flags=sysv_ipc.IPC_CREX, **kw):
        return self.track(sysv_ipc.MessageQueue(key, flags, **kw))

    def cleanup(self):
        for remover, ident in self.ids:
            try:
                remover(ident)
            except sysv_ipc.ExistentialError:
                pass


@pytest.fixture
def ipc():
    made = Made()
    try:
        yield made
    finally:
        gc.collect()  # objects still attached detach when they go
        made.cleanup()


def unused_key(kind):
    """A random key that no object of KIND (a class) has now."""
    for _ in range(1000):
        key = random.randint(1, sysv_ipc.KEY_MAX)
        try:
            obj = kind(key)
        except sysv_ipc.ExistentialError:
            return key
        del obj
    raise AssertionError('no unused key found')


def wait_until(predicate, what):
    """Polls PREDICATE (a condition on the system's state, not a timing guess) for WAIT s."""
    end = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < end, 'timed out waiting for ' + what
        time.sleep(0.001)


def wait_blocked(thread):
    """Until THREAD waits on a queue: libpipc's System V queue waits sleep in ppoll."""
    waits.wait_in_syscall(thread, 'ppoll', limit=WAIT)


class Worker(threading.Thread):
    """Runs FN in a thread and keeps its result or exception."""

    def __init__(self, fn, *args, **kw):
        super().__init__(daemon=True)
        self.fn, self.args, self.kw = fn, args, kw
        self.result = self.error = None
        self.started_at = self.ended_at = None

    def run(self):
        self.started_at = time.monotonic()
        try:
            self.result = self.fn(*self.args, **self.kw)
        except BaseException as e:  # noqa: B902 - handed to the test
            self.error = e
        self.ended_at = time.monotonic()

    def finish(self):
        self.join(WAIT)
        assert not self.is_alive(), 'the thread did not finish'
        if self.error is not None:
            raise self.error
        return self.result


@pytest.fixture
def alarm():
    """alarm(handler): once this thread sleeps in its next wait, a SIGALRM sent to it runs
    HANDLER (a timer could fire before a wait on a busy machine, when the handler would run
    before the wait, as with sysv_ipc); the handler is restored at teardown."""
    old = signal.getsignal(signal.SIGALRM)
    waiter = threading.current_thread()

    def arm(handler):
        signal.signal(signal.SIGALRM, handler)

        def send():
            waits.wait_in_syscall(waiter, 'ppoll', limit=WAIT)
            signal.pthread_kill(waiter.ident, signal.SIGALRM)
        threading.Thread(target=send, daemon=True).start()

    yield arm
    signal.signal(signal.SIGALRM, old)


class Boom(Exception):
    pass


def raise_boom(signum, frame):
    raise Boom()


def quiet(signum, frame):
    pass


def assert_read_only(obj, name):
    with pytest.raises(AttributeError) as info:
        setattr(obj, name, 42)
    if name == 'id':
        assert str(info.value) == 'readonly attribute'
    else:
        assert str(info.value) == "attribute '%s' of '%s' objects is not writable" % (
            name, str(obj.__class__)[8:-2])


# ---- the module ------------------------------------------------------------------------

def test_constants():
    m = sysv_ipc
    assert (m.IPC_CREAT, m.IPC_EXCL, m.IPC_CREX, m.IPC_PRIVATE) == (0o1000, 0o2000, 0o3000, 0)
    assert (m.KEY_MIN, m.KEY_MAX) == (-2 ** 31, 2 ** 31 - 1)
    assert m.SEMAPHORE_VALUE_MAX == 32767
    assert m.SEMAPHORE_TIMEOUT_SUPPORTED is True
    assert m.PAGE_SIZE == mmap.PAGESIZE
    assert (m.SHM_HUGETLB, m.SHM_NORESERVE) == (0o4000, 0o10000)          # shmget flags
    assert (m.SHM_RDONLY, m.SHM_RND, m.SHM_REMAP, m.SHM_EXEC) == (0o10000, 0o20000, 0o40000, 0o100000)
    assert m.VERSION == m.__version__ == '1.2.0'
    for name in ('__author__', '__license__', '__copyright__', '__doc__'):
        assert isinstance(getattr(m, name), str)


def test_names_and_star_import():
    assert not hasattr(sysv_ipc, '__all__')
    names = {}
    exec('from pipc.sysv_ipc import *', names)
    for name in ('Semaphore', 'SharedMemory', 'MessageQueue', 'Error', 'BusyError', 'ftok',
                 'attach', 'remove_semaphore', 'IPC_CREX', 'SHM_RDONLY', 'KEY_MAX'):
        assert name in names
    for cls in (sysv_ipc.Semaphore, sysv_ipc.SharedMemory, sysv_ipc.MessageQueue):
        assert str(cls) == "<class 'pipc.sysv_ipc.%s'>" % cls.__name__
        assert cls.__module__ == 'pipc.sysv_ipc'


def test_exceptions():
    m = sysv_ipc
    assert issubclass(m.Error, Exception)
    for name in ('InternalError', 'PermissionsError', 'ExistentialError', 'BusyError',
                 'NotAttachedError'):
        cls = getattr(m, name)
        assert issubclass(cls, m.Error) and cls is not m.Error
        assert cls.__module__ == 'pipc.sysv_ipc'
    from pipc import posix_ipc
    assert m.Error is not posix_ipc.Error


def test_signatures():
    sig = inspect.signature
    assert str(sig(sysv_ipc.Semaphore)) == '(key, flags=0, mode=384, initial_value=0)'
    assert str(sig(sysv_ipc.SharedMemory)) == \
        "(key, flags=0, mode=384, size=0, init_character=b' ')"
    assert str(sig(sysv_ipc.MessageQueue)) == '(key, flags=0, mode=384, max_message_size=2048)'
    assert str(sig(sysv_ipc.Semaphore.acquire)) == '(self, /, timeout=None, delta=1)'
    assert str(sig(sysv_ipc.SharedMemory.read)) == '(self, /, byte_count=0, offset=0)'
    assert str(sig(sysv_ipc.MessageQueue.send)) == '(self, /, message, block=True, type=1)'
    assert str(sig(sysv_ipc.ftok)) == '(path, id, silence_warning=False)'
    assert str(sig(sysv_ipc.attach)) == '(id, address=None, flags=0)'


def test_stub_names_match_the_module():
    """pipc/sysv_ipc.pyi declares every public name of the module, and nothing else."""
    stubs.assert_stub_names_match(sysv_ipc, KINDS)


def test_stub_passes_stubtest(tmp_path):
    """mypy's stubtest finds the stub and the module in agreement."""
    stubs.assert_stubtest_passes(sysv_ipc, KINDS, tmp_path)


def test_permissions_error(ipc):
    """Opening an object without the access asked for: PermissionsError."""
    sem = ipc.sem(mode=0o600)
    mem = ipc.shm(mode=0o600)
    mq = ipc.mq(mode=0o600)
    if os.geteuid() != 0:
        for obj in (sem, mem, mq):
            obj.mode = 0o000                     # not even the owner may use it now
        with pytest.raises(sysv_ipc.PermissionsError):
            sysv_ipc.Semaphore(sem.key)
        with pytest.raises(sysv_ipc.PermissionsError):
            sysv_ipc.SharedMemory(mem.key)
        with pytest.raises(sysv_ipc.PermissionsError):
            sysv_ipc.MessageQueue(mq.key)
        return
    # root passes every permission check: ask a child running as nobody
    child = ('import sys\nfrom pipc import sysv_ipc as s\n'
             'for kind, key in zip((s.Semaphore, s.SharedMemory, s.MessageQueue), sys.argv[1:]):\n'
             '    try:\n        kind(int(key))\n'
             '    except s.PermissionsError:\n        print("PermissionsError")\n')
    out = as_nobody.run(child, sem.key, mem.key, mq.key, timeout=WAIT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ['PermissionsError'] * 3


def test_a_new_segment_its_creator_cannot_attach_is_not_left_behind():
    """SharedMemory attaches what it creates; when the mode denies that (only a user other
    than root can be denied: root's child runs as nobody), PermissionsError, and the new
    segment is removed again."""
    key = unused_key(sysv_ipc.SharedMemory)
    child = ('import sys\nfrom pipc import sysv_ipc as s\n'
             'try:\n    s.SharedMemory(int(sys.argv[1]), s.IPC_CREX, 0)\n'
             'except s.PermissionsError:\n    print("PermissionsError")\n')
    out = as_nobody.run(child, key, timeout=WAIT)
    left = [o for o in inventory.objects('sysv_shm') if o.key == key]
    for o in left:
        sysv_ipc.remove_shared_memory(o.id)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ['PermissionsError']
    assert not left, 'the new segment was left behind'


def test_ftok(tmp_path):
    path = str(tmp_path)
    with pytest.warns(Warning, match=r'Use of ftok\(\) is not recommended'):
        key = sysv_ipc.ftok(path, 42)
    with pytest.warns(Warning):
        assert sysv_ipc.ftok(path, 42, silence_warning=False) == key
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert sysv_ipc.ftok(path, 42, silence_warning=True) == key
        assert sysv_ipc.ftok(path=path, id=42, silence_warning=True) == key
        assert sysv_ipc.ftok(path, 43, True) != key
        assert sysv_ipc.ftok(path, 42 + 256, True) == key       # only the low 8 bits count
        assert sysv_ipc.ftok(tmp_path, 42, True) == key         # os.PathLike too
        assert sysv_ipc.KEY_MIN <= key <= sysv_ipc.KEY_MAX
        with pytest.raises(FileNotFoundError):
            sysv_ipc.ftok(os.path.join(path, 'missing'), 42, True)
        with pytest.raises(ValueError):
            sysv_ipc.ftok(path + '\0x', 42, True)
        with pytest.raises(TypeError):
            sysv_ipc.ftok(42, 42, True)
        with pytest.raises(TypeError):
            sysv_ipc.ftok(path, 'x', True)


def test_ftok_warning_as_error_raises(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        with pytest.raises(Warning):
            sysv_ipc.ftok(str(tmp_path), 1)


def test_attach(ipc):
    mem = ipc.shm(size=100)
    mem.write(b'hello')
    mem.detach()
    other = sysv_ipc.attach(mem.id)
    assert type(other) is sysv_ipc.SharedMemory
    assert other.attached and not mem.attached
    assert (other.id, other.key, other.size) == (mem.id, mem.key, 100)
    assert other.read(5) == b'hello'
    assert mem.number_attached == 1
    ro = sysv_ipc.attach(id=mem.id, address=None, flags=sysv_ipc.SHM_RDONLY)
    assert memoryview(ro).readonly
    with pytest.raises(OSError):
        ro.write(b'x')
    assert mem.number_attached == 2
    del other, ro
    gc.collect()
    assert mem.number_attached == 0


def test_attach_bad_arguments(ipc):
    mem = ipc.shm()
    with pytest.raises(sysv_ipc.ExistentialError):
        sysv_ipc.attach(-1)
    with pytest.raises(TypeError):
        sysv_ipc.attach(mem.id, 'here')
    with pytest.raises(TypeError):
        sysv_ipc.attach('1')
    with pytest.raises(ValueError):
        sysv_ipc.attach(mem.id, address=1)      # not a multiple of SHMLBA
    mem.remove()
    mem.detach()
    with pytest.raises(sysv_ipc.ExistentialError):
        sysv_ipc.attach(mem.id)


@pytest.mark.parametrize('kind, remove', [
    (sysv_ipc.Semaphore, sysv_ipc.remove_semaphore),
    (sysv_ipc.SharedMemory, sysv_ipc.remove_shared_memory),
    (sysv_ipc.MessageQueue, sysv_ipc.remove_message_queue)])
def test_remove_by_id(ipc, kind, remove):
    obj = ipc.track(kind(None, sysv_ipc.IPC_CREX))
    if kind is sysv_ipc.SharedMemory:
        obj.detach()
    remove(obj.id)
    with pytest.raises(sysv_ipc.ExistentialError):
        kind(obj.key)
    with pytest.raises(sysv_ipc.ExistentialError):
        remove(obj.id)
    with pytest.raises(sysv_ipc.ExistentialError):
        remove(-1)
    with pytest.raises(TypeError):
        remove(id=obj.id)                        # positional only, as sysv_ipc's
    with pytest.raises(TypeError):
        remove('1')


# ---- opening, common to the three classes ---------------------------------------------

KINDS = [sysv_ipc.Semaphore, sysv_ipc.SharedMemory, sysv_ipc.MessageQueue]


@pytest.mark.parametrize('kind', KINDS)
def test_open_flags(ipc, kind):
    obj = ipc.track(kind(None, sysv_ipc.IPC_CREX))
    assert sysv_ipc.KEY_MIN <= obj.key <= sysv_ipc.KEY_MAX and obj.key != sysv_ipc.IPC_PRIVATE
    assert obj.id >= 0
    assert kind(obj.key).id == obj.id
    assert kind(obj.key, sysv_ipc.IPC_CREAT).id == obj.id
    assert kind(key=obj.key, flags=0).id == obj.id
    with pytest.raises(sysv_ipc.ExistentialError):
        kind(obj.key, sysv_ipc.IPC_CREX)
    with pytest.raises(ValueError, match='IPC_EXCL must be combined with IPC_CREAT'):
        kind(obj.key, sysv_ipc.IPC_EXCL)
    with pytest.raises(ValueError, match='Key can only be None if IPC_EXCL is set'):
        kind(None, sysv_ipc.IPC_CREAT)
    with pytest.raises(ValueError, match='Key can only be None'):
        kind(None)


@pytest.mark.parametrize('kind', KINDS)
def test_open_missing_and_create(ipc, kind):
    key = unused_key(kind)
    with pytest.raises(sysv_ipc.ExistentialError):
        kind(key)
    obj = ipc.track(kind(key, sysv_ipc.IPC_CREAT))
    assert obj.key == key


@pytest.mark.parametrize('kind', KINDS)
def test_open_bad_keys(kind):
    for key in (sysv_ipc.KEY_MAX + 1, sysv_ipc.KEY_MIN - 1, 2 ** 70):
        with pytest.raises(ValueError, match='Key must be between'):
            kind(key, sysv_ipc.IPC_CREX)
    for key in ('1', 1.0, b'1'):
        with pytest.raises(TypeError, match='Key must be an integer or None'):
            kind(key, sysv_ipc.IPC_CREX)
    with pytest.raises(TypeError):
        kind(None, 'flags')
    with pytest.raises(ValueError):
        kind(None, sysv_ipc.IPC_CREX, -1)        # a negative mode
    with pytest.raises(TypeError):
        kind()
    with pytest.raises(TypeError):
        kind(None, sysv_ipc.IPC_CREX, bogus=1)


# The reference's messages (PyArg_ParseTupleAndKeywords for "function"), in its order. No
# object is made: every call fails before the kernel is asked.
@pytest.mark.parametrize('kind, most', [
    (sysv_ipc.Semaphore, 4), (sysv_ipc.SharedMemory, 5), (sysv_ipc.MessageQueue, 4)])
@pytest.mark.parametrize('args, kwargs, message', [
    ((), {}, "function missing required argument 'key' (pos 1)"),
    ((), {'flags': 0}, "function missing required argument 'key' (pos 1)"),
    ((1,) * 8, {}, 'function takes at most {max} arguments (8 given)'),
    ((), {k: 0 for k in 'abcdefgh'}, 'function takes at most {max} keyword arguments (8 given)'),
    ((1, 0), {'flags': 0}, "argument for function given by name ('flags') and position (2)"),
    ((1,), {'typo': 0}, "'typo' is an invalid keyword argument for this function"),
    ((1,), {1: 0}, 'keywords must be strings'),
    ((1, 'x'), {}, "'str' object cannot be interpreted as an integer"),
    ((1, 0, 1.5), {}, "'float' object cannot be interpreted as an integer"),
])
def test_constructor_argument_errors_match_the_reference(kind, most, args, kwargs, message):
    with pytest.raises(TypeError) as raised:
        kind(*args, **kwargs)
    assert str(raised.value) == message.format(max=most)


# The C int arguments ("i"): OverflowError with CPython's messages.
@pytest.mark.parametrize('kind, name', [
    (kind, name) for kind in KINDS for name in ('flags', 'mode')] +
    [(sysv_ipc.Semaphore, 'initial_value')])
@pytest.mark.parametrize('value, message', [
    (2 ** 31, 'signed integer is greater than maximum'),
    (-2 ** 31 - 1, 'signed integer is less than minimum'),
    (2 ** 63, 'Python int too large to convert to C long'),
])
def test_constructor_int_overflow_matches_the_reference(kind, name, value, message):
    with pytest.raises(OverflowError) as raised:
        kind(1, **{name: value})
    assert str(raised.value) == message


# The arguments the reference takes as int objects ("O!").
@pytest.mark.parametrize('kind, name', [
    (sysv_ipc.SharedMemory, 'size'), (sysv_ipc.MessageQueue, 'max_message_size')])
def test_constructor_int_object_arguments_match_the_reference(kind, name):
    for bad, type_name in (('1', 'str'), (1.0, 'float'), (b'1', 'bytes')):
        with pytest.raises(TypeError) as raised:
            kind(1, **{name: bad})
        assert str(raised.value) == f'argument 4 must be int, not {type_name}'


@pytest.mark.parametrize('kind', KINDS)
def test_ipc_private_is_always_new(ipc, kind):
    a = ipc.track(kind(sysv_ipc.IPC_PRIVATE, sysv_ipc.IPC_CREX))
    b = ipc.track(kind(sysv_ipc.IPC_PRIVATE, sysv_ipc.IPC_CREX))
    assert a.id != b.id
    assert a.key == sysv_ipc.IPC_PRIVATE


@pytest.mark.parametrize('kind', KINDS)
def test_mode_and_owner(ipc, kind):
    obj = ipc.track(kind(None, sysv_ipc.IPC_CREX, mode=0o640))
    assert obj.mode == 0o640
    obj.mode = 0o600
    assert obj.mode == 0o600
    obj.mode = 0o1644                            # the kernel keeps only the permission bits
    assert obj.mode == 0o644
    assert obj.uid == obj.cuid == os.geteuid()
    assert obj.gid == obj.cgid == os.getegid()
    obj.uid = obj.uid
    obj.gid = obj.gid
    for name in ('uid', 'gid', 'mode'):
        with pytest.raises(TypeError):
            setattr(obj, name, '0')
        with pytest.raises(AttributeError):
            delattr(obj, name)
    with pytest.raises(ValueError):
        obj.uid = -5
    with pytest.raises(ValueError):
        obj.mode = -1
    for name in ('key', 'id', 'cuid', 'cgid'):
        assert_read_only(obj, name)
    with pytest.raises(AttributeError):
        obj.no_such_attribute = 1                # no per-instance __dict__


@pytest.mark.parametrize('kind', KINDS)
def test_str_repr(ipc, kind):
    obj = ipc.track(kind(None, sysv_ipc.IPC_CREX))
    assert str(obj) == 'Key=%d, id=%d' % (obj.key, obj.id)
    assert repr(obj) == 'sysv_ipc.%s(%d)' % (kind.__name__, obj.key)


@pytest.mark.parametrize('kind', KINDS)
def test_init_twice_and_uninitialised(ipc, kind):
    obj = ipc.track(kind(None, sysv_ipc.IPC_CREX))
    with pytest.raises(RuntimeError):
        obj.__init__(None, sysv_ipc.IPC_CREX)
    bare = kind.__new__(kind)                    # no handle: raises, never crashes
    with pytest.raises(sysv_ipc.ExistentialError):
        bare.remove()
    with pytest.raises(sysv_ipc.ExistentialError):
        bare.mode = 0o600


@pytest.mark.parametrize('kind', KINDS)
def test_removed_object_raises(ipc, kind):
    obj = ipc.track(kind(None, sysv_ipc.IPC_CREX))
    if kind is sysv_ipc.SharedMemory:
        obj.detach()
    obj.remove()
    with pytest.raises(sysv_ipc.ExistentialError):
        obj.remove()
    with pytest.raises(sysv_ipc.ExistentialError):
        obj.mode
    with pytest.raises(sysv_ipc.ExistentialError):
        obj.uid = os.geteuid()


def test_subclass(ipc):
    class Mine(sysv_ipc.Semaphore):
        pass
    sem = ipc.track(Mine(None, sysv_ipc.IPC_CREX, initial_value=2))
    sem.acquire()
    assert sem.value == 1
    sem.note = 'subclasses have a __dict__'


# ---- Semaphore --------------------------------------------------------------------------

def test_semaphore_initial_value(ipc):
    assert ipc.sem().value == 0
    assert ipc.sem(initial_value=0).value == 0
    assert ipc.sem(initial_value=42).value == 42
    assert ipc.sem(initial_value=sysv_ipc.SEMAPHORE_VALUE_MAX).value == sysv_ipc.SEMAPHORE_VALUE_MAX
    for bad in (-1, sysv_ipc.SEMAPHORE_VALUE_MAX + 1):
        with pytest.raises(ValueError, match="between 0 and SEMVMX"):
            sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX, initial_value=bad)
    with pytest.raises(OverflowError):      # beyond a C int, as the reference's "i"
        sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX, initial_value=2 ** 80)
    with pytest.raises(TypeError):
        sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX, initial_value=1.5)


def test_semaphore_ipc_creat_keeps_existing_value(ipc):
    """sysv_ipc sets initial_value again when IPC_CREAT opens an existing semaphore."""
    sem = ipc.sem(initial_value=5)
    sem.acquire()
    again = sysv_ipc.Semaphore(sem.key, sysv_ipc.IPC_CREAT, initial_value=1)
    assert again.value == 4
    assert sysv_ipc.Semaphore(sem.key, initial_value=99999).value == 4   # ignored when opening


def test_semaphore_ipc_creat_new_gets_initial_value(ipc):
    key = unused_key(sysv_ipc.Semaphore)
    sem = ipc.track(sysv_ipc.Semaphore(key, sysv_ipc.IPC_CREAT, initial_value=3))
    assert sem.value == 3


def test_semaphore_acquire_release(ipc):
    sem = ipc.sem(initial_value=1)
    assert sem.acquire() is None
    assert sem.value == 0
    assert sem.release() is None
    sem.release(5)
    sem.release(delta=-2)                        # abs(delta), as sysv_ipc
    assert sem.value == 8
    sem.acquire(None, 3)
    sem.acquire(timeout=None, delta=-2)
    sem.acquire(0, 1)
    assert sem.value == 2
    sem.P(timeout=0, delta=1)
    sem.V(delta=4)
    sem.P()
    sem.V()
    assert sem.value == 5
    sem.acquire(0.5)
    sem.acquire(1)
    assert sem.value == 3


def test_semaphore_bad_arguments(ipc):
    sem = ipc.sem(initial_value=1)
    for method in (sem.acquire, sem.P):
        with pytest.raises(ValueError, match='non-zero'):
            method(None, 0)
        with pytest.raises(ValueError):
            method(None, sysv_ipc.SEMAPHORE_VALUE_MAX + 1)
        with pytest.raises(TypeError):
            method('1')
        with pytest.raises(TypeError):
            method(None, 1.0)
        with pytest.raises(ValueError):
            method(float('nan'))
        with pytest.raises(TypeError):
            method(None, 1, 2)
        with pytest.raises(TypeError):
            method(bogus=1)
    for method in (sem.release, sem.V):
        with pytest.raises(ValueError, match='non-zero'):
            method(0)
        with pytest.raises(ValueError):
            method(2 ** 70)
        with pytest.raises(TypeError):
            method('1')
    with pytest.raises(TypeError):
        sem.Z('1')
    assert sem.value == 1


def test_semaphore_release_past_maximum(ipc):
    sem = ipc.sem(initial_value=sysv_ipc.SEMAPHORE_VALUE_MAX)
    with pytest.raises(ValueError, match="between 0 and SEMVMX"):
        sem.release()
    assert sem.value == sysv_ipc.SEMAPHORE_VALUE_MAX


def test_semaphore_timeouts_are_monotonic(ipc):
    sem = ipc.sem()
    with pytest.raises(sysv_ipc.BusyError, match='The semaphore is busy'):
        sem.acquire(0)
    start = time.monotonic()
    with pytest.raises(sysv_ipc.BusyError):
        sem.acquire(0.25)
    took = time.monotonic() - start
    assert 0.24 <= took < 0.25 + WAIT
    with pytest.raises(TypeError, match='non-negative'):
        sem.acquire(-3)                          # as sysv_ipc
    sem.value = 1
    start = time.monotonic()
    with pytest.raises(sysv_ipc.BusyError):
        sem.Z(0.2)
    assert 0.19 <= time.monotonic() - start < 0.2 + WAIT
    with pytest.raises(sysv_ipc.BusyError):
        sem.Z(timeout=0)


def test_semaphore_block_attribute(ipc):
    sem = ipc.sem()
    assert sem.block is True
    sem.block = False
    assert sem.block is False
    start = time.monotonic()
    with pytest.raises(sysv_ipc.BusyError):
        sem.acquire(5)                           # every timeout acts as 0
    with pytest.raises(sysv_ipc.BusyError):
        sem.acquire()
    sem.value = 1
    with pytest.raises(sysv_ipc.BusyError):
        sem.Z()
    assert time.monotonic() - start < 1
    sem.acquire()
    sem.Z()
    sem.block = 1
    assert sem.block is True
    with pytest.raises(AttributeError):
        del sem.block


def test_semaphore_value_attribute(ipc):
    sem = ipc.sem(initial_value=1)
    sem.value = 42
    assert sem.value == 42
    sem.value = True
    assert sem.value == 1
    for bad in (-1, 999999, 2 ** 80):
        with pytest.raises(ValueError) as info:
            sem.value = bad
        assert str(info.value) == "The semaphore's value must remain between 0 and SEMVMX"
    with pytest.raises(TypeError):
        sem.value = 1.0
    with pytest.raises(AttributeError):
        del sem.value
    assert sem.value == 1


def test_semaphore_undo(ipc):
    sem = ipc.sem(initial_value=1)
    assert sem.undo is False
    sem.undo = True
    assert sem.undo is True
    sem.undo = 0
    assert sem.undo is False
    with pytest.raises(AttributeError):
        del sem.undo
    child = ('import sys\nfrom pipc import sysv_ipc\n'
             's = sysv_ipc.Semaphore(int(sys.argv[1]))\n'
             's.undo = sys.argv[2] == "1"\ns.release(3)\n')
    subprocess.run([sys.executable, '-c', child, str(sem.key), '1'], check=True, timeout=WAIT)
    assert sem.value == 1                        # the kernel undid the child's release
    subprocess.run([sys.executable, '-c', child, str(sem.key), '0'], check=True, timeout=WAIT)
    assert sem.value == 4


def test_semaphore_stat_attributes(ipc):
    sem = ipc.sem(initial_value=1)
    sem.release()
    assert sem.last_pid == os.getpid()
    assert abs(sem.o_time - time.time()) < 10
    assert sem.waiting_for_nonzero == 0
    assert sem.waiting_for_zero == 0
    for name in ('key', 'id', 'cuid', 'cgid', 'last_pid', 'waiting_for_nonzero',
                 'waiting_for_zero', 'o_time'):
        assert_read_only(sem, name)


def test_semaphore_o_time_is_zero_until_the_first_operation(ipc):
    """As sysv_ipc: the initial value comes by SETVAL, so o_time is 0 until the creator's
    first release (its documented initialisation pattern)."""
    sem = ipc.sem(initial_value=3)
    assert sem.o_time == 0 and sem.value == 3
    sem.release()
    assert sem.o_time > 0


def test_semaphore_waiting_counts(ipc):
    sem = ipc.sem()
    waiter = Worker(sem.acquire, WAIT)
    waiter.start()
    wait_until(lambda: sem.waiting_for_nonzero == 1, 'one waiter for nonzero')
    sem.release()
    waiter.finish()
    sem.value = 1
    zero = Worker(sem.Z, WAIT)
    zero.start()
    wait_until(lambda: sem.waiting_for_zero == 1, 'one waiter for zero')
    sem.value = 0
    zero.finish()


def test_semaphore_context_manager(ipc):
    sem = ipc.sem(initial_value=1)
    with sem as entered:
        assert entered is sem
        assert sem.value == 0
    assert sem.value == 1
    with pytest.raises(KeyError):
        with sem:
            raise KeyError()
    assert sem.value == 1
    sem.block = False
    sem.acquire()
    with pytest.raises(sysv_ipc.BusyError):
        with sem:
            pass


@pytest.mark.parametrize('wait', ['acquire', 'Z'])
def test_semaphore_remove(ipc, wait):
    sem = ipc.sem(initial_value=1 if wait == 'Z' else 0)
    waiter = Worker(getattr(sem, wait), WAIT)
    waiter.start()
    if wait == 'Z':
        wait_until(lambda: sem.waiting_for_zero == 1, 'a waiter')
    else:
        wait_until(lambda: sem.waiting_for_nonzero == 1, 'a waiter')
    sem.remove()
    with pytest.raises(sysv_ipc.ExistentialError):
        waiter.finish()                          # a waiter learns of the removal at once
    assert waiter.ended_at - waiter.started_at < WAIT
    with pytest.raises(sysv_ipc.ExistentialError):
        sysv_ipc.Semaphore(sem.key)
    for call in (sem.acquire, sem.release, sem.Z, sem.remove):
        with pytest.raises(sysv_ipc.ExistentialError):
            call()
    with pytest.raises(sysv_ipc.ExistentialError):
        sem.value
    with pytest.raises(sysv_ipc.ExistentialError):
        sem.value = 1


def test_semaphore_threads_overlap_and_wake(ipc):
    sem = ipc.sem()
    waiters = [Worker(sem.acquire, WAIT) for _ in range(2)]
    for w in waiters:
        w.start()
    # both wait in the kernel at once: neither holds the GIL while it waits
    wait_until(lambda: sem.waiting_for_nonzero == 2, 'two threads waiting at once')
    woken_at = time.monotonic()
    sem.release(2)
    for w in waiters:
        w.finish()
        assert w.ended_at - woken_at < WAIT
    assert sem.value == 0


def test_semaphore_thread_wakes_thread(ipc):
    sem = ipc.sem()
    waiter = Worker(sem.acquire, WAIT)
    waiter.start()
    wait_until(lambda: sem.waiting_for_nonzero == 1, 'a waiter')
    Worker(sem.release).start()
    waiter.finish()
    assert waiter.ended_at - waiter.started_at < WAIT


def test_semaphore_signal_handler_exception_propagates(ipc, alarm):
    sem = ipc.sem()
    alarm(raise_boom)
    start = time.monotonic()
    with pytest.raises(Boom):
        sem.acquire(WAIT)
    assert time.monotonic() - start < WAIT / 2
    alarm(raise_boom)
    sem.value = 1
    with pytest.raises(Boom):
        sem.Z()
    assert sem.value == 1


def test_semaphore_quiet_signal_raises_error(ipc, alarm):
    sem = ipc.sem()
    alarm(quiet)
    with pytest.raises(sysv_ipc.Error, match='Signaled while waiting'):
        sem.acquire(WAIT)


# ---- SharedMemory ----------------------------------------------------------------------

def test_shm_create(ipc):
    mem = ipc.shm()
    assert mem.size == sysv_ipc.PAGE_SIZE        # size 0 with IPC_CREX: PAGE_SIZE
    assert mem.attached
    assert mem.read() == b' ' * mem.size
    mem = ipc.shm(size=3333, init_character=b'@')
    assert mem.size == 3333
    assert mem.read() == b'@' * 3333
    mem = ipc.shm(size=10, init_character=bytearray(b'\0'))
    assert mem.read() == bytes(10)
    mem = ipc.shm(key=None, flags=sysv_ipc.IPC_CREX, mode=0o600, size=20, init_character=b'x')
    assert mem.read() == b'x' * 20
    same = sysv_ipc.SharedMemory(mem.key, size=10)   # an existing one may be asked to be smaller
    assert same.size == 20 and same.read() == b'x' * 20


def test_shm_ipc_creat_does_not_fill(ipc):
    """sysv_ipc fills with init_character only for IPC_CREX."""
    key = unused_key(sysv_ipc.SharedMemory)
    mem = ipc.track(sysv_ipc.SharedMemory(key, sysv_ipc.IPC_CREAT, size=16, init_character=b'#'))
    assert mem.read() == bytes(16)


def test_shm_create_bad_arguments(ipc):
    mem = ipc.shm(size=100)
    with pytest.raises(ValueError, match='The size is invalid'):
        sysv_ipc.SharedMemory(mem.key, size=101)        # bigger than the segment
    with pytest.raises(ValueError):
        sysv_ipc.SharedMemory(None, sysv_ipc.IPC_CREX, size=-1)
    with pytest.raises((ValueError, MemoryError)):   # past shmmax, or more than there is
        sysv_ipc.SharedMemory(None, sysv_ipc.IPC_CREX, size=2 ** 62)
    for bad, type_name in (('x', 'str'), (b'xy', 'bytes'), (b'', 'bytes'), (7, 'int')):
        with pytest.raises(TypeError) as raised:
            sysv_ipc.SharedMemory(None, sysv_ipc.IPC_CREX, init_character=bad)
        assert str(raised.value) == \
            f'argument 5 must be a byte string of length 1, not {type_name}'
    with pytest.raises(TypeError):
        sysv_ipc.SharedMemory(None, sysv_ipc.IPC_CREX, size='1')


def test_shm_huge_pages_the_system_lacks_raise_instead_of_crashing():
    """Flags -1 ask for SHM_HUGETLB | SHM_NORESERVE, and the default init_character fills
    the segment: where the system had no huge page to give, the fill died of SIGBUS
    (sysv_ipc raises ValueError, its shmget refusing -1's huge page size bits). In a child,
    so that a regression crashes only the child."""
    child = ('from pipc import sysv_ipc\n'
             'try:\n'
             '    m = sysv_ipc.SharedMemory(None, -1)\n'
             'except OSError as e:\n'
             '    print(e)\n'
             'else:\n'
             '    m.remove()\n'
             '    print("made")\n')
    r = subprocess.run([sys.executable, '-c', child], capture_output=True, text=True, timeout=WAIT)
    assert r.returncode == 0, r.stderr or f'the child died of signal {-r.returncode}'
    assert r.stdout.startswith('made') or 'huge page' in r.stdout, r.stdout


def test_shm_attach_detach(ipc):
    mem = ipc.shm(size=100)
    address = mem.address
    assert address > 0
    assert mem.detach() is None
    assert not mem.attached and mem.address == 0
    with pytest.raises(sysv_ipc.NotAttachedError):
        mem.detach()
    with pytest.raises(sysv_ipc.NotAttachedError, match='Read attempt on unattached'):
        mem.read(1)
    with pytest.raises(sysv_ipc.NotAttachedError, match='Read attempt on unattached'):
        mem.read(offset=1000)                    # not attached comes first, as in sysv_ipc
    with pytest.raises(sysv_ipc.NotAttachedError, match='Write attempt on unattached'):
        mem.write(b'x')
    with pytest.raises(sysv_ipc.NotAttachedError, match='Write attempt on unattached'):
        mem.write(b'x' * 1000)
    with pytest.raises(sysv_ipc.NotAttachedError):
        memoryview(mem)
    assert mem.attach() is None
    assert mem.attached
    mem.detach()
    mem.attach(address=address, flags=0)         # where it was: free again
    assert mem.address == address
    mem.detach()
    mem.attach(address + 1, sysv_ipc.SHM_RND)    # rounded down to SHMLBA
    assert mem.address == address
    mem.attach()                                 # attaching again replaces the attachment
    assert mem.number_attached == 1
    with pytest.raises(TypeError):
        mem.attach('here')
    with pytest.raises(ValueError, match='Invalid id, address, or flags'):
        mem.attach(address + 1)                  # unaligned without SHM_RND
    assert mem.attached


def test_shm_read_only_attachment(ipc):
    mem = ipc.shm(size=100)
    mem.write(b'abc')
    mem.detach()
    mem.attach(None, sysv_ipc.SHM_RDONLY)
    assert mem.read(3) == b'abc'
    with pytest.raises(OSError, match='Write attempt on read-only memory segment'):
        mem.write(b'x')
    with pytest.raises(OSError):
        mem.write(b'x', -1)
    view = memoryview(mem)
    assert view.readonly
    with pytest.raises(TypeError):
        view[0] = 0x41                           # sysv_ipc: a segfault
    view.release()
    import ctypes
    with pytest.raises(TypeError):
        ctypes.c_char.from_buffer(mem)           # a writable buffer is refused
    assert mem.read(3) == b'abc'
    mem.attach()
    mem.write(b'x')
    assert not memoryview(mem).readonly


def test_shm_read_only_by_mode(ipc):
    mem = ipc.shm(size=10)
    ro = sysv_ipc.SharedMemory(mem.key, mode=0o400)  # no write permission asked: read-only
    assert ro.attached and memoryview(ro).readonly
    with pytest.raises(OSError):
        ro.write(b'x')


def test_shm_read(ipc):
    mem = ipc.shm(size=100)
    mem.write(b'abcdefg')
    assert mem.read(3) == b'abc'
    assert mem.read(5, 2) == b'cdefg'
    assert mem.read(byte_count=5, offset=2) == b'cdefg'
    assert mem.read(offset=98) == b'  '
    assert len(mem.read()) == 100
    assert mem.read(1000) == mem.read()
    assert mem.read(1000, 95) == b' ' * 5
    assert mem.read(2 ** 70) == mem.read()       # clamped, never an OverflowError
    for offset in (100, 101, -1, 2 ** 70):
        with pytest.raises(ValueError, match='The offset must be less than the segment size'):
            mem.read(offset=offset)
    with pytest.raises(ValueError, match='The byte_count cannot be negative'):
        mem.read(-1)
    with pytest.raises(TypeError):
        mem.read('1')
    with pytest.raises(TypeError):
        mem.read(1.0)


def test_shm_write(ipc):
    mem = ipc.shm(size=100)
    assert mem.write(b'abc') is None
    mem.write('Göteborg', 3)                    # str: UTF-8
    assert mem.read(13) == b'abc' + 'Göteborg'.encode() + b' '
    mem.write(bytearray(b'12'), offset=0)
    mem.write(memoryview(b'xx345yy')[2:5], 2)
    assert mem.read(5) == b'12345'
    mem.write(s=b'Q')
    mem.write(some_bytes=b'R', offset=1)        # the name USAGE.md gives
    assert mem.read(2) == b'QR'
    mem.write(b'\0\0')
    assert mem.read(2) == b'\0\0'
    mem.write(b'x' * 100)
    mem.write(b'', 100)
    with pytest.raises(ValueError, match='Attempt to write past end of memory segment'):
        mem.write(b'x' * 101)
    with pytest.raises(ValueError):
        mem.write(b'x' * 10, 95)
    with pytest.raises(ValueError):
        mem.write(b'x', -1)
    with pytest.raises(ValueError):
        mem.write(b'x', 2 ** 70)
    with pytest.raises(TypeError):
        mem.write(42)
    with pytest.raises(TypeError):
        mem.write()
    with pytest.raises(TypeError):
        mem.write(b'x', s=b'y')
    with pytest.raises(TypeError):
        mem.write(b'x', 0, b'y')


def test_shm_write_overlapping_itself(ipc):
    mem = ipc.shm(size=32)
    mem.write(b'0123456789')
    mem.write(memoryview(mem)[0:10], 3)
    assert mem.read(13) == b'0120123456789'
    mem.write(memoryview(mem)[3:13], 0)
    assert mem.read(13) == b'0123456789789'


def test_shm_buffer_protocol(ipc):
    mem = ipc.shm(size=sysv_ipc.PAGE_SIZE)
    mem.write(b'abcdefghijklmnopqrstuvwxyz')
    view = memoryview(mem)
    assert (view.format, view.itemsize, view.ndim) == ('B', 1, 1)
    assert view.shape == (mem.size,) and view.strides == (1,)
    assert not view.readonly and len(view) == mem.size
    assert bytes(view[3:6]) == b'def'
    view[4] = ord('x')
    assert mem.read(6) == b'abcdxf'
    mem.write(b'XYZ')
    assert bytes(view[:3]) == b'XYZ'
    assert bytearray(mem)[:3] == b'XYZ'
    assert bytes(mem)[:3] == b'XYZ'
    view.release()


def test_shm_detach_refused_while_views_live(ipc):
    mem = ipc.shm(size=100)
    view = memoryview(mem)
    piece = view[10:20]
    view.release()
    with pytest.raises(BufferError):
        mem.detach()                             # sysv_ipc: the view then points at nothing
    with pytest.raises(BufferError):
        mem.attach()
    assert mem.attached
    piece[0] = 1                                 # still mapped
    piece.release()
    mem.detach()
    assert not mem.attached
    mem.attach()
    with memoryview(mem) as v:
        v[0] = 2
    mem.detach()


def test_shm_views_keep_object_alive(ipc):
    mem = ipc.shm(size=100)
    ident = mem.id
    view = memoryview(mem)
    del mem
    gc.collect()
    view[0] = 0x41                               # the view holds the object and its attachment
    assert bytes(view[:1]) == b'A'
    assert sysv_ipc.attach(ident).read(1) == b'A'
    view.release()


def test_shm_stat_attributes(ipc):
    before = int(time.time())
    mem = ipc.shm(size=100)
    assert mem.creator_pid == os.getpid()
    assert mem.last_pid == os.getpid()
    assert mem.number_attached == 1
    assert mem.last_attach_time >= before - 1
    assert mem.last_detach_time in (0,) or mem.last_detach_time >= before - 1
    assert before - 1 <= mem.last_change_time <= time.time() + 1
    other = sysv_ipc.SharedMemory(mem.key)
    assert mem.number_attached == 2
    other.detach()
    assert mem.number_attached == 1
    assert mem.last_detach_time >= before - 1
    del other
    for name in ('key', 'id', 'size', 'address', 'attached', 'last_attach_time',
                 'last_detach_time', 'last_change_time', 'creator_pid', 'last_pid',
                 'number_attached', 'cuid', 'cgid'):
        assert_read_only(mem, name)


def test_shm_object_detaches_when_it_goes(ipc):
    """sysv_ipc leaves a dropped object's attachment in place until the process exits."""
    mem = ipc.shm(size=100)
    other = sysv_ipc.SharedMemory(mem.key)
    assert mem.number_attached == 2
    del other
    gc.collect()
    assert mem.number_attached == 1


def test_shm_remove(ipc):
    mem = ipc.shm(size=100)
    mem.remove()
    mem.write(b'still attached')                 # the segment lives until the last detach
    assert mem.read(5) == b'still'
    with pytest.raises(sysv_ipc.ExistentialError):
        sysv_ipc.SharedMemory(mem.key)
    mem.detach()
    with pytest.raises(sysv_ipc.ExistentialError):
        mem.number_attached
    with pytest.raises(sysv_ipc.ExistentialError):
        mem.attach()


# ---- MessageQueue ----------------------------------------------------------------------

def test_mq_send_receive(ipc):
    mq = ipc.mq()
    assert mq.send(b'abc') is None
    assert mq.receive() == (b'abc', 1)
    mq.send('Göteborg', type=2)                 # str: UTF-8
    assert mq.receive() == ('Göteborg'.encode(), 2)
    mq.send(bytearray(b'a\0b'))
    mq.send(memoryview(b'xxyyzz')[2:4])
    mq.send(b'')
    assert mq.receive() == (b'a\0b', 1)
    assert mq.receive() == (b'yy', 1)
    assert mq.receive() == (b'', 1)
    mq.send(message=b'k', block=True, type=7)
    assert mq.receive(block=False, type=0) == (b'k', 7)
    mq.send(b'x' * 2048)
    assert mq.receive() == (b'x' * 2048, 1)


def test_mq_receive_by_type(ipc):
    mq = ipc.mq()
    for t in (4, 3, 2, 1):
        mq.send('type%d' % t, type=t)
    assert mq.current_messages == 4
    assert mq.receive(type=3) == (b'type3', 3)
    assert mq.receive(type=-2) == (b'type1', 1)   # the lowest type <= 2
    assert mq.receive() == (b'type4', 4)
    assert mq.receive() == (b'type2', 2)
    assert mq.current_messages == 0
    mq.send(b'x', type=3)
    with pytest.raises(sysv_ipc.BusyError, match='No available messages of the specified type'):
        mq.receive(type=2, block=False)
    with pytest.raises(sysv_ipc.BusyError):
        mq.receive(False, 2)
    assert mq.receive(block=0) == (b'x', 3)


def test_mq_bad_arguments(ipc):
    mq = ipc.mq(max_message_size=10)
    with pytest.raises(ValueError, match='The type must be > 0'):
        mq.send(b'x', type=0)
    with pytest.raises(ValueError):
        mq.send(b'x', type=-1)
    with pytest.raises(ValueError, match="max_message_size"):
        mq.send(b' ' * 11, block=False)
    with pytest.raises(TypeError):
        mq.send(42)
    with pytest.raises(TypeError):
        mq.send()
    with pytest.raises(TypeError):
        mq.send(b'x', type='1')
    with pytest.raises(TypeError):
        mq.receive(type='1')
    with pytest.raises(OverflowError):
        mq.send(b'x', type=2 ** 70)
    with pytest.raises(ValueError):
        sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX, max_message_size=-1)
    with pytest.raises(TypeError):
        sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX, max_message_size='1')
    assert mq.current_messages == 0


def test_mq_receive_longer_than_max_message_size(ipc):
    mq = ipc.mq()
    small = sysv_ipc.MessageQueue(mq.key, max_message_size=4)
    mq.send(b'123456789')
    with pytest.raises(OSError) as info:
        small.receive()
    assert info.value.errno == errno.E2BIG
    assert mq.receive() == (b'123456789', 1)     # it stays queued
    zero = sysv_ipc.MessageQueue(mq.key, max_message_size=0)
    mq.send(b'')
    assert zero.receive() == (b'', 1)


def test_mq_non_blocking_send_on_full_queue(ipc):
    mq = ipc.mq()
    mq.max_size = 64
    sent = 0
    with pytest.raises(sysv_ipc.BusyError, match='The queue is full'):
        while True:
            mq.send(b'x' * 16, block=False)
            sent += 1
    assert sent == 4 and mq.current_messages == 4


def test_mq_blocked_send_woken_by_receive(ipc):
    mq = ipc.mq()
    mq.max_size = 16
    mq.send(b'x' * 16)
    sender = Worker(mq.send, b'y' * 16)
    sender.start()
    wait_blocked(sender)
    assert mq.receive() == (b'x' * 16, 1)
    sender.finish()
    assert mq.receive() == (b'y' * 16, 1)


def test_mq_send_that_never_fits_raises(ipc):
    mq = ipc.mq()
    mq.max_size = 16
    with pytest.raises(ValueError):
        mq.send(b'x' * 17)                       # sysv_ipc: waits for ever


def test_mq_attributes(ipc):
    mq = ipc.mq()
    assert mq.last_send_time == 0 and mq.last_receive_time == 0
    assert mq.last_send_pid == 0 and mq.last_receive_pid == 0
    assert abs(mq.last_change_time - time.time()) < 10
    mq.send(b'x')
    assert mq.last_send_pid == os.getpid()
    assert abs(mq.last_send_time - time.time()) < 10
    assert mq.current_messages == 1
    mq.receive()
    assert mq.last_receive_pid == os.getpid()
    assert abs(mq.last_receive_time - time.time()) < 10
    assert mq.max_size > 0
    mq.max_size = 2048
    assert mq.max_size == 2048
    for bad in (0, -1, 2 ** 40):
        with pytest.raises(ValueError):
            mq.max_size = bad
    with pytest.raises(TypeError):
        mq.max_size = '1'
    with pytest.raises(AttributeError):
        del mq.max_size
    for name in ('key', 'id', 'last_send_time', 'last_receive_time', 'last_change_time',
                 'last_send_pid', 'last_receive_pid', 'current_messages', 'cuid', 'cgid'):
        assert_read_only(mq, name)


@pytest.mark.parametrize('wait', ['receive', 'send'])
def test_mq_remove(ipc, wait):
    mq = ipc.mq()
    if wait == 'send':                           # blocks on a full queue
        mq.max_size = 16
        mq.send(b'x' * 16)
        waiter = Worker(mq.send, b'y' * 16)
    else:
        waiter = Worker(mq.receive)
    waiter.start()
    wait_blocked(waiter)
    mq.remove()
    with pytest.raises(sysv_ipc.ExistentialError):
        waiter.finish()                          # a waiter learns of the removal at once
    with pytest.raises(sysv_ipc.ExistentialError):
        mq.send(b'x')
    with pytest.raises(sysv_ipc.ExistentialError):
        mq.receive(block=False)
    with pytest.raises(sysv_ipc.ExistentialError):
        sysv_ipc.MessageQueue(mq.key)


def test_mq_threads_overlap_and_wake(ipc):
    mq = ipc.mq()
    receivers = [Worker(mq.receive) for _ in range(2)]
    for r in receivers:
        r.start()
    for r in receivers:
        wait_blocked(r)                          # both wait at once
    mq.send(b'one', type=1)
    mq.send(b'two', type=2)
    got = sorted(r.finish() for r in receivers)
    assert got == [(b'one', 1), (b'two', 2)]


def test_mq_thread_wakes_thread(ipc):
    mq = ipc.mq()
    receiver = Worker(mq.receive, type=5)
    receiver.start()
    wait_blocked(receiver)
    sender = Worker(mq.send, b'hi', type=5)
    sender.start()
    sender.finish()
    assert receiver.finish() == (b'hi', 5)


def test_mq_signal_handler_exception_propagates(ipc, alarm):
    mq = ipc.mq()
    # a safety net: if the signal did not end the wait, a message would (and the test fail)
    timer = threading.Timer(WAIT, lambda: mq.send(b'late'))
    timer.start()
    try:
        alarm(raise_boom)
        with pytest.raises(Boom):
            mq.receive()
        alarm(quiet)
        with pytest.raises(sysv_ipc.Error, match='Signaled while waiting'):
            mq.receive()
    finally:
        timer.cancel()
    mq.max_size = 16
    mq.send(b'x' * 16)
    timer = threading.Timer(WAIT, lambda: mq.receive(block=False))
    timer.start()
    try:
        alarm(raise_boom)
        with pytest.raises(Boom):
            mq.send(b'y' * 16)                   # blocked on a full queue
    finally:
        timer.cancel()
    assert mq.current_messages == 1
