// System V shared memory segments.
//
// A handle has at most one attachment. Reads and writes use it inside their
// call's reader section, with no lock: attach and detach publish a new address
// (or nullptr), wait with readers::synchronize() for the calls that may still
// use the old one, and only then shmdt it. A mutex orders attach and detach.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "core/handle.hpp"
#include "core/sysv.hpp"

namespace pipc::core {

struct sysv_shm final : sysv_handle {
  sysv_shm(int object_id, int64_t object_key, bool was_created, uint64_t segment_size)
      : sysv_handle(object_id, object_key, was_created), size(segment_size) {}
  ~sysv_shm() override;

  const uint64_t size;                   // read at open: a segment's size never changes
  std::atomic<void *> address{nullptr};  // the attachment; nullptr when not attached
  std::atomic<bool> read_only{false};    // true while the attachment is read-only
  std::mutex attach_lock;                // serialises attach and detach
};

template <>
struct family_traits<pipc_sysv_shm> {
  using object = sysv_shm;
  static constexpr table::family_id id = table::sysv_shm_family;
};

// /proc/sys/kernel/shmmax (its default exceeds INT64_MAX).
uint64_t sysv_shm_max();

int sysv_shm_open(pipc_sysv_shm **out, int64_t key, const pipc_sysv_shm_options &opts);
int sysv_shm_open_id(pipc_sysv_shm **out, int id);
// A new handle to the same segment, not attached.
int sysv_shm_dup(pipc_sysv_shm **out, const sysv_shm &shm);

// Outside the reader section: both wait for the calls in flight on the handle.
// FLAGS are checked by the caller.
int sysv_shm_attach(pinned<sysv_shm> shm, void *address, uint32_t flags) noexcept;
int sysv_shm_detach(pinned<sysv_shm> shm) noexcept;

int sysv_shm_stat(pipc_sysv_shm_stat &out, const sysv_shm &shm) noexcept;
int sysv_shm_set_perm(const sysv_shm &shm, int64_t uid, int64_t gid, int64_t mode) noexcept;

int sysv_shm_not_attached(const sysv_shm &shm, const char *function) noexcept
    __attribute__((cold));

// Records why a read or write (WRITE) of LEN bytes at OFFSET from or to BUF cannot
// use the attachment at BASE, and returns the status.
int sysv_shm_access_failed(const sysv_shm &shm, const void *base, uint64_t offset,
                           const void *buf, size_t len, bool write, const char *function) noexcept
    __attribute__((cold));

// Where a read or write of LEN bytes at OFFSET goes in the current attachment,
// or nullptr with the failure recorded in *STATUS. Called inside the reader
// section, which keeps the attachment mapped until the call ends.
inline char *sysv_shm_target(const sysv_shm &shm, uint64_t offset, const void *buf,
                             size_t len, bool write, const char *function, int *status) noexcept {
  char *const base = static_cast<char *>(shm.address.load(std::memory_order_acquire));
  const bool ok = len <= shm.size && offset <= shm.size - len && (buf != nullptr || len == 0) &&
                  base != nullptr && !(write && shm.read_only.load(std::memory_order_acquire));
  if (__builtin_expect(ok, 1)) return base + offset;
  *status = sysv_shm_access_failed(shm, base, offset, buf, len, write, function);
  return nullptr;
}

}  // namespace pipc::core
