// The common part of every handle's object, and the guard each API call holds.
//
// A caller's handle is a number in the handle table (handle_table.hpp). A call
// looks it up inside a reader section (readers.hpp): while the section lasts, the
// slot's object cannot be destroyed. Close empties the slot, so every later call
// is refused; marks the object closing, which ends the calls blocked on it; waits
// for the reader sections that may still use it; recycles the slot; and drops the
// owner's pin. A call that may block pins the object before it leaves its
// section, so the object (and the OS object it holds) lives until the last pin
// goes: the family's destructor runs exactly once, then.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/error.hpp"
#include "core/handle_table.hpp"
#include "core/readers.hpp"
#include "core/tls.hpp"

namespace pipc::core {

struct handle {
  handle() = default;
  virtual ~handle();
  handle(const handle &) = delete;
  handle &operator=(const handle &) = delete;

  // Wakes the calls of the family's own kind of wait blocked on this handle, once
  // closing is set (begin_close); the descriptor waits are woken through wake_fd.
  virtual void wake_waiters() noexcept {}
  // In a forked child, where the parent's other threads and their waits are not:
  // drops what those waits left (their pins, and the parent's eventfd, which the
  // child shares). OWN_WAITS is how many waits of the forking thread hold it.
  virtual void forget_parent_waits(uint32_t own_waits) noexcept;

  // The owner's pin plus one per blocking call in flight.
  std::atomic<uint32_t> pins{1};
  // Set once close began: every wait looks at it before it sleeps and when it wakes
  // (waits.hpp).
  std::atomic<bool> closing{false};
  // An eventfd made for the first wait on a descriptor, written at close so that
  // such waits end at once; -1 until then.
  std::atomic<int> wake_fd{-1};

  bool is_closing() const { return closing.load(std::memory_order_seq_cst); }
};

// Each public handle type names its object type and family number:
//   template <> struct family_traits<pipc_sem> { using object = posix_sem; static constexpr ... id; };
template <class Handle>
struct family_traits;

inline void unpin(handle *h) {
  if (h->pins.fetch_sub(1, std::memory_order_acq_rel) == 1) delete h;
}

// The pins this thread holds (in its waits), so that a forked child can count its
// objects' pins anew: the parent's other threads and their waits are not there. A
// thread holds a pin per wait it is in: one, or a few more when a signal handler
// waits while the thread's own wait is interrupted.
struct pin_list {
  static constexpr int capacity = 16;
  handle *held[capacity];
  int count;
  bool overflowed;  // then a forked child cannot count anew, and does not try
};
extern __thread pin_list own_pins PIPC_TLS_HOT;

namespace thread_pins {

inline void add(handle *h) noexcept {
  if (own_pins.count == pin_list::capacity) {
    own_pins.overflowed = true;
    return;
  }
  own_pins.held[own_pins.count++] = h;
}

inline void remove(handle *h) noexcept {
  for (int i = own_pins.count - 1; i >= 0; --i) {
    if (own_pins.held[i] != h) continue;
    own_pins.held[i] = own_pins.held[--own_pins.count];
    return;
  }
}

}  // namespace thread_pins

// Keeps an object alive across a wait, after its call's reader section ended.
template <class Object>
class pinned {
 public:
  explicit pinned(Object *object) : object_(object) { thread_pins::add(object); }
  pinned(pinned &&other) noexcept : object_(other.object_) { other.object_ = nullptr; }
  pinned(const pinned &) = delete;
  pinned &operator=(const pinned &) = delete;
  ~pinned() {
    if (object_ == nullptr) return;
    thread_pins::remove(object_);
    unpin(object_);
  }
  Object *operator->() const { return object_; }
  Object &operator*() const { return *object_; }

 private:
  Object *object_;
};

// The slot of handle H if H is an open handle of family ID, else nullptr. Inside
// a reader section. (NULL has family 0, which no handle has.)
inline table::slot *open_slot(const void *h, table::family_id id) {
  const uint64_t number = reinterpret_cast<uintptr_t>(h);
  if (!table::is_family(number, id)) return nullptr;
  table::slot *s = table::find(number);
  if (s == nullptr || s->number.load(std::memory_order_acquire) != number) return nullptr;
  return s;
}

// Selects call's constructor for hot paths (see there).
struct hot_path_t {};
constexpr hot_path_t hot_path{};

// Holds handle H of public type Handle for the length of one API call, in a
// reader section. Falsy when H is NULL, closed, of another family or no handle.
template <class Handle>
class call {
 public:
  using object_type = typename family_traits<Handle>::object;

  explicit call(Handle *h)
      : closing_word_(readers::enter()), slot_(open_slot(h, family_traits<Handle>::id)) {
    if (slot_ == nullptr) readers::leave(closing_word_);
  }
  // For a hot path, which falls back to a noinline slow path with the first form
  // when this one is falsy: it takes only the cases that need no function call —
  // the thread's section opens on the fast path, the handle is in a static slot —
  // so the hot path can compile to a leaf whose other cases are tail calls.
  call(Handle *h, hot_path_t) : closing_word_(readers::try_enter()), slot_(nullptr) {
    if (closing_word_ == 0) return;
    const uint64_t number = reinterpret_cast<uintptr_t>(h);
    if (table::is_family(number, family_traits<Handle>::id)) {
      slot_ = table::find_open_static(number);
    }
    if (slot_ == nullptr) readers::leave(closing_word_);
  }
  ~call() {
    if (slot_ != nullptr) readers::leave(closing_word_);
  }
  call(const call &) = delete;
  call &operator=(const call &) = delete;

  explicit operator bool() const { return slot_ != nullptr; }
  object_type *get() const {
    return static_cast<object_type *>(slot_->object.load(std::memory_order_relaxed));
  }
  object_type *operator->() const { return get(); }
  object_type &operator*() const { return *get(); }
  // The pointer the family's hot paths use (handle_table.hpp's slot::fast).
  template <class T>
  T *fast() const {
    return static_cast<T *>(slot_->fast.load(std::memory_order_relaxed));
  }

  // Before a wait: trades the reader section for a pin, so that a close during
  // the wait does not have to wait for it. The call is spent afterwards.
  pinned<object_type> pin() {
    object_type *object = get();
    object->pins.fetch_add(1, std::memory_order_relaxed);
    slot_ = nullptr;
    readers::leave(closing_word_);
    return pinned<object_type>(object);
  }

 private:
  uint64_t closing_word_;
  table::slot *slot_;
};

// Marks H closing and wakes the calls blocked on it (waits.hpp tells how each
// kind of wait notices).
void begin_close(handle &h) noexcept;

// Closes handle H of public type Handle: PIPC_OK for NULL, PIPC_EBADHANDLE if it
// is not an open handle of that type (a second close included).
template <class Handle>
int close_handle(Handle *h, const char *function) {
  if (h == nullptr) return PIPC_OK;
  table::slot *s = open_slot(h, family_traits<Handle>::id);
  uint64_t number = reinterpret_cast<uintptr_t>(h);
  // Only one close can take the number out of the slot.
  if (s == nullptr || !s->number.compare_exchange_strong(number, 0, std::memory_order_acq_rel)) {
    return bad_handle(function);
  }
  handle *object = s->object.load(std::memory_order_relaxed);
  begin_close(*object);
  readers::synchronize();  // no call still uses the slot with this number
  table::recycle(reinterpret_cast<uintptr_t>(h));
  unpin(object);
  return PIPC_OK;
}

// Gives a newly opened OBJECT a handle in *OUT (FAST: see slot::fast). When the
// table is full it records PIPC_ELIMIT for FUNCTION and returns it; OBJECT is then
// still the caller's to undo.
template <class Handle>
int publish(Handle **out, typename family_traits<Handle>::object *object, const char *function,
            void *fast = nullptr) {
  const uint64_t number = table::add(family_traits<Handle>::id, object, fast);
  if (number == 0) return table_full(function);
  *out = reinterpret_cast<Handle *>(static_cast<uintptr_t>(number));
  return PIPC_OK;
}

}  // namespace pipc::core
