// Which System V limit refused a semaphore set or a shared memory segment, named
// with the values that applied. Limits and usage are read with semctl / shmctl
// (SEM_INFO, IPC_INFO, SHM_INFO), which answer for the caller's IPC namespace as
// /proc/sys/kernel does.
#pragma once

#include <cstdint>

namespace pipc::core {

// Records semget's failure (errno) to open or create a set of one semaphore under
// KEY and returns its status: ENOSPC names SEMMNI or SEMMNS, EINVAL names SEMMSL when
// it is below 1 (both PIPC_ELIMIT, errno kept); any other error as sysv_key_fail.
int semget_failed(int64_t key) noexcept __attribute__((cold));

// Records the OS call CALL (a semop) that FUNCTION made on set ID (with KEY, or
// sysv_object_name::no_key) and the kernel refused with E2BIG: one operation is more
// than SEMOPM allows (PIPC_ELIMIT).
int semop_limit_failed(const char *function, const char *call, int64_t key, int id) noexcept
    __attribute__((cold));

// Records shmget's failure (errno) to create a segment of SIZE bytes (HUGE: of huge
// pages) under KEY and returns its status: ENOSPC names /proc/sys/kernel/shmmni or
// shmall (PIPC_ELIMIT), ENOMEM for huge pages names them (PIPC_ENOMEM), errno kept;
// any other error as sysv_key_fail.
int shmget_failed(int64_t key, uint64_t size, bool huge) noexcept __attribute__((cold));

}  // namespace pipc::core
