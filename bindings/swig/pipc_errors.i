/* The classes of libpipc's statuses, shared by every binding: each language maps a
 * class to its own exception (see DESIGN.md, "Status classes"). */
%{
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
    default: return PIPC_CLASS_OS;
  }
}
%}
