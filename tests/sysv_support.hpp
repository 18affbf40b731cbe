// Helpers the System V suites (semaphores, shared memory, message queues) share:
// the bad keys, ids, owners, modes and options every family must refuse, and the
// checks that run them through a family's functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support.hpp"

namespace pipc_test {

// The functions of one System V family that the shared checks call.
template <class Handle, class Options>
struct sysv_family {
  const char *prefix;  // what every function's name begins with: "pipc_sysv_sem"
  int (*open)(Handle **, int64_t, const Options *);
  int (*open_id)(Handle **, int64_t);
  int (*remove)(Handle *);
  int (*close)(Handle *);
  int (*remove_id)(int64_t);
  int (*set_perm)(Handle *, int64_t, int64_t, int64_t);

  std::string function(const char *suffix) const { return std::string(prefix) + suffix; }
};

// Keys outside the 32 bits of a key_t (PIPC_KEY_RANDOM, INT64_MIN, is not one).
std::vector<int64_t> bad_keys();

// Ids no object can have (ids are non-negative ints); VALID_ID - 2^32 would be
// VALID_ID if the high bits were dropped.
std::vector<int64_t> bad_ids(int valid_id);

// Owner (uid or gid) values set_perm must refuse; PIPC_SYSV_KEEP is -1.
std::vector<int64_t> bad_owner_ids();

// Modes set_perm must refuse: only the 0777 bits are allowed.
std::vector<int64_t> bad_modes();

// The status errno a refused argument gives: ERANGE for PIPC_ERANGE, else EINVAL.
inline int errno_for(int status) { return status == PIPC_ERANGE ? ERANGE : EINVAL; }

// Options an open must refuse, and with which status.
template <class Options>
struct bad_options {
  const char *what;
  Options opts;
  int status;
};

// OPTS changed by CHANGE (a function taking Options &).
template <class Options, class Change>
Options spoiled(Options opts, Change change) {
  change(opts);
  return opts;
}

// The options every System V family refuses: VALID (options that would create)
// spoiled in its version, flags or mode.
template <class Options>
std::vector<bad_options<Options>> options_no_family_takes(const Options &valid) {
  return {
      {"version 0", spoiled(valid, [](Options &o) { o.version = 0; }), PIPC_EINVAL},
      {"version 2", spoiled(valid, [](Options &o) { o.version = 2; }), PIPC_EINVAL},
      {"version ~0", spoiled(valid, [](Options &o) { o.version = UINT32_MAX; }), PIPC_EINVAL},
      {"unknown flag 0x80", spoiled(valid, [](Options &o) { o.flags |= 0x80u; }), PIPC_EINVAL},
      {"unknown flag 0x100", spoiled(valid, [](Options &o) { o.flags |= 0x100u; }), PIPC_EINVAL},
      {"PIPC_TRUNC", spoiled(valid, [](Options &o) { o.flags |= PIPC_TRUNC; }), PIPC_EINVAL},
      {"PIPC_NONBLOCK", spoiled(valid, [](Options &o) { o.flags |= PIPC_NONBLOCK; }), PIPC_EINVAL},
      {"every flag", spoiled(valid, [](Options &o) { o.flags = UINT32_MAX; }), PIPC_EINVAL},
      {"mode 01000", spoiled(valid, [](Options &o) { o.mode = 01000; }), PIPC_EINVAL},
      {"mode ~0", spoiled(valid, [](Options &o) { o.mode = UINT32_MAX; }), PIPC_EINVAL},
  };
}

// Opens with each case's options at KEY, at PIPC_IPC_PRIVATE and at
// PIPC_KEY_RANDOM (options are checked also where nothing would be looked up):
// each open must give the case's status, reset *out to NULL, set the matching
// errno and name the open function. What a wrong success opened is removed.
template <class Handle, class Options>
void expect_open_refuses(const sysv_family<Handle, Options> &family, int64_t key,
                         const std::vector<bad_options<Options>> &cases) {
  for (const bad_options<Options> &c : cases) {
    for (int64_t target : {key, PIPC_IPC_PRIVATE, PIPC_KEY_RANDOM}) {
      SCOPED_TRACE(testing::Message() << c.what << ", key " << target);
      Handle *out = not_null<Handle>;
      EXPECT_EQ(family.open(&out, target, &c.opts), c.status);
      EXPECT_EQ(out, nullptr);
      if (out != nullptr && out != not_null<Handle>) {  // leave nothing behind
        family.remove(out);
        family.close(out);
      }
      EXPECT_EQ(pipc_last_errno(), errno_for(c.status));
      EXPECT_TRUE(message_mentions(family.function("_open")));
    }
  }
}

// An open of each of bad_keys() with VALID options is out of range, and a
// PIPC_KEY_RANDOM open without PIPC_CREAT is invalid; neither gives a handle.
template <class Handle, class Options>
void expect_open_refuses_bad_keys(const sysv_family<Handle, Options> &family,
                                  const Options &valid) {
  for (int64_t key : bad_keys()) {
    SCOPED_TRACE(testing::Message() << "key " << key);
    Handle *out = not_null<Handle>;
    EXPECT_EQ(family.open(&out, key, &valid), PIPC_ERANGE);
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions(family.function("_open")));
    EXPECT_TRUE(message_mentions("key"));
  }
  for (uint32_t flags : {0u, PIPC_EXCL}) {
    SCOPED_TRACE(testing::Message() << "PIPC_KEY_RANDOM with flags " << flags);
    const Options opts = spoiled(valid, [&](Options &o) { o.flags = flags; });
    Handle *out = not_null<Handle>;
    EXPECT_EQ(family.open(&out, PIPC_KEY_RANDOM, &opts), PIPC_EINVAL);
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(pipc_last_errno(), EINVAL);
    EXPECT_TRUE(message_mentions("PIPC_KEY_RANDOM"));
  }
}

// Open by id and remove by id refuse each of bad_ids(VALID_ID) as out of range,
// and open by id refuses a NULL out pointer.
template <class Handle, class Options>
void expect_bad_ids_refused(const sysv_family<Handle, Options> &family, int valid_id) {
  for (int64_t id : bad_ids(valid_id)) {
    SCOPED_TRACE(testing::Message() << "id " << id);
    Handle *out = not_null<Handle>;
    EXPECT_EQ(family.open_id(&out, id), PIPC_ERANGE);
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions(family.function("_open_id")));
    EXPECT_EQ(family.remove_id(id), PIPC_ERANGE);
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions(family.function("_remove_id")));
  }
  EXPECT_EQ(family.open_id(nullptr, valid_id), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("out is NULL"));
}

// set_perm on HANDLE refuses each of bad_owner_ids() as uid or as gid, and each
// of bad_modes(), with or without an owner to set, as out of range.
template <class Handle, class Options>
void expect_set_perm_refuses_bad_values(const sysv_family<Handle, Options> &family,
                                        Handle *handle) {
  const std::string function = family.function("_set_perm");
  auto expect_out_of_range = [&](int64_t uid, int64_t gid, int64_t mode) {
    SCOPED_TRACE(testing::Message() << "uid " << uid << ", gid " << gid << ", mode " << mode);
    EXPECT_EQ(family.set_perm(handle, uid, gid, mode), PIPC_ERANGE);
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions(function));
  };
  for (int64_t bad : bad_owner_ids()) {
    expect_out_of_range(bad, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP);
    expect_out_of_range(PIPC_SYSV_KEEP, bad, 0600);
  }
  for (int64_t bad : bad_modes()) {
    expect_out_of_range(PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, bad);
    expect_out_of_range(nobody, nobody, bad);
  }
}

}  // namespace pipc_test
