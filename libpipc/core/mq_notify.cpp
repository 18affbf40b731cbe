#include "core/mq_notify.hpp"

#include <signal.h>

#include <cerrno>
#include <cstdint>
#include <iterator>
#include <unordered_map>

#include "core/tsan.hpp"

#if PIPC_TSAN
#include <pthread.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#endif

namespace pipc::core {
namespace {

struct callback {
  pipc_mq_notify_fn fn;
  void *arg;
  const posix_mq *owner;  // the handle that registered it
};

std::mutex callbacks_lock;
std::unordered_map<uint64_t, callback> *callbacks = new std::unordered_map<uint64_t, callback>();
uint64_t last_id = 0;

void run_callback(sigval value) {
  const uint64_t id = reinterpret_cast<uintptr_t>(value.sival_ptr);
  callback cb{};
  {
    std::lock_guard<std::mutex> guard(callbacks_lock);
    const auto found = callbacks->find(id);
    if (found == callbacks->end()) return;  // cancelled, or its handle closed
    cb = found->second;
    callbacks->erase(found);
  }
  cb.fn(cb.arg);  // outside the lock: the callback may re-register or close
}

void erase_entry(uint64_t id) {
  std::lock_guard<std::mutex> guard(callbacks_lock);
  callbacks->erase(id);
}

// Forgets every callback registered through MQ that has not started yet.
void erase_entries_of(const posix_mq &mq) {
  std::lock_guard<std::mutex> guard(callbacks_lock);
  for (auto it = callbacks->begin(); it != callbacks->end();) {
    it = it->second.owner == &mq ? callbacks->erase(it) : std::next(it);
  }
}

#if PIPC_TSAN
// glibc's SIGEV_THREAD starts a helper thread, and a thread per notification to
// run the function, from inside the C library, where ThreadSanitizer does not see
// them start: the first allocation on one crashes it (google/sanitizers#1612).
// Under ThreadSanitizer libpipc does what glibc does with threads of its own: the
// kernel sends a cookie that holds the registration's id on a netlink socket when
// the notification fires; a helper thread receives it and starts a detached thread
// that runs run_callback, with every signal unblocked, as glibc's do.
namespace own_sigev_thread {

constexpr size_t cookie_len = 32;           // the kernel's NOTIFY_COOKIE_LEN
constexpr unsigned char notify_wokenup = 1;  // in the cookie's last byte

void *run_notification(void *id) {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_UNBLOCK, &all, nullptr);
  sigval value{};
  value.sival_ptr = id;
  run_callback(value);
  return nullptr;
}

void *helper(void *socket) {
  const int fd = static_cast<int>(reinterpret_cast<intptr_t>(socket));
  for (;;) {
    unsigned char cookie[cookie_len];
    const ssize_t n = recv(fd, cookie, sizeof cookie, MSG_NOSIGNAL | MSG_WAITALL);
    if (n < 0 && errno == EBADF) return nullptr;
    // Anything else, NOTIFY_REMOVED included, asks for nothing.
    if (n != static_cast<ssize_t>(cookie_len) || cookie[cookie_len - 1] != notify_wokenup) continue;
    void *id;
    std::memcpy(&id, cookie, sizeof id);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    pthread_create(&thread, &attr, run_notification, id);  // no way to report a failure
    pthread_attr_destroy(&attr);
  }
}

// The netlink socket of this process's helper thread, both made on first use (a
// forked child makes its own); -1 with errno when they cannot be had.
int helper_socket() {
  static std::mutex lock;
  static int fd = -1;
  static pid_t owner = 0;
  std::lock_guard<std::mutex> guard(lock);
  if (fd >= 0 && owner == getpid()) return fd;
  if (fd >= 0) close(fd);  // the parent's, inherited through fork
  fd = -1;
  const int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);  // the helper inherits a mask that blocks all
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  const int err = pthread_create(&thread, &attr, helper, reinterpret_cast<void *>(intptr_t{s}));
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (err != 0) {
    close(s);
    errno = err;
    return -1;
  }
  fd = s;
  owner = getpid();
  return fd;
}

// mq_notify(MQD, SIGEV_THREAD) for the callback registered as ID.
int register_thread(mqd_t mqd, uint64_t id) {
  const int fd = helper_socket();
  if (fd < 0) return -1;
  unsigned char cookie[cookie_len] = {};
  void *const id_ptr = reinterpret_cast<void *>(static_cast<uintptr_t>(id));
  std::memcpy(cookie, &id_ptr, sizeof id_ptr);
  sigevent event{};
  event.sigev_notify = SIGEV_THREAD;
  event.sigev_signo = fd;
  event.sigev_value.sival_ptr = cookie;
  return static_cast<int>(syscall(SYS_mq_notify, mqd, &event));
}

}  // namespace own_sigev_thread
#endif

int notify_failed(const posix_mq &mq) {
  if (errno == EBUSY) {
    return fail(PIPC_EAGAIN, EBUSY,
                "mq_notify on \"%s\": a process is already registered for this queue",
                mq.name.c_str());
  }
  return os_fail("mq_notify", mq.name.c_str());
}

}  // namespace

int mq_notify_signal(posix_mq &mq, int signo) {
  if (signo < 1 || signo > SIGRTMAX) {
    return invalid("pipc_mq_notify_signal: %d is not a signal number (1 .. %d)", signo, SIGRTMAX);
  }
  std::lock_guard<std::mutex> guard(mq.notify_lock);
  sigevent event{};
  event.sigev_notify = SIGEV_SIGNAL;
  event.sigev_signo = signo;
  if (::mq_notify(mq.mqd, &event) != 0) return notify_failed(mq);
  return PIPC_OK;
}

int mq_notify_callback(posix_mq &mq, pipc_mq_notify_fn fn, void *arg) {
  if (fn == nullptr) return invalid("pipc_mq_notify_callback: fn is NULL");
  std::lock_guard<std::mutex> guard(mq.notify_lock);
  uint64_t id;
  {
    std::lock_guard<std::mutex> callbacks_guard(callbacks_lock);
    id = ++last_id;
    (*callbacks)[id] = callback{fn, arg, &mq};
  }
#if PIPC_TSAN
  if (own_sigev_thread::register_thread(mq.mqd, id) != 0) {
#else
  sigevent event{};
  event.sigev_notify = SIGEV_THREAD;
  event.sigev_notify_function = run_callback;
  event.sigev_value.sival_ptr = reinterpret_cast<void *>(static_cast<uintptr_t>(id));
  if (::mq_notify(mq.mqd, &event) != 0) {
#endif
    const int rc = notify_failed(mq);
    erase_entry(id);
    return rc;
  }
  return PIPC_OK;
}

int mq_notify_cancel(posix_mq &mq) {
  std::lock_guard<std::mutex> guard(mq.notify_lock);
  if (::mq_notify(mq.mqd, nullptr) != 0) return os_fail("mq_notify", mq.name.c_str());
  erase_entries_of(mq);
  return PIPC_OK;
}

void mq_notify_forget(posix_mq &mq) { erase_entries_of(mq); }

}  // namespace pipc::core
