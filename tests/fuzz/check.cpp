#include "check.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "pipc.h"

namespace fuzz {

void violation(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fputs("invariant violated: ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
  std::abort();
}

int checked(int rc, const char *call) {
  if (rc > PIPC_OK || rc < PIPC_ENOTRECOVERABLE) {
    violation("%s returned %d, which is no pipc_status", call, rc);
  }
  if (rc != PIPC_OK) {
    // Far longer than any message: a missing NUL would show as this length.
    constexpr size_t bound = 1 << 16;
    const char *message = pipc_last_message();
    if (message == nullptr) violation("%s failed (%d) and pipc_last_message() is NULL", call, rc);
    const size_t len = strnlen(message, bound);
    if (len == 0 || len == bound) {
      violation("%s failed (%d) with a %s detail message", call, rc,
                len == 0 ? "empty" : "unterminated");
    }
  }
  return rc;
}

int checked_value(int rc, const char *call) { return rc >= 0 ? rc : checked(rc, call); }

namespace {

int expect_in(int rc, const int *begin, const int *end, const char *call) {
  checked(rc, call);
  for (const int *status = begin; status != end; ++status) {
    if (rc == *status) return rc;
  }
  char allowed[256] = "";
  for (const int *status = begin; status != end; ++status) {
    const size_t used = std::strlen(allowed);
    std::snprintf(allowed + used, sizeof allowed - used, "%s%d", used ? ", " : "", *status);
  }
  violation("%s returned %d (%s: \"%s\"), expected one of {%s}", call, rc, pipc_strerror(rc),
            rc != PIPC_OK ? pipc_last_message() : "", allowed);
}

}  // namespace

int expect(int rc, std::initializer_list<int> expected, const char *call) {
  return expect_in(rc, expected.begin(), expected.end(), call);
}

int expect(int rc, const std::vector<int> &expected, const char *call) {
  return expect_in(rc, expected.data(), expected.data() + expected.size(), call);
}

void expect_cleared(int rc, const void *handle, const char *call) {
  if (rc != PIPC_OK && handle != nullptr) {
    violation("%s failed (%d) but left the out-handle %p", call, rc, handle);
  }
  if (rc == PIPC_OK && (handle == nullptr || handle == sentinel())) {
    violation("%s succeeded without setting the out-handle", call);
  }
}

void *sentinel() {
  static char never_a_handle;
  return &never_a_handle;
}

}  // namespace fuzz
