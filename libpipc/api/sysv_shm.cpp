// Entry points: System V shared memory.
#include <sys/shm.h>

#include <cstdint>
#include <cstring>
#include <limits>

#include "api/entry.hpp"
#include "core/sysv_shm.hpp"

using pipc::core::call;

namespace {

constexpr uint32_t open_flags = PIPC_CREX | PIPC_SHM_HUGETLB | PIPC_SHM_NORESERVE;
constexpr uint32_t attach_flags = PIPC_SHM_ATTACH_READ_ONLY | PIPC_SHM_ATTACH_ROUND |
                                  PIPC_SHM_ATTACH_REMAP | PIPC_SHM_ATTACH_EXEC;

int check_shm_options(const pipc_sysv_shm_options &options, const char *fn) {
  const int rc = pipc::core::check_sysv_options(fn, options.version, options.flags, open_flags,
                                                options.mode);
  if (rc != PIPC_OK) return rc;
  if (options.fill_byte > 255) {
    return pipc::core::out_of_range("%s: fill byte %u is not between 0 and 255", fn,
                                    options.fill_byte);
  }
  // The kernel's own limit (/proc/sys/kernel/shmmax) is named when shmget refuses.
  if (options.size > std::numeric_limits<size_t>::max()) {
    return pipc::core::out_of_range("%s: size %llu does not fit in size_t", fn,
                                    static_cast<unsigned long long>(options.size));
  }
  return PIPC_OK;
}

int check_attach(void *address, uint32_t flags) {
  if (flags & ~attach_flags) {
    return pipc::core::invalid("pipc_sysv_shm_attach: unknown flags 0x%x", flags & ~attach_flags);
  }
  if ((flags & PIPC_SHM_ATTACH_REMAP) && address == nullptr) {
    return pipc::core::invalid("pipc_sysv_shm_attach: PIPC_SHM_ATTACH_REMAP needs an address");
  }
  // Rounded down, such an address is 0, where the kernel maps the segment for a caller
  // with CAP_SYS_RAWIO: an attachment that NULL cannot name, so the handle would lose it.
  if ((flags & PIPC_SHM_ATTACH_ROUND) && address != nullptr &&
      reinterpret_cast<uintptr_t>(address) < static_cast<uintptr_t>(SHMLBA)) {
    return pipc::core::invalid(
        "pipc_sysv_shm_attach: address %p rounds down to NULL with PIPC_SHM_ATTACH_ROUND "
        "(SHMLBA is %d)",
        address, SHMLBA);
  }
  return PIPC_OK;
}

}  // namespace

extern "C" {

PIPC_API void pipc_sysv_shm_options_init(pipc_sysv_shm_options *opts) {
  if (opts != nullptr) *opts = PIPC_SYSV_SHM_OPTIONS_INIT;
}

PIPC_API int pipc_sysv_shm_open(pipc_sysv_shm **out, int64_t key, const pipc_sysv_shm_options *opts) {
  return pipc::api::sysv_open_entry("pipc_sysv_shm_open", out, key, opts,
                                    pipc_sysv_shm_options PIPC_SYSV_SHM_OPTIONS_INIT,
                                    check_shm_options, pipc::core::sysv_shm_open);
}

PIPC_API int pipc_sysv_shm_open_id(pipc_sysv_shm **out, int64_t id) {
  return pipc::api::sysv_open_id_entry("pipc_sysv_shm_open_id", out, id,
                                       pipc::core::sysv_shm_open_id);
}

PIPC_API int pipc_sysv_shm_dup(pipc_sysv_shm **out, pipc_sysv_shm *shm) {
  return pipc::api::dup_entry("pipc_sysv_shm_dup", out, shm, pipc::core::sysv_shm_dup);
}

PIPC_API int pipc_sysv_shm_close(pipc_sysv_shm *shm) {
  return pipc::core::close_handle(shm, "pipc_sysv_shm_close");
}

PIPC_API int pipc_sysv_shm_attach(pipc_sysv_shm *shm, void *address, uint32_t flags) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_attach");
  const int rc = check_attach(address, flags);
  if (rc != PIPC_OK) return rc;
  return pipc::core::sysv_shm_attach(s.pin(), address, flags);
}

PIPC_API int pipc_sysv_shm_detach(pipc_sysv_shm *shm) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_detach");
  return pipc::core::sysv_shm_detach(s.pin());
}

PIPC_API int pipc_sysv_shm_attached(pipc_sysv_shm *shm) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_attached");
  return s->address.load(std::memory_order_acquire) != nullptr ? 1 : 0;
}

PIPC_API int pipc_sysv_shm_read_only(pipc_sysv_shm *shm) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_read_only");
  const bool attached = s->address.load(std::memory_order_acquire) != nullptr;
  return attached && s->read_only.load(std::memory_order_acquire) ? 1 : 0;
}

PIPC_API int pipc_sysv_shm_address(void **address_out, pipc_sysv_shm *shm) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_address");
  if (address_out == nullptr) return pipc::core::invalid("pipc_sysv_shm_address: address_out is NULL");
  void *const address = s->address.load(std::memory_order_acquire);
  if (address == nullptr) return pipc::core::sysv_shm_not_attached(*s, "pipc_sysv_shm_address");
  *address_out = address;
  return PIPC_OK;
}

PIPC_API int pipc_sysv_shm_read(pipc_sysv_shm *shm, uint64_t offset, void *buf, size_t len) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_read");
  int rc = PIPC_OK;
  const char *from = pipc::core::sysv_shm_target(*s, offset, buf, len, false, "pipc_sysv_shm_read", &rc);
  if (from == nullptr) return rc;
  if (len != 0) std::memcpy(buf, from, len);  // buf may be NULL when len is 0
  return PIPC_OK;
}

PIPC_API int pipc_sysv_shm_write(pipc_sysv_shm *shm, uint64_t offset, const void *data, size_t len) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_write");
  int rc = PIPC_OK;
  char *to = pipc::core::sysv_shm_target(*s, offset, data, len, true, "pipc_sysv_shm_write", &rc);
  if (to == nullptr) return rc;
  if (len != 0) std::memcpy(to, data, len);  // data may be NULL when len is 0
  return PIPC_OK;
}

PIPC_API int pipc_sysv_shm_size(uint64_t *size_out, pipc_sysv_shm *shm) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_size");
  if (size_out == nullptr) return pipc::core::invalid("pipc_sysv_shm_size: size_out is NULL");
  *size_out = s->size;
  return PIPC_OK;
}

PIPC_API int pipc_sysv_shm_stat_get(pipc_sysv_shm_stat *out, pipc_sysv_shm *shm) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_stat_get");
  if (out == nullptr) return pipc::core::invalid("pipc_sysv_shm_stat_get: out is NULL");
  return pipc::core::sysv_shm_stat(*out, *s);
}

PIPC_API int pipc_sysv_shm_set_perm(pipc_sysv_shm *shm, int64_t uid, int64_t gid, int64_t mode) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_set_perm");
  return pipc::core::sysv_shm_set_perm(*s, uid, gid, mode);
}

PIPC_API int pipc_sysv_shm_id(pipc_sysv_shm *shm) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_id");
  return s->id;
}

PIPC_API int pipc_sysv_shm_key(int64_t *key_out, pipc_sysv_shm *shm) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_key");
  if (key_out == nullptr) return pipc::core::invalid("pipc_sysv_shm_key: key_out is NULL");
  *key_out = s->key;
  return PIPC_OK;
}

PIPC_API int pipc_sysv_shm_created(pipc_sysv_shm *shm) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_created");
  return s->created ? 1 : 0;
}

PIPC_API int pipc_sysv_shm_remove(pipc_sysv_shm *shm) {
  call<pipc_sysv_shm> s(shm);
  if (!s) return pipc::core::bad_handle("pipc_sysv_shm_remove");
  if (shmctl(s->id, IPC_RMID, nullptr) == 0) return PIPC_OK;
  return pipc::core::sysv_fail("pipc_sysv_shm_remove", "shmctl(IPC_RMID)", *s);
}

PIPC_API int pipc_sysv_shm_remove_id(int64_t id) {
  const int rc = pipc::core::check_id(id, "pipc_sysv_shm_remove_id");
  if (rc != PIPC_OK) return rc;
  if (shmctl(static_cast<int>(id), IPC_RMID, nullptr) == 0) return PIPC_OK;
  return pipc::core::sysv_id_fail("pipc_sysv_shm_remove_id", "shmctl(IPC_RMID)",
                                  static_cast<int>(id));
}

}  // extern "C"
