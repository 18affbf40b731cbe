// Entry points: named process-shared condition variables.
#include <sys/mman.h>

#include <cerrno>
#include <climits>

#include "api/entry.hpp"
#include "core/names.hpp"
#include "core/options.hpp"
#include "core/segment_handles.hpp"
#include "core/robust_mutex.hpp"

using pipc::core::call;

namespace {

int check_cond_options(const pipc_cond_options &options, const char *fn) {
  return pipc::core::check_open_options(fn, options.version, PIPC_COND_OPTIONS_VERSION,
                                        options.flags, PIPC_CREX, options.mode);
}

}  // namespace

extern "C" {

PIPC_API void pipc_cond_options_init(pipc_cond_options *opts) {
  if (opts != nullptr) *opts = PIPC_COND_OPTIONS_INIT;
}

PIPC_API int pipc_cond_open(pipc_cond **out, const char *name, const pipc_cond_options *opts) {
  return pipc::api::open_entry("pipc_cond_open", out, name, opts,
                               pipc_cond_options PIPC_COND_OPTIONS_INIT,
                               pipc::core::check_shm_name, check_cond_options,
                               pipc::core::cond_open);
}

PIPC_API int pipc_cond_dup(pipc_cond **out, pipc_cond *cond) {
  return pipc::api::dup_entry("pipc_cond_dup", out, cond, pipc::core::cond_dup);
}

PIPC_API int pipc_cond_close(pipc_cond *cond) {
  return pipc::core::close_handle(cond, "pipc_cond_close");
}

PIPC_API int pipc_cond_wait(pipc_cond *cond, pipc_mutex *mutex, int64_t timeout_ns) {
  return pipc::core::cond_wait(cond, mutex, timeout_ns);
}

PIPC_API int pipc_cond_signal(pipc_cond *cond) {
  return pipc::core::cond_wake(cond, 1, "pipc_cond_signal");
}

PIPC_API int pipc_cond_broadcast(pipc_cond *cond) {
  return pipc::core::cond_wake(cond, INT_MAX, "pipc_cond_broadcast");
}

PIPC_API const char *pipc_cond_name(pipc_cond *cond) {
  call<pipc_cond> c(cond);
  return c ? c->name.c_str() : nullptr;
}

PIPC_API int pipc_cond_created(pipc_cond *cond) {
  call<pipc_cond> c(cond);
  if (!c) return pipc::core::bad_handle("pipc_cond_created");
  return c->created ? 1 : 0;
}

PIPC_API int pipc_cond_unlink(pipc_cond *cond) {
  return pipc::core::unlink_segment(cond, "pipc_cond_unlink");
}

PIPC_API int pipc_cond_unlink_name(const char *name) {
  return pipc::api::unlink_entry("pipc_cond_unlink_name", name, pipc::core::check_shm_name,
                                 shm_unlink, "shm_unlink");
}

}  // extern "C"
