// POSIX named semaphores.
#pragma once

#include <semaphore.h>

#include <string>

#include "core/handle.hpp"
#include "pipc/sem.h"

struct pipc_sem final : pipc::core::handle {
  static constexpr uint32_t family_tag = 0x5053454d;  // "PSEM"

  pipc_sem(sem_t *s, std::string n, bool c)
      : handle(family_tag), sem(s), name(std::move(n)), created(c) {}
  ~pipc_sem() override { sem_close(sem); }

  sem_t *const sem;
  const std::string name;
  const bool created;
};

namespace pipc::core {

int sem_open(pipc_sem **out, const char *name, const pipc_sem_options &opts);

// pipc_sem_acquire with timeout 0 when the value is 0.
int sem_would_block() noexcept;

// The part of pipc_sem_acquire after a failed sem_trywait (errno intact): waits
// up to TIMEOUT_NS (not 0) on the pinned semaphore.
int sem_wait_slow(pinned<pipc_sem> sem, int64_t timeout_ns) noexcept;

int sem_release_failed(const pipc_sem &sem) noexcept;

}  // namespace pipc::core
