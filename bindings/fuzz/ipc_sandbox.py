#!/usr/bin/env python3
"""Runs one command in a private IPC namespace, with a /dev/shm and a /dev/mqueue of its own.

    ipc_sandbox.py --result FILE [--timeout SECONDS] -- COMMAND...

run_fuzz.py starts this under `unshare --ipc --mount` (this makes the mounts private): whatever
COMMAND creates (POSIX or System V) lives in the namespace and disappears with it, also
when COMMAND crashes, and nothing it does reaches the machine's own objects. The
namespace's System V limits are lowered (a segment of at most SHM_MAX bytes) so that a
random size asks for a bounded amount of memory.

FILE gets {"returncode": N (negative: the signal), "timed_out": bool, "pid": N, "leftovers": [...]}:
the IPC objects still present after COMMAND ended (its leaks, when it meant to remove
everything it made). COMMAND past TIMEOUT gets SIGABRT (Python's faulthandler prints
every thread's stack), then SIGKILL."""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

SHM_MAX = 64 << 20           # bytes in one System V segment
SHM_ALL = (256 << 20) >> 12  # pages in all of them
TMPFS_SIZE = '256m'          # POSIX shared memory and semaphores
ABORT_GRACE = 5              # seconds between SIGABRT and SIGKILL
SHM_DEST = 0o1000            # a removed System V segment that is still attached
SETTLE_S = 10                # the longest such a segment may take to go after COMMAND ended


def set_up():
    """The private /dev/shm, /dev/mqueue and limits (the namespace is already ours). The
    mounts are made private first: "/" where it is a mount point, else (a chroot) /dev, so
    that nothing mounted here reaches the machine; where neither can be, it fails."""
    if subprocess.run(['mount', '--make-rprivate', '/'], stderr=subprocess.DEVNULL).returncode != 0:
        subprocess.run(['mount', '--make-rprivate', '/dev'], check=True)
    subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={TMPFS_SIZE},mode=1777', 'pipc-fuzz', '/dev/shm'],
                   check=True)
    # Creating /dev/mqueue would change the machine's /dev: use it only where it exists.
    if os.path.isdir('/dev/mqueue'):
        subprocess.run(['mount', '-t', 'mqueue', 'pipc-fuzz', '/dev/mqueue'], check=True)
    for name, value in (('shmmax', SHM_MAX), ('shmall', SHM_ALL)):
        with open(f'/proc/sys/kernel/{name}', 'w') as f:
            f.write(str(value))


def ipc_objects():
    """Every IPC object of the namespace, one string each."""
    found = []
    for directory in ('/dev/shm', '/dev/mqueue'):
        if os.path.isdir(directory):
            found += [os.path.join(directory, n) for n in sorted(os.listdir(directory))]
    for table in ('sem', 'shm', 'msg'):
        with open(f'/proc/sysvipc/{table}') as f:
            rows = f.read().splitlines()[1:]
        found += [f'sysv {table} key={row.split()[0]} id={row.split()[1]}' for row in rows]
    return found


def settled_objects():
    """ipc_objects() once no removed segment waits for its last detach, or after SETTLE_S.
    A segment COMMAND removed while attached goes when COMMAND's address space is torn
    down, which is not always before wait() returns: a process reading COMMAND's
    /proc/PID/maps or /proc/PID/stat at its exit (libpipc's inventory, ps) holds that
    address space, and the last of them to let go tears it down."""
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        with open('/proc/sysvipc/shm') as f:
            if not any(int(row.split()[2], 8) & SHM_DEST for row in f.read().splitlines()[1:]):
                break
        time.sleep(0.01)
    return ipc_objects()


def run(command, timeout, **popen_args):
    """Runs COMMAND: {"returncode": N, "timed_out": bool, "pid": its process id}."""
    child = subprocess.Popen(command, start_new_session=True, **popen_args)
    timed_out = False
    try:
        child.wait(timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(child.pid, signal.SIGABRT)
        try:
            child.wait(ABORT_GRACE)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    return {'returncode': child.returncode, 'timed_out': timed_out, 'pid': child.pid}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--result', required=True)
    parser.add_argument('--timeout', type=float, default=600)
    parser.add_argument('command', nargs='+')
    args = parser.parse_args()
    set_up()
    result = run(args.command, args.timeout)
    result['leftovers'] = settled_objects()
    with open(args.result, 'w') as f:
        json.dump(result, f)


if __name__ == '__main__':
    sys.exit(main())
