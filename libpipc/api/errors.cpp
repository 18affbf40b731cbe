// Entry points: status text and per-thread error detail.
#include "core/error.hpp"

extern "C" {

PIPC_API int pipc_last_errno(void) { return pipc::core::last_errno(); }

PIPC_API const char *pipc_last_message(void) { return pipc::core::last_message(); }

PIPC_API const char *pipc_strerror(int status) {
  switch (status) {
    case PIPC_OK: return "success";
    case PIPC_ERROR: return "operating system error";
    case PIPC_EINVAL: return "invalid argument";
    case PIPC_ENOENT: return "no such object";
    case PIPC_EEXIST: return "object already exists";
    case PIPC_EACCES: return "permission denied";
    case PIPC_EAGAIN: return "operation would block";
    case PIPC_ETIMEDOUT: return "timed out";
    case PIPC_EINTR: return "interrupted by a signal";
    case PIPC_EMSGSIZE: return "message or buffer size out of bounds";
    case PIPC_ERANGE: return "value out of range";
    case PIPC_EBADHANDLE: return "invalid or closed handle";
    case PIPC_ENOTSUP: return "not supported on this platform";
    case PIPC_ELIMIT: return "system limit reached";
    case PIPC_ENOMEM: return "out of memory";
    case PIPC_ENOTATTACHED: return "the shared memory segment is not attached";
    case PIPC_EOWNERDEAD: return "the lock was acquired, but its previous owner died holding it";
    case PIPC_ENOTRECOVERABLE: return "the lock is not recoverable";
    default: return "unknown status";
  }
}

}  // extern "C"
