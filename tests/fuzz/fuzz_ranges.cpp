// Fuzz target: offsets, lengths, sizes and counter values against objects of the
// target's own, made once per process: pipc_shm_resize(_flags) / pipc_shm_map /
// pipc_shm_size on a POSIX segment (through a read-write and a read-only handle),
// pipc_sysv_shm_read / _write on a 10000-byte System V segment (through an
// attached, an unattached and a read-only attached handle), and the System V and
// POSIX semaphores' acquire / release / set_value / wait_zero with fuzzed deltas,
// values and timeouts.
//
// A model says what every call must give. A POSIX mapping must lie within the
// size the handle last set or read (re-read from the OS when the range exceeds
// it, as shm.h says); a successful one is read (and written, if writable) at both
// ends, within the segment, so a mapping the library should have refused faults.
// System V reads and writes must lie within the segment and see what the model
// wrote. Lengths never exceed the target's buffers; sizes may be huge (a POSIX
// segment is sparse). After each input the objects are reset.
//
// Input: operations, each an opcode byte (% 7, see `run_op`) and its fields; only
// the first 16 count.
#include <unistd.h>

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

constexpr int max_operations = 16;
constexpr uint64_t segment_size = 10000;  // System V, not a page multiple
constexpr size_t buffer_size = 16384;     // more than the segment
constexpr int sysv_value_max = 32767;

enum posix_handle { read_write, read_only };
enum sysv_handle { attached, unattached, attached_read_only };

struct state {
  uint64_t page = 0;
  pipc_shm *shm[2] = {};
  uint64_t size = 0;           // the POSIX segment's size
  uint64_t known[2] = {0, 0};  // the size each handle last set or read

  pipc_sysv_shm *sysv_shm[3] = {};
  uint8_t shadow[segment_size] = {};  // what the System V segment holds
  uint8_t buffer[buffer_size] = {};

  pipc_sysv_sem *sysv_sem = nullptr;
  int64_t sysv_value = 0;
  bool sysv_blocking = true;

  pipc_sem *sem = nullptr;
  int64_t value = 0;
};

state &make_state() {
  fuzz::isolated();  // checks the namespace before anything exists in it
  fuzz::short_timer_slack();
  static state s;
  s.page = static_cast<uint64_t>(pipc_page_size());
  fuzz::expect(pipc_shm_open(&s.shm[read_write], nullptr, nullptr), {PIPC_OK}, "pipc_shm_open");
  pipc_shm_options ro = PIPC_SHM_OPTIONS_INIT;
  ro.access = PIPC_READ;
  fuzz::expect(pipc_shm_open(&s.shm[read_only], pipc_shm_name(s.shm[read_write]), &ro), {PIPC_OK},
               "pipc_shm_open(PIPC_READ)");
  fuzz::expect(pipc_shm_unlink(s.shm[read_write]), {PIPC_OK}, "pipc_shm_unlink");

  pipc_sysv_shm_options so = PIPC_SYSV_SHM_OPTIONS_INIT;
  so.size = segment_size;
  fuzz::expect(pipc_sysv_shm_open(&s.sysv_shm[attached], PIPC_IPC_PRIVATE, &so), {PIPC_OK},
               "pipc_sysv_shm_open");
  const int id = fuzz::checked_value(pipc_sysv_shm_id(s.sysv_shm[attached]), "pipc_sysv_shm_id");
  for (int h : {unattached, attached_read_only}) {
    fuzz::expect(pipc_sysv_shm_open_id(&s.sysv_shm[h], id), {PIPC_OK}, "pipc_sysv_shm_open_id");
  }
  fuzz::expect(pipc_sysv_shm_attach(s.sysv_shm[attached], nullptr, 0), {PIPC_OK},
               "pipc_sysv_shm_attach");
  fuzz::expect(
      pipc_sysv_shm_attach(s.sysv_shm[attached_read_only], nullptr, PIPC_SHM_ATTACH_READ_ONLY),
      {PIPC_OK}, "pipc_sysv_shm_attach(read-only)");
  // Removed at once: the attachments keep the segment until the process ends.
  fuzz::expect(pipc_sysv_shm_remove(s.sysv_shm[attached]), {PIPC_OK}, "pipc_sysv_shm_remove");

  fuzz::expect(pipc_sysv_sem_open(&s.sysv_sem, PIPC_IPC_PRIVATE, nullptr), {PIPC_OK},
               "pipc_sysv_sem_open");
  std::atexit([] { pipc_sysv_sem_remove(s.sysv_sem); });
  // A handle makes an eventfd at its first wait, kept while it lives (libpipc's
  // core/waits.cpp): a bounded wait now, on the value 0, so that it counts as one of
  // the target's long-lived descriptors.
  pipc_sysv_sem_acquire(s.sysv_sem, 1, 1);
  fuzz::expect(pipc_sem_open(&s.sem, nullptr, nullptr), {PIPC_OK}, "pipc_sem_open");
  fuzz::expect(pipc_sem_unlink(s.sem), {PIPC_OK}, "pipc_sem_unlink");
  return s;
}

state &the_state() {
  static state &s = make_state();
  return s;
}

// ---- POSIX shared memory ------------------------------------------------------------

// pipc_shm_resize, or (the selector's bit 1) pipc_shm_resize_flags with fuzzed
// flags: PIPC_SHM_RESERVE allocates the pages, which the namespace's /dev/shm may
// not have room for (PIPC_ELIMIT, the size left as it was).
void shm_resize(state &s, fuzz::input &in) {
  const uint8_t selector = in.u8();
  const auto h = static_cast<posix_handle>(selector & 1);
  const bool with_flags = selector & 2;
  const uint32_t flags = with_flags ? in.u32() : 0;
  const uint64_t size = in.u64();
  std::vector<int> refusals;
  if (flags & ~PIPC_SHM_RESERVE) refusals.push_back(PIPC_EINVAL);
  if (h == read_only) refusals.push_back(PIPC_EACCES);
  if (size > INT64_MAX) refusals.push_back(PIPC_ERANGE);
  const int rc = with_flags ? pipc_shm_resize_flags(s.shm[h], size, flags)
                            : pipc_shm_resize(s.shm[h], size);
  if (!refusals.empty()) {
    fuzz::expect(rc, refusals, "pipc_shm_resize(refused)");
    return;
  }
  if (flags & PIPC_SHM_RESERVE) {
    if (fuzz::expect(rc, {PIPC_OK, PIPC_ELIMIT}, "pipc_shm_resize_flags") != PIPC_OK) return;
  } else {
    fuzz::expect(rc, {PIPC_OK}, "pipc_shm_resize");
  }
  s.size = s.known[h] = size;
}

void shm_size(state &s, fuzz::input &in) {
  const auto h = static_cast<posix_handle>(in.u8() & 1);
  uint64_t size = 0;
  fuzz::expect(pipc_shm_size(&size, s.shm[h]), {PIPC_OK}, "pipc_shm_size");
  if (size != s.size) {
    fuzz::violation("pipc_shm_size: %llu, set %llu", static_cast<unsigned long long>(size),
                    static_cast<unsigned long long>(s.size));
  }
  s.known[h] = size;
}

// Reads (and writes, if WRITABLE) the first and last byte of the mapping at ADDR
// of LENGTH bytes from OFFSET that lie within the segment.
void touch(const state &s, void *addr, uint64_t offset, uint64_t length, bool writable) {
  if (offset >= s.size) return;
  volatile uint8_t *bytes = static_cast<volatile uint8_t *>(addr);
  const uint64_t within = std::min(length, s.size - offset);
  for (const uint64_t at : {uint64_t{0}, within - 1}) {
    const uint8_t old = bytes[at];
    if (writable) {
      bytes[at] = static_cast<uint8_t>(old + 1);
      if (bytes[at] != static_cast<uint8_t>(old + 1)) {
        fuzz::violation("a mapped byte did not keep a write");
      }
      bytes[at] = old;
    }
  }
}

void shm_map(state &s, fuzz::input &in) {
  const uint8_t choice = in.u8();
  const auto h = static_cast<posix_handle>(choice & 1);
  const uint32_t flags = choice >> 1;
  const uint64_t offset = in.u64();
  const uint64_t length = in.u64();

  std::vector<int> refusals;
  if ((flags & ~PIPC_MAP_READ_ONLY) || offset % s.page != 0) refusals.push_back(PIPC_EINVAL);
  if (refusals.empty()) {
    // The handle reads the size again when the range exceeds what it knows.
    uint64_t &known = s.known[h];
    if (length == 0 || offset >= known || length > known - offset) known = s.size;
    if (offset >= known || (length != 0 && length > known - offset)) {
      refusals.push_back(PIPC_ERANGE);
    }
  }
  void *addr = fuzz::sentinel();
  const int rc = pipc_shm_map(&addr, s.shm[h], offset, length, flags);
  if (!refusals.empty()) {
    fuzz::expect(rc, refusals, "pipc_shm_map(refused)");
    return;
  }
  // A range valid for the segment may still not fit in the address space.
  if (fuzz::expect(rc, {PIPC_OK, PIPC_ENOMEM}, "pipc_shm_map") != PIPC_OK) return;
  const uint64_t mapped = length != 0 ? length : s.known[h] - offset;
  touch(s, addr, offset, mapped, h == read_write && !(flags & PIPC_MAP_READ_ONLY));
  fuzz::expect(pipc_shm_unmap(s.shm[h], addr), {PIPC_OK}, "pipc_shm_unmap");
  fuzz::expect(pipc_shm_unmap(s.shm[h], addr), {PIPC_EINVAL}, "pipc_shm_unmap(unmapped)");
}

// ---- System V shared memory ---------------------------------------------------------

// What a write at OFFSET copies in: a window into a fixed table (buffer_size bytes
// from it are always there), at an offset that varies with OFFSET.
const uint8_t *written_bytes(uint64_t offset) {
  static const struct table {
    table() {
      for (size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<uint8_t>(i * 3 + i / 251);
    }
    uint8_t bytes[buffer_size + 256];
  } t;
  return t.bytes + offset % 256;
}

void sysv_access(state &s, fuzz::input &in, bool write) {
  const uint8_t choice = in.u8();
  const auto h = static_cast<sysv_handle>(choice % 3);
  const bool null_buf = choice & 0x80;
  const uint64_t offset = in.u64();
  const size_t len = in.u16() % (buffer_size + 1);

  std::vector<int> refusals;
  if (len > segment_size || offset > segment_size - len) refusals.push_back(PIPC_ERANGE);
  if (null_buf && len != 0) refusals.push_back(PIPC_EINVAL);
  if (h == unattached) refusals.push_back(PIPC_ENOTATTACHED);
  if (write && h == attached_read_only) refusals.push_back(PIPC_EACCES);
  // NULL with nothing to copy is allowed, though a refusal may name it.
  if (null_buf && !refusals.empty()) refusals.push_back(PIPC_EINVAL);

  const uint8_t *data = null_buf ? nullptr : written_bytes(offset);
  uint8_t *buf = null_buf ? nullptr : s.buffer;
  const int rc = write ? pipc_sysv_shm_write(s.sysv_shm[h], offset, data, len)
                       : pipc_sysv_shm_read(s.sysv_shm[h], offset, buf, len);
  const char *call = write ? "pipc_sysv_shm_write" : "pipc_sysv_shm_read";
  if (!refusals.empty()) {
    fuzz::expect(rc, refusals, call);
    return;
  }
  fuzz::expect(rc, {PIPC_OK}, call);
  if (len == 0) return;
  if (write) {
    std::memcpy(s.shadow + offset, data, len);
  } else if (std::memcmp(buf, s.shadow + offset, len) != 0) {
    fuzz::violation("pipc_sysv_shm_read: the %zu bytes at %llu differ from those written", len,
                    static_cast<unsigned long long>(offset));
  }
}

// ---- Semaphores ---------------------------------------------------------------------

void expect_sysv_value(const state &s) {
  int value = -1;
  fuzz::expect(pipc_sysv_sem_value(&value, s.sysv_sem), {PIPC_OK}, "pipc_sysv_sem_value");
  if (value != s.sysv_value) {
    fuzz::violation("System V semaphore value %d, model %lld", value,
                    static_cast<long long>(s.sysv_value));
  }
}

void sysv_sem(state &s, fuzz::input &in) {
  const uint8_t which = in.u8() % 5;
  const int64_t number = in.i64();
  const int64_t raw_timeout = in.i64();
  const auto delta = static_cast<uint32_t>(number);
  const bool bad_delta = delta == 0 || delta > sysv_value_max;
  const bool bad_timeout = raw_timeout < PIPC_FOREVER_RESTARTABLE;
  switch (which) {
    case 0: {  // acquire
      const bool refused = bad_delta || bad_timeout;
      const bool waits = refused || s.sysv_value < delta;
      const int64_t t = fuzz::timeout_for(raw_timeout, waits);
      const int rc = pipc_sysv_sem_acquire(s.sysv_sem, delta, t);
      if (refused) {
        fuzz::expect(rc, {PIPC_ERANGE}, "pipc_sysv_sem_acquire(out of range)");
      } else if (waits) {
        fuzz::expect(rc, fuzz::would_block(s.sysv_blocking ? t : 0),
                     "pipc_sysv_sem_acquire(would block)");
      } else {
        fuzz::expect(rc, {PIPC_OK}, "pipc_sysv_sem_acquire");
        s.sysv_value -= delta;
      }
      break;
    }
    case 1: {  // release
      const int rc = pipc_sysv_sem_release(s.sysv_sem, delta);
      if (bad_delta || s.sysv_value + delta > sysv_value_max) {
        fuzz::expect(rc, {PIPC_ERANGE}, "pipc_sysv_sem_release(out of range)");
      } else {
        fuzz::expect(rc, {PIPC_OK}, "pipc_sysv_sem_release");
        s.sysv_value += delta;
      }
      break;
    }
    case 2: {  // set_value
      const int rc = pipc_sysv_sem_set_value(s.sysv_sem, number);
      if (number < 0 || number > sysv_value_max) {
        fuzz::expect(rc, {PIPC_ERANGE}, "pipc_sysv_sem_set_value(out of range)");
      } else {
        fuzz::expect(rc, {PIPC_OK}, "pipc_sysv_sem_set_value");
        s.sysv_value = number;
      }
      break;
    }
    case 3: {  // wait_zero
      const bool waits = bad_timeout || s.sysv_value != 0;
      const int64_t t = fuzz::timeout_for(raw_timeout, waits);
      const int rc = pipc_sysv_sem_wait_zero(s.sysv_sem, t);
      if (bad_timeout) {
        fuzz::expect(rc, {PIPC_ERANGE}, "pipc_sysv_sem_wait_zero(bad timeout)");
      } else if (waits) {
        fuzz::expect(rc, fuzz::would_block(s.sysv_blocking ? t : 0),
                     "pipc_sysv_sem_wait_zero(would block)");
      } else {
        fuzz::expect(rc, {PIPC_OK}, "pipc_sysv_sem_wait_zero");
      }
      break;
    }
    default:  // set_blocking
      fuzz::expect(pipc_sysv_sem_set_blocking(s.sysv_sem, static_cast<int>(number)), {PIPC_OK},
                   "pipc_sysv_sem_set_blocking");
      s.sysv_blocking = static_cast<int>(number) != 0;
      break;
  }
  expect_sysv_value(s);
}

void posix_sem(state &s, fuzz::input &in) {
  const bool acquire = in.u8() & 1;
  const int64_t raw_timeout = in.i64();
  if (acquire) {
    const bool refused = raw_timeout < PIPC_FOREVER_RESTARTABLE;
    const bool waits = refused || s.value == 0;
    const int64_t t = fuzz::timeout_for(raw_timeout, waits);
    const int rc = pipc_sem_acquire(s.sem, t);
    if (refused) {
      fuzz::expect(rc, {PIPC_ERANGE}, "pipc_sem_acquire(bad timeout)");
    } else if (waits) {
      fuzz::expect(rc, fuzz::would_block(t), "pipc_sem_acquire(would block)");
    } else {
      fuzz::expect(rc, {PIPC_OK}, "pipc_sem_acquire");
      --s.value;
    }
  } else {
    fuzz::expect(pipc_sem_release(s.sem), {PIPC_OK}, "pipc_sem_release");
    ++s.value;
  }
  int value = -1;
  fuzz::expect(pipc_sem_value(&value, s.sem), {PIPC_OK}, "pipc_sem_value");
  if (value != s.value) {
    fuzz::violation("semaphore value %d, model %lld", value, static_cast<long long>(s.value));
  }
}

void run_op(state &s, fuzz::input &in) {
  switch (in.u8() % 7) {
    case 0: return shm_resize(s, in);
    case 1: return shm_map(s, in);
    case 2: return shm_size(s, in);
    case 3: return sysv_access(s, in, false);
    case 4: return sysv_access(s, in, true);
    case 5: return sysv_sem(s, in);
    default: return posix_sem(s, in);
  }
}

// Brings every object back to its first state, so that each input starts from it.
void reset(state &s) {
  if (s.size != 0) {
    fuzz::expect(pipc_shm_resize(s.shm[read_write], 0), {PIPC_OK}, "pipc_shm_resize(0)");
    s.size = 0;
  }
  s.known[read_write] = s.known[read_only] = 0;
  uint64_t size = 1;
  fuzz::expect(pipc_shm_size(&size, s.shm[read_only]), {PIPC_OK}, "pipc_shm_size");  // known: 0
  std::memset(s.shadow, 0, segment_size);
  fuzz::expect(pipc_sysv_shm_write(s.sysv_shm[attached], 0, s.shadow, segment_size), {PIPC_OK},
               "pipc_sysv_shm_write");
  if (s.sysv_value != 0 || !s.sysv_blocking) {
    fuzz::expect(pipc_sysv_sem_set_value(s.sysv_sem, 0), {PIPC_OK}, "pipc_sysv_sem_set_value");
    fuzz::expect(pipc_sysv_sem_set_blocking(s.sysv_sem, 1), {PIPC_OK},
                 "pipc_sysv_sem_set_blocking");
    s.sysv_value = 0;
    s.sysv_blocking = true;
  }
  for (; s.value > 0; --s.value) {
    fuzz::expect(pipc_sem_acquire(s.sem, 0), {PIPC_OK}, "pipc_sem_acquire");
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
