"""Cross-process tests: pipc.posix_ipc / pipc.sysv_ipc on one side, a C program of libpipc's
C API (tests/peer/pipc_peer.c, path in $PIPC_PEER) on the other. Python creates and the peer
uses, and the other way round. Every object is removed at teardown through the peer, so
cleanup does not depend on the module under test."""
import mmap
import os
import random
import secrets
import signal
import subprocess

import pytest

from pipc import posix_ipc, sysv_ipc

PEER = os.environ.get('PIPC_PEER')
TIMEOUT = 20  # seconds any peer run may take; waits inside the peer are shorter

pytestmark = pytest.mark.skipif(not PEER, reason='PIPC_PEER is not set (run through meson test)')


@pytest.fixture(autouse=True)
def watchdog():
    """A wait that would never end (the peer failed to answer) ends the test instead: the
    alarm's handler raises, and pipc's waits let a handler's exception through."""
    def expired(signo, frame):
        raise TimeoutError('the test did not finish within %d s' % (2 * TIMEOUT))
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, 2 * TIMEOUT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def need(obj, *names):
    """Skips the test when the module under test lacks one of NAMES (still being written)."""
    for name in names:
        if not hasattr(obj, name):
            pytest.skip('%s has no %s yet' % (getattr(obj, '__name__', type(obj).__name__), name))


def peer(*args, check=True):
    """Runs the peer to completion; returns its stdout (bytes)."""
    proc = subprocess.run([PEER] + [str(a) for a in args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=TIMEOUT)
    if check and proc.returncode != 0:
        raise AssertionError('pipc_peer %s: exit %d: %s' % (
            ' '.join(map(str, args)), proc.returncode, proc.stderr.decode(errors='replace')))
    return proc.stdout


class Background:
    """The peer running while the test goes on (it is killed if the test fails)."""

    def __init__(self, *args):
        self.args = args
        self.proc = subprocess.Popen([PEER] + [str(a) for a in args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)

    def finish(self):
        """Waits for the peer; returns its stdout and asserts it succeeded."""
        out, err = self.proc.communicate(timeout=TIMEOUT)
        assert self.proc.returncode == 0, 'pipc_peer %s: exit %d: %s' % (
            ' '.join(map(str, self.args)), self.proc.returncode, err.decode(errors='replace'))
        return out

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


@pytest.fixture
def background():
    started = []

    def start(*args):
        started.append(Background(*args))
        return started[-1]
    yield start
    for b in started:
        b.kill()


@pytest.fixture
def posix_name():
    """Makes fresh names for POSIX objects; unlinks whatever exists under them at teardown."""
    made = []

    def make(kind):
        name = '/pipc_xp_%s' % secrets.token_hex(8)
        made.append((kind, name))
        return name
    yield make
    for kind, name in made:
        peer(kind + '-unlink', name, check=False)


@pytest.fixture
def sysv_key():
    """Registers SysV keys (random ones when not given); removes their objects at teardown."""
    made = []

    def register(kind, key=None):
        if key is None:
            key = random.randint(1, 2**31 - 1)
        made.append((kind, key))
        return key
    yield register
    for kind, key in made:
        peer('sysv-%s-remove' % kind, key, check=False)


def peer_creates_sysv(sysv_key, kind, *args):
    """Has the peer create a SysV object under a random unused key; returns the key."""
    for _ in range(20):
        key = sysv_key(kind)
        proc = subprocess.run([PEER, 'sysv-%s-create' % kind, str(key)] + [str(a) for a in args],
                              stderr=subprocess.PIPE, timeout=TIMEOUT)
        if proc.returncode == 0:
            return key
        assert b'exists' in proc.stderr, proc.stderr
    pytest.fail('no free SysV key found')


def received(line):
    """'PRIORITY TEXT\\n' (or 'TYPE TEXT\\n') from the peer -> (int, bytes)."""
    number, _, text = line.rstrip(b'\n').partition(b' ')
    return int(number), text


# ---- POSIX semaphores -------------------------------------------------------------------

def test_semaphore_python_creates_c_releases(posix_name):
    need(posix_ipc, 'Semaphore')
    name = posix_name('sem')
    sem = posix_ipc.Semaphore(name, posix_ipc.O_CREX, initial_value=0)
    try:
        peer('sem-release', name)
        peer('sem-release', name)
        if getattr(posix_ipc, 'SEMAPHORE_VALUE_SUPPORTED', True):
            assert sem.value == 2
        sem.acquire(5)
        sem.acquire(0)
        with pytest.raises(posix_ipc.BusyError):
            sem.acquire(0)
        assert peer('sem-value', name) == b'0\n'
    finally:
        sem.close()


def test_semaphore_c_waits_python_releases(posix_name, background):
    need(posix_ipc, 'Semaphore')
    name = posix_name('sem')
    sem = posix_ipc.Semaphore(name, posix_ipc.O_CREX, initial_value=0)
    try:
        waiter = background('sem-acquire', name, 10000)
        sem.release()
        waiter.finish()
        assert peer('sem-value', name) == b'0\n'
    finally:
        sem.close()


def test_semaphore_c_creates_python_opens(posix_name, background):
    need(posix_ipc, 'Semaphore')
    name = posix_name('sem')
    peer('sem-create', name, 2)
    sem = posix_ipc.Semaphore(name)
    try:
        assert sem.name == name
        if getattr(posix_ipc, 'SEMAPHORE_VALUE_SUPPORTED', True):
            assert sem.value == 2
        with sem:
            sem.acquire(0)
            with pytest.raises(posix_ipc.BusyError):
                sem.acquire(0)
            releaser = background('sem-release', name)
            sem.acquire(5)  # woken by the peer's release
            releaser.finish()
        assert peer('sem-value', name) == b'1\n'  # the with block released once
        sem.unlink()
        with pytest.raises(posix_ipc.ExistentialError):
            posix_ipc.Semaphore(name)
    finally:
        sem.close()


def test_semaphore_ping_pong(posix_name, background):
    need(posix_ipc, 'Semaphore')
    ping_name, pong_name = posix_name('sem'), posix_name('sem')
    ping = posix_ipc.Semaphore(ping_name, posix_ipc.O_CREX)
    pong = posix_ipc.Semaphore(pong_name, posix_ipc.O_CREX)
    try:
        other = background('sem-pingpong', ping_name, pong_name, 200, 10000)
        for _ in range(200):
            ping.release()
            pong.acquire(10)
        other.finish()
        with pytest.raises(posix_ipc.BusyError):
            pong.acquire(0)
    finally:
        ping.close()
        pong.close()


# ---- POSIX message queues ---------------------------------------------------------------

def test_queue_python_sends_c_receives_by_priority(posix_name):
    need(posix_ipc, 'MessageQueue')
    name = posix_name('mq')
    q = posix_ipc.MessageQueue(name, posix_ipc.O_CREX, max_messages=8, max_message_size=256)
    try:
        q.send(b'low', priority=1)
        q.send('high', priority=9)
        q.send(b'mid', priority=5)
        q.send(b'mid again', priority=5)
        got = [received(peer('mq-receive', name, 0)) for _ in range(4)]
        assert got == [(9, b'high'), (5, b'mid'), (5, b'mid again'), (1, b'low')]
        assert q.current_messages == 0
    finally:
        q.close()


def test_queue_c_creates_python_receives(posix_name, background):
    need(posix_ipc, 'MessageQueue')
    name = posix_name('mq')
    peer('mq-create', name, 4, 128)
    q = posix_ipc.MessageQueue(name)
    try:
        assert (q.max_messages, q.max_message_size) == (4, 128)
        peer('mq-send', name, 3, 'hello from C')
        peer('mq-send', name, 7, 'urgent')
        assert q.current_messages == 2
        assert q.receive(0) == (b'urgent', 7)
        assert q.receive(0) == (b'hello from C', 3)
        sender = background('mq-send', name, 2, 'late')
        assert q.receive(10) == (b'late', 2)  # blocks until the peer sends
        sender.finish()
        q.unlink()
    finally:
        q.close()


def test_queue_c_waits_python_sends(posix_name, background):
    need(posix_ipc, 'MessageQueue')
    name = posix_name('mq')
    q = posix_ipc.MessageQueue(name, posix_ipc.O_CREX, max_messages=2, max_message_size=64)
    try:
        receiver = background('mq-receive', name, 10000)
        q.send(memoryview(b'__from Python__')[2:-2], priority=4)
        assert received(receiver.finish()) == (4, b'from Python')
    finally:
        q.close()


# ---- POSIX shared memory ----------------------------------------------------------------

def test_shared_memory_python_writes_c_reads(posix_name):
    need(posix_ipc, 'SharedMemory')
    name = posix_name('shm')
    shm = posix_ipc.SharedMemory(name, posix_ipc.O_CREX, size=8192)
    try:
        with mmap.mmap(shm.fd, shm.size) as m:
            m[100:116] = b'written by pipc!'
            m[4000:4256] = bytes(range(256))  # across the page boundary
            assert peer('shm-read', name, 100, 16) == b'written by pipc!'
            assert peer('shm-read', name, 4000, 256) == bytes(range(256))
            assert peer('shm-read', name, 8190, 2) == b'\0\0'
    finally:
        shm.close_fd()


def test_shared_memory_c_creates_python_reads(posix_name):
    need(posix_ipc, 'SharedMemory')
    name = posix_name('shm')
    peer('shm-create', name, 12288)
    shm = posix_ipc.SharedMemory(name)
    try:
        assert shm.size == 12288
        peer('shm-write', name, 5000, 'written by C')
        with mmap.mmap(shm.fd, shm.size) as m:
            assert m[5000:5012] == b'written by C'
            peer('shm-write', name, 12286, 'zz')
            assert m[12280:12288] == b'\0' * 6 + b'zz'  # the same pages, seen at once
        shm.unlink()
        with pytest.raises(posix_ipc.ExistentialError):
            posix_ipc.SharedMemory(name)
    finally:
        shm.close_fd()


def test_shared_memory_view_across_processes(posix_name):
    need(posix_ipc, 'SharedMemory')
    name = posix_name('shm')
    peer('shm-create', name, 4096)
    shm = posix_ipc.SharedMemory(name)
    try:
        try:
            view = memoryview(shm)  # pipc's zero-copy view of the whole segment
        except TypeError:
            pytest.skip('pipc.posix_ipc.SharedMemory has no buffer protocol yet')
        with view:
            assert (len(view), view.readonly) == (4096, False)
            view[4000:4016] = b'through the view'
            assert peer('shm-read', name, 4000, 16) == b'through the view'
            peer('shm-write', name, 0, 'and back')
            assert bytes(view[:8]) == b'and back'
    finally:
        shm.close()


# ---- System V semaphores ----------------------------------------------------------------

def test_sysv_semaphore_python_creates_c_releases(sysv_key, background):
    need(sysv_ipc, 'Semaphore')
    sem = sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX, initial_value=0)
    key = sysv_key('sem', sem.key)
    peer('sysv-sem-release', key)
    peer('sysv-sem-release', key)
    assert sem.value == 2
    sem.acquire(0, 2)
    sem.block = False
    with pytest.raises(sysv_ipc.BusyError):
        sem.acquire()
    sem.block = True
    waiter = background('sysv-sem-acquire', key, 10000)
    sem.release()
    waiter.finish()
    assert sem.value == 0
    assert sem.last_pid == waiter.proc.pid
    sem.remove()


def test_sysv_semaphore_c_creates_python_opens(sysv_key, background):
    need(sysv_ipc, 'Semaphore')
    key = peer_creates_sysv(sysv_key, 'sem', 3)
    sem = sysv_ipc.Semaphore(key)
    assert (sem.key, sem.value) == (key, 3)
    sem.acquire(timeout=0, delta=3)
    releaser = background('sysv-sem-release', key)
    sem.acquire(10)
    releaser.finish()
    assert peer('sysv-sem-value', key) == b'0\n'
    sem.remove()
    with pytest.raises(sysv_ipc.ExistentialError):
        sysv_ipc.Semaphore(key)


def test_sysv_semaphore_ping_pong(sysv_key, background):
    need(sysv_ipc, 'Semaphore')
    ping = sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX)
    sysv_key('sem', ping.key)
    pong = sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX)
    sysv_key('sem', pong.key)
    other = background('sysv-sem-pingpong', ping.key, pong.key, 200, 10000)
    for _ in range(200):
        ping.V()
        pong.acquire(10)
    other.finish()
    assert (ping.value, pong.value) == (0, 0)


# ---- System V message queues ------------------------------------------------------------

def test_sysv_queue_python_sends_c_receives_by_type(sysv_key):
    need(sysv_ipc, 'MessageQueue')
    q = sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX)
    key = sysv_key('mq', q.key)
    q.send(b'two', type=2)
    q.send('five', type=5)
    q.send(b'one', type=1)
    q.send(b'five again', True, 5)
    assert received(peer('sysv-mq-receive', key, 5, 0)) == (5, b'five')
    assert received(peer('sysv-mq-receive', key, -4, 0)) == (1, b'one')
    assert received(peer('sysv-mq-receive', key, 0, 0)) == (2, b'two')
    assert received(peer('sysv-mq-receive', key, 0, 0)) == (5, b'five again')
    assert q.current_messages == 0
    q.remove()


def test_sysv_queue_c_creates_python_receives(sysv_key, background):
    need(sysv_ipc, 'MessageQueue')
    key = peer_creates_sysv(sysv_key, 'mq')
    q = sysv_ipc.MessageQueue(key)
    peer('sysv-mq-send', key, 7, 'seven')
    peer('sysv-mq-send', key, 3, 'three')
    assert q.current_messages == 2
    assert q.receive(type=3) == (b'three', 3)
    assert q.receive(False) == (b'seven', 7)
    with pytest.raises(sysv_ipc.BusyError):
        q.receive(False)
    sender = background('sysv-mq-send', key, 4, 'late')
    assert q.receive(True, 4) == (b'late', 4)  # blocks until the peer sends
    sender.finish()
    assert q.last_send_pid == sender.proc.pid
    q.remove()


def test_sysv_queue_c_waits_python_sends(sysv_key, background):
    need(sysv_ipc, 'MessageQueue')
    q = sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX)
    key = sysv_key('mq', q.key)
    receiver = background('sysv-mq-receive', key, 9, 10000)
    q.send(b'not this one', type=8)
    q.send(bytearray(b'for the peer'), type=9)
    assert received(receiver.finish()) == (9, b'for the peer')
    assert q.receive(False) == (b'not this one', 8)
    q.remove()


# ---- System V shared memory -------------------------------------------------------------

def test_sysv_memory_python_writes_c_reads(sysv_key):
    need(sysv_ipc, 'SharedMemory')
    mem = sysv_ipc.SharedMemory(None, sysv_ipc.IPC_CREX, size=8192)
    key = sysv_key('shm', mem.key)
    try:
        mem.write(b'written by pipc', 10)
        mem.write(bytes(range(256)), 4000)  # across the page boundary
        assert peer('sysv-shm-read', key, 10, 15) == b'written by pipc'
        assert peer('sysv-shm-read', key, 4000, 256) == bytes(range(256))
        with memoryview(mem) as view:
            view[8000:8010] = b'0123456789'
        assert peer('sysv-shm-read', key, 8000, 10) == b'0123456789'
    finally:
        mem.detach()
    mem.remove()


def test_sysv_memory_c_creates_python_reads(sysv_key):
    need(sysv_ipc, 'SharedMemory')
    key = peer_creates_sysv(sysv_key, 'shm', 4096)
    mem = sysv_ipc.SharedMemory(key)
    try:
        assert (mem.key, mem.size) == (key, 4096)
        assert mem.read(4) == b'\0\0\0\0'  # the peer made it, so no fill character
        peer('sysv-shm-write', key, 10, 'from C')
        assert mem.read(6, 10) == b'from C'
        with memoryview(mem) as view:
            assert bytes(view[10:16]) == b'from C'
            peer('sysv-shm-write', key, 4090, 'at end')
            assert bytes(view[4090:]) == b'at end'  # the same pages, seen at once
    finally:
        mem.detach()
    mem.remove()
    with pytest.raises(sysv_ipc.ExistentialError):
        sysv_ipc.SharedMemory(key)
