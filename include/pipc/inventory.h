/* libpipc: the inventory — every IPC object of the six kinds on this machine (in this
 * process's IPC namespace), what the OS tells about each, and the processes that hold it. */
#ifndef PIPC_INVENTORY_H
#define PIPC_INVENTORY_H

#include "pipc/common.h"

PIPC_BEGIN_DECLS

/* The six kinds, as bits: a mask selects several. */
#define PIPC_KIND_SEM      0x01u /* POSIX named semaphore (/dev/shm/sem.NAME) */
#define PIPC_KIND_SHM      0x02u /* POSIX shared memory (/dev/shm/NAME) */
#define PIPC_KIND_MQ       0x04u /* POSIX message queue (the mqueue filesystem) */
#define PIPC_KIND_SYSV_SEM 0x08u /* System V semaphore set */
#define PIPC_KIND_SYSV_SHM 0x10u /* System V shared memory segment */
#define PIPC_KIND_SYSV_MQ  0x20u /* System V message queue */
#define PIPC_KIND_POSIX    (PIPC_KIND_SEM | PIPC_KIND_SHM | PIPC_KIND_MQ)
#define PIPC_KIND_SYSV     (PIPC_KIND_SYSV_SEM | PIPC_KIND_SYSV_SHM | PIPC_KIND_SYSV_MQ)
#define PIPC_KIND_ALL      (PIPC_KIND_POSIX | PIPC_KIND_SYSV)

/* The kind's short name ("sem", "shm", "mq", "sysv_sem", "sysv_shm", "sysv_mq"), or NULL
 * for anything but a single kind bit. */
PIPC_API const char *pipc_kind_name(uint32_t kind);

/* pipc_object.known: which of the fields below hold a value (the others are 0). */
#define PIPC_KNOWN_VALUE        0x001u /* value */
#define PIPC_KNOWN_MESSAGES     0x002u /* messages */
#define PIPC_KNOWN_QUEUE_LIMITS 0x004u /* max_messages, max_message_size (POSIX queues,
                                          libpipc channels) */
#define PIPC_KNOWN_MAX_BYTES    0x008u /* max_bytes (System V queues) */
#define PIPC_KNOWN_CREATOR      0x010u /* cuid, cgid */
#define PIPC_KNOWN_CREATOR_PID  0x020u /* creator_pid */
#define PIPC_KNOWN_LAST_PID     0x040u /* last_pid */
#define PIPC_KNOWN_ATTACHES     0x080u /* attaches */
#define PIPC_KNOWN_HOLDERS      0x100u /* holder_count and the holders (PIPC_INVENTORY_HOLDERS) */
#define PIPC_KNOWN_LIBPIPC      0x200u /* libpipc_type */

/* pipc_object.state */
#define PIPC_STATE_REMOVED 0x1u /* System V segment removed, alive until its last detach */

/* pipc_object.libpipc_type: which of libpipc's own objects a POSIX shared memory segment
 * holds (pipc_mutex_open, pipc_cond_open, pipc_channel_open). */
#define PIPC_LIBPIPC_MUTEX   1u
#define PIPC_LIBPIPC_COND    2u
#define PIPC_LIBPIPC_CHANNEL 3u

/* The libpipc object's short name ("mutex", "cond", "channel"), or NULL for anything else. */
PIPC_API const char *pipc_libpipc_type_name(uint32_t libpipc_type);

#define PIPC_OBJECT_VERSION 1u

/* One object. Times are nanoseconds since the epoch (0: never or unknown); the kernel keeps
 * System V times in whole seconds.
 *
 * A POSIX shared memory segment that holds one of libpipc's own objects (a finished one:
 * its header's magic, layout version and size match, and its creator marked it ready)
 * keeps kind PIPC_KIND_SHM (it is shared memory, and shm_unlink removes it) and has
 * PIPC_KNOWN_LIBPIPC with libpipc_type saying which object it is. A channel also has
 * messages (queued now, from 0 to max_messages), max_messages (its slots) and
 * max_message_size, with PIPC_KNOWN_MESSAGES and PIPC_KNOWN_QUEUE_LIMITS. The segment is
 * read, never mapped or written; one this process may not read has neither bit. */
typedef struct pipc_object {
  uint32_t version;          /* PIPC_OBJECT_VERSION: later versions only add fields */
  uint32_t kind;             /* one PIPC_KIND_* bit */
  const char *name;          /* POSIX: "/NAME" as opened; System V: "" */
  int64_t key;               /* System V key (PIPC_IPC_PRIVATE is 0); POSIX: -1 */
  int64_t id;                /* System V id; POSIX: -1 */
  uint32_t uid;              /* owner */
  uint32_t gid;
  uint32_t cuid;             /* System V creator (PIPC_KNOWN_CREATOR) */
  uint32_t cgid;
  uint32_t mode;             /* permission bits */
  uint32_t known;            /* PIPC_KNOWN_* */
  uint32_t state;            /* PIPC_STATE_* */
  uint32_t semaphores;       /* System V: semaphores in the set; POSIX semaphore: 1; else 0 */
  uint64_t size;             /* shared memory: bytes; queues: bytes of the messages queued */
  int64_t value;             /* semaphore value (the set's first, for System V) */
  uint64_t messages;         /* queues, channels: messages queued */
  uint64_t max_messages;     /* POSIX queue capacity (mq_maxmsg); channel: its slots */
  uint64_t max_message_size; /* POSIX queue, channel: message size limit (mq_msgsize) */
  uint64_t max_bytes;        /* System V queue capacity in bytes (msg_qbytes) */
  uint64_t attaches;         /* System V shared memory: current attaches (shm_nattch) */
  int32_t creator_pid;       /* System V shared memory: the creating process */
  int32_t last_pid;          /* System V: the process of the last operation */
  int64_t changed_ns;        /* last change of owner, mode or size (POSIX ctime, IPC ctime) */
  int64_t modified_ns;       /* POSIX: last modification (mtime) */
  int64_t operated_ns;       /* System V: last operation (semop; msgsnd or msgrcv; shmat or shmdt) */
  uint64_t device;           /* POSIX: the file's device and inode, which holders match on */
  uint64_t inode;
  uint32_t holder_count;     /* with PIPC_KNOWN_HOLDERS: pipc_objects_holder's range */
  uint32_t libpipc_type;     /* PIPC_LIBPIPC_* (PIPC_KNOWN_LIBPIPC) */
} pipc_object;

/* pipc_holder.how: the ways a process holds an object (several may be set). */
#define PIPC_HOLD_FD        0x1u /* an open file descriptor (POSIX shared memory, queue) */
#define PIPC_HOLD_MAP       0x2u /* a mapping (POSIX semaphore or shared memory) */
#define PIPC_HOLD_ATTACH    0x4u /* an attachment (System V shared memory) */
#define PIPC_HOLD_LAST_OP   0x8u /* made the last operation, and is alive (System V) */
#define PIPC_HOLD_CREATOR   0x10u /* created it, and is alive (System V shared memory) */

#define PIPC_HOLDER_VERSION 1u

typedef struct pipc_holder {
  uint32_t version;    /* PIPC_HOLDER_VERSION */
  int32_t pid;
  uint32_t how;        /* PIPC_HOLD_* */
  uint32_t uid;        /* the process's real uid */
  const char *command; /* its command line, arguments joined by spaces; "" if unreadable */
} pipc_holder;

/* ---- The walk ------------------------------------------------------------------------ */

typedef struct pipc_objects pipc_objects;

/* Flags of pipc_objects_open. */
#define PIPC_INVENTORY_HOLDERS 0x1u /* also find each object's holders (one pass over /proc) */

/* Takes a snapshot of the objects of KINDS (a PIPC_KIND_* mask, non-zero), read in this
 * call; the walk then hands them out one by one. With PIPC_INVENTORY_HOLDERS it also reads
 * /proc/PID/fd and /proc/PID/maps of every process once. Objects that vanish during the
 * scan are left out; fields the caller may not read (a semaphore, a queue without read
 * permission) are left unknown (see pipc_object.known). POSIX queues are found where the
 * mqueue filesystem is mounted (any mount point, /proc/self/mountinfo): where it is not,
 * asking for PIPC_KIND_MQ fails with PIPC_ENOTSUP and a message saying how to mount it. */
PIPC_API int pipc_objects_open(pipc_objects **out, uint32_t kinds, uint32_t flags);

/* The next object, in kind order (the PIPC_KIND_* bits ascending), then by name or id:
 * *object points into the walk, valid until the next call with it; NULL at the end. */
PIPC_API int pipc_objects_next(const pipc_object **object, pipc_objects *walk);

/* Holder INDEX (< holder_count) of the object pipc_objects_next returned last, valid as long
 * as that object is. */
PIPC_API int pipc_objects_holder(const pipc_holder **holder, pipc_objects *walk, uint32_t index);

/* How many processes could not be looked into (no permission to read their fd or maps: a
 * process of another user, without CAP_SYS_PTRACE). Holders there are not seen. */
PIPC_API int pipc_objects_unseen(uint32_t *count, pipc_objects *walk);

PIPC_API int pipc_objects_close(pipc_objects *walk);

/* ---- Single questions ---------------------------------------------------------------- */

/* Whether a System V object of KIND (PIPC_KIND_SYSV_SEM, _SHM or _MQ) with KEY exists:
 * 1 or 0, or a negative status (PIPC_EINVAL for a bad kind or key). The sysv_ipc
 * documentation's troubleshooting notes name this call. */
PIPC_API int pipc_sysv_exists(int64_t key, uint32_t kind);

PIPC_END_DECLS

#endif /* PIPC_INVENTORY_H */
