// Waits on System V semaphores, done by helper threads.
//
// semtimedop is the only way to wait for a System V semaphore, and it can watch
// nothing else: not the handle's close, not a deadline kept across a stop, and, in
// slices that end to look at those, not every signal (one that arrives as a slice
// times out has its handler run where no call can tell). So the kernel wait goes
// to a helper thread of the process, which blocks every signal and parks in
// semtimedop (in the semaphore's queue, counted by GETNCNT and GETZCNT) until the
// operation is possible. The caller meanwhile waits on a descriptor the helper
// writes then (waits.hpp), so close, signal handlers and the deadline end its wait
// exactly as they end the queues' waits; then the caller performs the operation
// itself, without waiting, and waits again if another process was quicker.
//
// The helper's wait changes no value: an acquire of D waits as "take D, give D
// back", one atomic semop; a wait for zero is its own. So a helper whose caller
// stopped waiting (it sees that within close_check_ns, 50 ms, and gives up) leaves
// the value alone even if its wait completes meanwhile; only the semaphore's
// last-operation pid and time may show it.
#pragma once

#include <sys/sem.h>

#include <cstdint>

#include "core/handle.hpp"

namespace pipc::core {

// Performs OP (an acquire or a wait for zero on semaphore 0) on set ID once it is
// possible, waiting up to TIMEOUT_NS (not 0) unless H is closed or a signal handler
// runs first. Returns 0 when the operation was done, else an errno value with errno
// set to it: EAGAIN when the deadline passed, EINTR for a signal handler, EBADF when
// H was closed, or what semop, semtimedop or the wait itself failed with.
int sysv_sem_wait(handle &h, int id, const sembuf &op, int64_t timeout_ns) noexcept;

}  // namespace pipc::core
