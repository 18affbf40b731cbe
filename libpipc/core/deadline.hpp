// Relative timeouts turned into deadlines on CLOCK_MONOTONIC.
#pragma once

#include <cstdint>
#include <ctime>

#include "pipc/common.h"

namespace pipc::core {

// PIPC_OK for PIPC_FOREVER, PIPC_FOREVER_RESTARTABLE and timeouts >= 0, else records
// and returns PIPC_ERANGE. Entry points call it only for timeout_invalid() values.
int check_timeout(int64_t timeout_ns, const char *function);
inline bool timeout_invalid(int64_t timeout_ns) { return timeout_ns < PIPC_FOREVER_RESTARTABLE; }
// Either way of waiting without limit (valid timeouts only).
inline bool waits_forever(int64_t timeout_ns) { return timeout_ns < 0; }

// Nanoseconds on CLOCK_MONOTONIC.
int64_t monotonic_ns();

class deadline {
 public:
  // No deadline: waits forever. Reads no clock.
  deadline() : forever_(true) {}
  // TIMEOUT_NS is valid (see check_timeout).
  explicit deadline(int64_t timeout_ns);

  bool forever() const { return forever_; }
  // The deadline as an absolute CLOCK_MONOTONIC time (clamped far in the future).
  timespec absolute() const;
  // Time left, never negative.
  timespec remaining() const;
  int64_t remaining_ns() const;
  bool passed() const { return !forever_ && remaining_ns() == 0; }
  // This deadline or NS from now, whichever comes first.
  deadline sooner(int64_t ns) const;

 private:
  deadline(bool forever, int64_t end_ns) : forever_(forever), end_ns_(end_ns) {}

  bool forever_;
  int64_t end_ns_ = 0;
};

}  // namespace pipc::core
