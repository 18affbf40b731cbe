// Boost.Interprocess message_queue as a benchmark transport (built when meson finds
// Boost's headers: Debian's libboost-dev). The queue lives in POSIX shared memory
// (/dev/shm/NAME) behind a process-shared mutex and two condition variables; its
// capacity is the run's slot count and its message size the run's.
#include <boost/interprocess/exceptions.hpp>
#include <boost/interprocess/ipc/message_queue.hpp>
#include <cstdio>

#include "channel_harness.hpp"

namespace chbench {
namespace {

namespace bi = boost::interprocess;

struct BoostShared {
  char names[2][64];  // without the leading slash, as Boost takes them
  int count;
};

void *boost_create(const Spec &spec) {
  auto *s = new BoostShared{};
  adopt(s);
  s->count = spec.duplex ? 2 : 1;
  for (int dir = 0; dir < s->count; ++dir) {
    std::snprintf(s->names[dir], sizeof s->names[dir], "%s", random_name().c_str() + 1);
    try {
      bi::message_queue queue(bi::create_only, s->names[dir], spec.slots, spec.message_size);
    } catch (const bi::interprocess_exception &e) {
      s->names[dir][0] = '\0';  // create_only: what exists by that name is not ours
      failf("boost message_queue (create): %s", e.what());
    }
  }
  return s;
}

void *boost_open(void *shared, int, const Spec &) {
  auto *s = static_cast<BoostShared *>(shared);
  auto *queues = new bi::message_queue *[2]();
  for (int dir = 0; dir < s->count; ++dir) {
    try {
      queues[dir] = new bi::message_queue(bi::open_only, s->names[dir]);
    } catch (const bi::interprocess_exception &e) {
      failf("boost message_queue (open): %s", e.what());
    }
  }
  return queues;
}

void boost_send(void *end, int dir, const void *data, size_t len) {
  try {
    static_cast<bi::message_queue **>(end)[dir]->send(data, len, 0);
  } catch (const bi::interprocess_exception &e) {
    failf("boost message_queue send: %s", e.what());
  }
}

size_t boost_receive(void *end, int dir, void *buf, size_t cap) {
  bi::message_queue::size_type len = 0;
  unsigned int priority = 0;
  try {
    static_cast<bi::message_queue **>(end)[dir]->receive(buf, cap, len, priority);
  } catch (const bi::interprocess_exception &e) {
    failf("boost message_queue receive: %s", e.what());
  }
  return len;
}

void boost_close(void *end) {
  auto *queues = static_cast<bi::message_queue **>(end);
  delete queues[0];
  delete queues[1];
  delete[] queues;
}

void boost_unlink(void *shared) {
  auto *s = static_cast<BoostShared *>(shared);
  for (auto &name : s->names) {
    if (name[0] != '\0') bi::message_queue::remove(name);
    name[0] = '\0';
  }
}

void boost_destroy(void *shared) {
  boost_unlink(shared);
  delete static_cast<BoostShared *>(shared);
}

}  // namespace

const Transport boost_transport = {"Boost message_queue", true, boost_create, boost_open,
                                   boost_send, boost_receive, boost_close, boost_unlink,
                                   boost_destroy};

}  // namespace chbench
