// Per-thread error detail and the mapping from errno to pipc_status.
#pragma once

#include "pipc/errors.h"

namespace pipc::core {

// Records STATUS with the OS error ERR and a printf-style detail message for
// pipc_last_errno()/pipc_last_message(), and returns STATUS.
int fail(int status, int err, const char *fmt, ...) noexcept __attribute__((format(printf, 3, 4), cold));

// The pipc_status class of an errno value.
int status_of_errno(int err) noexcept;

// Records the current errno from the OS call CALL on object NAME (may be NULL) and
// returns its status. Limit errors (EMFILE, ENFILE, ENOSPC) name the limit involved.
int os_fail(const char *call, const char *name) noexcept __attribute__((cold));

// Records STATUS for the OS error ERR of CALL on OBJECT (a quoted name, or "key
// 0x..."): "CALL on OBJECT: strerror(ERR): " followed by the printf-style detail, which
// says why, e.g. which limit applied and its value. Returns STATUS.
int explained_fail(int status, int err, const char *call, const char *object, const char *fmt,
                   ...) noexcept __attribute__((format(printf, 5, 6), cold));

// Argument errors: record and return PIPC_EINVAL / PIPC_ERANGE / PIPC_EBADHANDLE.
int invalid(const char *fmt, ...) noexcept __attribute__((format(printf, 1, 2), cold));
int out_of_range(const char *fmt, ...) noexcept __attribute__((format(printf, 1, 2), cold));
int bad_handle(const char *function) noexcept __attribute__((cold));
// PIPC_EBADHANDLE for a call that was waiting when its handle was closed.
int closed_while_waiting(const char *function) noexcept __attribute__((cold));
// PIPC_ELIMIT: every slot of the handle table is in use.
int table_full(const char *function) noexcept __attribute__((cold));

// What the last failing call in this thread recorded.
int last_errno() noexcept;
const char *last_message() noexcept;

}  // namespace pipc::core
