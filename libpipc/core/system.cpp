#include "core/system.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace pipc::core {

int64_t read_proc_integer(const char *path, int64_t fallback) {
  // open, read and close only, no stdio (which allocates): a System V send made by a
  // signal handler reads msgmax.
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fallback;
  char text[32];
  ssize_t n;
  do {
    n = read(fd, text, sizeof text - 1);
  } while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0) return fallback;
  text[n] = '\0';
  const char *p = text;
  while (*p == ' ' || *p == '\t' || *p == '\n') ++p;
  const bool negative = *p == '-';
  if (*p == '-' || *p == '+') ++p;
  if (*p < '0' || *p > '9') return fallback;
  int64_t value = 0;
  for (; *p >= '0' && *p <= '9'; ++p) {
    const int digit = *p - '0';
    if (value > (INT64_MAX - digit) / 10) return fallback;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
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
