// How blocking calls wait, so that a close of their handle, a signal handler and
// their deadline always end them.
//
// Every wait keeps its deadline on CLOCK_MONOTONIC as an absolute time, so that a
// process stopped and continued (SIGSTOP, SIGCONT) wakes at once if the deadline
// passed meanwhile instead of sleeping out the time that was left at the stop.
// Every wait looks at the handle's closing flag before it sleeps and when it wakes,
// and close wakes it:
//  - a futex word (POSIX semaphores): the family wakes the word at close
//    (handle::wake_waiters), until its sleepers are gone;
//  - a futex word together with the close_signal words of the handles the call
//    uses (robust mutexes, condition variables): one futex_waitv, which close ends
//    by waking its own word only (where the kernel lacks futex_waitv, the word is
//    waited for in slices of close_check_ns);
//  - a descriptor (POSIX queues; System V queues between their polls) is polled
//    together with the handle's wake eventfd, which close writes, and, for a
//    bounded wait, a timerfd armed at the deadline;
//  - a System V semaphore has no wait that close could end: its calls sleep in the
//    kernel in slices of at most close_check_ns and look at the handle in between.
// The library installs no signal handler and changes nothing other processes see.
#pragma once

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <initializer_list>

#include "core/deadline.hpp"
#include "core/handle.hpp"

namespace pipc::core {

// The longest a wait that close cannot interrupt sleeps before it looks again:
// close ends it within this, and an idle waiter wakes at most 20 times a second.
constexpr int64_t close_check_ns = 50 * 1000 * 1000;

enum class woken {
  again,        // the thing waited for may be ready (or a slice ended): look again
  closed,       // the handle is closing
  timed_out,    // the deadline passed
  interrupted,  // a signal handler ran (errno EINTR)
  failed,       // an OS call failed: errno tells
};

// The status of a wait of FUNCTION that ended HOW (not again): PIPC_EBADHANDLE,
// PIPC_ETIMEDOUT, PIPC_EINTR or the OS error (all recorded).
int wait_status(woken how, const char *function) noexcept;

// Waits while the 32-bit futex word WORD, in memory shared with other processes,
// holds EXPECTED, until the word is woken, UNTIL passes or a signal handler runs
// (one installed with SA_RESTART resumes a wait without deadline, as the kernel
// does). Returns closed when H was closing before or after the sleep.
woken wait_futex(const handle &h, const uint32_t *word, uint32_t expected, const deadline &until);

// A process-private futex word that a handle's close sets and wakes, so that a
// futex_waitv on it and on a shared word ends at close without waking the shared
// word's other waiters.
class close_signal {
 public:
  // Sets the word and wakes every wait that includes it.
  void raise() noexcept;
  const uint32_t *word() const { return reinterpret_cast<const uint32_t *>(&raised_); }
  bool raised() const { return raised_.load(std::memory_order_seq_cst) != 0; }

 private:
  std::atomic<uint32_t> raised_{0};
};

// Waits while the shared futex word WORD holds EXPECTED, as wait_futex does, and
// ends with closed when one of CLOSERS (at most 2) is raised before or during the
// wait.
woken wait_word(const uint32_t *word, uint32_t expected,
                std::initializer_list<const close_signal *> closers, const deadline &until);

// Wakes up to COUNT waits on WORD, in memory shared with other processes.
void wake_word(const void *word, int count) noexcept;

// Waits until descriptor FD (none when -1) has one of EVENTS, H closes, UNTIL
// passes or a signal handler runs. MASK, if given, is the signal mask the thread
// waits with (as ppoll's).
woken wait_descriptor(handle &h, int fd, short events, const deadline &until,
                      const sigset_t *mask = nullptr);

// Blocks the thread's asynchronous signals while it lives, so that a signal
// arriving while a polling wait is between its sleeps stays pending and ends the
// next sleep (wait_descriptor with original()), rather than running unnoticed.
class signals_held {
 public:
  signals_held();
  ~signals_held();
  signals_held(const signals_held &) = delete;
  signals_held &operator=(const signals_held &) = delete;

  const sigset_t *original() const { return &original_; }

 private:
  sigset_t original_;
};

}  // namespace pipc::core
