#include "core/robust_mutex.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <new>

#include "core/deadline.hpp"
#include "core/tsan.hpp"
#include "core/waits.hpp"

namespace pipc::core {
namespace {

constexpr char lock_fn[] = "pipc_mutex_lock";
constexpr char wait_fn[] = "pipc_cond_wait";

int init_mutex(void *object) {
  pthread_mutexattr_t attr;
  int err = pthread_mutexattr_init(&attr);
  if (err != 0) return err;
  err = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  if (err == 0) err = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  if (err == 0) err = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  if (err == 0) err = pthread_mutex_init(static_cast<pthread_mutex_t *>(object), &attr);
  pthread_mutexattr_destroy(&attr);
  return err;
}

int init_cond(void *object) {
  pthread_condattr_t attr;
  int err = pthread_condattr_init(&attr);
  if (err != 0) return err;
  err = pthread_condattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  if (err == 0) err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  if (err == 0) err = pthread_cond_init(static_cast<pthread_cond_t *>(object), &attr);
  pthread_condattr_destroy(&attr);
  return err;
}

// A locked robust mutex is linked into its owner thread's robust list through its
// own memory: unmapping it while a thread of this process holds it would make
// glibc's next list update (and the kernel's walk at thread exit) read freed
// memory. glibc keeps the owner's TID in the lock word (futex(2), robust futexes).
bool held_in_this_process(void *object) {
  const int word = static_cast<pthread_mutex_t *>(object)->__data.__lock;
  const pid_t tid = word & 0x3fffffff;  // FUTEX_TID_MASK
  return tid != 0 && syscall(SYS_tgkill, getpid(), tid, 0) == 0;
}

const segment_spec mutex_spec{segment_kind::mutex, sizeof(pthread_mutex_t), init_mutex,
                              held_in_this_process, "pipc_mutex_open"};
const segment_spec cond_spec{segment_kind::cond, sizeof(pthread_cond_t), init_cond, nullptr,
                             "pipc_cond_open"};

template <class Handle>
int make_handle(Handle **out, const std::shared_ptr<segment_mapping> &mapping,
                const std::string &name, bool created, const char *function) {
  using object_type = typename family_traits<Handle>::object;
  object_type *object = new (std::nothrow) object_type(mapping, name, created);
  int rc = object != nullptr ? publish(out, object, function, object->get())
                             : fail(PIPC_ENOMEM, ENOMEM, "%s: no memory for the handle", function);
  if (rc != PIPC_OK) {
    if (created) shm_unlink(name.c_str());
    delete object;
  }
  return rc;
}

template <class Handle>
int open_handle(Handle **out, const char *name, uint32_t flags, uint32_t mode,
                const segment_spec &spec) {
  opened_segment s;
  const int rc = open_segment(s, name, flags, mode, spec);
  if (rc != PIPC_OK) return rc;
  return make_handle(out, s.mapping, s.name, s.created, spec.function);
}

int timed_out(int64_t timeout_ns, const char *function) {
  if (timeout_ns == 0) return fail(PIPC_EAGAIN, EAGAIN, "%s: it would block", function);
  return fail(PIPC_ETIMEDOUT, ETIMEDOUT, "%s: timed out", function);
}

// ThreadSanitizer (gcc 12) does not intercept pthread_mutex_clocklock, so it would
// miss the locks taken there; its builds wait with pthread_mutex_timedlock, each
// slice's end moved to CLOCK_REALTIME (the deadline stays on the monotonic clock).
int clocklock(pthread_mutex_t *m, const deadline &slice) {
  if (!PIPC_TSAN) {
    const timespec at = slice.absolute();
    return pthread_mutex_clocklock(m, CLOCK_MONOTONIC, &at);
  }
  timespec at{};
  clock_gettime(CLOCK_REALTIME, &at);
  const int64_t end = at.tv_sec * int64_t{1000000000} + at.tv_nsec + slice.remaining_ns();
  at = timespec{static_cast<time_t>(end / 1000000000), static_cast<long>(end % 1000000000)};
  return pthread_mutex_timedlock(m, &at);
}

// ThreadSanitizer reports a refused unlock as a bug of the caller (and cannot tell
// two mappings of one mutex apart): its builds refuse a non-owner's unlock or wait
// before pthread sees it. glibc keeps the owner's TID in the lock word.
bool owned_by_caller(pthread_mutex_t *m) {
  const int tid = __atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) & 0x3fffffff;
  return tid == static_cast<int>(syscall(SYS_gettid));
}

// pthread waits cannot be interrupted by close without a change other processes
// would see, so they sleep in slices of close_check_ns and look at the handles in
// between: close ends them within that (with the lock held again for cond waits).
int lock_in_slices(const pinned<shared_mutex> &m, int64_t timeout_ns) noexcept {
  const deadline until(timeout_ns);
  for (;;) {
    if (m->is_closing()) return closed_while_waiting(lock_fn);
    const int err = clocklock(m->get(), until.sooner(close_check_ns));
    if (err != ETIMEDOUT) return lock_status(err, lock_fn, m->name.c_str());
    if (until.passed()) return timed_out(timeout_ns, lock_fn);
  }
}

}  // namespace

int mutex_open(pipc_mutex **out, const char *name, const pipc_mutex_options &opts) {
  return open_handle(out, name, opts.flags, opts.mode, mutex_spec);
}

int mutex_dup(pipc_mutex **out, const shared_mutex &m) {
  return make_handle(out, m.mapping, m.name, false, "pipc_mutex_dup");
}

int cond_open(pipc_cond **out, const char *name, const pipc_cond_options &opts) {
  return open_handle(out, name, opts.flags, opts.mode, cond_spec);
}

int cond_dup(pipc_cond **out, const shared_cond &c) {
  return make_handle(out, c.mapping, c.name, false, "pipc_cond_dup");
}

int lock_status(int err, const char *function, const char *name) noexcept {
  switch (err) {
    case 0: return PIPC_OK;
    case EOWNERDEAD:
      return fail(PIPC_EOWNERDEAD, err,
                  "%s: \"%s\" is locked by this thread now, but its previous owner died holding "
                  "it: repair the state it guards, call pipc_mutex_consistent, then unlock",
                  function, name);
    case ENOTRECOVERABLE:
      return fail(PIPC_ENOTRECOVERABLE, err,
                  "%s: \"%s\" was unlocked after its owner died without being made consistent",
                  function, name);
    case EDEADLK:
      return fail(PIPC_EINVAL, err, "%s: the calling thread already holds \"%s\"", function, name);
    case EPERM:
      return fail(PIPC_EACCES, err, "%s: the calling thread does not hold \"%s\"", function, name);
    default:
      errno = err;
      return os_fail(function, name);
  }
}

int mutex_lock_slow(pipc_mutex *mutex, int64_t timeout_ns, int first) noexcept {
  call<pipc_mutex> m(mutex);
  if (first != EBUSY && first != not_tried) {
    // The try happened (a close since then cannot undo it): only the name may be gone.
    if (m) return lock_status(first, lock_fn, m->name.c_str());
    return lock_status(first, lock_fn, "(a closed handle)");
  }
  if (!m) return bad_handle(lock_fn);
  if (timeout_invalid(timeout_ns)) return check_timeout(timeout_ns, lock_fn);
  const int err = not_recoverable(m->get()) ? ENOTRECOVERABLE : pthread_mutex_trylock(m->get());
  if (err != EBUSY) return lock_status(err, lock_fn, m->name.c_str());
  if (timeout_ns == 0) return timed_out(0, lock_fn);
  return lock_in_slices(m.pin(), timeout_ns);
}

int mutex_unlock_slow(pipc_mutex *mutex, int first) noexcept {
  constexpr char unlock_fn[] = "pipc_mutex_unlock";
  call<pipc_mutex> m(mutex);
  if (first != not_tried) {
    if (m) return lock_status(first, unlock_fn, m->name.c_str());
    return lock_status(first, unlock_fn, "(a closed handle)");
  }
  if (!m) return bad_handle(unlock_fn);
  if (PIPC_TSAN && !owned_by_caller(m->get())) return lock_status(EPERM, unlock_fn, m->name.c_str());
  return lock_status(pthread_mutex_unlock(m->get()), unlock_fn, m->name.c_str());
}

int cond_wait(pipc_cond *cond, pipc_mutex *mutex, int64_t timeout_ns) noexcept {
  call<pipc_cond> c(cond);
  if (!c) return bad_handle(wait_fn);
  call<pipc_mutex> m(mutex);
  if (!m) return bad_handle(wait_fn);
  if (timeout_invalid(timeout_ns)) return check_timeout(timeout_ns, wait_fn);
  // The inner section first: sections end in the order opposite to their start.
  if (PIPC_TSAN && !owned_by_caller(m->get())) return lock_status(EPERM, wait_fn, m->name.c_str());
  const pinned<shared_mutex> pm = m.pin();
  const pinned<shared_cond> pc = c.pin();
  const deadline until(timeout_ns);
  for (;;) {
    if (pc->is_closing() || pm->is_closing()) return closed_while_waiting(wait_fn);
    // The same as pthread_cond_clockwait on CLOCK_MONOTONIC: every condition variable
    // of layout 1 is made with that clock (init_cond). ThreadSanitizer sees this one.
    const timespec at = until.sooner(close_check_ns).absolute();
    const int err = pthread_cond_timedwait(pc->get(), pm->get(), &at);
    if (err != ETIMEDOUT) return lock_status(err, wait_fn, pm->name.c_str());
    if (until.passed()) return timed_out(timeout_ns, wait_fn);
  }
}

}  // namespace pipc::core
