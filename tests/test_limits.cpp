// System limits: each one that refuses an object gives PIPC_ELIMIT, keeps the OS's
// errno, and names the limit with the value that applied, the call and the object.
//
// Every case lowers its limit in a forked child with a private IPC (and, for /dev/shm,
// mount) namespace (isolated_child.hpp): the machine's limits and objects stay as they
// are, and a failure cannot leave them altered.
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "isolated_child.hpp"
#include "support.hpp"

namespace {

using pipc_test::child_report;
using pipc_test::mentions;
using pipc_test::run_isolated;
using pipc_test::step_failed;
using pipc_test::unique_key;
using pipc_test::unique_name;
using pipc_test::write_proc;

const uint64_t page = static_cast<uint64_t>(pipc_page_size());

// "key 0x0001e203", as messages name System V objects.
std::string key_text(int64_t key) {
  char text[32];
  std::snprintf(text, sizeof text, "key 0x%08x", static_cast<unsigned>(key));
  return text;
}

// The call under test failed with PIPC_ELIMIT and errno ERR, and its message names
// each of TEXTS. The message is kept in the test's properties (--gtest_output=xml).
void expect_limit(const child_report &report, int err, const std::vector<std::string> &texts) {
  ASSERT_EQ(report.signal, 0) << "the child was killed by signal " << report.signal;
  ASSERT_NE(report.status, pipc_test::step_failure) << report.message;
  testing::Test::RecordProperty("message", report.message);
  EXPECT_EQ(report.status, PIPC_ELIMIT) << report.message;
  EXPECT_EQ(report.err, err) << report.message;
  for (const std::string &text : texts) EXPECT_TRUE(mentions(report.message, text));
}

// ---- System V: /proc/sys/kernel/sem, shmmni, shmall, msgmni ---------------------------

constexpr char sem_limits[] = "/proc/sys/kernel/sem";  // SEMMSL SEMMNS SEMOPM SEMMNI

pipc_sysv_sem_options new_semaphore() {
  pipc_sysv_sem_options opts = PIPC_SYSV_SEM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  return opts;
}

// In the child: sets /proc/sys/kernel/sem to LIMITS, makes EXISTING semaphores, and
// returns the status of making one more under KEY.
int one_semaphore_too_many(const char *limits, int existing, int64_t key) {
  if (!write_proc(sem_limits, limits)) return step_failed(std::string("writing ") + limits);
  const pipc_sysv_sem_options opts = new_semaphore();
  for (int i = 0; i < existing; ++i) {
    pipc_sysv_sem *sem = nullptr;
    if (pipc_sysv_sem_open(&sem, PIPC_IPC_PRIVATE, &opts) != PIPC_OK) {
      return step_failed(std::string("making a semaphore: ") + pipc_last_message());
    }
  }
  pipc_sysv_sem *sem = nullptr;
  return pipc_sysv_sem_open(&sem, key, &opts);
}

TEST(SysvLimits, SemaphoreSetsPastSemmniNameIt) {
  const int64_t key = unique_key();
  const auto report = run_isolated({}, [key] {
    return one_semaphore_too_many("32000 1024000000 500 2", 2, key);
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, ENOSPC,
               {"pipc_sysv_sem_open: semget on " + key_text(key), "SEMMNI (2)", "2 in use",
                "/proc/sys/kernel/sem: SEMMSL SEMMNS SEMOPM SEMMNI = 32000 1024000000 500 2"});
}

TEST(SysvLimits, SemaphoresPastSemmnsNameIt) {
  const int64_t key = unique_key();
  const auto report = run_isolated({}, [key] {
    return one_semaphore_too_many("32000 3 500 32000", 3, key);
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, ENOSPC,
               {"pipc_sysv_sem_open: semget on " + key_text(key), "SEMMNS (3)", "3 in use",
                "SEMMSL SEMMNS SEMOPM SEMMNI = 32000 3 500 32000"});
}

TEST(SysvLimits, ASetLargerThanSemmslNamesIt) {
  // pipc's sets have one semaphore: only SEMMSL 0 refuses them, opening as creating.
  const int64_t key = unique_key();
  const auto report = run_isolated({}, [key] {
    return one_semaphore_too_many("0 1024000000 500 32000", 0, key);
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, EINVAL,
               {"pipc_sysv_sem_open: semget on " + key_text(key), "SEMMSL (0)",
                "SEMMSL SEMMNS SEMOPM SEMMNI = 0 1024000000 500 32000"});
}

TEST(SysvLimits, AnInitialValuePastSemopmNamesItAndRemovesTheSet) {
  const int64_t key = unique_key();
  const auto report = run_isolated({}, [key] {
    const int rc = one_semaphore_too_many("32000 1024000000 0 32000", 0, key);
    if (semget(static_cast<key_t>(key), 0, 0) >= 0) return step_failed("the set was left behind");
    return rc;
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, E2BIG,
               {"pipc_sysv_sem_open: semop (initial value) on " + key_text(key), "SEMOPM (0)",
                "SEMMSL SEMMNS SEMOPM SEMMNI = 32000 1024000000 0 32000"});
}

TEST(SysvLimits, AnOperationPastSemopmNamesIt) {
  const auto report = run_isolated({}, [] {
    const pipc_sysv_sem_options opts = new_semaphore();
    pipc_sysv_sem *sem = nullptr;
    if (pipc_sysv_sem_open(&sem, PIPC_IPC_PRIVATE, &opts) != PIPC_OK) return step_failed("open");
    if (!write_proc(sem_limits, "32000 1024000000 0 32000")) return step_failed("writing sem");
    return pipc_sysv_sem_release(sem, 1);
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, E2BIG, {"pipc_sysv_sem_release: semtimedop on id ", "SEMOPM (0)"});
}

pipc_sysv_shm_options new_segment(uint64_t size) {
  pipc_sysv_shm_options opts = PIPC_SYSV_SHM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  opts.size = size;
  return opts;
}

// In the child: writes VALUE to the /proc/sys file LIMIT, makes a segment of EXISTING
// bytes (none for 0), and returns the status of making one of SIZE bytes under KEY.
int one_segment_too_many(const char *limit, const char *value, uint64_t existing,
                         uint64_t size, int64_t key) {
  if (!write_proc(limit, value)) return step_failed(std::string("writing ") + limit);
  pipc_sysv_shm *shm = nullptr;
  const pipc_sysv_shm_options first = new_segment(existing);
  if (existing > 0 && pipc_sysv_shm_open(&shm, PIPC_IPC_PRIVATE, &first) != PIPC_OK) {
    return step_failed(std::string("making a segment: ") + pipc_last_message());
  }
  const pipc_sysv_shm_options opts = new_segment(size);
  return pipc_sysv_shm_open(&shm, key, &opts);
}

TEST(SysvLimits, SegmentsPastShmmniNameIt) {
  const int64_t key = unique_key();
  const auto report = run_isolated({}, [key] {
    return one_segment_too_many("/proc/sys/kernel/shmmni", "1", page, page, key);
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, ENOSPC,
               {"pipc_sysv_shm_open: shmget on " + key_text(key),
                "/proc/sys/kernel/shmmni (1)", "1 in use"});
}

TEST(SysvLimits, PagesPastShmallNameItWithThePagesInUse) {
  const int64_t key = unique_key();
  const auto report = run_isolated({}, [key] {
    return one_segment_too_many("/proc/sys/kernel/shmall", "3", page, 3 * page, key);
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, ENOSPC,
               {"pipc_sysv_shm_open: shmget on " + key_text(key), "3 pages",
                "/proc/sys/kernel/shmall (3 pages of " + std::to_string(page) + " bytes)",
                "1 in use"});
}

TEST(SysvLimits, QueuesPastMsgmniNameIt) {
  const int64_t key = unique_key();
  const auto report = run_isolated({}, [key] {
    if (!write_proc("/proc/sys/kernel/msgmni", "0")) return step_failed("writing msgmni");
    pipc_sysv_mq_options opts = PIPC_SYSV_MQ_OPTIONS_INIT;
    opts.flags = PIPC_CREX;
    pipc_sysv_mq *mq = nullptr;
    return pipc_sysv_mq_open(&mq, key, &opts);
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, ENOSPC,
               {"pipc_sysv_mq_open: msgget on " + key_text(key), "/proc/sys/kernel/msgmni (0)"});
}

// ---- POSIX shared memory: RLIMIT_FSIZE ------------------------------------------------

// In the child: ignores SIGXFSZ (which a size past RLIMIT_FSIZE also raises) and lowers
// RLIMIT_FSIZE to one page; false if either fails.
bool file_size_limited_to_a_page() {
  const rlimit one_page{page, page};
  return signal(SIGXFSZ, SIG_IGN) != SIG_ERR && setrlimit(RLIMIT_FSIZE, &one_page) == 0;
}

TEST(ShmLimits, ASizePastRlimitFsizeNamesItWhenOpening) {
  const std::string name = unique_name();
  const auto report = run_isolated({true, 1 << 20}, [&name] {
    if (!file_size_limited_to_a_page()) return step_failed("lowering RLIMIT_FSIZE");
    pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
    opts.flags = PIPC_CREX;
    opts.size = 4 * page;
    pipc_shm *shm = nullptr;
    const int rc = pipc_shm_open(&shm, name.c_str(), &opts);
    if (access(("/dev/shm" + name).c_str(), F_OK) == 0) return step_failed("the segment was left");
    return rc;
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, EFBIG,
               {"pipc_shm_open: ftruncate on \"" + name + "\"",
                std::to_string(4 * page) + " bytes exceed",
                "RLIMIT_FSIZE (" + std::to_string(page) + " bytes"});
}

TEST(ShmLimits, ASizePastRlimitFsizeNamesItWhenResizing) {
  const std::string name = unique_name();
  const auto report = run_isolated({true, 1 << 20}, [&name] {
    pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
    opts.flags = PIPC_CREX;
    opts.size = page;
    pipc_shm *shm = nullptr;
    if (pipc_shm_open(&shm, name.c_str(), &opts) != PIPC_OK) return step_failed("opening");
    if (!file_size_limited_to_a_page()) return step_failed("lowering RLIMIT_FSIZE");
    const int rc = pipc_shm_resize(shm, 2 * page);
    uint64_t size = 0;
    if (pipc_shm_size(&size, shm) != PIPC_OK || size != page) return step_failed("size changed");
    return rc;
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, EFBIG,
               {"pipc_shm_resize: ftruncate on \"" + name + "\"",
                "RLIMIT_FSIZE (" + std::to_string(page) + " bytes"});
}

// ---- POSIX message queues -------------------------------------------------------------

pipc_mq_options queue_of(int64_t max_messages, int64_t max_message_size) {
  pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  opts.max_messages = max_messages;
  opts.max_message_size = max_message_size;
  return opts;
}

int open_queue(const std::string &name, const pipc_mq_options &opts) {
  pipc_mq *mq = nullptr;
  return pipc_mq_open(&mq, name.c_str(), &opts);
}

// The bytes a queue counts against RLIMIT_MSGQUEUE: per message its bytes and a
// struct msg_msg, and per possible priority (up to 32768) a struct
// posix_msg_tree_node, both six words (ipc/mqueue.c, mqueue_get_inode).
uint64_t queue_bytes(uint64_t messages, uint64_t size) {
  return messages * (size + 6 * sizeof(long)) + messages * 6 * sizeof(long);
}

// In the child: becomes a user of its own, without capabilities, and whose queues
// elsewhere on the machine (counted against RLIMIT_MSGQUEUE per user) are none.
bool become_a_stranger() {
  const uid_t stranger = 3000000 + static_cast<uid_t>(getpid());
  return setgroups(0, nullptr) == 0 && setgid(stranger) == 0 && setuid(stranger) == 0;
}

// In the child: lowers RLIMIT_MSGQUEUE to BYTES for a user of its own.
bool queue_bytes_limited_to(uint64_t bytes) {
  const rlimit limit{bytes, bytes};
  return setrlimit(RLIMIT_MSGQUEUE, &limit) == 0 && become_a_stranger();
}

TEST(MqLimits, AQueueLargerThanRlimitMsgqueueNamesItAndItsBytes) {
  const std::string name = unique_name();
  const uint64_t bytes = queue_bytes(10, 1024);
  const auto report = run_isolated({}, [&] {
    if (!queue_bytes_limited_to(bytes - 1)) return step_failed("lowering RLIMIT_MSGQUEUE");
    return open_queue(name, queue_of(10, 1024));
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, EMFILE,
               {"mq_open on \"" + name + "\"",
                "the queue's " + std::to_string(bytes) + " bytes (10 messages of 1024 bytes",
                "exceed this user's RLIMIT_MSGQUEUE (" + std::to_string(bytes - 1) + " bytes"});
  EXPECT_FALSE(mentions(report->message, "RLIMIT_NOFILE"));
}

TEST(MqLimits, AQueuePastWhatTheUsersOtherQueuesLeaveNamesRlimitMsgqueue) {
  // The limit holds exactly one such queue: the kernel counts as pipc does.
  const std::string name = unique_name();
  const uint64_t bytes = queue_bytes(10, 1024);
  const auto report = run_isolated({}, [&] {
    if (!queue_bytes_limited_to(bytes)) return step_failed("lowering RLIMIT_MSGQUEUE");
    const int rc = open_queue(unique_name(), queue_of(10, 1024));
    if (rc != PIPC_OK) return step_failed(std::string("the first queue: ") + pipc_last_message());
    return open_queue(name, queue_of(10, 1024));
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, EMFILE,
               {"mq_open on \"" + name + "\"", "the queue's " + std::to_string(bytes) + " bytes",
                "and this user's other queues together exceed its RLIMIT_MSGQUEUE (" +
                    std::to_string(bytes) + " bytes"});
}

TEST(MqLimits, NoFreeDescriptorNamesRlimitNofileOnly) {
  const std::string name = unique_name();
  const auto report = run_isolated({}, [&] {
    // The lowest free descriptor becomes the limit: no descriptor is left.
    const int lowest_free = dup(STDERR_FILENO);
    if (lowest_free < 0) return step_failed("dup");
    close(lowest_free);
    const rlimit none_left{static_cast<rlim_t>(lowest_free), static_cast<rlim_t>(lowest_free)};
    if (setrlimit(RLIMIT_NOFILE, &none_left) != 0) return step_failed("lowering RLIMIT_NOFILE");
    return open_queue(name, queue_of(4, 64));
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, EMFILE, {"mq_open on \"" + name + "\"", "RLIMIT_NOFILE ("});
  EXPECT_FALSE(mentions(report->message, "RLIMIT_MSGQUEUE"));
}

TEST(MqLimits, MessagesPastHardMsgmaxNameItEvenWithCapSysResource) {
  // CAP_SYS_RESOURCE lifts msg_max, but never the kernel's HARD_MSGMAX.
  const std::string name = unique_name();
  const auto report = run_isolated({}, [&] { return open_queue(name, queue_of(65537, 64)); });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, EINVAL,
               {"mq_open on \"" + name + "\"", "65537 messages exceed the kernel's HARD_MSGMAX "
                "(65536)", "/proc/sys/fs/mqueue/msg_max (10)"});
}

TEST(MqLimits, MessagesPastHardMsgsizemaxNameIt) {
  const std::string name = unique_name();
  const auto report = run_isolated({}, [&] {
    return open_queue(name, queue_of(1, (16 << 20) + 1));
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, EINVAL,
               {"messages of 16777217 bytes exceed the kernel's HARD_MSGSIZEMAX (16777216)",
                "/proc/sys/fs/mqueue/msgsize_max (8192)"});
}

TEST(MqLimits, MessagesPastMsgMaxNameItWithoutCapSysResource) {
  // As a user of its own the child has no CAP_SYS_RESOURCE: msg_max applies.
  const std::string name = unique_name();
  const auto report = run_isolated({}, [&] {
    if (!write_proc("/proc/sys/fs/mqueue/msg_max", "5")) return step_failed("writing msg_max");
    if (!become_a_stranger()) return step_failed("becoming another user");
    return open_queue(name, queue_of(6, 64));
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_limit(*report, EINVAL,
               {"mq_open on \"" + name + "\"",
                "6 messages exceed /proc/sys/fs/mqueue/msg_max (5)", "CAP_SYS_RESOURCE"});
}

}  // namespace
