// Entry points: POSIX shared memory.
#include <cerrno>

#include <sys/mman.h>

#include "api/entry.hpp"
#include "core/names.hpp"
#include "core/options.hpp"
#include "core/posix_shm.hpp"

using pipc::core::call;

namespace {

int check_shm_options(const pipc_shm_options &options, const char *fn) {
  const int rc = pipc::core::check_open_options(fn, options.version, PIPC_SHM_OPTIONS_VERSION,
                                                options.flags,
                                                PIPC_CREX | PIPC_TRUNC | PIPC_SHM_RESERVE,
                                                options.mode);
  if (rc != PIPC_OK) return rc;
  if (options.access != PIPC_READ && options.access != PIPC_READ_WRITE) {
    return pipc::core::invalid("%s: access 0x%x must be PIPC_READ or PIPC_READ_WRITE", fn,
                               options.access);
  }
  if (options.access == PIPC_READ && (options.flags & PIPC_TRUNC)) {
    return pipc::core::invalid("%s: a read-only handle cannot truncate", fn);
  }
  if (options.access == PIPC_READ && (options.flags & PIPC_SHM_RESERVE)) {
    return pipc::core::invalid("%s: a read-only handle cannot reserve pages (PIPC_SHM_RESERVE)",
                               fn);
  }
  if (options.size > static_cast<uint64_t>(INT64_MAX)) {
    return pipc::core::out_of_range("%s: size %llu is beyond the largest file offset", fn,
                                    static_cast<unsigned long long>(options.size));
  }
  return PIPC_OK;
}

}  // namespace

extern "C" {

PIPC_API void pipc_shm_options_init(pipc_shm_options *opts) {
  if (opts != nullptr) *opts = PIPC_SHM_OPTIONS_INIT;
}

PIPC_API int pipc_shm_open(pipc_shm **out, const char *name, const pipc_shm_options *opts) {
  return pipc::api::open_entry("pipc_shm_open", out, name, opts,
                               pipc_shm_options PIPC_SHM_OPTIONS_INIT, pipc::core::check_shm_name,
                               check_shm_options, pipc::core::shm_open);
}

PIPC_API int pipc_shm_close(pipc_shm *shm) { return pipc::core::close_handle(shm, "pipc_shm_close"); }

PIPC_API int pipc_shm_dup(pipc_shm **out, pipc_shm *shm) {
  return pipc::api::dup_entry("pipc_shm_dup", out, shm, pipc::core::shm_dup);
}

PIPC_API int pipc_shm_fd(int *fd_out, pipc_shm *shm) {
  call<pipc_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_shm_fd");
  if (fd_out == nullptr) return pipc::core::invalid("pipc_shm_fd: fd_out is NULL");
  return pipc::core::shm_fd(fd_out, *s);
}

PIPC_API int pipc_shm_close_fd(pipc_shm *shm) {
  call<pipc_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_shm_close_fd");
  return pipc::core::shm_close_fd(*s);
}

PIPC_API int pipc_shm_size(uint64_t *size_out, pipc_shm *shm) {
  call<pipc_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_shm_size");
  if (size_out == nullptr) return pipc::core::invalid("pipc_shm_size: size_out is NULL");
  return pipc::core::shm_size(size_out, *s);
}

PIPC_API int pipc_shm_resize(pipc_shm *shm, uint64_t size) {
  call<pipc_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_shm_resize");
  return pipc::core::shm_resize(*s, size, 0, "pipc_shm_resize");
}

PIPC_API int pipc_shm_resize_flags(pipc_shm *shm, uint64_t size, uint32_t flags) {
  static const char fn[] = "pipc_shm_resize_flags";
  call<pipc_shm> s(shm);
  if (!s) return pipc::core::bad_handle(fn);
  if (flags & ~PIPC_SHM_RESERVE) {
    return pipc::core::invalid("%s: unknown flags 0x%x (allowed: PIPC_SHM_RESERVE)", fn,
                               flags & ~PIPC_SHM_RESERVE);
  }
  return pipc::core::shm_resize(*s, size, flags, fn);
}

PIPC_API int pipc_shm_map(void **addr_out, pipc_shm *shm, uint64_t offset, uint64_t length,
                          uint32_t flags) {
  call<pipc_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_shm_map");
  if (addr_out == nullptr) return pipc::core::invalid("pipc_shm_map: addr_out is NULL");
  if (flags & ~PIPC_MAP_READ_ONLY) {
    return pipc::core::invalid("pipc_shm_map: unknown flags 0x%x", flags & ~PIPC_MAP_READ_ONLY);
  }
  return pipc::core::shm_map(addr_out, *s, offset, length, flags);
}

PIPC_API int pipc_shm_unmap(pipc_shm *shm, void *addr) {
  call<pipc_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_shm_unmap");
  return pipc::core::shm_unmap(*s, addr);
}

PIPC_API const char *pipc_shm_name(pipc_shm *shm) {
  call<pipc_shm> s(shm);
  return s ? s->name.c_str() : nullptr;
}

PIPC_API int pipc_shm_created(pipc_shm *shm) {
  call<pipc_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_shm_created");
  return s->created ? 1 : 0;
}

PIPC_API int pipc_shm_read_only(pipc_shm *shm) {
  call<pipc_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_shm_read_only");
  return s->read_only ? 1 : 0;
}

PIPC_API int pipc_shm_unlink(pipc_shm *shm) {
  call<pipc_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_shm_unlink");
  if (shm_unlink(s->name.c_str()) == 0) return PIPC_OK;
  return pipc::core::os_fail("shm_unlink", s->name.c_str());
}

PIPC_API int pipc_shm_unlink_name(const char *name) {
  return pipc::api::unlink_entry("pipc_shm_unlink_name", name, pipc::core::check_shm_name,
                                 shm_unlink, "shm_unlink");
}

}  // extern "C"
