// Named robust process-shared mutexes and condition variables (shared_segment.hpp).
//
// A mutex is glibc's pthread_mutex_t (made by pthread_mutex_init: process-shared,
// robust, error-checking) that libpipc locks and unlocks itself by the kernel's
// robust futex protocol: the lock word holds the owner's thread id, FUTEX_WAITERS
// when a thread may sleep on it, FUTEX_OWNER_DIED once the kernel found its owner
// dead; the mutex is on its owner's robust list while held (robust_list.hpp); the
// owner field holds the recovery state (glibc's values: 0, inconsistent after an
// owner's death until made consistent, not recoverable once unlocked that way).
// So that
//  - lock and unlock are one atomic instruction and a few stores, with no call;
//  - every wait can end at its handle's close, on a signal and at a deadline on
//    CLOCK_MONOTONIC (waits.hpp), which pthread_mutex_lock cannot.
// A condition variable is a sequence number that signals advance and waiters sleep
// on, with a count of waiters so that a signal with none makes no system call.
#pragma once

#include <linux/futex.h>
#include <pthread.h>

#include <atomic>
#include <climits>
#include <memory>
#include <string>

#include "core/deadline.hpp"
#include "core/handle.hpp"
#include "core/robust_list.hpp"
#include "core/shared_segment.hpp"
#include "core/waits.hpp"
#include "pipc/mutex.h"

namespace pipc::core {

// The condition variable's shared state, after the segment header.
struct cond_state {
  std::atomic<uint32_t> sequence;  // advanced by every signal and broadcast
  std::atomic<uint32_t> waiters;   // threads between their wait's start and end
};

// The handle object of both families: the mapping is shared with dups.
template <class Object>
struct segment_handle final : handle {
  segment_handle(std::shared_ptr<segment_mapping> m, std::string n, bool c)
      : mapping(std::move(m)), name(std::move(n)), created(c) {}

  void wake_waiters() noexcept override { closer.raise(); }

  Object *get() const { return static_cast<Object *>(mapping->object()); }

  const std::shared_ptr<segment_mapping> mapping;
  const std::string name;
  const bool created;
  close_signal closer;  // ends this handle's waits
};

using shared_mutex = segment_handle<pthread_mutex_t>;
using shared_cond = segment_handle<cond_state>;

template <>
struct family_traits<pipc_mutex> {
  using object = shared_mutex;
  static constexpr table::family_id id = table::mutex_family;
};

template <>
struct family_traits<pipc_cond> {
  using object = shared_cond;
  static constexpr table::family_id id = table::cond_family;
};

int mutex_open(pipc_mutex **out, const char *name, const pipc_mutex_options &opts);
int mutex_dup(pipc_mutex **out, const shared_mutex &m);
int cond_open(pipc_cond **out, const char *name, const pipc_cond_options &opts);
int cond_dup(pipc_cond **out, const shared_cond &c);

namespace lock_word {

constexpr uint32_t tid_mask = FUTEX_TID_MASK;
constexpr uint32_t waiters = FUTEX_WAITERS;
constexpr uint32_t owner_died = FUTEX_OWNER_DIED;

inline uint32_t *of(pthread_mutex_t *m) { return reinterpret_cast<uint32_t *>(&m->__data.__lock); }
inline uint32_t load(pthread_mutex_t *m) { return __atomic_load_n(of(m), __ATOMIC_RELAXED); }

}  // namespace lock_word

// The owner field's recovery states (glibc's PTHREAD_MUTEX_INCONSISTENT and
// PTHREAD_MUTEX_NOTRECOVERABLE); 0 when consistent.
constexpr int state_inconsistent = INT_MAX;
constexpr int state_not_recoverable = INT_MAX - 1;

inline int recovery_state(pthread_mutex_t *m) {
  return __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED);
}

// Gives back the word of a mutex just taken by a lock that must not keep it.
void give_back(pthread_mutex_t *m, const robust::thread_state &t) noexcept
    __attribute__((noinline, cold));

// Locks M for thread T when it is free and consistent: the hot path's whole lock.
// False, with nothing changed, in every other case.
inline bool lock_if_free(pthread_mutex_t *m, const robust::thread_state &t) {
  robust::begin_op(t.head, robust::entry(m));
  uint32_t expected = 0;
  if (!__atomic_compare_exchange_n(lock_word::of(m), &expected, static_cast<uint32_t>(t.tid),
                                   false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
    robust::end_op(t.head);
    return false;
  }
  // Read once the lock is taken: an owner sets the state before it unlocks.
  if (__builtin_expect(recovery_state(m) != 0, 0)) {
    give_back(m, t);
    return false;
  }
  robust::link(t.head, robust::links_of(m));
  robust::end_op(t.head);
  return true;
}

// Unlocks M, held consistent by thread T: the hot path's whole unlock. False, with
// nothing changed, when T does not hold it or it is inconsistent.
inline bool unlock_if_held(pthread_mutex_t *m, const robust::thread_state &t) {
  if ((lock_word::load(m) & lock_word::tid_mask) != static_cast<uint32_t>(t.tid) ||
      recovery_state(m) != 0) {
    return false;
  }
  robust::begin_op(t.head, robust::entry(m));
  robust::unlink(robust::links_of(m));
  if (__atomic_exchange_n(lock_word::of(m), 0u, __ATOMIC_RELEASE) & lock_word::waiters) {
    wake_word(lock_word::of(m), 1);
  }
  robust::end_op(t.head);
  return true;
}

// The whole lock of M for thread T, taking it if it is free or its owner died
// (the lock word gets ALSO too): 0, EOWNERDEAD, ENOTRECOVERABLE, EDEADLK (T holds
// it) or EBUSY, nothing changed then.
int try_lock(pthread_mutex_t *m, const robust::thread_state &t, uint32_t also) noexcept;

// Locks the mutex of M for thread T, waiting until UNTIL, a close of M or a
// signal handler; the status for FUNCTION.
int lock_waiting(const pinned<shared_mutex> &m, const robust::thread_state &t,
                 const deadline &until, const char *function) noexcept;

// The whole unlock of M by thread T: 0, or EPERM when T does not hold it.
int unlock(pthread_mutex_t *m, const robust::thread_state &t) noexcept;

// The status of the result ERR (an errno value) of a lock operation for FUNCTION
// on mutex NAME (records the detail).
int lock_status(int err, const char *function, const char *name) noexcept;

// pipc_mutex_lock and pipc_mutex_unlock when the hot path did not finish: check
// everything again and do the rest.
int mutex_lock_slow(pipc_mutex *m, int64_t timeout_ns) noexcept __attribute__((noinline));
int mutex_unlock_slow(pipc_mutex *m) noexcept __attribute__((noinline));
int mutex_consistent(pipc_mutex *m) noexcept;

int cond_wait(pipc_cond *c, pipc_mutex *m, int64_t timeout_ns) noexcept;
// Advances the sequence and wakes up to COUNT waiters, if any waits.
int cond_wake(pipc_cond *c, int count, const char *function) noexcept;

}  // namespace pipc::core
