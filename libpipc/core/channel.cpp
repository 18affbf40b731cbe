#include "core/channel.hpp"

#include <linux/futex.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <new>

#include "core/deadline.hpp"
#include "core/segment_handles.hpp"

namespace pipc::core {
namespace {

constexpr uint32_t tid_mask = FUTEX_TID_MASK;
constexpr uint32_t waiters_bit = FUTEX_WAITERS;
constexpr uint32_t died_bit = FUTEX_OWNER_DIED;
// Set in an event word while a thread may sleep on it.
constexpr uint32_t sleepers_bit = 0x80000000u;

// ---- Layout -------------------------------------------------------------------------

// A slot's sequence for position P: free for P's message, or holding it. (Vyukov's
// P and P + 1 would make "holding P's message" and "free for P + 1" the same value in
// a ring of one slot.)
constexpr uint64_t free_for(uint64_t p) { return 2 * p; }
constexpr uint64_t full_for(uint64_t p) { return 2 * p + 1; }

struct channel_shape {
  uint32_t slots;
  uint32_t max_message_size;
};

uint32_t stride_for(uint32_t max_message_size) {
  const uint64_t bytes = sizeof(channel_slot) + uint64_t{max_message_size};
  return static_cast<uint32_t>((bytes + cache_line - 1) / cache_line * cache_line);
}

uint64_t object_bytes(uint32_t slots, uint32_t stride) {
  return sizeof(channel_control) + uint64_t{slots} * stride;
}

int init_channel(void *object, const void *context) {
  const auto *shape = static_cast<const channel_shape *>(context);
  auto *c = new (object) channel_control{};
  c->slots = shape->slots;
  c->max_message_size = shape->max_message_size;
  c->slot_stride = stride_for(shape->max_message_size);
  for (uint32_t i = 0; i < c->slots; ++i) {
    channel_slot *s = new (c->slot(i)) channel_slot{};
    s->sequence.store(free_for(i), std::memory_order_relaxed);
  }
  return 0;
}

}  // namespace

const char *check_channel(const void *object, size_t size) {
  const auto *c = static_cast<const channel_control *>(object);
  if (size < sizeof(channel_control)) return "too small";
  if (c->slots == 0 || c->slots > channel_max_slots || (c->slots & (c->slots - 1)) != 0) {
    return "bad slot count";
  }
  if (c->max_message_size == 0 || c->max_message_size > channel_max_message_size ||
      c->slot_stride != stride_for(c->max_message_size)) {
    return "bad message size";
  }
  if (object_bytes(c->slots, c->slot_stride) != size) return "size differs";
  return nullptr;
}

namespace {

// A slot of this process's threads may sit on a thread's robust list (a zero-copy
// call's): the mapping must then stay where it is (see robust_mutex.cpp).
bool slot_held_in_this_process(void *object) {
  auto *c = static_cast<channel_control *>(object);
  for (uint32_t i = 0; i < c->slots; ++i) {
    const uint32_t tid = c->slot(i)->owner.load(std::memory_order_relaxed) & tid_mask;
    if (tid != 0 && syscall(SYS_tgkill, getpid(), tid, 0) == 0) return true;
  }
  return false;
}

// ---- Slots ----------------------------------------------------------------------------

robust::links links_of(channel_slot *s) {
  return {reinterpret_cast<void **>(&s->prev), reinterpret_cast<void **>(&s->next)};
}

// Tries to make thread T the owner of slot S, from no owner or a dead one (whose
// work in it the caller redoes or completes); false while a live thread holds it.
// When it did, S is T's pending robust list operation until release().
bool try_claim(channel_slot *s, const robust::thread_state &t) {
  robust::begin_op(t.head, &s->next);
  uint32_t word = s->owner.load(std::memory_order_relaxed);
  for (;;) {
    if (word != 0 && !(word & died_bit)) {
      robust::end_op(t.head);
      return false;
    }
    const uint32_t wanted = static_cast<uint32_t>(t.tid) | (word & waiters_bit);
    if (s->owner.compare_exchange_weak(word, wanted, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      return true;
    }
  }
}

// Gives slot S up, waking whoever waits for it, and ends T's pending operation.
// The exchange is sequentially consistent: notify() relies on it (see there).
void release(channel_slot *s, const robust::thread_state &t) {
  if (s->owner.exchange(0, std::memory_order_seq_cst) & waiters_bit) {
    wake_word(&s->owner, INT_MAX);
  }
  robust::end_op(t.head);
}

// ---- Waiting --------------------------------------------------------------------------

// Tells the core that this is a spin loop (fewer wasted cycles, the other hyperthread
// served first).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// Why a claim found nothing to take now.
struct blocked {
  enum { no_slot, slot_held } reason;
  channel_slot *slot;  // slot_held: the slot, held by a live claimer
  uint32_t word;       // slot_held: its owner word as seen
};

// A call's state between its tries: its deadline, and its spinning.
class waiter {
 public:
  waiter(const pinned<channel_handle> &h, int64_t timeout_ns)
      : h_(h), until_(timeout_ns), spin_ns_(h->spin_ns.load(std::memory_order_relaxed)) {}

  // Waits until what blocked the claim may be gone: woken::again to try again.
  template <class StillBlocked>
  woken wait(const blocked &b, std::atomic<uint32_t> &event, StillBlocked still_blocked) {
    if (spinning()) return woken::again;
    if (b.reason == blocked::slot_held) return wait_for_slot(b);
    // Before the first sleep of a call, one yield of the processor: a receiver that
    // emptied the channel (or a sender that filled it) usually finds the other side
    // has moved on by then, which saves both a sleep and the other's wake-up call
    // (64 B from one process to another, on two idle cores: 4.5 to 10-16 M messages/s).
    if (!yielded_) {
      yielded_ = true;
      sched_yield();
      return woken::again;
    }
    // Marks the event as slept on, then looks again: either the other side's next
    // notify() sees the mark, or this look sees what it did before.
    uint32_t seen = event.load(std::memory_order_relaxed);
    while (!(seen & sleepers_bit) &&
           !event.compare_exchange_weak(seen, seen | sleepers_bit, std::memory_order_seq_cst)) {
    }
    if (!still_blocked()) return woken::again;
    return wait_word(reinterpret_cast<uint32_t *>(&event), seen | sleepers_bit, {&h_->closer},
                     until_);
  }

 private:
  // True while the handle's spin time lasts (it starts at the first wait).
  // Every so often it yields the core: when the other side shares it, spinning alone
  // would only keep it from running.
  bool spinning() {
    if (spin_ns_ <= 0) return false;
    if (spin_end_ns_ == 0) spin_end_ns_ = monotonic_ns() + spin_ns_;
    cpu_relax();
    if ((++spins_ & 63) != 0) return true;
    sched_yield();
    if (monotonic_ns() < spin_end_ns_ && !until_.passed()) return true;
    spin_ns_ = 0;
    return false;
  }

  // A live claimer holds the slot for a moment: sleeps on its owner word.
  woken wait_for_slot(const blocked &b) {
    uint32_t word = b.word;
    if (!(word & waiters_bit) &&
        !b.slot->owner.compare_exchange_strong(word, word | waiters_bit, std::memory_order_relaxed)) {
      return woken::again;
    }
    return wait_word(reinterpret_cast<uint32_t *>(&b.slot->owner), word | waiters_bit,
                     {&h_->closer}, until_);
  }

  const pinned<channel_handle> &h_;
  const deadline until_;
  int64_t spin_ns_;
  int64_t spin_end_ns_ = 0;
  uint32_t spins_ = 0;
  bool yielded_ = false;
};

// After release() gave up a slot whose new state the sleepers on EVENT wait for: if
// one marked it, advances it with the mark cleared and wakes them all (each looks
// again and marks it anew if it must wait on). One system call per sleep, not per
// message.
// No fence is needed between the slot's new state and this look at EVENT. A sleeper
// marks EVENT, then reads the slot's owner word and only then its sequence, all
// sequentially consistent, as are release()'s exchange of the owner word and the
// load below. So if this load misses the mark, the sleeper's read of the owner word
// comes after that exchange in the single order of such operations: it reads what the
// exchange (or a later claim) wrote, synchronizes with it, and sees the new sequence.
void notify(std::atomic<uint32_t> &event) {
  uint32_t seen = event.load(std::memory_order_seq_cst);
  while (seen & sleepers_bit) {
    if (event.compare_exchange_weak(seen, (seen + 1) & ~sleepers_bit, std::memory_order_seq_cst)) {
      wake_word(&event, INT_MAX);
      return;
    }
  }
}

// ---- Claiming -------------------------------------------------------------------------
//
// A sender claims the slot at `tail` when it is free for that position, fills it,
// publishes it, and only then moves `tail` on; a receiver claims the slot at `head`
// when it holds that position's message, copies it out, frees the slot for the next
// lap, and only then moves `head` on. So a claimer that dies leaves its position where
// it was, with the slot marked by the kernel: the next sender fills it anew (the dead
// one's message was never whole), the next receiver delivers the message (the dead one
// never returned it). An index that lags behind a finished slot is moved on by
// whoever sees it.

enum class side { send, receive };

// What a slot at the index's position holds, for SIDE: ready to claim, already done
// (the index lags), or nothing to do yet.
enum class slot_state { ready, done, not_yet };

slot_state state_for(side who, uint64_t seq, uint64_t pos) {
  const uint64_t ready = who == side::send ? free_for(pos) : full_for(pos);
  if (seq == ready) return slot_state::ready;
  return seq > ready ? slot_state::done : slot_state::not_yet;
}

std::atomic<uint64_t> &index_of(channel_control *c, side who) {
  return who == side::send ? c->tail : c->head;
}

// Claims for thread T the slot at SIDE's index (into OUT), or says what blocks it.
bool claim_at_index(channel_control *c, side who, const robust::thread_state &t, held_slot &out,
                    blocked &why) {
  std::atomic<uint64_t> &index = index_of(c, who);
  for (;;) {
    uint64_t pos = index.load(std::memory_order_acquire);
    channel_slot *s = c->slot(pos);
    const uint64_t seq = s->sequence.load(std::memory_order_acquire);
    switch (state_for(who, seq, pos)) {
      case slot_state::done:
        index.compare_exchange_strong(pos, pos + 1, std::memory_order_acq_rel);
        continue;
      case slot_state::not_yet:
        // Also when a sender is filling the slot: its publish wakes the event's sleepers.
        why = {blocked::no_slot, nullptr, 0};
        return false;
      case slot_state::ready: break;
    }
    if (!try_claim(s, t)) {
      why = {blocked::slot_held, s, s->owner.load(std::memory_order_relaxed)};
      if (why.word == 0 || (why.word & died_bit)) continue;
      return false;
    }
    if (s->sequence.load(std::memory_order_acquire) != seq) {
      release(s, t);
      continue;
    }
    out = {s, pos, t.tid};
    return true;
  }
}

// Ends the claim H of SIDE: the slot's new sequence, the index past it, the slot given
// up, and the waiters of the other side told.
void finish(channel_control *c, side who, const held_slot &h, const robust::thread_state &t) {
  const uint64_t next = who == side::send ? full_for(h.position) : free_for(h.position + c->slots);
  h.slot->sequence.store(next, std::memory_order_release);
  uint64_t pos = h.position;
  index_of(c, who).compare_exchange_strong(pos, pos + 1, std::memory_order_acq_rel);
  release(h.slot, t);
  if (who == side::send) {
    notify(c->messages_event);
  } else {
    notify(c->space_event);
  }
}

// Whether SIDE's next slot is still not ready, for a thread that marked its event as
// slept on: the owner word is read before the sequence (see notify()).
bool still_blocked(channel_control *c, side who) {
  const uint64_t pos = index_of(c, who).load(std::memory_order_seq_cst);
  channel_slot *s = c->slot(pos);
  (void)s->owner.load(std::memory_order_seq_cst);
  return state_for(who, s->sequence.load(std::memory_order_seq_cst), pos) == slot_state::not_yet;
}

// ---- Calls ----------------------------------------------------------------------------

int wait_ended(woken how, int64_t timeout_ns, const char *function, side who) {
  if (how == woken::timed_out && timeout_ns == 0) {
    return fail(PIPC_EAGAIN, EAGAIN, "%s: %s", function,
                who == side::send ? "the channel is full" : "no message is waiting");
  }
  return wait_status(how, function);
}

// Claims a slot for SIDE through handle H for thread T, waiting up to TIMEOUT_NS.
int claim_slot(const pinned<channel_handle> &h, const robust::thread_state &t, side who,
               int64_t timeout_ns, held_slot &out, const char *function) {
  channel_control *c = h->control();
  waiter w(h, timeout_ns);
  for (;;) {
    if (h->is_closing()) return closed_while_waiting(function);
    blocked why{};
    if (claim_at_index(c, who, t, out, why)) return PIPC_OK;
    if (timeout_ns == 0 && why.reason == blocked::no_slot) {
      return wait_ended(woken::timed_out, 0, function, who);
    }
    std::atomic<uint32_t> &event = who == side::send ? c->space_event : c->messages_event;
    const woken how = w.wait(why, event, [c, who] { return still_blocked(c, who); });
    if (how != woken::again) return wait_ended(how, timeout_ns, function, who);
  }
}

// Runs WORK(handle, slot, thread) on a slot claimed for SIDE through CHANNEL: inside
// the call's reader section when a slot can be had at once (no pin: the common case
// costs no atomic operation on the handle), else after the handle was pinned and a
// wait gave one. CHECK(handle) may refuse the call first; UNDO(handle) runs when no
// slot could be had after CHECK passed.
template <class Check, class Work, class Undo>
int with_slot(pipc_channel *channel, side who, int64_t timeout_ns, const char *function,
              Check check, Work work, Undo undo) {
  call<pipc_channel> c(channel);
  if (!c) return bad_handle(function);
  if (timeout_invalid(timeout_ns)) return check_timeout(timeout_ns, function);
  const robust::thread_state *t = robust::current();
  if (t == nullptr) return robust::none_for(function);
  int rc = check(*c);
  if (rc != PIPC_OK) return rc;
  held_slot slot;
  blocked why{};
  if (claim_at_index(c->control(), who, *t, slot, why)) return work(*c, slot, *t);
  if (timeout_ns == 0 && why.reason == blocked::no_slot) {
    undo(*c);
    return wait_ended(woken::timed_out, 0, function, who);
  }
  const pinned<channel_handle> h = c.pin();
  rc = claim_slot(h, *t, who, timeout_ns, slot, function);
  if (rc == PIPC_OK) return work(*h, slot, *t);
  undo(*h);
  return rc;
}

const auto no_check = [](channel_handle &) -> int { return PIPC_OK; };
const auto no_undo = [](channel_handle &) {};

}  // namespace

int channel_open(pipc_channel **out, const char *name, const pipc_channel_options &opts) {
  constexpr char fn[] = "pipc_channel_open";
  if (!robust::usable()) {
    return fail(PIPC_ENOTSUP, ENOTSUP,
                "%s: this C library does not keep robust futexes on the threads' robust "
                "lists as glibc does, which libpipc's channels rely on",
                fn);
  }
  const bool creates = name == nullptr || (opts.flags & PIPC_CREAT) != 0;  // NULL: a new one
  if (creates && (opts.slots == 0 || opts.slots > channel_max_slots ||
                  (opts.slots & (opts.slots - 1)) != 0)) {
    return fail(PIPC_ERANGE, ERANGE, "%s: slots %u is not a power of two from 1 to %u", fn,
                opts.slots, channel_max_slots);
  }
  if (creates && (opts.max_message_size == 0 || opts.max_message_size > channel_max_message_size)) {
    return fail(PIPC_ERANGE, ERANGE, "%s: max_message_size %u is not from 1 to %u", fn,
                opts.max_message_size, channel_max_message_size);
  }
  const channel_shape shape{opts.slots, opts.max_message_size};
  const uint64_t bytes = creates ? object_bytes(shape.slots, stride_for(shape.max_message_size)) : 0;
  if (bytes > channel_max_bytes) {
    return fail(PIPC_ERANGE, ERANGE,
                "%s: %u slots of %u bytes need %llu bytes of shared memory, more than %llu", fn,
                opts.slots, opts.max_message_size, static_cast<unsigned long long>(bytes),
                static_cast<unsigned long long>(channel_max_bytes));
  }
  segment_spec spec{segment_kind::channel, static_cast<size_t>(bytes), init_channel,
                    slot_held_in_this_process, fn, check_channel, &shape};
  opened_segment s;
  const int rc = open_segment(s, name, opts.flags, opts.mode, spec);
  if (rc != PIPC_OK) return rc;
  return publish_segment(out, s.mapping, s.name, s.created, fn);
}

int channel_dup(pipc_channel **out, const channel_handle &c) {
  return publish_segment(out, c.mapping, c.name, false, "pipc_channel_dup");
}

int channel_send(pipc_channel *channel, const void *data, size_t len, int64_t timeout_ns) noexcept {
  constexpr char fn[] = "pipc_channel_send";
  if (data == nullptr && len != 0) return fail(PIPC_EINVAL, EINVAL, "%s: data is NULL", fn);
  const auto fits = [&](channel_handle &h) -> int {
    if (len <= h.control()->max_message_size) return PIPC_OK;
    return fail(PIPC_EMSGSIZE, EMSGSIZE, "%s: %zu bytes, more than \"%s\"'s %u", fn, len,
                h.name.c_str(), h.control()->max_message_size);
  };
  return with_slot(channel, side::send, timeout_ns, fn, fits,
                   [&](channel_handle &h, const held_slot &slot, const robust::thread_state &t) -> int {
                     if (len != 0) std::memcpy(slot.slot->data(), data, len);  // data may be NULL
                     slot.slot->length = static_cast<uint32_t>(len);
                     finish(h.control(), side::send, slot, t);
                     return PIPC_OK;
                   },
                   no_undo);
}

int channel_receive(size_t *len_out, pipc_channel *channel, void *buf, size_t cap,
                    int64_t timeout_ns) noexcept {
  constexpr char fn[] = "pipc_channel_receive";
  if (len_out == nullptr || (buf == nullptr && cap != 0)) {
    return fail(PIPC_EINVAL, EINVAL, "%s: len_out or buf is NULL", fn);
  }
  return with_slot(channel, side::receive, timeout_ns, fn, no_check,
                   [&](channel_handle &h, const held_slot &slot, const robust::thread_state &t) -> int {
                     const size_t len = slot.slot->length;
                     *len_out = len;
                     if (len > cap) {  // the message stays for a receiver with room for it
                       release(slot.slot, t);
                       return fail(PIPC_EMSGSIZE, EMSGSIZE,
                                   "%s: the next message has %zu bytes, more than %zu", fn, len, cap);
                     }
                     if (len != 0) std::memcpy(buf, slot.slot->data(), len);  // buf may be NULL
                     finish(h.control(), side::receive, slot, t);
                     return PIPC_OK;
                   },
                   no_undo);
}

namespace {

// A zero-copy call's slot: claimed, then moved from the pending operation onto the
// thread's robust list, where it stays while the caller works in it.
int hold(pipc_channel *channel, side who, int64_t timeout_ns, zero_copy_hold channel_handle::*held,
         const char *function, held_slot *out) {
  const auto take = [&](channel_handle &h) -> int {
    channel_slot *none = nullptr;
    if ((h.*held).slot.compare_exchange_strong(none, zero_copy_hold::taking)) return PIPC_OK;
    return fail(PIPC_EINVAL, EINVAL, "%s: the handle already holds a slot (%s it first)", function,
                who == side::send ? "commit or cancel" : "release");
  };
  const auto keep = [&](channel_handle &h, const held_slot &slot, const robust::thread_state &t) -> int {
    robust::link(t.head, links_of(slot.slot));
    robust::end_op(t.head);
    zero_copy_hold &z = h.*held;
    z.position.store(slot.position, std::memory_order_relaxed);
    z.tid.store(slot.tid, std::memory_order_relaxed);
    z.slot.store(slot.slot, std::memory_order_release);
    *out = slot;
    return PIPC_OK;
  };
  const auto give_up = [&](channel_handle &h) { (h.*held).slot.store(nullptr); };
  return with_slot(channel, who, timeout_ns, function, take, keep, give_up);
}

// Ends a zero-copy hold of handle C on the calling thread: FINISHED says whether the
// slot's work is done (finish) or given up as it was (release, position kept).
int end_hold(channel_handle &c, side who, zero_copy_hold &hold, bool finished, size_t len,
             const char *function) {
  channel_slot *s = hold.slot.load(std::memory_order_acquire);
  if (s == nullptr || s == zero_copy_hold::taking) {
    return fail(PIPC_EINVAL, EINVAL, "%s: the handle holds no slot", function);
  }
  const robust::thread_state *t = robust::current();
  if (t == nullptr || t->tid != hold.tid.load(std::memory_order_relaxed)) {
    return fail(PIPC_EACCES, EPERM, "%s: the slot is held by another thread", function);
  }
  channel_control *control = c.control();
  if (who == side::send && finished && len > control->max_message_size) {
    return fail(PIPC_EMSGSIZE, EMSGSIZE, "%s: %zu bytes, more than the slot's %u", function, len,
                control->max_message_size);
  }
  const held_slot was{s, hold.position.load(std::memory_order_relaxed), t->tid};
  robust::begin_op(t->head, &s->next);
  robust::unlink(links_of(s));
  hold.slot.store(nullptr, std::memory_order_release);
  if (!finished) {
    release(s, *t);
    return PIPC_OK;
  }
  if (who == side::send) s->length = static_cast<uint32_t>(len);
  finish(control, who, was, *t);
  return PIPC_OK;
}

int unhold(pipc_channel *channel, side who, zero_copy_hold channel_handle::*held, bool finished,
           size_t len, const char *function) {
  call<pipc_channel> c(channel);
  if (!c) return bad_handle(function);
  return end_hold(*c, who, (*c).*held, finished, len, function);
}

}  // namespace

void channel_drop_holds(channel_handle &c) noexcept {
  const robust::thread_state *t = robust::current();
  if (t == nullptr) return;
  for (zero_copy_hold *hold : {&c.reserved, &c.peeked}) {
    channel_slot *s = hold->slot.load(std::memory_order_acquire);
    if (s != nullptr && s != zero_copy_hold::taking &&
        hold->tid.load(std::memory_order_relaxed) == t->tid) {
      end_hold(c, hold == &c.reserved ? side::send : side::receive, *hold, false, 0,
               "pipc_channel_close");
    }
  }
}

int channel_reserve(void **slot_out, pipc_channel *channel, int64_t timeout_ns) noexcept {
  constexpr char fn[] = "pipc_channel_reserve";
  if (slot_out == nullptr) return fail(PIPC_EINVAL, EINVAL, "%s: slot_out is NULL", fn);
  held_slot slot;
  const int rc = hold(channel, side::send, timeout_ns, &channel_handle::reserved, fn, &slot);
  if (rc == PIPC_OK) *slot_out = slot.slot->data();
  return rc;
}

int channel_commit(pipc_channel *channel, size_t len, bool send) noexcept {
  return unhold(channel, side::send, &channel_handle::reserved, send, len,
                send ? "pipc_channel_commit" : "pipc_channel_cancel");
}

int channel_peek(const void **data_out, size_t *len_out, pipc_channel *channel,
                 int64_t timeout_ns) noexcept {
  constexpr char fn[] = "pipc_channel_peek";
  if (data_out == nullptr || len_out == nullptr) {
    return fail(PIPC_EINVAL, EINVAL, "%s: data_out or len_out is NULL", fn);
  }
  held_slot slot;
  const int rc = hold(channel, side::receive, timeout_ns, &channel_handle::peeked, fn, &slot);
  if (rc == PIPC_OK) {
    *data_out = slot.slot->data();
    *len_out = slot.slot->length;
  }
  return rc;
}

int channel_release(pipc_channel *channel) noexcept {
  return unhold(channel, side::receive, &channel_handle::peeked, true, 0, "pipc_channel_release");
}

}  // namespace pipc::core
