/* libpipc: status codes and per-thread error detail. */
#ifndef PIPC_ERRORS_H
#define PIPC_ERRORS_H

#include "pipc/common.h"

PIPC_BEGIN_DECLS

/* Every fallible function returns PIPC_OK or one of these. The values are stable
 * forever and never reused. */
typedef enum pipc_status {
  PIPC_OK = 0,
  PIPC_ERROR = -1,       /* an OS error with no better class: see pipc_last_errno() */
  PIPC_EINVAL = -2,      /* bad argument: NULL pointer, bad name, unknown flag, bad option version */
  PIPC_ENOENT = -3,      /* the object does not exist */
  PIPC_EEXIST = -4,      /* the object exists and PIPC_EXCL was given */
  PIPC_EACCES = -5,      /* permission denied, or the handle was not opened for this access */
  PIPC_EAGAIN = -6,      /* the call would block (timeout 0 or non-blocking mode) */
  PIPC_ETIMEDOUT = -7,   /* the timeout expired */
  PIPC_EINTR = -8,       /* a signal arrived during the wait: run handlers, retry with the time left */
  PIPC_EMSGSIZE = -9,    /* message longer than the queue allows, or a buffer too small for one */
  PIPC_ERANGE = -10,     /* a number out of range: size, priority, value, timeout */
  PIPC_EBADHANDLE = -11, /* NULL, foreign, or closed handle */
  PIPC_ENOTSUP = -12,    /* the platform lacks this operation */
  PIPC_ELIMIT = -13,     /* a system limit was hit: pipc_last_message() names it */
  PIPC_ENOMEM = -14,     /* out of memory */
  PIPC_ENOTATTACHED = -15, /* System V shared memory: the handle has no attachment */
  PIPC_EOWNERDEAD = -16,   /* robust mutex: the lock WAS acquired, but its previous owner died
                            * holding it: repair the data, pipc_mutex_consistent, unlock */
  PIPC_ENOTRECOVERABLE = -17 /* robust mutex: unlocked after an owner death without being made
                              * consistent; it can never be locked again */
} pipc_status;

/* Static English text for STATUS (never NULL; unknown values give "unknown status"). */
PIPC_API const char *pipc_strerror(int status);

/* The OS errno behind the last failing pipc call in this thread (0 if none). */
PIPC_API int pipc_last_errno(void);

/* Detail of the last failing pipc call in this thread: which call, which name, which
 * limit. Valid until the next failing call in the same thread; "" if none. */
PIPC_API const char *pipc_last_message(void);

PIPC_END_DECLS

#endif
