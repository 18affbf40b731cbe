// glibc's sem_t, operated on directly.
//
// A named semaphore is a sem_t in a shared mapping of /dev/shm/sem.NAME that any
// process may use through glibc's sem_post and sem_wait. libpipc performs the same
// operations itself, on the same words and by the same protocol (nptl's new_sem on
// 64-bit targets: one 64-bit word whose low half is the value and whose high half
// counts the waiters; a post wakes one waiter when that count is not 0), so that
// its calls and glibc's interoperate in any mix of processes, while
//  - the hot paths make no call into glibc (sem_wait also checks for thread
//    cancellation, which costs about as much again as the operation), and
//  - a wait can be ended by its handle's close (posix_sem.cpp), which sem_wait
//    cannot.
// layout_is_known() checks the layout against glibc's own sem_init once.
#pragma once

#include <semaphore.h>

#include <atomic>
#include <climits>
#include <cstdint>

namespace pipc::core::glibc_sem {

struct layout {
  std::atomic<uint64_t> data;  // value in the low 32 bits, waiter count in the high 32
  int private_flag;            // glibc's FUTEX_SHARED for named semaphores
  int pad;
};
static_assert(sizeof(layout) <= sizeof(sem_t), "sem_t holds glibc's new_sem");
static_assert(sizeof(std::atomic<uint64_t>) == 8 && std::atomic<uint64_t>::is_always_lock_free,
              "the semaphore word is shared with other processes: it must be lock-free");

constexpr uint64_t one_waiter = uint64_t{1} << 32;
constexpr uint32_t value_max = INT_MAX;  // glibc's SEM_VALUE_MAX

inline layout *of(sem_t *sem) { return reinterpret_cast<layout *>(sem); }
inline uint32_t value(uint64_t data) { return static_cast<uint32_t>(data); }
inline uint64_t waiters(uint64_t data) { return data >> 32; }

// The 32-bit futex word that holds the value (the low half of data).
inline const uint32_t *value_word(const layout *sem) {
  const uint32_t *halves = reinterpret_cast<const uint32_t *>(&sem->data);
  return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? halves : halves + 1;
}

// Takes one from the value if it is not 0.
inline bool try_acquire(layout *sem) {
  uint64_t d = sem->data.load(std::memory_order_relaxed);
  while (value(d) != 0) {
    if (sem->data.compare_exchange_weak(d, d - 1, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

// Wakes up to COUNT processes or threads waiting on SEM.
void wake(layout *sem, int count) noexcept;

// Adds one to the value and wakes a waiter if there is one; false (and nothing
// changed) when the value is at value_max.
inline bool release(layout *sem) {
  uint64_t d = sem->data.load(std::memory_order_relaxed);
  do {
    if (value(d) == value_max) return false;
  } while (!sem->data.compare_exchange_weak(d, d + 1, std::memory_order_release,
                                            std::memory_order_relaxed));
  if (waiters(d) != 0) wake(sem, 1);
  return true;
}

// release() for a hot path: adds one when no waiter needs waking and the value is
// below value_max (then DATA, with its waiter count 0, is below value_max), else
// returns false with nothing changed.
inline bool try_release_unwatched(layout *sem) {
  uint64_t d = sem->data.load(std::memory_order_relaxed);
  while (d < value_max) {
    if (sem->data.compare_exchange_weak(d, d + 1, std::memory_order_release,
                                        std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

// Whether this glibc lays out sem_t as described above (checked once, on sem_init).
bool layout_is_known() noexcept;

}  // namespace pipc::core::glibc_sem
