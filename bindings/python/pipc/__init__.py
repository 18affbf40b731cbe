"""libpipc for Python: POSIX and System V semaphores, shared memory and message queues.

``pipc.posix_ipc`` and ``pipc.sysv_ipc`` are drop-in replacements for the posix_ipc (1.3)
and sysv_ipc (1.2) modules: ``from pipc import posix_ipc``. ``pipc.__version__`` is the
version of the libpipc library loaded; the modules' ``VERSION`` is the reference API's.
Beyond the references: ``pipc.sync`` (robust locks that processes share: ``Mutex``,
``Condition``), ``pipc.Channel`` (a message channel in shared memory, from
``pipc.channel``) and ``pipc.inventory`` (every IPC object on the machine).
"""
from .posix_ipc import _libpipc_version as __version__
from .channel import Channel
