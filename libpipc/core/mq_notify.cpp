#include "core/mq_notify.hpp"

#include <signal.h>

#include <cerrno>
#include <cstdint>
#include <iterator>
#include <unordered_map>

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
  sigevent event{};
  event.sigev_notify = SIGEV_THREAD;
  event.sigev_notify_function = run_callback;
  event.sigev_value.sival_ptr = reinterpret_cast<void *>(static_cast<uintptr_t>(id));
  if (::mq_notify(mq.mqd, &event) != 0) {
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
