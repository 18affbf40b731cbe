#include "core/waits.hpp"

#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <initializer_list>

namespace pipc::core {
namespace {

// A descriptor closed when it goes out of scope.
class owned_fd {
 public:
  explicit owned_fd(int fd) : fd_(fd) {}
  ~owned_fd() {
    if (fd_ >= 0) close(fd_);
  }
  owned_fd(const owned_fd &) = delete;
  owned_fd &operator=(const owned_fd &) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// A timerfd that fires at UNTIL (one per bounded wait: a thread may wait seldom, and
// a process may have many threads); -1 with errno when none can be had.
int timer_at(const deadline &until) {
  const int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (fd < 0) return -1;
  itimerspec when{};
  when.it_value = until.absolute();
  // A deadline of exactly 0 would disarm the timer.
  if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0) when.it_value.tv_nsec = 1;
  if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &when, nullptr) == 0) return fd;
  const int err = errno;
  close(fd);
  errno = err;
  return -1;
}

// The handle's wake eventfd, made on first use; -1 with errno when none can be had.
int wake_descriptor(handle &h) {
  int fd = h.wake_fd.load(std::memory_order_acquire);
  if (fd >= 0) return fd;
  const int fresh = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fresh < 0) return -1;
  if (h.wake_fd.compare_exchange_strong(fd, fresh, std::memory_order_seq_cst)) return fresh;
  close(fresh);  // another wait made one first
  return fd;
}

// What a futex wait that failed with ERR means.
woken woken_by(int err) {
  switch (err) {
    case EAGAIN: return woken::again;  // the word no longer held the expected value
    case ETIMEDOUT: return woken::timed_out;
    case EINTR: return woken::interrupted;
    default: return woken::failed;
  }
}

// Sleeps while the shared futex word WORD holds EXPECTED, until it is woken, UNTIL
// passes or a signal handler runs.
woken sleep_on(const uint32_t *word, uint32_t expected, const deadline &until) {
  const timespec end = until.absolute();
  // Shared (no FUTEX_PRIVATE_FLAG): the word may be woken from another process. A
  // timeout is absolute, on CLOCK_MONOTONIC (FUTEX_WAIT_BITSET's clock).
  if (syscall(SYS_futex, word, FUTEX_WAIT_BITSET, expected, until.forever() ? nullptr : &end,
              nullptr, FUTEX_BITSET_MATCH_ANY) == 0) {
    return woken::again;
  }
  return woken_by(errno);
}

}  // namespace

woken wait_futex(const handle &h, const uint32_t *word, uint32_t expected, const deadline &until) {
  if (h.is_closing()) return woken::closed;
  const woken how = sleep_on(word, expected, until);
  return how == woken::again && h.is_closing() ? woken::closed : how;
}

int wait_status(woken how, const char *function) noexcept {
  switch (how) {
    case woken::closed: return closed_while_waiting(function);
    case woken::timed_out: return fail(PIPC_ETIMEDOUT, ETIMEDOUT, "%s: timed out", function);
    case woken::interrupted:
      return fail(PIPC_EINTR, EINTR, "%s: interrupted by a signal", function);
    case woken::again:
    case woken::failed: break;
  }
  return os_fail(function, nullptr);
}

void close_signal::raise() noexcept {
  raised_.store(1, std::memory_order_seq_cst);
  syscall(SYS_futex, word(), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

woken wait_word(const uint32_t *word, uint32_t expected,
                std::initializer_list<const close_signal *> closers, const deadline &until) {
  static std::atomic<bool> kernel_lacks_waitv{false};
  futex_waitv waits[3] = {};
  unsigned n = 0;
  waits[n++] = {expected, reinterpret_cast<uintptr_t>(word), FUTEX_32, 0};
  for (const close_signal *c : closers) {
    if (c->raised()) return woken::closed;
    waits[n++] = {0, reinterpret_cast<uintptr_t>(c->word()), FUTEX_32 | FUTEX_PRIVATE_FLAG, 0};
  }
  if (!kernel_lacks_waitv.load(std::memory_order_relaxed)) {
    const timespec end = until.absolute();
    const long woke = syscall(SYS_futex_waitv, waits, n, 0, until.forever() ? nullptr : &end,
                              CLOCK_MONOTONIC);
    // 0: WORD was woken; another index: a close. EAGAIN: a word no longer held
    // its expected value (the caller looks again, the closers first).
    if (woke >= 0) return woke == 0 ? woken::again : woken::closed;
    if (errno != ENOSYS) return woken_by(errno);
    kernel_lacks_waitv.store(true, std::memory_order_relaxed);  // Linux before 5.16
  }
  const woken how = sleep_on(word, expected, until.sooner(close_check_ns));
  return how == woken::timed_out && !until.passed() ? woken::again : how;
}

void wake_word(const void *word, int count) noexcept {
  // Shared with other processes: no FUTEX_PRIVATE_FLAG.
  syscall(SYS_futex, word, FUTEX_WAKE, count, nullptr, nullptr, 0);
}

woken wait_descriptor(handle &h, int fd, short events, const deadline &until,
                      const sigset_t *mask) {
  pollfd fds[3];
  nfds_t n = 0;
  fds[n++] = {wake_descriptor(h), POLLIN, 0};
  if (fds[0].fd < 0) return woken::failed;
  // After the eventfd is published: a close that begins later writes it.
  if (h.is_closing()) return woken::closed;
  if (fd >= 0) fds[n++] = {fd, events, 0};
  const owned_fd timer(until.forever() ? -1 : timer_at(until));
  if (!until.forever()) {
    if (timer.get() < 0) return woken::failed;
    fds[n++] = {timer.get(), POLLIN, 0};
  }
  // No timeout of ppoll's own: a relative one would be restarted in full after a stop.
  if (ppoll(fds, n, nullptr, mask) < 0) return errno == EINTR ? woken::interrupted : woken::failed;
  if (fds[0].revents != 0) return woken::closed;
  if (fd >= 0 && fds[1].revents != 0) return woken::again;
  return woken::timed_out;
}

signals_held::signals_held() {
  sigset_t async;
  sigfillset(&async);
  // Faults are synchronous: blocked, they would kill the process instead of running
  // its handlers.
  for (int fault : {SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGTRAP, SIGSYS}) sigdelset(&async, fault);
  pthread_sigmask(SIG_BLOCK, &async, &original_);
}

signals_held::~signals_held() { pthread_sigmask(SIG_SETMASK, &original_, nullptr); }

}  // namespace pipc::core
