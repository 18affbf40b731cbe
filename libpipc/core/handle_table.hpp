// The process's table of open handles.
//
// A handle as callers see it (pipc_sem *, pipc_mq *, ...) is not an address but a
// number: a slot of this table, the handle's family and the slot's generation.
// A slot holds the number of the handle open in it, so a call finds its object by
// one indexed load and one comparison, and anything else — NULL, a closed handle,
// a handle of another family, a stray pointer — fails the comparison and is
// refused without being dereferenced. Close empties the slot; the slot is reused
// with the next generation, so no later open makes an old handle valid again (a
// slot whose generations run out is never reused).
//
// The first slots live in static storage, so the hot paths compute a slot's
// address without loading a table pointer; the rest come in chunks allocated on
// demand and never freed, so a slot's memory stays valid for any reader.
#pragma once

#include <atomic>
#include <cstdint>

namespace pipc::core {

struct handle;

namespace table {

static_assert(sizeof(void *) == 8, "libpipc's handles need 64-bit pointers");

// Layout of a handle number: the slot index in the low 24 bits, the family in
// the next 4 (never 0), the generation in the top 36 (from 1).
constexpr unsigned index_bits = 24;
constexpr unsigned family_shift = index_bits;
constexpr uint64_t index_mask = (uint64_t{1} << index_bits) - 1;
constexpr uint64_t family_mask = uint64_t{0xf} << family_shift;
constexpr unsigned generation_shift = index_bits + 4;
constexpr uint64_t last_generation = (uint64_t{1} << (64 - generation_shift)) - 1;

// Family numbers, one per kind of handle.
enum family_id : uint64_t {
  posix_sem_family = 1,
  posix_shm_family = 2,
  posix_mq_family = 3,
  sysv_sem_family = 4,
  sysv_shm_family = 5,
  sysv_mq_family = 6,
  objects_family = 7,  // inventory walks (pipc_objects)
  mutex_family = 8,
  cond_family = 9,
  channel_family = 10,
};

struct alignas(32) slot {
  std::atomic<uint64_t> number{0};        // the handle open in this slot; 0 when none
  std::atomic<handle *> object{nullptr};  // its object, written before number
  std::atomic<void *> fast{nullptr};      // what its family's hot paths use directly
  uint64_t generation = 0;                // of the last handle opened here (under the lock)
};

constexpr uint64_t static_slots = uint64_t{1} << 16;  // 2 MiB
constexpr unsigned chunk_bits = 16;
constexpr uint64_t chunk_count = uint64_t{1} << (index_bits - chunk_bits);

// Hidden, so that the hot paths address them directly rather than through the GOT.
extern slot first_slots[static_slots] __attribute__((visibility("hidden")));
extern std::atomic<slot *> chunks[chunk_count] __attribute__((visibility("hidden")));

slot *find_in_chunk(uint64_t index) noexcept __attribute__((cold));

// The slot that handle NUMBER (not 0) names, or nullptr when no such slot exists.
inline slot *find(uint64_t number) noexcept {
  const uint64_t index = number & index_mask;
  if (__builtin_expect(index < static_slots, 1)) return &first_slots[index];
  return find_in_chunk(index);
}

// The slot of handle NUMBER if that is a static slot holding NUMBER, else nullptr:
// one load and one comparison, since a handle of a chunk's slot differs in its
// index from every number a static slot holds.
inline slot *find_open_static(uint64_t number) noexcept {
  slot *s = &first_slots[number & (static_slots - 1)];
  return s->number.load(std::memory_order_acquire) == number ? s : nullptr;
}

inline bool is_family(uint64_t number, family_id family) {
  return (number & family_mask) == (uint64_t{family} << family_shift);
}

// Puts OBJECT (with FAST, see slot) in a free slot and returns the new handle's
// number, or 0 when every slot is in use.
uint64_t add(family_id family, handle *object, void *fast) noexcept;

// Makes the slot of NUMBER, emptied by a close, free for reuse. Called once no
// reader can still be using the slot with NUMBER (after readers::synchronize).
void recycle(uint64_t number) noexcept;

// Calls FN(handle &) for the object of every open handle. For a forked child
// (where only the forking thread runs), from its atfork handler.
void for_each_open(void (*fn)(handle &)) noexcept;

// How many handles the table can hold.
constexpr uint64_t capacity = uint64_t{1} << index_bits;

}  // namespace table
}  // namespace pipc::core
