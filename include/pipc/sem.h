/* libpipc: POSIX named semaphores. */
#ifndef PIPC_SEM_H
#define PIPC_SEM_H

#include "pipc/common.h"

PIPC_BEGIN_DECLS

typedef struct pipc_sem pipc_sem;

#define PIPC_SEM_OPTIONS_VERSION 1u

typedef struct pipc_sem_options {
  uint32_t version;       /* PIPC_SEM_OPTIONS_VERSION */
  uint32_t flags;         /* PIPC_CREAT, PIPC_EXCL */
  uint32_t mode;          /* permission bits of a new semaphore */
  uint32_t initial_value; /* value of a new semaphore, <= pipc_sem_value_max() */
} pipc_sem_options;

#define PIPC_SEM_OPTIONS_INIT { PIPC_SEM_OPTIONS_VERSION, 0u, PIPC_DEFAULT_MODE, 0u }

PIPC_API void pipc_sem_options_init(pipc_sem_options *opts);

/* Opens (or creates, per opts->flags) the semaphore NAME. A NULL name creates a
 * semaphore with a random unused name. NULL opts means PIPC_SEM_OPTIONS_INIT. */
PIPC_API int pipc_sem_open(pipc_sem **out, const char *name, const pipc_sem_options *opts);

/* Opens another handle to the semaphore of SEM, also after its name was unlinked. */
PIPC_API int pipc_sem_dup(pipc_sem **out, pipc_sem *sem);

/* Releases the handle and ends the calls blocked on it (PIPC_EBADHANDLE); NULL is a no-op.
 * Never unlinks. */
PIPC_API int pipc_sem_close(pipc_sem *sem);

/* Decrements the value, waiting up to timeout_ns (PIPC_FOREVER, 0, or > 0). The wait uses
 * glibc's semaphore protocol, so it works with sem_post and sem_wait in other programs. */
PIPC_API int pipc_sem_acquire(pipc_sem *sem, int64_t timeout_ns);

/* Increments the value; PIPC_ERANGE past pipc_sem_value_max(). */
PIPC_API int pipc_sem_release(pipc_sem *sem);

/* Stores the current value in *value_out (read from the semaphore word, as sem_getvalue
 * does); it may have changed by the time the caller looks. */
PIPC_API int pipc_sem_value(int *value_out, pipc_sem *sem);

/* The semaphore's name, owned by the handle and valid until it is closed; NULL for a bad
 * handle. */
PIPC_API const char *pipc_sem_name(pipc_sem *sem);

/* 1 if this open created the semaphore, 0 if not, or a negative status. */
PIPC_API int pipc_sem_created(pipc_sem *sem);

/* Removes the name; the semaphore lives on until every handle is closed. */
PIPC_API int pipc_sem_unlink(pipc_sem *sem);
PIPC_API int pipc_sem_unlink_name(const char *name);

PIPC_END_DECLS

#endif
