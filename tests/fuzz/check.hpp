// The invariants every fuzz target checks after each libpipc call. A violation
// aborts: libFuzzer reports it as a crash and saves the input that caused it.
#pragma once

#include <initializer_list>
#include <vector>

namespace fuzz {

// Prints "invariant violated: ..." and aborts.
[[noreturn]] void violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// RC is PIPC_OK or a documented pipc_status, and after a failure pipc_last_message()
// is a non-empty NUL-terminated string. Returns RC.
int checked(int rc, const char *call);

// The same for the functions that return a value >= 0 (an id) or a pipc_status.
int checked_value(int rc, const char *call);

// checked(), and RC is one of EXPECTED (what the target's model of the contract
// allows for this input). Returns RC.
int expect(int rc, std::initializer_list<int> expected, const char *call);
int expect(int rc, const std::vector<int> &expected, const char *call);

// After an open that failed, the out-handle is NULL (the target set it to a
// non-NULL sentinel before the call).
void expect_cleared(int rc, const void *handle, const char *call);

// A non-NULL pointer that no handle ever equals: what out-handles hold before an
// open, so that one a failed open leaves untouched is noticed.
void *sentinel();

}  // namespace fuzz
