// Named robust process-shared mutexes and condition variables (shared_segment.hpp).
#pragma once

#include <pthread.h>

#include <memory>
#include <string>

#include "core/handle.hpp"
#include "core/shared_segment.hpp"
#include "pipc/mutex.h"

namespace pipc::core {

// The handle object of both families: the mapping is shared with dups.
template <class Object>
struct segment_handle final : handle {
  segment_handle(std::shared_ptr<segment_mapping> m, std::string n, bool c)
      : mapping(std::move(m)), name(std::move(n)), created(c) {}

  Object *get() const { return static_cast<Object *>(mapping->object()); }

  const std::shared_ptr<segment_mapping> mapping;
  const std::string name;
  const bool created;
};

using shared_mutex = segment_handle<pthread_mutex_t>;
using shared_cond = segment_handle<pthread_cond_t>;

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

// Whether M was unlocked after an owner's death without being made consistent
// (glibc's PTHREAD_MUTEX_NOTRECOVERABLE owner). Checked before every try: glibc's
// trylock of such a mutex leaves the lock word with the caller, whose later locks
// would then fail with EDEADLK instead of ENOTRECOVERABLE.
inline bool not_recoverable(pthread_mutex_t *m) {
  return __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED) == 0x7ffffffe;
}

// The status of pthread_mutex_*'s result ERR for FUNCTION on mutex NAME (records
// the detail).
int lock_status(int err, const char *function, const char *name) noexcept;

// What a hot path's first try returned when it did not get to try.
constexpr int not_tried = -1;

// pipc_mutex_lock after a first try that returned FIRST (not 0): reports what that
// try found (EOWNERDEAD: the lock is taken), or, after EBUSY or not_tried, checks
// everything again and waits up to TIMEOUT_NS.
int mutex_lock_slow(pipc_mutex *m, int64_t timeout_ns, int first) noexcept
    __attribute__((noinline));

// pipc_mutex_unlock after a first unlock that returned FIRST (not 0, or not_tried).
int mutex_unlock_slow(pipc_mutex *m, int first) noexcept __attribute__((noinline));

int cond_wait(pipc_cond *c, pipc_mutex *m, int64_t timeout_ns) noexcept;

}  // namespace pipc::core
