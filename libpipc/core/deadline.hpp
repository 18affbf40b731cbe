// Relative timeouts turned into deadlines on CLOCK_MONOTONIC.
#pragma once

#include <cstdint>
#include <ctime>

#include "pipc/common.h"

namespace pipc::core {

// PIPC_OK for PIPC_FOREVER and timeouts >= 0, else records and returns PIPC_ERANGE.
int check_timeout(int64_t timeout_ns, const char *function);

class deadline {
 public:
  // No deadline: waits forever. Reads no clock.
  deadline() : forever_(true) {}
  // TIMEOUT_NS is PIPC_FOREVER or >= 0 (checked by check_timeout).
  explicit deadline(int64_t timeout_ns);

  bool forever() const { return forever_; }
  // The deadline as an absolute CLOCK_MONOTONIC time (clamped far in the future).
  timespec absolute() const;
  // Time left, never negative.
  timespec remaining() const;

 private:
  bool forever_;
  int64_t end_ns_ = 0;
};


}  // namespace pipc::core
