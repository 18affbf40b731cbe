// System V semaphores: one semaphore per set.
#pragma once

#include <sys/sem.h>

#include <atomic>
#include <cstdint>

#include "core/sysv.hpp"
#include "pipc/sysv.h"

namespace pipc::core {

struct sysv_sem final : sysv_handle {
  sysv_sem(int object_id, int64_t object_key, bool was_created)
      : sysv_handle(object_id, object_key, was_created) {}

  // Per-handle settings, read with relaxed loads: a call racing a change may see either.
  std::atomic<bool> undo{false};         // SEM_UNDO on acquire and release
  std::atomic<bool> nonblocking{false};  // IPC_NOWAIT whatever the timeout
};

template <>
struct family_traits<pipc_sysv_sem> {
  using object = sysv_sem;
  static constexpr table::family_id id = table::sysv_sem_family;
};

// SEMVMX, the largest value of a semaphore: a fixed kernel constant
// (include/uapi/linux/sem.h; <linux/sem.h> clashes with <sys/sem.h>).
constexpr int sysv_sem_value_max = 32767;

// semctl's fourth argument, which the caller has to define (semctl(2)).
union sem_arg {
  int val;
  semid_ds *buf;
};

int sysv_sem_open(pipc_sysv_sem **out, int64_t key, const pipc_sysv_sem_options &opts);
int sysv_sem_open_id(pipc_sysv_sem **out, int id);
int sysv_sem_dup(pipc_sysv_sem **out, const sysv_sem &sem);

// IPC_STAT, apply_perm (PIPC_SYSV_KEEP: unchanged), IPC_SET; failures name FUNCTION.
int sysv_sem_set_perm(const sysv_sem &sem, int64_t uid, int64_t gid, int64_t mode,
                      const char *function);

// The three semaphore operations, each one semop on semaphore 0 of the set.
enum class sem_op_kind { acquire, release, wait_zero };

// Checks SEM and the arguments, then runs the operation KIND with DELTA (ignored
// for wait_zero) waiting up to TIMEOUT_NS (ignored for release). A wait holds a
// pin, not the reader section, and ends when the handle is closed.
int sysv_sem_operate(pipc_sysv_sem *sem, sem_op_kind kind, uint32_t delta,
                     int64_t timeout_ns) noexcept;

}  // namespace pipc::core
