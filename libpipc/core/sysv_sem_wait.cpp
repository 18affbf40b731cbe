#include "core/sysv_sem_wait.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>

#include "core/deadline.hpp"
#include "core/waits.hpp"

namespace pipc::core {
namespace {

// One wait handed to a helper. The caller and the helper each hold a reference;
// the last to let go frees it.
struct request {
  enum : int { pending, done, abandoned };

  // Waits until OP is possible without changing the value (see the header).
  request(int set, const sembuf &op, int fd) : id(set), done_fd(fd) {
    const short flags = static_cast<short>(op.sem_flg & ~(IPC_NOWAIT | SEM_UNDO));
    probe[0] = {op.sem_num, op.sem_op, flags};
    probe[1] = {op.sem_num, static_cast<short>(-op.sem_op), flags};
    probe_length = op.sem_op == 0 ? 1 : 2;
  }

  const int id;
  sembuf probe[2];
  size_t probe_length;
  const int done_fd;  // the caller's eventfd, written by the helper that marks it done
  std::atomic<int> state{pending};
  int err = 0;  // set before state turns done: 0, or semtimedop's errno
  std::atomic<int> refs{2};
};

void let_go(request *r) {
  if (r->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete r;
}

// A helper's part of one request.
void serve(request *r) {
  const timespec slice{0, static_cast<long>(close_check_ns)};
  int err = 0;
  while (r->state.load(std::memory_order_acquire) == request::pending) {
    if (semtimedop(r->id, r->probe, r->probe_length, &slice) == 0) break;
    // EAGAIN: a slice ended; EINTR: the process was stopped and continued.
    if (errno != EAGAIN && errno != EINTR) {
      err = errno;
      break;
    }
  }
  r->err = err;
  int expected = request::pending;
  if (r->state.compare_exchange_strong(expected, request::done, std::memory_order_acq_rel)) {
    eventfd_write(r->done_fd, 1);
  }
  let_go(r);
}

// The helper threads: one per request in flight, kept idle for a while for the
// next ones. Never destroyed (helpers may run while the process exits); a forked
// child starts with a new, empty pool (the parent's helpers are not there).
class pool {
 public:
  // Hands R to a helper; false (errno set) when no helper thread can be made.
  bool submit(request *r) noexcept;

 private:
  void work();

  std::mutex lock_;
  std::condition_variable ready_;
  std::deque<request *> queue_;
  size_t idle_ = 0;
};

constexpr auto idle_limit = std::chrono::seconds(10);

bool pool::submit(request *r) noexcept {
  std::lock_guard<std::mutex> guard(lock_);
  try {
    queue_.push_back(r);
  } catch (const std::bad_alloc &) {
    errno = ENOMEM;
    return false;
  }
  if (idle_ >= queue_.size()) {
    ready_.notify_one();
    return true;
  }
  // A new helper starts with every signal blocked: none may run a handler there.
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  bool started = true;
  try {
    std::thread(&pool::work, this).detach();
  } catch (const std::system_error &e) {
    errno = e.code().value();
    started = false;
  }
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  if (!started) queue_.pop_back();
  return started;
}

void pool::work() {
  std::unique_lock<std::mutex> guard(lock_);
  for (;;) {
    ++idle_;
    const bool got = ready_.wait_for(guard, idle_limit, [this] { return !queue_.empty(); });
    --idle_;
    if (!got) return;
    request *r = queue_.front();
    queue_.pop_front();
    guard.unlock();
    serve(r);
    guard.lock();
  }
}

std::atomic<pool *> helpers{nullptr};

pool &the_pool() {
  pool *p = helpers.load(std::memory_order_acquire);
  if (p != nullptr) return *p;
  pool *fresh = new pool();
  if (helpers.compare_exchange_strong(p, fresh, std::memory_order_acq_rel)) return *fresh;
  delete fresh;
  return *p;
}

// The parent's helpers are not in a forked child: it starts a new pool (the old one
// and its queue are left as they are).
__attribute__((constructor)) void register_fork_handler() {
  pthread_atfork(nullptr, nullptr, [] { helpers.store(nullptr, std::memory_order_relaxed); });
}

// Takes the helper's answer from FD, waiting for it: the helper writes it right
// after it marked the request done.
void take_answer(int fd) {
  pollfd pfd{fd, POLLIN, 0};
  while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {
  }
  eventfd_t value;
  eventfd_read(fd, &value);
}

int failure(int err) {
  errno = err;
  return err;
}

// Waits through a helper until OP is possible: 0, or an errno value (see the header).
// FD is the eventfd the helper answers on; the caller closes it only once the helper
// can no longer write it: when the request was abandoned, or after the answer.
int wait_until_possible(handle &h, int id, const sembuf &op, const deadline &until, int fd) {
  request *r = new (std::nothrow) request(id, op, fd);
  if (r == nullptr) return ENOMEM;
  if (!the_pool().submit(r)) {
    const int err = errno;
    delete r;
    return err;
  }
  const woken how = wait_descriptor(h, fd, POLLIN, until);
  const int wait_err = errno;
  int expected = request::pending;
  if (how == woken::again ||
      !r->state.compare_exchange_strong(expected, request::abandoned, std::memory_order_acq_rel)) {
    // The helper is done, whatever ended the wait: its outcome stands.
    take_answer(fd);
    const int err = r->err;
    let_go(r);
    return err;
  }
  let_go(r);
  switch (how) {
    case woken::closed: return EBADF;
    case woken::timed_out: return EAGAIN;
    case woken::interrupted: return EINTR;
    case woken::again:
    case woken::failed: break;
  }
  return wait_err;
}

// Waits until OP is possible, then performs it without waiting; again while another
// process is quicker.
int wait_and_perform(handle &h, int id, const sembuf &op, const deadline &until, int answers) {
  sembuf now = op;
  now.sem_flg |= IPC_NOWAIT;
  for (;;) {
    const int err = wait_until_possible(h, id, op, until, answers);
    if (err != 0) return err;
    if (semop(id, &now, 1) == 0) return 0;
    if (errno != EAGAIN) return errno;
  }
}

}  // namespace

int sysv_sem_wait(handle &h, int id, const sembuf &op, int64_t timeout_ns) noexcept {
  const deadline until(timeout_ns);
  const int answers = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (answers < 0) return failure(errno);
  const int err = wait_and_perform(h, id, op, until, answers);
  close(answers);
  return err == 0 ? 0 : failure(err);
}

}  // namespace pipc::core
