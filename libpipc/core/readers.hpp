// Reader sections: how a pipc call keeps a handle alive without an atomic
// read-modify-write on the hot path.
//
// Every call on a handle runs inside a reader section: it bumps a word in
// thread-local storage with plain stores. Closing a handle first marks it closed,
// then calls synchronize(), which returns once every section that might not have
// seen the mark has ended; only then is the handle released. The cost is moved
// to close: an asymmetric barrier (membarrier(2)) makes the plain stores of the
// readers visible to the closer. Where membarrier is unavailable, readers fall
// back to a full fence. Under ThreadSanitizer, which sees neither, they take the
// slow path too, and pair with the closer through atomic read-modify-writes of
// their word (readers.cpp): the fast path below is the same in every other build.
//
// A call that may block must not hold a section while it sleeps (close would
// wait for it): it pins the handle with an atomic reference and leaves the
// section first (see handle.hpp).
#pragma once

#include <atomic>
#include <cstdint>

#include "core/tls.hpp"

namespace pipc::core::readers {

// Layout of a thread's word: bit 63 says the thread is registered, bit 62 that
// its sections take the slow path (no membarrier, or ThreadSanitizer), bits
// 16..61 count the outermost sections it has ended, bits 0..15 are its nesting
// depth (a signal handler may call pipc inside a call).
constexpr uint64_t registered_bit = uint64_t{1} << 63;
constexpr uint64_t fence_bit = uint64_t{1} << 62;
constexpr uint64_t depth_mask = 0xffff;
constexpr uint64_t generation_mask = ~(registered_bit | fence_bit | depth_mask);
constexpr uint64_t one_generation = uint64_t{1} << 16;

// __thread rather than thread_local: no C++ TLS wrapper call on the hot path.
extern __thread uint64_t thread_word PIPC_TLS_HOT;

// enter() for a thread not registered yet, without membarrier, or nested in a
// signal handler that interrupted a call.
uint64_t enter_slow() __attribute__((cold, noinline));

// Opens a section where that takes no call: returns the word that leave() stores
// to close it, or 0 (and no section is open) when enter() would take enter_slow.
// An outermost section on the fast path closes by bumping the generation, so
// leave() is a single store with no read of the word.
inline uint64_t try_enter() {
  const uint64_t word = __atomic_load_n(&thread_word, __ATOMIC_RELAXED);
  if (__builtin_expect((word & (registered_bit | fence_bit | depth_mask)) != registered_bit, 0)) {
    return 0;
  }
  __atomic_store_n(&thread_word, word + 1, __ATOMIC_RELAXED);
  std::atomic_signal_fence(std::memory_order_seq_cst);  // membarrier does the rest
  return word + one_generation;  // not 0: registered_bit is set
}

// Opens a section; returns the word that leave() stores to close it.
inline uint64_t enter() {
  const uint64_t word = try_enter();
  return __builtin_expect(word != 0, 1) ? word : enter_slow();
}

inline void leave(uint64_t closing_word) {
  __atomic_store_n(&thread_word, closing_word, __ATOMIC_RELEASE);
}

// Waits until every reader section that was open when it was called has ended.
// Not async-signal-safe.
void synchronize();

}  // namespace pipc::core::readers
