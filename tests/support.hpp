// Shared helpers for the C API suites: unique names, cleanup, child processes,
// bounded waits.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include "pipc.h"

namespace pipc_test {

// A fresh POSIX name for this test: "/pipc_t<pid>_<random>". Every object a test
// creates uses one, so the leak check (see support.cpp) can find leftovers.
std::string unique_name();

// The prefix unique_name() uses in this process, without the '/'.
std::string name_prefix();

// A fresh System V key for this test, made of this process's pid and a counter,
// so the leak check (see support.cpp) can find leftovers. Objects made with
// PIPC_KEY_RANDOM or PIPC_IPC_PRIVATE are not found by it: .ci/run compares
// `ipcs` before and after the whole run.
int64_t unique_key();

// True when KEY is one unique_key() of this process could have returned.
bool is_own_key(int64_t key);

// Runs a function when the scope ends, also when an assertion returns early.
class scope_exit {
 public:
  explicit scope_exit(std::function<void()> fn) : fn_(std::move(fn)) {}
  ~scope_exit() {
    if (fn_) fn_();
  }
  scope_exit(const scope_exit &) = delete;
  scope_exit &operator=(const scope_exit &) = delete;

 private:
  std::function<void()> fn_;
};

// Installs FN as SIGUSR1's handler with sa_flags FLAGS while it lives.
class usr1_handler {
 public:
  explicit usr1_handler(void (*fn)(int), int flags = 0);
  ~usr1_handler();
  usr1_handler(const usr1_handler &) = delete;
  usr1_handler &operator=(const usr1_handler &) = delete;

 private:
  struct sigaction previous_ {};
};

// Forks a child that runs BODY and exits with its return value (never returning
// into the test framework). Returns the child's pid.
pid_t spawn(const std::function<int()> &body);

// Waits up to TIMEOUT_MS for the child to exit; returns its exit status, or -1
// if it did not exit in time (it is then killed) or died by a signal.
int wait_child(pid_t pid, int timeout_ms = 20000);

// Waits (up to 10 s) until thread TID (of this or another process) sleeps in the
// kernel and, when SYSCALL >= 0, inside that system call. How a test knows that a
// call it started really waits before it wakes or interrupts it.
bool wait_until_blocked(pid_t tid, long syscall = -1);

// Nanoseconds on CLOCK_MONOTONIC.
int64_t now_ns();

constexpr int64_t ms = 1000000;  // nanoseconds in a millisecond

}  // namespace pipc_test
