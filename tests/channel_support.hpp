// Helpers for the channel suites.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "pipc.h"
#include "support.hpp"

namespace pipc_test {

// A channel under a fresh name, unlinked and closed when the test ends.
struct owned_channel {
  std::string name = unique_name();
  pipc_channel *channel = nullptr;

  explicit owned_channel(uint32_t slots = 64, uint32_t max_message_size = 1024) {
    pipc_channel_options opts = PIPC_CHANNEL_OPTIONS_INIT;
    opts.flags = PIPC_CREX;
    opts.slots = slots;
    opts.max_message_size = max_message_size;
    if (pipc_channel_open(&channel, name.c_str(), &opts) != PIPC_OK) channel = nullptr;
  }
  ~owned_channel() {
    pipc_channel_unlink_name(name.c_str());
    pipc_channel_close(channel);
  }
  owned_channel(const owned_channel &) = delete;
  owned_channel &operator=(const owned_channel &) = delete;
};

inline pipc_channel *open_existing_channel(const std::string &name) {
  pipc_channel *c = nullptr;
  return pipc_channel_open(&c, name.c_str(), nullptr) == PIPC_OK ? c : nullptr;
}

// A checkable message: the sender and its sequence number, a body that depends on
// both, and a checksum, so that a torn or misdelivered message is told from a whole one.
struct stamped {
  uint32_t sender;
  uint32_t sequence;
  uint64_t checksum;
};

inline uint64_t body_byte(uint32_t sender, uint32_t sequence, size_t i) {
  return (sender * 131u + sequence * 7u + i * 13u) & 0xff;
}

// Fills BUF (LEN >= sizeof(stamped)) with message (SENDER, SEQUENCE).
inline void stamp(unsigned char *buf, size_t len, uint32_t sender, uint32_t sequence) {
  uint64_t sum = 0;
  for (size_t i = sizeof(stamped); i < len; ++i) {
    buf[i] = static_cast<unsigned char>(body_byte(sender, sequence, i));
    sum = sum * 31 + buf[i];
  }
  const stamped head{sender, sequence, sum ^ (uint64_t{sender} << 32 | sequence)};
  std::memcpy(buf, &head, sizeof head);
}

// Whether BUF holds a whole message; its stamp in *OUT.
inline bool whole(const unsigned char *buf, size_t len, stamped *out) {
  if (len < sizeof(stamped)) return false;
  std::memcpy(out, buf, sizeof *out);
  uint64_t sum = 0;
  for (size_t i = sizeof(stamped); i < len; ++i) {
    if (buf[i] != body_byte(out->sender, out->sequence, i)) return false;
    sum = sum * 31 + buf[i];
  }
  return out->checksum == (sum ^ (uint64_t{out->sender} << 32 | out->sequence));
}

}  // namespace pipc_test
