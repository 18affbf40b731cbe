#include "core/deadline.hpp"

#include <limits>

#include "core/error.hpp"

namespace pipc::core {
namespace {

constexpr int64_t ns_per_s = 1000000000;

timespec to_timespec(int64_t ns) {
  return timespec{static_cast<time_t>(ns / ns_per_s), static_cast<long>(ns % ns_per_s)};
}

int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * ns_per_s + now.tv_nsec;
}

}  // namespace

int check_timeout(int64_t timeout_ns, const char *function) {
  if (!timeout_invalid(timeout_ns)) return PIPC_OK;
  return out_of_range("%s: timeout %lld ns is negative (PIPC_FOREVER is -1, "
                      "PIPC_FOREVER_RESTARTABLE -2)", function,
                      static_cast<long long>(timeout_ns));
}

deadline::deadline(int64_t timeout_ns) : forever_(waits_forever(timeout_ns)) {
  if (forever_) return;
  const int64_t now = monotonic_ns();
  const int64_t max = std::numeric_limits<int64_t>::max();
  end_ns_ = timeout_ns > max - now ? max : now + timeout_ns;
}

timespec deadline::absolute() const { return to_timespec(end_ns_); }

timespec deadline::remaining() const {
  const int64_t left = end_ns_ - monotonic_ns();
  return to_timespec(left > 0 ? left : 0);
}

}  // namespace pipc::core
