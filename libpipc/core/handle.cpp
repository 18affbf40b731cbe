#include "core/handle.hpp"

#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace pipc::core {

handle::~handle() {
  const int fd = wake_fd.load(std::memory_order_relaxed);
  if (fd >= 0) close(fd);
}

void handle::forget_parent_waits() noexcept {
  const int fd = wake_fd.exchange(-1, std::memory_order_relaxed);
  if (fd >= 0) close(fd);
}

void begin_close(handle &h) noexcept {
  h.closing.store(true, std::memory_order_seq_cst);
  // Read after the store: a wait that publishes its eventfd later sees closing set.
  const int fd = h.wake_fd.load(std::memory_order_seq_cst);
  if (fd >= 0) eventfd_write(fd, 1);
  h.wake_waiters();
}

namespace {

// A forked child has copies of its parent's handles, with the state of the waits
// of threads it does not have; and it shares the parent's eventfds, so a close in
// the parent would end the child's waits on its copies. It forgets both.
__attribute__((constructor)) void register_fork_handler() {
  pthread_atfork(nullptr, nullptr, [] {
    table::for_each_open([](handle &h) { h.forget_parent_waits(); });
  });
}

}  // namespace

}  // namespace pipc::core
