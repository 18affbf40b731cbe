// System V message queues.
#pragma once

#include <sys/msg.h>

#include <cstddef>
#include <cstdint>

#include "core/sysv.hpp"
#include "pipc/sysv.h"

struct pipc_sysv_mq final : pipc::core::sysv_handle {
  static constexpr uint32_t family_tag = 0x534d5351;  // "SMSQ"

  pipc_sysv_mq(int object_id, int64_t object_key, bool was_created)
      : sysv_handle(family_tag, object_id, object_key, was_created) {}
};

namespace pipc::core {

// The largest max_bytes: the kernel takes msg_qbytes from IPC_SET as an int, so a
// bigger value would be cut to its low 32 bits.
constexpr uint64_t sysv_mq_max_bytes_limit = INT32_MAX;

int sysv_mq_open(pipc_sysv_mq **out, int64_t key, const pipc_sysv_mq_options &opts);
int sysv_mq_open_id(pipc_sysv_mq **out, int id);

// Send and receive take the queue's id, not the handle: the caller leaves the
// handle before they may sleep. Arguments are checked by the caller.
int sysv_mq_send(int id, const void *data, size_t len, long type, int64_t timeout_ns) noexcept;
int sysv_mq_receive(size_t *len_out, int64_t *type_out, int id, void *buf, size_t cap, long type,
                    bool truncate, int64_t timeout_ns) noexcept;

// IPC_STAT of MQ; failures name FUNCTION.
int sysv_mq_stat(msqid_ds &out, const pipc_sysv_mq &mq, const char *function) noexcept;
// IPC_STAT, the change, IPC_SET; failures name FUNCTION. MAX_BYTES is 1 .. the limit.
int sysv_mq_set_max_bytes(const pipc_sysv_mq &mq, uint64_t max_bytes,
                          const char *function) noexcept;
int sysv_mq_set_perm(const pipc_sysv_mq &mq, int64_t uid, int64_t gid, int64_t mode,
                     const char *function) noexcept;

// /proc/sys/kernel/msgmax and msgmnb, read when called (8192 and 16384 if unreadable).
int64_t sysv_mq_message_size_max() noexcept;
int64_t sysv_mq_default_max_bytes() noexcept;

}  // namespace pipc::core
