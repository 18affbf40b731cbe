// Fuzz target: the open option structs of the six families, as raw bytes
// (version, flags, mode, access, sizes, initial values, limits, fill byte).
//
// The model is each header's description of its struct. Invalid options give
// PIPC_EINVAL or PIPC_ERANGE and make nothing; valid ones open, or fail only with
// the statuses the headers name for that case (a read-only handle that would
// have to resize, queue limits). What an open creates is checked against the
// options, then removed and closed at once.
//
// Input: a family byte (% 6: sem, shm, mq, sysv sem, sysv shm, sysv mq), a variant
// byte (% 5, see `variant`), then the family's options struct as it lies in
// memory (zeros past the end of the input).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <string>

#include "check.hpp"
#include "input.hpp"
#include "isolation.hpp"
#include "pipc.h"

namespace {

enum variant {
  fresh,       // a NULL name, or the key PIPC_IPC_PRIVATE
  random_key,  // a NULL name, or the key PIPC_KEY_RANDOM
  own,         // a name or key that nothing uses (when isolated)
  no_options,  // NULL options: the defaults
  no_out,      // NULL out-handle
  variants
};

// Successful opens of a valid size above this are not asked for: a System V
// segment is really allocated (and filled). Sizes above it still go in where the
// model says the call must refuse them.
constexpr uint64_t size_cap = 1 << 20;

// What the model allows for one call.
struct outcome {
  std::initializer_list<int> statuses;
};

const outcome refused{{PIPC_EINVAL, PIPC_ERANGE}};
const outcome missing{{PIPC_ENOENT}};
const outcome opens{{PIPC_OK}};

// Outside the namespace a valid call may meet the machine's limits and
// permissions (isolation.hpp): there any status the header documents will do.
const outcome any_status{{PIPC_OK, PIPC_ERROR, PIPC_EINVAL, PIPC_ENOENT, PIPC_EEXIST, PIPC_EACCES,
                          PIPC_ERANGE, PIPC_ENOTSUP, PIPC_ELIMIT, PIPC_ENOMEM}};

const outcome &strict(const outcome &o) { return fuzz::isolated() ? o : any_status; }

// Opens with OPEN(&h) as the model says and returns the handle, or NULL after an
// expected failure.
template <class H>
H *open_as(const std::function<int(H **)> &open, bool null_out, const outcome &expected,
           const char *call) {
  if (null_out) {
    fuzz::expect(open(nullptr), {PIPC_EINVAL}, call);
    return nullptr;
  }
  H *h = static_cast<H *>(fuzz::sentinel());
  const int rc = fuzz::expect(open(&h), expected.statuses, call);
  fuzz::expect_cleared(rc, h, call);
  return rc == PIPC_OK ? h : nullptr;
}

void expect_created(int created, const char *family) {
  if (created != 1) {
    fuzz::violation("%s: an open that had to create says created() = %d", family, created);
  }
}

template <class T>
void expect_equal(T got, T want, const char *what) {
  if (got != want) {
    fuzz::violation("%s is %lld, the options asked for %lld", what, static_cast<long long>(got),
                    static_cast<long long>(want));
  }
}

// ---- POSIX ------------------------------------------------------------------------

std::string own_name() { return fuzz::posix_name("/pipc_fuzz_options"); }

// The name for V: NULL (a random one) or a name nothing uses.
const char *posix_name_for(variant v, const std::string &unused_name) {
  return v == own ? unused_name.c_str() : nullptr;
}

bool mode_ok(uint32_t mode) { return (mode & ~07777u) == 0; }

void sem(fuzz::input &in, variant v) {
  const pipc_sem_options o =
      v == no_options ? pipc_sem_options PIPC_SEM_OPTIONS_INIT : in.get<pipc_sem_options>();
  const std::string unused_name = own_name();
  const char *name = posix_name_for(v, unused_name);
  const bool valid = o.version == PIPC_SEM_OPTIONS_VERSION && (o.flags & ~PIPC_CREX) == 0 &&
                     mode_ok(o.mode) && o.initial_value <= pipc_sem_value_max();
  const bool creates = name == nullptr || (o.flags & PIPC_CREAT);
  const outcome &expected = !valid ? refused : !creates ? missing : strict(opens);
  pipc_sem *h = open_as<pipc_sem>(
      [&](pipc_sem **out) { return pipc_sem_open(out, name, v == no_options ? nullptr : &o); },
      v == no_out, expected, "pipc_sem_open");
  if (h == nullptr) return;
  expect_created(pipc_sem_created(h), "sem");
  int value = -1;
  fuzz::expect(pipc_sem_value(&value, h), {PIPC_OK}, "pipc_sem_value");
  expect_equal<int64_t>(value, o.initial_value, "the semaphore's value");
  fuzz::expect(pipc_sem_unlink(h), {PIPC_OK}, "pipc_sem_unlink");
  fuzz::expect(pipc_sem_close(h), {PIPC_OK}, "pipc_sem_close");
}

void shm(fuzz::input &in, variant v) {
  const pipc_shm_options o =
      v == no_options ? pipc_shm_options PIPC_SHM_OPTIONS_INIT : in.get<pipc_shm_options>();
  const std::string unused_name = own_name();
  const char *name = posix_name_for(v, unused_name);
  const bool read_only = o.access == PIPC_READ;
  const bool reserves = o.flags & PIPC_SHM_RESERVE;
  const bool valid = o.version == PIPC_SHM_OPTIONS_VERSION &&
                     (o.flags & ~(PIPC_CREX | PIPC_TRUNC | PIPC_SHM_RESERVE)) == 0 &&
                     mode_ok(o.mode) && (read_only || o.access == PIPC_READ_WRITE) &&
                     !(read_only && (o.flags & (PIPC_TRUNC | PIPC_SHM_RESERVE))) &&
                     o.size <= INT64_MAX;
  const bool creates = name == nullptr || (o.flags & PIPC_CREAT);
  // A new segment has size 0, which a read-only handle may not change. Reserved
  // pages must fit in the namespace's /dev/shm (PIPC_ELIMIT when they do not).
  static const outcome cannot_resize{{PIPC_EACCES}};
  static const outcome opens_or_full{{PIPC_OK, PIPC_ELIMIT}};
  const outcome &expected = !valid     ? refused
                            : !creates ? missing
                            : read_only && o.size != 0 ? strict(cannot_resize)
                            : reserves                 ? strict(opens_or_full)
                                                       : strict(opens);
  pipc_shm *h = open_as<pipc_shm>(
      [&](pipc_shm **out) { return pipc_shm_open(out, name, v == no_options ? nullptr : &o); },
      v == no_out, expected, "pipc_shm_open");
  if (h == nullptr) return;
  expect_created(pipc_shm_created(h), "shm");
  expect_equal(pipc_shm_read_only(h), read_only ? 1 : 0, "pipc_shm_read_only");
  uint64_t size = 0;
  fuzz::expect(pipc_shm_size(&size, h), {PIPC_OK}, "pipc_shm_size");
  expect_equal(size, o.size, "the segment's size");
  fuzz::expect(pipc_shm_unlink(h), {PIPC_OK}, "pipc_shm_unlink");
  fuzz::expect(pipc_shm_close(h), {PIPC_OK}, "pipc_shm_close");
}

void mq(fuzz::input &in, variant v) {
  const pipc_mq_options o =
      v == no_options ? pipc_mq_options PIPC_MQ_OPTIONS_INIT : in.get<pipc_mq_options>();
  const std::string unused_name = own_name();
  const char *name = posix_name_for(v, unused_name);
  const bool valid = o.version == PIPC_MQ_OPTIONS_VERSION &&
                     (o.flags & ~(PIPC_CREX | PIPC_NONBLOCK)) == 0 && mode_ok(o.mode) &&
                     o.access != 0 && (o.access & ~PIPC_READ_WRITE) == 0 && o.max_messages >= 0 &&
                     o.max_message_size >= 0;
  const bool creates = name == nullptr || (o.flags & PIPC_CREAT);
  // The sizes may pass the queue limits (msg_max, msgsize_max), and any new queue
  // counts against RLIMIT_MSGQUEUE, which all of the user's processes share.
  static const outcome opens_or_limit{{PIPC_OK, PIPC_ELIMIT}};
  const outcome &expected = !valid ? refused : !creates ? missing : strict(opens_or_limit);
  pipc_mq *h = open_as<pipc_mq>(
      [&](pipc_mq **out) { return pipc_mq_open(out, name, v == no_options ? nullptr : &o); },
      v == no_out, expected, "pipc_mq_open");
  if (h == nullptr) return;
  expect_created(pipc_mq_created(h), "mq");
  int64_t max_messages = 0, max_message_size = 0;
  fuzz::expect(pipc_mq_max_messages(&max_messages, h), {PIPC_OK}, "pipc_mq_max_messages");
  fuzz::expect(pipc_mq_max_message_size(&max_message_size, h), {PIPC_OK},
               "pipc_mq_max_message_size");
  expect_equal(max_messages, o.max_messages ? o.max_messages : pipc_mq_default_max_messages(),
               "the queue's max_messages");
  expect_equal(max_message_size,
               o.max_message_size ? o.max_message_size : pipc_mq_default_max_message_size(),
               "the queue's max_message_size");
  int blocking = -1;
  fuzz::expect(pipc_mq_blocking(&blocking, h), {PIPC_OK}, "pipc_mq_blocking");
  expect_equal(blocking, (o.flags & PIPC_NONBLOCK) ? 0 : 1, "pipc_mq_blocking");
  fuzz::expect(pipc_mq_unlink(h), {PIPC_OK}, "pipc_mq_unlink");
  fuzz::expect(pipc_mq_close(h), {PIPC_OK}, "pipc_mq_close");
}

// ---- System V ---------------------------------------------------------------------

constexpr int64_t own_key = 0x66757a7a;  // "fuzz"

// The key for V. Outside the namespace a fixed key might be someone else's.
int64_t key_for(variant v) {
  if (v == random_key) return PIPC_KEY_RANDOM;
  return v == own && fuzz::isolated() ? own_key : PIPC_IPC_PRIVATE;
}

// What every System V family checks: version, FLAGS within ALLOWED, MODE within
// 0777, and a key PIPC_KEY_RANDOM only with PIPC_CREAT.
bool sysv_valid(uint32_t version, uint32_t flags, uint32_t allowed, uint32_t mode, int64_t key) {
  return version == PIPC_SYSV_OPTIONS_VERSION && (flags & ~allowed) == 0 && (mode & ~0777u) == 0 &&
         (key != PIPC_KEY_RANDOM || (flags & PIPC_CREAT));
}

bool sysv_creates(int64_t key, uint32_t flags) {
  return key == PIPC_IPC_PRIVATE || key == PIPC_KEY_RANDOM || (flags & PIPC_CREAT);
}

void sysv_sem(fuzz::input &in, variant v) {
  const pipc_sysv_sem_options o = v == no_options ? pipc_sysv_sem_options PIPC_SYSV_SEM_OPTIONS_INIT
                                                  : in.get<pipc_sysv_sem_options>();
  const int64_t key = key_for(v);
  const bool valid =
      sysv_valid(o.version, o.flags, PIPC_CREX | PIPC_SYSV_SEM_SETVAL, o.mode, key) &&
      o.initial_value <= pipc_sysv_sem_value_max();
  const outcome &expected = !valid                        ? refused
                            : !sysv_creates(key, o.flags) ? missing
                                                          : strict(opens);
  pipc_sysv_sem *h = open_as<pipc_sysv_sem>(
      [&](pipc_sysv_sem **out) {
        return pipc_sysv_sem_open(out, key, v == no_options ? nullptr : &o);
      },
      v == no_out, expected, "pipc_sysv_sem_open");
  if (h == nullptr) return;
  expect_created(pipc_sysv_sem_created(h), "sysv sem");
  int value = -1;
  fuzz::expect(pipc_sysv_sem_value(&value, h), {PIPC_OK}, "pipc_sysv_sem_value");
  expect_equal<int64_t>(value, o.initial_value, "the System V semaphore's value");
  fuzz::expect(pipc_sysv_sem_remove(h), {PIPC_OK}, "pipc_sysv_sem_remove");
  fuzz::expect(pipc_sysv_sem_close(h), {PIPC_OK}, "pipc_sysv_sem_close");
}

uint64_t read_proc(const char *path) {
  unsigned long long value = 0;
  if (FILE *f = std::fopen(path, "re")) {
    if (std::fscanf(f, "%llu", &value) != 1) value = 0;
    std::fclose(f);
  }
  return value;
}

void sysv_shm(fuzz::input &in, variant v) {
  pipc_sysv_shm_options o = v == no_options ? pipc_sysv_shm_options PIPC_SYSV_SHM_OPTIONS_INIT
                                            : in.get<pipc_sysv_shm_options>();
  const int64_t key = key_for(v);
  const bool valid = sysv_valid(o.version, o.flags,
                                PIPC_CREX | PIPC_SHM_HUGETLB | PIPC_SHM_NORESERVE, o.mode, key) &&
                     o.fill_byte <= 255;
  const bool creates = sysv_creates(key, o.flags);
  static const uint64_t shmmax = read_proc("/proc/sys/kernel/shmmax");
  const bool too_big = o.size > shmmax;
  if (valid && creates && !too_big && o.size > size_cap) o.size %= size_cap;
  // Huge pages may be missing, or too few, or the size not a multiple of theirs.
  static const outcome too_big_outcome{{PIPC_ERANGE}};
  const outcome &expected = !valid                         ? refused
                            : !creates                     ? missing
                            : (o.flags & PIPC_SHM_HUGETLB) ? any_status
                            : too_big                      ? strict(too_big_outcome)
                                                           : strict(opens);
  pipc_sysv_shm *h = open_as<pipc_sysv_shm>(
      [&](pipc_sysv_shm **out) {
        return pipc_sysv_shm_open(out, key, v == no_options ? nullptr : &o);
      },
      v == no_out, expected, "pipc_sysv_shm_open");
  if (h == nullptr) return;
  expect_created(pipc_sysv_shm_created(h), "sysv shm");
  uint64_t size = 0;
  fuzz::expect(pipc_sysv_shm_size(&size, h), {PIPC_OK}, "pipc_sysv_shm_size");
  expect_equal<uint64_t>(size, o.size ? o.size : pipc_page_size(), "the segment's size");
  fuzz::expect(pipc_sysv_shm_remove(h), {PIPC_OK}, "pipc_sysv_shm_remove");
  fuzz::expect(pipc_sysv_shm_close(h), {PIPC_OK}, "pipc_sysv_shm_close");
}

void sysv_mq(fuzz::input &in, variant v) {
  const pipc_sysv_mq_options o = v == no_options ? pipc_sysv_mq_options PIPC_SYSV_MQ_OPTIONS_INIT
                                                 : in.get<pipc_sysv_mq_options>();
  const int64_t key = key_for(v);
  const bool valid =
      sysv_valid(o.version, o.flags, PIPC_CREX, o.mode, key) && o.max_bytes <= INT32_MAX;
  // Above msgmnb only with CAP_SYS_RESOURCE (which a user namespace lacks).
  const uint64_t msgmnb = static_cast<uint64_t>(pipc_sysv_mq_default_max_bytes());
  static const outcome opens_or_denied{{PIPC_OK, PIPC_EACCES}};
  const outcome &expected = !valid ? refused
                            : !sysv_creates(key, o.flags)
                                ? missing
                                : strict(o.max_bytes > msgmnb ? opens_or_denied : opens);
  pipc_sysv_mq *h = open_as<pipc_sysv_mq>(
      [&](pipc_sysv_mq **out) {
        return pipc_sysv_mq_open(out, key, v == no_options ? nullptr : &o);
      },
      v == no_out, expected, "pipc_sysv_mq_open");
  if (h == nullptr) return;
  expect_created(pipc_sysv_mq_created(h), "sysv mq");
  uint64_t max_bytes = 0;
  fuzz::expect(pipc_sysv_mq_max_bytes(&max_bytes, h), {PIPC_OK}, "pipc_sysv_mq_max_bytes");
  expect_equal(max_bytes, o.max_bytes ? o.max_bytes : msgmnb, "the queue's max_bytes");
  fuzz::expect(pipc_sysv_mq_remove(h), {PIPC_OK}, "pipc_sysv_mq_remove");
  fuzz::expect(pipc_sysv_mq_close(h), {PIPC_OK}, "pipc_sysv_mq_close");
}

void (*const families[])(fuzz::input &, variant) = {sem, shm, mq, sysv_sem, sysv_shm, sysv_mq};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const fuzz::leak_check leaks;
  fuzz::input in(data, size);
  const uint8_t family = in.u8();
  const auto v = static_cast<variant>(in.u8() % variants);
  families[family % 6](in, v);
  return 0;
}
