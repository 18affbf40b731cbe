#include "core/posix_sem.hpp"

#include <fcntl.h>

#include <cerrno>
#include <limits>
#include <new>

#include "core/deadline.hpp"
#include "core/open_object.hpp"
#include "core/system.hpp"

namespace pipc::core {

int sem_open(pipc_sem **out, const char *name, const pipc_sem_options &opts) {
  sem_t *sem = SEM_FAILED;
  const open_result opened = open_object(name, opts.flags, [&](const char *n, open_mode mode) {
    sem = mode == open_mode::create_exclusive
              ? ::sem_open(n, O_CREAT | O_EXCL, static_cast<mode_t>(opts.mode), opts.initial_value)
              : ::sem_open(n, 0);
    return sem == SEM_FAILED ? errno : 0;
  });
  if (opened.err != 0) {
    errno = opened.err;
    return os_fail("sem_open", opened.name.c_str());
  }
  pipc_sem *handle = new (std::nothrow) pipc_sem(sem, opened.name, opened.created);
  if (handle == nullptr) {
    if (opened.created) ::sem_unlink(opened.name.c_str());
    ::sem_close(sem);
    return fail(PIPC_ENOMEM, ENOMEM, "pipc_sem_open: no memory for the handle");
  }
  *out = handle;
  return PIPC_OK;
}

int sem_would_block() noexcept {
  return fail(PIPC_EAGAIN, EAGAIN, "pipc_sem_acquire: the value is 0");
}

int sem_wait_slow(pinned<pipc_sem> sem, int64_t timeout_ns) noexcept {
  if (errno != EAGAIN) return os_fail("sem_trywait", sem->name.c_str());
  int rc;
  if (timeout_ns == PIPC_FOREVER_RESTARTABLE) {
    rc = ::sem_wait(sem->sem);
  } else {
    // Even PIPC_FOREVER waits with a deadline (the far future): the kernel restarts
    // an untimed sem_wait after a handler installed with SA_RESTART, which would
    // keep PIPC_EINTR from the caller, but never a timed one.
    const int64_t far_future = std::numeric_limits<int64_t>::max();
    const timespec end = deadline(timeout_ns == PIPC_FOREVER ? far_future : timeout_ns).absolute();
    rc = ::sem_clockwait(sem->sem, CLOCK_MONOTONIC, &end);  // glibc >= 2.30 (meson checks)
  }
  if (rc == 0) return PIPC_OK;
  if (errno == ETIMEDOUT) return fail(PIPC_ETIMEDOUT, ETIMEDOUT, "pipc_sem_acquire: timed out");
  if (errno == EINTR) return fail(PIPC_EINTR, EINTR, "pipc_sem_acquire: interrupted by a signal");
  return os_fail("sem_clockwait", sem->name.c_str());
}

int sem_release_failed(const pipc_sem &sem) noexcept {
  if (errno == EOVERFLOW) {
    return fail(PIPC_ERANGE, EOVERFLOW, "pipc_sem_release: \"%s\" is at its maximum value %lld",
                sem.name.c_str(), static_cast<long long>(sem_value_max()));
  }
  return os_fail("sem_post", sem.name.c_str());
}

}  // namespace pipc::core
