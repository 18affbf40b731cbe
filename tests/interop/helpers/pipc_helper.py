"""The Python side of the interop suite: pipc.posix_ipc, pipc.sysv_ipc, pipc.sync and
pipc.Channel driven by the line protocol of tests/interop/PROTOCOL.md (commands on stdin, one reply line each on
stdout)."""
import mmap
import struct
import sys
import threading
import time

from pipc import channel, posix_ipc, sync, sysv_ipc

BUSY = (posix_ipc.BusyError, sysv_ipc.BusyError, channel.BusyError)
POSIX_KINDS = ("sem", "shm", "mq", "mutex", "cond", "channel")
PAYLOAD_SIZE = 44


def fnv1a(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def stress_payload(producer, seq):
    head = struct.pack("<II", producer, seq)
    filler = bytes((producer * 31 + seq * 7 + k * 13) % 256 for k in range(32))
    return head + filler + struct.pack("<I", fnv1a(head + filler))


def stress_check(data):
    """(producer, seq) of a valid payload, else None."""
    if len(data) != PAYLOAD_SIZE:
        return None
    producer, seq = struct.unpack_from("<II", data)
    return (producer, seq) if data == stress_payload(producer, seq) else None


def hexed(data):
    return data.hex() if data else "-"


def unhexed(text):
    return b"" if text == "-" else bytes.fromhex(text)


def seconds(ms):
    return int(ms) / 1000


class Held:
    """The one object a helper holds, and the commands on it."""

    def __init__(self, kind, name, create, args):
        self.kind = kind
        self.map = None
        self.mutex = None           # mutex, cond: the lock
        posix = kind in POSIX_KINDS
        flags = (posix_ipc.O_CREX if posix else sysv_ipc.IPC_CREX) if create else 0
        n = [int(a) for a in args] if create else []
        key = None if posix else int(name)
        if kind == "sem":
            self.obj = posix_ipc.Semaphore(name, flags, initial_value=n[0] if n else 0)
        elif kind == "shm":
            self.obj = posix_ipc.SharedMemory(name, flags, size=n[0] if n else 0)
            self.map = mmap.mmap(self.obj.fd, self.obj.size)
            self.obj.close_fd()
        elif kind == "mq":
            extra = dict(max_messages=n[0], max_message_size=n[1]) if n else {}
            self.obj = posix_ipc.MessageQueue(name, flags, **extra)
        elif kind == "sysv_sem":
            self.obj = sysv_ipc.Semaphore(key, flags, initial_value=n[0] if n else 0)
        elif kind == "sysv_shm":
            self.obj = sysv_ipc.SharedMemory(key, flags, size=n[0] if n else 0)
        elif kind == "sysv_mq":
            self.obj = sysv_ipc.MessageQueue(key, flags)
        elif kind == "channel":
            extra = dict(slots=n[0], max_message_size=n[1]) if n else {}
            self.obj = channel.Channel(name, flags, **extra)
        elif kind == "mutex":
            self.obj = self.mutex = sync.Mutex(name, flags)
        elif kind == "cond":
            self.mutex = sync.Mutex(name + "-m", flags)
            try:
                self.obj = sync.Condition(name, self.mutex, flags)
            except BaseException:
                if self.mutex.created:
                    self.mutex.unlink()
                self.mutex.close()
                raise
        else:
            raise ValueError("unknown kind " + kind)

    def release(self):
        self.obj.release()
        return "ok"

    def acquire(self, ms):
        self.obj.acquire(seconds(ms))
        return "ok"

    def value(self):
        return "ok %d" % self.obj.value

    def write(self, offset, data):
        offset, data = int(offset), unhexed(data)
        if self.map is not None:
            if offset + len(data) > len(self.map):
                raise ValueError("beyond the segment")
            self.map[offset:offset + len(data)] = data
        else:
            self.obj.write(data, offset)
        return "ok"

    def read(self, offset, length):
        offset, length = int(offset), int(length)
        if self.map is not None:
            if offset + length > len(self.map):
                raise ValueError("beyond the segment")
            return "ok " + hexed(self.map[offset:offset + length])
        return "ok " + hexed(self.obj.read(length, offset))

    def send(self, tag, data):
        if self.kind == "channel":
            self.obj.send(unhexed(data))        # TAG: none; receive replies 0
        elif self.kind == "mq":
            self.obj.send(unhexed(data), priority=int(tag))
        else:
            self.obj.send(unhexed(data), type=int(tag))
        return "ok"

    def receive(self, ms):
        if self.kind == "channel":
            data, tag = self.obj.receive(seconds(ms)), 0
        elif self.kind == "mq":
            data, tag = self.obj.receive(seconds(ms))
        else:
            data, tag = receive_sysv(self.obj, seconds(ms))
        return "ok %d %s" % (tag, hexed(data))

    def lock(self, ms):
        try:
            if not self.mutex.acquire(timeout=seconds(ms)):
                return "busy"
        except sync.OwnerDeadError:
            return "ok ownerdead"
        return "ok"

    def unlock(self):
        self.mutex.release()
        return "ok"

    def consistent(self):
        self.mutex.consistent()
        return "ok"

    def wait(self, ms):
        try:
            return "ok" if self.obj.wait(seconds(ms)) else "busy"
        except sync.OwnerDeadError:
            return "ok ownerdead"

    def signal(self):
        self.obj.notify()
        return "ok"

    def broadcast(self):
        self.obj.notify_all()
        return "ok"

    def remove(self):
        if self.kind == "cond":
            self.mutex.unlink()
        if self.kind in POSIX_KINDS:
            self.obj.unlink()
        else:
            self.obj.remove()
        return "ok"

    def close(self):
        if self.map is not None:
            self.map.close()
        if self.kind in POSIX_KINDS:
            self.obj.close()
        elif self.kind == "sysv_shm":
            self.obj.detach()
        if self.kind == "cond":
            self.mutex.close()


def receive_sysv(queue, timeout):
    """sysv_ipc's receive has no timeout: poll with block=False until TIMEOUT passes, as
    the drop-in API allows (the interop suite's timeouts are generous limits)."""
    end = time.monotonic() + timeout
    while True:
        try:
            return queue.receive(block=False)
        except sysv_ipc.BusyError:
            if time.monotonic() >= end:
                raise
            time.sleep(0.001)


def open_queue(kind, name):
    if kind == "mq":
        return posix_ipc.MessageQueue(name)
    if kind == "channel":
        return channel.Channel(name)
    return sysv_ipc.MessageQueue(int(name))


def produce(kind, name, count, producer):
    queue = open_queue(kind, name)
    try:
        for i in range(int(count)):
            if kind == "sysv_mq":
                queue.send(stress_payload(int(producer), i), type=1)
            else:
                queue.send(stress_payload(int(producer), i))
    finally:
        if kind != "sysv_mq":
            queue.close()
    return "ok"


def consume(kind, name, count, ms):
    queue = open_queue(kind, name)
    entries = []
    try:
        for _ in range(int(count)):
            if kind == "mq":
                data, _ = queue.receive(seconds(ms))
            elif kind == "channel":
                data = queue.receive(seconds(ms))
            else:
                data, _ = receive_sysv(queue, seconds(ms))
            found = stress_check(data)
            entries.append("%d:%d" % found if found else "bad")
    finally:
        if kind != "sysv_mq":
            queue.close()
    return "ok " + ",".join(entries)


def count(sem_name, shm_name, times):
    sem = posix_ipc.Semaphore(sem_name)
    shm = posix_ipc.SharedMemory(shm_name)
    counter = mmap.mmap(shm.fd, 8)
    shm.close_fd()
    try:
        for _ in range(int(times)):
            with sem:
                value, = struct.unpack_from("<Q", counter)
                struct.pack_into("<Q", counter, 0, value + 1)
    finally:
        counter.close()
        sem.close()
    return "ok"


def lockcount(mutex_name, shm_name, worker, times, die_at):
    """The kill -9 lock counter (PROTOCOL.md): a dead owner's unfinished update is repaired
    by the mutex's recover function, which sets the counter to the sum of the slots."""
    worker, die_at = int(worker), int(die_at)
    shm = posix_ipc.SharedMemory(shm_name)
    board = mmap.mmap(shm.fd, 8 + 8 * 64)
    shm.close_fd()
    dead = []

    def repair():
        dead.append(1)
        struct.pack_into("<Q", board, 0, sum(struct.unpack_from("<64Q", board, 8)))

    def add(offset):
        struct.pack_into("<Q", board, offset, struct.unpack_from("<Q", board, offset)[0] + 1)
    mutex = sync.Mutex(mutex_name, recover=repair)
    try:
        for i in range(int(times)):
            with mutex:
                add(8 + 8 * worker)
                if i == die_at:
                    print("ok holding", flush=True)
                    threading.Event().wait()        # holding the lock until killed
                add(0)
    finally:
        mutex.close()
        board.close()
    return "ok %d" % len(dead)


def main():
    held = None
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        verb, args = words[0], words[1:]
        try:
            if verb == "open":
                if held:
                    held.close()
                held = None
                held = Held(args[0], args[1], args[2] == "1", args[3:])
                answer = "ok"
            elif verb == "close":
                if held:
                    held.close()
                held, answer = None, "ok"
            elif verb == "produce":
                answer = produce(*args)
            elif verb == "consume":
                answer = consume(*args)
            elif verb == "count":
                answer = count(*args)
            elif verb == "lockcount":
                answer = lockcount(*args)
            elif held is not None and verb in ("release", "acquire", "value", "write", "read",
                                               "send", "receive", "remove", "lock", "unlock",
                                               "consistent", "wait", "signal", "broadcast"):
                answer = getattr(held, verb)(*args)
            else:
                answer = "error usage unknown command or no object for it: " + verb
        except BUSY:
            answer = "busy"
        except Exception as e:  # every failure is a reply: the driver reads it
            answer = "error %s %s" % (type(e).__name__, str(e).replace("\n", " "))
        print(answer, flush=True)
    if held:
        held.close()


if __name__ == "__main__":
    main()
