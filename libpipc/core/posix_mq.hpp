// POSIX message queues.
#pragma once

#include <mqueue.h>

#include <atomic>
#include <mutex>
#include <string>

#include "core/handle.hpp"
#include "pipc/mq.h"

namespace pipc::core {

struct posix_mq final : handle {
  posix_mq(mqd_t d, std::string n, bool c, uint32_t a, int64_t max_msgs, int64_t max_size,
           bool block)
      : mqd(d), name(std::move(n)), created(c), access(a), max_messages(max_msgs),
        max_message_size(max_size), blocking(block) {}
  ~posix_mq() override;

  const mqd_t mqd;
  const std::string name;
  const bool created;
  const uint32_t access;            // PIPC_READ / PIPC_WRITE bits
  const int64_t max_messages;       // fixed when the queue was created
  const int64_t max_message_size;
  std::atomic<bool> blocking;       // pipc's own: the descriptor is always O_NONBLOCK
  std::mutex notify_lock;           // serialises this handle's notify calls
};

template <>
struct family_traits<pipc_mq> {
  using object = posix_mq;
  static constexpr table::family_id id = table::posix_mq_family;
};

int mq_open(pipc_mq **out, const char *name, const pipc_mq_options &opts);
int mq_dup(pipc_mq **out, const posix_mq &mq);
// Send and receive pin the call's handle before they wait.
int mq_send(call<pipc_mq> &mq, const char *data, size_t len, unsigned priority,
            int64_t timeout_ns);
int mq_receive(size_t *len_out, unsigned *priority_out, call<pipc_mq> &mq, char *buf, size_t cap,
               int64_t timeout_ns);
int mq_current_messages(int64_t *out, const posix_mq &mq);

}  // namespace pipc::core
