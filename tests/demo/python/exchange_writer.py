"""The writer of the exchange demonstration, in Python: creates a shared memory segment and
two semaphores, writes a greeting, signals "ready", waits for "done", prints the reader's
answer, and removes the three objects.    exchange_writer.py SHM READY DONE"""
import os
import sys

from pipc import posix_ipc

ANSWER_AT = 1024

shm_name, ready_name, done_name = sys.argv[1:4]
memory = posix_ipc.SharedMemory(shm_name, posix_ipc.O_CREX, size=4096)
ready = posix_ipc.Semaphore(ready_name, posix_ipc.O_CREX)
done = posix_ipc.Semaphore(done_name, posix_ipc.O_CREX)
try:
    view = memoryview(memory)   # zero-copy: the segment itself
    greeting = ("hello from Python (pid %d)" % os.getpid()).encode()
    view[:len(greeting) + 1] = greeting + b"\0"
    print('wrote "%s" into %s' % (greeting.decode(), shm_name), flush=True)
    ready.release()
    done.acquire(30)
    answer = bytes(view[ANSWER_AT:ANSWER_AT + 1024]).split(b"\0")[0].decode()
    print('the reader answered "%s"' % answer)
    view.release()
finally:
    memory.unlink()
    ready.unlink()
    done.unlink()
    memory.close()
