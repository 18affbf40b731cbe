#include "core/handle.hpp"

#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace pipc::core {

handle::~handle() {
  const int fd = wake_fd.load(std::memory_order_relaxed);
  if (fd >= 0) close(fd);
}

void handle::forget_parent_waits(uint32_t own_waits) noexcept {
  pins.store(1 + own_waits, std::memory_order_relaxed);
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

uint32_t own_waits_on(const handle *h) {
  uint32_t n = 0;
  for (int i = 0; i < own_pins.count; ++i) n += own_pins.held[i] == h;
  return n;
}

// A forked child has copies of its parent's handles, with the pins of waits of
// threads it does not have (their closes would be deferred for good); and it
// shares the parent's eventfds, so a close in the parent would end the child's
// waits on its copies. It forgets both.
__attribute__((constructor)) void register_fork_handler() {
  pthread_atfork(nullptr, nullptr, [] {
    if (own_pins.overflowed) return;
    table::for_each_open([](handle &h) { h.forget_parent_waits(own_waits_on(&h)); });
  });
}

}  // namespace

__thread pin_list own_pins PIPC_TLS_HOT;  // zero-initialised

}  // namespace pipc::core
