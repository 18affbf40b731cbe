/* libpipc: named robust process-shared mutexes and condition variables. */
#ifndef PIPC_MUTEX_H
#define PIPC_MUTEX_H

#include "pipc/common.h"

PIPC_BEGIN_DECLS

/* Each object is a POSIX shared memory segment of its own (NAME as for pipc_shm_open)
 * holding a versioned header and the object: the mutex is process-shared, robust and
 * error-checking (glibc's pthread_mutex_t, locked by libpipc itself on the kernel's
 * robust futex protocol); the condition variable is libpipc's own and waits on
 * CLOCK_MONOTONIC. An object made by an incompatible libpipc gives PIPC_EINVAL, one
 * whose creator has not finished initialising it within a second PIPC_EAGAIN.
 * Waits end with PIPC_EINTR when a signal handler installed without SA_RESTART runs
 * (one with SA_RESTART resumes them), and with PIPC_EBADHANDLE at
 * once when a handle they use is closed. pipc_mutex_open gives PIPC_ENOTSUP where the
 * C library does not keep robust mutexes as glibc does. None of these functions is
 * async-signal-safe. */
typedef struct pipc_mutex pipc_mutex;
typedef struct pipc_cond pipc_cond;

#define PIPC_MUTEX_OPTIONS_VERSION 1u

typedef struct pipc_mutex_options {
  uint32_t version; /* PIPC_MUTEX_OPTIONS_VERSION */
  uint32_t flags;   /* PIPC_CREAT, PIPC_EXCL */
  uint32_t mode;    /* permission bits of a new object */
} pipc_mutex_options;

#define PIPC_MUTEX_OPTIONS_INIT { PIPC_MUTEX_OPTIONS_VERSION, 0u, PIPC_DEFAULT_MODE }

PIPC_API void pipc_mutex_options_init(pipc_mutex_options *opts);

/* Opens (or creates, per opts->flags) the mutex NAME; a NULL name creates one with a
 * random unused name. NULL opts means PIPC_MUTEX_OPTIONS_INIT. */
PIPC_API int pipc_mutex_open(pipc_mutex **out, const char *name, const pipc_mutex_options *opts);

/* Opens another handle to the mutex of MUTEX, also after its name was unlinked. */
PIPC_API int pipc_mutex_dup(pipc_mutex **out, pipc_mutex *mutex);

/* Releases the handle; NULL is a no-op. Never unlinks, and never unlocks: a lock the
 * calling thread holds stays held by it. */
PIPC_API int pipc_mutex_close(pipc_mutex *mutex);

/* Locks, waiting up to timeout_ns (PIPC_FOREVER, 0, or > 0): PIPC_EAGAIN when a try
 * finds it locked, PIPC_ETIMEDOUT when the time runs out, PIPC_EINTR after a signal
 * handler ran (not locked then: retry with the time left). PIPC_EOWNERDEAD: the lock
 * was acquired, but its previous owner died holding it. PIPC_ENOTRECOVERABLE: it can
 * never be locked again. PIPC_EINVAL when the calling thread holds it already. */
PIPC_API int pipc_mutex_lock(pipc_mutex *mutex, int64_t timeout_ns);

/* Unlocks; PIPC_EACCES when the calling thread does not hold it. */
PIPC_API int pipc_mutex_unlock(pipc_mutex *mutex);

/* After PIPC_EOWNERDEAD: marks the state the caller repaired consistent, so that the
 * next unlock leaves the mutex usable. PIPC_EINVAL when there is nothing to mark. */
PIPC_API int pipc_mutex_consistent(pipc_mutex *mutex);

/* The name, owned by the handle and valid until it is closed; NULL for a bad handle. */
PIPC_API const char *pipc_mutex_name(pipc_mutex *mutex);

/* 1 if this open created the mutex, 0 if not, or a negative status. */
PIPC_API int pipc_mutex_created(pipc_mutex *mutex);

/* Removes the name; the mutex lives on until every handle is closed. */
PIPC_API int pipc_mutex_unlink(pipc_mutex *mutex);
PIPC_API int pipc_mutex_unlink_name(const char *name);

#define PIPC_COND_OPTIONS_VERSION 1u

typedef struct pipc_cond_options {
  uint32_t version; /* PIPC_COND_OPTIONS_VERSION */
  uint32_t flags;   /* PIPC_CREAT, PIPC_EXCL */
  uint32_t mode;    /* permission bits of a new object */
} pipc_cond_options;

#define PIPC_COND_OPTIONS_INIT { PIPC_COND_OPTIONS_VERSION, 0u, PIPC_DEFAULT_MODE }

PIPC_API void pipc_cond_options_init(pipc_cond_options *opts);

/* Opens (or creates) the condition variable NAME, an object of its own that any
 * pipc_mutex may guard. */
PIPC_API int pipc_cond_open(pipc_cond **out, const char *name, const pipc_cond_options *opts);
PIPC_API int pipc_cond_dup(pipc_cond **out, pipc_cond *cond);
PIPC_API int pipc_cond_close(pipc_cond *cond);

/* Unlocks MUTEX (which the calling thread holds), waits for a signal up to timeout_ns,
 * and locks MUTEX again before it returns, whatever the status (PIPC_EOWNERDEAD passes
 * through from the relock; PIPC_EINTR after a signal handler ran), except PIPC_EACCES
 * (the caller did not hold it), argument errors, and PIPC_EBADHANDLE when MUTEX's
 * handle was closed during the wait (a close of COND's handle ends the wait with the
 * mutex locked again). Wakeups may be spurious: wait in a loop on a predicate. */
PIPC_API int pipc_cond_wait(pipc_cond *cond, pipc_mutex *mutex, int64_t timeout_ns);

/* Wakes at least one waiter / every waiter. */
PIPC_API int pipc_cond_signal(pipc_cond *cond);
PIPC_API int pipc_cond_broadcast(pipc_cond *cond);

PIPC_API const char *pipc_cond_name(pipc_cond *cond);
PIPC_API int pipc_cond_created(pipc_cond *cond);
PIPC_API int pipc_cond_unlink(pipc_cond *cond);
PIPC_API int pipc_cond_unlink_name(const char *name);

PIPC_END_DECLS

#endif
