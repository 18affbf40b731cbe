// Entry points: named robust mutexes.
#include <sys/mman.h>

#include <cerrno>

#include "api/entry.hpp"
#include "core/deadline.hpp"
#include "core/names.hpp"
#include "core/options.hpp"
#include "core/segment_handles.hpp"
#include "core/robust_mutex.hpp"

using pipc::core::call;

namespace {

int check_mutex_options(const pipc_mutex_options &options, const char *fn) {
  return pipc::core::check_open_options(fn, options.version, PIPC_MUTEX_OPTIONS_VERSION,
                                        options.flags, PIPC_CREX, options.mode);
}

}  // namespace

extern "C" {

PIPC_API void pipc_mutex_options_init(pipc_mutex_options *opts) {
  if (opts != nullptr) *opts = PIPC_MUTEX_OPTIONS_INIT;
}

PIPC_API int pipc_mutex_open(pipc_mutex **out, const char *name, const pipc_mutex_options *opts) {
  return pipc::api::open_entry("pipc_mutex_open", out, name, opts,
                               pipc_mutex_options PIPC_MUTEX_OPTIONS_INIT,
                               pipc::core::check_shm_name, check_mutex_options,
                               pipc::core::mutex_open);
}

PIPC_API int pipc_mutex_dup(pipc_mutex **out, pipc_mutex *mutex) {
  return pipc::api::dup_entry("pipc_mutex_dup", out, mutex, pipc::core::mutex_dup);
}

PIPC_API int pipc_mutex_close(pipc_mutex *mutex) {
  return pipc::core::close_handle(mutex, "pipc_mutex_close");
}

// The hot paths: the common case inline, with no call, in a leaf function; any
// other case goes to a slow path that checks everything again.
PIPC_API int pipc_mutex_lock(pipc_mutex *mutex, int64_t timeout_ns) {
  {
    call<pipc_mutex> m(mutex, pipc::core::hot_path);
    const pipc::core::robust::thread_state &self = pipc::core::robust::self;
    if (m && self.tid != 0 && !pipc::core::timeout_invalid(timeout_ns) &&
        pipc::core::lock_if_free(m.fast<pthread_mutex_t>(), self)) {
      return PIPC_OK;
    }
  }
  return pipc::core::mutex_lock_slow(mutex, timeout_ns);
}

PIPC_API int pipc_mutex_unlock(pipc_mutex *mutex) {
  {
    call<pipc_mutex> m(mutex, pipc::core::hot_path);
    const pipc::core::robust::thread_state &self = pipc::core::robust::self;
    if (m && self.tid != 0 && pipc::core::unlock_if_held(m.fast<pthread_mutex_t>(), self)) {
      return PIPC_OK;
    }
  }
  return pipc::core::mutex_unlock_slow(mutex);
}

PIPC_API int pipc_mutex_consistent(pipc_mutex *mutex) {
  return pipc::core::mutex_consistent(mutex);
}

PIPC_API const char *pipc_mutex_name(pipc_mutex *mutex) {
  call<pipc_mutex> m(mutex);
  return m ? m->name.c_str() : nullptr;
}

PIPC_API int pipc_mutex_created(pipc_mutex *mutex) {
  call<pipc_mutex> m(mutex);
  if (!m) return pipc::core::bad_handle("pipc_mutex_created");
  return m->created ? 1 : 0;
}

PIPC_API int pipc_mutex_unlink(pipc_mutex *mutex) {
  return pipc::core::unlink_segment(mutex, "pipc_mutex_unlink");
}

PIPC_API int pipc_mutex_unlink_name(const char *name) {
  return pipc::api::unlink_entry("pipc_mutex_unlink_name", name, pipc::core::check_shm_name,
                                 shm_unlink, "shm_unlink");
}

}  // extern "C"
