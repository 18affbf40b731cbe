// POSIX named semaphores.
#pragma once

#include <semaphore.h>

#include <memory>
#include <string>

#include "core/glibc_sem.hpp"
#include "core/handle.hpp"
#include "pipc/sem.h"

namespace pipc::core {

// glibc's mapping of a named semaphore (sem_open), shared by a handle and the
// handles duplicated from it, and given back (sem_close) with the last of them.
struct sem_mapping {
  explicit sem_mapping(sem_t *s) : sem(s) {}
  ~sem_mapping() { sem_close(sem); }
  sem_mapping(const sem_mapping &) = delete;
  sem_mapping &operator=(const sem_mapping &) = delete;

  sem_t *const sem;
};

struct posix_sem final : handle {
  posix_sem(std::shared_ptr<sem_mapping> m, std::string n, bool c)
      : mapping(std::move(m)), name(std::move(n)), created(c) {}

  glibc_sem::layout *words() const { return glibc_sem::of(mapping->sem); }
  void wake_waiters() noexcept override;
  void forget_parent_waits(uint32_t own_waits) noexcept override {
    handle::forget_parent_waits(own_waits);
    sleepers.store(own_waits, std::memory_order_relaxed);  // each wait is a sleeper
  }

  // The calls of this handle between counting in as the semaphore's waiters and
  // counting out; close wakes the semaphore until there are none.
  std::atomic<uint32_t> sleepers{0};
  const std::shared_ptr<sem_mapping> mapping;
  const std::string name;
  const bool created;
};

template <>
struct family_traits<pipc_sem> {
  using object = posix_sem;
  static constexpr table::family_id id = table::posix_sem_family;
};

int sem_open(pipc_sem **out, const char *name, const pipc_sem_options &opts);
int sem_dup(pipc_sem **out, const posix_sem &sem);

// pipc_sem_acquire after a first try that did not take the value: checks the
// handle and the timeout again, tries again, and waits up to TIMEOUT_NS.
int sem_acquire_slow(pipc_sem *sem, int64_t timeout_ns) noexcept __attribute__((noinline));

// pipc_sem_release after a first try that did not release (or found a waiter to
// wake): checks the handle again and releases, or reports the value at its maximum.
int sem_release_slow(pipc_sem *sem) noexcept __attribute__((noinline));

}  // namespace pipc::core
