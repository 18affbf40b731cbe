#include "core/sysv_sem.hpp"

#include <sys/sem.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <memory>
#include <new>

#include "core/deadline.hpp"
#include "core/error.hpp"

namespace pipc::core {
namespace {

constexpr int64_t ns_per_s = 1000000000;

// The owner's access a new set is made with until its value is set: the first
// semop needs alter (or, for 0, read) permission, and the IPC_STAT before
// restoring the mode needs read. Without CAP_IPC_OWNER a mode such as 0 or 0400
// would deny them to the creator itself. Only the owner gains, and only until
// the mode is given right after the value.
constexpr uint32_t owner_rw = 0600;

const char *function_of(sem_op_kind kind) {
  switch (kind) {
    case sem_op_kind::acquire: return "pipc_sysv_sem_acquire";
    case sem_op_kind::release: return "pipc_sysv_sem_release";
    case sem_op_kind::wait_zero: break;
  }
  return "pipc_sysv_sem_wait_zero";
}

// Gives a new set its initial value with a semop rather than SETVAL, so that
// sem_otime turns non-zero exactly when the value is there: a process that finds
// otime 0 knows the creator has not finished (the usual System V initialisation
// pattern). For 0 the operation is a wait-for-zero, which succeeds at once. With
// PIPC_SYSV_SEM_SETVAL it is SETVAL, which leaves otime 0 (sysv_ipc's way).
int set_initial_value(const pipc_sysv_sem &sem, const pipc_sysv_sem_options &opts) {
  const uint32_t value = opts.initial_value;
  if (opts.flags & PIPC_SYSV_SEM_SETVAL) {
    sem_arg arg{};
    arg.val = static_cast<int>(value);
    if (::semctl(sem.id, 0, SETVAL, arg) == 0) return PIPC_OK;
    return sysv_fail("pipc_sysv_sem_open", "semctl(SETVAL)", sem);
  }
  sembuf op{0, static_cast<short>(value), static_cast<short>(value == 0 ? IPC_NOWAIT : 0)};
  if (::semop(sem.id, &op, 1) == 0) return PIPC_OK;
  return sysv_fail("pipc_sysv_sem_open", "semop (initial value)", sem);
}

// Sets up a set this call created: its value, then its mode if it was widened.
int initialise(const pipc_sysv_sem &sem, const pipc_sysv_sem_options &opts) {
  const int rc = set_initial_value(sem, opts);
  if (rc != PIPC_OK || (opts.mode & owner_rw) == owner_rw) return rc;
  return sysv_sem_set_perm(sem, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, opts.mode, "pipc_sysv_sem_open");
}

__attribute__((cold)) int operation_failed(const char *function, int id, const sembuf &op,
                                           int64_t timeout_ns) noexcept {
  switch (errno) {
    case EAGAIN:
      if (op.sem_flg & IPC_NOWAIT) {
        return fail(PIPC_EAGAIN, EAGAIN,
                    "%s: id %d: the semaphore is not ready and the call may not wait "
                    "(timeout 0 or non-blocking mode)",
                    function, id);
      }
      return fail(PIPC_ETIMEDOUT, ETIMEDOUT, "%s: id %d: timed out after %lld ns", function, id,
                  static_cast<long long>(timeout_ns));
    case EINTR:
      return fail(PIPC_EINTR, EINTR, "%s: id %d: interrupted by a signal", function, id);
    case ERANGE:
      return fail(PIPC_ERANGE, ERANGE,
                  "%s: id %d: the value (or this process's undo adjustment) would pass %d",
                  function, id, sysv_sem_value_max);
    default:
      return sysv_id_fail(function, "semtimedop", id);
  }
}

}  // namespace

int sysv_sem_open(pipc_sysv_sem **out, int64_t key, const pipc_sysv_sem_options &opts) {
  const sysv_open_result r = sysv_open(key, opts.flags, [&](key_t k, int ipc_flags) {
    // Opening an existing set asks for the access MODE grants; see owner_rw for creating.
    const uint32_t mode = ipc_flags != 0 ? opts.mode | owner_rw : opts.mode;
    return ::semget(k, 1, ipc_flags | static_cast<int>(mode));
  });
  if (r.err != 0) {
    errno = r.err;
    return sysv_key_fail("pipc_sysv_sem_open: semget", r.key);
  }
  std::unique_ptr<pipc_sysv_sem> sem(new (std::nothrow) pipc_sysv_sem(r.id, r.key, r.created));
  int rc = sem ? PIPC_OK
               : fail(PIPC_ENOMEM, ENOMEM, "pipc_sysv_sem_open: no memory for the handle");
  if (rc == PIPC_OK && r.created) rc = initialise(*sem, opts);
  if (rc != PIPC_OK) {
    // A set this call made but could not set up goes again (errno is recorded already).
    if (r.created) ::semctl(r.id, 0, IPC_RMID);
    return rc;
  }
  *out = sem.release();
  return PIPC_OK;
}

int sysv_sem_open_id(pipc_sysv_sem **out, int id) {
  semid_ds ds{};
  sem_arg arg{};
  arg.buf = &ds;
  if (::semctl(id, 0, IPC_STAT, arg) != 0) {
    return sysv_id_fail("pipc_sysv_sem_open_id", "semctl(IPC_STAT)", id);
  }
  pipc_sysv_sem *sem = new (std::nothrow) pipc_sysv_sem(id, ds.sem_perm.__key, false);
  if (sem == nullptr) {
    return fail(PIPC_ENOMEM, ENOMEM, "pipc_sysv_sem_open_id: no memory for the handle");
  }
  *out = sem;
  return PIPC_OK;
}

int sysv_sem_set_perm(const pipc_sysv_sem &sem, int64_t uid, int64_t gid, int64_t mode,
                      const char *function) {
  const auto ctl = [id = sem.id](int cmd, semid_ds *ds) {
    sem_arg arg{};
    arg.buf = ds;
    return ::semctl(id, 0, cmd, arg);
  };
  return sysv_set_perm(sem, uid, gid, mode, function, ctl, &semid_ds::sem_perm);
}

int sysv_sem_operate(pipc_sysv_sem *sem, sem_op_kind kind, uint32_t delta,
                     int64_t timeout_ns) noexcept {
  const char *function = function_of(kind);
  sembuf op{0, 0, 0};
  int id = -1;
  {
    call<pipc_sysv_sem> s(sem);
    if (!s) return bad_handle(function);
    id = s->id;
    if (kind != sem_op_kind::wait_zero && s->undo.load(std::memory_order_relaxed)) {
      op.sem_flg |= SEM_UNDO;
    }
    if (s->nonblocking.load(std::memory_order_relaxed)) op.sem_flg |= IPC_NOWAIT;
  }  // The handle is left here: the kernel may sleep below, and only locals are used.
  if (kind != sem_op_kind::wait_zero &&
      __builtin_expect(delta == 0 || delta > sysv_sem_value_max, 0)) {
    return out_of_range("%s: delta %u is not between 1 and %d", function, delta,
                        sysv_sem_value_max);
  }
  if (__builtin_expect(timeout_invalid(timeout_ns), 0)) return check_timeout(timeout_ns, function);
  const short magnitude = static_cast<short>(delta);
  if (kind == sem_op_kind::acquire) op.sem_op = static_cast<short>(-magnitude);
  if (kind == sem_op_kind::release) op.sem_op = magnitude;
  if (timeout_ns == 0) op.sem_flg |= IPC_NOWAIT;
  const bool timed = timeout_ns > 0 && !(op.sem_flg & IPC_NOWAIT);
  const timespec relative{static_cast<time_t>(timeout_ns / ns_per_s),
                          static_cast<long>(timeout_ns % ns_per_s)};
  // semtimedop also without a timeout (NULL), as glibc's semop does: the same
  // system call whatever the timeout.
  if (::semtimedop(id, &op, 1, timed ? &relative : nullptr) == 0) return PIPC_OK;
  return operation_failed(function, id, op, timeout_ns);
}

}  // namespace pipc::core
