// pipc(1): send and receive — messages through a POSIX or System V queue, binary-safe.
#include "args.hpp"
#include "cli.hpp"
#include "io.hpp"

#include <pipc/errors.h>
#include <pipc/mq.h>
#include <pipc/sysv.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <vector>

namespace cli {

namespace {

// The System V queue of TARGET (by key or id), opened for MODE (0200 send, 0400 receive).
int open_sysv_mq(pipc_sysv_mq **out, const Target &t, uint32_t mode) {
  if (t.by_id) return pipc_sysv_mq_open_id(out, t.id);
  pipc_sysv_mq_options o = PIPC_SYSV_MQ_OPTIONS_INIT;
  o.mode = mode;
  return pipc_sysv_mq_open(out, t.key, &o);
}

} // namespace

int verb_send(int argc, char **argv) {
  Parsed p = parse_args(argc, argv, {{"key", true, 0}, {"id", true, 0}, {"priority", true, 'p'},
                                     {"type", true, 't'}, {"timeout", true, 'T'}});
  Target t = take_target(p);
  if (p.operands.size() != 1) throw UsageError{"give one DATA operand (\"-\" reads standard input)"};
  bool sysv = t.by_key || t.by_id;
  if (sysv && p.has("priority")) throw UsageError{"--priority is for POSIX queues (System V: --type)"};
  if (!sysv && p.has("type")) throw UsageError{"--type is for System V queues (POSIX: --priority)"};
  int64_t timeout = p.has("timeout") ? parse_duration(p.get("timeout"), "--timeout") : PIPC_FOREVER;
  std::string data = p.operands[0];
  if (data == "-") {
    data.clear();
    if (!read_stdin(data)) {
      complain("send", std::string("reading standard input: ") + strerror(errno));
      return kExitError;
    }
  }
  int rc;
  if (sysv) {
    int64_t type = p.has("type") ? parse_int(p.get("type"), "--type") : 1;
    if (type < 1) throw UsageError{"--type: must be 1 or more"};
    pipc_sysv_mq *q = nullptr;
    rc = open_sysv_mq(&q, t, 0200);
    if (rc == PIPC_OK) rc = pipc_sysv_mq_send(q, data.data(), data.size(), type, timeout);
    pipc_sysv_mq_close(q);
  } else {
    uint64_t priority = p.has("priority") ? parse_unsigned(p.get("priority"), "--priority") : 0;
    if (priority > UINT32_MAX) throw UsageError{"--priority: out of range"};
    pipc_mq_options o = PIPC_MQ_OPTIONS_INIT;
    o.access = PIPC_WRITE;
    pipc_mq *q = nullptr;
    rc = pipc_mq_open(&q, t.name.c_str(), &o);
    if (rc == PIPC_OK) rc = pipc_mq_send(q, data.data(), data.size(), (unsigned)priority, timeout);
    pipc_mq_close(q);
  }
  return rc == PIPC_OK ? kExitOk : fail("send", rc);
}

int verb_receive(int argc, char **argv) {
  Parsed p = parse_args(argc, argv, {{"key", true, 0}, {"id", true, 0}, {"type", true, 't'},
                                     {"timeout", true, 'T'}, {"verbose", false, 'v'}});
  Target t = take_target(p);
  if (!p.operands.empty()) throw UsageError{"unexpected operand '" + p.operands[0] + "'"};
  bool sysv = t.by_key || t.by_id;
  if (!sysv && p.has("type")) throw UsageError{"--type is for System V queues"};
  int64_t timeout = p.has("timeout") ? parse_duration(p.get("timeout"), "--timeout") : PIPC_FOREVER;
  std::vector<char> buf;
  size_t len = 0;
  int rc;
  char tag[64] = "";
  if (sysv) {
    int64_t type = p.has("type") ? parse_int(p.get("type"), "--type") : 0;
    pipc_sysv_mq *q = nullptr;
    rc = open_sysv_mq(&q, t, 0400);
    if (rc == PIPC_OK) {
      int64_t max = pipc_sysv_mq_message_size_max();
      buf.resize(max > 0 ? (size_t)max : 65536);
      int64_t got_type = 0;
      rc = pipc_sysv_mq_receive(&len, &got_type, q, buf.data(), buf.size(), type, 0, timeout);
      snprintf(tag, sizeof tag, "type %" PRId64, got_type);
    }
    pipc_sysv_mq_close(q);
  } else {
    pipc_mq_options o = PIPC_MQ_OPTIONS_INIT;
    o.access = PIPC_READ;
    pipc_mq *q = nullptr;
    rc = pipc_mq_open(&q, t.name.c_str(), &o);
    int64_t size = 0;
    if (rc == PIPC_OK) rc = pipc_mq_max_message_size(&size, q);
    if (rc == PIPC_OK) {
      buf.resize(size > 0 ? (size_t)size : 1);
      unsigned priority = 0;
      rc = pipc_mq_receive(&len, &priority, q, buf.data(), buf.size(), timeout);
      snprintf(tag, sizeof tag, "priority %u", priority);
    }
    pipc_mq_close(q);
  }
  if (rc != PIPC_OK) return fail("receive", rc);
  if (p.has("verbose")) fprintf(stderr, "%s, %zu bytes\n", tag, len);
  if (!write_stdout(buf.data(), len)) {
    complain("receive", std::string("writing standard output: ") + strerror(errno));
    return kExitError;
  }
  return kExitOk;
}

} // namespace cli
