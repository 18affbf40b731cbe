// Channels: a bounded multi-producer multi-consumer ring of fixed-size slots in a
// shared memory segment (shared_segment.hpp), after D. Vyukov's bounded MPMC queue.
//
// Each slot has a 64-bit sequence: 2P when the slot is free for the message of
// position P, 2P + 1 once that message is in it. Senders take positions from
// `tail`, receivers from `head`. A process can be killed at any
// instruction, so a slot is claimed before anything in it changes: its `owner` word
// is a robust futex (the kernel's protocol, robust_list.hpp) that holds the claiming
// thread's id while it works on the slot, and the slot is the thread's pending robust
// list operation meanwhile (or on its robust list, for the zero-copy calls, which
// return to the caller holding it). If the thread dies, the kernel marks the word
// FUTEX_OWNER_DIED, and the next thread that needs the slot takes it over. A claimer
// gives its slot its new state before it moves the index on, so:
//  - a sender that died before it published left its position at `tail`: the next
//    sender fills the slot anew (the dead one's message was never whole, and no
//    receiver saw it);
//  - a receiver that died before it freed the slot left its position at `head`: the
//    next receiver delivers the message (the dead one never returned it);
//  - a claimer that died after that only left an index behind, which whoever finds
//    it lagging moves on.
// A claimer never waits for another thread while it holds a slot, so a slot whose
// owner is alive is always on its way to being released.
//
// Waiting: a receiver that finds nothing to take (also while a sender fills the slot),
// or a sender that finds no free slot, yields the processor once and looks again;
// then it marks the channel's `messages_event` or `space_event` word as slept on,
// looks again, and sleeps on the word (waits.hpp, so that a close and a signal end
// it). Whoever publishes a message or frees a slot advances the event and wakes the
// sleepers only if the mark is there, clearing it: one wake-up per sleep. A thread
// that finds the slot it could take held by a live claimer (a rival for the same
// position, or a zero-copy hold) waits for it on the slot's owner word, as for a
// robust mutex (FUTEX_WAITERS).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/handle.hpp"
#include "core/robust_list.hpp"
#include "core/shared_segment.hpp"
#include "core/waits.hpp"
#include "pipc/channel.h"

namespace pipc::core {

constexpr size_t cache_line = 64;
constexpr uint32_t channel_max_slots = 65536;
constexpr uint32_t channel_max_message_size = 16u << 20;
constexpr uint64_t channel_max_bytes = uint64_t{1} << 30;

// A slot's header, then its max_message_size bytes; slot_stride apart. The owner
// word lies 32 bytes before `next`, where glibc's robust list heads (futex_offset)
// expect a lock word before its list entry, as in a pthread_mutex_t.
struct channel_slot {
  std::atomic<uint32_t> owner;     // 0, a claimer's thread id, FUTEX_OWNER_DIED, FUTEX_WAITERS
  uint32_t length;                 // of the message in it
  std::atomic<uint64_t> sequence;  // see above
  uint64_t reserved;
  void *prev;                      // robust list links, while on a thread's list
  void *next;
  unsigned char pad[cache_line - 40];

  unsigned char *data() { return reinterpret_cast<unsigned char *>(this + 1); }
};
static_assert(sizeof(channel_slot) == cache_line, "a slot's data starts a cache line");
static_assert(offsetof(channel_slot, next) - offsetof(channel_slot, owner) ==
                  offsetof(pthread_mutex_t, __data.__list.__next) -
                      offsetof(pthread_mutex_t, __data.__lock),
              "the owner word lies where robust list heads look for it");

// Stable within a layout version: docs/man/pipc_channel.3 documents it.
struct channel_control {
  // Fixed at creation.
  uint32_t slots;
  uint32_t max_message_size;
  uint32_t slot_stride;
  uint32_t reserved[13];
  alignas(cache_line) std::atomic<uint64_t> tail;  // the next position to send
  alignas(cache_line) std::atomic<uint64_t> head;  // the next position to receive
  // Advanced when a message is published / a slot freed while marked slept on.
  alignas(cache_line) std::atomic<uint32_t> messages_event;
  alignas(cache_line) std::atomic<uint32_t> space_event;

  channel_slot *slot(uint64_t position) {
    auto *first = reinterpret_cast<unsigned char *>(this) + sizeof(channel_control);
    return reinterpret_cast<channel_slot *>(first + (position & (slots - 1)) * slot_stride);
  }
};
static_assert(sizeof(channel_control) == 5 * cache_line, "the slots start after 5 lines");

// A slot a thread has claimed, at its position.
struct held_slot {
  channel_slot *slot = nullptr;
  uint64_t position = 0;
  int tid = 0;
};

// The slot a handle's zero-copy call holds between its two halves. Other threads may
// look (to be refused), so it is atomic; `slot` is taken (from nullptr to `taking`)
// before the claim, so that two calls cannot both hold through one handle.
struct zero_copy_hold {
  static inline channel_slot *const taking = reinterpret_cast<channel_slot *>(alignof(channel_slot));
  std::atomic<channel_slot *> slot{nullptr};
  std::atomic<uint64_t> position{0};
  std::atomic<int> tid{0};
};

struct channel_handle final : handle {
  channel_handle(std::shared_ptr<segment_mapping> m, std::string n, bool c)
      : mapping(std::move(m)), name(std::move(n)), created(c) {}

  void wake_waiters() noexcept override { closer.raise(); }

  channel_control *control() const { return static_cast<channel_control *>(mapping->object()); }

  const std::shared_ptr<segment_mapping> mapping;
  const std::string name;
  const bool created;
  close_signal closer;
  std::atomic<int64_t> spin_ns{0};
  zero_copy_hold reserved;  // pipc_channel_reserve .. commit / cancel
  zero_copy_hold peeked;    // pipc_channel_peek .. release
};

template <>
struct family_traits<pipc_channel> {
  using object = channel_handle;
  static constexpr table::family_id id = table::channel_family;
};

// What is wrong with the channel_control at OBJECT of a segment whose object part (all
// after the header) has SIZE bytes: its slot count, message size, stride or size; nullptr
// when it is sound.
const char *check_channel(const void *object, size_t size);

int channel_open(pipc_channel **out, const char *name, const pipc_channel_options &opts);
int channel_dup(pipc_channel **out, const channel_handle &c);

int channel_send(pipc_channel *c, const void *data, size_t len, int64_t timeout_ns) noexcept;
int channel_receive(size_t *len_out, pipc_channel *c, void *buf, size_t cap,
                    int64_t timeout_ns) noexcept;
int channel_reserve(void **slot_out, pipc_channel *c, int64_t timeout_ns) noexcept;
int channel_commit(pipc_channel *c, size_t len, bool send) noexcept;
// What close does first on the calling thread: gives back the handle's zero-copy holds
// that are this thread's, unused.
void channel_drop_holds(channel_handle &c) noexcept;
int channel_peek(const void **data_out, size_t *len_out, pipc_channel *c,
                 int64_t timeout_ns) noexcept;
int channel_release(pipc_channel *c) noexcept;

}  // namespace pipc::core
