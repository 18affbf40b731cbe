#include "core/sysv.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <initializer_list>

#include "core/error.hpp"
#include "core/names.hpp"
#include "core/options.hpp"

namespace pipc::core {

int check_key(int64_t key, uint32_t flags, const char *function) {
  if (key == PIPC_KEY_RANDOM) {
    if (flags & PIPC_CREAT) return PIPC_OK;
    return invalid("%s: PIPC_KEY_RANDOM needs PIPC_CREAT", function);
  }
  if (key < PIPC_SYSV_KEY_MIN || key > PIPC_SYSV_KEY_MAX) {
    return out_of_range("%s: key %lld is outside key_t (%lld .. %lld)", function,
                        static_cast<long long>(key), static_cast<long long>(PIPC_SYSV_KEY_MIN),
                        static_cast<long long>(PIPC_SYSV_KEY_MAX));
  }
  return PIPC_OK;
}

int check_id(int64_t id, const char *function) {
  if (id >= 0 && id <= INT32_MAX) return PIPC_OK;
  return out_of_range("%s: id %lld is not between 0 and %d", function, static_cast<long long>(id),
                      INT32_MAX);
}

int check_sysv_options(const char *function, uint32_t version, uint32_t flags, uint32_t allowed,
                       uint32_t mode) {
  const int rc = check_open_options(function, version, PIPC_SYSV_OPTIONS_VERSION, flags, allowed, mode);
  if (rc != PIPC_OK) return rc;
  // System V permissions have no setuid, setgid or sticky bits.
  if (mode & ~0777u) return invalid("%s: mode 0%o has bits outside 0777", function, mode);
  return PIPC_OK;
}

key_t random_key() {
  for (;;) {
    int32_t k = 0;
    random_bytes(reinterpret_cast<unsigned char *>(&k), sizeof k);
    if (k != IPC_PRIVATE) return k;
  }
}

int apply_perm(ipc_perm &perm, int64_t uid, int64_t gid, int64_t mode, const char *function) {
  constexpr int64_t id_max = 0xfffffffe;  // (uid_t)-1 means "no change" to the kernel
  for (const int64_t id : {uid, gid}) {
    if (id != PIPC_SYSV_KEEP && (id < 0 || id > id_max)) {
      return out_of_range("%s: uid/gid %lld is not between 0 and %lld (or PIPC_SYSV_KEEP)",
                          function, static_cast<long long>(id), static_cast<long long>(id_max));
    }
  }
  if (mode != PIPC_SYSV_KEEP && (mode < 0 || mode > 0777)) {
    return out_of_range("%s: mode 0%llo is not within 0777", function,
                        static_cast<unsigned long long>(mode));
  }
  if (uid != PIPC_SYSV_KEEP) perm.uid = static_cast<uid_t>(uid);
  if (gid != PIPC_SYSV_KEEP) perm.gid = static_cast<gid_t>(gid);
  if (mode != PIPC_SYSV_KEEP) perm.mode = static_cast<unsigned short>(mode);
  return PIPC_OK;
}

void fill_perm(pipc_sysv_perm &out, const ipc_perm &perm) {
  out.key = perm.__key;
  out.uid = perm.uid;
  out.gid = perm.gid;
  out.cuid = perm.cuid;
  out.cgid = perm.cgid;
  out.mode = perm.mode & 0777u;
}

namespace {

int report(const char *function, const char *call, const char *what) {
  const int err = errno;
  char where[128];
  std::snprintf(where, sizeof where, "%s: %s", function, call);
  if (err == EINVAL || err == EIDRM) {
    return fail(PIPC_ENOENT, err, "%s on %s: the object has been removed", where, what);
  }
  errno = err;
  return os_fail(where, what);
}

}  // namespace

sysv_object_name::sysv_object_name(int64_t key, int id) noexcept {
  int n = 0;
  if (key != no_key) {
    n = std::snprintf(text_, sizeof text_, "key 0x%08x", static_cast<unsigned>(key));
  }
  if (id >= 0) {
    std::snprintf(text_ + n, sizeof text_ - static_cast<size_t>(n), "%sid %d",
                  n > 0 ? " " : "", id);
  }
}

int sysv_fail(const char *function, const char *call, const sysv_handle &h) noexcept {
  return report(function, call, sysv_object_name(h.key, h.id).c_str());
}

int sysv_id_fail(const char *function, const char *call, int id) noexcept {
  return report(function, call, sysv_object_name(sysv_object_name::no_key, id).c_str());
}

int sysv_key_fail(const char *call, int64_t key) noexcept {
  return os_fail(call, sysv_object_name(key).c_str());
}

}  // namespace pipc::core
