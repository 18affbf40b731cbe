#include "core/handle.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

namespace pipc::core {

handle::~handle() {
  const int fd = wake_fd.load(std::memory_order_relaxed);
  if (fd >= 0) close(fd);
}

void begin_close(handle &h) noexcept {
  h.closing.store(true, std::memory_order_seq_cst);
  // Read after the store: a wait that publishes its eventfd later sees closing set.
  const int fd = h.wake_fd.load(std::memory_order_seq_cst);
  if (fd >= 0) eventfd_write(fd, 1);
  h.wake_waiters();
}

}  // namespace pipc::core
