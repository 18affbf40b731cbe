// Fuzz target: message payloads, through pipc_mq_send / pipc_mq_receive and
// pipc_sysv_mq_send / pipc_sysv_mq_receive on queues made once per process, with
// fuzzed lengths, priorities, types, flags, timeouts and buffer capacities, set
// against the declared limits (a POSIX queue of 4 messages of at most 100 bytes,
// the System V queue's max_bytes, which the input may change, and msgmax).
//
// A model of each queue says what every call must give: a refusal for bad
// arguments, would-block (PIPC_EAGAIN, or PIPC_ETIMEDOUT for a bounded wait), or
// the exact message (bytes, length, priority or type) the queue's order selects.
// Lengths and capacities never exceed the buffers the target owns. A timeout
// that waits without limit is used only where the model says nothing blocks (else
// 0), and a bounded one is of 1 ns (timeouts.hpp). After each input both queues
// are drained through the same checks and reset.
//
// Input: operations, each an opcode byte (% 6, see `run_op`) and its fields. Only
// the first 16 count: longer sequences reach nothing that more inputs cannot, and
// cost time.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "check.hpp"
#include "input.hpp"
#include "isolation.hpp"
#include "pipc.h"
#include "timeouts.hpp"

namespace {

// More than msgmax (8192), so System V sends past it are tried too.
constexpr size_t buffer_size = 12288;
constexpr int64_t mq_max_messages = 4;
constexpr int64_t mq_message_size = 100;
constexpr int max_operations = 16;

struct message {
  uint64_t seq;  // the bytes are payload(seq)
  size_t len;
  int64_t order;  // POSIX priority or System V type
};

// The bytes of message SEQ: a window into a fixed table, at an offset that differs
// from one message to the next.
const uint8_t *payload(uint64_t seq) {
  static const struct table {
    table() {
      for (size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<uint8_t>(i * 7 + i / 251);
    }
    uint8_t bytes[buffer_size + 256];
  } t;
  return t.bytes + seq % 256;
}

enum which_handle { read_write, read_only, write_only };

struct state {
  pipc_mq *mq[3] = {};
  bool blocking[3] = {true, true, true};
  std::vector<message> mq_messages;

  pipc_sysv_mq *sysv = nullptr;
  uint64_t max_bytes = 0;
  uint64_t default_max_bytes = 0;
  uint64_t msgmax = 0;
  std::vector<message> sysv_messages;

  uint64_t seq = 0;
  uint8_t in[buffer_size];
};

// A handle makes an eventfd at its first wait, kept while it lives (libpipc's
// core/waits.cpp): one bounded wait on each handle now, on the empty queues and on
// the POSIX queue filled, so that those count as the target's long-lived descriptors.
void make_wait_descriptors(state &s) {
  char buf[buffer_size];
  size_t len;
  pipc_mq_receive(&len, nullptr, s.mq[read_write], buf, sizeof buf, 1);
  pipc_mq_receive(&len, nullptr, s.mq[read_only], buf, sizeof buf, 1);
  for (int64_t i = 0; i < mq_max_messages; ++i) pipc_mq_send(s.mq[read_write], "", 0, 0, 0);
  pipc_mq_send(s.mq[write_only], "", 0, 0, 1);
  while (pipc_mq_receive(&len, nullptr, s.mq[read_write], buf, sizeof buf, 0) == PIPC_OK) {
  }
  pipc_sysv_mq_receive(&len, nullptr, s.sysv, buf, sizeof buf, 0, 0, 1);
}

state &make_state() {
  fuzz::isolated();  // checks the namespace before anything exists in it
  fuzz::short_timer_slack();
  static state s;
  pipc_mq_options o = PIPC_MQ_OPTIONS_INIT;
  o.max_messages = mq_max_messages;
  o.max_message_size = mq_message_size;
  fuzz::expect(pipc_mq_open(&s.mq[read_write], nullptr, &o), {PIPC_OK}, "pipc_mq_open");
  const char *name = pipc_mq_name(s.mq[read_write]);
  o.access = PIPC_READ;
  fuzz::expect(pipc_mq_open(&s.mq[read_only], name, &o), {PIPC_OK}, "pipc_mq_open(PIPC_READ)");
  o.access = PIPC_WRITE;
  fuzz::expect(pipc_mq_open(&s.mq[write_only], name, &o), {PIPC_OK}, "pipc_mq_open(PIPC_WRITE)");
  // Unlinked at once: the handles keep the queue, and nothing outlives the process.
  fuzz::expect(pipc_mq_unlink(s.mq[read_write]), {PIPC_OK}, "pipc_mq_unlink");

  fuzz::expect(pipc_sysv_mq_open(&s.sysv, PIPC_IPC_PRIVATE, nullptr), {PIPC_OK},
               "pipc_sysv_mq_open");
  fuzz::expect(pipc_sysv_mq_max_bytes(&s.max_bytes, s.sysv), {PIPC_OK}, "pipc_sysv_mq_max_bytes");
  s.default_max_bytes = s.max_bytes;
  s.msgmax = static_cast<uint64_t>(pipc_sysv_mq_message_size_max());
  std::atexit([] { pipc_sysv_mq_remove(s.sysv); });
  make_wait_descriptors(s);
  return s;
}

state &the_state() {
  static state &s = make_state();
  return s;
}

void expect_message(const state &s, const message &m, size_t len, const char *call) {
  if (len != 0 && std::memcmp(s.in, payload(m.seq), len) != 0) {
    fuzz::violation("%s: the %zu bytes received differ from those sent", call, len);
  }
}

// ---- POSIX --------------------------------------------------------------------------

void mq_send(state &s, fuzz::input &in) {
  const uint8_t flags = in.u8();
  const auto h = static_cast<which_handle>(flags % 3);
  const bool null_data = flags & 0x80;
  const size_t len = in.u16() % (buffer_size + 1);
  const uint32_t priority = in.u32();
  const int64_t raw_timeout = in.i64();

  std::vector<int> refusals;
  if (null_data && len != 0) refusals.push_back(PIPC_EINVAL);
  if (raw_timeout < PIPC_FOREVER_RESTARTABLE || priority > pipc_mq_priority_max()) {
    refusals.push_back(PIPC_ERANGE);
  }
  if (len > static_cast<size_t>(mq_message_size)) refusals.push_back(PIPC_EMSGSIZE);
  if (h == read_only) refusals.push_back(PIPC_EACCES);
  const bool full = s.mq_messages.size() >= static_cast<size_t>(mq_max_messages);
  const int64_t t = fuzz::timeout_for(raw_timeout, !refusals.empty() || (full && s.blocking[h]));

  const int rc = pipc_mq_send(s.mq[h], null_data ? nullptr : payload(s.seq), len, priority, t);
  if (!refusals.empty()) {
    fuzz::expect(rc, refusals, "pipc_mq_send(bad arguments)");
  } else if (full) {
    fuzz::expect(rc, fuzz::would_block(s.blocking[h] ? t : 0), "pipc_mq_send(full)");
  } else {
    fuzz::expect(rc, {PIPC_OK}, "pipc_mq_send");
    s.mq_messages.push_back({s.seq++, len, priority});
  }
}

// The oldest message of the highest priority.
std::vector<message>::iterator mq_next(std::vector<message> &q) {
  return std::max_element(q.begin(), q.end(),
                          [](const message &a, const message &b) { return a.order < b.order; });
}

void mq_receive(state &s, fuzz::input &in) {
  const uint8_t flags = in.u8();
  const auto h = static_cast<which_handle>(flags % 3);
  const bool null_len = flags & 0x10, null_priority = flags & 0x20, null_buf = flags & 0x40;
  const size_t cap = in.u16() % (buffer_size + 1);
  const int64_t raw_timeout = in.i64();

  std::vector<int> refusals;
  if (null_len || null_buf) refusals.push_back(PIPC_EINVAL);
  if (raw_timeout < PIPC_FOREVER_RESTARTABLE) refusals.push_back(PIPC_ERANGE);
  if (cap < static_cast<size_t>(mq_message_size)) refusals.push_back(PIPC_EMSGSIZE);
  if (h == write_only) refusals.push_back(PIPC_EACCES);
  const bool empty = s.mq_messages.empty();
  const int64_t t = fuzz::timeout_for(raw_timeout, !refusals.empty() || (empty && s.blocking[h]));

  size_t len = SIZE_MAX;
  unsigned priority = UINT32_MAX;
  const int rc = pipc_mq_receive(null_len ? nullptr : &len, null_priority ? nullptr : &priority,
                                 s.mq[h], null_buf ? nullptr : s.in, cap, t);
  if (!refusals.empty()) {
    fuzz::expect(rc, refusals, "pipc_mq_receive(bad arguments)");
  } else if (empty) {
    fuzz::expect(rc, fuzz::would_block(s.blocking[h] ? t : 0), "pipc_mq_receive(empty)");
  } else {
    fuzz::expect(rc, {PIPC_OK}, "pipc_mq_receive");
    const auto next = mq_next(s.mq_messages);
    if (len != next->len) fuzz::violation("pipc_mq_receive: length %zu, sent %zu", len, next->len);
    if (!null_priority && priority != next->order) {
      fuzz::violation("pipc_mq_receive: priority %u, sent %lld", priority,
                      static_cast<long long>(next->order));
    }
    expect_message(s, *next, len, "pipc_mq_receive");
    s.mq_messages.erase(next);
  }
}

void mq_set_blocking(state &s, fuzz::input &in) {
  const auto h = static_cast<which_handle>(in.u8() % 3);
  const int blocking = static_cast<int>(in.u32());
  fuzz::expect(pipc_mq_set_blocking(s.mq[h], blocking), {PIPC_OK}, "pipc_mq_set_blocking");
  s.blocking[h] = blocking != 0;
  int got = -1;
  fuzz::expect(pipc_mq_blocking(&got, s.mq[h]), {PIPC_OK}, "pipc_mq_blocking");
  if (got != (s.blocking[h] ? 1 : 0)) {
    fuzz::violation("pipc_mq_blocking is %d after setting %d", got, blocking);
  }
}

// ---- System V -----------------------------------------------------------------------

void sysv_send(state &s, fuzz::input &in) {
  const bool null_data = in.u8() & 1;
  const size_t len = in.u16() % (buffer_size + 1);
  const int64_t type = in.i64();
  const int64_t raw_timeout = in.i64();

  std::vector<int> refusals;
  if (null_data && len != 0) refusals.push_back(PIPC_EINVAL);
  if (type < 1 || raw_timeout < PIPC_FOREVER_RESTARTABLE) refusals.push_back(PIPC_ERANGE);
  if (len > s.msgmax) {
    refusals.push_back(PIPC_EMSGSIZE);
  }
  // The kernel's test: the bytes fit, and the messages too (at most max_bytes of them).
  size_t bytes = 0;
  for (const message &m : s.sysv_messages) bytes += m.len;
  const bool fits = bytes + len <= s.max_bytes && s.sysv_messages.size() + 1 <= s.max_bytes;
  const bool never_fits = len > s.max_bytes;  // PIPC_EMSGSIZE, except with timeout 0
  const int64_t t = fuzz::timeout_for(raw_timeout, !refusals.empty() || (!fits && !never_fits));

  const int rc = pipc_sysv_mq_send(s.sysv, null_data ? nullptr : payload(s.seq), len, type, t);
  if (!refusals.empty()) {
    fuzz::expect(rc, refusals, "pipc_sysv_mq_send(bad arguments)");
  } else if (!fits) {
    fuzz::expect(rc, t != 0 && never_fits ? std::vector<int>{PIPC_EMSGSIZE} : fuzz::would_block(t),
                 "pipc_sysv_mq_send(full)");
  } else {
    fuzz::expect(rc, {PIPC_OK}, "pipc_sysv_mq_send");
    s.sysv_messages.push_back({s.seq++, len, type});
  }
}

// The message msgrcv selects with TYPE (not INT64_MIN): 0 the first, > 0 the first
// of that type, < 0 the first of the lowest type <= |TYPE|.
std::vector<message>::iterator sysv_next(std::vector<message> &q, int64_t type) {
  if (type == 0) return q.begin();
  if (type > 0) {
    return std::find_if(q.begin(), q.end(), [type](const message &m) { return m.order == type; });
  }
  auto best = q.end();
  for (auto m = q.begin(); m != q.end(); ++m) {
    if (m->order <= -type && (best == q.end() || m->order < best->order)) best = m;
  }
  return best;
}

void sysv_receive(state &s, fuzz::input &in) {
  const uint8_t choice = in.u8();
  const bool null_len = choice & 1, null_type = choice & 2, null_buf = choice & 4;
  const uint32_t flags = choice & 0x10 ? in.u32() : choice & 8 ? PIPC_SYSV_MSG_TRUNCATE : 0;
  const size_t cap = in.u16() % (buffer_size + 1);
  const int64_t type = in.i64();
  const int64_t raw_timeout = in.i64();

  std::vector<int> refusals;
  if (null_len || (null_buf && cap != 0) || (flags & ~PIPC_SYSV_MSG_TRUNCATE)) {
    refusals.push_back(PIPC_EINVAL);
  }
  if (type == INT64_MIN || raw_timeout < PIPC_FOREVER_RESTARTABLE) refusals.push_back(PIPC_ERANGE);
  const auto next = refusals.empty() ? sysv_next(s.sysv_messages, type) : s.sysv_messages.end();
  const bool none = next == s.sysv_messages.end();
  const int64_t t = fuzz::timeout_for(raw_timeout, none);

  size_t len = SIZE_MAX;
  int64_t got_type = 0;
  const int rc = pipc_sysv_mq_receive(null_len ? nullptr : &len, null_type ? nullptr : &got_type,
                                      s.sysv, null_buf ? nullptr : s.in, cap, type, flags, t);
  if (!refusals.empty()) {
    fuzz::expect(rc, refusals, "pipc_sysv_mq_receive(bad arguments)");
  } else if (none) {
    fuzz::expect(rc, fuzz::would_block(t), "pipc_sysv_mq_receive(no such message)");
  } else if (next->len > cap && !(flags & PIPC_SYSV_MSG_TRUNCATE)) {
    fuzz::expect(rc, {PIPC_EMSGSIZE}, "pipc_sysv_mq_receive(message longer than cap)");
  } else {
    fuzz::expect(rc, {PIPC_OK}, "pipc_sysv_mq_receive");
    const size_t want = std::min(next->len, cap);
    if (len != want) fuzz::violation("pipc_sysv_mq_receive: length %zu, expected %zu", len, want);
    if (!null_type && got_type != next->order) {
      fuzz::violation("pipc_sysv_mq_receive: type %lld, sent %lld",
                      static_cast<long long>(got_type), static_cast<long long>(next->order));
    }
    expect_message(s, *next, len, "pipc_sysv_mq_receive");
    s.sysv_messages.erase(next);
  }
}

void sysv_set_max_bytes(state &s, fuzz::input &in) {
  const uint64_t max_bytes = in.u64();
  const int rc = pipc_sysv_mq_set_max_bytes(s.sysv, max_bytes);
  if (max_bytes == 0 || max_bytes > INT32_MAX) {
    fuzz::expect(rc, {PIPC_ERANGE}, "pipc_sysv_mq_set_max_bytes(out of range)");
    return;
  }
  // Above msgmnb only with CAP_SYS_RESOURCE, which a user namespace lacks.
  if (max_bytes > s.default_max_bytes) {
    fuzz::expect(rc, {PIPC_OK, PIPC_EACCES}, "pipc_sysv_mq_set_max_bytes");
  } else {
    fuzz::expect(rc, {PIPC_OK}, "pipc_sysv_mq_set_max_bytes");
  }
  if (rc == PIPC_OK) s.max_bytes = max_bytes;
}

void run_op(state &s, fuzz::input &in) {
  switch (in.u8() % 6) {
    case 0: return mq_send(s, in);
    case 1: return mq_receive(s, in);
    case 2: return mq_set_blocking(s, in);
    case 3: return sysv_send(s, in);
    case 4: return sysv_receive(s, in);
    default: return sysv_set_max_bytes(s, in);
  }
}

// Checks the queues' counts, then empties them through the model and restores the
// settings: the next input starts from the same state.
void reset(state &s) {
  int64_t mq_count = -1;
  uint64_t sysv_count = UINT64_MAX;
  fuzz::expect(pipc_mq_current_messages(&mq_count, s.mq[read_write]), {PIPC_OK},
               "pipc_mq_current_messages");
  fuzz::expect(pipc_sysv_mq_current_messages(&sysv_count, s.sysv), {PIPC_OK},
               "pipc_sysv_mq_current_messages");
  if (mq_count != static_cast<int64_t>(s.mq_messages.size()) ||
      sysv_count != s.sysv_messages.size()) {
    fuzz::violation("the queues hold %lld and %llu messages, the model %zu and %zu",
                    static_cast<long long>(mq_count), static_cast<unsigned long long>(sysv_count),
                    s.mq_messages.size(), s.sysv_messages.size());
  }
  for (int h = 0; h < 3; ++h) {
    if (!s.blocking[h]) {
      fuzz::expect(pipc_mq_set_blocking(s.mq[h], 1), {PIPC_OK}, "pipc_mq_set_blocking");
      s.blocking[h] = true;
    }
  }
  // Receive operations in the input's format: on the read-write handle, and of
  // System V type 0, with a cap of buffer_size (0x3000), timeout 0.
  static_assert(buffer_size == 0x3000, "the caps below");
  static const uint8_t mq_drain[] = {read_write, 0x00, 0x30};
  static const uint8_t sysv_drain[] = {0, 0x00, 0x30};
  while (!s.mq_messages.empty()) {
    fuzz::input op(mq_drain, sizeof mq_drain);
    mq_receive(s, op);
  }
  while (!s.sysv_messages.empty()) {
    fuzz::input op(sysv_drain, sizeof sysv_drain);
    sysv_receive(s, op);
  }
  if (s.max_bytes != s.default_max_bytes) {
    fuzz::expect(pipc_sysv_mq_set_max_bytes(s.sysv, s.default_max_bytes), {PIPC_OK},
                 "pipc_sysv_mq_set_max_bytes");
    s.max_bytes = s.default_max_bytes;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  state &s = the_state();
  const fuzz::leak_check leaks;
  fuzz::input in(data, size);
  for (int n = 0; n < max_operations && !in.empty(); ++n) run_op(s, in);
  reset(s);
  return 0;
}
