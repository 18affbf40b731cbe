#include "core/sysv_sem.hpp"

#include <sys/sem.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <new>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/sysv_limits.hpp"
#include "core/sysv_sem_wait.hpp"

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
int set_initial_value(const sysv_sem &sem, const pipc_sysv_sem_options &opts) {
  const uint32_t value = opts.initial_value;
  if (opts.flags & PIPC_SYSV_SEM_SETVAL) {
    sem_arg arg{};
    arg.val = static_cast<int>(value);
    if (::semctl(sem.id, 0, SETVAL, arg) == 0) return PIPC_OK;
    return sysv_fail("pipc_sysv_sem_open", "semctl(SETVAL)", sem);
  }
  sembuf op{0, static_cast<short>(value), static_cast<short>(value == 0 ? IPC_NOWAIT : 0)};
  if (::semop(sem.id, &op, 1) == 0) return PIPC_OK;
  if (errno == E2BIG) {
    return semop_limit_failed("pipc_sysv_sem_open", "semop (initial value)", sem.key, sem.id);
  }
  return sysv_fail("pipc_sysv_sem_open", "semop (initial value)", sem);
}

// Sets up a set this call created: its value, then its mode if it was widened.
int initialise(const sysv_sem &sem, const pipc_sysv_sem_options &opts) {
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
    case E2BIG:
      return semop_limit_failed(function, "semtimedop", sysv_object_name::no_key, id);
    default:
      return sysv_id_fail(function, "semtimedop", id);
  }
}

// Until the creator of a set has given it its value, its semaphore's last-operation
// pid is 0: semop and SETVAL both set it. An open that finds such a set waits for
// that (up to half a second), so that no operation through the new handle applies
// before the creator's value, and the value is set exactly once. Only for a set
// made in the last young_set_s seconds: an older one that nobody ever touched keeps
// the value it has. Without read permission (GETPID fails) there is nothing to
// wait for.
void wait_until_initialised(int id) {
  constexpr int64_t young_set_s = 1;
  constexpr int64_t longest_pause_ns = 10 * 1000 * 1000;
  const deadline until(ns_per_s / 2);
  for (int64_t pause_ns = 100 * 1000; !until.passed();
       pause_ns = std::min(2 * pause_ns, longest_pause_ns)) {
    if (::semctl(id, 0, GETPID) != 0) return;
    semid_ds ds{};
    sem_arg arg{};
    arg.buf = &ds;
    if (::semctl(id, 0, IPC_STAT, arg) != 0 || std::time(nullptr) - ds.sem_ctime > young_set_s) {
      return;
    }
    const timespec pause{0, static_cast<long>(pause_ns)};
    clock_nanosleep(CLOCK_MONOTONIC, 0, &pause, nullptr);
  }
}

// Makes the handle for set ID (see adopt_sysv).
template <class Setup>
int make_handle(pipc_sysv_sem **out, int id, int64_t key, bool created, const char *function,
                Setup setup) {
  return adopt_sysv(out, new (std::nothrow) sysv_sem(id, key, created), id, created, function,
                    setup, [](int removed) { ::semctl(removed, 0, IPC_RMID); });
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
    return semget_failed(r.key);
  }
  if (!r.created) wait_until_initialised(r.id);
  return make_handle(out, r.id, r.key, r.created, "pipc_sysv_sem_open", [&](sysv_sem &sem) {
    return r.created ? initialise(sem, opts) : PIPC_OK;
  });
}

int sysv_sem_open_id(pipc_sysv_sem **out, int id) {
  semid_ds ds{};
  sem_arg arg{};
  arg.buf = &ds;
  if (::semctl(id, 0, IPC_STAT, arg) != 0) {
    return sysv_id_fail("pipc_sysv_sem_open_id", "semctl(IPC_STAT)", id);
  }
  return make_handle(out, id, ds.sem_perm.__key, false, "pipc_sysv_sem_open_id",
                     nothing_to_set_up);
}

int sysv_sem_dup(pipc_sysv_sem **out, const sysv_sem &sem) {
  return make_handle(out, sem.id, sem.key, false, "pipc_sysv_sem_dup", [&](sysv_sem &copy) {
    copy.undo.store(sem.undo.load(std::memory_order_relaxed), std::memory_order_relaxed);
    copy.nonblocking.store(sem.nonblocking.load(std::memory_order_relaxed),
                           std::memory_order_relaxed);
    return PIPC_OK;
  });
}

int sysv_sem_set_perm(const sysv_sem &sem, int64_t uid, int64_t gid, int64_t mode,
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
  call<pipc_sysv_sem> s(sem);
  if (!s) return bad_handle(function);
  if (kind != sem_op_kind::wait_zero &&
      __builtin_expect(delta == 0 || delta > sysv_sem_value_max, 0)) {
    return out_of_range("%s: delta %u is not between 1 and %d", function, delta,
                        sysv_sem_value_max);
  }
  if (__builtin_expect(timeout_invalid(timeout_ns), 0)) return check_timeout(timeout_ns, function);
  sembuf op{0, 0, IPC_NOWAIT};
  const short magnitude = static_cast<short>(delta);
  if (kind == sem_op_kind::acquire) op.sem_op = static_cast<short>(-magnitude);
  if (kind == sem_op_kind::release) op.sem_op = magnitude;
  if (kind != sem_op_kind::wait_zero && s->undo.load(std::memory_order_relaxed)) {
    op.sem_flg |= SEM_UNDO;
  }
  // One try that cannot sleep, inside the call's reader section.
  if (::semop(s->id, &op, 1) == 0) return PIPC_OK;
  const bool may_wait = errno == EAGAIN && timeout_ns != 0 &&
                        !s->nonblocking.load(std::memory_order_relaxed);
  if (!may_wait) return operation_failed(function, s->id, op, timeout_ns);
  op.sem_flg &= ~IPC_NOWAIT;
  const pinned<sysv_sem> waiting = s.pin();
  const int err = sysv_sem_wait(*waiting, waiting->id, op, timeout_ns);
  if (err == 0) return PIPC_OK;
  if (err == EBADF) return closed_while_waiting(function);
  return operation_failed(function, waiting->id, op, timeout_ns);
}

}  // namespace pipc::core
