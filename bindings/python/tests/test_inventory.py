"""pipc.inventory: the objects of the six kinds made here appear with their fields, libpipc's
own mutexes, conditions and channels as shared memory that says which, kinds filter, this process and a child appear as holders, sysv_exists, and bad arguments raise.

Every object is made with a random name or key (posix_ipc/sysv_ipc pick one) and removed
at teardown (the `made` fixture), also on failure. Synchronisation with the child is a
pipe: it says "ready" once it holds the segment, and exits when its stdin closes."""
import dataclasses
import mmap
import os
import subprocess
import sys
import time

import pytest

import stubs
from pipc import _inventory, channel, inventory, posix_ipc, sync, sysv_ipc

WAIT = 30  # seconds: the bound on the child's answer


@pytest.fixture
def made():
    """Tracks the objects a test makes; unlinks or removes each at teardown."""
    objects = []
    yield objects
    for obj in reversed(objects):
        for step in ('detach', 'unlink', 'remove', 'close_fd', 'close'):  # unlink needs it open
            try:
                getattr(obj, step, lambda: None)()
            except (posix_ipc.Error, sysv_ipc.Error, OSError):
                pass


def posix(made, cls, **kw):
    made.append(cls(None, posix_ipc.O_CREX, **kw))
    return made[-1]


def sysv(made, cls, **kw):
    made.append(cls(None, sysv_ipc.IPC_CREX, **kw))
    return made[-1]


def find(objects, kind, name=None, key=None):
    found = [o for o in objects if o.kind == kind and (name is None or o.name == name)
             and (key is None or o.key == key)]
    assert len(found) == 1, (kind, name, key, found)
    return found[0]


def test_each_kind_appears_with_its_fields(made):
    before = time.time()
    sem = posix(made, posix_ipc.Semaphore, mode=0o640, initial_value=3)
    shm = posix(made, posix_ipc.SharedMemory, mode=0o600, size=4096)
    mq = posix(made, posix_ipc.MessageQueue, mode=0o600, max_messages=4, max_message_size=64)
    mq.send(b'hello')
    ssem = sysv(made, sysv_ipc.Semaphore, mode=0o600, initial_value=2)
    sshm = sysv(made, sysv_ipc.SharedMemory, mode=0o644, size=8192)
    smq = sysv(made, sysv_ipc.MessageQueue, mode=0o600)
    smq.send(b'12345', type=7)
    objects = inventory.objects()
    assert isinstance(objects, list) and objects.unseen == 0

    o = find(objects, 'sem', name=sem.name)
    assert (o.mode, o.value, o.semaphores, o.key, o.id, o.uid) == (0o640, 3, 1, None, None, os.geteuid())
    assert o.device is not None and o.inode is not None
    o = find(objects, 'shm', name=shm.name)
    assert (o.mode, o.size, o.semaphores, o.value, o.messages) == (0o600, 4096, 0, None, None)
    assert o.modified is not None and o.modified >= before - 1
    o = find(objects, 'mq', name=mq.name)
    assert (o.mode, o.messages, o.size, o.max_messages, o.max_message_size) == (0o600, 1, 5, 4, 64)
    assert o.max_bytes is None

    o = find(objects, 'sysv_sem', key=ssem.key)
    assert (o.id, o.mode, o.value, o.semaphores, o.name) == (ssem.id, 0o600, 2, 1, None)
    assert (o.cuid, o.cgid) == (os.geteuid(), os.getegid())
    o = find(objects, 'sysv_shm', key=sshm.key)
    assert (o.id, o.mode, o.size, o.attaches, o.creator_pid) == (sshm.id, 0o644, 8192, 1, os.getpid())
    assert o.removed is False and o.changed is not None and o.changed >= int(before) - 1
    o = find(objects, 'sysv_mq', key=smq.key)
    assert (o.id, o.messages, o.size, o.max_bytes, o.last_pid) == (smq.id, 1, 5, smq.max_size, os.getpid())
    assert o.max_messages is None
    # without holders asked for, none are known
    assert all(o.holders is None and o.holder_count is None for o in objects)


def test_libpipc_objects_are_shared_memory_that_says_which(made):
    mutex = sync.Mutex(None, sync.O_CREX)
    made.append(mutex)
    made.append(sync.Condition(None, mutex, sync.O_CREX))
    cond = made[-1]
    made.append(channel.Channel(None, channel.O_CREX, slots=16, max_message_size=64))
    ch = made[-1]
    for message in (b'one', b'two', b'three'):
        ch.send(message)
    plain = posix(made, posix_ipc.SharedMemory, size=4096)
    objects = inventory.objects('shm')
    fields = ('kind', 'libpipc_type', 'messages', 'max_messages', 'max_message_size')
    expected = {mutex.name: ('shm', 'mutex', None, None, None), cond.name: ('shm', 'cond', None, None, None),
                ch.name: ('shm', 'channel', 3, 16, 64), plain.name: ('shm', None, None, None, None)}
    for name, values in expected.items():
        o = find(objects, 'shm', name=name)
        assert tuple(getattr(o, f) for f in fields) == values, name


def test_objects_are_frozen_dataclasses_in_kind_order(made):
    posix(made, posix_ipc.Semaphore)
    sysv(made, sysv_ipc.Semaphore)
    objects = inventory.objects()
    assert [f.name for f in dataclasses.fields(inventory.Object)] == list(_inventory.OBJECT_FIELDS) + ['holders']
    assert [f.name for f in dataclasses.fields(inventory.Holder)] == list(_inventory.HOLDER_FIELDS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        objects[0].mode = 0
    order = [inventory.KINDS.index(o.kind) for o in objects]
    assert order == sorted(order)
    assert inventory.KINDS == ('sem', 'shm', 'mq', 'sysv_sem', 'sysv_shm', 'sysv_mq')


def test_kinds_filter(made):
    sem = posix(made, posix_ipc.Semaphore)
    shm = posix(made, posix_ipc.SharedMemory, size=1)
    ssem = sysv(made, sysv_ipc.Semaphore)
    only = inventory.objects('sem')
    assert {o.kind for o in only} == {'sem'} and sem.name in {o.name for o in only}
    two = inventory.objects(['sem', 'shm'])
    assert {o.kind for o in two} <= {'sem', 'shm'}
    assert {sem.name, shm.name} <= {o.name for o in two}
    system_v = inventory.objects(kinds=('sysv',))
    assert {o.kind for o in system_v} <= {'sysv_sem', 'sysv_shm', 'sysv_mq'}
    assert ssem.key in {o.key for o in system_v}
    assert {o.kind for o in inventory.objects('posix')} <= {'sem', 'shm', 'mq'}


def test_this_process_holds_a_mapping_and_an_attachment(made):
    shm = posix(made, posix_ipc.SharedMemory, size=4096)
    mapping = mmap.mmap(shm.fd, 4096)
    sshm = sysv(made, sysv_ipc.SharedMemory, size=4096)   # attached by the constructor
    try:
        objects = inventory.objects(['shm', 'sysv_shm'], holders=True)
        assert isinstance(objects.unseen, int) and objects.unseen >= 0
        o = find(objects, 'shm', name=shm.name)
        me = [h for h in o.holders if h.pid == os.getpid()]
        assert len(me) == 1 and me[0].how >= {'fd', 'map'}
        assert me[0].uid == os.getuid() and 'python' in me[0].command
        assert o.holder_count == len(o.holders)
        o = find(objects, 'sysv_shm', key=sshm.key)
        me = [h for h in o.holders if h.pid == os.getpid()]
        assert len(me) == 1 and 'attach' in me[0].how and isinstance(me[0].how, frozenset)
    finally:
        mapping.close()


CHILD = """
import mmap, sys
from pipc import posix_ipc
shm = posix_ipc.SharedMemory(sys.argv[1])
m = mmap.mmap(shm.fd, shm.size)
shm.close_fd()
print('ready', flush=True)
sys.stdin.read()
"""


def test_a_child_process_appears_as_holder(made):
    shm = posix(made, posix_ipc.SharedMemory, size=4096)
    child = subprocess.Popen([sys.executable, '-c', CHILD, shm.name], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    try:
        assert child.stdout.readline() == b'ready\n'
        o = find(inventory.objects('shm', holders=True), 'shm', name=shm.name)
        theirs = [h for h in o.holders if h.pid == child.pid]
        assert len(theirs) == 1 and 'map' in theirs[0].how   # (mmap keeps a dup of the fd)
    finally:
        child.stdin.close()
        child.wait(WAIT)


def test_sysv_exists(made):
    ssem = sysv(made, sysv_ipc.Semaphore)
    smq = sysv(made, sysv_ipc.MessageQueue)
    assert inventory.sysv_exists(ssem.key, 'sysv_sem') is True
    assert inventory.sysv_exists(smq.key, 'sysv_mq') is True
    assert inventory.sysv_exists(ssem.key, 'sysv_shm') is False
    ssem.remove()
    assert inventory.sysv_exists(ssem.key, 'sysv_sem') is False


@pytest.mark.parametrize('call, error', [
    (lambda: inventory.objects('nope'), ValueError),
    (lambda: inventory.objects([]), ValueError),
    (lambda: inventory.objects(['sem', 3]), TypeError),
    (lambda: inventory.objects(3), TypeError),
    (lambda: inventory.sysv_exists(1234, 'sem'), ValueError),        # not a System V kind
    (lambda: inventory.sysv_exists(1234, 'sysv'), ValueError),       # several kinds
    (lambda: inventory.sysv_exists(2**40, 'sysv_sem'), ValueError),  # out of key_t
    (lambda: inventory.sysv_exists('1234', 'sysv_sem'), TypeError),
])
def test_bad_arguments_raise(call, error):
    with pytest.raises(error):
        call()


def test_errors_are_the_package_classes():
    assert issubclass(inventory.PermissionsError, inventory.Error)
    assert inventory.Error.__module__ == 'pipc.inventory'


def test_stub_of_the_lowlevel_module(tmp_path):
    stubs.assert_stub_names_match(_inventory, [])
    stubs.assert_stubtest_passes(_inventory, [], tmp_path)


def test_module_type_checks():
    """pipc.inventory is typed inline (no .pyi): mypy --strict finds nothing in it."""
    pytest.importorskip('mypy')
    package = os.path.join(os.path.dirname(__file__), '..', 'pipc')
    out = subprocess.run([sys.executable, '-m', 'mypy', '--strict', '--cache-dir', os.devnull,
                          os.path.join(package, 'inventory.py'), os.path.join(package, '_inventory.pyi')],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert out.returncode == 0, out.stdout.decode()
