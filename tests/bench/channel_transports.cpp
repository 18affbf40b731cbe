// The transports the channel is measured against: POSIX and System V message queues,
// a pipe, a Unix socket, a POSIX semaphore pair, and a bare busy-polling ring in
// shared memory (the practical limit: no system call, no blocking, one producer and
// one consumer).
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

#include "channel_harness.hpp"

namespace chbench {
namespace {

long read_proc_long(const char *path, long fallback) {
  FILE *f = std::fopen(path, "r");
  if (f == nullptr) return fallback;
  long value = fallback;
  if (std::fscanf(f, "%ld", &value) != 1) value = fallback;
  std::fclose(f);
  return value;
}

// Writes or reads exactly LEN bytes of a descriptor (a pipe hands out a byte stream).
void write_full(int fd, const void *data, size_t len) {
  const char *p = static_cast<const char *>(data);
  while (len > 0) {
    const ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
}

void read_full(int fd, void *buf, size_t len) {
  char *p = static_cast<char *>(buf);
  while (len > 0) {
    const ssize_t n = read(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read");
    }
    if (n == 0) failf("read: end of file");
    p += n;
    len -= static_cast<size_t>(n);
  }
}

// ---------------------------------------------------------------------------------
// POSIX message queue: mq_send / mq_receive, at most msg_max slots.

struct PosixMq {
  char names[2][64];
  int count;
};

void *posix_mq_create(const Spec &spec) {
  auto *s = new PosixMq{};
  adopt(s);
  s->count = spec.duplex ? 2 : 1;
  for (int dir = 0; dir < s->count; ++dir) {
    std::snprintf(s->names[dir], sizeof s->names[dir], "%s", random_name().c_str());
    mq_attr attr{};
    attr.mq_maxmsg = posix_mq_msg_max();
    if (spec.slots < static_cast<uint32_t>(attr.mq_maxmsg)) attr.mq_maxmsg = spec.slots;
    attr.mq_msgsize = static_cast<long>(spec.message_size);
    const mqd_t q = mq_open(s->names[dir], O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
    if (q == static_cast<mqd_t>(-1)) {
      s->names[dir][0] = '\0';
      fail("mq_open (create)");
    }
    mq_close(q);
  }
  return s;
}

void *posix_mq_open(void *shared, int, const Spec &) {
  auto *s = static_cast<PosixMq *>(shared);
  auto *q = new mqd_t[2];
  for (int dir = 0; dir < s->count; ++dir) {
    q[dir] = mq_open(s->names[dir], O_RDWR);
    if (q[dir] == static_cast<mqd_t>(-1)) fail("mq_open");
  }
  return q;
}

void posix_mq_send(void *end, int dir, const void *data, size_t len) {
  const mqd_t q = static_cast<mqd_t *>(end)[dir];
  while (mq_send(q, static_cast<const char *>(data), len, 0) != 0) {
    if (errno != EINTR) fail("mq_send");
  }
}

size_t posix_mq_receive(void *end, int dir, void *buf, size_t cap) {
  const mqd_t q = static_cast<mqd_t *>(end)[dir];
  for (;;) {
    const ssize_t n = mq_receive(q, static_cast<char *>(buf), cap, nullptr);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) fail("mq_receive");
  }
}

void posix_mq_close(void *end) { delete[] static_cast<mqd_t *>(end); }

void posix_mq_unlink(void *shared) {
  auto *s = static_cast<PosixMq *>(shared);
  for (auto &name : s->names) {
    if (name[0] != '\0') mq_unlink(name);
    name[0] = '\0';
  }
}

void posix_mq_destroy(void *shared) {
  posix_mq_unlink(shared);
  delete static_cast<PosixMq *>(shared);
}

// ---------------------------------------------------------------------------------
// System V message queue: msgsnd / msgrcv, private queues (ids inherited), at most
// msgmnb bytes queued.

struct SysvMq {
  int ids[2];
};

struct SysvEnd {
  int ids[2];
  std::vector<char> buffer;  // long mtype, then the text
};

void *sysv_mq_create(const Spec &spec) {
  auto *s = new SysvMq{{-1, -1}};
  adopt(s);
  for (int dir = 0; dir < (spec.duplex ? 2 : 1); ++dir) {
    s->ids[dir] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (s->ids[dir] < 0) fail("msgget");
  }
  return s;
}

void *sysv_mq_open(void *shared, int, const Spec &spec) {
  auto *s = static_cast<SysvMq *>(shared);
  auto *e = new SysvEnd{{s->ids[0], s->ids[1]}, std::vector<char>(sizeof(long) + spec.message_size)};
  long type = 1;
  std::memcpy(e->buffer.data(), &type, sizeof type);
  return e;
}

void sysv_mq_send(void *end, int dir, const void *data, size_t len) {
  auto *e = static_cast<SysvEnd *>(end);
  std::memcpy(e->buffer.data() + sizeof(long), data, len);
  while (msgsnd(e->ids[dir], e->buffer.data(), len, 0) != 0) {
    if (errno != EINTR) fail("msgsnd");
  }
}

size_t sysv_mq_receive(void *end, int dir, void *buf, size_t cap) {
  auto *e = static_cast<SysvEnd *>(end);
  for (;;) {
    const ssize_t n = msgrcv(e->ids[dir], e->buffer.data(), e->buffer.size() - sizeof(long), 0, 0);
    if (n >= 0) {
      const size_t len = static_cast<size_t>(n) < cap ? static_cast<size_t>(n) : cap;
      std::memcpy(buf, e->buffer.data() + sizeof(long), len);
      return static_cast<size_t>(n);
    }
    if (errno != EINTR) fail("msgrcv");
  }
}

void sysv_mq_close(void *end) { delete static_cast<SysvEnd *>(end); }

// The queue disappears for everyone at IPC_RMID, so only at the end.
void sysv_mq_destroy(void *shared) {
  auto *s = static_cast<SysvMq *>(shared);
  for (int &id : s->ids) {
    if (id >= 0) msgctl(id, IPC_RMID, nullptr);
    id = -1;
  }
  delete s;
}

// ---------------------------------------------------------------------------------
// Descriptors: a pipe per direction (fixed-size records), or one SOCK_SEQPACKET
// socketpair (child 0 has one end, child 1 the other).

struct Fds {
  int fds[2][2];  // pipe: [dir][read, write]; socket: [0] = the pair
  bool socket;
};

void fds_close_all(Fds *s) {
  for (auto &pair : s->fds) {
    for (int &fd : pair) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
  }
}

void *pipe_create(const Spec &spec) {
  auto *s = new Fds{{{-1, -1}, {-1, -1}}, false};
  adopt(s);
  for (int dir = 0; dir < (spec.duplex ? 2 : 1); ++dir) {
    if (pipe(s->fds[dir]) != 0) fail("pipe");
  }
  return s;
}

void *socket_create(const Spec &) {
  auto *s = new Fds{{{-1, -1}, {-1, -1}}, true};
  adopt(s);
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, s->fds[0]) != 0) fail("socketpair");
  return s;
}

void *fds_open(void *shared, int role, const Spec &) {
  auto *s = static_cast<Fds *>(shared);
  auto *e = new Fds(*s);
  // Keep only this child's ends, so a peer's death shows as end of file or EPIPE.
  if (s->socket) {
    close(e->fds[0][1 - role]);
    e->fds[0][1 - role] = -1;
  } else {
    for (int dir = 0; dir < 2; ++dir) {
      if (e->fds[dir][0] < 0) continue;
      const int mine = (dir == role) ? 1 : 0;  // the sender of DIR writes
      close(e->fds[dir][1 - mine]);
      e->fds[dir][1 - mine] = -1;
    }
  }
  return e;
}

void pipe_send(void *end, int dir, const void *data, size_t len) {
  write_full(static_cast<Fds *>(end)->fds[dir][1], data, len);
}

size_t pipe_receive(void *end, int dir, void *buf, size_t cap) {
  // Every record has the run's message size; the caller's buffer is exactly that.
  read_full(static_cast<Fds *>(end)->fds[dir][0], buf, cap);
  return cap;
}

int socket_fd(void *end) {
  auto *e = static_cast<Fds *>(end);
  return e->fds[0][0] >= 0 ? e->fds[0][0] : e->fds[0][1];
}

void socket_send(void *end, int, const void *data, size_t len) {
  while (send(socket_fd(end), data, len, 0) != static_cast<ssize_t>(len)) {
    if (errno != EINTR) fail("send");
  }
}

size_t socket_receive(void *end, int, void *buf, size_t cap) {
  for (;;) {
    const ssize_t n = recv(socket_fd(end), buf, cap, 0);
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) failf("recv: the peer closed");
    if (errno != EINTR) fail("recv");
  }
}

void fds_close(void *end) {
  auto *e = static_cast<Fds *>(end);
  fds_close_all(e);
  delete e;
}

void fds_destroy(void *shared) { fds_close(shared); }

// ---------------------------------------------------------------------------------
// POSIX semaphore pair: unnamed, process-shared, in an anonymous shared mapping. A
// send posts its direction's semaphore, a receive waits on it; no bytes travel.

void *semaphore_create(const Spec &) {
  void *p = mmap(nullptr, 2 * sizeof(sem_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED) fail("mmap");
  auto *sems = static_cast<sem_t *>(p);
  adopt(sems);
  for (int dir = 0; dir < 2; ++dir) {
    if (sem_init(&sems[dir], 1, 0) != 0) fail("sem_init");
  }
  return sems;
}

void *semaphore_open(void *shared, int, const Spec &) { return shared; }

void semaphore_send(void *end, int dir, const void *, size_t) {
  if (sem_post(&static_cast<sem_t *>(end)[dir]) != 0) fail("sem_post");
}

size_t semaphore_receive(void *end, int dir, void *, size_t) {
  while (sem_wait(&static_cast<sem_t *>(end)[dir]) != 0) {
    if (errno != EINTR) fail("sem_wait");
  }
  return 0;
}

void semaphore_close(void *) {}

void semaphore_destroy(void *shared) {
  auto *sems = static_cast<sem_t *>(shared);
  sem_destroy(&sems[0]);
  sem_destroy(&sems[1]);
  munmap(shared, 2 * sizeof(sem_t));
}

// ---------------------------------------------------------------------------------
// The bare ring: one POSIX shared memory segment holding a single-producer /
// single-consumer ring per direction. Indices only grow; the producer publishes a slot
// with a release store of head, the consumer frees it with a release store of tail;
// each side re-reads the other's index (acquire) only when its cached copy says the
// ring is full or empty. Waiting is a busy loop with a pause and no system call, except
// a sched_yield after every 1024 empty polls: on a machine with more runnable programs
// than cores the peer may not be running at all, and a pure busy loop would then spend
// whole time slices waiting for it (measured on a loaded 2-core machine: 130 k msgs/s
// instead of millions). While the peer runs, the yield is never reached.

constexpr size_t cache_line = 64;

struct alignas(cache_line) RingIndex {
  std::atomic<uint64_t> value;
};

struct RingHeader {
  RingIndex head;  // written by the producer
  RingIndex tail;  // written by the consumer
};

struct RingShared {
  char name[64];
  size_t ring_bytes;  // one direction's header and slots
  size_t total;
  uint32_t slots;
  size_t stride;  // bytes per slot: a length word, then the message
};

struct RingSide {
  RingHeader *header;
  unsigned char *slots;
  uint64_t mine;    // head (producer) or tail (consumer), as this side last wrote it
  uint64_t theirs;  // the other index, as last read
};

struct RingEnd {
  RingShared layout;
  void *base;
  RingSide side[2];
};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// One poll of a wait that found nothing: a pause, and every 1024th time a yield.
inline void ring_wait(unsigned &polls) {
  if ((++polls & 1023) == 0) {
    sched_yield();
  } else {
    cpu_relax();
  }
}

void *ring_create(const Spec &spec) {
  if (spec.slots == 0 || (spec.slots & (spec.slots - 1)) != 0) failf("ring: slots must be a power of two");
  auto *s = new RingShared{};
  adopt(s);
  std::snprintf(s->name, sizeof s->name, "%s", random_name().c_str());
  s->slots = spec.slots;
  s->stride = (sizeof(uint64_t) + spec.message_size + cache_line - 1) / cache_line * cache_line;
  s->ring_bytes = sizeof(RingHeader) + s->stride * spec.slots;
  s->total = s->ring_bytes * (spec.duplex ? 2 : 1);
  const int fd = shm_open(s->name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) {
    s->name[0] = '\0';
    fail("shm_open (create)");
  }
  if (ftruncate(fd, static_cast<off_t>(s->total)) != 0) fail("ftruncate");
  close(fd);  // a new segment is zero: both indices start at 0
  return s;
}

void *ring_open(void *shared, int, const Spec &) {
  auto *s = static_cast<RingShared *>(shared);
  const int fd = shm_open(s->name, O_RDWR, 0);
  if (fd < 0) fail("shm_open");
  void *base = mmap(nullptr, s->total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) fail("mmap");
  close(fd);
  auto *e = new RingEnd{*s, base, {}};
  for (size_t dir = 0; dir * s->ring_bytes < s->total; ++dir) {
    auto *bytes = static_cast<unsigned char *>(base) + dir * s->ring_bytes;
    e->side[dir].header = reinterpret_cast<RingHeader *>(bytes);
    e->side[dir].slots = bytes + sizeof(RingHeader);
  }
  return e;
}

void ring_send(void *end, int dir, const void *data, size_t len) {
  auto *e = static_cast<RingEnd *>(end);
  RingSide &r = e->side[dir];
  const uint64_t head = r.mine;
  unsigned polls = 0;
  while (head - r.theirs == e->layout.slots) {
    r.theirs = r.header->tail.value.load(std::memory_order_acquire);
    if (head - r.theirs == e->layout.slots) ring_wait(polls);
  }
  unsigned char *slot = r.slots + (head & (e->layout.slots - 1)) * e->layout.stride;
  const uint64_t length = len;
  std::memcpy(slot, &length, sizeof length);
  std::memcpy(slot + sizeof length, data, len);
  r.mine = head + 1;
  r.header->head.value.store(r.mine, std::memory_order_release);
}

size_t ring_receive(void *end, int dir, void *buf, size_t cap) {
  auto *e = static_cast<RingEnd *>(end);
  RingSide &r = e->side[dir];
  const uint64_t tail = r.mine;
  unsigned polls = 0;
  while (tail == r.theirs) {
    r.theirs = r.header->head.value.load(std::memory_order_acquire);
    if (tail == r.theirs) ring_wait(polls);
  }
  const unsigned char *slot = r.slots + (tail & (e->layout.slots - 1)) * e->layout.stride;
  uint64_t length;
  std::memcpy(&length, slot, sizeof length);
  std::memcpy(buf, slot + sizeof length, length < cap ? length : cap);
  r.mine = tail + 1;
  r.header->tail.value.store(r.mine, std::memory_order_release);
  return length;
}

void ring_close(void *end) {
  auto *e = static_cast<RingEnd *>(end);
  munmap(e->base, e->layout.total);
  delete e;
}

void ring_unlink(void *shared) {
  auto *s = static_cast<RingShared *>(shared);
  if (s->name[0] != '\0') shm_unlink(s->name);
  s->name[0] = '\0';
}

void ring_destroy(void *shared) {
  ring_unlink(shared);
  delete static_cast<RingShared *>(shared);
}

}  // namespace

long posix_mq_msg_max() { return read_proc_long("/proc/sys/fs/mqueue/msg_max", 10); }
long sysv_msgmnb() { return read_proc_long("/proc/sys/kernel/msgmnb", 16384); }

long pipe_capacity() {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const long size = fcntl(fds[0], F_GETPIPE_SZ);
  close(fds[0]);
  close(fds[1]);
  return size;
}

const Transport posix_mq_transport = {"POSIX mq", true, posix_mq_create, posix_mq_open,
                                      posix_mq_send, posix_mq_receive, posix_mq_close,
                                      posix_mq_unlink, posix_mq_destroy};
const Transport sysv_mq_transport = {"System V msg", true, sysv_mq_create, sysv_mq_open,
                                     sysv_mq_send, sysv_mq_receive, sysv_mq_close, nullptr,
                                     sysv_mq_destroy};
const Transport pipe_transport = {"pipe", true, pipe_create, fds_open, pipe_send, pipe_receive,
                                  fds_close, nullptr, fds_destroy};
const Transport socket_transport = {"Unix socket", true, socket_create, fds_open, socket_send,
                                    socket_receive, fds_close, nullptr, fds_destroy};
const Transport semaphore_transport = {"POSIX semaphore pair", false, semaphore_create,
                                       semaphore_open, semaphore_send, semaphore_receive,
                                       semaphore_close, nullptr, semaphore_destroy};
const Transport ring_transport = {"bare SPSC ring", true, ring_create, ring_open, ring_send,
                                  ring_receive, ring_close, ring_unlink, ring_destroy};

}  // namespace chbench
