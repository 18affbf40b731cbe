// Entry points: the inventory (pipc_objects_*, pipc_kind_name, pipc_libpipc_type_name,
// pipc_sysv_exists).
#include <cerrno>
#include <memory>
#include <new>

#include "core/error.hpp"
#include "core/inventory.hpp"
#include "pipc/sysv.h"

using pipc::core::call;
using pipc::core::object_walk;

namespace {

int out_of_memory(const char *function) {
  return pipc::core::fail(PIPC_ENOMEM, ENOMEM, "%s: out of memory", function);
}

int take_snapshot(pipc::core::snapshot &snap, uint32_t kinds, uint32_t flags,
                  const char *function) {
  int rc = pipc::core::read_posix_objects(snap, kinds, function);
  if (rc == PIPC_OK) rc = pipc::core::read_sysv_objects(snap, kinds);
  if (rc != PIPC_OK) return rc;
  pipc::core::sort_objects(snap);
  if (flags & PIPC_INVENTORY_HOLDERS) pipc::core::find_holders(snap);
  return PIPC_OK;
}

}  // namespace

extern "C" {

PIPC_API const char *pipc_kind_name(uint32_t kind) {
  switch (kind) {
    case PIPC_KIND_SEM: return "sem";
    case PIPC_KIND_SHM: return "shm";
    case PIPC_KIND_MQ: return "mq";
    case PIPC_KIND_SYSV_SEM: return "sysv_sem";
    case PIPC_KIND_SYSV_SHM: return "sysv_shm";
    case PIPC_KIND_SYSV_MQ: return "sysv_mq";
    default: return nullptr;
  }
}

PIPC_API const char *pipc_libpipc_type_name(uint32_t libpipc_type) {
  switch (libpipc_type) {
    case PIPC_LIBPIPC_MUTEX: return "mutex";
    case PIPC_LIBPIPC_COND: return "cond";
    case PIPC_LIBPIPC_CHANNEL: return "channel";
    default: return nullptr;
  }
}

PIPC_API int pipc_objects_open(pipc_objects **out, uint32_t kinds, uint32_t flags) {
  constexpr const char *fn = "pipc_objects_open";
  if (out == nullptr) return pipc::core::invalid("%s: out is NULL", fn);
  *out = nullptr;
  if (kinds == 0 || (kinds & ~PIPC_KIND_ALL) != 0) {
    return pipc::core::invalid("%s: kinds 0x%x is not a non-empty mask of PIPC_KIND_* bits", fn,
                               kinds);
  }
  if ((flags & ~PIPC_INVENTORY_HOLDERS) != 0) {
    return pipc::core::invalid("%s: unknown flags 0x%x", fn, flags & ~PIPC_INVENTORY_HOLDERS);
  }
  try {
    auto walk = std::make_unique<object_walk>();
    const int rc = take_snapshot(walk->snap, kinds, flags, fn);
    if (rc != PIPC_OK) return rc;
    if (pipc::core::publish(out, walk.get(), fn) != PIPC_OK) return PIPC_ELIMIT;
    walk.release();
    return PIPC_OK;
  } catch (const std::bad_alloc &) {
    return out_of_memory(fn);
  }
}

PIPC_API int pipc_objects_next(const pipc_object **object, pipc_objects *walk) {
  call<pipc_objects> w(walk);
  if (!w) return pipc::core::bad_handle("pipc_objects_next");
  if (object == nullptr) return pipc::core::invalid("pipc_objects_next: object is NULL");
  std::lock_guard<std::mutex> guard(w->lock);
  const auto &objects = w->snap.objects;
  if (w->next == objects.size()) {
    w->current = 0;
    *object = nullptr;
    return PIPC_OK;
  }
  w->current = ++w->next;
  *object = &objects[w->current - 1];
  return PIPC_OK;
}

PIPC_API int pipc_objects_holder(const pipc_holder **holder, pipc_objects *walk,
                                 uint32_t index) {
  call<pipc_objects> w(walk);
  if (!w) return pipc::core::bad_handle("pipc_objects_holder");
  if (holder == nullptr) return pipc::core::invalid("pipc_objects_holder: holder is NULL");
  std::lock_guard<std::mutex> guard(w->lock);
  const uint32_t count = w->current == 0 ? 0 : w->snap.objects[w->current - 1].holder_count;
  if (index >= count) {
    return pipc::core::out_of_range(
        "pipc_objects_holder: index %u is not below the current object's holder_count %u", index,
        count);
  }
  *holder = &w->snap.holders[w->snap.first_holder[w->current - 1] + index];
  return PIPC_OK;
}

PIPC_API int pipc_objects_unseen(uint32_t *count, pipc_objects *walk) {
  call<pipc_objects> w(walk);
  if (!w) return pipc::core::bad_handle("pipc_objects_unseen");
  if (count == nullptr) return pipc::core::invalid("pipc_objects_unseen: count is NULL");
  *count = w->snap.unseen;
  return PIPC_OK;
}

PIPC_API int pipc_objects_close(pipc_objects *walk) {
  return pipc::core::close_handle(walk, "pipc_objects_close");
}

PIPC_API int pipc_sysv_exists(int64_t key, uint32_t kind) {
  if (kind != PIPC_KIND_SYSV_SEM && kind != PIPC_KIND_SYSV_SHM && kind != PIPC_KIND_SYSV_MQ) {
    return pipc::core::invalid("pipc_sysv_exists: kind 0x%x is not one of PIPC_KIND_SYSV_SEM, "
                               "_SHM or _MQ", kind);
  }
  if (key == PIPC_IPC_PRIVATE || key < PIPC_SYSV_KEY_MIN || key > PIPC_SYSV_KEY_MAX) {
    return pipc::core::invalid("pipc_sysv_exists: key %lld is not a key an object can be found "
                               "by (a key_t other than PIPC_IPC_PRIVATE)",
                               static_cast<long long>(key));
  }
  return pipc::core::sysv_exists(key, kind);
}

}  // extern "C"
