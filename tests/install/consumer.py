"""A Python program against the installed pipc package: a POSIX and a System V semaphore
and a robust mutex, each created, used and removed."""
from pipc import posix_ipc, sync, sysv_ipc

sem = posix_ipc.Semaphore(None, posix_ipc.O_CREX)
try:
    sem.release()
    sem.acquire(0)
finally:
    sem.unlink()
    sem.close()

sysv_sem = sysv_ipc.Semaphore(sysv_ipc.IPC_PRIVATE, sysv_ipc.IPC_CREX)
try:
    sysv_sem.release()
    sysv_sem.acquire(0)
finally:
    sysv_sem.remove()
mutex = sync.Mutex()
try:
    with mutex:
        pass
finally:
    mutex.unlink()
    mutex.close()
print("Python: pipc from", posix_ipc.__file__)
