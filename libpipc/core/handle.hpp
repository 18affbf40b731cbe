// The common part of every handle, and the guard each API call holds on one.
//
// A handle is open while its tag equals its family's tag. Close clears the tag,
// waits for the reader sections that may still be using the handle, and drops
// the owner's pin. A call that may block pins the handle before it sleeps, so a
// close during the wait leaves the handle alive until the last pin is dropped:
// the family's destructor (which closes the OS object) runs exactly once, then.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/error.hpp"
#include "core/readers.hpp"

namespace pipc::core {

struct handle {
  explicit handle(uint32_t family_tag) : tag(family_tag) {}
  virtual ~handle() = default;
  handle(const handle &) = delete;
  handle &operator=(const handle &) = delete;

  std::atomic<uint32_t> tag;         // the family's tag while open, 0 once close began
  std::atomic<uint32_t> pins{1};     // the owner's pin plus one per blocking call in flight
};

inline void unpin(handle *h) {
  if (h->pins.fetch_sub(1, std::memory_order_acq_rel) == 1) delete h;
}

// Keeps a handle alive across a wait, after its call's reader section ended.
template <class H>
class pinned {
 public:
  explicit pinned(H *h) : h_(h) {}
  pinned(pinned &&other) noexcept : h_(other.h_) { other.h_ = nullptr; }
  pinned(const pinned &) = delete;
  pinned &operator=(const pinned &) = delete;
  ~pinned() {
    if (h_ != nullptr) unpin(h_);
  }
  H *operator->() const { return h_; }
  H &operator*() const { return *h_; }

 private:
  H *h_;
};

// Holds a handle of type H for the length of one API call, in a reader section.
// H::family_tag names its family. Falsy when the handle is NULL, foreign or closing.
template <class H>
class call {
 public:
  explicit call(H *h) : h_(h), closing_word_(readers::enter()) {
    if (h == nullptr || h->tag.load(std::memory_order_relaxed) != H::family_tag) {
      readers::leave(closing_word_);
      h_ = nullptr;
    }
  }
  ~call() {
    if (h_ != nullptr) readers::leave(closing_word_);
  }
  call(const call &) = delete;
  call &operator=(const call &) = delete;

  explicit operator bool() const { return h_ != nullptr; }
  H *operator->() const { return h_; }
  H &operator*() const { return *h_; }

  // Before a wait: trades the reader section for a pin, so that a close during
  // the wait does not have to wait for it. The call is spent afterwards.
  pinned<H> pin() {
    H *h = h_;
    h->pins.fetch_add(1, std::memory_order_relaxed);
    h_ = nullptr;
    readers::leave(closing_word_);
    return pinned<H>(h);
  }

 private:
  H *h_;
  uint64_t closing_word_;
};

// Closes a handle of type H: PIPC_OK for NULL, PIPC_EBADHANDLE if it is not open.
template <class H>
int close_handle(H *h, const char *function) {
  if (h == nullptr) return PIPC_OK;
  const uint64_t closing_word = readers::enter();
  uint32_t expected = H::family_tag;
  const bool ours = h->tag.compare_exchange_strong(expected, 0, std::memory_order_acq_rel);
  readers::leave(closing_word);
  if (!ours) return bad_handle(function);
  readers::synchronize();
  unpin(h);
  return PIPC_OK;
}

}  // namespace pipc::core
