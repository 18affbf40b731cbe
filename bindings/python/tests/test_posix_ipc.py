"""pipc.posix_ipc: the posix_ipc 1.3 API, and where pipc does better than the reference.

Every test makes its own random names and removes what it made (fixtures), waits are
bounded, and threads synchronise with events. The cross-process tests drive pipc_peer,
a C program of libpipc's C API (PIPC_PEER, set by meson test)."""
import gc
import mmap
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import weakref

import pytest

import stubs
import waits
from pipc import posix_ipc as p

PREFIX = "/pytest_pipc_"
LONG = 10.0  # a wait that must end early; the tests fail (not hang) if it does not


def _name():
    return PREFIX + secrets.token_hex(8)


def _proc_int(path):
    with open(path) as f:
        return int(f.read())


def _leftovers():
    found = []
    for d, pre in (("/dev/shm", PREFIX[1:]), ("/dev/shm", "sem." + PREFIX[1:]), ("/dev/mqueue", PREFIX[1:])):
        if os.path.isdir(d):
            found += [os.path.join(d, f) for f in os.listdir(d) if f.startswith(pre)]
    return found


@pytest.fixture(scope="module", autouse=True)
def _nothing_left_behind():
    before = set(_leftovers())
    yield
    left = set(_leftovers()) - before
    assert not left, "left behind: %s" % sorted(left)


class Made:
    """Creates objects and names, and removes all of them at the end of the test."""

    def __init__(self):
        self.objects = []
        self.names = []

    def name(self, kind):
        n = _name()
        self.names.append((kind, n))
        return n

    def sem(self, *a, **kw):
        s = p.Semaphore(*a, **kw)
        self.objects.append(s)
        self.names.append(("sem", s.name))
        return s

    def shm(self, *a, **kw):
        m = p.SharedMemory(*a, **kw)
        self.objects.append(m)
        self.names.append(("shm", m.name))
        return m

    def mq(self, *a, **kw):
        q = p.MessageQueue(*a, **kw)
        self.objects.append(q)
        self.names.append(("mq", q.name))
        return q

    def cleanup(self):
        for o in reversed(self.objects):
            try:
                o.close()
            except (p.ExistentialError, BufferError):
                pass
        unlink = {"sem": p.unlink_semaphore, "shm": p.unlink_shared_memory,
                  "mq": p.unlink_message_queue}
        for kind, n in self.names:
            if not n.startswith("/"):
                n = "/" + n
            try:
                unlink[kind](n)
            except p.ExistentialError:
                pass


@pytest.fixture
def made():
    m = Made()
    try:
        yield m
    finally:
        m.cleanup()


def _peer():
    path = os.environ.get("PIPC_PEER")
    if not path:
        here = os.path.dirname(os.path.abspath(p.__file__))
        path = os.path.join(os.path.dirname(here), "pipc_peer")
    if not os.access(path, os.X_OK):
        pytest.skip("pipc_peer not built (set PIPC_PEER)")
    return path


def peer(*args, check=True):
    r = subprocess.run([_peer()] + [str(a) for a in args], capture_output=True, timeout=30)
    if check:
        assert r.returncode == 0, r.stderr.decode()
    return r


class Waiter(threading.Thread):
    """Runs FN in a thread; .started is set just before FN is called, .result/.error after."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn = fn
        self.started = threading.Event()
        self.done = threading.Event()
        self.result = self.error = None

    def run(self):
        self.started.set()
        try:
            self.result = self.fn()
        except BaseException as e:  # noqa: B902 - reported to the test
            self.error = e
        finally:
            self.done.set()

    def finish(self):
        assert self.done.wait(LONG + 5), "the waiting thread did not finish"
        self.join(LONG)
        if self.error is not None:
            raise self.error
        return self.result


# ---------------------------------------------------------------------------------------
# module


def test_flag_constants_are_the_os_values():
    assert p.O_CREAT == os.O_CREAT and p.O_EXCL == os.O_EXCL and p.O_TRUNC == os.O_TRUNC
    assert p.O_CREX == os.O_CREAT | os.O_EXCL
    assert (p.O_RDONLY, p.O_WRONLY, p.O_RDWR) == (os.O_RDONLY, os.O_WRONLY, os.O_RDWR)
    assert p.O_NONBLOCK == os.O_NONBLOCK


def test_system_constants_come_from_the_running_system():
    assert p.PAGE_SIZE == os.sysconf("SC_PAGE_SIZE") == mmap.PAGESIZE
    assert p.SEMAPHORE_VALUE_MAX == os.sysconf("SC_SEM_VALUE_MAX")
    assert p.QUEUE_PRIORITY_MAX == os.sysconf("SC_MQ_PRIO_MAX") - 1
    assert p.USER_SIGNAL_MIN == signal.SIGRTMIN and p.USER_SIGNAL_MAX == signal.SIGRTMAX
    assert p.QUEUE_MESSAGES_MAX_DEFAULT == _proc_int("/proc/sys/fs/mqueue/msg_default")
    assert p.QUEUE_MESSAGE_SIZE_MAX_DEFAULT == _proc_int("/proc/sys/fs/mqueue/msgsize_default")
    for flag in ("SEMAPHORE_TIMEOUT_SUPPORTED", "SEMAPHORE_VALUE_SUPPORTED", "MESSAGE_QUEUES_SUPPORTED"):
        assert getattr(p, flag) is True
    assert p.VERSION == p.__version__ == "1.3.2"


def test_exceptions():
    assert issubclass(p.Error, Exception)
    for e in (p.SignalError, p.PermissionsError, p.ExistentialError, p.BusyError):
        assert issubclass(e, p.Error) and e.__module__ == "pipc.posix_ipc"


def test_names_types_and_star_import():
    assert not hasattr(p, "__all__")
    ns = {}
    exec("from pipc.posix_ipc import *", ns)
    for n in ("Semaphore", "SharedMemory", "MessageQueue", "unlink_semaphore", "unlink_shared_memory",
              "unlink_message_queue", "Error", "BusyError", "O_CREX", "QUEUE_PRIORITY_MAX", "VERSION"):
        assert n in ns
    assert p.Semaphore.__module__ == "pipc.posix_ipc"
    assert str(p.MessageQueue) == "<class 'pipc.posix_ipc.MessageQueue'>"


CLASSES = (p.Semaphore, p.SharedMemory, p.MessageQueue)


def test_stub_names_match_the_module():
    """pipc/posix_ipc.pyi declares every public name of the module, and nothing else."""
    stubs.assert_stub_names_match(p, CLASSES)


def test_stub_passes_stubtest(tmp_path):
    """mypy's stubtest finds the stub and the module in agreement."""
    stubs.assert_stubtest_passes(p, CLASSES, tmp_path)


@pytest.mark.parametrize("kind", ["sem", "shm", "mq"])
def test_module_unlink_functions(made, kind):
    unlink = {"sem": p.unlink_semaphore, "shm": p.unlink_shared_memory, "mq": p.unlink_message_queue}[kind]
    cls = {"sem": p.Semaphore, "shm": p.SharedMemory, "mq": p.MessageQueue}[kind]
    obj = getattr(made, kind)(None, p.O_CREX)
    unlink(obj.name)
    with pytest.raises(p.ExistentialError):
        unlink(obj.name)
    with pytest.raises(p.ExistentialError):
        cls(obj.name)
    with pytest.raises(TypeError):
        unlink(5)
    with pytest.raises(ValueError):
        unlink("/a\0b")


# ---------------------------------------------------------------------------------------
# names and arguments (all classes)


@pytest.mark.parametrize("cls", [p.Semaphore, p.SharedMemory, p.MessageQueue])
def test_name_rules(made, cls):
    with pytest.raises(ValueError, match="O_EXCL must be combined with O_CREAT"):
        cls(_name(), p.O_EXCL)
    with pytest.raises(ValueError, match="Name can only be None if O_EXCL is set"):
        cls(None, p.O_CREAT)
    with pytest.raises(TypeError):
        cls(42, p.O_CREX)
    for bad in ("/a\0b", b"/a\0b"):           # the reference crashes on these
        with pytest.raises(ValueError):
            cls(bad, p.O_CREX)
    with pytest.raises(p.ExistentialError):
        cls(_name())                           # flags=0: open an existing one only
    with pytest.raises(TypeError):
        cls(None, "x")
    with pytest.raises(TypeError):
        cls(None, p.O_CREX, mode=1.5)
    with pytest.raises(ValueError):
        cls(None, 2 ** 40)


@pytest.mark.parametrize("kind", ["sem", "shm", "mq"])
def test_names_bytes_and_without_slash(made, kind):
    n = made.name(kind)
    obj = getattr(made, kind)(n.encode(), p.O_CREX)
    assert obj.name == n and isinstance(obj.name, str)
    bare = made.name(kind)[1:]             # glibc treats "x" as "/x"; so does pipc.posix_ipc
    obj2 = getattr(made, kind)(bare, p.O_CREX)
    assert obj2.name == bare and str(obj2) == bare
    again = getattr(made, kind)("/" + bare)
    assert again.name == "/" + bare


@pytest.mark.parametrize("kind", ["sem", "shm", "mq"])
def test_random_names_and_o_creat(made, kind):
    obj = getattr(made, kind)(None, p.O_CREX)
    assert obj.name.startswith("/") and len(obj.name) > 2
    same = getattr(made, kind)(obj.name, p.O_CREAT)
    assert same.name == obj.name
    with pytest.raises(p.ExistentialError):
        getattr(made, kind)(obj.name, p.O_CREX)


@pytest.mark.parametrize("kind, third", [("sem", "initial_value"), ("shm", "size"),
                                         ("mq", "max_messages")])
def test_constructor_arguments_by_position_and_by_keyword(made, kind, third):
    by_position = getattr(made, kind)(None, p.O_CREX, 0o640, 3)
    by_keyword = getattr(made, kind)(**{third: 3, "mode": 0o640, "flags": p.O_CREX, "name": None})
    mixed = getattr(made, kind)(None, p.O_CREX, **{third: 3, "mode": 0o640})
    for obj in (by_position, by_keyword, mixed):
        assert obj.mode == 0o640
        if kind == "sem":
            assert obj.value == 3
        else:
            assert getattr(obj, third) == 3


# The reference's messages (PyArg_ParseTupleAndKeywords for "function"), in its order.
@pytest.mark.parametrize("kind", ["sem", "shm", "mq"])
@pytest.mark.parametrize("args, kwargs, message", [
    ((), {}, "function missing required argument 'name' (pos 1)"),
    ((), {"flags": 0}, "function missing required argument 'name' (pos 1)"),
    (("/x",) * 8, {}, "function takes at most {max} arguments (8 given)"),
    ((), {k: 0 for k in "abcdefgh"}, "function takes at most {max} keyword arguments (8 given)"),
    (("/x", 0), {"flags": 0}, "argument for function given by name ('flags') and position (2)"),
    (("/x",), {"typo": 0}, "'typo' is an invalid keyword argument for this function"),
    (("/x",), {1: 0}, "keywords must be strings"),
])
def test_constructor_argument_errors_match_the_reference(kind, args, kwargs, message):
    cls = {"sem": p.Semaphore, "shm": p.SharedMemory, "mq": p.MessageQueue}[kind]
    most = {"sem": 4, "shm": 5, "mq": 7}[kind]
    with pytest.raises(TypeError) as raised:
        cls(*args, **kwargs)
    assert str(raised.value) == message.format(max=most)


@pytest.mark.parametrize("kind", ["sem", "shm", "mq"])
def test_no_instance_dict_and_no_double_init(made, kind):
    obj = getattr(made, kind)(None, p.O_CREX)
    with pytest.raises(AttributeError):
        obj.typo = 1
    with pytest.raises(RuntimeError):
        obj.__init__(None, p.O_CREX)


# ---------------------------------------------------------------------------------------
# Semaphore


def test_semaphore_basics(made):
    s = made.sem(None, flags=p.O_CREX, mode=0o640, initial_value=2)
    assert s.value == 2 and s.mode == 0o640
    s.acquire()
    s.acquire(0)
    with pytest.raises(p.BusyError):
        s.acquire(0)
    with pytest.raises(p.BusyError):
        s.acquire(timeout=0)
    s.release()
    assert s.value == 1
    assert str(s) == s.name
    assert repr(s) == 'posix_ipc.Semaphore("%s", mode=0640)' % s.name
    other = made.sem(s.name)
    other.acquire(0)
    assert s.value == 0
    assert made.sem(None, p.O_CREX).value == 0


def test_semaphore_initial_value_limits(made):
    made.sem(None, p.O_CREX, initial_value=p.SEMAPHORE_VALUE_MAX)
    with pytest.raises(ValueError):
        made.sem(None, p.O_CREX, initial_value=p.SEMAPHORE_VALUE_MAX + 1)
    with pytest.raises(ValueError):
        made.sem(None, p.O_CREX, initial_value=-1)


def test_semaphore_read_only_attributes(made):
    s = made.sem(None, p.O_CREX)
    for attr in ("name", "mode"):
        with pytest.raises(AttributeError, match="readonly attribute"):
            setattr(s, attr, 1)
    with pytest.raises(AttributeError, match="attribute 'value' of 'pipc.posix_ipc.Semaphore' objects is not writable"):
        s.value = 3


def test_semaphore_context_manager(made):
    s = made.sem(None, p.O_CREX, initial_value=1)
    with s as entered:
        assert entered is s and s.value == 0
        with pytest.raises(p.BusyError):
            s.acquire(0)
    assert s.value == 1
    with pytest.raises(KeyError):
        with s:
            raise KeyError("x")
    assert s.value == 1


def test_semaphore_timeouts_are_checked_like_the_reference(made):
    s = made.sem(None, p.O_CREX, initial_value=3)
    s.acquire(None)
    s.acquire(True)
    s.acquire(0.5)
    for bad in (-1, -0.5, "1", [1], 1j):
        with pytest.raises(TypeError, match="non-negative"):
            s.acquire(bad)
    with pytest.raises(ValueError):
        s.acquire(float("nan"))


def test_semaphore_timeout_waits_on_the_monotonic_clock(made):
    s = made.sem(None, p.O_CREX)
    t0 = time.monotonic()
    with pytest.raises(p.BusyError):
        s.acquire(0.25)
    elapsed = time.monotonic() - t0
    assert 0.25 <= elapsed < 0.25 + 2


def test_semaphore_closed(made):
    s = made.sem(None, p.O_CREX, initial_value=1)
    n = s.name
    s.close()
    for call in (s.acquire, s.release, s.close, s.unlink, s.__enter__, lambda: s.__exit__(None, None, None),
                 lambda: s.value):
        with pytest.raises(p.ExistentialError):
            call()
    assert s.name == n and str(s) == n and n in repr(s)
    p.unlink_semaphore(n)


def test_semaphore_unlink_then_reopen_fails(made):
    s = made.sem(None, p.O_CREX)
    s.unlink()
    s.release()               # still usable until closed
    assert s.value == 1
    with pytest.raises(p.ExistentialError):
        p.Semaphore(s.name)


def test_semaphore_release_wakes_a_waiting_thread(made):
    s = made.sem(None, p.O_CREX)
    w = Waiter(lambda: s.acquire(LONG))
    w.start()
    assert w.started.wait(LONG)
    s.release()                       # the main thread runs while the other one waits
    w.finish()
    assert s.value == 0


def assert_waits_overlap(wait_once, t=1.0):
    """Two threads each run WAIT_ONCE(t), a call that times out after t seconds: together
    they take about t, where waits that held the GIL would take 2 * t at least."""
    barrier = threading.Barrier(2)

    def wait():
        barrier.wait(LONG)
        with pytest.raises(p.BusyError):
            wait_once(t)

    ws = [Waiter(wait) for _ in range(2)]
    t0 = time.monotonic()
    for w in ws:
        w.start()
    for w in ws:
        w.finish()
    assert t <= time.monotonic() - t0 < 1.8 * t


def test_two_threads_blocked_in_acquire_overlap(made):
    s = made.sem(None, p.O_CREX)
    assert_waits_overlap(s.acquire)


def test_two_threads_waiting_are_both_woken(made):
    s = made.sem(None, p.O_CREX)
    ws = [Waiter(lambda: s.acquire(LONG)) for _ in range(2)]
    for w in ws:
        w.start()
    for w in ws:
        assert w.started.wait(LONG)
    s.release()
    s.release()
    for w in ws:
        w.finish()


def test_semaphore_across_processes(made):
    s = made.sem(None, p.O_CREX)
    peer("sem-release", s.name)
    assert s.value == 1
    s.acquire(0)
    r = peer("sem-acquire", s.name, 50, check=False)
    assert r.returncode == 3            # timed out: the value is 0
    s.release()
    peer("sem-acquire", s.name, 5000)
    assert peer("sem-value", s.name).stdout.strip() == b"0"


# ---------------------------------------------------------------------------------------
# signals during a wait


class HandlerError(Exception):
    pass


def _signal_main_until(done, signum):
    """Sends SIGNUM to the main thread every 50 ms until DONE is set (bounded)."""
    main = threading.main_thread().ident

    def run():
        deadline = time.monotonic() + LONG
        while not done.wait(0.05) and time.monotonic() < deadline:
            signal.pthread_kill(main, signum)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _wait_interrupted(call, handler, signum=signal.SIGUSR1):
    """Runs CALL (a wait of LONG seconds) in the main thread with HANDLER for SIGNUM and a
    thread signalling it; returns what CALL raised and how long it took."""
    armed = [False]

    def h(signo, frame):
        if armed[0]:
            armed[0] = False
            handler(signo, frame)

    old = signal.signal(signum, h)
    done = threading.Event()
    t = _signal_main_until(done, signum)
    t0 = time.monotonic()
    try:
        armed[0] = True
        call()
    except BaseException as e:  # noqa: B902
        return e, time.monotonic() - t0
    finally:
        done.set()
        t.join(LONG)
        signal.signal(signum, old)
    pytest.fail("the wait was not interrupted")


def _raise_handler(signo, frame):
    raise HandlerError(signo)


def test_handler_exception_propagates_out_of_acquire(made):
    s = made.sem(None, p.O_CREX)
    e, elapsed = _wait_interrupted(lambda: s.acquire(LONG), _raise_handler)
    assert isinstance(e, HandlerError) and elapsed < LONG / 2


def test_handler_exception_propagates_out_of_receive(made):
    q = made.mq(None, p.O_CREX, max_messages=2, max_message_size=16)
    e, elapsed = _wait_interrupted(lambda: q.receive(LONG), _raise_handler)
    assert isinstance(e, HandlerError) and elapsed < LONG / 2


def test_handler_exception_propagates_out_of_send(made):
    q = made.mq(None, p.O_CREX, max_messages=1, max_message_size=16)
    q.send(b"full")
    e, elapsed = _wait_interrupted(lambda: q.send(b"x", LONG), _raise_handler)
    assert isinstance(e, HandlerError) and elapsed < LONG / 2


def test_keyboard_interrupt_arrives_at_once(made):
    s = made.sem(None, p.O_CREX)
    e, elapsed = _wait_interrupted(lambda: s.acquire(), signal.default_int_handler, signal.SIGINT)
    assert isinstance(e, KeyboardInterrupt) and elapsed < LONG / 2


def test_quiet_handler_gives_signal_error(made):
    s = made.sem(None, p.O_CREX)
    seen = []
    e, elapsed = _wait_interrupted(lambda: s.acquire(LONG), lambda signo, frame: seen.append(signo))
    assert isinstance(e, p.SignalError) and seen == [signal.SIGUSR1] and elapsed < LONG / 2


# ---------------------------------------------------------------------------------------
# SharedMemory


def test_shared_memory_basics(made):
    m = made.shm(None, flags=p.O_CREX, mode=0o600, size=3333)
    assert m.size == 3333 and m.mode == 0o600
    assert isinstance(m.fd, int) and m.fd >= 0 and m.fileno() == m.fd
    assert str(m) == m.name
    assert repr(m) == 'posix_ipc.SharedMemory("%s", mode=0600)' % m.name
    f = mmap.mmap(m.fd, m.size)
    f[:5] = b"hello"
    f.close()
    other = made.shm(m.name)
    assert other.size == 3333
    assert bytes(memoryview(other)[:5]) == b"hello"


def test_shared_memory_read_only_attributes(made):
    m = made.shm(None, p.O_CREX, size=4096)
    for attr in ("name", "fd", "mode"):
        with pytest.raises(AttributeError, match="readonly attribute"):
            setattr(m, attr, 1)
    with pytest.raises(AttributeError, match="is not writable"):
        m.size = 1


def test_shared_memory_resize_and_truncate(made):
    m = made.shm(None, p.O_CREX, size=2 * mmap.PAGESIZE)
    assert made.shm(m.name, size=0).size == 2 * mmap.PAGESIZE
    assert made.shm(m.name, size=4 * mmap.PAGESIZE).size == m.size == 4 * mmap.PAGESIZE
    assert made.shm(m.name, size=mmap.PAGESIZE).size == m.size == mmap.PAGESIZE
    assert made.shm(m.name, p.O_TRUNC).size == 0
    os.ftruncate(m.fd, 100)
    assert m.size == 100
    with pytest.raises(ValueError):
        made.shm(None, p.O_CREX, size=-1)


def test_read_only_open_with_a_size_never_changes_the_segment(made):
    m = made.shm(None, p.O_CREX, size=4096)
    memoryview(m)[:4] = b"keep"
    with pytest.raises(ValueError):
        p.SharedMemory(m.name, read_only=True, size=8192)       # the reference deletes it here
    assert m.size == 4096 and bytes(memoryview(m)[:4]) == b"keep"
    again = made.shm(m.name)
    assert again.size == 4096
    same = made.shm(m.name, read_only=True, size=4096)      # the size it has: fine
    assert bytes(memoryview(same)[:4]) == b"keep"
    n = made.name("shm")
    with pytest.raises(ValueError):
        p.SharedMemory(n, p.O_CREAT, read_only=True, size=4096)  # made by the failed call: removed
    with pytest.raises(p.ExistentialError):
        p.SharedMemory(n)


def test_read_only_handle(made):
    m = made.shm(None, p.O_CREX, size=4096)
    ro = made.shm(m.name, read_only=True)
    f = mmap.mmap(ro.fd, ro.size, prot=mmap.PROT_READ)
    with pytest.raises(TypeError):
        f.write(b"x")
    f.close()
    mv = memoryview(ro)
    assert mv.readonly
    with pytest.raises(TypeError):
        mv[0] = 1
    mv.release()


def test_memoryview_is_zero_copy(made):
    m = made.shm(None, p.O_CREX, size=10000)
    other = made.shm(m.name)
    a, b = memoryview(m), memoryview(other)
    assert a.obj is m and len(a) == 10000 and not a.readonly and a.format == "B"
    a[100:105] = b"12345"
    assert bytes(b[100:105]) == b"12345"            # the same pages, no copy
    b[9999] = 7
    assert a[9999] == 7
    f = mmap.mmap(m.fd, m.size)
    assert f[100:105] == b"12345"
    f.close()
    a.release()
    b.release()


def test_memoryview_follows_the_size_when_no_view_is_alive(made):
    m = made.shm(None, p.O_CREX)
    assert len(memoryview(m)) == 0
    os.ftruncate(m.fd, 3 * mmap.PAGESIZE)
    with memoryview(m) as v:
        assert len(v) == 3 * mmap.PAGESIZE
        v[-1] = 9
        os.ftruncate(m.fd, 4 * mmap.PAGESIZE)
        with memoryview(m) as v2:            # a view is alive: same mapping
            assert len(v2) == 3 * mmap.PAGESIZE
    with memoryview(m) as v:
        assert len(v) == 4 * mmap.PAGESIZE and v[3 * mmap.PAGESIZE - 1] == 9


def test_close_refuses_while_a_view_is_alive(made):
    m = made.shm(None, p.O_CREX, size=4096)
    v = memoryview(m)
    part = v[10:20]
    v.release()
    with pytest.raises(BufferError):
        m.close()                          # the slice still holds the export
    part.release()
    fd = m.fd
    m.close()
    with pytest.raises(OSError):
        os.fstat(fd)                       # close() closed the descriptor
    assert m.fd == -1 and m.fileno() == -1
    with pytest.raises(p.ExistentialError):
        m.size
    with pytest.raises(p.ExistentialError):
        memoryview(m)
    m.close()                              # again: nothing to do
    m.close_fd()
    m.unlink()                             # by name, as the reference


def test_close_fd_keeps_the_mapping(made):
    m = made.shm(None, p.O_CREX, size=4096)
    v = memoryview(m)
    v[0] = 42
    fd = m.fd
    m.close_fd()
    assert m.fd == -1
    with pytest.raises(OSError):
        os.fstat(fd)
    m.close_fd()                           # again: nothing to do, as the reference
    with pytest.raises(p.ExistentialError):
        m.size
    assert v[0] == 42
    v.release()
    with memoryview(m) as again:           # the mapping made before close_fd() stays usable
        assert again[0] == 42
    fresh = made.shm(None, p.O_CREX, size=4096)
    fresh.close_fd()
    with pytest.raises(p.ExistentialError):
        memoryview(fresh)                  # nothing was mapped before the descriptor closed


def test_collected_shared_memory_leaves_the_descriptor_open(made):
    # posix_ipc: "the file descriptor is not closed automatically when a SharedMemory object
    # is garbage collected" (and os.close(fd) is documented as the same as close_fd())
    m = made.shm(None, p.O_CREX, size=4096)
    made.objects.remove(m)
    memoryview(m).release()
    fd = m.fd
    del m
    gc.collect()
    os.fstat(fd)
    os.close(fd)


def test_shared_memory_unlink(made):
    m = made.shm(None, p.O_CREX, size=4096)
    m.unlink()
    assert m.size == 4096                  # still open
    with pytest.raises(p.ExistentialError):
        m.unlink()
    with pytest.raises(p.ExistentialError):
        p.SharedMemory(m.name)


def test_shared_memory_refuses_semaphore_files(made):
    """Semaphore /X is the file /dev/shm/sem.X: opened as shared memory and resized, it made
    the semaphore's next user die of SIGBUS. Unlike the reference, such names are refused."""
    s = made.sem(None, p.O_CREX)
    file_name = "/sem." + s.name[1:]
    for flags in (0, p.O_CREAT, p.O_CREX):
        with pytest.raises(ValueError, match="semaphore"):
            p.SharedMemory(file_name, flags)
    with pytest.raises(ValueError, match="semaphore"):
        p.unlink_shared_memory(file_name)
    s.release()
    s.acquire(0)


def test_shared_memory_reserve(made):
    """O_RESERVE (beyond the reference) allocates the pages at once: a segment that /dev/shm
    cannot hold raises instead of a SIGBUS at the first touch, and nothing is left."""
    m = made.shm(None, p.O_CREX | p.O_RESERVE, size=65536)
    assert os.fstat(m.fd).st_blocks * 512 >= 65536
    with pytest.raises(ValueError):
        p.SharedMemory(m.name, p.O_RESERVE, read_only=True)
    fs = os.statvfs("/dev/shm")
    if fs.f_blocks == 0:
        pytest.skip("/dev/shm has no size to exceed")
    name = made.name("shm")
    with pytest.raises(OSError, match="do not fit in /dev/shm"):
        p.SharedMemory(name, p.O_CREX | p.O_RESERVE, size=fs.f_blocks * fs.f_frsize + p.PAGE_SIZE)
    with pytest.raises(p.ExistentialError):
        p.SharedMemory(name)


def test_shared_memory_across_processes(made):
    m = made.shm(None, p.O_CREX, size=8192)
    peer("shm-write", m.name, 4096, "from C")
    with memoryview(m) as v:
        assert bytes(v[4096:4102]) == b"from C"
        v[:11] = b"from Python"
    assert peer("shm-read", m.name, 0, 11).stdout == b"from Python"


# ---------------------------------------------------------------------------------------
# MessageQueue


def test_message_queue_basics(made):
    q = made.mq(None, flags=p.O_CREX, mode=0o600, max_messages=3, max_message_size=64,
                read=True, write=True)
    assert (q.max_messages, q.max_message_size, q.current_messages, q.mode) == (3, 64, 0, 0o600)
    assert q.block is True
    assert isinstance(q.mqd, int) and q.mqd >= 0 and q.fileno() == q.mqd
    assert str(q) == q.name
    assert repr(q) == ('posix_ipc.MessageQueue("%s", mode=0600, max_message_size=64, max_messages=3, '
                       'read=True, write=True)' % q.name)
    q.send(b"a")
    q.send("\u00e9t\u00e9", priority=5)          # str: UTF-8
    q.send(bytearray(b"c\0d"), 0, 2)
    assert q.current_messages == 3
    assert q.receive() == ("\u00e9t\u00e9".encode(), 5)
    assert q.receive(0) == (b"c\0d", 2)
    assert q.receive(timeout=None) == (b"a", 0)
    q.send(memoryview(b"xxhelloxx")[2:7])
    q.send(b"")
    assert q.receive() == (b"hello", 0)
    assert q.receive() == (b"", 0)


def test_received_messages_are_independent_objects(made):
    # small messages are copied out of a reused buffer, large ones handed over in it
    q = made.mq(None, p.O_CREX, max_messages=8, max_message_size=8192)
    sizes = [16, 8192, 0, 5000, 1, 8192, 4096, 16]
    for i, n in enumerate(sizes):
        q.send(bytes([65 + i]) * n)
    got = [q.receive(0)[0] for _ in sizes]
    assert got == [bytes([65 + i]) * n for i, n in enumerate(sizes)]
    assert len({id(g) for g in got}) == len(got)
    w = Waiter(lambda: q.receive(LONG))            # the waiting path
    w.start()
    assert w.started.wait(LONG)
    q.send(b"z" * 7000)
    assert w.finish() == (b"z" * 7000, 0)
    tiny = made.mq(None, p.O_CREX, max_messages=2, max_message_size=1)
    tiny.send(b"!")
    assert tiny.receive() == (b"!", 0)


def test_message_queue_defaults(made):
    q = made.mq(None, p.O_CREX)
    assert q.max_messages == p.QUEUE_MESSAGES_MAX_DEFAULT
    assert q.max_message_size == p.QUEUE_MESSAGE_SIZE_MAX_DEFAULT
    q.send(b"x" * q.max_message_size)
    assert q.receive()[0] == b"x" * q.max_message_size


def test_message_queue_read_only_attributes(made):
    q = made.mq(None, p.O_CREX, max_messages=2, max_message_size=16)
    for attr in ("name", "max_messages", "max_message_size", "mode"):
        with pytest.raises(AttributeError, match="readonly attribute"):
            setattr(q, attr, 1)
    for attr in ("mqd", "current_messages"):
        with pytest.raises(AttributeError, match="is not writable"):
            setattr(q, attr, 1)
    with pytest.raises(AttributeError):
        del q.block


def test_bad_messages_do_not_crash(made):
    q = made.mq(None, p.O_CREX, max_messages=2, max_message_size=16)
    for bad in (None, 5, 1.5, object()):
        with pytest.raises(TypeError):
            q.send(bad)
    with pytest.raises(ValueError, match="16 bytes"):       # the limit is in the message
        q.send(b"x" * 17)
    with pytest.raises(ValueError, match="QUEUE_PRIORITY_MAX"):
        q.send(b"x", priority=p.QUEUE_PRIORITY_MAX + 1)
    with pytest.raises(ValueError):
        q.send(b"x", priority=-1)
    with pytest.raises(ValueError):
        q.send(b"x", priority=2 ** 70)
    with pytest.raises(TypeError):
        q.send(b"x", priority="1")
    with pytest.raises(TypeError):
        q.send(b"x", timeout=-1)
    assert q.current_messages == 0
    q.send(b"x", priority=p.QUEUE_PRIORITY_MAX)
    assert q.receive() == (b"x", p.QUEUE_PRIORITY_MAX)


def test_message_queue_limits(made):
    with pytest.raises(ValueError):
        made.mq(None, p.O_CREX, max_messages=0)
    with pytest.raises(ValueError):
        made.mq(None, p.O_CREX, max_message_size=-5)
    with pytest.raises(ValueError, match="msg_max"):
        made.mq(None, p.O_CREX, max_messages=70000)  # past msg_max, even for root
    with pytest.raises(ValueError, match="At least one of read or write"):
        made.mq(None, p.O_CREX, read=False, write=False)


def test_message_queue_priorities_and_fifo(made):
    q = made.mq(None, p.O_CREX, max_messages=8, max_message_size=16)
    for text, prio in (("low", 1), ("high", 3), ("mid", 2), ("mid2", 2)):
        q.send(text, priority=prio)
    assert [q.receive() for _ in range(4)] == [(b"high", 3), (b"mid", 2), (b"mid2", 2), (b"low", 1)]


def test_message_queue_timeouts(made):
    q = made.mq(None, p.O_CREX, max_messages=1, max_message_size=16)
    with pytest.raises(p.BusyError):
        q.receive(0)
    t0 = time.monotonic()
    with pytest.raises(p.BusyError):
        q.receive(0.25)
    assert 0.25 <= time.monotonic() - t0 < 2.25
    q.send(b"1")
    with pytest.raises(p.BusyError):
        q.send(b"2", 0)
    t0 = time.monotonic()
    with pytest.raises(p.BusyError):
        q.send(b"2", timeout=0.25)
    assert 0.25 <= time.monotonic() - t0 < 2.25
    with pytest.raises(TypeError):
        q.receive(-1)


def test_block_flag(made):
    q = made.mq(None, p.O_CREX, max_messages=1, max_message_size=16)
    q.block = False
    assert q.block is False
    t0 = time.monotonic()
    with pytest.raises(p.BusyError):
        q.receive(LONG)
    q.send(b"1")
    with pytest.raises(p.BusyError):
        q.send(b"2", LONG)
    assert time.monotonic() - t0 < LONG / 2
    q.block = 1
    assert q.block is True
    nb = made.mq(q.name, p.O_NONBLOCK)
    assert nb.block is False and q.block is True


def test_read_and_write_ends(made):
    q = made.mq(None, p.O_CREX, max_messages=2, max_message_size=16, read=False)
    q.send(b"x")
    with pytest.raises(p.PermissionsError):
        q.receive()
    r = made.mq(q.name, write=False)
    with pytest.raises(p.PermissionsError):
        r.send(b"y")
    assert r.receive() == (b"x", 0)
    assert "read=False, write=True" in repr(q)


def test_message_queue_closed(made):
    q = made.mq(None, p.O_CREX, max_messages=2, max_message_size=16)
    n = q.name
    q.close()
    for call in (lambda: q.send(b"x"), q.receive, q.close, q.request_notification,
                 lambda: q.block, lambda: q.current_messages):
        with pytest.raises(p.ExistentialError):
            call()
    with pytest.raises(p.ExistentialError):
        q.block = True
    assert (q.name, q.mqd, q.fileno(), q.max_messages, q.max_message_size) == (n, -1, -1, 2, 16)
    q.unlink()                              # by name, as the reference
    with pytest.raises(p.ExistentialError):
        p.MessageQueue(n)


def test_receive_wakes_on_send_from_another_thread(made):
    q = made.mq(None, p.O_CREX, max_messages=2, max_message_size=16)
    w = Waiter(lambda: q.receive(LONG))
    w.start()
    assert w.started.wait(LONG)
    q.send(b"wake", priority=4)
    assert w.finish() == (b"wake", 4)


def test_send_wakes_on_receive_from_another_thread(made):
    q = made.mq(None, p.O_CREX, max_messages=1, max_message_size=16)
    q.send(b"first")
    w = Waiter(lambda: q.send(b"second", LONG))
    w.start()
    assert w.started.wait(LONG)
    assert q.receive(LONG) == (b"first", 0)
    w.finish()
    assert q.receive(LONG) == (b"second", 0)


def test_two_threads_blocked_in_receive_overlap(made):
    q = made.mq(None, p.O_CREX, max_messages=2, max_message_size=16)
    assert_waits_overlap(q.receive)


def test_message_queue_across_processes(made):
    q = made.mq(None, p.O_CREX, max_messages=4, max_message_size=64)
    peer("mq-send", q.name, 7, "from C")
    assert q.receive(LONG) == (b"from C", 7)
    q.send("from Python", priority=2)
    assert peer("mq-receive", q.name, 5000).stdout == b"2 from Python\n"


# ---------------------------------------------------------------------------------------
# close() from another thread ends a blocked call


class BlockedCall:
    """One kind of call that blocks (semaphore at 0, queue empty or full): make(made)
    gives (obj, other), two handles to one object; block(obj, timeout) is the call;
    syscall and mapped tell where it sleeps (waits.py); state(other) is what close must
    leave as it was; wake(other) ends the call if close did not, so that a failing test
    ends."""

    def __init__(self, make, block, syscall, state, wake, mapped=None):
        self.make, self.block, self.syscall = make, block, syscall
        self.state, self.wake, self.mapped = state, wake, mapped


def _sem_pair(made):
    s = made.sem(None, p.O_CREX)
    return s, made.sem(s.name)


def _queue_pair(made, fill=()):
    q = made.mq(None, p.O_CREX, max_messages=2, max_message_size=16)
    other = made.mq(q.name)
    for message, priority in fill:
        other.send(message, priority=priority)
    return q, other


def _drain(q):
    got = []
    while q.current_messages:
        got.append(q.receive(0))
    return got


QUEUED = ((b"first", 1), (b"second", 0))

BLOCKED_CALLS = {
    "Semaphore.acquire": BlockedCall(
        _sem_pair, lambda s, t: s.acquire(t), "futex",
        state=lambda o: o.value, wake=lambda o: o.release(),
        mapped=lambda s: waits.sem_path(s.name)),
    "MessageQueue.receive": BlockedCall(
        _queue_pair, lambda q, t: q.receive(t), "ppoll",
        state=lambda o: o.current_messages, wake=lambda o: o.send(b"wake")),
    "MessageQueue.send": BlockedCall(
        lambda made: _queue_pair(made, QUEUED), lambda q, t: q.send(b"blocked", t), "ppoll",
        state=lambda o: o.current_messages, wake=lambda o: o.receive(0)),
}


@pytest.mark.parametrize("timeout", [None, LONG], ids=["forever", "bounded"])
@pytest.mark.parametrize("kind", sorted(BLOCKED_CALLS))
def test_close_from_another_thread_ends_a_blocked_call(made, kind, timeout):
    case = BLOCKED_CALLS[kind]
    obj, other = case.make(made)
    before = case.state(other)
    ended = {}

    def call():
        try:
            case.block(obj, timeout)
        except BaseException as e:  # noqa: B902 - handed to the test
            ended["error"] = e
        ended["at"] = time.monotonic()

    t = threading.Thread(target=call, daemon=True)
    t.start()
    try:
        waits.wait_in_syscall(t, case.syscall, case.mapped(obj) if case.mapped else None, LONG)
        closing = time.monotonic()
        obj.close()
        closed = time.monotonic()
        t.join(LONG)
    finally:
        if t.is_alive():                   # close did not end it: end it, then fail
            case.wake(other)
            t.join(LONG)
    assert "at" in ended, "close() did not end the blocked %s" % kind
    latency = ended["at"] - closing
    print("%s (%s): close() took %.2f ms, the blocked call raised %.2f ms after it began"
          % (kind, "forever" if timeout is None else "bounded", 1e3 * (closed - closing), 1e3 * latency))
    assert isinstance(ended.get("error"), p.ExistentialError), ended
    assert latency < 1.0
    # the closed-object error of any later call, with the same text
    with pytest.raises(p.ExistentialError) as later:
        case.block(obj, 0)
    assert str(ended["error"]) == str(later.value)
    # the object and its other handle are as they were, and the other handle works
    assert case.state(other) == before
    if kind == "MessageQueue.send":
        assert _drain(other) == list(QUEUED)      # the blocked message never went in
    else:
        case.wake(other)


@pytest.mark.parametrize("kind", sorted(BLOCKED_CALLS))
def test_close_racing_a_blocking_call(made, kind):
    """close() at every moment of a call (before it, during its try, during its wait): the
    call ends with ExistentialError, never waits on, never uses a freed handle (ASan)."""
    case = BLOCKED_CALLS[kind]
    first, other = case.make(made)
    first.close()
    errors = []
    for _ in range(100):
        obj = made.sem(other.name) if isinstance(other, p.Semaphore) else made.mq(other.name)
        t = Waiter(lambda obj=obj: case.block(obj, LONG))
        t.start()
        obj.close()
        try:
            t.finish()
        except p.ExistentialError as e:
            errors.append(e)
    assert len(errors) == 100


# ---------------------------------------------------------------------------------------
# notifications


def test_notification_by_signal(made):
    q = made.mq(None, p.O_CREX, max_messages=4, max_message_size=16)
    got = threading.Event()
    old = signal.signal(p.USER_SIGNAL_MIN, lambda s, f: got.set())
    try:
        q.request_notification(p.USER_SIGNAL_MIN)
        q.send(b"x")
        deadline = time.monotonic() + LONG
        while not got.is_set() and time.monotonic() < deadline:
            got.wait(0.01)               # the handler runs in the main thread, between waits
        assert got.is_set()
        got.clear()
        q.send(b"y")                     # one shot: no second signal
        q.receive()
        q.receive()
        q.send(b"z")
        assert not got.is_set()
    finally:
        q.request_notification()
        signal.signal(p.USER_SIGNAL_MIN, old)


def test_notification_by_thread_and_rearm(made):
    q = made.mq(None, p.O_CREX, max_messages=4, max_message_size=16)
    calls = []
    fired = threading.Event()

    def callback(param):
        calls.append((param, threading.current_thread() is not threading.main_thread()))
        if len(calls) < 3:
            q.request_notification((callback, param + 1))
        fired.set()

    q.request_notification((callback, 1))
    for _ in range(3):
        fired.clear()
        q.send(b"x")
        assert fired.wait(LONG)
        q.receive()
    assert calls == [(1, True), (2, True), (3, True)]


def test_notification_cancel(made):
    q = made.mq(None, p.O_CREX, max_messages=4, max_message_size=16)
    fired = threading.Event()
    q.request_notification((lambda _: fired.set(), None))
    for _ in range(100):
        q.request_notification()
    q.request_notification(None)
    q.send(b"x")
    assert not fired.wait(0.2)


def test_notification_arguments(made):
    q = made.mq(None, p.O_CREX, max_messages=4, max_message_size=16)
    for bad in ("x", (print,), (print, 1, 2), (5, 1), [print, 1], 1.5):
        with pytest.raises(ValueError, match="must be None, an integer"):
            q.request_notification(bad)
    for bad in (0, 999, -1):
        with pytest.raises(ValueError):
            q.request_notification(bad)


def test_notification_references_live_until_it_fires(made):
    q = made.mq(None, p.O_CREX, max_messages=4, max_message_size=16)

    class Param:
        pass

    got = []
    fired = threading.Event()
    param = Param()
    ref = weakref.ref(param)
    q.request_notification((lambda x: (got.append(x), fired.set()), param))
    del param
    gc.collect()
    assert ref() is not None
    q.send(b"x")
    assert fired.wait(LONG)
    assert got[0] is ref()
    del got[:]
    gc.collect()
    assert ref() is None                 # dropped once it fired


@pytest.mark.parametrize("how", ["cancel", "close"])
def test_notification_references_dropped(made, how):
    q = made.mq(None, p.O_CREX, max_messages=4, max_message_size=16)

    class Param:
        pass

    param = Param()
    ref = weakref.ref(param)
    q.request_notification((lambda x: None, param))
    del param
    if how == "cancel":
        q.request_notification()
    else:
        q.close()
    gc.collect()
    assert ref() is None


def test_collected_queue_with_pending_notification(made):
    n = made.name("mq")
    fired = threading.Event()

    class Param:
        pass

    param = Param()
    ref = weakref.ref(param)
    q = p.MessageQueue(n, p.O_CREX, max_messages=4, max_message_size=16)
    q.request_notification((lambda x: fired.set(), param))
    del q, param
    gc.collect()
    assert ref() is None
    sender = made.mq(n)
    sender.send(b"x")                    # the registration went with the queue: no callback
    assert not fired.wait(0.2)
    assert sender.receive(0) == (b"x", 0)


def test_callback_exception_is_reported_not_lost(made, monkeypatch):
    q = made.mq(None, p.O_CREX, max_messages=4, max_message_size=16)
    seen = []
    reported = threading.Event()

    def hook(unraisable):
        seen.append(unraisable.exc_type)
        reported.set()

    monkeypatch.setattr(sys, "unraisablehook", hook)

    def callback(param):
        raise HandlerError(param)

    q.request_notification((callback, 1))
    q.send(b"x")
    assert reported.wait(LONG)
    assert seen == [HandlerError]


def test_notification_busy_when_another_process_is_registered(made):
    q = made.mq(None, p.O_CREX, max_messages=4, max_message_size=16)
    code = ("import sys; from pipc import posix_ipc as p; q = p.MessageQueue(sys.argv[1]); "
            "q.request_notification(p.USER_SIGNAL_MIN); print('ready', flush=True); sys.stdin.read()")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.Popen([sys.executable, "-c", code, q.name], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, env=env)
    try:
        assert child.stdout.readline() == b"ready\n"
        with pytest.raises(p.BusyError):
            q.request_notification((print, 1))
    finally:
        child.stdin.close()
        child.wait(LONG)
    q.request_notification((print, 1))   # free again once the other process has gone
    q.request_notification()


def test_no_swig_attributes_to_give_up_a_handle():
    """SWIG's own attributes (this, thisown, disown(), ...) are gone: nothing lets a
    program take the handle away from its object and leak it."""
    for cls in (p.Semaphore, p.SharedMemory, p.MessageQueue):
        for name in ('this', 'thisown', 'disown', 'own', 'append', 'next'):
            assert not hasattr(cls, name), (cls, name)
    assert not hasattr(p.SharedMemory, 'acquire')
