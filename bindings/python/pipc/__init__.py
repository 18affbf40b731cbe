"""libpipc for Python: POSIX and System V semaphores, shared memory and message queues.

``pipc.posix_ipc`` and ``pipc.sysv_ipc`` are drop-in replacements for the posix_ipc (1.3)
and sysv_ipc (1.2) modules: ``from pipc import posix_ipc``.
"""
