#include "core/handle_table.hpp"

#include <pthread.h>

#include <mutex>
#include <new>
#include <vector>

namespace pipc::core::table {

slot first_slots[static_slots];
std::atomic<slot *> chunks[chunk_count];

namespace {

// What add and recycle share, behind one lock; never destroyed, so that calls made
// while the process exits still find it.
struct bookkeeping {
  std::mutex lock;  // also guards the slots' generations and chunk creation
  std::vector<uint32_t> free;   // emptied slots, reused last-in first-out
};

// Slots below this index have been used (written under the lock).
std::atomic<uint64_t> slots_used{0};

bookkeeping &books() {
  static bookkeeping *const b = [] {
    // A fork in another thread's add or recycle would leave the lock held in the child.
    pthread_atfork([] { books().lock.lock(); }, [] { books().lock.unlock(); },
                   [] { books().lock.unlock(); });
    return new bookkeeping();
  }();
  return *b;
}

slot *slot_at(uint64_t index) {
  if (index < static_slots) return &first_slots[index];
  std::atomic<slot *> &chunk = chunks[index >> chunk_bits];
  if (chunk.load(std::memory_order_relaxed) == nullptr) {
    slot *fresh = new (std::nothrow) slot[uint64_t{1} << chunk_bits];
    if (fresh == nullptr) return nullptr;
    chunk.store(fresh, std::memory_order_release);
  }
  return &chunk.load(std::memory_order_relaxed)[index & ((uint64_t{1} << chunk_bits) - 1)];
}

}  // namespace

slot *find_in_chunk(uint64_t index) noexcept {
  slot *chunk = chunks[index >> chunk_bits].load(std::memory_order_acquire);
  return chunk != nullptr ? &chunk[index & ((uint64_t{1} << chunk_bits) - 1)] : nullptr;
}

uint64_t add(family_id family, handle *object, void *fast) noexcept {
  bookkeeping &b = books();
  std::lock_guard<std::mutex> guard(b.lock);
  uint64_t index;
  slot *s;
  if (!b.free.empty()) {
    index = b.free.back();
    s = slot_at(index);
    b.free.pop_back();
  } else {
    index = slots_used.load(std::memory_order_relaxed);
    if (index == capacity) return 0;
    s = slot_at(index);
    if (s == nullptr) return 0;
    slots_used.store(index + 1, std::memory_order_release);
  }
  const uint64_t number = ++s->generation << generation_shift |
                          uint64_t{family} << family_shift | index;
  s->object.store(object, std::memory_order_relaxed);
  s->fast.store(fast, std::memory_order_relaxed);
  s->number.store(number, std::memory_order_release);
  return number;
}

void recycle(uint64_t number) noexcept {
  const uint64_t index = number & index_mask;
  bookkeeping &b = books();
  std::lock_guard<std::mutex> guard(b.lock);
  slot *s = slot_at(index);
  s->object.store(nullptr, std::memory_order_relaxed);
  s->fast.store(nullptr, std::memory_order_relaxed);
  // A slot whose generations are spent is retired: reusing it would let an old
  // handle match again. If the free list cannot grow, the slot is lost, not reused.
  if (s->generation == last_generation) return;
  try {
    b.free.push_back(static_cast<uint32_t>(index));
  } catch (const std::bad_alloc &) {
  }
}

void for_each_open(void (*fn)(handle &)) noexcept {
  const uint64_t used = slots_used.load(std::memory_order_acquire);
  for (uint64_t index = 0; index < used; ++index) {
    slot *s = find(index);
    if (s == nullptr || s->number.load(std::memory_order_acquire) == 0) continue;
    fn(*s->object.load(std::memory_order_relaxed));
  }
}

}  // namespace pipc::core::table
