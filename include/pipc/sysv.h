/* libpipc: System V semaphores, shared memory and message queues.
 *
 * Objects are found by a key (an int32_t; see pipc_ftok) or by the id the kernel
 * gave them. A handle holds the id and per-handle settings; closing it never
 * removes the object (pipc_sysv_X_remove does, for every process at once). When an
 * object is removed, every call blocked on it returns PIPC_ENOENT. */
#ifndef PIPC_SYSV_H
#define PIPC_SYSV_H

#include "pipc/common.h"

PIPC_BEGIN_DECLS

/* ---- Keys ------------------------------------------------------------------------ */

/* Keys are int32_t values passed as int64_t so that a key outside that range is
 * rejected (PIPC_ERANGE), never truncated. */
#define PIPC_SYSV_KEY_MIN ((int64_t)INT32_MIN)
#define PIPC_SYSV_KEY_MAX ((int64_t)INT32_MAX)

/* A new object that no key finds. */
#define PIPC_IPC_PRIVATE ((int64_t)0)

/* With PIPC_CREAT: create the object under a random unused key (retried on collision),
 * read back with pipc_sysv_X_key(). Implies PIPC_EXCL. */
#define PIPC_KEY_RANDOM ((int64_t)INT64_MIN)

/* The key ftok(3) makes of PATH (which must exist) and the low 8 bits of ID (any int;
 * POSIX leaves a low byte of 0 unspecified, Linux uses it as it is). Keys
 * from different paths may collide: ftok hashes the inode and device numbers. */
PIPC_API int pipc_ftok(int64_t *key_out, const char *path, int id);

/* Owner and permission fields every System V object has. */
typedef struct pipc_sysv_perm {
  int64_t key;   /* PIPC_IPC_PRIVATE once removed while still in use */
  uint32_t uid;  /* owner */
  uint32_t gid;
  uint32_t cuid; /* creator */
  uint32_t cgid;
  uint32_t mode; /* permission bits (0777) */
} pipc_sysv_perm;

/* pipc_sysv_X_set_perm sets the owner fields (IPC_STAT, then IPC_SET): PIPC_SYSV_KEEP
 * leaves a field unchanged. uid and gid must be valid ids (< 2^32 - 1), mode fits in
 * 0777. Only the owner, the creator or a privileged process may do it, and it needs
 * read permission for the IPC_STAT (else PIPC_EACCES). */
#define PIPC_SYSV_KEEP ((int64_t)-1)

/* Options shared by the three families' open functions. Their mode gives a new object's
 * permission bits; when opening an existing object it is the access asked for, as with
 * semget/shmget/msgget (the default 0600 asks for read and write; 0400 for read only). */
#define PIPC_SYSV_OPTIONS_VERSION 1u

/* ---- Semaphores (one semaphore per set) ------------------------------------------- */

typedef struct pipc_sysv_sem pipc_sysv_sem;

/* Open flag of semaphores only: set a new semaphore's value with SETVAL, which leaves
 * its last-operation time 0 until the first acquire, release or wait (as sysv_ipc does;
 * its creators then make otime non-zero with a release of their own). */
#define PIPC_SYSV_SEM_SETVAL 0x40u

typedef struct pipc_sysv_sem_options {
  uint32_t version;       /* PIPC_SYSV_OPTIONS_VERSION */
  uint32_t flags;         /* PIPC_CREAT, PIPC_EXCL, PIPC_SYSV_SEM_SETVAL */
  uint32_t mode;          /* permission bits of a new semaphore (0777 at most) */
  uint32_t initial_value; /* value of a new semaphore, <= pipc_sysv_sem_value_max() */
} pipc_sysv_sem_options;

#define PIPC_SYSV_SEM_OPTIONS_INIT { PIPC_SYSV_OPTIONS_VERSION, 0u, PIPC_DEFAULT_MODE, 0u }

PIPC_API void pipc_sysv_sem_options_init(pipc_sysv_sem_options *opts);

/* Opens the semaphore with KEY, or creates it per opts->flags. Opening an existing
 * semaphore (with or without PIPC_CREAT) never changes its value. A new semaphore gets
 * its initial value by a semop (unless PIPC_SYSV_SEM_SETVAL), so its last-operation time
 * is non-zero from the moment the value is set. An open that finds a set its creator has
 * not given a value yet (never operated on, made in the last second) waits for the value,
 * up to half a second: no operation through the new handle applies before it. NULL opts
 * means the defaults. The kernel's limits in /proc/sys/kernel/sem give PIPC_ELIMIT with
 * the one that applied named in pipc_last_message(): SEMMNI (sets), SEMMNS (semaphores),
 * SEMMSL (semaphores per set) and SEMOPM (operations per call, for the initial value's
 * semop). */
PIPC_API int pipc_sysv_sem_open(pipc_sysv_sem **out, int64_t key, const pipc_sysv_sem_options *opts);
/* Opens the existing semaphore set with this id (>= 0). */
PIPC_API int pipc_sysv_sem_open_id(pipc_sysv_sem **out, int64_t id);
/* Another handle to the same set, with the same undo and blocking settings. */
PIPC_API int pipc_sysv_sem_dup(pipc_sysv_sem **out, pipc_sysv_sem *sem);
/* Frees the handle and ends the calls blocked on it at once (PIPC_EBADHANDLE). */
PIPC_API int pipc_sysv_sem_close(pipc_sysv_sem *sem);

/* Subtracts DELTA (1 .. pipc_sysv_sem_value_max()), waiting up to timeout_ns until the
 * value allows it. In non-blocking mode every timeout acts as 0 (PIPC_EAGAIN).
 * A call that must wait hands the semtimedop to a helper thread of the process (which
 * waits in the semaphore's queue with every signal blocked) and waits for its answer
 * itself, where close, signal handlers and the deadline reach it (see common.h); if the
 * call ends first, the helper gives up within 50 ms and gives back what it took. */
PIPC_API int pipc_sysv_sem_acquire(pipc_sysv_sem *sem, uint32_t delta, int64_t timeout_ns);
/* Adds DELTA (1 .. pipc_sysv_sem_value_max()); PIPC_ERANGE past the maximum value. */
PIPC_API int pipc_sysv_sem_release(pipc_sysv_sem *sem, uint32_t delta);
/* Waits up to timeout_ns until the value is 0. */
PIPC_API int pipc_sysv_sem_wait_zero(pipc_sysv_sem *sem, int64_t timeout_ns);

/* Per-handle settings, both off by default: undo (SEM_UNDO: the kernel reverts this
 * process's acquires and releases through the handle when it exits) and non-blocking. */
PIPC_API int pipc_sysv_sem_undo(int *undo_out, pipc_sysv_sem *sem);
PIPC_API int pipc_sysv_sem_set_undo(pipc_sysv_sem *sem, int undo);
PIPC_API int pipc_sysv_sem_blocking(int *blocking_out, pipc_sysv_sem *sem);
PIPC_API int pipc_sysv_sem_set_blocking(pipc_sysv_sem *sem, int blocking);

PIPC_API int pipc_sysv_sem_value(int *value_out, pipc_sysv_sem *sem);
/* Sets the value (0 .. pipc_sysv_sem_value_max()); clears every process's undo
 * adjustment for it, as SETVAL does. */
PIPC_API int pipc_sysv_sem_set_value(pipc_sysv_sem *sem, int64_t value);
PIPC_API int64_t pipc_sysv_sem_value_max(void); /* SEMVMX */

typedef struct pipc_sysv_sem_stat {
  pipc_sysv_perm perm;
  int64_t otime;           /* last semop, seconds since the epoch; 0 if none yet */
  int64_t ctime;           /* last change by semctl */
  int32_t last_pid;        /* process of the last semop */
  int32_t waiting_nonzero; /* processes waiting for the value to increase */
  int32_t waiting_zero;    /* processes waiting for the value to become 0 */
} pipc_sysv_sem_stat;

PIPC_API int pipc_sysv_sem_stat_get(pipc_sysv_sem_stat *out, pipc_sysv_sem *sem);
PIPC_API int pipc_sysv_sem_set_perm(pipc_sysv_sem *sem, int64_t uid, int64_t gid, int64_t mode);

PIPC_API int pipc_sysv_sem_id(pipc_sysv_sem *sem);      /* the id, or a negative status */
PIPC_API int pipc_sysv_sem_key(int64_t *key_out, pipc_sysv_sem *sem); /* as opened */
PIPC_API int pipc_sysv_sem_created(pipc_sysv_sem *sem);
/* Removes the semaphore now: blocked waiters in every process get PIPC_ENOENT. */
PIPC_API int pipc_sysv_sem_remove(pipc_sysv_sem *sem);
PIPC_API int pipc_sysv_sem_remove_id(int64_t id);

/* ---- Shared memory --------------------------------------------------------------- */

typedef struct pipc_sysv_shm pipc_sysv_shm;

/* Open flags of shared memory only (shmget's SHM_HUGETLB, SHM_NORESERVE). */
#define PIPC_SHM_HUGETLB   0x10u
#define PIPC_SHM_NORESERVE 0x20u

typedef struct pipc_sysv_shm_options {
  uint32_t version;   /* PIPC_SYSV_OPTIONS_VERSION */
  uint32_t flags;     /* PIPC_CREAT, PIPC_EXCL, PIPC_SHM_HUGETLB, PIPC_SHM_NORESERVE */
  uint32_t mode;      /* permission bits of a new segment (0777 at most) */
  uint32_t fill_byte; /* 0..255: every byte of a new segment (the kernel's own is 0);
                         see pipc_sysv_shm_open for huge pages */
  uint64_t size;      /* size of a new segment; 0: the page size. An existing segment
                         must be at least this big (else PIPC_EINVAL). */
} pipc_sysv_shm_options;

#define PIPC_SYSV_SHM_OPTIONS_INIT { PIPC_SYSV_OPTIONS_VERSION, 0u, PIPC_DEFAULT_MODE, 0u, 0u }

PIPC_API void pipc_sysv_shm_options_init(pipc_sysv_shm_options *opts);

/* Opens (or creates) the segment with KEY. The handle is not attached. The kernel's
 * limits give PIPC_ELIMIT with the one that applied named in pipc_last_message():
 * /proc/sys/kernel/shmmni (segments) or shmall (pages, with how many are in use);
 * /proc/sys/kernel/shmmax gives PIPC_ERANGE. A PIPC_SHM_HUGETLB segment whose huge pages
 * cannot be reserved gives PIPC_ENOMEM naming /proc/sys/vm/nr_hugepages. With
 * PIPC_SHM_NORESERVE they are not reserved, and a page the system cannot give kills the
 * process that first touches it with SIGBUS; a non-zero fill byte touches them all, so
 * there the open makes sure of them first and fails with PIPC_ELIMIT (naming
 * nr_hugepages and HugePages_Free) instead, removing the segment it made. */
PIPC_API int pipc_sysv_shm_open(pipc_sysv_shm **out, int64_t key, const pipc_sysv_shm_options *opts);
PIPC_API int pipc_sysv_shm_open_id(pipc_sysv_shm **out, int64_t id);
/* Another handle to the same segment, not attached. */
PIPC_API int pipc_sysv_shm_dup(pipc_sysv_shm **out, pipc_sysv_shm *shm);
/* Detaches (if attached) and frees the handle. */
PIPC_API int pipc_sysv_shm_close(pipc_sysv_shm *shm);

/* Attach flags. */
#define PIPC_SHM_ATTACH_READ_ONLY 0x1u /* SHM_RDONLY: writes give PIPC_EACCES */
#define PIPC_SHM_ATTACH_ROUND     0x2u /* SHM_RND: round ADDRESS down to SHMLBA */
#define PIPC_SHM_ATTACH_REMAP     0x4u /* SHM_REMAP: replace any mapping at ADDRESS */
#define PIPC_SHM_ATTACH_EXEC      0x8u /* SHM_EXEC: executable attachment */

/* Attaches the segment at ADDRESS (NULL: where the kernel chooses). A handle has at
 * most one attachment: attaching again replaces it. With PIPC_SHM_ATTACH_ROUND, an
 * ADDRESS below SHMLBA (it would round down to NULL) gives PIPC_EINVAL. */
PIPC_API int pipc_sysv_shm_attach(pipc_sysv_shm *shm, void *address, uint32_t flags);
/* PIPC_ENOTATTACHED when not attached. Waits for reads and writes in flight. */
PIPC_API int pipc_sysv_shm_detach(pipc_sysv_shm *shm);
PIPC_API int pipc_sysv_shm_attached(pipc_sysv_shm *shm);  /* 1, 0 or a negative status */
PIPC_API int pipc_sysv_shm_read_only(pipc_sysv_shm *shm); /* 1 for a read-only attachment */
/* The attachment's address; PIPC_ENOTATTACHED when not attached. Memory there stays
 * valid until pipc_sysv_shm_detach or _close on the handle. */
PIPC_API int pipc_sysv_shm_address(void **address_out, pipc_sysv_shm *shm);

/* Copies LEN bytes at OFFSET out of / into the attachment. The range must lie within
 * the segment (else PIPC_ERANGE); PIPC_ENOTATTACHED when not attached; writing through
 * a read-only attachment gives PIPC_EACCES. */
PIPC_API int pipc_sysv_shm_read(pipc_sysv_shm *shm, uint64_t offset, void *buf, size_t len);
PIPC_API int pipc_sysv_shm_write(pipc_sysv_shm *shm, uint64_t offset, const void *data, size_t len);

/* The segment's size in bytes (fixed at creation). */
PIPC_API int pipc_sysv_shm_size(uint64_t *size_out, pipc_sysv_shm *shm);

typedef struct pipc_sysv_shm_stat {
  pipc_sysv_perm perm;
  uint64_t size;
  uint64_t attach_count; /* attachments in every process */
  int64_t atime;         /* last attach, seconds since the epoch; 0 if none */
  int64_t dtime;         /* last detach */
  int64_t ctime;         /* last change */
  int32_t creator_pid;
  int32_t last_pid;      /* process of the last attach or detach */
} pipc_sysv_shm_stat;

PIPC_API int pipc_sysv_shm_stat_get(pipc_sysv_shm_stat *out, pipc_sysv_shm *shm);
PIPC_API int pipc_sysv_shm_set_perm(pipc_sysv_shm *shm, int64_t uid, int64_t gid, int64_t mode);

PIPC_API int pipc_sysv_shm_id(pipc_sysv_shm *shm);
PIPC_API int pipc_sysv_shm_key(int64_t *key_out, pipc_sysv_shm *shm); /* as opened */
PIPC_API int pipc_sysv_shm_created(pipc_sysv_shm *shm);
/* Marks the segment for removal: no key finds it any more, and it is destroyed when
 * the last attachment (in any process) goes. Attachments keep working until then. */
PIPC_API int pipc_sysv_shm_remove(pipc_sysv_shm *shm);
PIPC_API int pipc_sysv_shm_remove_id(int64_t id);

/* ---- Message queues -------------------------------------------------------------- */

typedef struct pipc_sysv_mq pipc_sysv_mq;

typedef struct pipc_sysv_mq_options {
  uint32_t version;  /* PIPC_SYSV_OPTIONS_VERSION */
  uint32_t flags;    /* PIPC_CREAT, PIPC_EXCL */
  uint32_t mode;      /* permission bits of a new queue (0777 at most) */
  uint64_t max_bytes; /* capacity of a new queue in bytes (1 .. INT32_MAX); 0: the system's
                         msgmnb. Above msgmnb it needs CAP_SYS_RESOURCE, else PIPC_EACCES
                         and no queue is left behind. Ignored when opening an existing queue. */
} pipc_sysv_mq_options;

#define PIPC_SYSV_MQ_OPTIONS_INIT { PIPC_SYSV_OPTIONS_VERSION, 0u, PIPC_DEFAULT_MODE, 0u }

PIPC_API void pipc_sysv_mq_options_init(pipc_sysv_mq_options *opts);

PIPC_API int pipc_sysv_mq_open(pipc_sysv_mq **out, int64_t key, const pipc_sysv_mq_options *opts);
PIPC_API int pipc_sysv_mq_open_id(pipc_sysv_mq **out, int64_t id);
/* Another handle to the same queue. */
PIPC_API int pipc_sysv_mq_dup(pipc_sysv_mq **out, pipc_sysv_mq *mq);
/* Frees the handle and ends the calls blocked on it at once (PIPC_EBADHANDLE). */
PIPC_API int pipc_sysv_mq_close(pipc_sysv_mq *mq);

/* Sends LEN bytes (at most pipc_sysv_mq_message_size_max()) with TYPE (>= 1), waiting up
 * to timeout_ns while the queue is full (the wait polls as receive's does). A message
 * longer than the queue's max_bytes can never fit: PIPC_EMSGSIZE (PIPC_EAGAIN with
 * timeout 0, which does not look). */
PIPC_API int pipc_sysv_mq_send(pipc_sysv_mq *mq, const void *data, size_t len, int64_t type,
                               int64_t timeout_ns);

/* Receive flags. */
#define PIPC_SYSV_MSG_TRUNCATE 0x1u /* MSG_NOERROR: cut a message longer than CAP to CAP */

/* Receives a message selected by TYPE: 0 the first in the queue, > 0 the first of that
 * type, < 0 the first of the lowest type <= |TYPE|. Waits up to timeout_ns. A message
 * longer than CAP gives PIPC_EMSGSIZE and stays queued, unless PIPC_SYSV_MSG_TRUNCATE.
 * type_out may be NULL.
 *
 * The kernel has no timed receive (nor send), and none that close could end: a wait
 * (timeout > 0 or PIPC_FOREVER) tries again after sleeps that grow from 0.1 ms to 50 ms,
 * so a message arriving during the wait is taken up to that much later, and an idle
 * waiter wakes 20 times a second. Timeout 0 tries once. */
PIPC_API int pipc_sysv_mq_receive(size_t *len_out, int64_t *type_out, pipc_sysv_mq *mq, void *buf,
                                  size_t cap, int64_t type, uint32_t flags, int64_t timeout_ns);

PIPC_API int pipc_sysv_mq_current_messages(uint64_t *out, pipc_sysv_mq *mq);
PIPC_API int pipc_sysv_mq_max_bytes(uint64_t *out, pipc_sysv_mq *mq);
/* 1 .. INT32_MAX (else PIPC_ERANGE). Raising it past /proc/sys/kernel/msgmnb needs
 * CAP_SYS_RESOURCE (else PIPC_EACCES). The kernel also lets a queue hold at most
 * max_bytes messages. */
PIPC_API int pipc_sysv_mq_set_max_bytes(pipc_sysv_mq *mq, uint64_t max_bytes);
PIPC_API int64_t pipc_sysv_mq_message_size_max(void); /* /proc/sys/kernel/msgmax */
PIPC_API int64_t pipc_sysv_mq_default_max_bytes(void); /* /proc/sys/kernel/msgmnb */

typedef struct pipc_sysv_mq_stat {
  pipc_sysv_perm perm;
  uint64_t current_messages;
  uint64_t current_bytes;
  uint64_t max_bytes;
  int64_t stime;            /* last send, seconds since the epoch; 0 if none */
  int64_t rtime;            /* last receive */
  int64_t ctime;            /* last change */
  int32_t last_send_pid;
  int32_t last_receive_pid;
} pipc_sysv_mq_stat;

PIPC_API int pipc_sysv_mq_stat_get(pipc_sysv_mq_stat *out, pipc_sysv_mq *mq);
PIPC_API int pipc_sysv_mq_set_perm(pipc_sysv_mq *mq, int64_t uid, int64_t gid, int64_t mode);

PIPC_API int pipc_sysv_mq_id(pipc_sysv_mq *mq);
PIPC_API int pipc_sysv_mq_key(int64_t *key_out, pipc_sysv_mq *mq); /* as opened */
PIPC_API int pipc_sysv_mq_created(pipc_sysv_mq *mq);
/* Removes the queue and its messages now; blocked senders and receivers get PIPC_ENOENT. */
PIPC_API int pipc_sysv_mq_remove(pipc_sysv_mq *mq);
PIPC_API int pipc_sysv_mq_remove_id(int64_t id);

PIPC_END_DECLS

#endif
