// Timeouts from fuzz input for calls that may wait. A target never waits without
// limit where something could block it, and a bounded wait is of 1 ns: it takes
// the library's timed path (deadline, PIPC_ETIMEDOUT) without sleeping, which on a
// busy machine would cost a trip through the scheduler per wait.
#pragma once

#include <cstdint>
#include <vector>

namespace fuzz {

// The timeout to pass for the fuzzer's RAW to a call that would wait if it could
// (BLOCKS; say so too of a call the model refuses, in case the library does not):
// one that waits without limit becomes 0 then, and a bounded one 1 ns. Invalid ones
// (below PIPC_FOREVER_RESTARTABLE) stay as they are.
int64_t timeout_for(int64_t raw, bool blocks);

// What a call that cannot proceed may give with the timeout T (from timeout_for):
// PIPC_EAGAIN for 0; for a bound PIPC_ETIMEDOUT, or PIPC_EINTR when a signal
// arrives during the wait (libFuzzer's SIGALRM, which checks -timeout, comes
// every ten minutes and is installed without SA_RESTART).
std::vector<int> would_block(int64_t t);

// Lowers this thread's timer slack to 1 ns, so that the waits that do sleep (a
// System V semaphore's semtimedop) cost about their bound, not the default 50 us.
void short_timer_slack();

}  // namespace fuzz
