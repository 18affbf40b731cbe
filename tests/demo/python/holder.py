"""The semaphore holder, in Python: a `with` block holds the semaphore (released however the
block ends) while it adds 1 to the counter in shared memory, slowly enough that an
unguarded increment would lose updates.    holder.py SEMAPHORE COUNTER ROUNDS"""
import struct
import sys
import time

from pipc import posix_ipc

sem_name, counter_name, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
semaphore = posix_ipc.Semaphore(sem_name)
memory = posix_ipc.SharedMemory(counter_name)
counter = memoryview(memory)[:8]
for _ in range(rounds):
    with semaphore:
        seen, = struct.unpack("<Q", counter)
        time.sleep(0.001)   # widens the window another process would race into
        counter[:] = struct.pack("<Q", seen + 1)
        print("Python holds the semaphore: counter %d -> %d" % (seen, seen + 1), flush=True)
counter.release()
memory.close()
semaphore.close()
