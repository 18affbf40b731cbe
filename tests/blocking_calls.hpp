// The seven calls of the C API that block, each set up where it must wait, with
// a second handle to the same object to look at it and to end the wait.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pipc_test {

class blocking_call {
 public:
  virtual ~blocking_call() = default;

  const char *name() const { return name_; }
  // The call, through the handle it waits on.
  virtual int wait(int64_t timeout_ns) = 0;
  // Closes the handle the call waits on (once).
  virtual int close_waiting_handle() = 0;
  // Makes the wait possible through the other handle (a release, a message, room).
  virtual int make_possible() = 0;
  // What another process would see of the object: its value, or its messages.
  virtual std::string state() = 0;
  // Whether the object is set up and both handles are open.
  bool ready() const { return ready_; }

 protected:
  explicit blocking_call(const char *name) : name_(name) {}
  bool ready_ = false;

 private:
  const char *name_;
};

// All seven, each on a new object: POSIX semaphore acquire, POSIX queue send and
// receive, System V semaphore acquire and wait-for-zero, System V queue send and
// receive. The objects are removed when the calls are destroyed.
std::vector<std::unique_ptr<blocking_call>> all_blocking_calls();

}  // namespace pipc_test
