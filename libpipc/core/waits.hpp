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
//  - a descriptor (POSIX queues; System V queues between their polls) is polled
//    together with the handle's wake eventfd, which close writes, and, for a
//    bounded wait, a timerfd armed at the deadline;
//  - a System V semaphore has no wait that close could end: its calls sleep in the
//    kernel in slices of at most close_check_ns and look at the handle in between.
// The library installs no signal handler and changes nothing other processes see.
#pragma once

#include <signal.h>

#include <cstdint>

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

// Waits while the 32-bit futex word WORD, in memory shared with other processes,
// holds EXPECTED, until the word is woken, UNTIL passes or a signal handler runs
// (one installed with SA_RESTART resumes a wait without deadline, as the kernel
// does). Returns closed when H was closing before or after the sleep.
woken wait_futex(const handle &h, const uint32_t *word, uint32_t expected, const deadline &until);

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
