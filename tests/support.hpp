// Shared helpers for the C API suites: unique names, cleanup, child processes,
// bounded waits.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "pipc.h"

// PIPC_TEST_TSAN: 1 when the suites are built with ThreadSanitizer (as the library
// then is), which changes when signal handlers run and what the child of a
// threaded process may do; the few tests that depend on those say how.
#if defined(__SANITIZE_THREAD__)
#define PIPC_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PIPC_TEST_TSAN 1
#endif
#endif
#ifndef PIPC_TEST_TSAN
#define PIPC_TEST_TSAN 0
#endif

namespace pipc_test {

constexpr bool thread_sanitizer = PIPC_TEST_TSAN;

// For a test whose forked children start threads (a System V semaphore wait does):
// ThreadSanitizer neither supports nor checks threads in the child of a threaded
// process, so such tests run in the other builds only.
#define PIPC_SKIP_UNDER_TSAN_IF_CHILDREN_START_THREADS()                                   \
  do {                                                                                    \
    if (pipc_test::thread_sanitizer) {                                                    \
      GTEST_SKIP() << "forked children start threads here, which ThreadSanitizer cannot " \
                      "check";                                                            \
    }                                                                                     \
  } while (0)

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

// Waits up to TIMEOUT_MS for the child to end; returns its wait status (as waitpid
// gives it), or -1 if it could not be waited for. A child still running after
// TIMEOUT_MS is killed (the status then says SIGKILL).
int wait_status(pid_t pid, int timeout_ms = 20000);

// Waits up to TIMEOUT_MS for the child to exit; returns its exit status, or -1
// if it did not exit in time (it is then killed) or died by a signal.
int wait_child(pid_t pid, int timeout_ms = 20000);

// Waits (up to 10 s) until thread TID (of this or another process) sleeps in the
// kernel and, when SYSCALL >= 0, inside that system call. How a test knows that a
// call it started really waits before it wakes or interrupts it.
bool wait_until_blocked(pid_t tid, long syscall = -1);

// How many times thread TID (of this process, or a process) has gone to sleep: its
// voluntary context switches. -1 when /proc cannot tell.
int64_t voluntary_switches(pid_t tid);

// Nanoseconds on CLOCK_MONOTONIC.
int64_t now_ns();

constexpr int64_t ms = 1000000;  // nanoseconds in a millisecond
constexpr int64_t s = 1000 * ms;   // nanoseconds in a second
constexpr int64_t margin = 2 * s;  // slack allowed past a timeout

// ---- Other users ------------------------------------------------------------------

constexpr uid_t nobody = 65534;

// Drops this process (a child: it cannot go back) to user and group nobody with no
// supplementary groups; root passes every permission check, nobody does not.
// False if a step failed (the process is not root).
bool become_nobody();

// Runs BODY in a child that became nobody and returns its exit code (BODY's
// return value), or NOT_DROPPED if the child could not become nobody.
int as_nobody(const std::function<int()> &body, int not_dropped = 100);

// ---- Signals ----------------------------------------------------------------------

// How many signals count_signal (a handler) has caught; tests reset it.
extern std::atomic<int> signals_caught;
void count_signal(int);

// ---- Waiting calls ----------------------------------------------------------------

// A pipc call running on a thread of its own.
class background_call {
 public:
  // FN is the call. RESCUE, if given, is run when the call outlives the test (a
  // failed one left it asleep) to wake it before its thread is joined; without
  // one, such a thread is left behind.
  explicit background_call(std::function<int()> fn, std::function<void()> rescue = nullptr);
  ~background_call();
  background_call(const background_call &) = delete;
  background_call &operator=(const background_call &) = delete;

  // The calling thread's id, for wait_until_blocked.
  pid_t tid() { return tid_.get(); }
  bool running();
  void signal(int signo);

  // Once the call returned (within 10 s): its status and pipc_last_errno() on its
  // thread; else {1, 0}. Asked once per call.
  std::pair<int, int> outcome();
  int status() { return outcome().first; }

 private:
  bool finished();

  std::function<void()> rescue_;
  std::shared_future<pid_t> tid_;
  std::future<std::pair<int, int>> outcome_;
  std::thread thread_;
};

// One-way "go" between two processes: a byte through a pipe.
class signal_pipe {
 public:
  signal_pipe();
  ~signal_pipe();
  signal_pipe(const signal_pipe &) = delete;
  signal_pipe &operator=(const signal_pipe &) = delete;

  bool post();
  // Waits up to 10 s for a post.
  bool wait();

 private:
  int fds_[2] = {-1, -1};
};

// ---- Statuses and messages --------------------------------------------------------

// Whether MESSAGE mentions TEXT; the failure shows the message.
testing::AssertionResult mentions(const std::string &message, const std::string &text);

// Whether pipc_last_message() mentions TEXT; the failure shows the message.
testing::AssertionResult message_mentions(const std::string &text);

// What a failed open must overwrite with NULL: pipc_x *out = not_null<pipc_x>.
template <class Handle>
Handle *const not_null = reinterpret_cast<Handle *>(uintptr_t{1});

// Runs each of CALLS (pairs of a text and a call taking ARGS), expecting STATUS,
// pipc_last_errno() ERR, and a message that mentions the text.
template <class Calls, class... Args>
void expect_each_fails(const Calls &calls, int status, int err, Args... args) {
  for (const auto &[text, call] : calls) {
    EXPECT_EQ(call(args...), status) << text;
    EXPECT_EQ(pipc_last_errno(), err) << text;
    EXPECT_TRUE(message_mentions(text));
  }
}

// Runs each of CALLS (pairs of a function's name and a call of it on a handle)
// with a NULL handle and with FOREIGN, a live handle of another family (which
// FOREIGN_WHAT names): each must give PIPC_EBADHANDLE, errno EBADF and a message
// that names the function.
template <class Handle, class Calls>
void expect_rejects_bad_handles(const Calls &calls, Handle *foreign, const char *foreign_what) {
  for (Handle *bad : {static_cast<Handle *>(nullptr), foreign}) {
    SCOPED_TRACE(bad == nullptr ? "NULL handle" : foreign_what);
    expect_each_fails(calls, PIPC_EBADHANDLE, EBADF, bad);
  }
}

}  // namespace pipc_test
