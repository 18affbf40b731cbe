#include "core/posix_sem.hpp"

#include <fcntl.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <new>

#include "core/deadline.hpp"
#include "core/open_object.hpp"
#include "core/waits.hpp"

namespace pipc::core {
namespace {

constexpr char acquire_fn[] = "pipc_sem_acquire";

// Makes the handle for MAPPING. On failure a semaphore this open created is unlinked.
int make_handle(pipc_sem **out, std::shared_ptr<sem_mapping> mapping, const std::string &name,
                bool created, const char *function) {
  posix_sem *object = new (std::nothrow) posix_sem(mapping, name, created);
  int rc = object != nullptr ? publish(out, object, function, object->words())
                             : fail(PIPC_ENOMEM, ENOMEM, "%s: no memory for the handle", function);
  if (rc != PIPC_OK) {
    if (created) ::sem_unlink(name.c_str());
    delete object;
  }
  return rc;
}

}  // namespace

// Close cannot interrupt a futex wait on the semaphore without waking the word, which
// also wakes the semaphore's other waiters (they find the value unchanged and sleep
// again). A sleeper may be between its last look at closing and its futex wait,
// where a wake cannot reach it, or in a signal handler: wake again, after growing
// pauses, until every sleeper has left or close_check_ns has passed.
void posix_sem::wake_waiters() noexcept {
  if (sleepers.load(std::memory_order_seq_cst) == 0) return;
  constexpr long longest_pause_ns = 4 * 1000 * 1000;
  const deadline give_up(close_check_ns);
  for (long pause_ns = 1000;; pause_ns = std::min(4 * pause_ns, longest_pause_ns)) {
    glibc_sem::wake(words(), INT_MAX);
    if (sleepers.load(std::memory_order_seq_cst) == 0 || give_up.passed()) return;
    const timespec pause{0, pause_ns};
    nanosleep(&pause, nullptr);
  }
}

int sem_open(pipc_sem **out, const char *name, const pipc_sem_options &opts) {
  if (!glibc_sem::layout_is_known()) {
    return fail(PIPC_ENOTSUP, ENOTSUP,
                "pipc_sem_open: this C library does not lay out sem_t as glibc's 64-bit "
                "semaphores, which libpipc operates on");
  }
  sem_t *sem = SEM_FAILED;
  const open_result opened = open_object(name, opts.flags, [&](const char *n, open_mode mode) {
    sem = mode == open_mode::create_exclusive
              ? ::sem_open(n, O_CREAT | O_EXCL, static_cast<mode_t>(opts.mode), opts.initial_value)
              : ::sem_open(n, 0);
    return sem == SEM_FAILED ? errno : 0;
  });
  if (opened.err != 0) {
    errno = opened.err;
    return os_fail("sem_open", opened.name.c_str());
  }
  std::shared_ptr<sem_mapping> mapping;
  try {
    mapping = std::make_shared<sem_mapping>(sem);
  } catch (const std::bad_alloc &) {
    if (opened.created) ::sem_unlink(opened.name.c_str());
    ::sem_close(sem);
    return fail(PIPC_ENOMEM, ENOMEM, "pipc_sem_open: no memory for the handle");
  }
  return make_handle(out, std::move(mapping), opened.name, opened.created, "pipc_sem_open");
}

int sem_dup(pipc_sem **out, const posix_sem &sem) {
  return make_handle(out, sem.mapping, sem.name, false, "pipc_sem_dup");
}

namespace {

// glibc's protocol (see glibc_sem.hpp): count in as a waiter, take the value when
// it is not 0, sleep while it is, count out.
int wait(pinned<posix_sem> sem, int64_t timeout_ns) noexcept {
  glibc_sem::layout *const words = sem->words();
  const deadline until(timeout_ns);
  uint64_t d = words->data.fetch_add(glibc_sem::one_waiter, std::memory_order_relaxed) +
               glibc_sem::one_waiter;
  sem->sleepers.fetch_add(1, std::memory_order_seq_cst);  // before wait_futex looks at closing
  int rc = PIPC_OK;
  for (;;) {
    if (glibc_sem::value(d) != 0) {
      // Takes a token and stops being a waiter in one step.
      if (words->data.compare_exchange_weak(d, d - 1 - glibc_sem::one_waiter,
                                            std::memory_order_acquire, std::memory_order_relaxed)) {
        break;
      }
      continue;
    }
    const woken how = wait_futex(*sem, glibc_sem::value_word(words), 0, until);
    if (how != woken::again) {
      rc = wait_status(how, acquire_fn);
      const uint64_t before =
          words->data.fetch_sub(glibc_sem::one_waiter, std::memory_order_relaxed);
      // A post may have woken this waiter just now: pass its wake-up on.
      if (glibc_sem::value(before) != 0 && glibc_sem::waiters(before) > 1) {
        glibc_sem::wake(words, 1);
      }
      break;
    }
    d = words->data.load(std::memory_order_relaxed);
  }
  sem->sleepers.fetch_sub(1, std::memory_order_seq_cst);
  return rc;
}

}  // namespace

int sem_acquire_slow(pipc_sem *sem, int64_t timeout_ns) noexcept {
  call<pipc_sem> s(sem);
  if (!s) return bad_handle(acquire_fn);
  if (timeout_invalid(timeout_ns)) return check_timeout(timeout_ns, acquire_fn);
  if (glibc_sem::try_acquire(s->words())) return PIPC_OK;
  // A try that finds the value 0 needs no pin: the bindings' first step of every wait.
  if (timeout_ns == 0) return fail(PIPC_EAGAIN, EAGAIN, "pipc_sem_acquire: the value is 0");
  return wait(s.pin(), timeout_ns);
}

int sem_release_slow(pipc_sem *sem) noexcept {
  call<pipc_sem> s(sem);
  if (!s) return bad_handle("pipc_sem_release");
  if (glibc_sem::release(s->words())) return PIPC_OK;
  return fail(PIPC_ERANGE, EOVERFLOW, "pipc_sem_release: \"%s\" is at its maximum value %u",
              s->name.c_str(), glibc_sem::value_max);
}

}  // namespace pipc::core
