// The inventory's look into POSIX shared memory: which of libpipc's own objects (mutex,
// condition variable, channel) a segment holds, and a channel's messages and limits. Read
// with pread from the header (shared_segment.hpp) and a channel's control block
// (channel.hpp): never mapped, never written, never waited for.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "core/channel.hpp"
#include "core/inventory.hpp"
#include "core/shared_segment.hpp"

namespace pipc::core {
namespace {

uint32_t libpipc_type_of(segment_kind kind) {
  switch (kind) {
    case segment_kind::mutex: return PIPC_LIBPIPC_MUTEX;
    case segment_kind::cond: return PIPC_LIBPIPC_COND;
    case segment_kind::channel: return PIPC_LIBPIPC_CHANNEL;
  }
  return 0;
}

// The channel's counts, from one read of its control block; left unknown when the
// block is not whole or not sound. tail and head are read once each, not at one instant:
// what they say is clamped to what a channel can hold.
void read_channel_counts(int fd, uint64_t segment_size, pipc_object &o) {
  channel_control c;
  if (pread(fd, &c, sizeof c, sizeof(segment_header)) != static_cast<ssize_t>(sizeof c) ||
      check_channel(&c, segment_size - sizeof(segment_header)) != nullptr) {
    return;
  }
  const uint64_t tail = c.tail.load(std::memory_order_relaxed);
  const uint64_t head = c.head.load(std::memory_order_relaxed);
  o.messages = tail > head ? std::min<uint64_t>(tail - head, c.slots) : 0;
  o.max_messages = c.slots;
  o.max_message_size = c.max_message_size;
  o.known |= PIPC_KNOWN_MESSAGES | PIPC_KNOWN_QUEUE_LIMITS;
}

}  // namespace

void read_libpipc_object(int dir, const char *file, pipc_object &o) {
  const int fd = openat(dir, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return;
  segment_identity id{};
  if (identify_segment(fd, id) && id.ready) {
    o.libpipc_type = libpipc_type_of(id.kind);
    o.known |= PIPC_KNOWN_LIBPIPC;
    if (id.kind == segment_kind::channel) read_channel_counts(fd, id.size, o);
  }
  close(fd);
}

}  // namespace pipc::core
