// Entry points: System V semaphores.
#include <sys/sem.h>

#include <atomic>

#include "api/entry.hpp"
#include "core/sysv.hpp"
#include "core/sysv_sem.hpp"

using pipc::core::call;
using pipc::core::sem_op_kind;
using pipc::core::sysv_sem;
using pipc::core::sysv_sem_value_max;

namespace {

int check_sem_options(const pipc_sysv_sem_options &options, const char *fn) {
  const int rc =
      pipc::core::check_sysv_options(fn, options.version, options.flags,
                                       PIPC_CREX | PIPC_SYSV_SEM_SETVAL, options.mode);
  if (rc != PIPC_OK) return rc;
  if (options.initial_value > static_cast<uint32_t>(sysv_sem_value_max)) {
    return pipc::core::out_of_range("%s: initial value %u exceeds the maximum %d", fn,
                                    options.initial_value, sysv_sem_value_max);
  }
  return PIPC_OK;
}

// The handle's settings are kept as "undo" and "nonblocking"; INVERTED reads and
// writes the second as "blocking".
using setting = std::atomic<bool> sysv_sem::*;

int get_setting(const char *fn, const char *out_name, int *out, pipc_sysv_sem *sem, setting which,
                bool inverted) {
  call<pipc_sysv_sem> s(sem);
  if (!s) return pipc::core::bad_handle(fn);
  if (out == nullptr) return pipc::core::invalid("%s: %s is NULL", fn, out_name);
  *out = ((*s).*which).load(std::memory_order_relaxed) != inverted ? 1 : 0;
  return PIPC_OK;
}

int set_setting(const char *fn, pipc_sysv_sem *sem, int on, setting which, bool inverted) {
  call<pipc_sysv_sem> s(sem);
  if (!s) return pipc::core::bad_handle(fn);
  ((*s).*which).store((on != 0) != inverted, std::memory_order_relaxed);
  return PIPC_OK;
}

}  // namespace

extern "C" {

PIPC_API void pipc_sysv_sem_options_init(pipc_sysv_sem_options *opts) {
  if (opts != nullptr) *opts = PIPC_SYSV_SEM_OPTIONS_INIT;
}

PIPC_API int pipc_sysv_sem_open(pipc_sysv_sem **out, int64_t key,
                                const pipc_sysv_sem_options *opts) {
  return pipc::api::sysv_open_entry("pipc_sysv_sem_open", out, key, opts,
                                    pipc_sysv_sem_options PIPC_SYSV_SEM_OPTIONS_INIT,
                                    check_sem_options, pipc::core::sysv_sem_open);
}

PIPC_API int pipc_sysv_sem_open_id(pipc_sysv_sem **out, int64_t id) {
  return pipc::api::sysv_open_id_entry("pipc_sysv_sem_open_id", out, id,
                                       pipc::core::sysv_sem_open_id);
}

PIPC_API int pipc_sysv_sem_dup(pipc_sysv_sem **out, pipc_sysv_sem *sem) {
  return pipc::api::dup_entry("pipc_sysv_sem_dup", out, sem, pipc::core::sysv_sem_dup);
}

PIPC_API int pipc_sysv_sem_close(pipc_sysv_sem *sem) {
  return pipc::core::close_handle(sem, "pipc_sysv_sem_close");
}

PIPC_API int pipc_sysv_sem_acquire(pipc_sysv_sem *sem, uint32_t delta, int64_t timeout_ns) {
  return pipc::core::sysv_sem_operate(sem, sem_op_kind::acquire, delta, timeout_ns);
}

PIPC_API int pipc_sysv_sem_release(pipc_sysv_sem *sem, uint32_t delta) {
  return pipc::core::sysv_sem_operate(sem, sem_op_kind::release, delta, 0);
}

PIPC_API int pipc_sysv_sem_wait_zero(pipc_sysv_sem *sem, int64_t timeout_ns) {
  return pipc::core::sysv_sem_operate(sem, sem_op_kind::wait_zero, 0, timeout_ns);
}

PIPC_API int pipc_sysv_sem_undo(int *undo_out, pipc_sysv_sem *sem) {
  return get_setting("pipc_sysv_sem_undo", "undo_out", undo_out, sem, &sysv_sem::undo, false);
}

PIPC_API int pipc_sysv_sem_set_undo(pipc_sysv_sem *sem, int undo) {
  return set_setting("pipc_sysv_sem_set_undo", sem, undo, &sysv_sem::undo, false);
}

PIPC_API int pipc_sysv_sem_blocking(int *blocking_out, pipc_sysv_sem *sem) {
  return get_setting("pipc_sysv_sem_blocking", "blocking_out", blocking_out, sem,
                     &sysv_sem::nonblocking, true);
}

PIPC_API int pipc_sysv_sem_set_blocking(pipc_sysv_sem *sem, int blocking) {
  return set_setting("pipc_sysv_sem_set_blocking", sem, blocking, &sysv_sem::nonblocking,
                     true);
}

PIPC_API int pipc_sysv_sem_value(int *value_out, pipc_sysv_sem *sem) {
  call<pipc_sysv_sem> s(sem);
  if (!s) return pipc::core::bad_handle("pipc_sysv_sem_value");
  if (value_out == nullptr) return pipc::core::invalid("pipc_sysv_sem_value: value_out is NULL");
  const int value = semctl(s->id, 0, GETVAL);
  if (value < 0) return pipc::core::sysv_fail("pipc_sysv_sem_value", "semctl(GETVAL)", *s);
  *value_out = value;
  return PIPC_OK;
}

PIPC_API int pipc_sysv_sem_set_value(pipc_sysv_sem *sem, int64_t value) {
  call<pipc_sysv_sem> s(sem);
  if (!s) return pipc::core::bad_handle("pipc_sysv_sem_set_value");
  if (value < 0 || value > sysv_sem_value_max) {
    return pipc::core::out_of_range("pipc_sysv_sem_set_value: value %lld is not between 0 and %d",
                                    static_cast<long long>(value), sysv_sem_value_max);
  }
  pipc::core::sem_arg arg{};
  arg.val = static_cast<int>(value);
  if (semctl(s->id, 0, SETVAL, arg) == 0) return PIPC_OK;
  return pipc::core::sysv_fail("pipc_sysv_sem_set_value", "semctl(SETVAL)", *s);
}

PIPC_API int64_t pipc_sysv_sem_value_max(void) { return sysv_sem_value_max; }

PIPC_API int pipc_sysv_sem_stat_get(pipc_sysv_sem_stat *out, pipc_sysv_sem *sem) {
  constexpr const char *fn = "pipc_sysv_sem_stat_get";
  call<pipc_sysv_sem> s(sem);
  if (!s) return pipc::core::bad_handle(fn);
  if (out == nullptr) return pipc::core::invalid("%s: out is NULL", fn);
  semid_ds ds{};
  pipc::core::sem_arg arg{};
  arg.buf = &ds;
  if (semctl(s->id, 0, IPC_STAT, arg) != 0) {
    return pipc::core::sysv_fail(fn, "semctl(IPC_STAT)", *s);
  }
  pipc_sysv_sem_stat st{};
  pipc::core::fill_perm(st.perm, ds.sem_perm);
  st.otime = ds.sem_otime;
  st.ctime = ds.sem_ctime;
  const struct {
    int cmd;
    const char *call;
    int32_t *field;
  } counts[] = {{GETPID, "semctl(GETPID)", &st.last_pid},
                {GETNCNT, "semctl(GETNCNT)", &st.waiting_nonzero},
                {GETZCNT, "semctl(GETZCNT)", &st.waiting_zero}};
  for (const auto &count : counts) {
    const int n = semctl(s->id, 0, count.cmd);
    if (n < 0) return pipc::core::sysv_fail(fn, count.call, *s);
    *count.field = n;
  }
  *out = st;
  return PIPC_OK;
}

PIPC_API int pipc_sysv_sem_set_perm(pipc_sysv_sem *sem, int64_t uid, int64_t gid, int64_t mode) {
  call<pipc_sysv_sem> s(sem);
  if (!s) return pipc::core::bad_handle("pipc_sysv_sem_set_perm");
  return pipc::core::sysv_sem_set_perm(*s, uid, gid, mode, "pipc_sysv_sem_set_perm");
}

PIPC_API int pipc_sysv_sem_id(pipc_sysv_sem *sem) {
  call<pipc_sysv_sem> s(sem);
  if (!s) return pipc::core::bad_handle("pipc_sysv_sem_id");
  return s->id;
}

PIPC_API int pipc_sysv_sem_key(int64_t *key_out, pipc_sysv_sem *sem) {
  call<pipc_sysv_sem> s(sem);
  if (!s) return pipc::core::bad_handle("pipc_sysv_sem_key");
  if (key_out == nullptr) return pipc::core::invalid("pipc_sysv_sem_key: key_out is NULL");
  *key_out = s->key;
  return PIPC_OK;
}

PIPC_API int pipc_sysv_sem_created(pipc_sysv_sem *sem) {
  call<pipc_sysv_sem> s(sem);
  if (!s) return pipc::core::bad_handle("pipc_sysv_sem_created");
  return s->created ? 1 : 0;
}

PIPC_API int pipc_sysv_sem_remove(pipc_sysv_sem *sem) {
  call<pipc_sysv_sem> s(sem);
  if (!s) return pipc::core::bad_handle("pipc_sysv_sem_remove");
  if (semctl(s->id, 0, IPC_RMID) == 0) return PIPC_OK;
  return pipc::core::sysv_fail("pipc_sysv_sem_remove", "semctl(IPC_RMID)", *s);
}

PIPC_API int pipc_sysv_sem_remove_id(int64_t id) {
  const int rc = pipc::core::check_id(id, "pipc_sysv_sem_remove_id");
  if (rc != PIPC_OK) return rc;
  if (semctl(static_cast<int>(id), 0, IPC_RMID) == 0) return PIPC_OK;
  return pipc::core::sysv_id_fail("pipc_sysv_sem_remove_id", "semctl(IPC_RMID)",
                                      static_cast<int>(id));
}

}  // extern "C"
