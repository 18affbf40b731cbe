#include "core/robust_mutex.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <new>

#include "core/deadline.hpp"
#include "core/segment_handles.hpp"

namespace pipc::core {
namespace {

constexpr char lock_fn[] = "pipc_mutex_lock";
constexpr char unlock_fn[] = "pipc_mutex_unlock";

int init_mutex(void *object, const void *) {
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

int init_cond(void *object, const void *) {
  new (object) cond_state{};
  return 0;
}

// A locked robust mutex is linked into its owner thread's robust list through its
// own memory: unmapping it while a thread of this process holds it would make the
// next list update (and the kernel's walk at thread exit) touch freed memory.
bool held_in_this_process(void *object) {
  const uint32_t tid = lock_word::load(static_cast<pthread_mutex_t *>(object)) & lock_word::tid_mask;
  return tid != 0 && syscall(SYS_tgkill, getpid(), tid, 0) == 0;
}

const segment_spec mutex_spec{segment_kind::mutex, sizeof(pthread_mutex_t), init_mutex,
                              held_in_this_process, "pipc_mutex_open"};
const segment_spec cond_spec{segment_kind::cond, sizeof(cond_state), init_cond, nullptr,
                             "pipc_cond_open"};

template <class Handle>
int open_handle(Handle **out, const char *name, uint32_t flags, uint32_t mode,
                const segment_spec &spec) {
  opened_segment s;
  const int rc = open_segment(s, name, flags, mode, spec);
  if (rc != PIPC_OK) return rc;
  return publish_segment(out, s.mapping, s.name, s.created, spec.function);
}

// Releases M's word, waking every waiter when the mutex ends not recoverable (each
// must find that out) and one otherwise.
void release_word(pthread_mutex_t *m) {
  const uint32_t was = __atomic_exchange_n(lock_word::of(m), 0u, __ATOMIC_RELEASE);
  if (was & lock_word::waiters) {
    wake_word(lock_word::of(m), recovery_state(m) == state_not_recoverable ? INT_MAX : 1);
  }
}

}  // namespace

int mutex_open(pipc_mutex **out, const char *name, const pipc_mutex_options &opts) {
  if (!robust::usable()) {
    return fail(PIPC_ENOTSUP, ENOTSUP,
                "pipc_mutex_open: this C library does not keep robust mutexes on the "
                "threads' robust lists as glibc does, which libpipc's mutexes rely on");
  }
  return open_handle(out, name, opts.flags, opts.mode, mutex_spec);
}

int mutex_dup(pipc_mutex **out, const shared_mutex &m) {
  return publish_segment(out, m.mapping, m.name, false, "pipc_mutex_dup");
}

int cond_open(pipc_cond **out, const char *name, const pipc_cond_options &opts) {
  return open_handle(out, name, opts.flags, opts.mode, cond_spec);
}

int cond_dup(pipc_cond **out, const shared_cond &c) {
  return publish_segment(out, c.mapping, c.name, false, "pipc_cond_dup");
}

void give_back(pthread_mutex_t *m, const robust::thread_state &t) noexcept {
  release_word(m);
  robust::end_op(t.head);
}

int try_lock(pthread_mutex_t *m, const robust::thread_state &t, uint32_t also) noexcept {
  robust::begin_op(t.head, robust::entry(m));
  uint32_t word = lock_word::load(m);
  for (;;) {
    int taken = 0;
    uint32_t wanted = static_cast<uint32_t>(t.tid) | also;
    if (word & lock_word::owner_died) {
      // The kernel found the owner dead and left the waiters bit as it was.
      wanted |= word & lock_word::waiters;
      taken = EOWNERDEAD;
    } else if ((word & lock_word::tid_mask) == static_cast<uint32_t>(t.tid)) {
      robust::end_op(t.head);
      return EDEADLK;
    } else if (word != 0) {
      robust::end_op(t.head);
      return EBUSY;
    }
    if (!__atomic_compare_exchange_n(lock_word::of(m), &word, wanted, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED)) {
      continue;  // WORD holds what the word held instead
    }
    if (recovery_state(m) == state_not_recoverable) {
      give_back(m, t);
      return ENOTRECOVERABLE;
    }
    if (taken == EOWNERDEAD) {
      __atomic_store_n(&m->__data.__owner, state_inconsistent, __ATOMIC_RELAXED);
    }
    robust::link(t.head, robust::links_of(m));
    robust::end_op(t.head);
    return taken;
  }
}

int lock_waiting(const pinned<shared_mutex> &m, const robust::thread_state &t,
                 const deadline &until, const char *function) noexcept {
  pthread_mutex_t *pm = m->get();
  // Once this thread has slept it may take the lock from under other sleepers: it
  // keeps the waiters bit set, so that its unlock wakes the next one.
  uint32_t also = 0;
  for (;;) {
    const int err = try_lock(pm, t, also);
    if (err != EBUSY) return lock_status(err, function, m->name.c_str());
    uint32_t word = lock_word::load(pm);
    if (word == 0 || (word & lock_word::owner_died)) continue;
    if (!(word & lock_word::waiters)) {
      if (!__atomic_compare_exchange_n(lock_word::of(pm), &word, word | lock_word::waiters, false,
                                       __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
        continue;
      }
      word |= lock_word::waiters;
    }
    also = lock_word::waiters;
    const woken how = wait_word(lock_word::of(pm), word, {&m->closer}, until);
    if (how != woken::again) return wait_status(how, function);
  }
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

int mutex_lock_slow(pipc_mutex *mutex, int64_t timeout_ns) noexcept {
  call<pipc_mutex> m(mutex);
  if (!m) return bad_handle(lock_fn);
  if (timeout_invalid(timeout_ns)) return check_timeout(timeout_ns, lock_fn);
  const robust::thread_state *t = robust::current();
  if (t == nullptr) return robust::none_for(lock_fn);
  const int err = try_lock(m->get(), *t, 0);
  if (err != EBUSY) return lock_status(err, lock_fn, m->name.c_str());
  if (timeout_ns == 0) return fail(PIPC_EAGAIN, EAGAIN, "%s: it would block", lock_fn);
  return lock_waiting(m.pin(), *t, deadline(timeout_ns), lock_fn);
}

int unlock(pthread_mutex_t *m, const robust::thread_state &t) noexcept {
  if ((lock_word::load(m) & lock_word::tid_mask) != static_cast<uint32_t>(t.tid)) return EPERM;
  // Unlocked without being made consistent: nobody may lock it again.
  if (recovery_state(m) == state_inconsistent) {
    __atomic_store_n(&m->__data.__owner, state_not_recoverable, __ATOMIC_RELAXED);
  }
  robust::begin_op(t.head, robust::entry(m));
  robust::unlink(robust::links_of(m));
  release_word(m);
  robust::end_op(t.head);
  return 0;
}

int mutex_unlock_slow(pipc_mutex *mutex) noexcept {
  call<pipc_mutex> m(mutex);
  if (!m) return bad_handle(unlock_fn);
  const robust::thread_state *t = robust::current();
  if (t == nullptr) return robust::none_for(unlock_fn);
  return lock_status(unlock(m->get(), *t), unlock_fn, m->name.c_str());
}

int mutex_consistent(pipc_mutex *mutex) noexcept {
  constexpr char consistent_fn[] = "pipc_mutex_consistent";
  call<pipc_mutex> m(mutex);
  if (!m) return bad_handle(consistent_fn);
  const robust::thread_state *t = robust::current();
  if (t == nullptr) return robust::none_for(consistent_fn);
  pthread_mutex_t *pm = m->get();
  if ((lock_word::load(pm) & lock_word::tid_mask) != static_cast<uint32_t>(t->tid) ||
      recovery_state(pm) != state_inconsistent) {
    return fail(PIPC_EINVAL, EINVAL,
                "%s: \"%s\" is not locked by this thread after its previous owner died",
                consistent_fn, m->name.c_str());
  }
  __atomic_store_n(&pm->__data.__owner, 0, __ATOMIC_RELAXED);
  return PIPC_OK;
}

}  // namespace pipc::core
