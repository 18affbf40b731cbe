// Which limit refused a POSIX message queue, named with the values that applied.
#pragma once

#include <mqueue.h>

#include <string>

namespace pipc::core {

// Records mq_open's failure (errno) on NAME, asked to create the queue with ATTR
// (nullptr: the system's defaults), and returns its status. Limits give PIPC_ELIMIT
// with errno kept: EINVAL names /proc/sys/fs/mqueue/msg_max or msgsize_max, or the
// kernel's HARD_MSGMAX or HARD_MSGSIZEMAX past which not even CAP_SYS_RESOURCE goes;
// EMFILE names RLIMIT_NOFILE when no descriptor is free, else RLIMIT_MSGQUEUE with
// the queue's bytes; ENOSPC names /proc/sys/fs/mqueue/queues_max.
int mq_open_failed(const std::string &name, const mq_attr *attr) noexcept __attribute__((cold));

}  // namespace pipc::core
