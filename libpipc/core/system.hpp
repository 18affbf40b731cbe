// Run-time facts about the running system, read when asked.
#pragma once

#include <cstdint>

namespace pipc::core {

// The (first) integer in a /proc file, or FALLBACK when it cannot be read.
// Async-signal-safe.
int64_t read_proc_integer(const char *path, int64_t fallback);

// Whether this process can open one more descriptor now, i.e. is below RLIMIT_NOFILE:
// an EMFILE that a call gave then came from another limit. (Tried rather than counted:
// descriptors numbered past a lowered limit count but do not block.)
bool descriptor_free();

int64_t mq_priority_max();
int64_t sem_value_max();

// /proc/sys/fs/mqueue: defaults and limits for new queues.
int64_t mq_default_max_messages();
int64_t mq_default_max_message_size();
int64_t mq_limit_max_messages();
int64_t mq_limit_max_message_size();
int64_t mq_limit_queues();

}  // namespace pipc::core
