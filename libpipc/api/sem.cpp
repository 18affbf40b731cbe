// Entry points: POSIX named semaphores.
#include <cerrno>

#include "api/entry.hpp"
#include "core/deadline.hpp"
#include "core/names.hpp"
#include "core/options.hpp"
#include "core/posix_sem.hpp"
#include "core/system.hpp"

using pipc::core::call;
namespace glibc_sem = pipc::core::glibc_sem;

namespace {

int check_sem_options(const pipc_sem_options &options, const char *fn) {
  const int rc = pipc::core::check_open_options(fn, options.version, PIPC_SEM_OPTIONS_VERSION,
                                                options.flags, PIPC_CREX, options.mode);
  if (rc != PIPC_OK) return rc;
  if (options.initial_value > pipc::core::sem_value_max()) {
    return pipc::core::out_of_range("%s: initial value %u exceeds the maximum %lld", fn,
                                    options.initial_value,
                                    static_cast<long long>(pipc::core::sem_value_max()));
  }
  return PIPC_OK;
}

}  // namespace

extern "C" {

PIPC_API void pipc_sem_options_init(pipc_sem_options *opts) {
  if (opts != nullptr) *opts = PIPC_SEM_OPTIONS_INIT;
}

PIPC_API int pipc_sem_open(pipc_sem **out, const char *name, const pipc_sem_options *opts) {
  return pipc::api::open_entry("pipc_sem_open", out, name, opts,
                               pipc_sem_options PIPC_SEM_OPTIONS_INIT, pipc::core::check_sem_name,
                               check_sem_options, pipc::core::sem_open);
}

PIPC_API int pipc_sem_close(pipc_sem *sem) { return pipc::core::close_handle(sem, "pipc_sem_close"); }

PIPC_API int pipc_sem_dup(pipc_sem **out, pipc_sem *sem) {
  return pipc::api::dup_entry("pipc_sem_dup", out, sem, pipc::core::sem_dup);
}

// The two hot paths: each takes the common case in a leaf, anything else in the
// slow function, which checks everything anew.
PIPC_API int pipc_sem_acquire(pipc_sem *sem, int64_t timeout_ns) {
  {
    call<pipc_sem> s(sem, pipc::core::hot_path);
    if (s && !pipc::core::timeout_invalid(timeout_ns) &&
        glibc_sem::try_acquire(s.fast<glibc_sem::layout>())) {
      return PIPC_OK;
    }
  }
  return pipc::core::sem_acquire_slow(sem, timeout_ns);
}

PIPC_API int pipc_sem_release(pipc_sem *sem) {
  {
    call<pipc_sem> s(sem, pipc::core::hot_path);
    if (s && glibc_sem::try_release_unwatched(s.fast<glibc_sem::layout>())) return PIPC_OK;
  }
  return pipc::core::sem_release_slow(sem);
}

PIPC_API int pipc_sem_value(int *value_out, pipc_sem *sem) {
  call<pipc_sem> s(sem);
  if (!s) return pipc::core::bad_handle("pipc_sem_value");
  if (value_out == nullptr) return pipc::core::invalid("pipc_sem_value: value_out is NULL");
  const uint64_t data = s.fast<glibc_sem::layout>()->data.load(std::memory_order_relaxed);
  *value_out = static_cast<int>(glibc_sem::value(data));
  return PIPC_OK;
}

PIPC_API const char *pipc_sem_name(pipc_sem *sem) {
  call<pipc_sem> s(sem);
  if (!s) return nullptr;
  return s->name.c_str();
}

PIPC_API int pipc_sem_created(pipc_sem *sem) {
  call<pipc_sem> s(sem);
  if (!s) return pipc::core::bad_handle("pipc_sem_created");
  return s->created ? 1 : 0;
}

PIPC_API int pipc_sem_unlink(pipc_sem *sem) {
  call<pipc_sem> s(sem);
  if (!s) return pipc::core::bad_handle("pipc_sem_unlink");
  if (sem_unlink(s->name.c_str()) == 0) return PIPC_OK;
  return pipc::core::os_fail("sem_unlink", s->name.c_str());
}

PIPC_API int pipc_sem_unlink_name(const char *name) {
  return pipc::api::unlink_entry("pipc_sem_unlink_name", name, pipc::core::check_sem_name,
                                 sem_unlink, "sem_unlink");
}

}  // extern "C"
