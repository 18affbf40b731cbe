#include "core/system.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>

namespace pipc::core {

int64_t read_proc_integer(const char *path, int64_t fallback) {
  std::FILE *file = std::fopen(path, "re");
  if (file == nullptr) return fallback;
  long long value = 0;
  const bool ok = std::fscanf(file, "%lld", &value) == 1;
  std::fclose(file);
  return ok ? value : fallback;
}

bool descriptor_free() {
  const int fd = eventfd(0, EFD_CLOEXEC);  // needs no file system
  if (fd < 0) return errno != EMFILE;
  close(fd);
  return true;
}

int64_t mq_priority_max() {
  static const int64_t max = [] {
    const long n = sysconf(_SC_MQ_PRIO_MAX);
    return n > 0 ? int64_t{n} - 1 : int64_t{31};  // POSIX guarantees 32 priorities
  }();
  return max;
}

int64_t sem_value_max() {
  const long n = sysconf(_SC_SEM_VALUE_MAX);
  return n > 0 ? n : INT_MAX;  // Linux: SEM_VALUE_MAX
}

int64_t mq_default_max_messages() {
  return read_proc_integer("/proc/sys/fs/mqueue/msg_default", 10);
}

int64_t mq_default_max_message_size() {
  return read_proc_integer("/proc/sys/fs/mqueue/msgsize_default", 8192);
}

int64_t mq_limit_max_messages() { return read_proc_integer("/proc/sys/fs/mqueue/msg_max", 10); }

int64_t mq_limit_max_message_size() {
  return read_proc_integer("/proc/sys/fs/mqueue/msgsize_max", 8192);
}

int64_t mq_limit_queues() { return read_proc_integer("/proc/sys/fs/mqueue/queues_max", 256); }

}  // namespace pipc::core
