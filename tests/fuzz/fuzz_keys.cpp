// Fuzz target: System V keys and ids, through pipc_sysv_{sem,shm,mq}_open with
// fuzzed int64 keys, flags and (shared memory) sizes, _open_id and _remove_id with
// fuzzed ids, and pipc_ftok with fuzzed paths and ids.
//
// Each family has one object of the target's own, made once per process under a
// random key (the "known" object). The model: keys outside int32_t give
// PIPC_ERANGE, PIPC_KEY_RANDOM without PIPC_CREAT and unknown flags PIPC_EINVAL;
// PIPC_IPC_PRIVATE and PIPC_KEY_RANDOM create; the known key opens the known
// object (PIPC_EEXIST with PIPC_CREX, PIPC_EINVAL for a size above its own) and
// any other key creates with PIPC_CREAT and is missing without. Ids outside
// 0 .. INT32_MAX give PIPC_ERANGE; the known id opens the known object and any
// other is missing. pipc_ftok agrees with ftok(3). After each input the known
// objects must hold what they held (no open, failed or not, changes an existing
// object), and whatever the input created is removed at once.
//
// Outside the private namespace (isolation.hpp) keys and ids that might be the
// machine's are not used: such keys become PIPC_KEY_RANDOM and such ids the
// known one.
//
// Input: a selector byte (family = byte % 3: sem, shm, mq; action = byte / 3 % 4,
// see `run`), then the action's fields.
#include <sys/ipc.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "check.hpp"
#include "input.hpp"
#include "isolation.hpp"
#include "pipc.h"

namespace {

constexpr uint64_t known_size = 10000;  // the known segment's size, not a page multiple
constexpr uint64_t size_cap = 1 << 20;  // see fuzz_options.cpp
constexpr uint32_t known_value = 7;     // the known semaphore's value

// One System V family; handles travel as void *.
struct family {
  const char *label;
  uint32_t allowed_flags;
  int (*open)(void **out, int64_t key, uint32_t flags, uint64_t size);
  int (*open_id)(void **out, int64_t id);
  int (*close)(void *h);
  int (*remove)(void *h);
  int (*remove_id)(int64_t id);
  int (*created)(void *h);
  int (*key)(int64_t *key_out, void *h);
  int (*id)(void *h);
};

const family families[] = {
    {"sem", PIPC_CREX | PIPC_SYSV_SEM_SETVAL,
     [](void **out, int64_t key, uint32_t flags, uint64_t) {
       pipc_sysv_sem_options o = PIPC_SYSV_SEM_OPTIONS_INIT;
       o.flags = flags;
       pipc_sysv_sem *h = static_cast<pipc_sysv_sem *>(*out);
       const int rc = pipc_sysv_sem_open(&h, key, &o);
       *out = h;
       return rc;
     },
     [](void **out, int64_t id) {
       pipc_sysv_sem *h = static_cast<pipc_sysv_sem *>(*out);
       const int rc = pipc_sysv_sem_open_id(&h, id);
       *out = h;
       return rc;
     },
     [](void *h) { return pipc_sysv_sem_close(static_cast<pipc_sysv_sem *>(h)); },
     [](void *h) { return pipc_sysv_sem_remove(static_cast<pipc_sysv_sem *>(h)); },
     pipc_sysv_sem_remove_id,
     [](void *h) { return pipc_sysv_sem_created(static_cast<pipc_sysv_sem *>(h)); },
     [](int64_t *k, void *h) { return pipc_sysv_sem_key(k, static_cast<pipc_sysv_sem *>(h)); },
     [](void *h) { return pipc_sysv_sem_id(static_cast<pipc_sysv_sem *>(h)); }},
    {"shm", PIPC_CREX | PIPC_SHM_HUGETLB | PIPC_SHM_NORESERVE,
     [](void **out, int64_t key, uint32_t flags, uint64_t size) {
       pipc_sysv_shm_options o = PIPC_SYSV_SHM_OPTIONS_INIT;
       o.flags = flags;
       o.size = size;
       pipc_sysv_shm *h = static_cast<pipc_sysv_shm *>(*out);
       const int rc = pipc_sysv_shm_open(&h, key, &o);
       *out = h;
       return rc;
     },
     [](void **out, int64_t id) {
       pipc_sysv_shm *h = static_cast<pipc_sysv_shm *>(*out);
       const int rc = pipc_sysv_shm_open_id(&h, id);
       *out = h;
       return rc;
     },
     [](void *h) { return pipc_sysv_shm_close(static_cast<pipc_sysv_shm *>(h)); },
     [](void *h) { return pipc_sysv_shm_remove(static_cast<pipc_sysv_shm *>(h)); },
     pipc_sysv_shm_remove_id,
     [](void *h) { return pipc_sysv_shm_created(static_cast<pipc_sysv_shm *>(h)); },
     [](int64_t *k, void *h) { return pipc_sysv_shm_key(k, static_cast<pipc_sysv_shm *>(h)); },
     [](void *h) { return pipc_sysv_shm_id(static_cast<pipc_sysv_shm *>(h)); }},
    {"mq", PIPC_CREX,
     [](void **out, int64_t key, uint32_t flags, uint64_t) {
       pipc_sysv_mq_options o = PIPC_SYSV_MQ_OPTIONS_INIT;
       o.flags = flags;
       pipc_sysv_mq *h = static_cast<pipc_sysv_mq *>(*out);
       const int rc = pipc_sysv_mq_open(&h, key, &o);
       *out = h;
       return rc;
     },
     [](void **out, int64_t id) {
       pipc_sysv_mq *h = static_cast<pipc_sysv_mq *>(*out);
       const int rc = pipc_sysv_mq_open_id(&h, id);
       *out = h;
       return rc;
     },
     [](void *h) { return pipc_sysv_mq_close(static_cast<pipc_sysv_mq *>(h)); },
     [](void *h) { return pipc_sysv_mq_remove(static_cast<pipc_sysv_mq *>(h)); },
     pipc_sysv_mq_remove_id,
     [](void *h) { return pipc_sysv_mq_created(static_cast<pipc_sysv_mq *>(h)); },
     [](int64_t *k, void *h) { return pipc_sysv_mq_key(k, static_cast<pipc_sysv_mq *>(h)); },
     [](void *h) { return pipc_sysv_mq_id(static_cast<pipc_sysv_mq *>(h)); }},
};

enum family_index { sem, shm, mq };

// The known objects, made once per process and removed at exit.
struct known_objects {
  void *handle[3] = {};
  int64_t key[3] = {};
  int id[3] = {};
  uint8_t contents[known_size];  // what the known segment holds
};

const int any_failure[] = {PIPC_ERROR,  PIPC_EINVAL,  PIPC_ENOENT, PIPC_EEXIST, PIPC_EACCES,
                           PIPC_ERANGE, PIPC_ENOTSUP, PIPC_ELIMIT, PIPC_ENOMEM};
const std::vector<int> failures(std::begin(any_failure), std::end(any_failure));

known_objects &make_known() {
  fuzz::isolated();  // checks the namespace before anything exists in it
  static known_objects k;
  pipc_sysv_sem_options so = PIPC_SYSV_SEM_OPTIONS_INIT;
  so.flags = PIPC_CREAT;
  so.initial_value = known_value;
  pipc_sysv_sem *known_sem = nullptr;
  fuzz::expect(pipc_sysv_sem_open(&known_sem, PIPC_KEY_RANDOM, &so), {PIPC_OK},
               "pipc_sysv_sem_open");
  k.handle[sem] = known_sem;

  pipc_sysv_shm_options ho = PIPC_SYSV_SHM_OPTIONS_INIT;
  ho.flags = PIPC_CREAT;
  ho.size = known_size;
  pipc_sysv_shm *segment = nullptr;
  fuzz::expect(pipc_sysv_shm_open(&segment, PIPC_KEY_RANDOM, &ho), {PIPC_OK}, "pipc_sysv_shm_open");
  fuzz::expect(pipc_sysv_shm_attach(segment, nullptr, 0), {PIPC_OK}, "pipc_sysv_shm_attach");
  for (size_t i = 0; i < known_size; ++i) k.contents[i] = static_cast<uint8_t>(i * 13 + 5);
  fuzz::expect(pipc_sysv_shm_write(segment, 0, k.contents, known_size), {PIPC_OK},
               "pipc_sysv_shm_write");
  k.handle[shm] = segment;

  pipc_sysv_mq_options mo = PIPC_SYSV_MQ_OPTIONS_INIT;
  mo.flags = PIPC_CREAT;
  pipc_sysv_mq *queue = nullptr;
  fuzz::expect(pipc_sysv_mq_open(&queue, PIPC_KEY_RANDOM, &mo), {PIPC_OK}, "pipc_sysv_mq_open");
  fuzz::expect(pipc_sysv_mq_send(queue, "known", 5, 3, 0), {PIPC_OK}, "pipc_sysv_mq_send");
  k.handle[mq] = queue;

  for (int f = sem; f <= mq; ++f) {
    fuzz::expect(families[f].key(&k.key[f], k.handle[f]), {PIPC_OK}, "key");
    k.id[f] = fuzz::checked_value(families[f].id(k.handle[f]), "id");
  }
  std::atexit([] {
    for (int f = sem; f <= mq; ++f) families[f].remove(k.handle[f]);
  });
  return k;
}

known_objects &known() {
  static known_objects &k = make_known();
  return k;
}

// The known objects still hold what they held.
void check_known(known_objects &k) {
  int value = -1;
  fuzz::expect(pipc_sysv_sem_value(&value, static_cast<pipc_sysv_sem *>(k.handle[sem])), {PIPC_OK},
               "pipc_sysv_sem_value(known)");
  static uint8_t now[known_size];
  fuzz::expect(pipc_sysv_shm_read(static_cast<pipc_sysv_shm *>(k.handle[shm]), 0, now, known_size),
               {PIPC_OK}, "pipc_sysv_shm_read(known)");
  uint64_t messages = 0;
  fuzz::expect(pipc_sysv_mq_current_messages(&messages, static_cast<pipc_sysv_mq *>(k.handle[mq])),
               {PIPC_OK}, "pipc_sysv_mq_current_messages(known)");
  if (value != static_cast<int>(known_value) || std::memcmp(now, k.contents, known_size) != 0 ||
      messages != 1) {
    fuzz::violation("the input changed a known object (value %d, %llu messages)", value,
                    static_cast<unsigned long long>(messages));
  }
}

uint64_t shmmax() {
  static const uint64_t value = [] {
    unsigned long long v = UINT64_MAX;
    if (FILE *f = std::fopen("/proc/sys/kernel/shmmax", "re")) {
      if (std::fscanf(f, "%llu", &v) != 1) v = UINT64_MAX;
      std::fclose(f);
    }
    return static_cast<uint64_t>(v);
  }();
  return value;
}

void run_open(const family &f, int fi, known_objects &k, fuzz::input &in) {
  const uint8_t choice = in.u8() % 4;
  int64_t key = in.i64();
  const uint32_t flags = in.u32();
  uint64_t size = in.u64();
  if (choice == 1) key = k.key[fi];
  if (choice == 2) key = PIPC_KEY_RANDOM;
  if (choice == 3) key = PIPC_IPC_PRIVATE;
  const bool in_range = key >= PIPC_SYSV_KEY_MIN && key <= PIPC_SYSV_KEY_MAX;
  if (!fuzz::isolated() && in_range && key != PIPC_IPC_PRIVATE && key != k.key[fi]) {
    key = PIPC_KEY_RANDOM;
  }
  const bool ours = key == k.key[fi];
  const bool creates = key == PIPC_IPC_PRIVATE || key == PIPC_KEY_RANDOM ||
                       (!ours && in_range && (flags & PIPC_CREAT));

  const bool refused = (flags & ~f.allowed_flags) ||
                       (key == PIPC_KEY_RANDOM && !(flags & PIPC_CREAT)) ||
                       (key != PIPC_KEY_RANDOM && !in_range);
  if (fi == shm && creates && !refused && size > size_cap && size <= shmmax()) size %= size_cap;
  std::vector<int> expected;
  if (refused) {
    expected = {PIPC_EINVAL, PIPC_ERANGE};
  } else if (ours) {
    const bool exclusive = (flags & PIPC_CREX) == PIPC_CREX;
    expected = {exclusive ? PIPC_EEXIST : fi == shm && size > known_size ? PIPC_EINVAL : PIPC_OK};
  } else if (!creates) {
    expected = {PIPC_ENOENT};
  } else if (fi == shm && (flags & PIPC_SHM_HUGETLB)) {
    expected = failures;  // huge pages may be missing or too few
    expected.push_back(PIPC_OK);
  } else {
    expected = {fi == shm && size > shmmax() ? PIPC_ERANGE : PIPC_OK};
  }

  void *h = fuzz::sentinel();
  const int rc = fuzz::expect(f.open(&h, key, flags, size), expected, "pipc_sysv_X_open");
  fuzz::expect_cleared(rc, h, "pipc_sysv_X_open");
  if (rc != PIPC_OK) return;
  if (f.created(h) != (creates ? 1 : 0)) {
    fuzz::violation("%s: created() is not %d", f.label, creates);
  }
  int64_t got_key = 0;
  fuzz::expect(f.key(&got_key, h), {PIPC_OK}, "key");
  const bool key_ok = key == PIPC_KEY_RANDOM
                          ? got_key != PIPC_IPC_PRIVATE && got_key >= PIPC_SYSV_KEY_MIN &&
                                got_key <= PIPC_SYSV_KEY_MAX
                          : got_key == key;
  if (!key_ok) {
    fuzz::violation("%s: key %lld after opening key %lld", f.label, static_cast<long long>(got_key),
                    static_cast<long long>(key));
  }
  const int id = fuzz::checked_value(f.id(h), "id");
  if (ours && id != k.id[fi]) {
    fuzz::violation("%s: the known key opened id %d, not %d", f.label, id, k.id[fi]);
  }
  if (creates) fuzz::expect(f.remove(h), {PIPC_OK}, "remove");
  fuzz::expect(f.close(h), {PIPC_OK}, "close");
}

void run_open_id(const family &f, int fi, known_objects &k, fuzz::input &in) {
  const bool near_known = in.u8() & 1;
  int64_t id = in.i64();
  if (near_known) id = k.id[fi] + static_cast<int8_t>(id);
  const bool in_range = id >= 0 && id <= INT32_MAX;
  if (!fuzz::isolated() && in_range) id = k.id[fi];
  const bool ours = id == k.id[fi];
  void *h = fuzz::sentinel();
  const int rc = fuzz::expect(f.open_id(&h, id),
                              {!in_range ? PIPC_ERANGE
                               : ours    ? PIPC_OK
                                         : PIPC_ENOENT},
                              "pipc_sysv_X_open_id");
  fuzz::expect_cleared(rc, h, "pipc_sysv_X_open_id");
  if (rc != PIPC_OK) return;
  int64_t got_key = 0;
  fuzz::expect(f.key(&got_key, h), {PIPC_OK}, "key");
  if (f.created(h) != 0 || got_key != k.key[fi] || f.id(h) != k.id[fi]) {
    fuzz::violation("%s: open_id of the known object reports another", f.label);
  }
  fuzz::expect(f.close(h), {PIPC_OK}, "close");
}

// Removes only ids of objects this input made, and (when isolated) ids that name
// nothing.
void run_remove_id(const family &f, int fi, known_objects &k, fuzz::input &in) {
  const int64_t raw = in.i64();
  if (raw < 0 || raw > INT32_MAX) {
    fuzz::expect(f.remove_id(raw), {PIPC_ERANGE}, "pipc_sysv_X_remove_id(out of range)");
    return;
  }
  void *h = fuzz::sentinel();
  fuzz::expect(f.open(&h, PIPC_IPC_PRIVATE, 0, 0), {PIPC_OK}, "pipc_sysv_X_open(PIPC_IPC_PRIVATE)");
  const int id = fuzz::checked_value(f.id(h), "id");
  fuzz::expect(f.remove_id(id), {PIPC_OK}, "pipc_sysv_X_remove_id");
  if (fuzz::isolated()) {
    fuzz::expect(f.remove_id(id), {PIPC_ENOENT}, "pipc_sysv_X_remove_id(removed)");
    if (raw != k.id[fi]) {
      fuzz::expect(f.remove_id(raw), {PIPC_ENOENT}, "pipc_sysv_X_remove_id(missing)");
    }
  }
  fuzz::expect(f.close(h), {PIPC_OK}, "close");
}

void run_ftok(fuzz::input &in) {
  const int id = static_cast<int>(in.u32());
  const uint8_t nulls = in.u8();
  const std::string path = in.rest_as_c_string();
  int64_t key = 0;
  if (nulls & 1) {
    fuzz::expect(pipc_ftok(nullptr, path.c_str(), id), {PIPC_EINVAL}, "pipc_ftok(key_out NULL)");
    return;
  }
  if (nulls & 2) {
    fuzz::expect(pipc_ftok(&key, nullptr, id), {PIPC_EINVAL}, "pipc_ftok(path NULL)");
    return;
  }
  errno = 0;
  const key_t want = ftok(path.c_str(), id);
  const bool fails = want == -1 && errno != 0;
  const int rc = pipc_ftok(&key, path.c_str(), id);
  if (path.empty()) {
    fuzz::expect(rc, {PIPC_EINVAL}, "pipc_ftok(empty path)");
  } else if (fails) {
    fuzz::expect(rc, failures, "pipc_ftok(ftok fails)");
  } else {
    fuzz::expect(rc, {PIPC_OK}, "pipc_ftok");
    if (key != want) {
      fuzz::violation("pipc_ftok gave %lld, ftok %d", static_cast<long long>(key), want);
    }
  }
}

void run(known_objects &k, fuzz::input &in) {
  const uint8_t selector = in.u8();
  const int fi = selector % 3;
  switch (selector / 3 % 4) {
    case 0: return run_open(families[fi], fi, k, in);
    case 1: return run_open_id(families[fi], fi, k, in);
    case 2: return run_remove_id(families[fi], fi, k, in);
    default: return run_ftok(in);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  known_objects &k = known();
  const fuzz::leak_check leaks;
  fuzz::input in(data, size);
  run(k, in);
  check_known(k);
  return 0;
}
