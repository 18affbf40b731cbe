"""The reader of the exchange demonstration, in Python: opens the writer's segment and
semaphores by name, waits for "ready", prints the greeting, answers in the segment and
signals "done".    exchange_reader.py SHM READY DONE"""
import os
import sys

from pipc import posix_ipc

ANSWER_AT = 1024

shm_name, ready_name, done_name = sys.argv[1:4]
memory = posix_ipc.SharedMemory(shm_name)
ready = posix_ipc.Semaphore(ready_name)
done = posix_ipc.Semaphore(done_name)
view = memoryview(memory)
ready.acquire(30)
print('read "%s"' % bytes(view[:ANSWER_AT]).split(b"\0")[0].decode())
answer = ("hello back from Python (pid %d)" % os.getpid()).encode()
view[ANSWER_AT:ANSWER_AT + len(answer) + 1] = answer + b"\0"
done.release()
view.release()
memory.close()
