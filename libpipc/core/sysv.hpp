// What the three System V families share: keys and ids, the open-by-key
// sequence, the handle's common part, owner fields, and error reports that name
// the object by key and id.
#pragma once

#include <sys/ipc.h>

#include <cerrno>
#include <cstdint>
#include <new>

#include "core/handle.hpp"
#include "pipc/sysv.h"

namespace pipc::core {

// The common part of a System V handle. Nothing in it is an OS resource: a
// duplicate is a copy.
struct sysv_handle : handle {
  sysv_handle(int object_id, int64_t object_key, bool was_created)
      : id(object_id), key(object_key), created(was_created) {}

  const int id;
  const int64_t key;
  const bool created;
};

// PIPC_OK when KEY fits key_t (or is PIPC_KEY_RANDOM with PIPC_CREAT in FLAGS).
int check_key(int64_t key, uint32_t flags, const char *function);
// PIPC_OK when ID is a possible id (0 .. INT32_MAX).
int check_id(int64_t id, const char *function);
// Checks a family's options: VERSION, FLAGS within ALLOWED, MODE within 0777.
int check_sysv_options(const char *function, uint32_t version, uint32_t flags, uint32_t allowed,
                       uint32_t mode);

struct sysv_open_result {
  int id = -1;       // the object's id, or -1 with err set
  int err = 0;
  int64_t key = 0;   // the key actually used (a random one for PIPC_KEY_RANDOM)
  bool created = false;
};

// The open-or-create sequence. GET(key_t key, int ipc_flags) performs one
// xxxget with IPC_CREAT|IPC_EXCL (create) or 0 (open existing) in IPC_FLAGS and
// returns the id or -1 with errno set. PIPC_CREAT alone is done as "create
// exclusively, else open" so that created is exact.
template <class Get>
sysv_open_result sysv_open(int64_t key, uint32_t flags, Get get);

// A random key that is neither IPC_PRIVATE nor in use by this call's retries.
key_t random_key();

// Applies UID, GID, MODE (PIPC_SYSV_KEEP: unchanged) to PERM after checking them.
int apply_perm(ipc_perm &perm, int64_t uid, int64_t gid, int64_t mode, const char *function);
void fill_perm(pipc_sysv_perm &out, const ipc_perm &perm);

// How messages name a System V object: "key 0x0000abcd id 7", without the key when
// it is no_key and without the id when it is negative.
class sysv_object_name {
 public:
  static constexpr int64_t no_key = INT64_MIN;  // PIPC_KEY_RANDOM: never an object's key
  explicit sysv_object_name(int64_t key, int id = -1) noexcept;
  const char *c_str() const noexcept { return text_; }

 private:
  char text_[40];
};

// Records errno from the OS call CALL, made by FUNCTION on the object H, and
// returns its status. EINVAL and EIDRM from a call on an id mean the object was
// removed: PIPC_ENOENT. Use it only where EINVAL cannot come from arguments.
int sysv_fail(const char *function, const char *call, const sysv_handle &h) noexcept
    __attribute__((cold));
// The same for an object known only by its id.
int sysv_id_fail(const char *function, const char *call, int id) noexcept __attribute__((cold));
// The same during open, naming the key (EINVAL keeps its own meaning there).
int sysv_key_fail(const char *call, int64_t key) noexcept __attribute__((cold));

// Reads the kernel's record of H with CTL(IPC_STAT, &ds), lets CHANGE(ds) edit it
// (or refuse with a status), and writes it back with CTL(IPC_SET, &ds).
template <class DS, class Ctl, class Change>
int sysv_update(const sysv_handle &h, const char *function, Ctl ctl, Change change) {
  DS ds{};
  if (ctl(IPC_STAT, &ds) != 0) return sysv_fail(function, "IPC_STAT", h);
  const int rc = change(ds);
  if (rc != PIPC_OK) return rc;
  if (ctl(IPC_SET, &ds) != 0) return sysv_fail(function, "IPC_SET", h);
  return PIPC_OK;
}

// The owner fields: sysv_update with apply_perm on the record's ipc_perm PERM.
template <class DS, class Ctl>
int sysv_set_perm(const sysv_handle &h, int64_t uid, int64_t gid, int64_t mode,
                  const char *function, Ctl ctl, ipc_perm DS::*perm) {
  return sysv_update<DS>(h, function, ctl, [&](DS &ds) {
    return apply_perm(ds.*perm, uid, gid, mode, function);
  });
}

// Gives OBJECT (nullptr when out of memory), a new handle to System V object ID, a
// handle of public type Handle in *OUT once SETUP(object &) (a status) succeeds. On
// failure OBJECT is destroyed and, if this open CREATED the object, REMOVE(ID)
// removes it again (the failure is recorded already).
template <class Handle, class Setup, class Remove>
int adopt_sysv(Handle **out, typename family_traits<Handle>::object *object, int id, bool created,
               const char *function, Setup setup, Remove remove) {
  int rc = object != nullptr ? setup(*object)
                             : fail(PIPC_ENOMEM, ENOMEM, "%s: no memory for the handle", function);
  if (rc == PIPC_OK) rc = publish(out, object, function);
  if (rc != PIPC_OK) {
    if (created) remove(id);
    delete object;
  }
  return rc;
}

// A SETUP for adopt_sysv that has nothing to set up.
inline int nothing_to_set_up(const sysv_handle &) { return PIPC_OK; }

template <class Get>
sysv_open_result sysv_open(int64_t key, uint32_t flags, Get get) {
  constexpr int create = IPC_CREAT | IPC_EXCL;
  sysv_open_result r;
  auto attempt = [&](key_t k, int ipc_flags) {
    r.key = k;
    r.id = get(k, ipc_flags);
    r.err = r.id < 0 ? errno : 0;
    r.created = r.id >= 0 && ipc_flags != 0;
  };
  if (key == PIPC_KEY_RANDOM) {
    for (int tries = 0; tries < 64; ++tries) {
      attempt(random_key(), create);
      if (r.err != EEXIST) break;
    }
  } else if (key == PIPC_IPC_PRIVATE) {
    attempt(IPC_PRIVATE, create);  // always a new object, whatever the flags
  } else if (!(flags & PIPC_CREAT)) {
    attempt(static_cast<key_t>(key), 0);
  } else {
    // Retried because another process may remove the object between our two tries.
    for (int tries = 0; tries < 64; ++tries) {
      attempt(static_cast<key_t>(key), create);
      if (r.err != EEXIST || (flags & PIPC_EXCL)) break;
      attempt(static_cast<key_t>(key), 0);
      if (r.err != ENOENT) break;
    }
  }
  return r;
}

}  // namespace pipc::core
