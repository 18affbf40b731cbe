#include "timeouts.hpp"

#include <sys/prctl.h>

#include "pipc.h"

namespace fuzz {

int64_t timeout_for(int64_t raw, bool blocks) {
  if (raw == PIPC_FOREVER || raw == PIPC_FOREVER_RESTARTABLE) return blocks ? 0 : raw;
  if (raw > 0) return 1;
  return raw;
}

std::vector<int> would_block(int64_t t) {
  if (t == 0) return {PIPC_EAGAIN};
  return {PIPC_ETIMEDOUT, PIPC_EINTR};
}

void short_timer_slack() { prctl(PR_SET_TIMERSLACK, 1UL); }

}  // namespace fuzz
