// System V message queues: open by key or id, send and receive by type, long
// messages and truncation, capacity (max_bytes), timeouts, signals, removal
// while others wait, several processes, the stat fields, owner fields, and the
// status of every call for bad input.
//
// What a call did is checked through the kernel (msgget / msgctl / msgrcv) where
// it can be, not only through pipc itself.
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"
#include "sysv_support.hpp"

namespace {

using pipc_test::background_call;
using pipc_test::become_nobody;
using pipc_test::count_signal;
using pipc_test::margin;
using pipc_test::message_mentions;
using pipc_test::ms;
using pipc_test::nobody;
using pipc_test::not_null;
using pipc_test::now_ns;
using pipc_test::s;
using pipc_test::scope_exit;
using pipc_test::signals_caught;
using pipc_test::spawn;
using pipc_test::unique_key;
using pipc_test::usr1_handler;
using pipc_test::wait_child;
using pipc_test::wait_until_blocked;

// ---- Queues as the kernel sees them ----------------------------------------------

bool queue_exists(int64_t key) { return msgget(static_cast<key_t>(key), 0) >= 0; }

msqid_ds raw_stat(int id) {
  msqid_ds ds{};
  EXPECT_EQ(msgctl(id, IPC_STAT, &ds), 0) << "msgctl(IPC_STAT) on id " << id;
  return ds;
}

int64_t proc_value(const char *path) {
  std::FILE *file = std::fopen(path, "r");
  long long value = -1;
  if (file != nullptr) {
    if (std::fscanf(file, "%lld", &value) != 1) value = -1;
    std::fclose(file);
  }
  return value;
}

int64_t msgmax() { return proc_value("/proc/sys/kernel/msgmax"); }
int64_t msgmnb() { return proc_value("/proc/sys/kernel/msgmnb"); }

// ---- Queues made by the tests ----------------------------------------------------

pipc_sysv_mq_options options(uint32_t flags, uint64_t max_bytes = 0,
                             uint32_t mode = PIPC_DEFAULT_MODE) {
  pipc_sysv_mq_options opts = PIPC_SYSV_MQ_OPTIONS_INIT;
  opts.flags = flags;
  opts.max_bytes = max_bytes;
  opts.mode = mode;
  return opts;
}

// A queue under a fresh key; removed by id (also when an assertion fails) and
// closed when the test ends.
struct owned_mq {
  int64_t key = unique_key();
  pipc_sysv_mq *mq = nullptr;
  int id = -1;

  owned_mq() = default;
  owned_mq(const owned_mq &) = delete;
  owned_mq &operator=(const owned_mq &) = delete;
  ~owned_mq() {
    if (id >= 0) msgctl(id, IPC_RMID, nullptr);
    pipc_sysv_mq_close(mq);
  }
  int create(uint64_t max_bytes = 0, uint32_t mode = PIPC_DEFAULT_MODE) {
    return adopt(key, options(PIPC_CREX, max_bytes, mode));
  }
  // Opens KEY with OPTS; whatever it opens is removed at the end.
  int adopt(int64_t k, const pipc_sysv_mq_options &opts) {
    const int rc = pipc_sysv_mq_open(&mq, k, &opts);
    if (rc == PIPC_OK) id = pipc_sysv_mq_id(mq);
    return rc;
  }
};

// Another handle to an existing queue, closed (never removed) when it goes.
struct other_handle {
  pipc_sysv_mq *mq = nullptr;
  int rc;

  explicit other_handle(int64_t key, uint32_t flags = 0, uint64_t max_bytes = 0) {
    const pipc_sysv_mq_options opts = options(flags, max_bytes);
    rc = pipc_sysv_mq_open(&mq, key, &opts);
  }
  other_handle(const other_handle &) = delete;
  other_handle &operator=(const other_handle &) = delete;
  ~other_handle() { pipc_sysv_mq_close(mq); }
};

int send(pipc_sysv_mq *mq, const std::string &data, int64_t type = 1, int64_t timeout_ns = 0) {
  return pipc_sysv_mq_send(mq, data.data(), data.size(), type, timeout_ns);
}

struct received {
  int status;
  std::string data;
  int64_t type;
};

received receive(pipc_sysv_mq *mq, int64_t type = 0, int64_t timeout_ns = 0, size_t cap = 1024,
                 uint32_t flags = 0) {
  std::vector<char> buf(cap + 1);
  size_t len = SIZE_MAX;
  int64_t got_type = -1;
  const int status =
      pipc_sysv_mq_receive(&len, &got_type, mq, buf.data(), cap, type, flags, timeout_ns);
  if (status != PIPC_OK) return {status, "", got_type};
  return {status, std::string(buf.data(), len), got_type};
}

uint64_t messages_in(pipc_sysv_mq *mq) {
  uint64_t n = UINT64_MAX;
  EXPECT_EQ(pipc_sysv_mq_current_messages(&n, mq), PIPC_OK) << pipc_last_message();
  return n;
}

uint64_t max_bytes_of(pipc_sysv_mq *mq) {
  uint64_t n = 0;
  EXPECT_EQ(pipc_sysv_mq_max_bytes(&n, mq), PIPC_OK) << pipc_last_message();
  return n;
}

const pipc_test::sysv_family<pipc_sysv_mq, pipc_sysv_mq_options> family{
    "pipc_sysv_mq",      pipc_sysv_mq_open,      pipc_sysv_mq_open_id,
    pipc_sysv_mq_remove, pipc_sysv_mq_close,     pipc_sysv_mq_remove_id,
    pipc_sysv_mq_set_perm};

std::string binary_payload(size_t len, unsigned seed = 0) {
  std::string data(len, '\0');
  for (size_t i = 0; i < len; ++i) data[i] = static_cast<char>((i * 7 + seed) % 256);
  return data;
}

// Where a waiting send or receive sleeps: in ppoll, between its tries (see
// pipc_sysv_mq_receive).
constexpr long waiting_syscall = SYS_ppoll;

// ---- Open --------------------------------------------------------------------------

TEST(SysvMqOpen, ExclusiveCreateMakesANewEmptyQueue) {
  owned_mq q;
  ASSERT_EQ(q.create(0, 0640), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(msgget(static_cast<key_t>(q.key), 0), q.id);
  EXPECT_EQ(pipc_sysv_mq_created(q.mq), 1);
  int64_t key = 0;
  ASSERT_EQ(pipc_sysv_mq_key(&key, q.mq), PIPC_OK);
  EXPECT_EQ(key, q.key);
  const msqid_ds ds = raw_stat(q.id);
  EXPECT_EQ(ds.msg_perm.mode & 0777, 0640u);  // no umask for System V objects
  EXPECT_EQ(ds.msg_qnum, 0u);
  EXPECT_EQ(messages_in(q.mq), 0u);
  // max_bytes 0: the system's default capacity.
  EXPECT_EQ(max_bytes_of(q.mq), static_cast<uint64_t>(msgmnb()));
  EXPECT_EQ(ds.msg_qbytes, static_cast<msglen_t>(msgmnb()));
}

TEST(SysvMqOpen, ExclusiveCreateOfAnExistingKeyFailsAndLeavesTheQueueIntact) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(send(q.mq, "kept"), PIPC_OK);
  other_handle again(q.key, PIPC_CREX, 100);
  EXPECT_EQ(again.rc, PIPC_EEXIST);
  EXPECT_EQ(again.mq, nullptr);
  EXPECT_EQ(pipc_last_errno(), EEXIST);
  EXPECT_TRUE(message_mentions("pipc_sysv_mq_open"));
  EXPECT_EQ(msgget(static_cast<key_t>(q.key), 0), q.id);
  EXPECT_EQ(max_bytes_of(q.mq), static_cast<uint64_t>(msgmnb()));
  EXPECT_EQ(receive(q.mq).data, "kept");
}

TEST(SysvMqOpen, CreatOpensAnExistingQueueAndIgnoresMaxBytes) {
  owned_mq q;
  ASSERT_EQ(q.create(100), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(send(q.mq, "shared"), PIPC_OK);
  other_handle b(q.key, PIPC_CREAT, 200);
  ASSERT_EQ(b.rc, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_mq_created(b.mq), 0);
  EXPECT_EQ(pipc_sysv_mq_id(b.mq), q.id);
  EXPECT_EQ(max_bytes_of(b.mq), 100u);
  EXPECT_EQ(receive(b.mq).data, "shared");
}

TEST(SysvMqOpen, CreatMakesTheQueueWhenItIsMissing) {
  owned_mq q;
  ASSERT_EQ(q.adopt(q.key, options(PIPC_CREAT, 300)), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_mq_created(q.mq), 1);
  EXPECT_EQ(msgget(static_cast<key_t>(q.key), 0), q.id);
  EXPECT_EQ(raw_stat(q.id).msg_qbytes, 300u);
}

TEST(SysvMqOpen, OpeningWithoutCreatNeedsAnExistingQueue) {
  owned_mq q;
  const pipc_sysv_mq_options plain = options(0);
  for (const pipc_sysv_mq_options *opts : {static_cast<const pipc_sysv_mq_options *>(nullptr),
                                           &plain}) {
    pipc_sysv_mq *mq = not_null<pipc_sysv_mq>;
    EXPECT_EQ(pipc_sysv_mq_open(&mq, q.key, opts), PIPC_ENOENT);
    EXPECT_EQ(mq, nullptr);
    EXPECT_EQ(pipc_last_errno(), ENOENT);
    EXPECT_TRUE(message_mentions("pipc_sysv_mq_open"));
  }
  EXPECT_FALSE(queue_exists(q.key));
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  other_handle existing(q.key);
  ASSERT_EQ(existing.rc, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_mq_created(existing.mq), 0);
  EXPECT_EQ(pipc_sysv_mq_id(existing.mq), q.id);
}

TEST(SysvMqOpen, MaxBytesSetsTheCapacityOfANewQueue) {
  for (uint64_t max_bytes : {uint64_t{1}, uint64_t{100}, static_cast<uint64_t>(msgmnb())}) {
    SCOPED_TRACE(max_bytes);
    owned_mq q;
    ASSERT_EQ(q.create(max_bytes), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(max_bytes_of(q.mq), max_bytes);
    EXPECT_EQ(raw_stat(q.id).msg_qbytes, max_bytes);
  }
}

TEST(SysvMqOpen, MaxBytesAboveMsgmnbWithoutCapSysResourceIsDeniedAndCreatesNothing) {
  const int64_t key = unique_key();
  const pid_t child = spawn([&] {
    // Root may have CAP_SYS_RESOURCE: the child becomes nobody, which never has it.
    if (geteuid() == 0 && !become_nobody()) return 1;
    const pipc_sysv_mq_options opts = options(PIPC_CREX, static_cast<uint64_t>(msgmnb()) + 1);
    pipc_sysv_mq *mq = nullptr;
    const int rc = pipc_sysv_mq_open(&mq, key, &opts);
    if (rc == PIPC_OK) {
      pipc_sysv_mq_remove(mq);
      return 2;
    }
    if (rc != PIPC_EACCES || mq != nullptr || pipc_last_errno() != EPERM) return 3;
    if (!message_mentions("/proc/sys/kernel/msgmnb") || !message_mentions("CAP_SYS_RESOURCE") ||
        !message_mentions("pipc_sysv_mq_open")) {
      return 4;
    }
    return queue_exists(key) ? 5 : 0;
  });
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_FALSE(queue_exists(key));
  if (queue_exists(key)) msgctl(msgget(static_cast<key_t>(key), 0), IPC_RMID, nullptr);
}

TEST(SysvMqOpen, AnotherUserWithoutPermissionCannotOpenIt) {
  owned_mq q;
  ASSERT_EQ(q.create(0, 0600), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(send(q.mq, "private"), PIPC_OK);
  const pid_t child = spawn([&] {
    if (geteuid() == 0 && !become_nobody()) return 1;
    if (geteuid() != nobody) return 0;  // the owner itself: nothing to deny
    for (uint32_t flags : {0u, PIPC_CREAT}) {
      other_handle denied(q.key, flags);
      if (denied.rc != PIPC_EACCES || denied.mq != nullptr) return 2;
    }
    // Through the inherited handle the kernel checks each call.
    return receive(q.mq).status == PIPC_EACCES ? 0 : 3;
  });
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(receive(q.mq).data, "private");
}

TEST(SysvMqOpen, PrivateKeyAlwaysMakesANewQueue) {
  owned_mq a, b;
  ASSERT_EQ(a.adopt(PIPC_IPC_PRIVATE, options(0)), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(b.adopt(PIPC_IPC_PRIVATE, options(PIPC_CREAT)), PIPC_OK) << pipc_last_message();
  EXPECT_NE(a.id, b.id);
  for (pipc_sysv_mq *mq : {a.mq, b.mq}) {
    EXPECT_EQ(pipc_sysv_mq_created(mq), 1);
    int64_t key = -1;
    ASSERT_EQ(pipc_sysv_mq_key(&key, mq), PIPC_OK);
    EXPECT_EQ(key, PIPC_IPC_PRIVATE);
  }
  ASSERT_EQ(send(a.mq, "a"), PIPC_OK);
  EXPECT_EQ(messages_in(b.mq), 0u);
}

TEST(SysvMqOpen, RandomKeyMakesANewQueueUnderAnUnusedKey) {
  owned_mq a, b;
  ASSERT_EQ(a.adopt(PIPC_KEY_RANDOM, options(PIPC_CREAT, 500)), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(b.adopt(PIPC_KEY_RANDOM, options(PIPC_CREX)), PIPC_OK) << pipc_last_message();
  int64_t key_a = 0, key_b = 0;
  ASSERT_EQ(pipc_sysv_mq_key(&key_a, a.mq), PIPC_OK);
  ASSERT_EQ(pipc_sysv_mq_key(&key_b, b.mq), PIPC_OK);
  for (int64_t key : {key_a, key_b}) {
    EXPECT_NE(key, PIPC_IPC_PRIVATE);
    EXPECT_GE(key, PIPC_SYSV_KEY_MIN);
    EXPECT_LE(key, PIPC_SYSV_KEY_MAX);
  }
  EXPECT_NE(key_a, key_b);
  EXPECT_EQ(msgget(static_cast<key_t>(key_a), 0), a.id);
  EXPECT_EQ(msgget(static_cast<key_t>(key_b), 0), b.id);
  EXPECT_EQ(pipc_sysv_mq_created(a.mq), 1);
  EXPECT_EQ(max_bytes_of(a.mq), 500u);
}

TEST(SysvMqOpen, OptionsInitGivesTheDefaults) {
  pipc_sysv_mq_options opts;
  opts.version = 0;
  opts.flags = 0xff;
  opts.mode = 0;
  opts.max_bytes = 77;
  pipc_sysv_mq_options_init(&opts);
  EXPECT_EQ(opts.version, PIPC_SYSV_OPTIONS_VERSION);
  EXPECT_EQ(opts.flags, 0u);
  EXPECT_EQ(opts.mode, static_cast<uint32_t>(PIPC_DEFAULT_MODE));
  EXPECT_EQ(opts.max_bytes, 0u);
  pipc_sysv_mq_options_init(nullptr);  // NULL-safe
}

TEST(SysvMqOpen, OpenIdGivesTheSameQueue) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  pipc_sysv_mq *by_id = nullptr;
  ASSERT_EQ(pipc_sysv_mq_open_id(&by_id, q.id), PIPC_OK) << pipc_last_message();
  scope_exit close([&] { pipc_sysv_mq_close(by_id); });
  EXPECT_EQ(pipc_sysv_mq_id(by_id), q.id);
  EXPECT_EQ(pipc_sysv_mq_created(by_id), 0);
  int64_t key = 0;
  ASSERT_EQ(pipc_sysv_mq_key(&key, by_id), PIPC_OK);
  EXPECT_EQ(key, q.key);
  ASSERT_EQ(send(by_id, "via id", 5), PIPC_OK);
  const received r = receive(q.mq);
  EXPECT_EQ(r.data, "via id");
  EXPECT_EQ(r.type, 5);
}

TEST(SysvMqOpen, OpenIdOfAMissingQueueIsNoent) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  const int id = q.id;
  ASSERT_EQ(pipc_sysv_mq_remove(q.mq), PIPC_OK);
  pipc_sysv_mq *mq = not_null<pipc_sysv_mq>;
  EXPECT_EQ(pipc_sysv_mq_open_id(&mq, id), PIPC_ENOENT);
  EXPECT_EQ(mq, nullptr);
  EXPECT_TRUE(message_mentions("pipc_sysv_mq_open_id"));
  EXPECT_EQ(pipc_sysv_mq_open_id(&mq, INT32_MAX), PIPC_ENOENT);
}

// ---- Close and remove --------------------------------------------------------------

TEST(SysvMqRemove, CloseNeverRemoves) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(send(q.mq, "stays"), PIPC_OK);
  EXPECT_EQ(pipc_sysv_mq_close(q.mq), PIPC_OK);
  q.mq = nullptr;
  EXPECT_EQ(msgget(static_cast<key_t>(q.key), 0), q.id);
  other_handle again(q.key);
  ASSERT_EQ(again.rc, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(receive(again.mq).data, "stays");
  EXPECT_EQ(pipc_sysv_mq_close(nullptr), PIPC_OK);
}

TEST(SysvMqRemove, RemovesTheQueueForEveryHandle) {
  const std::pair<const char *, std::function<int(owned_mq &)>> removers[] = {
      {"by handle", [](owned_mq &q) { return pipc_sysv_mq_remove(q.mq); }},
      {"by id", [](owned_mq &q) { return pipc_sysv_mq_remove_id(q.id); }},
  };
  for (const auto &[how, remove] : removers) {
    SCOPED_TRACE(how);
    owned_mq q;
    ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
    ASSERT_EQ(send(q.mq, "gone"), PIPC_OK);
    other_handle other(q.key);
    ASSERT_EQ(other.rc, PIPC_OK);
    EXPECT_EQ(remove(q), PIPC_OK) << pipc_last_message();
    EXPECT_FALSE(queue_exists(q.key));
    // Every call on the removed queue, through any handle, is PIPC_ENOENT.
    uint64_t n = 0;
    pipc_sysv_mq_stat st{};
    const std::pair<const char *, std::function<int()>> calls[] = {
        {"pipc_sysv_mq_send", [&] { return send(other.mq, "x"); }},
        {"pipc_sysv_mq_send", [&] { return send(other.mq, "x", 1, PIPC_FOREVER); }},
        {"pipc_sysv_mq_receive", [&] { return receive(other.mq).status; }},
        {"pipc_sysv_mq_receive", [&] { return receive(other.mq, 0, PIPC_FOREVER).status; }},
        {"pipc_sysv_mq_receive", [&] { return receive(other.mq, 0, s).status; }},
        {"pipc_sysv_mq_current_messages", [&] { return pipc_sysv_mq_current_messages(&n, q.mq); }},
        {"pipc_sysv_mq_max_bytes", [&] { return pipc_sysv_mq_max_bytes(&n, q.mq); }},
        {"pipc_sysv_mq_set_max_bytes", [&] { return pipc_sysv_mq_set_max_bytes(q.mq, 10); }},
        {"pipc_sysv_mq_stat_get", [&] { return pipc_sysv_mq_stat_get(&st, q.mq); }},
        {"pipc_sysv_mq_set_perm",
         [&] { return pipc_sysv_mq_set_perm(q.mq, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0600); }},
        {"pipc_sysv_mq_remove", [&] { return pipc_sysv_mq_remove(q.mq); }},
        {"pipc_sysv_mq_remove_id", [&] { return pipc_sysv_mq_remove_id(q.id); }},
    };
    for (const auto &[function, call] : calls) {
      EXPECT_EQ(call(), PIPC_ENOENT) << function;
      EXPECT_TRUE(message_mentions(function));
    }
    // The handles stay valid to close.
    EXPECT_EQ(pipc_sysv_mq_id(q.mq), q.id);
  }
}

// A call blocked on the queue, in a thread or a child process, and how to start it.
struct blocked_call {
  const char *what;
  int64_t timeout_ns;
  bool sends;  // on a full queue, else receives from an empty one
};

const blocked_call blocked_calls[] = {
    {"receive forever", PIPC_FOREVER, false},
    {"receive forever, restartable", PIPC_FOREVER_RESTARTABLE, false},
    {"timed receive", 60 * s, false},
    {"send forever", PIPC_FOREVER, true},
    {"send forever, restartable", PIPC_FOREVER_RESTARTABLE, true},
    {"timed send", 60 * s, true},
};

// A queue with room for one 8-byte message, full when FULL.
int make_queue(owned_mq &q, bool full) {
  const int rc = q.create(8);
  if (rc != PIPC_OK || !full) return rc;
  return send(q.mq, "12345678");
}

int run_blocked(pipc_sysv_mq *mq, const blocked_call &c) {
  return c.sends ? send(mq, "abcdefgh", 1, c.timeout_ns) : receive(mq, 0, c.timeout_ns).status;
}

TEST(SysvMqRemove, WakesThreadsBlockedInSendAndReceiveWithNoent) {
  for (const blocked_call &c : blocked_calls) {
    SCOPED_TRACE(c.what);
    owned_mq q;
    ASSERT_EQ(make_queue(q, c.sends), PIPC_OK) << pipc_last_message();
    background_call waiter([&] { return run_blocked(q.mq, c); });
    EXPECT_TRUE(wait_until_blocked(waiter.tid(), waiting_syscall));
    EXPECT_TRUE(waiter.running());
    ASSERT_EQ(pipc_sysv_mq_remove(q.mq), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(waiter.status(), PIPC_ENOENT);
  }
}

TEST(SysvMqRemove, WakesAChildProcessBlockedInReceiveWithNoent) {
  for (const blocked_call &c : blocked_calls) {
    if (c.sends) continue;
    SCOPED_TRACE(c.what);
    owned_mq q;
    ASSERT_EQ(make_queue(q, false), PIPC_OK) << pipc_last_message();
    const pid_t child = spawn([&] {
      other_handle mine(q.key);  // its own handle, found by key
      if (mine.rc != PIPC_OK) return 1;
      const int rc = run_blocked(mine.mq, c);
      return rc == PIPC_ENOENT ? 0 : 2;
    });
    EXPECT_TRUE(wait_until_blocked(child, waiting_syscall));
    ASSERT_EQ(pipc_sysv_mq_remove_id(q.id), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(wait_child(child), 0);
  }
}

// ---- Send and receive --------------------------------------------------------------

TEST(SysvMqMessages, TypesAndPayloadsArriveIntact) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  const std::pair<std::string, int64_t> messages[] = {
      {"hello", 1},
      {std::string("a\0b\0\0c", 6), 2},
      {"", 3},
      {binary_payload(static_cast<size_t>(msgmax())), 4},
      {"last", LONG_MAX},
  };
  for (const auto &[data, type] : messages) ASSERT_EQ(send(q.mq, data, type), PIPC_OK) << type;
  EXPECT_EQ(messages_in(q.mq), 5u);
  for (const auto &[data, type] : messages) {
    const received r = receive(q.mq, 0, 0, static_cast<size_t>(msgmax()));
    ASSERT_EQ(r.status, PIPC_OK) << pipc_last_message();
    EXPECT_EQ(r.data, data);
    EXPECT_EQ(r.type, type);
  }
  EXPECT_EQ(messages_in(q.mq), 0u);
}

TEST(SysvMqMessages, TypeOutMayBeNullAndAnEmptyMessageNeedsNoBuffer) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_mq_send(q.mq, nullptr, 0, 9, 0), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(send(q.mq, "xyz", 9), PIPC_OK);
  size_t len = 99;
  ASSERT_EQ(pipc_sysv_mq_receive(&len, nullptr, q.mq, nullptr, 0, 9, 0, 0), PIPC_OK)
      << pipc_last_message();
  EXPECT_EQ(len, 0u);
  char buf[8] = {};
  ASSERT_EQ(pipc_sysv_mq_receive(&len, nullptr, q.mq, buf, sizeof buf, 0, 0, 0), PIPC_OK);
  EXPECT_EQ(std::string(buf, len), "xyz");
}

TEST(SysvMqMessages, ReceiveSelectsByType) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  for (int64_t type : {4, 3, 2, 1}) {
    ASSERT_EQ(send(q.mq, "t" + std::to_string(type), type), PIPC_OK);
  }
  // < 0: the lowest type <= |type|; 0: the first in the queue; > 0: that type.
  const std::pair<int64_t, int64_t> steps[] = {{-2, 1}, {-2, 2}, {0, 4}, {3, 3}};
  for (const auto &[asked, expected] : steps) {
    SCOPED_TRACE(asked);
    const received r = receive(q.mq, asked);
    ASSERT_EQ(r.status, PIPC_OK) << pipc_last_message();
    EXPECT_EQ(r.type, expected);
    EXPECT_EQ(r.data, "t" + std::to_string(expected));
  }
  EXPECT_EQ(messages_in(q.mq), 0u);
}

TEST(SysvMqMessages, NoMessageOfTheTypeIsEagainAndTheOthersStay) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(send(q.mq, "five", 5), PIPC_OK);
  ASSERT_EQ(send(q.mq, "seven", 7), PIPC_OK);
  for (int64_t type : {int64_t{6}, int64_t{-4}, int64_t{LONG_MAX}}) {
    EXPECT_EQ(receive(q.mq, type).status, PIPC_EAGAIN) << type;
    EXPECT_EQ(pipc_last_errno(), ENOMSG);
    EXPECT_TRUE(message_mentions("pipc_sysv_mq_receive"));
  }
  EXPECT_EQ(receive(q.mq, 7).data, "seven");
  EXPECT_EQ(receive(q.mq, -LONG_MAX).data, "five");
}

TEST(SysvMqMessages, AMessageLongerThanCapStaysQueuedUnlessTruncated) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  const std::string data = binary_payload(100);
  ASSERT_EQ(send(q.mq, data, 2), PIPC_OK);
  for (size_t cap : {size_t{0}, size_t{99}}) {
    EXPECT_EQ(receive(q.mq, 0, 0, cap).status, PIPC_EMSGSIZE) << cap;
    EXPECT_EQ(pipc_last_errno(), E2BIG);
    EXPECT_TRUE(message_mentions("pipc_sysv_mq_receive"));
    EXPECT_TRUE(message_mentions("longer than cap (" + std::to_string(cap)));
    EXPECT_EQ(messages_in(q.mq), 1u);
  }
  // FOREVER finds the message at once too: too long is no reason to wait.
  EXPECT_EQ(receive(q.mq, 0, PIPC_FOREVER, 10).status, PIPC_EMSGSIZE);
  received whole = receive(q.mq, 0, 0, 100);
  ASSERT_EQ(whole.status, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(whole.data, data);
  EXPECT_EQ(whole.type, 2);

  for (size_t cap : {size_t{0}, size_t{40}}) {
    ASSERT_EQ(send(q.mq, data, 3), PIPC_OK);
    const received cut = receive(q.mq, 0, 0, cap, PIPC_SYSV_MSG_TRUNCATE);
    ASSERT_EQ(cut.status, PIPC_OK) << pipc_last_message();
    EXPECT_EQ(cut.data, data.substr(0, cap));
    EXPECT_EQ(cut.type, 3);
    EXPECT_EQ(messages_in(q.mq), 0u);  // the rest is gone
  }
}

TEST(SysvMqMessages, ABufferBiggerThanAnyMessageIsFine) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  const std::string data = binary_payload(1000, 3);
  ASSERT_EQ(send(q.mq, data, 1), PIPC_OK);
  const received r = receive(q.mq, 0, 0, size_t{1} << 22);
  ASSERT_EQ(r.status, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(r.data, data);
}

TEST(SysvMqMessages, AMessageLongerThanMsgmaxIsEmsgsize) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  const std::string data = binary_payload(static_cast<size_t>(msgmax()) + 1);
  for (int64_t timeout : {int64_t{0}, s, PIPC_FOREVER}) {
    EXPECT_EQ(send(q.mq, data, 1, timeout), PIPC_EMSGSIZE) << timeout;
    EXPECT_TRUE(message_mentions("pipc_sysv_mq_send"));
    EXPECT_TRUE(message_mentions("/proc/sys/kernel/msgmax"));
  }
  EXPECT_EQ(messages_in(q.mq), 0u);
  EXPECT_EQ(pipc_sysv_mq_message_size_max(), msgmax());
  EXPECT_EQ(pipc_sysv_mq_default_max_bytes(), msgmnb());
}

// Messages above the usual msgmax, in a child with an IPC namespace of its own
// whose limits it may raise: the receive buffer grows to fit them.
TEST(SysvMqMessages, MessagesLongerThanTheUsualMsgmaxWhereTheLimitIsRaised) {
  const pid_t child = spawn([] {
    if (unshare(CLONE_NEWIPC) != 0) return 77;
    for (const char *path : {"/proc/sys/kernel/msgmax", "/proc/sys/kernel/msgmnb"}) {
      std::FILE *file = std::fopen(path, "w");
      if (file == nullptr) return 77;
      const bool written = std::fprintf(file, "300000\n") > 0;
      if (std::fclose(file) != 0 || !written) return 77;
    }
    int code = 0;
    // A new thread starts with no message buffer.
    std::thread([&] {
      pipc_sysv_mq *mq = nullptr;
      const pipc_sysv_mq_options opts = options(PIPC_CREX);
      if (pipc_sysv_mq_open(&mq, PIPC_IPC_PRIVATE, &opts) != PIPC_OK) return void(code = 1);
      const std::string big = binary_payload(200000, 5);
      if (send(mq, big, 4) != PIPC_OK) return void(code = 2);
      if (receive(mq, 0, 0, 100000).status != PIPC_EMSGSIZE) return void(code = 3);
      const received cut = receive(mq, 0, 0, 150000, PIPC_SYSV_MSG_TRUNCATE);
      if (cut.status != PIPC_OK || cut.data != big.substr(0, 150000)) return void(code = 4);
      if (send(mq, big, 4) != PIPC_OK) return void(code = 5);
      const received whole = receive(mq, 0, 0, size_t{1} << 20);
      if (whole.status != PIPC_OK || whole.data != big || whole.type != 4) return void(code = 6);
      if (send(mq, binary_payload(300001), 1) != PIPC_EMSGSIZE) return void(code = 7);
      pipc_sysv_mq_remove(mq);
      pipc_sysv_mq_close(mq);
    }).join();
    return code;
  });
  const int code = wait_child(child);
  if (code == 77) GTEST_SKIP() << "no IPC namespace of its own for the child";
  EXPECT_EQ(code, 0);
}

TEST(SysvMqMessages, ThreadsEachUseTheirOwnBuffer) {
  owned_mq q;
  ASSERT_EQ(q.create(static_cast<uint64_t>(msgmnb())), PIPC_OK) << pipc_last_message();
  constexpr int threads = 8;
  constexpr int rounds = 200;
  std::vector<std::future<int>> workers;
  for (int t = 1; t <= threads; ++t) {
    workers.push_back(std::async(std::launch::async, [&, t] {
      for (int i = 0; i < rounds; ++i) {
        // Each thread its own type and growing lengths, so buffers grow while others run.
        const std::string data = binary_payload(static_cast<size_t>((i * 13 + t) % 1500), t + i);
        if (send(q.mq, data, t, 10 * s) != PIPC_OK) return 1;
        const received r = receive(q.mq, t, 10 * s, 2000);
        if (r.status != PIPC_OK || r.data != data || r.type != t) return 2;
      }
      return 0;
    }));
  }
  for (auto &w : workers) EXPECT_EQ(w.get(), 0);
  EXPECT_EQ(messages_in(q.mq), 0u);
}

// ---- A full queue -------------------------------------------------------------------

TEST(SysvMqFull, SendOnAFullQueueWaitsOnlyAsLongAsAllowed) {
  owned_mq q;
  ASSERT_EQ(make_queue(q, true), PIPC_OK) << pipc_last_message();
  int64_t start = now_ns();
  EXPECT_EQ(send(q.mq, "x"), PIPC_EAGAIN);
  EXPECT_LT(now_ns() - start, s);
  EXPECT_EQ(pipc_last_errno(), EAGAIN);
  EXPECT_TRUE(message_mentions("pipc_sysv_mq_send"));
  for (int64_t timeout : {int64_t{1}, 300 * ms}) {
    SCOPED_TRACE(timeout);
    start = now_ns();
    EXPECT_EQ(send(q.mq, "x", 1, timeout), PIPC_ETIMEDOUT);
    const int64_t waited = now_ns() - start;
    EXPECT_GE(waited, timeout);
    EXPECT_LT(waited, timeout + margin);
    EXPECT_EQ(pipc_last_errno(), ETIMEDOUT);
    EXPECT_TRUE(message_mentions("pipc_sysv_mq_send"));
  }
  EXPECT_EQ(messages_in(q.mq), 1u);
}

TEST(SysvMqFull, AMessageBiggerThanMaxBytesNeverFitsAndDoesNotWait) {
  owned_mq q;
  ASSERT_EQ(q.create(8), PIPC_OK) << pipc_last_message();
  for (int64_t timeout : {PIPC_FOREVER, 60 * s}) {
    const int64_t start = now_ns();
    EXPECT_EQ(send(q.mq, "123456789", 1, timeout), PIPC_EMSGSIZE) << timeout;
    EXPECT_LT(now_ns() - start, s);
    EXPECT_TRUE(message_mentions("max_bytes (8)"));
  }
  EXPECT_EQ(send(q.mq, "123456789"), PIPC_EAGAIN);  // timeout 0: the one try only
  EXPECT_EQ(send(q.mq, "12345678", 1, PIPC_FOREVER), PIPC_OK);
}

TEST(SysvMqFull, ABlockedSendCompletesWhenAChildReceives) {
  for (int64_t timeout : {PIPC_FOREVER, 60 * s}) {
    SCOPED_TRACE(timeout);
    owned_mq q;
    ASSERT_EQ(make_queue(q, true), PIPC_OK) << pipc_last_message();
    background_call sender([&] { return send(q.mq, "second", 2, timeout); });
    EXPECT_TRUE(wait_until_blocked(sender.tid(), waiting_syscall));
    const pid_t child = spawn([&] {
      other_handle mine(q.key);
      if (mine.rc != PIPC_OK) return 1;
      const received r = receive(mine.mq, 0, 10 * s);
      return r.status == PIPC_OK && r.data == "12345678" ? 0 : 2;
    });
    EXPECT_EQ(wait_child(child), 0);
    EXPECT_EQ(sender.status(), PIPC_OK);
    const received r = receive(q.mq);
    EXPECT_EQ(r.data, "second");
    EXPECT_EQ(r.type, 2);
  }
}

// ---- Empty queue and timeouts -------------------------------------------------------

TEST(SysvMqTimeout, ReceiveOnAnEmptyQueueWaitsOnlyAsLongAsAllowed) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  int64_t start = now_ns();
  EXPECT_EQ(receive(q.mq).status, PIPC_EAGAIN);
  EXPECT_LT(now_ns() - start, s);
  for (int64_t timeout : {int64_t{1}, 300 * ms}) {
    SCOPED_TRACE(timeout);
    start = now_ns();
    EXPECT_EQ(receive(q.mq, 0, timeout).status, PIPC_ETIMEDOUT);
    const int64_t waited = now_ns() - start;
    EXPECT_GE(waited, timeout);
    EXPECT_LT(waited, timeout + margin);
    EXPECT_EQ(pipc_last_errno(), ETIMEDOUT);
    EXPECT_TRUE(message_mentions("pipc_sysv_mq_receive"));
  }
}

TEST(SysvMqTimeout, AQueuedMessageIsTakenAtOnceWhateverTheTimeout) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  for (int64_t timeout : {int64_t{0}, int64_t{1}, PIPC_FOREVER, INT64_MAX}) {
    ASSERT_EQ(send(q.mq, "m", 1, timeout), PIPC_OK);
    const int64_t start = now_ns();
    EXPECT_EQ(receive(q.mq, 0, timeout).status, PIPC_OK) << timeout;
    EXPECT_LT(now_ns() - start, s);
  }
}

TEST(SysvMqTimeout, AWaitingReceiveEndsWhenAnotherThreadSends) {
  // INT64_MAX checks that the deadline does not wrap into the past.
  for (int64_t timeout : {PIPC_FOREVER, 60 * s, int64_t{INT64_MAX}}) {
    SCOPED_TRACE(timeout);
    owned_mq q;
    ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
    background_call receiver([&]() -> int {
      const received r = receive(q.mq, 6, timeout);
      return r.status == PIPC_OK && r.data != "wake" ? PIPC_ERROR : r.status;
    });
    EXPECT_TRUE(wait_until_blocked(receiver.tid(), waiting_syscall));
    ASSERT_EQ(send(q.mq, "other", 5), PIPC_OK);  // not the type it waits for
    EXPECT_TRUE(wait_until_blocked(receiver.tid(), waiting_syscall));
    EXPECT_TRUE(receiver.running());
    ASSERT_EQ(send(q.mq, "wake", 6), PIPC_OK);
    EXPECT_EQ(receiver.status(), PIPC_OK);
    EXPECT_EQ(messages_in(q.mq), 1u);
  }
}

// A wait polls: it takes a message at most 50 ms after it arrives (sysv.h), once
// its pauses have grown to their longest. Each receiver has waited 200 ms before the
// message comes, so that they have (that wait is the condition measured, not a
// synchronisation). The median of a few tries keeps a busy machine from failing it.
TEST(SysvMqTimeout, AWaitingReceiveTakesAMessageWithin50MillisecondsOfItsArrival) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  for (int64_t timeout : {PIPC_FOREVER, 10 * s}) {
    SCOPED_TRACE(timeout);
    std::vector<int64_t> delays;
    for (int i = 0; i < 5; ++i) {
      std::atomic<int64_t> returned{0};
      background_call receiver([&] {
        const int rc = receive(q.mq, 0, timeout).status;
        returned = now_ns();
        return rc;
      });
      EXPECT_TRUE(wait_until_blocked(receiver.tid(), waiting_syscall));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      const int64_t sent = now_ns();
      ASSERT_EQ(send(q.mq, "now"), PIPC_OK);
      ASSERT_EQ(receiver.status(), PIPC_OK);
      delays.push_back(returned - sent);
    }
    std::sort(delays.begin(), delays.end());
    EXPECT_LT(delays[delays.size() / 2], 55 * ms);
  }
}

// Polling sleeps between tries (no spinning): some 10 pauses growing to 50 ms in
// the first 100 ms, then 20 a second.
TEST(SysvMqTimeout, AWaitSleepsBetweenItsTriesRatherThanSpins) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  timespec cpu_start{}, cpu_end{};
  const int64_t sleeps_before = pipc_test::voluntary_switches(gettid());
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_start);
  EXPECT_EQ(receive(q.mq, 0, 1 * s).status, PIPC_ETIMEDOUT);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_end);
  const int64_t sleeps = pipc_test::voluntary_switches(gettid()) - sleeps_before;
  const int64_t cpu =
      (cpu_end.tv_sec - cpu_start.tv_sec) * s + (cpu_end.tv_nsec - cpu_start.tv_nsec);
  EXPECT_LT(cpu, 100 * ms);  // a spinning wait would use the whole second
  ASSERT_GE(sleeps_before, 0);
  EXPECT_GE(sleeps, 10);
  EXPECT_LE(sleeps, 40);
}

// ---- Signals ------------------------------------------------------------------------

// A handler interrupts a wait with PIPC_EINTR whether or not it asked for
// SA_RESTART: the kernel restarts none of msgsnd, msgrcv or clock_nanosleep after
// a handler.
TEST(SysvMqSignal, ASignalDuringAWaitGivesEintr) {
  for (int flags : {0, SA_RESTART}) {
    for (const blocked_call &c : blocked_calls) {
      SCOPED_TRACE(testing::Message() << (flags ? "SA_RESTART, " : "no SA_RESTART, ") << c.what);
      owned_mq q;
      ASSERT_EQ(make_queue(q, c.sends), PIPC_OK) << pipc_last_message();
      usr1_handler handler(count_signal, flags);
      signals_caught = 0;
      std::promise<std::pair<int, int>> first;  // status and errno of the interrupted wait
      auto interrupted = first.get_future();
      std::thread waiter([&] {
        const int rc = run_blocked(q.mq, c);
        first.set_value({rc, pipc_last_errno()});
      });
      // The first signal may arrive before the wait began: send until the wait returns.
      const int64_t give_up = now_ns() + 10 * s;
      while (interrupted.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready &&
             now_ns() < give_up) {
        pthread_kill(waiter.native_handle(), SIGUSR1);
      }
      if (interrupted.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        pipc_sysv_mq_remove(q.mq);  // ends the wait if no signal did
      }
      waiter.join();
      const auto [status, err] = interrupted.get();
      EXPECT_EQ(status, PIPC_EINTR);
      EXPECT_EQ(err, EINTR);
      EXPECT_GE(signals_caught.load(), 1);
      // Nothing was sent or taken.
      EXPECT_EQ(messages_in(q.mq), c.sends ? 1u : 0u);
    }
  }
}

pipc_sysv_mq *handler_queue = nullptr;

// Does only what a handler may: allocates nothing, and leaves errno as it found it.
void send_from_handler(int) {
  const int saved_errno = errno;
  static const char text[] = "from the handler";
  pipc_sysv_mq_send(handler_queue, text, sizeof text - 1, 3, 0);
  errno = saved_errno;
}

// A signal handler may send while its thread waits in a receive: it gets a
// message buffer of its own, and both calls work.
TEST(SysvMqSignal, AHandlerMaySendWhileItsThreadWaitsInReceive) {
  owned_mq waited, other;
  ASSERT_EQ(waited.create(), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(other.create(), PIPC_OK) << pipc_last_message();
  handler_queue = other.mq;
  usr1_handler handler(send_from_handler);
  background_call receiver([&]() -> int {
    const int rc = receive(waited.mq, 0, PIPC_FOREVER).status;
    if (rc != PIPC_EINTR) return rc;
    const received r = receive(waited.mq, 0, 10 * s);
    return r.status == PIPC_OK && r.data == "after" ? PIPC_OK : PIPC_ERROR;
  });
  ASSERT_TRUE(wait_until_blocked(receiver.tid(), waiting_syscall));
  ASSERT_EQ(syscall(SYS_tgkill, getpid(), receiver.tid(), SIGUSR1), 0);
  const received r = receive(other.mq, 0, 10 * s);
  EXPECT_EQ(r.status, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(r.data, "from the handler");
  EXPECT_EQ(r.type, 3);
  ASSERT_EQ(send(waited.mq, "after"), PIPC_OK);
  EXPECT_EQ(receiver.status(), PIPC_OK);
}

// ---- Several processes --------------------------------------------------------------

TEST(SysvMqProcesses, MessagesTravelBothWaysWithTheirTypes) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  const std::pair<std::string, int64_t> down[] = {
      {"to the child", 1}, {std::string("\0\0nul\0", 6), 2}, {"", 3}, {binary_payload(4000), 4}};
  const std::pair<std::string, int64_t> up[] = {
      {"to the parent", 11},
      {std::string("\0x\0", 3), 12},
      {"", 13},
      {binary_payload(3000, 9), 14}};
  const pid_t child = spawn([&] {
    other_handle mine(q.key);  // found by key, not the inherited handle
    if (mine.rc != PIPC_OK) return 1;
    for (const auto &[data, type] : down) {
      // The parent sends after the child waits: the first receive really blocks.
      const received r = receive(mine.mq, type, PIPC_FOREVER, 8192);
      if (r.status != PIPC_OK || r.data != data || r.type != type) return 2;
    }
    for (const auto &[data, type] : up) {
      if (send(mine.mq, data, type, 10 * s) != PIPC_OK) return 3;
    }
    return 0;
  });
  EXPECT_TRUE(wait_until_blocked(child, waiting_syscall));
  for (const auto &[data, type] : down) ASSERT_EQ(send(q.mq, data, type, 10 * s), PIPC_OK);
  for (const auto &[data, type] : up) {
    const received r = receive(q.mq, type, 10 * s, 8192);  // not its own messages
    ASSERT_EQ(r.status, PIPC_OK) << pipc_last_message();
    EXPECT_EQ(r.data, data);
    EXPECT_EQ(r.type, type);
  }
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(messages_in(q.mq), 0u);
}

// ---- Stat, capacity and owner fields --------------------------------------------------

TEST(SysvMqStat, TheFieldsFollowSendsAndReceives) {
  owned_mq q;
  ASSERT_EQ(q.create(1000, 0604), PIPC_OK) << pipc_last_message();
  pipc_sysv_mq_stat st{};
  ASSERT_EQ(pipc_sysv_mq_stat_get(&st, q.mq), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(st.perm.key, q.key);
  EXPECT_EQ(st.perm.uid, geteuid());
  EXPECT_EQ(st.perm.gid, getegid());
  EXPECT_EQ(st.perm.cuid, geteuid());
  EXPECT_EQ(st.perm.cgid, getegid());
  EXPECT_EQ(st.perm.mode, 0604u);
  EXPECT_EQ(st.current_messages, 0u);
  EXPECT_EQ(st.current_bytes, 0u);
  EXPECT_EQ(st.max_bytes, 1000u);
  EXPECT_EQ(st.stime, 0);
  EXPECT_EQ(st.rtime, 0);
  EXPECT_NE(st.ctime, 0);
  EXPECT_EQ(st.last_send_pid, 0);
  EXPECT_EQ(st.last_receive_pid, 0);

  const pid_t child = spawn([&] {
    return send(q.mq, "12345", 1) == PIPC_OK && send(q.mq, "abc", 2) == PIPC_OK ? 0 : 1;
  });
  ASSERT_EQ(wait_child(child), 0);
  const int64_t before = time(nullptr);
  ASSERT_EQ(pipc_sysv_mq_stat_get(&st, q.mq), PIPC_OK);
  EXPECT_EQ(st.current_messages, 2u);
  EXPECT_EQ(st.current_bytes, 8u);
  EXPECT_EQ(st.last_send_pid, child);
  EXPECT_EQ(st.last_receive_pid, 0);
  EXPECT_GT(st.stime, 0);
  EXPECT_LE(st.stime, before);

  ASSERT_EQ(receive(q.mq).status, PIPC_OK);
  ASSERT_EQ(pipc_sysv_mq_stat_get(&st, q.mq), PIPC_OK);
  EXPECT_EQ(st.current_messages, 1u);
  EXPECT_EQ(st.current_bytes, 3u);
  EXPECT_EQ(st.last_receive_pid, getpid());
  EXPECT_GE(st.rtime, before);
  // The same as the kernel's own.
  const msqid_ds ds = raw_stat(q.id);
  EXPECT_EQ(st.stime, ds.msg_stime);
  EXPECT_EQ(st.rtime, ds.msg_rtime);
  EXPECT_EQ(st.ctime, ds.msg_ctime);
  EXPECT_EQ(st.current_bytes, ds.__msg_cbytes);
}

TEST(SysvMqCapacity, SetMaxBytesChangesTheCapacity) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  for (uint64_t max_bytes : {uint64_t{5}, uint64_t{1}, static_cast<uint64_t>(msgmnb())}) {
    ASSERT_EQ(pipc_sysv_mq_set_max_bytes(q.mq, max_bytes), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(max_bytes_of(q.mq), max_bytes);
    EXPECT_EQ(raw_stat(q.id).msg_qbytes, max_bytes);
  }
  // The new capacity holds: 5 bytes fit, 6 do not.
  ASSERT_EQ(pipc_sysv_mq_set_max_bytes(q.mq, 5), PIPC_OK);
  EXPECT_EQ(send(q.mq, "12345"), PIPC_OK);
  EXPECT_EQ(send(q.mq, "1"), PIPC_EAGAIN);
  EXPECT_EQ(send(q.mq, "123456", 1, PIPC_FOREVER), PIPC_EMSGSIZE);
}

TEST(SysvMqCapacity, RaisingAboveMsgmnbNeedsCapSysResource) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  // The child runs as the queue's owner without CAP_SYS_RESOURCE: as root, nobody
  // (made the owner first); otherwise the current user, who lacks it anyway.
  if (geteuid() == 0) {
    ASSERT_EQ(pipc_sysv_mq_set_perm(q.mq, nobody, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP), PIPC_OK)
        << pipc_last_message();
  }
  const uint64_t above = static_cast<uint64_t>(msgmnb()) + 1;
  const pid_t child = spawn([&] {
    if (geteuid() == 0 && !become_nobody()) return 1;
    if (pipc_sysv_mq_set_max_bytes(q.mq, 100) != PIPC_OK) return 2;  // the owner may lower it
    if (pipc_sysv_mq_set_max_bytes(q.mq, above) != PIPC_EACCES) return 3;
    if (pipc_last_errno() != EPERM) return 4;
    if (!message_mentions("pipc_sysv_mq_set_max_bytes") ||
        !message_mentions("/proc/sys/kernel/msgmnb") || !message_mentions("CAP_SYS_RESOURCE")) {
      return 5;
    }
    return 0;
  });
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(max_bytes_of(q.mq), 100u);
}

TEST(SysvMqPerm, SetPermChangesOwnerAndModeAndKeepsTheRest) {
  owned_mq q;
  ASSERT_EQ(q.create(0, 0600), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_mq_set_max_bytes(q.mq, 321), PIPC_OK);
  ASSERT_EQ(pipc_sysv_mq_set_perm(q.mq, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0640), PIPC_OK)
      << pipc_last_message();
  msqid_ds ds = raw_stat(q.id);
  EXPECT_EQ(ds.msg_perm.mode & 0777, 0640u);
  EXPECT_EQ(ds.msg_perm.uid, geteuid());
  EXPECT_EQ(ds.msg_qbytes, 321u);
  if (geteuid() != 0) return;  // only a privileged process may give a queue away
  ASSERT_EQ(pipc_sysv_mq_set_perm(q.mq, nobody, nobody, PIPC_SYSV_KEEP), PIPC_OK)
      << pipc_last_message();
  ds = raw_stat(q.id);
  EXPECT_EQ(ds.msg_perm.uid, nobody);
  EXPECT_EQ(ds.msg_perm.gid, nobody);
  EXPECT_EQ(ds.msg_perm.cuid, 0u);
  EXPECT_EQ(ds.msg_perm.mode & 0777, 0640u);
  pipc_sysv_mq_stat st{};
  ASSERT_EQ(pipc_sysv_mq_stat_get(&st, q.mq), PIPC_OK);
  EXPECT_EQ(st.perm.uid, nobody);
  EXPECT_EQ(st.perm.gid, nobody);
}

TEST(SysvMqPerm, SomeoneElseMayNotChangeIt) {
  owned_mq q;
  ASSERT_EQ(q.create(0, 0666), PIPC_OK) << pipc_last_message();
  const pid_t child = spawn([&] {
    if (geteuid() == 0 && !become_nobody()) return 1;
    if (geteuid() != nobody) return 0;  // the owner itself: nothing to deny
    if (pipc_sysv_mq_set_perm(q.mq, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0600) != PIPC_EACCES) return 2;
    if (!message_mentions("pipc_sysv_mq_set_perm")) return 3;
    if (pipc_sysv_mq_set_max_bytes(q.mq, 10) != PIPC_EACCES) return 4;
    return pipc_sysv_mq_remove(q.mq) == PIPC_EACCES ? 0 : 5;
  });
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(raw_stat(q.id).msg_perm.mode & 0777, 0666u);
  EXPECT_EQ(max_bytes_of(q.mq), static_cast<uint64_t>(msgmnb()));
  EXPECT_TRUE(queue_exists(q.key));
}

// ---- Bad input ----------------------------------------------------------------------

TEST(SysvMqBadInput, NullAndForeignHandlesAreRejectedByEveryFunction) {
  pipc_sem *sem = nullptr;
  ASSERT_EQ(pipc_sem_open(&sem, nullptr, nullptr), PIPC_OK) << pipc_last_message();
  scope_exit cleanup([&] {
    pipc_sem_unlink(sem);
    pipc_sem_close(sem);
  });
  char buf[8];
  size_t len = 0;
  uint64_t n = 0;
  int64_t key = 0;
  pipc_sysv_mq_stat st{};
  const std::pair<const char *, std::function<int(pipc_sysv_mq *)>> calls[] = {
      {"pipc_sysv_mq_send", [&](pipc_sysv_mq *h) { return pipc_sysv_mq_send(h, "x", 1, 1, 0); }},
      {"pipc_sysv_mq_receive",
       [&](pipc_sysv_mq *h) { return pipc_sysv_mq_receive(&len, nullptr, h, buf, 8, 0, 0, 0); }},
      {"pipc_sysv_mq_current_messages",
       [&](pipc_sysv_mq *h) { return pipc_sysv_mq_current_messages(&n, h); }},
      {"pipc_sysv_mq_max_bytes", [&](pipc_sysv_mq *h) { return pipc_sysv_mq_max_bytes(&n, h); }},
      {"pipc_sysv_mq_set_max_bytes",
       [&](pipc_sysv_mq *h) { return pipc_sysv_mq_set_max_bytes(h, 100); }},
      {"pipc_sysv_mq_stat_get", [&](pipc_sysv_mq *h) { return pipc_sysv_mq_stat_get(&st, h); }},
      {"pipc_sysv_mq_set_perm",
       [&](pipc_sysv_mq *h) {
         return pipc_sysv_mq_set_perm(h, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0600);
       }},
      {"pipc_sysv_mq_id", pipc_sysv_mq_id},
      {"pipc_sysv_mq_key", [&](pipc_sysv_mq *h) { return pipc_sysv_mq_key(&key, h); }},
      {"pipc_sysv_mq_created", pipc_sysv_mq_created},
      {"pipc_sysv_mq_remove", pipc_sysv_mq_remove},
  };
  pipc_test::expect_rejects_bad_handles(calls, reinterpret_cast<pipc_sysv_mq *>(sem),
                                        "POSIX semaphore handle");
  EXPECT_EQ(pipc_sysv_mq_close(reinterpret_cast<pipc_sysv_mq *>(sem)), PIPC_EBADHANDLE);
  // The semaphore was neither closed nor changed by the queue calls.
  EXPECT_EQ(pipc_sem_release(sem), PIPC_OK) << pipc_last_message();
  int value = -1;
  EXPECT_EQ(pipc_sem_value(&value, sem), PIPC_OK);
  EXPECT_EQ(value, 1);
}

TEST(SysvMqBadInput, OpenRejectsBadOptionsAndKeysAndCreatesNothing) {
  const int64_t key = unique_key();
  const pipc_sysv_mq_options crex = options(PIPC_CREX);
  auto cases = pipc_test::options_no_family_takes(crex);
  cases.insert(cases.end(), {
      {"a shared memory flag",
       pipc_test::spoiled(crex, [](auto &o) { o.flags |= PIPC_SHM_HUGETLB; }), PIPC_EINVAL},
      {"a semaphore flag",
       pipc_test::spoiled(crex, [](auto &o) { o.flags |= PIPC_SYSV_SEM_SETVAL; }), PIPC_EINVAL},
      {"max_bytes INT_MAX + 1",
       pipc_test::spoiled(crex, [](auto &o) { o.max_bytes = uint64_t{INT32_MAX} + 1; }),
       PIPC_ERANGE},
      {"max_bytes 2^32", pipc_test::spoiled(crex, [](auto &o) { o.max_bytes = uint64_t{1} << 32; }),
       PIPC_ERANGE},
      {"max_bytes ~0", pipc_test::spoiled(crex, [](auto &o) { o.max_bytes = UINT64_MAX; }),
       PIPC_ERANGE},
  });
  pipc_test::expect_open_refuses(family, key, cases);
  pipc_test::expect_open_refuses_bad_keys(family, crex);
  EXPECT_EQ(pipc_sysv_mq_open(nullptr, key, &crex), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("out is NULL"));
  EXPECT_FALSE(queue_exists(key));
}

TEST(SysvMqBadInput, OpenIdAndRemoveIdRejectImpossibleIds) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  pipc_test::expect_bad_ids_refused(family, q.id);
  // INT32_MAX is a possible id, but its slot (32767) is beyond msgmni: unused.
  EXPECT_EQ(pipc_sysv_mq_remove_id(INT32_MAX), PIPC_ENOENT);
  EXPECT_TRUE(message_mentions("pipc_sysv_mq_remove_id"));
  EXPECT_EQ(msgget(static_cast<key_t>(q.key), 0), q.id);
}

TEST(SysvMqBadInput, SendRejectsBadArgumentsAndQueuesNothing) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_mq_send(q.mq, nullptr, 1, 1, 0), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("data is NULL"));
  for (int64_t type : {int64_t{0}, int64_t{-1}, int64_t{INT64_MIN}}) {
    EXPECT_EQ(send(q.mq, "x", type), PIPC_ERANGE) << type;
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions("pipc_sysv_mq_send"));
    EXPECT_TRUE(message_mentions(std::to_string(type)));
  }
  for (int64_t timeout : {int64_t{-3}, -s, int64_t{INT64_MIN}}) {
    EXPECT_EQ(send(q.mq, "x", 1, timeout), PIPC_ERANGE) << timeout;
    EXPECT_TRUE(message_mentions("pipc_sysv_mq_send"));
  }
  EXPECT_EQ(raw_stat(q.id).msg_qnum, 0u);
}

TEST(SysvMqBadInput, ReceiveRejectsBadArgumentsAndTakesNothing) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(send(q.mq, "kept", 2), PIPC_OK);
  char buf[16];
  size_t len = 77;
  int64_t type = 77;
  struct bad_receive {
    const char *what;
    std::function<int()> call;
    int status;
  };
  const bad_receive cases[] = {
      {"NULL len_out",
       [&] { return pipc_sysv_mq_receive(nullptr, &type, q.mq, buf, sizeof buf, 0, 0, 0); },
       PIPC_EINVAL},
      {"NULL buf", [&] { return pipc_sysv_mq_receive(&len, &type, q.mq, nullptr, 4, 0, 0, 0); },
       PIPC_EINVAL},
      {"unknown flag",
       [&] { return pipc_sysv_mq_receive(&len, &type, q.mq, buf, sizeof buf, 0, 0x2, 0); },
       PIPC_EINVAL},
      {"every flag",
       [&] { return pipc_sysv_mq_receive(&len, &type, q.mq, buf, sizeof buf, 0, UINT32_MAX, 0); },
       PIPC_EINVAL},
      {"type INT64_MIN",
       [&] {
         return pipc_sysv_mq_receive(&len, &type, q.mq, buf, sizeof buf, INT64_MIN, 0, 0);
       },
       PIPC_ERANGE},
      {"timeout -2",
       [&] { return pipc_sysv_mq_receive(&len, &type, q.mq, buf, sizeof buf, 0, 0, -3); },
       PIPC_ERANGE},
      {"timeout INT64_MIN",
       [&] { return pipc_sysv_mq_receive(&len, &type, q.mq, buf, sizeof buf, 0, 0, INT64_MIN); },
       PIPC_ERANGE},
  };
  for (const bad_receive &c : cases) {
    EXPECT_EQ(c.call(), c.status) << c.what;
    EXPECT_EQ(pipc_last_errno(), c.status == PIPC_ERANGE ? ERANGE : EINVAL);
    EXPECT_TRUE(message_mentions("pipc_sysv_mq_receive")) << c.what;
  }
  EXPECT_EQ(len, 77u);
  EXPECT_EQ(type, 77);
  // The lowest type that can be negated is fine.
  const received r = receive(q.mq, -INT64_MAX);
  EXPECT_EQ(r.status, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(r.data, "kept");
}

TEST(SysvMqBadInput, OutParametersMustNotBeNull) {
  owned_mq q;
  ASSERT_EQ(q.create(), PIPC_OK) << pipc_last_message();
  const std::pair<const char *, std::function<int()>> calls[] = {
      {"pipc_sysv_mq_current_messages",
       [&] { return pipc_sysv_mq_current_messages(nullptr, q.mq); }},
      {"pipc_sysv_mq_max_bytes", [&] { return pipc_sysv_mq_max_bytes(nullptr, q.mq); }},
      {"pipc_sysv_mq_stat_get", [&] { return pipc_sysv_mq_stat_get(nullptr, q.mq); }},
      {"pipc_sysv_mq_key", [&] { return pipc_sysv_mq_key(nullptr, q.mq); }},
  };
  pipc_test::expect_each_fails(calls, PIPC_EINVAL, EINVAL);
}

TEST(SysvMqBadInput, SetMaxBytesAndSetPermRejectValuesOutOfRangeAndChangeNothing) {
  owned_mq q;
  ASSERT_EQ(q.create(200, 0640), PIPC_OK) << pipc_last_message();
  for (uint64_t max_bytes : {uint64_t{0}, uint64_t{INT32_MAX} + 1, uint64_t{1} << 32, UINT64_MAX}) {
    EXPECT_EQ(pipc_sysv_mq_set_max_bytes(q.mq, max_bytes), PIPC_ERANGE) << max_bytes;
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions("pipc_sysv_mq_set_max_bytes"));
  }
  EXPECT_EQ(raw_stat(q.id).msg_qbytes, 200u);
  pipc_test::expect_set_perm_refuses_bad_values(family, q.mq);
  const msqid_ds ds = raw_stat(q.id);
  EXPECT_EQ(ds.msg_perm.mode & 0777, 0640u);
  EXPECT_EQ(ds.msg_perm.uid, geteuid());
  EXPECT_EQ(ds.msg_perm.gid, getegid());
  EXPECT_EQ(ds.msg_qbytes, 200u);
}

}  // namespace
