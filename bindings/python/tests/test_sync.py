"""pipc.sync: Mutex and Condition, within a process, across threads and across processes
(children of this interpreter, killed with SIGKILL to make dead owners). Every object has a
random name and is unlinked at teardown, also when the test fails; no wait is a guess of
how long something takes: children say what they did on a pipe, and shared memory holds
the predicates conditions wait for."""
import mmap
import os
import signal
import struct
import subprocess
import sys
import threading
import time

import pytest

import stubs
import waits
from pipc import posix_ipc, sync

LONG = 20           # seconds: a limit no passing wait comes near
CLASSES = [sync.Mutex, sync.Condition]

# A child process: opens the mutex (and, given one, the condition variable) by name and
# obeys commands on stdin, one reply line each on stdout.
CHILD = r'''
import mmap, struct, sys
from pipc import posix_ipc, sync
mutex = sync.Mutex(sys.argv[1])
cond = sync.Condition(sys.argv[2], mutex) if len(sys.argv) > 2 else None
shm = posix_ipc.SharedMemory(sys.argv[3]) if len(sys.argv) > 3 else None
board = mmap.mmap(shm.fd, 16) if shm else None
def word(i):
    return struct.unpack_from("<q", board, 8 * i)[0]
def put(i, v):
    struct.pack_into("<q", board, 8 * i, v)
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == "lock":
        mutex.acquire()
    elif cmd[0] == "unlock":
        mutex.release()
    elif cmd[0] == "set":                 # set WORD VALUE and notify, under the lock
        with cond:
            put(int(cmd[1]), int(cmd[2]))
            cond.notify_all() if cmd[3] == "all" else cond.notify()
    elif cmd[0] == "await":               # count in at word 0, wait until word 1 is VALUE
        with cond:
            put(0, word(0) + 1)
            cond.notify_all()
            if not cond.wait_for(lambda: word(1) == int(cmd[1]), 20):
                print("timeout", flush=True)
                continue
    print("done " + cmd[0], flush=True)
'''


class Child:
    """A child process running CHILD, killed at teardown if it still runs."""

    def __init__(self, *names):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.proc = subprocess.Popen([sys.executable, '-c', CHILD] + list(names), env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def send(self, command):
        self.proc.stdin.write(command + '\n')
        self.proc.stdin.flush()

    def reply(self):
        line = self.proc.stdout.readline().strip()
        assert line, 'the child ended (exit %s)' % self.proc.poll()
        return line

    def do(self, command):
        self.send(command)
        assert self.reply() == 'done ' + command.split()[0]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(LONG)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except BrokenPipeError:     # unflushed commands to a dead child
                pass


@pytest.fixture
def made():
    """made(cls, *args, **kwargs) opens an object and remembers it: at teardown every one is
    closed and every name made is unlinked (and checked gone from /dev/shm)."""
    objects = []

    def make(cls, *args, **kwargs):
        obj = cls(*args, **kwargs)
        objects.append(obj)
        return obj
    yield make
    for obj in objects:
        unlink = sync.unlink_mutex if isinstance(obj, sync.Mutex) else sync.unlink_condition
        for step in (obj.close, lambda: unlink(obj.name)):
            try:
                step()
            except sync.ExistentialError:   # closed, or unlinked, already
                pass
    for obj in objects:
        assert not os.path.exists('/dev/shm' + obj.name)


@pytest.fixture
def children():
    started = []

    def start(*names):
        started.append(Child(*names))
        return started[-1]
    yield start
    for child in started:
        child.kill()


@pytest.fixture
def board():
    """16 bytes of shared memory (two int64 words) for predicates, and its name."""
    shm = posix_ipc.SharedMemory(None, posix_ipc.O_CREX, size=16)
    view = mmap.mmap(shm.fd, 16)
    shm.close_fd()
    yield view, shm.name
    view.close()
    shm.unlink()


def word(view, i):
    return struct.unpack_from('<q', view, 8 * i)[0]


start_thread = waits.start_thread
finish = waits.finish


def in_thread(fn):
    """Runs FN on a thread to its end; returns what it returned or raised."""
    return finish(*start_thread(fn))


def held_by_dead_child(children, mutex):
    """The mutex, locked by a child process that was then killed with SIGKILL."""
    child = children(mutex.name)
    child.do('lock')
    child.proc.send_signal(signal.SIGKILL)
    child.proc.wait(LONG)


# ---- the module ------------------------------------------------------------------------

def test_stub_declares_the_module():
    stubs.assert_stub_names_match(sync, CLASSES)


def test_stub_passes_stubtest(tmp_path):
    stubs.assert_stubtest_passes(sync, CLASSES, tmp_path)


def test_exceptions():
    for name in ('PermissionsError', 'ExistentialError', 'BusyError', 'OwnerDeadError',
                 'NotRecoverableError'):
        assert issubclass(getattr(sync, name), sync.Error)
    assert sync.O_CREX == sync.O_CREAT | sync.O_EXCL == posix_ipc.O_CREX


# ---- opening, names, bad input -----------------------------------------------------------

def test_random_name_creates(made):
    m = made(sync.Mutex)
    assert m.created and m.name.startswith('/') and repr(m) == "pipc.sync.Mutex('%s')" % m.name
    other = made(sync.Mutex, m.name)
    assert not other.created and other.name == m.name
    c = made(sync.Condition, None, m)
    assert c.created and c.mutex is m and c.name != m.name
    assert not made(sync.Condition, c.name, mutex=other).created


def test_flags(made):
    m = made(sync.Mutex)
    with pytest.raises(sync.ExistentialError):
        sync.Mutex(m.name, sync.O_CREX)
    name = m.name + 'x'
    with pytest.raises(sync.ExistentialError):
        sync.Mutex(name)
    with pytest.raises(ValueError):
        sync.Mutex(name, sync.O_EXCL)
    assert made(sync.Mutex, name.encode(), sync.O_CREAT, 0o640).created
    sync.unlink_mutex(name)
    with pytest.raises(sync.ExistentialError):
        sync.unlink_mutex(name)
    c = made(sync.Condition, None, m)
    sync.unlink_condition(c.name)
    with pytest.raises(sync.ExistentialError):
        c.unlink()


@pytest.mark.parametrize('call, error', [
    (lambda: sync.Mutex(5), TypeError),
    (lambda: sync.Mutex('/a\0b'), ValueError),
    (lambda: sync.Mutex('/a/b', sync.O_CREAT), ValueError),
    (lambda: sync.Mutex(None, 'x'), TypeError),
    (lambda: sync.Mutex(None, mode=None), TypeError),
    (lambda: sync.Mutex(None, recover=5), TypeError),
    (lambda: sync.Mutex(None, colour=1), TypeError),
    (lambda: sync.Condition(None), TypeError),
    (lambda: sync.Condition(None, None), TypeError),
    (lambda: sync.Condition(None, object()), TypeError),
    (lambda: sync.unlink_mutex(None), TypeError),
    (lambda: sync.unlink_condition(3), TypeError),
])
def test_bad_arguments(call, error):
    with pytest.raises(error):
        call()


def test_bad_timeouts(made):
    m = made(sync.Mutex)
    for bad, error in (('1', TypeError), (-2, ValueError), (-0.5, ValueError),
                       (float('nan'), ValueError), (1j, TypeError)):
        with pytest.raises(error):
            m.acquire(timeout=bad)
    with pytest.raises(ValueError):
        m.acquire(False, 1)
    for args, kwargs in (((True, 1, 2), {}), ((), {'colour': 1}), ((True,), {'blocking': True})):
        with pytest.raises(TypeError):
            m.acquire(*args, **kwargs)
    c = made(sync.Condition, None, m)
    with c:
        with pytest.raises(ValueError):
            c.wait(-3)
        with pytest.raises(TypeError):
            c.wait_for(5)
        with pytest.raises(TypeError):
            c.notify('2')


def test_closed_objects_raise(made):
    m = made(sync.Mutex)
    c = made(sync.Condition, None, m)
    name = c.name
    c.unlink()
    c.close()
    for call in (c.close, c.unlink, c.notify, c.notify_all, lambda: c.wait(0),
                 lambda: c.wait_for(lambda: False, 0)):
        with pytest.raises(sync.ExistentialError):
            call()
    assert c.name == name
    m.close()
    for call in (m.close, m.unlink, m.acquire, m.release, m.consistent, m.__enter__,
                 lambda: m.__exit__(None, None, None), c.acquire, c.release):
        with pytest.raises(sync.ExistentialError):
            call()


def test_uninitialised_object_reads_as_closed():
    m = sync.Mutex.__new__(sync.Mutex)
    for call in (m.acquire, m.release, m.__enter__, lambda: sync.Condition(None, m)):
        with pytest.raises(sync.ExistentialError):
            call()
    with pytest.raises(RuntimeError):
        made = sync.Mutex()
        try:
            made.__init__()
        finally:
            made.unlink()
            made.close()


# ---- the lock in one process ---------------------------------------------------------------

def test_acquire_release_and_with(made):
    m = made(sync.Mutex)
    assert m.acquire() is True
    with pytest.raises(ValueError):                       # relock: an error, not a deadlock
        m.acquire()
    with pytest.raises(ValueError):
        m.acquire(False)
    m.release()
    with pytest.raises(sync.PermissionsError):            # not held
        m.release()
    with m as entered:
        assert entered is True
        assert in_thread(lambda: m.acquire(False)) == {'value': False}
        assert in_thread(lambda: m.acquire(timeout=0.05)) == {'value': False}
    assert in_thread(lambda: m.acquire(blocking=False) and m.release()) == {'value': None}


def test_release_by_another_thread_is_refused(made):
    m = made(sync.Mutex)
    other = made(sync.Mutex, m.name)
    with m:
        for obj in (m, other):
            e = in_thread(obj.release)['error']
            assert isinstance(e, sync.PermissionsError)
    assert m.acquire(False)
    m.release()


def test_with_releases_on_exception(made):
    m = made(sync.Mutex)
    with pytest.raises(KeyError):
        with m:
            raise KeyError
    assert in_thread(lambda: m.acquire(False) and m.release()) == {'value': None}


def test_thread_exiting_while_holding_is_a_dead_owner(made):
    m = made(sync.Mutex)
    assert in_thread(m.acquire) == {'value': True}        # the thread ends holding it
    with pytest.raises(sync.OwnerDeadError):
        m.acquire(timeout=LONG)
    m.consistent()
    m.release()
    with m:
        pass


def test_waiting_thread_gets_the_lock_on_release(made):
    m = made(sync.Mutex)
    m.acquire()
    got = []
    t = threading.Thread(target=lambda: got.append(m.acquire(timeout=LONG)) or m.release())
    t.start()
    waits.wait_in_syscall(t, 'futex_waitv', limit=LONG)
    m.release()
    t.join(LONG)
    assert got == [True]


def test_close_from_another_thread_ends_a_blocked_acquire(made):
    m = made(sync.Mutex)
    waiter = made(sync.Mutex, m.name)
    m.acquire()
    t, out = start_thread(waiter.acquire)
    waits.wait_in_syscall(t, 'futex_waitv', limit=LONG)
    started = time.monotonic()
    waiter.close()
    assert isinstance(finish(t, out).get('error'), sync.ExistentialError)
    assert time.monotonic() - started < LONG / 2
    m.release()


# ---- signals during a blocked acquire ------------------------------------------------------

SIGNAL_LIMIT = waits.SIGNAL_LIMIT
Alarm = waits.Alarm


@pytest.mark.parametrize('raised', [Alarm, KeyboardInterrupt])
def test_signal_handler_exception_ends_a_blocked_acquire(made, children, alarm, raised):
    m = made(sync.Mutex)
    children(m.name).do('lock')

    def handler(signum, frame):
        raise raised
    alarm(handler)
    started = time.monotonic()
    with pytest.raises(raised):
        m.acquire(timeout=SIGNAL_LIMIT)
    assert time.monotonic() - started < SIGNAL_LIMIT


def test_blocked_acquire_goes_on_after_a_quiet_handler(made, children, alarm):
    m = made(sync.Mutex)
    child = children(m.name)
    child.do('lock')
    seen = []

    def handler(signum, frame):                 # runs during the wait: let the child go
        seen.append(signum)
        child.send('unlock')
    alarm(handler)
    assert m.acquire(timeout=SIGNAL_LIMIT) is True
    assert seen == [signal.SIGALRM] and child.reply() == 'done unlock'
    m.release()


# ---- owner death across processes ---------------------------------------------------------

def test_timeouts_while_another_process_holds(made, children):
    m = made(sync.Mutex)
    child = children(m.name)
    child.do('lock')
    started = time.monotonic()
    assert m.acquire(timeout=0.05) is False
    assert 0.05 <= time.monotonic() - started < LONG / 2
    assert m.acquire(blocking=False) is False
    assert m.acquire(timeout=0) is False
    child.do('unlock')
    assert m.acquire(timeout=LONG) is True
    m.release()


def test_process_killed_holding_the_lock(made, children):
    m = made(sync.Mutex)
    held_by_dead_child(children, m)
    with pytest.raises(sync.OwnerDeadError):
        m.acquire()
    # the lock is held: repair, mark consistent, release
    assert in_thread(lambda: m.acquire(False)) == {'value': False}
    m.consistent()
    with pytest.raises(ValueError):                       # nothing left to mark
        m.consistent()
    m.release()
    for _ in range(2):
        with m:
            pass


def test_owner_death_in_with_raises_before_the_body(made, children):
    m = made(sync.Mutex)
    held_by_dead_child(children, m)
    body = []
    with pytest.raises(sync.OwnerDeadError):
        with m:
            body.append(1)
    assert body == []
    m.consistent()
    m.release()


def test_recover_runs_once_and_marks_consistent(made, children):
    calls = []
    m = made(sync.Mutex, None, recover=lambda: calls.append(1))
    held_by_dead_child(children, m)
    with m:                                               # no OwnerDeadError
        assert calls == [1]
    with m:
        pass
    assert calls == [1]
    held_by_dead_child(children, m)
    assert m.acquire(timeout=LONG) is True and calls == [1, 1]
    m.release()


def test_recover_that_raises_leaves_the_lock_held_inconsistent(made, children):
    def broken():
        raise KeyError('cannot repair')
    m = made(sync.Mutex, None, recover=broken)
    held_by_dead_child(children, m)
    with pytest.raises(KeyError):
        m.acquire()
    assert in_thread(lambda: m.acquire(False)) == {'value': False}   # still held
    m.consistent()                                        # the caller repaired it after all
    m.release()
    with m:
        pass


def test_release_without_consistent_makes_it_unrecoverable(made, children):
    m = made(sync.Mutex)
    held_by_dead_child(children, m)
    with pytest.raises(sync.OwnerDeadError):
        m.acquire()
    m.release()
    for obj in (m, made(sync.Mutex, m.name)):
        for call in (obj.acquire, lambda: obj.acquire(False), obj.__enter__):
            with pytest.raises(sync.NotRecoverableError):
                call()


# ---- conditions across processes -----------------------------------------------------------

def test_wait_times_out_and_needs_the_lock(made):
    m = made(sync.Mutex)
    c = made(sync.Condition, None, m)
    with pytest.raises(sync.PermissionsError):
        c.wait(0)
    with c:
        started = time.monotonic()
        assert c.wait(0.05) is False
        assert time.monotonic() - started >= 0.05
        assert c.wait_for(lambda: 0, 0.05) == 0
        assert c.wait_for(lambda: 'yes') == 'yes'
        assert in_thread(lambda: m.acquire(False)) == {'value': False}   # held again
    assert c.acquire(timeout=1) is True
    c.release()


@pytest.mark.parametrize('how', ['one', 'all'])
def test_notify_wakes_a_waiting_process(made, children, board, how):
    view, shm = board
    m = made(sync.Mutex)
    c = made(sync.Condition, None, m)
    child = children(m.name, c.name, shm)
    child.send('set 1 7 %s' % how)
    with c:
        assert c.wait_for(lambda: word(view, 1) == 7, LONG)
    assert child.reply() == 'done set'


def test_notify_all_wakes_every_waiting_process(made, children, board):
    view, shm = board
    m = made(sync.Mutex)
    c = made(sync.Condition, None, m)
    waiters = [children(m.name, c.name, shm) for _ in range(3)]
    for w in waiters:
        w.send('await 1')
    with c:
        # each waiter counts itself in and waits within one hold of the lock: once all
        # three have, all three wait
        assert c.wait_for(lambda: word(view, 0) == 3, LONG)
        struct.pack_into('<q', view, 8, 1)
        c.notify_all()
    assert [w.reply() for w in waiters] == ['done await'] * 3


def test_notify_with_a_count_and_without_the_lock(made):
    m = made(sync.Mutex)
    c = made(sync.Condition, None, m)
    c.notify()
    c.notify(3)
    c.notify(0)
    c.notify_all()


def test_owner_death_passes_through_wait(made, children):
    m = made(sync.Mutex)
    c = made(sync.Condition, None, m)
    child = children(m.name)

    def kill_once_it_holds():                 # the child locks while this thread waits
        assert child.reply() == 'done lock'
        child.proc.send_signal(signal.SIGKILL)
    with c:
        child.send('lock')
        killer = threading.Thread(target=kill_once_it_holds)
        killer.start()
        with pytest.raises(sync.OwnerDeadError):
            while True:
                c.wait(LONG)
        killer.join(LONG)
        m.consistent()                        # held again: repaired, and `with` releases


def test_close_from_another_thread_ends_a_wait(made):
    m = made(sync.Mutex)
    c = made(sync.Condition, None, m)
    waiter = made(sync.Condition, c.name, m)

    def call():
        with m:
            return waiter.wait()
    t, out = start_thread(call)
    waits.wait_in_syscall(t, 'futex_waitv', limit=LONG)
    waiter.close()
    assert isinstance(finish(t, out).get('error'), sync.ExistentialError)
    assert m.acquire(False)                   # the waiter's `with` released it
    m.release()


# ---- fork ---------------------------------------------------------------------------------

@pytest.mark.parametrize('holder', ['another thread', 'the forking thread'])
def test_fork_while_held(made, holder):
    """The lock is a thread's: in a child forked while a thread of this process holds it,
    that thread still owns it (it lives on, in the parent). The child cannot take it (nor
    release it) and sees no dead owner, until the parent's thread releases it."""
    m = made(sync.Mutex)
    locked, leave = threading.Event(), threading.Event()

    def hold():
        with m:
            locked.set()
            leave.wait(LONG)
    holding = None
    if holder == 'another thread':
        holding = threading.Thread(target=hold)
        holding.start()
        assert locked.wait(LONG)
    else:
        m.acquire()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                              # the child: report, never return into pytest
        code = 1
        try:
            report = 'busy' if m.acquire(timeout=0.05) is False else 'got'
            try:
                m.release()
            except sync.PermissionsError:
                report += ', not its own'
            os.write(write, report.encode() + b'\n')
            code = 0 if m.acquire(timeout=LONG) is True else 2
            m.release()
        finally:
            os._exit(code)
    os.close(write)
    try:
        with os.fdopen(read) as r:
            report = r.readline()
    finally:                                  # the parent's thread releases it
        leave.set()
        if holding:
            holding.join(LONG)
        else:
            m.release()
        status = os.waitpid(pid, 0)[1]
    assert report == 'busy, not its own\n' and status == 0
