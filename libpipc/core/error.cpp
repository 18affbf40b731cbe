#include "core/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <sys/resource.h>

#include "core/handle_table.hpp"

namespace pipc::core {
namespace {

thread_local int core_last_errno = 0;
thread_local char core_last_message[512] = "";

int record(int status, int err, const char *fmt, va_list ap) {
  core_last_errno = err;
  if (std::strchr(fmt, '%') == nullptr) {
    // A fixed text, as most would-block failures have: those are a polling caller's
    // hot path, and copying is several times cheaper than vsnprintf.
    const size_t len = std::min(std::strlen(fmt), sizeof core_last_message - 1);
    std::memcpy(core_last_message, fmt, len);
    core_last_message[len] = '\0';
  } else {
    std::vsnprintf(core_last_message, sizeof core_last_message, fmt, ap);
  }
  return status;
}

// The limit a limit-class errno most likely hit, for the detail message.
void describe_limit(int err, char *out, size_t cap) {
  struct rlimit rl {};
  if (err == EMFILE && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    std::snprintf(out, cap, "per-process descriptor limit RLIMIT_NOFILE (%llu)",
                  static_cast<unsigned long long>(rl.rlim_cur));
  } else if (err == ENFILE) {
    std::snprintf(out, cap, "system-wide open file limit /proc/sys/fs/file-max");
  } else {
    std::snprintf(out, cap, "no space left on the device or in a system table");
  }
}

}  // namespace

int fail(int status, int err, const char *fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  record(status, err, fmt, ap);
  va_end(ap);
  return status;
}

int explained_fail(int status, int err, const char *call, const char *object, const char *fmt,
                   ...) noexcept {
  char detail[384];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  return fail(status, err, "%s on %s: %s: %s", call, object, std::strerror(err), detail);
}

int invalid(const char *fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  record(PIPC_EINVAL, EINVAL, fmt, ap);
  va_end(ap);
  return PIPC_EINVAL;
}

int out_of_range(const char *fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  record(PIPC_ERANGE, ERANGE, fmt, ap);
  va_end(ap);
  return PIPC_ERANGE;
}

int bad_handle(const char *function) noexcept {
  return fail(PIPC_EBADHANDLE, EBADF, "%s: the handle is NULL, closed or not of this kind",
              function);
}

int closed_while_waiting(const char *function) noexcept {
  return fail(PIPC_EBADHANDLE, EBADF, "%s: the handle was closed during the wait", function);
}

int table_full(const char *function) noexcept {
  return fail(PIPC_ELIMIT, EMFILE, "%s: libpipc's limit of %llu open handles per process is reached",
              function, static_cast<unsigned long long>(table::capacity));
}

int status_of_errno(int err) noexcept {
  switch (err) {
    case ENOENT: case EIDRM: return PIPC_ENOENT;
    case EEXIST: return PIPC_EEXIST;
    case EACCES: case EPERM: return PIPC_EACCES;
    case EAGAIN: case EBUSY: return PIPC_EAGAIN;
    case ETIMEDOUT: return PIPC_ETIMEDOUT;
    case EINTR: return PIPC_EINTR;
    case EINVAL: case ENAMETOOLONG: return PIPC_EINVAL;
    case EMSGSIZE: return PIPC_EMSGSIZE;
    case ERANGE: case EOVERFLOW: case EFBIG: return PIPC_ERANGE;
    case EBADF: return PIPC_EBADHANDLE;
    case ENOSYS: case ENOTSUP: return PIPC_ENOTSUP;
    case EMFILE: case ENFILE: case ENOSPC: return PIPC_ELIMIT;
    case ENOMEM: return PIPC_ENOMEM;
    case EOWNERDEAD: return PIPC_EOWNERDEAD;
    case ENOTRECOVERABLE: return PIPC_ENOTRECOVERABLE;
    case EDEADLK: return PIPC_EINVAL;  // a relock by the owner: a caller's error, never a wait
    default: return PIPC_ERROR;
  }
}

int os_fail(const char *call, const char *name) noexcept {
  const int err = errno;
  const int status = status_of_errno(err);
  char what[160] = "";
  if (name != nullptr) std::snprintf(what, sizeof what, " on \"%.120s\"", name);
  if (status == PIPC_ELIMIT) {
    char limit[128];
    describe_limit(err, limit, sizeof limit);
    return fail(status, err, "%s%s: %s: %s", call, what, std::strerror(err), limit);
  }
  return fail(status, err, "%s%s: %s", call, what, std::strerror(err));
}

int last_errno() noexcept { return core_last_errno; }

const char *last_message() noexcept { return core_last_message; }

}  // namespace pipc::core
