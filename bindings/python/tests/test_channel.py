"""pipc.Channel (pipc.channel): a message channel in shared memory, within a process, across
threads and across processes (children of this interpreter, one of them killed with SIGKILL
while it sends). Every channel has a random name and is unlinked at teardown, also when the
test fails, and /dev/shm is checked clean; no wait is a guess of how long something takes:
limits are generous bounds, and a thread is known to block when it sleeps in the wait's
system call (waits.py)."""
import array
import mmap
import os
import random
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib

import pytest

import pipc
import stubs
import waits
from pipc import channel, posix_ipc

LONG = 20           # seconds: a limit no passing wait comes near
SHORT = 0.05        # seconds: a timeout that is meant to run out
CLASSES = [channel.Channel]


@pytest.fixture
def made():
    """made(*args, **kwargs) opens a Channel and remembers it: at teardown every one is
    closed and every name made is unlinked (and checked gone from /dev/shm)."""
    objects = []

    def make(*args, **kwargs):
        obj = channel.Channel(*args, **kwargs)
        objects.append(obj)
        return obj
    yield make
    names = set()
    for obj in objects:
        names.add(obj.name)
        try:
            obj.close()
        except channel.ExistentialError:        # closed already
            pass
    for name in names:
        try:
            channel.unlink_channel(name)
        except channel.ExistentialError:        # unlinked already
            pass
    for name in names:
        assert not os.path.exists('/dev/shm' + name)


def blocked(thread, ch, limit=LONG):
    """Polls (bounded) until THREAD sleeps in the channel's wait: futex on a word of the
    channel's segment, or futex_waitv. Returns at once when this system cannot tell."""
    path = '/dev/shm' + ch.name
    end = time.monotonic() + limit
    while True:
        on_segment = waits.in_syscall(thread, 'futex', path)
        if on_segment is None or on_segment or waits.in_syscall(thread, 'futex_waitv'):
            return
        assert thread.is_alive(), 'the thread ended instead of blocking'
        assert time.monotonic() < end, 'the thread did not block within %s s' % limit
        time.sleep(0.001)


start_thread = waits.start_thread
finish = waits.finish


# ---- the module ------------------------------------------------------------------------

def test_stub_declares_the_module():
    stubs.assert_stub_names_match(channel, CLASSES)


def test_stub_passes_stubtest(tmp_path):
    stubs.assert_stubtest_passes(channel, CLASSES, tmp_path)


def test_channel_is_pipc_channel():
    from pipc import Channel
    assert Channel is pipc.Channel is channel.Channel
    for name in ('PermissionsError', 'ExistentialError', 'BusyError'):
        assert issubclass(getattr(channel, name), channel.Error)
    assert channel.O_CREX == channel.O_CREAT | channel.O_EXCL == posix_ipc.O_CREX


# ---- opening, names, attributes, bad input -------------------------------------------------

def test_random_name_creates_with_its_attributes(made):
    ch = made()
    assert ch.created and ch.name.startswith('/') and repr(ch) == "pipc.Channel('%s')" % ch.name
    assert os.path.exists('/dev/shm' + ch.name)
    assert (ch.slots, ch.max_message_size, ch.messages, ch.spin) == (64, 1024, 0, 0)
    other = made(ch.name, slots=8, max_message_size=16)     # an existing channel keeps its own
    assert not other.created and other.name == ch.name
    assert (other.slots, other.max_message_size) == (64, 1024)
    ch.send(b'x')
    assert other.messages == ch.messages == 1


def test_given_sizes_and_names(made):
    ch = made(None, slots=1, max_message_size=1)
    assert (ch.slots, ch.max_message_size) == (1, 1)
    name = ch.name + 'b'
    assert made(name.encode(), channel.O_CREAT, 0o640, 1024, 4096).created
    again = made(name.lstrip('/'), channel.O_CREAT)               # the leading / is added
    assert not again.created and again.name == name.lstrip('/')
    assert (again.slots, again.max_message_size) == (1024, 4096)
    assert os.stat('/dev/shm' + name).st_mode & 0o777 == 0o640


def test_flags_and_unlink(made):
    ch = made()
    with pytest.raises(channel.ExistentialError):
        channel.Channel(ch.name, channel.O_CREX)
    name = ch.name + 'x'
    with pytest.raises(channel.ExistentialError):
        channel.Channel(name)
    with pytest.raises(ValueError):
        channel.Channel(name, channel.O_EXCL)
    assert made(name, channel.O_CREAT).created
    channel.unlink_channel(name)
    assert not os.path.exists('/dev/shm' + name)
    with pytest.raises(channel.ExistentialError):
        channel.unlink_channel(name)
    ch.unlink()
    assert not os.path.exists('/dev/shm' + ch.name)
    ch.send(b'still open')                                 # unlink never closes
    assert ch.receive() == b'still open'
    with pytest.raises(channel.ExistentialError):
        ch.unlink()


@pytest.mark.parametrize('call, error', [
    (lambda: channel.Channel(5), TypeError),
    (lambda: channel.Channel('/a\0b'), ValueError),
    (lambda: channel.Channel('/a/b', channel.O_CREAT), ValueError),
    (lambda: channel.Channel(None, 'x'), TypeError),
    (lambda: channel.Channel(None, mode=None), TypeError),
    (lambda: channel.Channel(None, slots=3), ValueError),
    (lambda: channel.Channel(None, slots=0), ValueError),
    (lambda: channel.Channel(None, slots=131072), ValueError),
    (lambda: channel.Channel(None, slots=2.0), TypeError),
    (lambda: channel.Channel(None, max_message_size=0), ValueError),
    (lambda: channel.Channel(None, max_message_size=16 * 1024 * 1024 + 1), ValueError),
    (lambda: channel.Channel(None, colour=1), TypeError),
    (lambda: channel.Channel(None, 0, 0o600, 64, 1024, 1), TypeError),
    (lambda: channel.unlink_channel(None), TypeError),
    (lambda: channel.unlink_channel(3), TypeError),
])
def test_bad_arguments(call, error):
    before = set(os.listdir('/dev/shm'))
    with pytest.raises(error):
        call()
    assert set(os.listdir('/dev/shm')) - before == set()


def test_bad_call_arguments(made):
    ch = made()
    for bad, error in (('1', TypeError), (-1, ValueError), (-0.5, ValueError),
                       (-10 ** 30, ValueError), (float('nan'), ValueError), (1j, TypeError)):
        for call in (lambda: ch.send(b'x', bad), lambda: ch.receive(bad),
                     lambda: ch.receive_into(bytearray(8), timeout=bad)):
            with pytest.raises(error):
                call()
    assert ch.messages == 0
    for call in (lambda: ch.send('text'), lambda: ch.send(5), lambda: ch.send(),
                 lambda: ch.send(b'x', 1, 2), lambda: ch.send(b'x', colour=1),
                 lambda: ch.send(b'x', data=b'y'), lambda: ch.receive(1, 2),
                 lambda: ch.receive(colour=1), lambda: ch.receive_into(b'read-only'),
                 lambda: ch.receive_into(), lambda: ch.receive_into(memoryview(b'ro'))):
        with pytest.raises(TypeError):
            call()
    assert ch.messages == 0


def test_keyword_arguments(made):
    ch = made()
    ch.send(data=b'a', timeout=1)
    ch.send(b'b', timeout=None)
    ch.send(b'c', 0)
    assert ch.receive(timeout=1) == b'a'
    assert ch.receive(None) == b'b'
    buf = bytearray(4)
    assert ch.receive_into(buffer=buf, timeout=0) == 1 and buf[:1] == b'c'


def test_read_only_attributes(made):
    ch = made()
    for attr in ('name', 'created', 'slots', 'max_message_size', 'messages'):
        with pytest.raises(AttributeError):
            setattr(ch, attr, 1)
    with pytest.raises(AttributeError):
        ch.colour = 1
    with pytest.raises(AttributeError):
        del ch.spin


def test_spin(made):
    ch = made()
    ch.spin = 1000
    assert ch.spin == 1000
    ch.spin = 1000000
    assert ch.spin == 1000000
    for bad, error in ((-1, ValueError), (1000001, ValueError), ('5', TypeError),
                       (1.5, TypeError)):
        with pytest.raises(error):
            ch.spin = bad
    assert ch.spin == 1000000
    ch.send(b'spun')                                    # a spinning handle works as any
    assert ch.receive() == b'spun'
    ch.spin = 0
    assert ch.spin == 0


@pytest.fixture
def foreign():
    """foreign(data): a POSIX shared memory object that is no channel, holding DATA; its
    name. Unlinked at teardown."""
    made = []

    def make(data):
        shm = posix_ipc.SharedMemory(None, posix_ipc.O_CREX, size=len(data))
        made.append(shm)
        with mmap.mmap(shm.fd, len(data)) as view:
            view[:] = data
        shm.close_fd()
        return shm.name
    yield make
    for shm in made:
        shm.unlink()


def test_an_object_of_another_layout_is_refused_untouched(foreign):
    data = b'\xff' * 4096
    name = foreign(data)
    with pytest.raises(ValueError, match='layout'):
        channel.Channel(name)
    with open('/dev/shm' + name, 'rb') as f:
        assert f.read() == data


def test_an_unfinished_channel_is_waited_for_without_the_gil(foreign):
    """Opening a channel whose creator never finished it (zeros: a creator that died
    early) waits a while, then raises BusyError; meanwhile other threads run."""
    name = foreign(bytes(4096))
    t, out = start_thread(lambda: channel.Channel(name))
    ticks = 0
    while t.is_alive():                     # this thread runs while the open waits
        ticks += 1
        time.sleep(0.01)
    assert isinstance(finish(t, out).get('error'), channel.BusyError)
    assert ticks > 10


# ---- closing --------------------------------------------------------------------------

def test_closed_channel_raises(made):
    ch = made()
    name = ch.name
    ch.close()
    for call in (ch.close, ch.unlink, lambda: ch.send(b'x'), ch.receive,
                 lambda: ch.receive(0), lambda: ch.receive_into(bytearray(1)),
                 lambda: ch.messages, lambda: ch.spin, ch.__enter__,
                 lambda: setattr(ch, 'spin', 5)):
        with pytest.raises(channel.ExistentialError):
            call()
    assert (ch.name, ch.created, ch.slots, ch.max_message_size) == (name, True, 64, 1024)
    ch.__exit__(None, None, None)                       # closing what is closed: quiet


def test_with_closes_and_returns_the_channel(made):
    ch = made()
    with ch as entered:
        assert entered is ch
        ch.send(b'in with')
    with pytest.raises(channel.ExistentialError):
        ch.receive(0)
    with pytest.raises(KeyError):
        with made(ch.name) as other:
            assert other.receive(0) == b'in with'
            raise KeyError
    with pytest.raises(channel.ExistentialError):
        other.send(b'x')
    with made(ch.name) as third:
        third.close()                                   # closed inside: __exit__ is quiet


def test_uninitialised_object_reads_as_closed(made):
    ch = channel.Channel.__new__(channel.Channel)
    for call in (ch.close, lambda: ch.send(b'x'), ch.receive,
                 lambda: ch.receive_into(bytearray(1)), ch.__enter__):
        with pytest.raises(channel.ExistentialError):
            call()
    ch = made()
    with pytest.raises(RuntimeError):
        ch.__init__()


# ---- sending and receiving in one process ------------------------------------------------

def test_send_receive_in_order(made):
    ch = made(None, slots=16, max_message_size=64)
    messages = [b'', b'a', bytes(range(64)), b'\0' * 7] + [b'%d' % i for i in range(12)]
    for m in messages:
        ch.send(m)
    assert ch.messages == 16
    assert [ch.receive() for _ in messages] == messages
    assert ch.messages == 0
    for _ in range(3):                                  # around the ring, many times
        for i in range(100):
            ch.send(b'%d' % i)
            assert ch.receive(0) == b'%d' % i


def test_bytes_like_input(made):
    ch = made(None, slots=8, max_message_size=64)
    inputs = [bytearray(b'bytearray'), memoryview(b'0123456789')[2:5],
              array.array('i', [1, 2, 3]), b'bytes']
    for data in inputs:
        ch.send(data)
    assert [ch.receive() for _ in inputs] == [bytes(d) for d in inputs]
    with pytest.raises((TypeError, BufferError)):       # not contiguous
        ch.send(memoryview(b'0123456789')[::2])


def test_large_messages(made):
    size = 1024 * 1024
    ch = made(None, slots=2, max_message_size=size)
    big = os.urandom(size)
    ch.send(big)
    ch.send(big[:size // 2 + 1])
    assert ch.receive() == big
    assert ch.receive() == big[:size // 2 + 1]
    ch.send(b'small')                                   # after a large one, a small one
    assert ch.receive() == b'small'


def test_full_channel(made):
    ch = made(None, slots=4, max_message_size=8)
    for i in range(4):
        ch.send(b'%d' % i, 0)
    assert ch.messages == 4
    for timeout in (0, 0.0):
        started = time.monotonic()
        with pytest.raises(channel.BusyError):
            ch.send(b'x', timeout)
        assert time.monotonic() - started < LONG / 2
    started = time.monotonic()
    with pytest.raises(channel.BusyError):
        ch.send(b'x', SHORT)
    assert SHORT <= time.monotonic() - started < LONG / 2
    assert ch.messages == 4
    assert [ch.receive(0) for _ in range(4)] == [b'0', b'1', b'2', b'3']
    ch.send(b'room', 0)
    assert ch.receive(0) == b'room'


def test_empty_channel(made):
    ch = made()
    buf = bytearray(8)
    for call in (lambda t: ch.receive(t), lambda t: ch.receive_into(buf, t)):
        started = time.monotonic()
        with pytest.raises(channel.BusyError):
            call(0)
        assert time.monotonic() - started < LONG / 2
        started = time.monotonic()
        with pytest.raises(channel.BusyError):
            call(SHORT)
        assert SHORT <= time.monotonic() - started < LONG / 2
    assert buf == bytearray(8)


def test_message_too_long_both_ways(made):
    ch = made(None, slots=4, max_message_size=16)
    with pytest.raises(ValueError, match='max_message_size'):
        ch.send(b'x' * 17)
    with pytest.raises(ValueError):
        ch.send(bytearray(17), 0)
    assert ch.messages == 0
    ch.send(b'y' * 16)
    ch.send(b'z')
    small = bytearray(15)
    with pytest.raises(ValueError, match='16 bytes'):
        ch.receive_into(small)
    with pytest.raises(ValueError):
        ch.receive_into(small, 0)
    assert small == bytearray(15) and ch.messages == 2   # it stays, first in line
    assert ch.receive_into(memoryview(bytearray(16))) == 16
    buf = bytearray(16)
    assert ch.receive_into(buf) == 1 and buf[:1] == b'z'


def test_receive_into_buffers(made, tmp_path):
    ch = made(None, slots=8, max_message_size=32)
    ch.send(b'hello')
    ba = bytearray(b'.' * 10)
    assert ch.receive_into(ba) == 5 and ba == b'hello.....'
    ch.send(b'world')
    backing = bytearray(b'_' * 12)
    assert ch.receive_into(memoryview(backing)[4:]) == 5 and backing == b'____world___'
    ch.send(b'')
    assert ch.receive_into(bytearray(1)) == 0
    ch.send(b'mapped')
    with mmap.mmap(-1, 64) as m:
        assert ch.receive_into(m) == 6 and m[:6] == b'mapped'
    ch.send(b'\x01\x00\x00\x00\x02\x00\x00\x00')
    ints = array.array('i', [0, 0])
    assert ch.receive_into(ints) == 8 and list(ints) == [1, 2]


def test_threads_share_a_channel(made):
    """Four producer threads and three consumers on handles of their own and a shared one:
    every message arrives once, in order per producer."""
    ch = made(None, slots=8, max_message_size=16)
    producers, count = 4, 2000
    handles = [made(ch.name) for _ in range(3)]
    got = [[] for _ in range(3)]

    def produce(p):
        for i in range(count):
            ch.send(struct.pack('<II', p, i), LONG)

    def consume(k):
        h = handles[k]
        while True:
            m = h.receive(LONG)
            if m == b'end':
                return
            got[k].append(struct.unpack('<II', m))
    consumers = [threading.Thread(target=consume, args=(k,)) for k in range(3)]
    senders = [threading.Thread(target=produce, args=(p,)) for p in range(producers)]
    for t in consumers + senders:
        t.start()
    for t in senders:
        t.join(LONG * 3)
    for _ in consumers:
        ch.send(b'end', LONG)
    for t in consumers:
        t.join(LONG)
    assert not any(t.is_alive() for t in consumers + senders)
    every = sorted(m for g in got for m in g)
    assert every == [(p, i) for p in range(producers) for i in range(count)]
    for g in got:                                       # each consumer sees them in order
        for p in range(producers):
            seq = [i for q, i in g if q == p]
            assert seq == sorted(seq)


# ---- waiting: threads, close, signals --------------------------------------------------------

def test_blocked_receive_is_woken_by_a_send_of_another_thread(made):
    """The GIL is released while receive() waits (else the send could not run)."""
    ch = made()
    t, out = start_thread(lambda: ch.receive(LONG))
    blocked(t, ch)
    ch.send(b'wake')
    assert finish(t, out) == {'value': b'wake'}


def test_blocked_send_is_woken_by_a_receive_of_another_thread(made):
    ch = made(None, slots=1)
    ch.send(b'first')
    t, out = start_thread(lambda: ch.send(b'second', LONG))
    blocked(t, ch)
    assert ch.receive(0) == b'first'
    assert finish(t, out) == {'value': None}
    assert ch.receive(0) == b'second'


def test_blocked_receive_into_is_woken(made):
    ch = made()
    buf = bytearray(8)
    t, out = start_thread(lambda: ch.receive_into(buf, LONG))
    blocked(t, ch)
    ch.send(b'into')
    assert finish(t, out) == {'value': 4} and buf[:4] == b'into'


@pytest.mark.parametrize('call', ['receive', 'receive_into', 'send'])
def test_close_from_another_thread_ends_a_blocked_call(made, call):
    ch = made(None, slots=1)
    waiter = made(ch.name)
    if call == 'send':
        ch.send(b'full')
    fn = {'receive': lambda: waiter.receive(),
          'receive_into': lambda: waiter.receive_into(bytearray(8)),
          'send': lambda: waiter.send(b'more')}[call]
    t, out = start_thread(fn)
    blocked(t, waiter)
    started = time.monotonic()
    waiter.close()
    assert isinstance(finish(t, out).get('error'), channel.ExistentialError)
    assert time.monotonic() - started < LONG / 2
    assert ch.messages == (1 if call == 'send' else 0)   # the channel is unchanged
    if call == 'send':
        assert ch.receive(0) == b'full'
    ch.send(b'ok', 0)
    assert ch.receive(0) == b'ok'


SIGNAL_LIMIT = waits.SIGNAL_LIMIT
Alarm = waits.Alarm


@pytest.mark.parametrize('raised', [Alarm, KeyboardInterrupt])
@pytest.mark.parametrize('call', ['receive', 'receive_into', 'send'])
def test_signal_handler_exception_ends_a_blocked_call(made, alarm, raised, call):
    ch = made(None, slots=1)
    if call == 'send':
        ch.send(b'full')
    fn = {'receive': lambda: ch.receive(SIGNAL_LIMIT),
          'receive_into': lambda: ch.receive_into(bytearray(8), SIGNAL_LIMIT),
          'send': lambda: ch.send(b'more', SIGNAL_LIMIT)}[call]

    def handler(signum, frame):
        raise raised
    alarm(handler)
    started = time.monotonic()
    with pytest.raises(raised):
        fn()
    assert time.monotonic() - started < SIGNAL_LIMIT
    assert ch.messages == (1 if call == 'send' else 0)


def test_blocked_receive_goes_on_after_a_quiet_handler(made, alarm):
    ch = made()
    other = made(ch.name)
    seen = []

    def handler(signum, frame):                 # runs during the wait: send it a message
        seen.append(signum)
        other.send(b'from the handler')
    alarm(handler)
    assert ch.receive(LONG) == b'from the handler'
    assert seen == [signal.SIGALRM]


def test_timeout_goes_on_after_a_quiet_handler(made, alarm):
    """A quiet handler neither ends the wait early nor stretches it."""
    ch = made()
    alarm(lambda signum, frame: None)
    started = time.monotonic()
    with pytest.raises(channel.BusyError):
        ch.receive(0.3)
    assert 0.3 <= time.monotonic() - started < LONG / 2


# ---- processes --------------------------------------------------------------------------

# The messages the tests exchange across processes: message I of SIZE bytes is (I, crc32
# of the rest) and a filler that depends on I (251 fillers, made once, so that a producer
# spends its time in send(), where a kill is meant to land).
MESSAGE = r"""
_fillers = {}

def message(i, size=64):
    if size not in _fillers:
        _fillers[size] = [(f, zlib.crc32(f)) for f in
                          (bytes((j * 7 + k) & 0xFF for k in range(size - 8)) for j in range(251))]
    filler, crc = _fillers[size][i % 251]
    return struct.pack("<II", i, crc) + filler
"""
exec(MESSAGE)     # message(i, size=64), here as in the children

# A child process: opens the channel by name and produces or consumes COUNT messages
# (-1: without end) of SIZE bytes (default 64), message(i) being the i-th.
CHILD = r"""
import os, struct, sys, zlib
from pipc import Channel
name, role, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = int(sys.argv[4]) if len(sys.argv) > 4 else 64
ch = Channel(name)
""" + MESSAGE + r"""
print("ready", flush=True)
if role == "produce":
    i = 0
    while count < 0 or i < count:
        ch.send(message(i, size), 20)
        i += 1
    print("sent %d" % i, flush=True)
else:
    for i in range(count):
        m = ch.receive(20)
        if m != message(i, size):
            print("bad %d" % i, flush=True)
            sys.exit(1)
    print("received %d" % count, flush=True)
ch.close()
"""


def check(m):
    """The sequence number of a valid message M, else an AssertionError."""
    i, crc = struct.unpack_from('<II', m)
    assert zlib.crc32(m[8:]) == crc and m == message(i, len(m)), 'a torn message'
    return i


@pytest.fixture
def children():
    started = []

    def start(*args):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        proc = subprocess.Popen([sys.executable, '-c', CHILD] + [str(a) for a in args],
                                env=env, stdout=subprocess.PIPE, text=True)
        started.append(proc)
        assert proc.stdout.readline() == 'ready\n'
        return proc
    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(LONG)
        proc.stdout.close()


def test_another_process_sends_10000_in_order(made, children):
    ch = made(None, slots=64, max_message_size=64)
    child = children(ch.name, 'produce', 10000)
    for i in range(10000):
        assert ch.receive(LONG) == message(i)
    assert child.stdout.readline() == 'sent 10000\n'
    assert child.wait(LONG) == 0
    assert ch.messages == 0


def test_another_process_receives_10000_in_order(made, children):
    ch = made(None, slots=64, max_message_size=64)
    child = children(ch.name, 'consume', 10000)
    buf = bytearray(64)
    for i in range(10000):
        buf[:] = message(i)
        ch.send(buf, LONG)
    assert child.stdout.readline() == 'received 10000\n'
    assert child.wait(LONG) == 0


@pytest.mark.parametrize('round_', range(4))
def test_producer_killed_while_sending(made, children, round_):
    """A producer process killed with SIGKILL at a random point of its sending, while this
    process keeps receiving: what arrives is whole, in order and never twice, and the
    channel goes on working for the survivors and for a new producer."""
    size = 4096                         # long copies: a kill lands in one now and then
    ch = made(None, slots=8, max_message_size=size)
    producer = children(ch.name, 'produce', -1, size)
    kill_after = random.randrange(1, 2000)
    expected = 0
    while expected < kill_after:
        assert check(ch.receive(LONG)) == expected
        expected += 1
    producer.send_signal(signal.SIGKILL)        # it is sending as fast as it can
    # receive on while it dies, until the channel has been empty a while after its death
    while True:
        try:
            m = ch.receive(0.2)
        except channel.BusyError:
            if producer.poll() is not None:
                break
            continue
        assert check(m) == expected
        expected += 1
    assert producer.wait(LONG) == -signal.SIGKILL
    # the survivors go on: this process, and a new producer
    ch.send(b'after', 0)
    assert ch.receive(LONG) == b'after'
    again = children(ch.name, 'produce', 300, size)
    for i in range(300):
        assert ch.receive(LONG) == message(i, size)
    assert again.stdout.readline() == 'sent 300\n'
    with pytest.raises(channel.BusyError):
        ch.receive(0)
    assert ch.messages == 0


def test_consumer_killed_while_receiving(made, children):
    """A consumer killed with SIGKILL while it receives: the producer and a new consumer
    go on, and a message is delivered at most once."""
    ch = made(None, slots=8, max_message_size=64)
    consumer = children(ch.name, 'consume', 10 ** 9)
    sent = random.randrange(50, 2000)
    for i in range(sent):
        ch.send(message(i), LONG)
    consumer.send_signal(signal.SIGKILL)
    assert consumer.wait(LONG) == -signal.SIGKILL
    rest = []
    while True:
        try:
            rest.append(check(ch.receive(0)))
        except channel.BusyError:
            break
    # the tail of what was sent, in order; the message the consumer held when it died
    # may be missing (skipped) or there (given back), never torn
    assert rest == list(range(rest[0], sent)) if rest else True
    for i in range(100):
        ch.send(b'%d' % i, LONG)
        assert ch.receive(LONG) == b'%d' % i


def test_forked_child_uses_the_handles(made):
    there, back = made(), made()
    pid = os.fork()
    if pid == 0:                                # the child: never returns into pytest
        code = 1
        try:
            there.send(b'from the child', LONG)
            code = 0 if back.receive(LONG) == b'from the parent' else 2
        finally:
            os._exit(code)
    try:
        assert there.receive(LONG) == b'from the child'
        back.send(b'from the parent')
    finally:
        assert os.waitpid(pid, 0)[1] == 0
