// libpipc's channel as a benchmark transport: pipc_channel_send / pipc_channel_receive
// (copying in and out, like every other transport here), waits without limit, and
// the handle's spin set to the run's spin_ns (0: sleep at once).
#include <cstdio>
#include <cstring>

#include "channel_harness.hpp"
#include "pipc.h"
#include "pipc/channel.h"

namespace chbench {
namespace {

struct ChannelShared {
  pipc_channel *created[2];  // the parent's handles, kept open until the end
  char names[2][128];
  int count;
};

[[noreturn]] void pipc_fail(const char *what, int rc) {
  failf("%s: %s (%s)", what, pipc_strerror(rc), pipc_last_message());
}

void *channel_create(const Spec &spec) {
  auto *s = new ChannelShared{};
  adopt(s);
  s->count = spec.duplex ? 2 : 1;
  for (int dir = 0; dir < s->count; ++dir) {
    pipc_channel_options opts;
    pipc_channel_options_init(&opts);
    opts.flags = PIPC_CREAT | PIPC_EXCL;
    opts.mode = 0600;
    opts.slots = spec.slots;
    opts.max_message_size = static_cast<uint32_t>(spec.message_size);
    // A random name of our own, kept before the open, so that a failure can still
    // unlink whatever exists by that name.
    std::snprintf(s->names[dir], sizeof s->names[dir], "%s", random_name().c_str());
    const int rc = pipc_channel_open(&s->created[dir], s->names[dir], &opts);
    if (rc != PIPC_OK) pipc_fail("pipc_channel_open (create)", rc);
  }
  return s;
}

void *channel_open(void *shared, int, const Spec &spec) {
  auto *s = static_cast<ChannelShared *>(shared);
  auto *handles = new pipc_channel *[2]();
  for (int dir = 0; dir < s->count; ++dir) {
    int rc = pipc_channel_open(&handles[dir], s->names[dir], nullptr);
    if (rc != PIPC_OK) pipc_fail("pipc_channel_open", rc);
    rc = pipc_channel_set_spin(handles[dir], spec.spin_ns);
    if (rc != PIPC_OK) pipc_fail("pipc_channel_set_spin", rc);
  }
  return handles;
}

void channel_send(void *end, int dir, const void *data, size_t len) {
  pipc_channel *h = static_cast<pipc_channel **>(end)[dir];
  int rc;
  while ((rc = pipc_channel_send(h, data, len, PIPC_FOREVER)) == PIPC_EINTR) {
  }
  if (rc != PIPC_OK) pipc_fail("pipc_channel_send", rc);
}

size_t channel_receive(void *end, int dir, void *buf, size_t cap) {
  pipc_channel *h = static_cast<pipc_channel **>(end)[dir];
  size_t len = 0;
  int rc;
  while ((rc = pipc_channel_receive(&len, h, buf, cap, PIPC_FOREVER)) == PIPC_EINTR) {
  }
  if (rc != PIPC_OK) pipc_fail("pipc_channel_receive", rc);
  return len;
}

void channel_close(void *end) {
  auto *handles = static_cast<pipc_channel **>(end);
  pipc_channel_close(handles[0]);
  pipc_channel_close(handles[1]);
  delete[] handles;
}

void channel_unlink(void *shared) {
  auto *s = static_cast<ChannelShared *>(shared);
  for (auto &name : s->names) {
    if (name[0] != '\0') pipc_channel_unlink_name(name);
    name[0] = '\0';
  }
}

void channel_destroy(void *shared) {
  auto *s = static_cast<ChannelShared *>(shared);
  channel_unlink(s);
  for (pipc_channel *h : s->created) pipc_channel_close(h);
  delete s;
}

}  // namespace

const Transport channel_transport = {"libpipc channel", true, channel_create, channel_open,
                                     channel_send, channel_receive, channel_close,
                                     channel_unlink, channel_destroy};

}  // namespace chbench
