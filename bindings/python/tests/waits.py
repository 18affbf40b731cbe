"""Where a thread of this process is blocked: the tests of both modules wait until a thread
sleeps in libpipc's wait itself (its GIL released) before they act on it.

The tell is the system call the thread sleeps in (/proc/self/task/TID/syscall): libpipc
waits on a POSIX semaphore in futex, and on queues and System V semaphores in ppoll (a
helper thread of libpipc's waits in semtimedop for the latter). A thread that waits for the
GIL sleeps in futex too, but not on a word of a semaphore's mapping, so a semaphore wait is
told by its address. Robust mutexes and condition variables wait in futex_waitv, which
nothing else here uses."""
import os
import platform
import threading
import time

# System call numbers, per machine (Linux).
_SYSCALLS = {
    "x86_64": {"futex": 202, "ppoll": 271, "futex_waitv": 449},
    "aarch64": {"futex": 98, "ppoll": 73, "futex_waitv": 449},
}


def _mapped_ranges(path):
    """The address ranges where this process maps the file PATH (found by device and
    inode: glibc maps a new semaphore under a temporary name)."""
    st = os.stat(path)
    device = "%02x:%02x" % (os.major(st.st_dev), os.minor(st.st_dev))
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 5 and fields[3] == device and fields[4] == str(st.st_ino):
                lo, hi = fields[0].split("-")
                yield int(lo, 16), int(hi, 16)


def sem_path(name):
    """The file glibc maps for the POSIX semaphore NAME."""
    return "/dev/shm/sem." + name.lstrip("/")


def in_syscall(thread, syscall, mapped=None):
    """Whether THREAD sleeps in SYSCALL now (with MAPPED, a path: on an address of this
    process's mapping of it). None when this system cannot tell."""
    number = _SYSCALLS.get(platform.machine(), {}).get(syscall)
    if number is None:
        return None
    try:
        with open("/proc/self/task/%d/syscall" % thread.native_id) as f:
            fields = f.read().split()
    except OSError:
        return None
    if not fields or fields[0] != str(number):
        return False            # running, or in another call
    if mapped is None:
        return True
    address = int(fields[1], 16)
    return any(lo <= address < hi for lo, hi in _mapped_ranges(mapped))


def wait_in_syscall(thread, syscall, mapped=None, limit=10.0):
    """Polls (bounded, not a timing guess) until THREAD sleeps in SYSCALL (see in_syscall);
    returns at once when this system cannot tell."""
    end = time.monotonic() + limit
    while True:
        state = in_syscall(thread, syscall, mapped)
        if state is None or state:
            return
        assert thread.is_alive(), "the thread ended instead of blocking in " + syscall
        assert time.monotonic() < end, "the thread did not block in %s within %s s" % (syscall, limit)
        time.sleep(0.001)


SIGNAL_LIMIT = 3    # seconds a blocked call waits in the signal tests


class Alarm(Exception):
    """What the signal tests' SIGALRM handlers raise."""


def start_thread(fn):
    """Starts FN on a thread: (the thread, a dict that gets what FN returned or raised)."""
    out = {}

    def run():
        try:
            out['value'] = fn()
        except BaseException as e:  # handed to the test
            out['error'] = e
    t = threading.Thread(target=run)
    t.start()
    return t, out


def finish(t, out, limit=20.0):
    """What start_thread's FN returned or raised, once T ended (within LIMIT seconds)."""
    t.join(limit)
    assert not t.is_alive()
    return out
