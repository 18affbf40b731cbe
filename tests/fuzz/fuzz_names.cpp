// Fuzz target: POSIX object names, through pipc_sem_open, pipc_shm_open,
// pipc_mq_open and the three _unlink_name functions.
//
// The model is the naming rule of DESIGN.md: '/' then 1 .. max characters (251
// for semaphores, which glibc keeps as /dev/shm/sem.NAME; 255 otherwise), no
// other '/', and not "/." or "/.."; shared memory also refuses "/sem." names, the
// files glibc keeps semaphores in. Every invalid name gives PIPC_EINVAL and
// makes nothing; every valid one works. No object of these names exists (see
// isolation.hpp), so an open without PIPC_CREAT gives PIPC_ENOENT, and one with
// it creates. Whatever an input creates it unlinks and closes at once.
//
// Input: a selector byte (family = byte % 3: sem, shm, mq; action = byte / 3 % 6,
// see `run`), then the name's bytes up to the first NUL.
#include <cstdint>
#include <initializer_list>
#include <string>

#include "check.hpp"
#include "input.hpp"
#include "isolation.hpp"
#include "pipc.h"

namespace {

// One POSIX family, reduced to what names matter for. Handles travel as void *.
struct family {
  const char *label;
  size_t name_max;
  // A new queue counts against RLIMIT_MSGQUEUE, which all of the user's processes
  // share, in any namespace: creating one may meet PIPC_ELIMIT.
  bool creates_may_hit_limit;
  bool refuses_semaphore_files;  // names that begin with "/sem."
  int (*open)(void **out, const char *name, uint32_t flags);
  int (*close)(void *h);
  int (*unlink)(void *h);
  int (*unlink_name)(const char *name);
  int (*created)(void *h);
  const char *(*name)(void *h);
};

// pipc_X_open with default options but FLAGS; OUT NULL passes NULL.
template <class H, class Options, int (*Open)(H **, const char *, const Options *)>
int open_with(void **out, const char *name, uint32_t flags, Options options) {
  options.flags = flags;
  if (out == nullptr) return Open(nullptr, name, &options);
  H *h = static_cast<H *>(*out);
  const int rc = Open(&h, name, &options);
  *out = h;
  return rc;
}

const family families[] = {
    {"sem", 251, false, false,
     [](void **out, const char *n, uint32_t flags) {
       return open_with<pipc_sem, pipc_sem_options, pipc_sem_open>(out, n, flags,
                                                                   PIPC_SEM_OPTIONS_INIT);
     },
     [](void *h) { return pipc_sem_close(static_cast<pipc_sem *>(h)); },
     [](void *h) { return pipc_sem_unlink(static_cast<pipc_sem *>(h)); }, pipc_sem_unlink_name,
     [](void *h) { return pipc_sem_created(static_cast<pipc_sem *>(h)); },
     [](void *h) { return pipc_sem_name(static_cast<pipc_sem *>(h)); }},
    {"shm", 255, false, true,
     [](void **out, const char *n, uint32_t flags) {
       return open_with<pipc_shm, pipc_shm_options, pipc_shm_open>(out, n, flags,
                                                                   PIPC_SHM_OPTIONS_INIT);
     },
     [](void *h) { return pipc_shm_close(static_cast<pipc_shm *>(h)); },
     [](void *h) { return pipc_shm_unlink(static_cast<pipc_shm *>(h)); }, pipc_shm_unlink_name,
     [](void *h) { return pipc_shm_created(static_cast<pipc_shm *>(h)); },
     [](void *h) { return pipc_shm_name(static_cast<pipc_shm *>(h)); }},
    {"mq", 255, true, false,
     [](void **out, const char *n, uint32_t flags) {
       return open_with<pipc_mq, pipc_mq_options, pipc_mq_open>(out, n, flags,
                                                                PIPC_MQ_OPTIONS_INIT);
     },
     [](void *h) { return pipc_mq_close(static_cast<pipc_mq *>(h)); },
     [](void *h) { return pipc_mq_unlink(static_cast<pipc_mq *>(h)); }, pipc_mq_unlink_name,
     [](void *h) { return pipc_mq_created(static_cast<pipc_mq *>(h)); },
     [](void *h) { return pipc_mq_name(static_cast<pipc_mq *>(h)); }},
};

bool valid_name(const std::string &name, const family &f) {
  if (name.empty() || name[0] != '/') return false;
  if (f.refuses_semaphore_files && name.rfind("/sem.", 0) == 0) return false;
  const size_t len = name.size() - 1;  // after the '/'
  return len >= 1 && len <= f.name_max && name.find('/', 1) == std::string::npos &&
         name != "/." && name != "/..";
}

// Opens NAME with FLAGS; returns the handle, or NULL after the expected failure.
void *open_expecting(const family &f, const std::string &name, uint32_t flags,
                     std::initializer_list<int> expected, const char *call) {
  void *h = fuzz::sentinel();
  const int rc = fuzz::expect(f.open(&h, name.c_str(), flags), expected, call);
  fuzz::expect_cleared(rc, h, call);
  return rc == PIPC_OK ? h : nullptr;
}

// H was opened by name NAME; CREATED is what pipc_X_created must say.
void check_handle(const family &f, void *h, const std::string &name, int created) {
  if (f.created(h) != created) fuzz::violation("%s: created() is not %d", f.label, created);
  const char *got = f.name(h);
  if (got == nullptr || name != got) {
    fuzz::violation("%s: name() differs from the name opened", f.label);
  }
}

void close_ok(const family &f, void *h) { fuzz::expect(f.close(h), {PIPC_OK}, "close"); }

// Creates NAME with FLAGS; returns the handle, or NULL if a shared limit refused.
void *create(const family &f, const std::string &name, uint32_t flags) {
  void *h =
      open_expecting(f, name, flags, {PIPC_OK, f.creates_may_hit_limit ? PIPC_ELIMIT : PIPC_OK},
                     "open(PIPC_CREAT)");
  if (h != nullptr) check_handle(f, h, name, 1);
  return h;
}

// Create, open again, refuse a second exclusive create, unlink by name twice,
// then find the name gone.
void lifecycle(const family &f, const std::string &name) {
  void *first = create(f, name, PIPC_CREX);
  if (first == nullptr) return;
  void *second = open_expecting(f, name, 0, {PIPC_OK}, "open of an existing name");
  check_handle(f, second, name, 0);
  open_expecting(f, name, PIPC_CREX, {PIPC_EEXIST}, "open(PIPC_CREX) of an existing name");
  fuzz::expect(f.unlink_name(name.c_str()), {PIPC_OK}, "unlink_name of an existing name");
  fuzz::expect(f.unlink_name(name.c_str()), {PIPC_ENOENT}, "unlink_name of an unlinked name");
  open_expecting(f, name, 0, {PIPC_ENOENT}, "open of an unlinked name");
  close_ok(f, second);
  close_ok(f, first);
}

void run(const family &f, int action, const std::string &name) {
  const bool valid = valid_name(name, f);
  if (!valid) {
    // Whatever the action: refused before anything is made or removed.
    open_expecting(f, name, action == 0 ? 0 : PIPC_CREAT, {PIPC_EINVAL}, "open(invalid name)");
    fuzz::expect(f.unlink_name(name.c_str()), {PIPC_EINVAL}, "unlink_name(invalid name)");
    return;
  }
  switch (action) {
    case 0: open_expecting(f, name, 0, {PIPC_ENOENT}, "open of a missing name"); break;
    case 1:
    case 2: {
      void *h = create(f, name, action == 1 ? PIPC_CREAT : PIPC_CREX);
      if (h == nullptr) break;
      fuzz::expect(f.unlink(h), {PIPC_OK}, "unlink");
      close_ok(f, h);
      break;
    }
    case 3:
      fuzz::expect(f.unlink_name(name.c_str()), {PIPC_ENOENT}, "unlink_name of a missing name");
      break;
    case 4: lifecycle(f, name); break;
    default:  // NULL pointers
      fuzz::expect(f.open(nullptr, name.c_str(), PIPC_CREAT), {PIPC_EINVAL}, "open(out NULL)");
      fuzz::expect(f.unlink_name(nullptr), {PIPC_EINVAL}, "unlink_name(NULL)");
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const fuzz::leak_check leaks;
  fuzz::input in(data, size);
  const uint8_t selector = in.u8();
  run(families[selector % 3], selector / 3 % 6, fuzz::posix_name(in.rest_as_c_string()));
  return 0;
}
