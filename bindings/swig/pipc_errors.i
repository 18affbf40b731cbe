/* The classes of libpipc's statuses, shared by every binding: each language maps a
 * class to its own exception (see DESIGN.md, "Status classes"). */
%{
#include <limits.h>
#include <pipc.h>

typedef enum pipc_error_class {
  PIPC_CLASS_NONE,         /* PIPC_OK */
  PIPC_CLASS_EXISTENTIAL,  /* missing, already there, removed, closed handle */
  PIPC_CLASS_PERMISSIONS,
  PIPC_CLASS_BUSY,         /* would block, timed out */
  PIPC_CLASS_SIGNAL,
  PIPC_CLASS_VALUE,        /* bad argument, size, range */
  PIPC_CLASS_UNSUPPORTED,
  PIPC_CLASS_MEMORY,
  PIPC_CLASS_NOT_ATTACHED,
  PIPC_CLASS_OWNER_DEAD,       /* locked, but the previous owner died holding the lock */
  PIPC_CLASS_NOT_RECOVERABLE,  /* a lock that can never be taken again */
  PIPC_CLASS_OS            /* limits and other OS errors: carry errno */
} pipc_error_class;

static pipc_error_class pipc_error_class_of(int status) {
  switch (status) {
    case PIPC_OK: return PIPC_CLASS_NONE;
    case PIPC_ENOENT: case PIPC_EEXIST: case PIPC_EBADHANDLE: return PIPC_CLASS_EXISTENTIAL;
    case PIPC_EACCES: return PIPC_CLASS_PERMISSIONS;
    case PIPC_EAGAIN: case PIPC_ETIMEDOUT: return PIPC_CLASS_BUSY;
    case PIPC_EINTR: return PIPC_CLASS_SIGNAL;
    case PIPC_EINVAL: case PIPC_EMSGSIZE: case PIPC_ERANGE: return PIPC_CLASS_VALUE;
    case PIPC_ENOTSUP: return PIPC_CLASS_UNSUPPORTED;
    case PIPC_ENOMEM: return PIPC_CLASS_MEMORY;
    case PIPC_ENOTATTACHED: return PIPC_CLASS_NOT_ATTACHED;
    case PIPC_EOWNERDEAD: return PIPC_CLASS_OWNER_DEAD;
    case PIPC_ENOTRECOVERABLE: return PIPC_CLASS_NOT_RECOVERABLE;
    default: return PIPC_CLASS_OS;
  }
}

/* A status of the bindings' own, never a pipc status: this object has been closed. Each
 * binding raises for it the exception of PIPC_EBADHANDLE, saying that the object has been
 * closed. */
#define PIPC_BINDING_CLOSED (INT_MIN + 1)

/* The status of a wait made without the interpreter's lock. close() from another thread
 * closes the handle at once, and the core ends the waits on it with PIPC_EBADHANDLE (a
 * binding's handle is closed by nothing else): the waiting call then raises what any
 * later call on the closed object raises. */
static inline int pipc_binding_wait_status(int rc) {
  return rc == PIPC_EBADHANDLE ? PIPC_BINDING_CLOSED : rc;
}
%}
