"""The inventory: every IPC object of the six kinds on this machine, and who holds it.

``objects()`` lists the POSIX semaphores, shared memory and message queues and the System V
semaphore sets, shared memory segments and message queues of this IPC namespace, with what
the OS tells about each, as :class:`Object` records; with ``holders=True`` also the
processes that hold each (:class:`Holder`). Shared memory that holds one of libpipc's own
objects (a ``pipc.Mutex``, ``pipc.Condition`` or ``pipc.Channel``) is kind ``"shm"`` with
``libpipc_type`` saying which. Not part of the drop-in modules: it is libpipc's
own (C: ``include/pipc/inventory.h``).

Kinds are named by strings: ``"sem"``, ``"shm"``, ``"mq"`` (POSIX), ``"sysv_sem"``,
``"sysv_shm"``, ``"sysv_mq"`` (System V), and ``"posix"``, ``"sysv"``, ``"all"`` for several.
A field the OS did not tell (a semaphore's value without read permission, a field another
kind has not) is ``None``. Times are float seconds since the epoch.

Errors: ``ValueError`` (``TypeError``) for bad arguments, :class:`PermissionsError` when
looking is not permitted, ``NotImplementedError`` when asking for POSIX queues where the
mqueue filesystem is not mounted, ``OSError`` for other failures of the OS.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, Iterable, List, Optional, Tuple, Union

from . import _inventory

__all__ = ['KINDS', 'Object', 'Holder', 'Objects', 'objects', 'sysv_exists', 'Error',
           'PermissionsError', 'ExistentialError', 'BusyError', 'SignalError']

#: The six kinds' names, in the order ``objects()`` lists them.
KINDS: Tuple[str, ...] = _inventory.KINDS

Error = _inventory.Error
PermissionsError = _inventory.PermissionsError
ExistentialError = _inventory.ExistentialError
BusyError = _inventory.BusyError
SignalError = _inventory.SignalError


@dataclass(frozen=True)
class Holder:
    """A process that holds an object.

    ``how`` is a frozenset of the ways it holds it: ``"fd"`` (an open descriptor), ``"map"``
    (a mapping), ``"attach"`` (a System V attachment), ``"last_op"`` (made the last System V
    operation and is alive), ``"creator"`` (created the System V segment and is alive).
    ``command`` is its command line, arguments joined by spaces ("" if unreadable).
    """

    pid: int
    how: FrozenSet[str]
    uid: int
    command: str


@dataclass(frozen=True)
class Object:
    """One IPC object, as the OS describes it. ``None``: not known, or not of this kind.

    ``kind`` is one of :data:`KINDS`. POSIX objects have a ``name`` ("/NAME"), ``device``
    and ``inode``; System V objects a ``key`` (0 is IPC_PRIVATE) and an ``id``. ``size`` is
    the bytes of shared memory, or of the messages a queue holds; ``semaphores`` the set's
    semaphores (1 for a POSIX semaphore, 0 for other kinds); ``value`` the semaphore's
    value (the set's first); ``messages`` a queue's messages; ``max_messages`` and
    ``max_message_size`` a POSIX queue's limits, ``max_bytes`` a System V queue's;
    ``attaches`` a System V segment's attachments; ``removed`` tells a System V segment
    marked for removal. ``changed``, ``modified`` and ``operated`` are times (float seconds
    since the epoch) of the last change of owner, mode or size, the last modification
    (POSIX) and the last operation (System V). ``holder_count`` and ``holders`` are known
    when ``objects()`` was asked for holders. ``libpipc_type`` is ``"mutex"``, ``"cond"`` or
    ``"channel"`` for shared memory that holds one of libpipc's own objects (``None`` for
    any other, or one this process may not read); a channel also has ``messages``,
    ``max_messages`` (its slots) and ``max_message_size``.
    """

    kind: str
    name: Optional[str]
    key: Optional[int]
    id: Optional[int]
    uid: int
    gid: int
    cuid: Optional[int]
    cgid: Optional[int]
    mode: int
    removed: bool
    semaphores: int
    size: int
    value: Optional[int]
    messages: Optional[int]
    max_messages: Optional[int]
    max_message_size: Optional[int]
    max_bytes: Optional[int]
    attaches: Optional[int]
    creator_pid: Optional[int]
    last_pid: Optional[int]
    changed: Optional[float]
    modified: Optional[float]
    operated: Optional[float]
    device: Optional[int]
    inode: Optional[int]
    holder_count: Optional[int]
    libpipc_type: Optional[str]
    holders: Optional[Tuple[Holder, ...]]


class Objects(List[Object]):
    """The list ``objects()`` returns: the objects, in kind order then by name or id, and
    ``unseen``, how many processes the holder scan could not look into (processes of other
    users, without CAP_SYS_PTRACE): their holds are not listed. 0 without holders."""

    unseen: int

    def __init__(self, items: Iterable[Object] = (), unseen: int = 0) -> None:
        """The objects ITEMS, with UNSEEN processes not looked into."""
        super().__init__(items)
        self.unseen = unseen


def _kinds_mask(kinds: Union[None, str, Iterable[str]]) -> int:
    if kinds is None:
        return 0   # every kind the machine offers
    names = [kinds] if isinstance(kinds, str) else list(kinds)
    mask = 0
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f'a kind is a str, not {type(name).__name__}')
        bits = _inventory.kind_of(name)
        if not bits:
            raise ValueError(f'unknown kind {name!r}: one of {", ".join(KINDS)}, posix, sysv, all')
        mask |= bits
    if not mask:
        raise ValueError('no kinds given')
    return mask


def objects(kinds: Union[None, str, Iterable[str]] = None, holders: bool = False) -> Objects:
    """The IPC objects of KINDS on this machine, as a list of :class:`Object`.

    KINDS: None (every kind; POSIX queues only where the mqueue filesystem is mounted), a
    kind's name, or an iterable of names (see :data:`KINDS`; also "posix", "sysv", "all").
    HOLDERS: also find the processes that hold each object (one pass over /proc); the
    list's ``unseen`` counts the processes that could not be looked into.
    Raises ValueError for an unknown kind, NotImplementedError for "mq" where the mqueue
    filesystem is not mounted.
    """
    found, unseen = _inventory.take(_kinds_mask(kinds), bool(holders))
    return Objects((Object(**dict(zip(_inventory.OBJECT_FIELDS, fields)),
                           holders=None if fields[-1] is None else tuple(Holder(*h) for h in fields[-1]))
                    for fields in found), unseen)


def sysv_exists(key: int, kind: str) -> bool:
    """Whether a System V object of KIND ("sysv_sem", "sysv_shm" or "sysv_mq") has KEY.

    Raises ValueError for another kind or a key out of range.
    """
    return _inventory.sysv_exists(key, _kinds_mask(kind))
