// The shape every family's pipc_X_open and pipc_X_unlink_name share.
#pragma once

#include <cerrno>
#include <cstddef>
#include <new>

#include "core/error.hpp"
#include "core/handle.hpp"
#include "core/names.hpp"
#include "core/sysv.hpp"

namespace pipc::api {

// A family's name check (core::check_X_name).
using name_check = int (*)(const char *name, const char *function);

// pipc_X_open: clears *out, takes DEFAULTS for NULL options, checks them with CHECK
// and the name with CHECK_NAME (NULL: a random name), then runs OPEN.
template <class H, class Options>
int open_entry(const char *function, H **out, const char *name, const Options *opts,
               const Options &defaults, name_check check_name,
               int (*check)(const Options &, const char *),
               int (*open)(H **, const char *, const Options &)) {
  if (out == nullptr) return core::invalid("%s: out is NULL", function);
  *out = nullptr;
  const Options options = opts != nullptr ? *opts : defaults;
  int rc = check(options, function);
  if (rc == PIPC_OK && name != nullptr) rc = check_name(name, function);
  if (rc != PIPC_OK) return rc;
  try {
    return open(out, name, options);
  } catch (const std::bad_alloc &) {
    return core::fail(PIPC_ENOMEM, ENOMEM, "%s: out of memory", function);
  }
}

// pipc_X_dup: clears *out, then runs DUP on the object of the open handle H.
template <class H>
int dup_entry(const char *function, H **out, H *h,
              int (*dup)(H **, const typename core::family_traits<H>::object &)) {
  if (out == nullptr) return core::invalid("%s: out is NULL", function);
  *out = nullptr;
  core::call<H> c(h);
  if (!c) return core::bad_handle(function);
  try {
    return dup(out, *c);
  } catch (const std::bad_alloc &) {
    return core::fail(PIPC_ENOMEM, ENOMEM, "%s: out of memory", function);
  }
}

// pipc_X_unlink_name: checks NAME with CHECK_NAME, then removes it with the OS call
// UNLINK (named OS_CALL).
inline int unlink_entry(const char *function, const char *name, name_check check_name,
                        int (*unlink)(const char *), const char *os_call) {
  const int rc = check_name(name, function);
  if (rc != PIPC_OK) return rc;
  if (unlink(name) == 0) return PIPC_OK;
  return core::os_fail(os_call, name);
}

// pipc_sysv_X_open: clears *out, takes DEFAULTS for NULL options, checks them with
// CHECK and KEY against key_t, then runs OPEN.
template <class H, class Options>
int sysv_open_entry(const char *function, H **out, int64_t key, const Options *opts,
                    const Options &defaults, int (*check)(const Options &, const char *),
                    int (*open)(H **, int64_t, const Options &)) {
  if (out == nullptr) return core::invalid("%s: out is NULL", function);
  *out = nullptr;
  const Options options = opts != nullptr ? *opts : defaults;
  int rc = check(options, function);
  if (rc == PIPC_OK) rc = core::check_key(key, options.flags, function);
  if (rc != PIPC_OK) return rc;
  try {
    return open(out, key, options);
  } catch (const std::bad_alloc &) {
    return core::fail(PIPC_ENOMEM, ENOMEM, "%s: out of memory", function);
  }
}

// pipc_sysv_X_open_id: clears *out, checks ID, then runs OPEN.
template <class H>
int sysv_open_id_entry(const char *function, H **out, int64_t id, int (*open)(H **, int)) {
  if (out == nullptr) return core::invalid("%s: out is NULL", function);
  *out = nullptr;
  const int rc = core::check_id(id, function);
  if (rc != PIPC_OK) return rc;
  try {
    return open(out, static_cast<int>(id));
  } catch (const std::bad_alloc &) {
    return core::fail(PIPC_ENOMEM, ENOMEM, "%s: out of memory", function);
  }
}

}  // namespace pipc::api
