// Condition variables (robust_mutex.hpp): a waiter counts itself in, reads the
// sequence, unlocks the mutex and sleeps while the sequence is unchanged; a signal
// advances the sequence, then wakes sleepers only if someone counted in. Both
// sides use sequentially consistent operations, so either the signal sees the
// waiter or the waiter sees the new sequence: no wake-up is lost.
#include <cerrno>

#include "core/robust_mutex.hpp"

namespace pipc::core {
namespace {

constexpr char wait_fn[] = "pipc_cond_wait";

// Sleeps until the sequence moves on from SEEN or the wait ends otherwise.
woken sleep_for_signal(const pinned<shared_cond> &c, const pinned<shared_mutex> &m,
                       uint32_t seen, const deadline &until) {
  cond_state *s = c->get();
  const uint32_t *sequence = reinterpret_cast<const uint32_t *>(&s->sequence);
  for (;;) {
    const woken how = wait_word(sequence, seen, {&c->closer, &m->closer}, until);
    if (how != woken::again || s->sequence.load(std::memory_order_seq_cst) != seen) return how;
  }
}

// The wait's own status when it ended HOW after TIMEOUT_NS.
int wait_result(woken how, int64_t timeout_ns) {
  if (how == woken::again) return PIPC_OK;
  if (how == woken::timed_out && timeout_ns == 0) {
    return fail(PIPC_EAGAIN, EAGAIN, "%s: no signal came", wait_fn);
  }
  return wait_status(how, wait_fn);
}

}  // namespace

int cond_wait(pipc_cond *cond, pipc_mutex *mutex, int64_t timeout_ns) noexcept {
  call<pipc_cond> c(cond);
  if (!c) return bad_handle(wait_fn);
  call<pipc_mutex> m(mutex);
  if (!m) return bad_handle(wait_fn);
  if (timeout_invalid(timeout_ns)) return check_timeout(timeout_ns, wait_fn);
  const robust::thread_state *t = robust::current();
  if (t == nullptr) return robust::none_for(wait_fn);
  pthread_mutex_t *pm = m->get();
  if ((lock_word::load(pm) & lock_word::tid_mask) != static_cast<uint32_t>(t->tid)) {
    return lock_status(EPERM, wait_fn, m->name.c_str());
  }
  // The inner section first: sections end in the order opposite to their start.
  const pinned<shared_mutex> pm_handle = m.pin();
  const pinned<shared_cond> pc_handle = c.pin();
  cond_state *s = pc_handle->get();
  s->waiters.fetch_add(1, std::memory_order_seq_cst);
  const uint32_t seen = s->sequence.load(std::memory_order_seq_cst);
  unlock(pm, *t);
  const woken how = sleep_for_signal(pc_handle, pm_handle, seen, deadline(timeout_ns));
  s->waiters.fetch_sub(1, std::memory_order_relaxed);
  // Whatever ended the wait, the mutex is locked again before the call returns,
  // unless its own handle was closed; signals during the relock are not reported.
  if (pm_handle->is_closing()) return closed_while_waiting(wait_fn);
  int relocked;
  do {
    relocked = lock_waiting(pm_handle, *t, deadline(), wait_fn);
  } while (relocked == PIPC_EINTR);
  if (relocked != PIPC_OK) return relocked;
  return wait_result(how, timeout_ns);
}

int cond_wake(pipc_cond *cond, int count, const char *function) noexcept {
  call<pipc_cond> c(cond);
  if (!c) return bad_handle(function);
  cond_state *s = c->get();
  s->sequence.fetch_add(1, std::memory_order_seq_cst);
  if (s->waiters.load(std::memory_order_seq_cst) != 0) wake_word(&s->sequence, count);
  return PIPC_OK;
}

}  // namespace pipc::core
