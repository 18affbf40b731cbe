// System V message queues.
#pragma once

#include <sys/msg.h>

#include <cstddef>
#include <cstdint>

#include "core/sysv.hpp"
#include "pipc/sysv.h"

namespace pipc::core {

struct sysv_mq final : sysv_handle {
  sysv_mq(int object_id, int64_t object_key, bool was_created)
      : sysv_handle(object_id, object_key, was_created) {}
};

template <>
struct family_traits<pipc_sysv_mq> {
  using object = sysv_mq;
  static constexpr table::family_id id = table::sysv_mq_family;
};

// The largest max_bytes: the kernel takes msg_qbytes from IPC_SET as an int, so a
// bigger value would be cut to its low 32 bits.
constexpr uint64_t sysv_mq_max_bytes_limit = INT32_MAX;

int sysv_mq_open(pipc_sysv_mq **out, int64_t key, const pipc_sysv_mq_options &opts);
int sysv_mq_open_id(pipc_sysv_mq **out, int id);
int sysv_mq_dup(pipc_sysv_mq **out, const sysv_mq &mq);

// Arguments are checked by the caller. Both try once within the call's reader
// section and pin the handle before they wait.
int sysv_mq_send(call<pipc_sysv_mq> &q, const void *data, size_t len, long type,
                 int64_t timeout_ns) noexcept;
int sysv_mq_receive(size_t *len_out, int64_t *type_out, call<pipc_sysv_mq> &q, void *buf,
                    size_t cap, long type, bool truncate, int64_t timeout_ns) noexcept;

// IPC_STAT of MQ; failures name FUNCTION.
int sysv_mq_stat(msqid_ds &out, const sysv_mq &mq, const char *function) noexcept;
// IPC_STAT, the change, IPC_SET; failures name FUNCTION. MAX_BYTES is 1 .. the limit.
int sysv_mq_set_max_bytes(const sysv_mq &mq, uint64_t max_bytes,
                          const char *function) noexcept;
int sysv_mq_set_perm(const sysv_mq &mq, int64_t uid, int64_t gid, int64_t mode,
                     const char *function) noexcept;

// /proc/sys/kernel/msgmax and msgmnb, read when called (8192 and 16384 if unreadable).
int64_t sysv_mq_message_size_max() noexcept;
int64_t sysv_mq_default_max_bytes() noexcept;

}  // namespace pipc::core
