// pipc(1): read and write — bytes of POSIX or System V shared memory, binary-safe.
#include "args.hpp"
#include "cli.hpp"
#include "io.hpp"

#include <pipc/errors.h>
#include <pipc/shm.h>
#include <pipc/sysv.h>

#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <string>

namespace cli {

namespace {

// A segment of either family, mapped or attached whole.
struct Segment {
  pipc_shm *posix = nullptr;
  pipc_sysv_shm *sysv = nullptr;
  void *addr = nullptr;
  uint64_t size = 0;
  ~Segment() {
    pipc_shm_close(posix); // unmaps
    pipc_sysv_shm_close(sysv); // detaches
  }
  int open(const Target &t, bool writing) {
    int rc;
    if (t.by_key || t.by_id) {
      if (t.by_id) {
        rc = pipc_sysv_shm_open_id(&sysv, t.id);
      } else {
        pipc_sysv_shm_options o = PIPC_SYSV_SHM_OPTIONS_INIT;
        o.mode = writing ? 0600 : 0400;
        rc = pipc_sysv_shm_open(&sysv, t.key, &o);
      }
      if (rc == PIPC_OK) rc = pipc_sysv_shm_size(&size, sysv);
      if (rc == PIPC_OK) rc = pipc_sysv_shm_attach(sysv, nullptr, writing ? 0 : PIPC_SHM_ATTACH_READ_ONLY);
      if (rc == PIPC_OK) rc = pipc_sysv_shm_address(&addr, sysv);
      return rc;
    }
    pipc_shm_options o = PIPC_SHM_OPTIONS_INIT;
    o.access = writing ? PIPC_READ_WRITE : PIPC_READ;
    rc = pipc_shm_open(&posix, t.name.c_str(), &o);
    if (rc == PIPC_OK) rc = pipc_shm_size(&size, posix);
    if (rc == PIPC_OK && size > 0)
      rc = pipc_shm_map(&addr, posix, 0, 0, writing ? 0 : PIPC_MAP_READ_ONLY);
    return rc;
  }
};

std::string range_text(uint64_t offset, uint64_t length, uint64_t size) {
  char buf[160];
  snprintf(buf, sizeof buf, "%" PRIu64 " bytes at offset %" PRIu64 " do not fit the segment's %" PRIu64 " bytes",
           length, offset, size);
  return buf;
}

} // namespace

int verb_read(int argc, char **argv) {
  Parsed p = parse_args(argc, argv, {{"key", true, 0}, {"id", true, 0}, {"offset", true, 'o'},
                                     {"length", true, 'l'}});
  Target t = take_target(p);
  if (!p.operands.empty()) throw UsageError{"unexpected operand '" + p.operands[0] + "'"};
  uint64_t offset = p.has("offset") ? parse_unsigned(p.get("offset"), "--offset") : 0;
  Segment seg;
  int rc = seg.open(t, false);
  if (rc != PIPC_OK) return fail("read", rc);
  uint64_t length = p.has("length") ? parse_unsigned(p.get("length"), "--length")
                                    : (offset <= seg.size ? seg.size - offset : 0);
  if (offset > seg.size || length > seg.size - offset) {
    complain("read", std::string(pipc_strerror(PIPC_ERANGE)) + ": " + range_text(offset, length, seg.size));
    return kExitError;
  }
  if (length && !write_stdout(static_cast<char *>(seg.addr) + offset, (size_t)length)) {
    complain("read", std::string("writing standard output: ") + strerror(errno));
    return kExitError;
  }
  return kExitOk;
}

int verb_write(int argc, char **argv) {
  Parsed p = parse_args(argc, argv, {{"key", true, 0}, {"id", true, 0}, {"offset", true, 'o'}});
  Target t = take_target(p);
  if (!p.operands.empty()) throw UsageError{"unexpected operand '" + p.operands[0] + "' (data comes from standard input)"};
  uint64_t offset = p.has("offset") ? parse_unsigned(p.get("offset"), "--offset") : 0;
  std::string data;
  if (!read_stdin(data)) {
    complain("write", std::string("reading standard input: ") + strerror(errno));
    return kExitError;
  }
  Segment seg;
  int rc = seg.open(t, true);
  if (rc != PIPC_OK) return fail("write", rc);
  if (offset > seg.size || data.size() > seg.size - offset) {
    complain("write", std::string(pipc_strerror(PIPC_ERANGE)) + ": " + range_text(offset, data.size(), seg.size));
    return kExitError;
  }
  if (!data.empty()) memcpy(static_cast<char *>(seg.addr) + offset, data.data(), data.size());
  return kExitOk;
}

} // namespace cli
