#include "core/mq_limits.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>

#include "core/error.hpp"
#include "core/system.hpp"

namespace pipc::core {
namespace {

// The kernel's bounds for every process, with CAP_SYS_RESOURCE or not (ipc/mqueue.c);
// without it msg_max and msgsize_max apply.
constexpr long hard_msgmax = 65536;
constexpr long hard_msgsizemax = 16 * 1024 * 1024;

// The bytes a queue counts against its creator's RLIMIT_MSGQUEUE (ipc/mqueue.c,
// mqueue_get_inode): each message's bytes and its struct msg_msg, and a struct
// posix_msg_tree_node for each priority it may hold, at most the kernel's MQ_PRIO_MAX
// (32768). Both structs are six words on Linux, 32- and 64-bit.
uint64_t counted_bytes(uint64_t max_messages, uint64_t message_size) {
  constexpr uint64_t record = 6 * sizeof(long);
  constexpr uint64_t kernel_prio_max = 32768;
  return max_messages * (message_size + record) + std::min(max_messages, kernel_prio_max) * record;
}

int sizes_refused(int err, const char *object, const mq_attr &attr) {
  const long long msg_max = mq_limit_max_messages();
  const long long size_max = mq_limit_max_message_size();
  if (attr.mq_maxmsg > hard_msgmax) {
    return explained_fail(PIPC_ELIMIT, err, "mq_open", object,
                          "%ld messages exceed the kernel's HARD_MSGMAX (%ld), which bounds even "
                          "a process with CAP_SYS_RESOURCE (without it, /proc/sys/fs/mqueue/"
                          "msg_max (%lld) does)", attr.mq_maxmsg, hard_msgmax, msg_max);
  }
  if (attr.mq_msgsize > hard_msgsizemax) {
    return explained_fail(PIPC_ELIMIT, err, "mq_open", object,
                          "messages of %ld bytes exceed the kernel's HARD_MSGSIZEMAX (%ld), which "
                          "bounds even a process with CAP_SYS_RESOURCE (without it, "
                          "/proc/sys/fs/mqueue/msgsize_max (%lld) does)",
                          attr.mq_msgsize, hard_msgsizemax, size_max);
  }
  if (attr.mq_maxmsg > msg_max) {
    return explained_fail(PIPC_ELIMIT, err, "mq_open", object,
                          "%ld messages exceed /proc/sys/fs/mqueue/msg_max (%lld), which only a "
                          "process with CAP_SYS_RESOURCE may pass (up to HARD_MSGMAX, %ld)",
                          attr.mq_maxmsg, msg_max, hard_msgmax);
  }
  if (attr.mq_msgsize > size_max) {
    return explained_fail(PIPC_ELIMIT, err, "mq_open", object,
                          "messages of %ld bytes exceed /proc/sys/fs/mqueue/msgsize_max (%lld), "
                          "which only a process with CAP_SYS_RESOURCE may pass (up to "
                          "HARD_MSGSIZEMAX, %ld)", attr.mq_msgsize, size_max, hard_msgsizemax);
  }
  return PIPC_OK;  // another cause
}

// mq_open's EMFILE: the process has no free descriptor (RLIMIT_NOFILE), or the new
// queue's bytes would take its user past RLIMIT_MSGQUEUE. The user's bytes in use
// cannot be read, so a free descriptor is what tells them apart.
int too_many(int err, const char *name, const char *object, const mq_attr *attr) {
  if (!descriptor_free()) {
    errno = err;
    return os_fail("mq_open", name);  // names RLIMIT_NOFILE
  }
  // Without attributes the kernel makes the queue with its defaults, capped by the limits.
  const long long max_messages =
      attr != nullptr ? attr->mq_maxmsg
                      : std::min(mq_default_max_messages(), mq_limit_max_messages());
  const long long message_size =
      attr != nullptr ? attr->mq_msgsize
                      : std::min(mq_default_max_message_size(), mq_limit_max_message_size());
  const uint64_t bytes = counted_bytes(static_cast<uint64_t>(max_messages),
                                       static_cast<uint64_t>(message_size));
  rlimit limit{};
  getrlimit(RLIMIT_MSGQUEUE, &limit);
  return explained_fail(PIPC_ELIMIT, err, "mq_open", object,
                        "the queue's %llu bytes (%lld messages of %lld bytes, with the kernel's "
                        "bookkeeping) %s RLIMIT_MSGQUEUE (%llu bytes; ulimit -q)",
                        static_cast<unsigned long long>(bytes), max_messages, message_size,
                        bytes > limit.rlim_cur
                            ? "exceed this user's"
                            : "and this user's other queues together exceed its",
                        static_cast<unsigned long long>(limit.rlim_cur));
}

}  // namespace

int mq_open_failed(const std::string &name, const mq_attr *attr) noexcept {
  const int err = errno;
  char object[300];
  std::snprintf(object, sizeof object, "\"%s\"", name.c_str());
  if (err == EINVAL && attr != nullptr) {
    const int rc = sizes_refused(err, object, *attr);
    if (rc != PIPC_OK) return rc;
  }
  if (err == EMFILE) return too_many(err, name.c_str(), object, attr);
  if (err == ENOSPC) {
    return fail(PIPC_ELIMIT, err,
                "mq_open on \"%s\": /proc/sys/fs/mqueue/queues_max (%lld) queues exist",
                name.c_str(), static_cast<long long>(mq_limit_queues()));
  }
  errno = err;
  return os_fail("mq_open", name.c_str());
}

}  // namespace pipc::core
