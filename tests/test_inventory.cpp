// The inventory (pipc_objects_*, pipc_kind_name, pipc_libpipc_type_name, pipc_sysv_exists):
// objects of each kind created through the C API appear with the fields the OS tells, in
// order, filtered by kind; libpipc's own mutexes, condition variables and channels are
// told from other shared memory; holders in other processes are found by the way they
// hold; bad input is refused.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "channel_support.hpp"
#include "isolated_child.hpp"
#include "mutex_support.hpp"
#include "support.hpp"

namespace {

using pipc_test::scope_exit;
using pipc_test::signal_pipe;
using pipc_test::unique_key;
using pipc_test::unique_name;

// One object as a walk showed it, copied out: the strings too, since the walk's pointers
// (o.name, each holder's command) end with it.
struct seen {
  pipc_object o;
  std::string name;
  std::vector<pipc_holder> holders;
  std::vector<std::string> commands;

  const pipc_holder *holder(pid_t pid) const {
    for (const pipc_holder &h : holders) {
      if (h.pid == pid) return &h;
    }
    return nullptr;
  }
  std::string command(pid_t pid) const {
    for (size_t i = 0; i < holders.size(); ++i) {
      if (holders[i].pid == pid) return commands[i];
    }
    return "";
  }
};

struct inventory {
  int status = PIPC_OK;
  std::vector<seen> objects;
  uint32_t unseen = 0;

  const seen *named(uint32_t kind, const std::string &name) const {
    for (const seen &s : objects) {
      if (s.o.kind == kind && s.name == name) return &s;
    }
    return nullptr;
  }
  const seen *with_id(uint32_t kind, int64_t id) const {
    for (const seen &s : objects) {
      if (s.o.kind == kind && s.o.id == id) return &s;
    }
    return nullptr;
  }
};

inventory take(uint32_t kinds, uint32_t flags = 0) {
  inventory inv;
  pipc_objects *walk = nullptr;
  inv.status = pipc_objects_open(&walk, kinds, flags);
  if (inv.status != PIPC_OK) return inv;
  const pipc_object *o = nullptr;
  while (pipc_objects_next(&o, walk) == PIPC_OK && o != nullptr) {
    seen s{*o, o->name, {}, {}};
    for (uint32_t i = 0; i < o->holder_count; ++i) {
      const pipc_holder *h = nullptr;
      EXPECT_EQ(pipc_objects_holder(&h, walk, i), PIPC_OK) << pipc_last_message();
      s.holders.push_back(*h);
      s.commands.emplace_back(h->command);
    }
    inv.objects.push_back(std::move(s));
  }
  EXPECT_EQ(pipc_objects_unseen(&inv.unseen, walk), PIPC_OK);
  EXPECT_EQ(pipc_objects_close(walk), PIPC_OK);
  return inv;
}

bool has_mqueue() {
  pipc_objects *walk = nullptr;
  const int rc = pipc_objects_open(&walk, PIPC_KIND_MQ, 0);
  pipc_objects_close(walk);
  return rc == PIPC_OK;
}

#define SKIP_WITHOUT_MQUEUE()                                                           \
  if (!has_mqueue()) GTEST_SKIP() << "no mqueue filesystem mounted: " << pipc_last_message()

// System V objects a test makes, removed and closed when it ends.
struct sysv_objects {
  pipc_sysv_sem *sem = nullptr;
  pipc_sysv_shm *shm = nullptr;
  pipc_sysv_mq *mq = nullptr;

  sysv_objects() = default;
  sysv_objects(const sysv_objects &) = delete;
  sysv_objects &operator=(const sysv_objects &) = delete;
  ~sysv_objects() {
    pipc_sysv_sem_remove(sem);
    pipc_sysv_shm_remove(shm);
    pipc_sysv_mq_remove(mq);
    pipc_sysv_sem_close(sem);
    pipc_sysv_shm_close(shm);
    pipc_sysv_mq_close(mq);
  }
};

struct stat stat_of(const std::string &path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st;
}

// ---- Objects ------------------------------------------------------------------------

TEST(Inventory, PosixObjectsAppearWithTheirFields) {
  SKIP_WITHOUT_MQUEUE();
  const std::string sem_name = unique_name(), shm_name = unique_name(), mq_name = unique_name();
  pipc_sem *sem = nullptr;
  pipc_shm *shm = nullptr;
  pipc_mq *mq = nullptr;
  scope_exit cleanup([&] {
    pipc_sem_unlink_name(sem_name.c_str());
    pipc_shm_unlink_name(shm_name.c_str());
    pipc_mq_unlink_name(mq_name.c_str());
    pipc_sem_close(sem);
    pipc_shm_close(shm);
    pipc_mq_close(mq);
  });
  pipc_sem_options so = PIPC_SEM_OPTIONS_INIT;
  so.flags = PIPC_CREX;
  so.initial_value = 3;
  ASSERT_EQ(pipc_sem_open(&sem, sem_name.c_str(), &so), PIPC_OK) << pipc_last_message();
  pipc_shm_options ho = PIPC_SHM_OPTIONS_INIT;
  ho.flags = PIPC_CREX;
  ho.size = 8192;
  ASSERT_EQ(pipc_shm_open(&shm, shm_name.c_str(), &ho), PIPC_OK) << pipc_last_message();
  pipc_mq_options mo = PIPC_MQ_OPTIONS_INIT;
  mo.flags = PIPC_CREX;
  mo.max_messages = 4;
  mo.max_message_size = 128;
  ASSERT_EQ(pipc_mq_open(&mq, mq_name.c_str(), &mo), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_mq_send(mq, "0123456789", 10, 0, 0), PIPC_OK);
  ASSERT_EQ(pipc_mq_send(mq, "abcdefghij", 10, 1, 0), PIPC_OK);

  const inventory inv = take(PIPC_KIND_POSIX);
  ASSERT_EQ(inv.status, PIPC_OK) << pipc_last_message();
  for (const seen *s : {inv.named(PIPC_KIND_SEM, sem_name), inv.named(PIPC_KIND_SHM, shm_name),
                        inv.named(PIPC_KIND_MQ, mq_name)}) {
    ASSERT_NE(s, nullptr);
    SCOPED_TRACE(s->name);
    EXPECT_EQ(s->o.version, PIPC_OBJECT_VERSION);
    EXPECT_EQ(s->o.key, -1);
    EXPECT_EQ(s->o.id, -1);
    EXPECT_EQ(s->o.uid, getuid());
    EXPECT_EQ(s->o.gid, getgid());
    EXPECT_EQ(s->o.mode, 0600u);
    EXPECT_GT(s->o.changed_ns, 0);
    EXPECT_GT(s->o.modified_ns, 0);
    EXPECT_EQ(s->o.state, 0u);
    EXPECT_EQ(s->o.known & PIPC_KNOWN_HOLDERS, 0u);
  }
  const seen &s = *inv.named(PIPC_KIND_SEM, sem_name);
  EXPECT_EQ(s.o.semaphores, 1u);
  EXPECT_TRUE(s.o.known & PIPC_KNOWN_VALUE);
  EXPECT_EQ(s.o.value, 3);
  const struct stat sem_st = stat_of("/dev/shm/sem." + sem_name.substr(1));
  EXPECT_EQ(s.o.device, sem_st.st_dev);
  EXPECT_EQ(s.o.inode, sem_st.st_ino);

  const seen &h = *inv.named(PIPC_KIND_SHM, shm_name);
  EXPECT_EQ(h.o.size, 8192u);
  EXPECT_EQ(h.o.semaphores, 0u);
  EXPECT_EQ(h.o.inode, stat_of("/dev/shm" + shm_name).st_ino);

  const seen &q = *inv.named(PIPC_KIND_MQ, mq_name);
  EXPECT_EQ(q.o.known & (PIPC_KNOWN_MESSAGES | PIPC_KNOWN_QUEUE_LIMITS),
            PIPC_KNOWN_MESSAGES | PIPC_KNOWN_QUEUE_LIMITS);
  EXPECT_EQ(q.o.messages, 2u);
  EXPECT_EQ(q.o.size, 20u);
  EXPECT_EQ(q.o.max_messages, 4u);
  EXPECT_EQ(q.o.max_message_size, 128u);
  EXPECT_NE(q.o.inode, 0u);
}

TEST(Inventory, SysvObjectsAppearWithTheirFields) {
  sysv_objects made;
  pipc_sysv_sem *&sem = made.sem;
  pipc_sysv_shm *&shm = made.shm;
  pipc_sysv_mq *&mq = made.mq;
  const int64_t sem_key = unique_key(), shm_key = unique_key(), mq_key = unique_key();
  pipc_sysv_sem_options so = PIPC_SYSV_SEM_OPTIONS_INIT;
  so.flags = PIPC_CREX | PIPC_SYSV_SEM_SETVAL;
  so.initial_value = 2;
  ASSERT_EQ(pipc_sysv_sem_open(&sem, sem_key, &so), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_sem_release(sem, 1), PIPC_OK) << pipc_last_message();
  pipc_sysv_shm_options ho = PIPC_SYSV_SHM_OPTIONS_INIT;
  ho.flags = PIPC_CREX;
  ho.size = 3 * 4096;
  ASSERT_EQ(pipc_sysv_shm_open(&shm, shm_key, &ho), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_shm_attach(shm, nullptr, 0), PIPC_OK) << pipc_last_message();
  pipc_sysv_mq_options mo = PIPC_SYSV_MQ_OPTIONS_INIT;
  mo.flags = PIPC_CREX;
  ASSERT_EQ(pipc_sysv_mq_open(&mq, mq_key, &mo), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_mq_send(mq, "hello", 5, 1, 0), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_mq_send(mq, "world", 5, 2, 0), PIPC_OK) << pipc_last_message();
  uint64_t max_bytes = 0;
  ASSERT_EQ(pipc_sysv_mq_max_bytes(&max_bytes, mq), PIPC_OK);

  const inventory inv = take(PIPC_KIND_SYSV);
  ASSERT_EQ(inv.status, PIPC_OK) << pipc_last_message();
  const seen *found[] = {inv.with_id(PIPC_KIND_SYSV_SEM, pipc_sysv_sem_id(sem)),
                         inv.with_id(PIPC_KIND_SYSV_SHM, pipc_sysv_shm_id(shm)),
                         inv.with_id(PIPC_KIND_SYSV_MQ, pipc_sysv_mq_id(mq))};
  const int64_t keys[] = {sem_key, shm_key, mq_key};
  for (int i = 0; i < 3; ++i) {
    ASSERT_NE(found[i], nullptr) << i;
    const pipc_object &o = found[i]->o;
    SCOPED_TRACE(pipc_kind_name(o.kind));
    EXPECT_EQ(found[i]->name, "");
    EXPECT_EQ(o.key, keys[i]);
    EXPECT_EQ(o.uid, getuid());
    EXPECT_EQ(o.gid, getgid());
    EXPECT_EQ(o.cuid, getuid());
    EXPECT_EQ(o.cgid, getgid());
    EXPECT_EQ(o.mode, 0600u);
    EXPECT_TRUE(o.known & PIPC_KNOWN_CREATOR);
    EXPECT_TRUE(o.known & PIPC_KNOWN_LAST_PID);
    EXPECT_EQ(o.last_pid, getpid());
    EXPECT_GT(o.changed_ns, 0);
    EXPECT_GT(o.operated_ns, 0);
    EXPECT_EQ(o.device, 0u);
  }
  const pipc_object &sem_o = found[0]->o;
  EXPECT_EQ(sem_o.semaphores, 1u);
  EXPECT_TRUE(sem_o.known & PIPC_KNOWN_VALUE);
  EXPECT_EQ(sem_o.value, 3);

  const pipc_object &shm_o = found[1]->o;
  EXPECT_EQ(shm_o.size, 3u * 4096);
  EXPECT_EQ(shm_o.known & (PIPC_KNOWN_ATTACHES | PIPC_KNOWN_CREATOR_PID),
            PIPC_KNOWN_ATTACHES | PIPC_KNOWN_CREATOR_PID);
  EXPECT_EQ(shm_o.attaches, 1u);
  EXPECT_EQ(shm_o.creator_pid, getpid());
  EXPECT_EQ(shm_o.state, 0u);

  const pipc_object &mq_o = found[2]->o;
  EXPECT_EQ(mq_o.messages, 2u);
  EXPECT_EQ(mq_o.size, 10u);
  EXPECT_TRUE(mq_o.known & PIPC_KNOWN_MAX_BYTES);
  EXPECT_EQ(mq_o.max_bytes, max_bytes);
}

TEST(Inventory, ARemovedSegmentStillAttachedIsMarkedRemoved) {
  pipc_sysv_shm *shm = nullptr;
  scope_exit cleanup([&] { pipc_sysv_shm_close(shm); });
  pipc_sysv_shm_options ho = PIPC_SYSV_SHM_OPTIONS_INIT;
  ho.flags = PIPC_CREX;
  ASSERT_EQ(pipc_sysv_shm_open(&shm, unique_key(), &ho), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_shm_attach(shm, nullptr, 0), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_shm_remove(shm), PIPC_OK) << pipc_last_message();
  const inventory inv = take(PIPC_KIND_SYSV_SHM);
  const seen *s = inv.with_id(PIPC_KIND_SYSV_SHM, pipc_sysv_shm_id(shm));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->o.state, PIPC_STATE_REMOVED);
  EXPECT_EQ(s->o.key, PIPC_IPC_PRIVATE);
}

TEST(Inventory, KindsSelectWhatIsListed) {
  const std::string name = unique_name();
  pipc_sem *sem = nullptr;
  pipc_sysv_sem *sysv = nullptr;
  scope_exit cleanup([&] {
    pipc_sem_unlink_name(name.c_str());
    pipc_sem_close(sem);
    pipc_sysv_sem_remove(sysv);
    pipc_sysv_sem_close(sysv);
  });
  pipc_sem_options so = PIPC_SEM_OPTIONS_INIT;
  so.flags = PIPC_CREX;
  ASSERT_EQ(pipc_sem_open(&sem, name.c_str(), &so), PIPC_OK) << pipc_last_message();
  pipc_sysv_sem_options vo = PIPC_SYSV_SEM_OPTIONS_INIT;
  vo.flags = PIPC_CREX;
  ASSERT_EQ(pipc_sysv_sem_open(&sysv, unique_key(), &vo), PIPC_OK) << pipc_last_message();

  for (uint32_t kinds : {PIPC_KIND_SEM, PIPC_KIND_SYSV_SEM, PIPC_KIND_SHM | PIPC_KIND_SYSV_SHM,
                         PIPC_KIND_SEM | PIPC_KIND_SYSV_SEM}) {
    SCOPED_TRACE(kinds);
    const inventory inv = take(kinds);
    ASSERT_EQ(inv.status, PIPC_OK) << pipc_last_message();
    for (const seen &s : inv.objects) EXPECT_NE(s.o.kind & kinds, 0u) << s.name;
    EXPECT_EQ(inv.named(PIPC_KIND_SEM, name) != nullptr, (kinds & PIPC_KIND_SEM) != 0);
    EXPECT_EQ(inv.with_id(PIPC_KIND_SYSV_SEM, pipc_sysv_sem_id(sysv)) != nullptr,
              (kinds & PIPC_KIND_SYSV_SEM) != 0);
  }
}

TEST(Inventory, ObjectsComeInKindOrderThenByNameOrId) {
  std::vector<std::string> names;
  std::vector<pipc_sysv_sem *> sets;
  scope_exit cleanup([&] {
    for (const std::string &n : names) pipc_shm_unlink_name(n.c_str());
    for (pipc_sysv_sem *s : sets) {
      pipc_sysv_sem_remove(s);
      pipc_sysv_sem_close(s);
    }
  });
  for (int i = 0; i < 5; ++i) {
    names.push_back(unique_name());
    pipc_shm_options ho = PIPC_SHM_OPTIONS_INIT;
    ho.flags = PIPC_CREX;
    pipc_shm *shm = nullptr;
    ASSERT_EQ(pipc_shm_open(&shm, names.back().c_str(), &ho), PIPC_OK) << pipc_last_message();
    pipc_shm_close(shm);
    pipc_sysv_sem_options vo = PIPC_SYSV_SEM_OPTIONS_INIT;
    vo.flags = PIPC_CREX;
    sets.push_back(nullptr);
    ASSERT_EQ(pipc_sysv_sem_open(&sets.back(), unique_key(), &vo), PIPC_OK);
  }
  const inventory inv = take(PIPC_KIND_ALL & ~(has_mqueue() ? 0u : PIPC_KIND_MQ));
  ASSERT_EQ(inv.status, PIPC_OK) << pipc_last_message();
  for (size_t i = 1; i < inv.objects.size(); ++i) {
    const pipc_object &a = inv.objects[i - 1].o, &b = inv.objects[i].o;
    ASSERT_LE(a.kind, b.kind) << i;
    if (a.kind != b.kind) continue;
    if (a.kind & PIPC_KIND_POSIX) {
      EXPECT_LT(inv.objects[i - 1].name, inv.objects[i].name);
    } else {
      EXPECT_LT(a.id, b.id);
    }
  }
  for (const std::string &n : names) EXPECT_NE(inv.named(PIPC_KIND_SHM, n), nullptr);
}

TEST(Inventory, ObjectsRemovedBeforeTheWalkAreAbsent) {
  const std::string name = unique_name();
  pipc_shm_options ho = PIPC_SHM_OPTIONS_INIT;
  ho.flags = PIPC_CREX;
  pipc_shm *shm = nullptr;
  ASSERT_EQ(pipc_shm_open(&shm, name.c_str(), &ho), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_shm_unlink(shm), PIPC_OK);
  ASSERT_EQ(pipc_shm_close(shm), PIPC_OK);
  pipc_sysv_mq_options mo = PIPC_SYSV_MQ_OPTIONS_INIT;
  mo.flags = PIPC_CREX;
  pipc_sysv_mq *mq = nullptr;
  ASSERT_EQ(pipc_sysv_mq_open(&mq, unique_key(), &mo), PIPC_OK) << pipc_last_message();
  const int id = pipc_sysv_mq_id(mq);
  ASSERT_EQ(pipc_sysv_mq_remove(mq), PIPC_OK);
  ASSERT_EQ(pipc_sysv_mq_close(mq), PIPC_OK);
  const inventory inv = take(PIPC_KIND_SHM | PIPC_KIND_SYSV_MQ);
  ASSERT_EQ(inv.status, PIPC_OK);
  EXPECT_EQ(inv.named(PIPC_KIND_SHM, name), nullptr);
  EXPECT_EQ(inv.with_id(PIPC_KIND_SYSV_MQ, id), nullptr);
}

TEST(Inventory, TheWalkEndsWithNullAndStaysThere) {
  pipc_objects *walk = nullptr;
  ASSERT_EQ(pipc_objects_open(&walk, PIPC_KIND_SYSV_MQ, 0), PIPC_OK) << pipc_last_message();
  const pipc_object *o = nullptr;
  size_t count = 0;
  while (pipc_objects_next(&o, walk) == PIPC_OK && o != nullptr) ++count;
  EXPECT_LT(count, 1000000u);
  for (int i = 0; i < 2; ++i) {
    o = reinterpret_cast<const pipc_object *>(uintptr_t{1});
    EXPECT_EQ(pipc_objects_next(&o, walk), PIPC_OK);
    EXPECT_EQ(o, nullptr);
  }
  const pipc_holder *h = nullptr;
  EXPECT_EQ(pipc_objects_holder(&h, walk, 0), PIPC_ERANGE);
  EXPECT_EQ(pipc_objects_close(walk), PIPC_OK);
}

// ---- libpipc's own objects ----------------------------------------------------------

// The segment header of docs/man/pipc_mutex.3 (magic "PIPC", layout version 1, kind,
// size, ready flag), for segments a test lays out itself.
constexpr uint32_t header_magic = 0x43504950;
constexpr uint32_t header_bytes = 64;

// A POSIX shared memory segment NAME holding BYTES, made with shm_open (no libpipc call),
// with MODE; false if it could not be made.
bool make_segment(const std::string &name, const std::vector<unsigned char> &bytes,
                  mode_t mode = 0600) {
  const int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, mode);
  if (fd < 0) return false;
  const bool written = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  close(fd);
  return written;
}

// A whole, ready channel header on a segment of 4096 bytes (zeros after the header).
std::vector<unsigned char> channel_header() {
  std::vector<unsigned char> bytes(4096);
  const uint32_t words[] = {header_magic, 1, 3, 4096, 1};  // magic, layout, kind, size, ready
  std::memcpy(bytes.data(), words, sizeof words);
  return bytes;
}

// BYTES with header word WORD (0 magic, 1 layout, 2 kind, 3 size, 4 ready) set to VALUE.
std::vector<unsigned char> with_word(std::vector<unsigned char> bytes, size_t word, uint32_t value) {
  std::memcpy(bytes.data() + word * sizeof value, &value, sizeof value);
  return bytes;
}

TEST(InventoryLibpipc, MutexCondAndChannelShowWhatTheyAreAndTheChannelItsMessages) {
  pipc_test::owned_mutex mutex;
  pipc_test::owned_cond cond;
  pipc_test::owned_channel channel(16, 64);
  ASSERT_NE(mutex.mutex, nullptr) << pipc_last_message();
  ASSERT_NE(cond.cond, nullptr) << pipc_last_message();
  ASSERT_NE(channel.channel, nullptr) << pipc_last_message();
  for (const char *message : {"one", "two", "three"}) {
    ASSERT_EQ(pipc_channel_send(channel.channel, message, std::strlen(message), 0), PIPC_OK)
        << pipc_last_message();
  }
  const inventory inv = take(PIPC_KIND_SHM);
  ASSERT_EQ(inv.status, PIPC_OK) << pipc_last_message();
  const std::pair<const std::string *, uint32_t> expected[] = {
      {&mutex.name, PIPC_LIBPIPC_MUTEX},
      {&cond.name, PIPC_LIBPIPC_COND},
      {&channel.name, PIPC_LIBPIPC_CHANNEL}};
  for (const auto &[name, type] : expected) {
    const seen *s = inv.named(PIPC_KIND_SHM, *name);
    ASSERT_NE(s, nullptr) << *name;
    EXPECT_EQ(s->o.version, PIPC_OBJECT_VERSION);
    EXPECT_TRUE(s->o.known & PIPC_KNOWN_LIBPIPC) << *name;
    EXPECT_EQ(s->o.libpipc_type, type) << *name;
  }
  const pipc_object &m = inv.named(PIPC_KIND_SHM, mutex.name)->o;
  EXPECT_EQ(m.known & (PIPC_KNOWN_MESSAGES | PIPC_KNOWN_QUEUE_LIMITS), 0u);
  const pipc_object &c = inv.named(PIPC_KIND_SHM, channel.name)->o;
  EXPECT_EQ(c.known & (PIPC_KNOWN_MESSAGES | PIPC_KNOWN_QUEUE_LIMITS),
            PIPC_KNOWN_MESSAGES | PIPC_KNOWN_QUEUE_LIMITS);
  EXPECT_EQ(c.messages, 3u);
  EXPECT_EQ(c.max_messages, 16u);
  EXPECT_EQ(c.max_message_size, 64u);

  char buf[64];
  size_t len = 0;
  ASSERT_EQ(pipc_channel_receive(&len, channel.channel, buf, sizeof buf, 0), PIPC_OK);
  const inventory after = take(PIPC_KIND_SHM);
  ASSERT_EQ(after.status, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(after.named(PIPC_KIND_SHM, channel.name)->o.messages, 2u);
}

TEST(InventoryLibpipc, OtherContentIsPlainSharedMemory) {
  std::vector<unsigned char> noise(4096);
  ASSERT_EQ(getrandom(noise.data(), noise.size(), 0), static_cast<ssize_t>(noise.size()));
  const std::vector<unsigned char> whole = channel_header();
  const std::pair<const char *, std::vector<unsigned char>> cases[] = {
      {"empty", {}},
      {"zeros", std::vector<unsigned char>(4096)},
      {"random bytes", noise},
      {"another magic", with_word(whole, 0, 0x50495043)},
      {"another layout version", with_word(whole, 1, 2)},
      {"an unknown kind", with_word(whole, 2, 9)},
      {"a size that is not the file's", with_word(whole, 3, 8192)},
      {"not yet ready", with_word(whole, 4, 0)},
      {"a bad ready flag", with_word(whole, 4, 7)},
      {"cut to 10 bytes", std::vector<unsigned char>(whole.begin(), whole.begin() + 10)},
      {"cut to its header", std::vector<unsigned char>(whole.begin(), whole.begin() + header_bytes)},
  };
  std::vector<std::string> names;
  scope_exit cleanup([&] {
    for (const std::string &n : names) shm_unlink(n.c_str());
  });
  for (const auto &c : cases) {
    names.push_back(unique_name());
    ASSERT_TRUE(make_segment(names.back(), c.second)) << c.first << ": " << std::strerror(errno);
  }
  const inventory inv = take(PIPC_KIND_SHM);
  ASSERT_EQ(inv.status, PIPC_OK) << pipc_last_message();
  for (size_t i = 0; i < names.size(); ++i) {
    const seen *s = inv.named(PIPC_KIND_SHM, names[i]);
    ASSERT_NE(s, nullptr) << cases[i].first;
    EXPECT_EQ(s->o.known & (PIPC_KNOWN_LIBPIPC | PIPC_KNOWN_MESSAGES | PIPC_KNOWN_QUEUE_LIMITS), 0u)
        << cases[i].first;
    EXPECT_EQ(s->o.libpipc_type, 0u) << cases[i].first;
    EXPECT_EQ(s->o.size, cases[i].second.size()) << cases[i].first;
  }
}

// A whole header of a channel whose control block makes no sense (no slots): a channel,
// whose counts are unknown.
TEST(InventoryLibpipc, AChannelWithABrokenControlBlockHasNoCounts) {
  const std::string name = unique_name();
  scope_exit cleanup([&] { shm_unlink(name.c_str()); });
  ASSERT_TRUE(make_segment(name, channel_header())) << std::strerror(errno);
  const inventory inv = take(PIPC_KIND_SHM);
  ASSERT_EQ(inv.status, PIPC_OK) << pipc_last_message();
  const seen *s = inv.named(PIPC_KIND_SHM, name);
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->o.known & PIPC_KNOWN_LIBPIPC);
  EXPECT_EQ(s->o.libpipc_type, PIPC_LIBPIPC_CHANNEL);
  EXPECT_EQ(s->o.known & (PIPC_KNOWN_MESSAGES | PIPC_KNOWN_QUEUE_LIMITS), 0u);
}

// A channel this process may not read (mode 0; as root, the walk runs as nobody) is listed
// as shared memory whose libpipc type and counts are unknown.
TEST(InventoryLibpipc, ASegmentThatCannotBeReadHasNoType) {
  pipc_channel_options opts = PIPC_CHANNEL_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  opts.mode = 0;
  const std::string name = unique_name();
  pipc_channel *channel = nullptr;
  scope_exit cleanup([&] {
    pipc_channel_unlink_name(name.c_str());
    pipc_channel_close(channel);
  });
  ASSERT_EQ(pipc_channel_open(&channel, name.c_str(), &opts), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_channel_send(channel, "x", 1, 0), PIPC_OK) << pipc_last_message();
  const pid_t child = pipc_test::spawn([&] {
    if (geteuid() == 0 && !pipc_test::become_nobody()) return 1;
    const inventory inv = take(PIPC_KIND_SHM);
    if (inv.status != PIPC_OK) return 2;
    const seen *s = inv.named(PIPC_KIND_SHM, name);
    if (s == nullptr) return 3;
    if (s->o.known & (PIPC_KNOWN_LIBPIPC | PIPC_KNOWN_MESSAGES | PIPC_KNOWN_QUEUE_LIMITS)) return 4;
    return s->o.libpipc_type == 0 ? 0 : 5;
  });
  EXPECT_EQ(pipc_test::wait_child(child), 0);
}

TEST(InventoryInput, LibpipcTypeNamesAreForKnownTypesOnly) {
  EXPECT_STREQ(pipc_libpipc_type_name(PIPC_LIBPIPC_MUTEX), "mutex");
  EXPECT_STREQ(pipc_libpipc_type_name(PIPC_LIBPIPC_COND), "cond");
  EXPECT_STREQ(pipc_libpipc_type_name(PIPC_LIBPIPC_CHANNEL), "channel");
  for (uint32_t type : {0u, 4u, 0x80000000u, UINT32_MAX}) {
    EXPECT_EQ(pipc_libpipc_type_name(type), nullptr) << type;
  }
}

// ---- Holders ------------------------------------------------------------------------

// The holders of each object are found in a process that holds it in each way, with its
// pid, uid and command line; once it has exited it is no holder.
TEST(InventoryHolders, AChildHoldingEachWayIsFoundAndNotOnceItExited) {
  SKIP_WITHOUT_MQUEUE();
  const std::string sem_name = unique_name(), shm_name = unique_name(), mq_name = unique_name();
  const int64_t shm_key = unique_key();
  int shm_id = -1;
  scope_exit cleanup([&] {
    pipc_sem_unlink_name(sem_name.c_str());
    pipc_shm_unlink_name(shm_name.c_str());
    pipc_mq_unlink_name(mq_name.c_str());
    if (shm_id >= 0) pipc_sysv_shm_remove_id(shm_id);
  });
  {  // created here, held only by the child
    pipc_sem_options so = PIPC_SEM_OPTIONS_INIT;
    so.flags = PIPC_CREX;
    pipc_sem *sem = nullptr;
    ASSERT_EQ(pipc_sem_open(&sem, sem_name.c_str(), &so), PIPC_OK) << pipc_last_message();
    pipc_sem_close(sem);
    pipc_shm_options ho = PIPC_SHM_OPTIONS_INIT;
    ho.flags = PIPC_CREX;
    ho.size = 4096;
    pipc_shm *shm = nullptr;
    ASSERT_EQ(pipc_shm_open(&shm, shm_name.c_str(), &ho), PIPC_OK) << pipc_last_message();
    pipc_shm_close(shm);
    pipc_mq_options mo = PIPC_MQ_OPTIONS_INIT;
    mo.flags = PIPC_CREX;
    pipc_mq *mq = nullptr;
    ASSERT_EQ(pipc_mq_open(&mq, mq_name.c_str(), &mo), PIPC_OK) << pipc_last_message();
    pipc_mq_close(mq);
    pipc_sysv_shm_options vo = PIPC_SYSV_SHM_OPTIONS_INIT;
    vo.flags = PIPC_CREX;
    pipc_sysv_shm *sysv = nullptr;
    ASSERT_EQ(pipc_sysv_shm_open(&sysv, shm_key, &vo), PIPC_OK) << pipc_last_message();
    shm_id = pipc_sysv_shm_id(sysv);
    pipc_sysv_shm_close(sysv);
  }
  signal_pipe ready, done;
  const pid_t child = pipc_test::spawn([&] {
    pipc_sem *sem = nullptr;
    pipc_shm *shm = nullptr;
    pipc_mq *mq = nullptr;
    pipc_sysv_shm *sysv = nullptr;
    if (pipc_sem_open(&sem, sem_name.c_str(), nullptr) != PIPC_OK ||
        pipc_shm_open(&shm, shm_name.c_str(), nullptr) != PIPC_OK ||
        pipc_mq_open(&mq, mq_name.c_str(), nullptr) != PIPC_OK ||
        pipc_sysv_shm_open(&sysv, shm_key, nullptr) != PIPC_OK ||
        pipc_sysv_shm_attach(sysv, nullptr, 0) != PIPC_OK) {
      return 1;
    }
    ready.post();
    return done.wait() ? 0 : 2;
  });
  ASSERT_GT(child, 0);
  scope_exit reap([&] {
    done.post();
    pipc_test::wait_child(child);
  });
  ASSERT_TRUE(ready.wait()) << "the child did not open the objects";

  const inventory inv = take(PIPC_KIND_ALL, PIPC_INVENTORY_HOLDERS);
  ASSERT_EQ(inv.status, PIPC_OK) << pipc_last_message();
  struct expectation {
    const seen *object;
    uint32_t how;
  } expected[] = {{inv.named(PIPC_KIND_SEM, sem_name), PIPC_HOLD_MAP},
                  {inv.named(PIPC_KIND_SHM, shm_name), PIPC_HOLD_FD},
                  {inv.named(PIPC_KIND_MQ, mq_name), PIPC_HOLD_FD},
                  {inv.with_id(PIPC_KIND_SYSV_SHM, shm_id), PIPC_HOLD_ATTACH | PIPC_HOLD_LAST_OP}};
  for (const expectation &e : expected) {
    ASSERT_NE(e.object, nullptr);
    SCOPED_TRACE(pipc_kind_name(e.object->o.kind));
    EXPECT_TRUE(e.object->o.known & PIPC_KNOWN_HOLDERS);
    EXPECT_EQ(e.object->o.holder_count, e.object->holders.size());
    const pipc_holder *h = e.object->holder(child);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->version, PIPC_HOLDER_VERSION);
    EXPECT_EQ(h->how, e.how);
    EXPECT_EQ(h->uid, getuid());
    const std::string command = e.object->command(child);
    EXPECT_NE(command.find("test_inventory"), std::string::npos) << command;
  }
  // The System V segment's creator (this process) is alive: a holder as that.
  const pipc_holder *creator = expected[3].object->holder(getpid());
  ASSERT_NE(creator, nullptr);
  EXPECT_EQ(creator->how, PIPC_HOLD_CREATOR);

  done.post();
  ASSERT_EQ(pipc_test::wait_child(child), 0);
  const inventory after = take(PIPC_KIND_ALL, PIPC_INVENTORY_HOLDERS);
  ASSERT_EQ(after.status, PIPC_OK) << pipc_last_message();
  for (const seen &s : after.objects) EXPECT_EQ(s.holder(child), nullptr) << s.name << s.o.id;
}

// System V semaphores and queues are held by the process of their last operation,
// while it lives.
TEST(InventoryHolders, TheLastOperationsProcessIsAHolderWhileAlive) {
  sysv_objects made;
  pipc_sysv_sem *&sem = made.sem;
  pipc_sysv_mq *&mq = made.mq;
  pipc_sysv_sem_options so = PIPC_SYSV_SEM_OPTIONS_INIT;
  so.flags = PIPC_CREX;
  ASSERT_EQ(pipc_sysv_sem_open(&sem, unique_key(), &so), PIPC_OK) << pipc_last_message();
  pipc_sysv_mq_options mo = PIPC_SYSV_MQ_OPTIONS_INIT;
  mo.flags = PIPC_CREX;
  ASSERT_EQ(pipc_sysv_mq_open(&mq, unique_key(), &mo), PIPC_OK) << pipc_last_message();
  signal_pipe ready, done;
  const pid_t child = pipc_test::spawn([&] {
    if (pipc_sysv_sem_release(sem, 1) != PIPC_OK || pipc_sysv_mq_send(mq, "x", 1, 1, 0) != PIPC_OK) {
      return 1;
    }
    ready.post();
    return done.wait() ? 0 : 2;
  });
  ASSERT_GT(child, 0);
  scope_exit reap([&] {
    done.post();
    pipc_test::wait_child(child);
  });
  ASSERT_TRUE(ready.wait());
  const inventory inv = take(PIPC_KIND_SYSV_SEM | PIPC_KIND_SYSV_MQ, PIPC_INVENTORY_HOLDERS);
  for (const seen *s : {inv.with_id(PIPC_KIND_SYSV_SEM, pipc_sysv_sem_id(sem)),
                        inv.with_id(PIPC_KIND_SYSV_MQ, pipc_sysv_mq_id(mq))}) {
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->o.last_pid, child);
    ASSERT_EQ(s->holders.size(), 1u);
    EXPECT_EQ(s->holders[0].pid, child);
    EXPECT_EQ(s->holders[0].how, PIPC_HOLD_LAST_OP);
  }
  done.post();
  ASSERT_EQ(pipc_test::wait_child(child), 0);
  const inventory after = take(PIPC_KIND_SYSV_SEM | PIPC_KIND_SYSV_MQ, PIPC_INVENTORY_HOLDERS);
  const seen *s = after.with_id(PIPC_KIND_SYSV_SEM, pipc_sysv_sem_id(sem));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->o.last_pid, child);
  EXPECT_EQ(s->o.holder_count, 0u);
}

TEST(InventoryHolders, WithoutTheFlagHoldersAreUnknown) {
  pipc_sysv_sem *sem = nullptr;
  scope_exit cleanup([&] {
    pipc_sysv_sem_remove(sem);
    pipc_sysv_sem_close(sem);
  });
  pipc_sysv_sem_options so = PIPC_SYSV_SEM_OPTIONS_INIT;
  so.flags = PIPC_CREX;
  ASSERT_EQ(pipc_sysv_sem_open(&sem, unique_key(), &so), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_sem_release(sem, 1), PIPC_OK);  // this process, alive, did the last op
  const inventory inv = take(PIPC_KIND_SYSV_SEM);
  const seen *s = inv.with_id(PIPC_KIND_SYSV_SEM, pipc_sysv_sem_id(sem));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->o.known & PIPC_KNOWN_HOLDERS, 0u);
  EXPECT_EQ(s->o.holder_count, 0u);
  EXPECT_EQ(inv.unseen, 0u);
}

// The scale the CLI needs: a holders walk over a thousand objects stays well under a second.
TEST(InventoryHolders, AThousandObjectsTakeWellUnderASecond) {
  std::vector<std::string> names;
  scope_exit cleanup([&] {
    for (const std::string &n : names) pipc_shm_unlink_name(n.c_str());
  });
  for (int i = 0; i < 1000; ++i) {
    names.push_back(unique_name());
    pipc_shm_options ho = PIPC_SHM_OPTIONS_INIT;
    ho.flags = PIPC_CREX;
    pipc_shm *shm = nullptr;
    ASSERT_EQ(pipc_shm_open(&shm, names.back().c_str(), &ho), PIPC_OK) << pipc_last_message();
    pipc_shm_close(shm);
  }
  const auto start = std::chrono::steady_clock::now();
  const inventory inv = take(PIPC_KIND_SHM | PIPC_KIND_SEM | PIPC_KIND_SYSV, PIPC_INVENTORY_HOLDERS);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(inv.status, PIPC_OK) << pipc_last_message();
  EXPECT_GE(inv.objects.size(), 1000u);
  std::printf("holders walk of %zu objects: %lld ms\n", inv.objects.size(),
              static_cast<long long>(ms));
  EXPECT_LT(ms, 1000);
}

// ---- Single questions ---------------------------------------------------------------

TEST(SysvExists, IsOneWhileTheObjectExistsAndZeroAfterItsRemoval) {
  const int64_t key = unique_key();
  sysv_objects made;
  pipc_sysv_sem *&sem = made.sem;
  pipc_sysv_shm *&shm = made.shm;
  pipc_sysv_mq *&mq = made.mq;
  for (uint32_t k : {PIPC_KIND_SYSV_SEM, PIPC_KIND_SYSV_SHM, PIPC_KIND_SYSV_MQ}) {
    EXPECT_EQ(pipc_sysv_exists(key, k), 0) << pipc_kind_name(k);
  }
  pipc_sysv_sem_options so = PIPC_SYSV_SEM_OPTIONS_INIT;
  so.flags = PIPC_CREX;
  pipc_sysv_shm_options ho = PIPC_SYSV_SHM_OPTIONS_INIT;
  ho.flags = PIPC_CREX;
  pipc_sysv_mq_options mo = PIPC_SYSV_MQ_OPTIONS_INIT;
  mo.flags = PIPC_CREX;
  ASSERT_EQ(pipc_sysv_sem_open(&sem, key, &so), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_exists(key, PIPC_KIND_SYSV_SEM), 1);
  EXPECT_EQ(pipc_sysv_exists(key, PIPC_KIND_SYSV_SHM), 0);
  ASSERT_EQ(pipc_sysv_shm_open(&shm, key, &ho), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_mq_open(&mq, key, &mo), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_exists(key, PIPC_KIND_SYSV_SHM), 1);
  EXPECT_EQ(pipc_sysv_exists(key, PIPC_KIND_SYSV_MQ), 1);
  ASSERT_EQ(pipc_sysv_sem_remove(sem), PIPC_OK);
  ASSERT_EQ(pipc_sysv_shm_remove(shm), PIPC_OK);
  ASSERT_EQ(pipc_sysv_mq_remove(mq), PIPC_OK);
  for (uint32_t k : {PIPC_KIND_SYSV_SEM, PIPC_KIND_SYSV_SHM, PIPC_KIND_SYSV_MQ}) {
    EXPECT_EQ(pipc_sysv_exists(key, k), 0) << pipc_kind_name(k);
  }
}

// ---- Bad input ----------------------------------------------------------------------

TEST(InventoryInput, BadArgumentsAreRefused) {
  pipc_objects *walk = pipc_test::not_null<pipc_objects>;
  EXPECT_EQ(pipc_objects_open(nullptr, PIPC_KIND_SYSV, 0), PIPC_EINVAL);
  EXPECT_TRUE(pipc_test::message_mentions("out is NULL"));
  for (uint32_t kinds : {0u, 0x40u, PIPC_KIND_SEM | 0x80000000u}) {
    EXPECT_EQ(pipc_objects_open(&walk, kinds, 0), PIPC_EINVAL) << kinds;
    EXPECT_EQ(walk, nullptr);
    EXPECT_TRUE(pipc_test::message_mentions("kinds"));
  }
  for (uint32_t flags : {0x2u, 0x80000000u}) {
    EXPECT_EQ(pipc_objects_open(&walk, PIPC_KIND_SYSV, flags), PIPC_EINVAL) << flags;
    EXPECT_TRUE(pipc_test::message_mentions("flags"));
  }
  ASSERT_EQ(pipc_objects_open(&walk, PIPC_KIND_SYSV_SEM, 0), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_objects_next(nullptr, walk), PIPC_EINVAL);
  EXPECT_EQ(pipc_objects_holder(nullptr, walk, 0), PIPC_EINVAL);
  EXPECT_EQ(pipc_objects_unseen(nullptr, walk), PIPC_EINVAL);
  const pipc_holder *h = nullptr;
  EXPECT_EQ(pipc_objects_holder(&h, walk, 0), PIPC_ERANGE);  // before the first object
  EXPECT_EQ(pipc_objects_holder(&h, walk, UINT32_MAX), PIPC_ERANGE);
  EXPECT_EQ(pipc_objects_close(walk), PIPC_OK);
  EXPECT_EQ(pipc_objects_close(walk), PIPC_EBADHANDLE);
  EXPECT_EQ(pipc_objects_close(nullptr), PIPC_OK);
}

TEST(InventoryInput, KindNamesAreForSingleKindsOnly) {
  const std::pair<uint32_t, const char *> names[] = {
      {PIPC_KIND_SEM, "sem"},           {PIPC_KIND_SHM, "shm"},
      {PIPC_KIND_MQ, "mq"},             {PIPC_KIND_SYSV_SEM, "sysv_sem"},
      {PIPC_KIND_SYSV_SHM, "sysv_shm"}, {PIPC_KIND_SYSV_MQ, "sysv_mq"}};
  for (const auto &[kind, name] : names) EXPECT_STREQ(pipc_kind_name(kind), name);
  for (uint32_t kind : {0u, 0x3u, 0x40u, PIPC_KIND_ALL, 0x80000000u}) {
    EXPECT_EQ(pipc_kind_name(kind), nullptr) << kind;
  }
}

TEST(InventoryInput, SysvExistsRefusesBadKindsAndKeys) {
  for (uint32_t kind : {0u, PIPC_KIND_SEM, PIPC_KIND_SYSV, PIPC_KIND_SYSV_SEM | 0x40u}) {
    EXPECT_EQ(pipc_sysv_exists(1, kind), PIPC_EINVAL) << kind;
    EXPECT_TRUE(pipc_test::message_mentions("kind"));
  }
  for (int64_t key : {PIPC_IPC_PRIVATE, PIPC_KEY_RANDOM, PIPC_SYSV_KEY_MAX + 1,
                      PIPC_SYSV_KEY_MIN - 1}) {
    EXPECT_EQ(pipc_sysv_exists(key, PIPC_KIND_SYSV_SHM), PIPC_EINVAL) << key;
    EXPECT_TRUE(pipc_test::message_mentions("key"));
  }
}

// Without an mqueue mount, asking for queues says how to mount one; the other kinds work.
TEST(InventoryInput, QueuesWithoutAnMqueueMountAreUnsupported) {
  const auto report = pipc_test::run_isolated({true, 1 << 20}, [] {
    while (umount2("/dev/mqueue", MNT_DETACH) == 0) {
    }
    pipc_objects *walk = nullptr;
    if (pipc_objects_open(&walk, PIPC_KIND_SYSV, 0) != PIPC_OK) {
      return pipc_test::step_failed("System V kinds");
    }
    pipc_objects_close(walk);
    return pipc_objects_open(&walk, PIPC_KIND_MQ, 0);
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  EXPECT_EQ(report->status, PIPC_ENOTSUP) << report->message;
  EXPECT_TRUE(pipc_test::mentions(report->message, "mount -t mqueue none /dev/mqueue"));
}

}  // namespace
