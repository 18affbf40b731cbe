#include "blocking_calls.hpp"

#include <atomic>
#include <string>

#include "pipc.h"
#include "support.hpp"

namespace pipc_test {
namespace {

// A handle type's close and dup, so that one class serves every family.
template <class H>
struct handle_ops;

template <>
struct handle_ops<pipc_sem> {
  static constexpr auto close = pipc_sem_close;
  static constexpr auto dup = pipc_sem_dup;
};
template <>
struct handle_ops<pipc_mq> {
  static constexpr auto close = pipc_mq_close;
  static constexpr auto dup = pipc_mq_dup;
};
template <>
struct handle_ops<pipc_sysv_sem> {
  static constexpr auto close = pipc_sysv_sem_close;
  static constexpr auto dup = pipc_sysv_sem_dup;
};
template <>
struct handle_ops<pipc_sysv_mq> {
  static constexpr auto close = pipc_sysv_mq_close;
  static constexpr auto dup = pipc_sysv_mq_dup;
};

// A call that waits through handle `waiting`, with `other` (its duplicate) to look
// at and change the object. SETUP(H *other) puts the object where the call waits.
template <class H>
class call_on : public blocking_call {
 public:
  call_on(const char *name, H *opened) : blocking_call(name), waiting_(opened) {
    ready_ = opened != nullptr && handle_ops<H>::dup(&other_, opened) == PIPC_OK;
  }
  ~call_on() override {
    handle_ops<H>::close(waiting_);
    handle_ops<H>::close(other_);
  }
  int close_waiting_handle() override { return handle_ops<H>::close(waiting_.exchange(nullptr)); }

 protected:
  std::atomic<H *> waiting_;  // read by the waiting thread, emptied by the closing one
  H *other_ = nullptr;
};

constexpr size_t message_size = 8;
const char message[message_size + 1] = "12345678";

pipc_sem *new_sem() {
  pipc_sem_options opts = PIPC_SEM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  pipc_sem *sem = nullptr;
  if (pipc_sem_open(&sem, unique_name().c_str(), &opts) != PIPC_OK) return nullptr;
  pipc_sem_unlink(sem);  // lives on through its handles; nothing is left if a test dies
  return sem;
}

class sem_acquire : public call_on<pipc_sem> {
 public:
  sem_acquire() : call_on("POSIX semaphore acquire", new_sem()) {}
  int wait(int64_t timeout_ns) override { return pipc_sem_acquire(waiting_, timeout_ns); }
  int make_possible() override { return pipc_sem_release(other_); }
  std::string state() override {
    int value = -1;
    pipc_sem_value(&value, other_);
    return "value " + std::to_string(value);
  }
};

pipc_mq *new_queue() {
  pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  opts.max_messages = 1;
  opts.max_message_size = message_size;
  pipc_mq *mq = nullptr;
  if (pipc_mq_open(&mq, unique_name().c_str(), &opts) != PIPC_OK) return nullptr;
  pipc_mq_unlink(mq);
  return mq;
}

class mq_call : public call_on<pipc_mq> {
 public:
  using call_on::call_on;
  std::string state() override {
    int64_t n = -1;
    pipc_mq_current_messages(&n, other_);
    return std::to_string(n) + " messages";
  }

 protected:
  int send(pipc_mq *mq, int64_t timeout_ns) {
    return pipc_mq_send(mq, message, message_size, 0, timeout_ns);
  }
  int receive(pipc_mq *mq, int64_t timeout_ns) {
    char buf[message_size];
    size_t len = 0;
    return pipc_mq_receive(&len, nullptr, mq, buf, sizeof buf, timeout_ns);
  }
};

class mq_receive : public mq_call {
 public:
  mq_receive() : mq_call("POSIX queue receive", new_queue()) {}
  int wait(int64_t timeout_ns) override { return receive(waiting_, timeout_ns); }
  int make_possible() override { return send(other_, 0); }
};

class mq_send : public mq_call {
 public:
  mq_send() : mq_call("POSIX queue send", new_queue()) {
    ready_ = ready_ && send(other_, 0) == PIPC_OK;  // full
  }
  int wait(int64_t timeout_ns) override { return send(waiting_, timeout_ns); }
  int make_possible() override { return receive(other_, 0); }
};

pipc_sysv_sem *new_sysv_sem(uint32_t value) {
  pipc_sysv_sem_options opts = PIPC_SYSV_SEM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  opts.initial_value = value;
  pipc_sysv_sem *sem = nullptr;
  return pipc_sysv_sem_open(&sem, unique_key(), &opts) == PIPC_OK ? sem : nullptr;
}

class sysv_sem_call : public call_on<pipc_sysv_sem> {
 public:
  sysv_sem_call(const char *name, uint32_t value) : call_on(name, new_sysv_sem(value)) {}
  ~sysv_sem_call() override { pipc_sysv_sem_remove(other_); }
  std::string state() override {
    int value = -1;
    pipc_sysv_sem_value(&value, other_);
    return "value " + std::to_string(value);
  }
};

class sysv_sem_acquire : public sysv_sem_call {
 public:
  sysv_sem_acquire() : sysv_sem_call("System V semaphore acquire", 0) {}
  int wait(int64_t timeout_ns) override { return pipc_sysv_sem_acquire(waiting_, 1, timeout_ns); }
  int make_possible() override { return pipc_sysv_sem_release(other_, 1); }
};

class sysv_sem_wait_zero : public sysv_sem_call {
 public:
  sysv_sem_wait_zero() : sysv_sem_call("System V semaphore wait for zero", 1) {}
  int wait(int64_t timeout_ns) override { return pipc_sysv_sem_wait_zero(waiting_, timeout_ns); }
  int make_possible() override { return pipc_sysv_sem_acquire(other_, 1, 0); }
};

pipc_sysv_mq *new_sysv_queue() {
  pipc_sysv_mq_options opts = PIPC_SYSV_MQ_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  opts.max_bytes = message_size;  // room for one message
  pipc_sysv_mq *mq = nullptr;
  return pipc_sysv_mq_open(&mq, unique_key(), &opts) == PIPC_OK ? mq : nullptr;
}

class sysv_mq_call : public call_on<pipc_sysv_mq> {
 public:
  explicit sysv_mq_call(const char *name) : call_on(name, new_sysv_queue()) {}
  ~sysv_mq_call() override { pipc_sysv_mq_remove(other_); }
  std::string state() override {
    uint64_t n = 0;
    pipc_sysv_mq_current_messages(&n, other_);
    return std::to_string(n) + " messages";
  }

 protected:
  int send(pipc_sysv_mq *mq, int64_t timeout_ns) {
    return pipc_sysv_mq_send(mq, message, message_size, 1, timeout_ns);
  }
  int receive(pipc_sysv_mq *mq, int64_t timeout_ns) {
    char buf[message_size];
    size_t len = 0;
    return pipc_sysv_mq_receive(&len, nullptr, mq, buf, sizeof buf, 0, 0, timeout_ns);
  }
};

class sysv_mq_receive : public sysv_mq_call {
 public:
  sysv_mq_receive() : sysv_mq_call("System V queue receive") {}
  int wait(int64_t timeout_ns) override { return receive(waiting_, timeout_ns); }
  int make_possible() override { return send(other_, 0); }
};

class sysv_mq_send : public sysv_mq_call {
 public:
  sysv_mq_send() : sysv_mq_call("System V queue send") {
    ready_ = ready_ && send(other_, 0) == PIPC_OK;  // full
  }
  int wait(int64_t timeout_ns) override { return send(waiting_, timeout_ns); }
  int make_possible() override { return receive(other_, 0); }
};

}  // namespace

std::vector<std::unique_ptr<blocking_call>> all_blocking_calls() {
  std::vector<std::unique_ptr<blocking_call>> calls;
  calls.push_back(std::make_unique<sem_acquire>());
  calls.push_back(std::make_unique<mq_receive>());
  calls.push_back(std::make_unique<mq_send>());
  calls.push_back(std::make_unique<sysv_sem_acquire>());
  calls.push_back(std::make_unique<sysv_sem_wait_zero>());
  calls.push_back(std::make_unique<sysv_mq_receive>());
  calls.push_back(std::make_unique<sysv_mq_send>());
  return calls;
}

}  // namespace pipc_test
