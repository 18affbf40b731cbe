"""A Python program against the installed pipc package: a POSIX and a System V semaphore,
each created, used and removed."""
from pipc import posix_ipc, sysv_ipc

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
print("Python: pipc from", posix_ipc.__file__)
