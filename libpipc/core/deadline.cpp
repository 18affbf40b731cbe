#include "core/deadline.hpp"

#include <limits>

#include "core/error.hpp"

namespace pipc::core {
namespace {

constexpr int64_t ns_per_s = 1000000000;

timespec to_timespec(int64_t ns) {
  return timespec{static_cast<time_t>(ns / ns_per_s), static_cast<long>(ns % ns_per_s)};
}

int64_t later_by(int64_t now, int64_t ns) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  return ns > max - now ? max : now + ns;
}

}  // namespace

int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * ns_per_s + now.tv_nsec;
}

int check_timeout(int64_t timeout_ns, const char *function) {
  if (!timeout_invalid(timeout_ns)) return PIPC_OK;
  return out_of_range("%s: timeout %lld ns is negative (PIPC_FOREVER is -1, "
                      "PIPC_FOREVER_RESTARTABLE -2)", function,
                      static_cast<long long>(timeout_ns));
}

deadline::deadline(int64_t timeout_ns) : forever_(waits_forever(timeout_ns)) {
  if (!forever_) end_ns_ = later_by(monotonic_ns(), timeout_ns);
}

timespec deadline::absolute() const { return to_timespec(end_ns_); }

int64_t deadline::remaining_ns() const {
  const int64_t left = end_ns_ - monotonic_ns();
  return left > 0 ? left : 0;
}

timespec deadline::remaining() const { return to_timespec(remaining_ns()); }

deadline deadline::sooner(int64_t ns) const {
  const int64_t end = later_by(monotonic_ns(), ns);
  return deadline(false, forever_ || end < end_ns_ ? end : end_ns_);
}

}  // namespace pipc::core
