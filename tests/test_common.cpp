// Common machinery: status codes, error detail, version, capabilities, run-time
// constants, name validation and option checks shared by every family.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "support.hpp"

namespace {

using pipc_test::unique_name;

const int all_statuses[] = {PIPC_OK,       PIPC_ERROR,     PIPC_EINVAL,    PIPC_ENOENT,
                            PIPC_EEXIST,   PIPC_EACCES,    PIPC_EAGAIN,    PIPC_ETIMEDOUT,
                            PIPC_EINTR,    PIPC_EMSGSIZE,  PIPC_ERANGE,    PIPC_EBADHANDLE,
                            PIPC_ENOTSUP,  PIPC_ELIMIT,    PIPC_ENOMEM,    PIPC_ENOTATTACHED,
                            PIPC_EOWNERDEAD, PIPC_ENOTRECOVERABLE};

TEST(Status, ValuesAreStable) {
  // These numbers are ABI: bindings and stored logs depend on them.
  EXPECT_EQ(PIPC_OK, 0);
  EXPECT_EQ(PIPC_ERROR, -1);
  EXPECT_EQ(PIPC_EINVAL, -2);
  EXPECT_EQ(PIPC_ENOENT, -3);
  EXPECT_EQ(PIPC_EEXIST, -4);
  EXPECT_EQ(PIPC_EACCES, -5);
  EXPECT_EQ(PIPC_EAGAIN, -6);
  EXPECT_EQ(PIPC_ETIMEDOUT, -7);
  EXPECT_EQ(PIPC_EINTR, -8);
  EXPECT_EQ(PIPC_EMSGSIZE, -9);
  EXPECT_EQ(PIPC_ERANGE, -10);
  EXPECT_EQ(PIPC_EBADHANDLE, -11);
  EXPECT_EQ(PIPC_ENOTSUP, -12);
  EXPECT_EQ(PIPC_ELIMIT, -13);
  EXPECT_EQ(PIPC_ENOMEM, -14);
  EXPECT_EQ(PIPC_ENOTATTACHED, -15);
  EXPECT_EQ(PIPC_EOWNERDEAD, -16);
  EXPECT_EQ(PIPC_ENOTRECOVERABLE, -17);
}

TEST(Status, EveryStatusHasItsOwnText) {
  std::set<std::string> texts;
  for (int status : all_statuses) {
    const char *text = pipc_strerror(status);
    ASSERT_NE(text, nullptr);
    EXPECT_STRNE(text, "unknown status") << status;
    texts.insert(text);
  }
  EXPECT_EQ(texts.size(), sizeof all_statuses / sizeof all_statuses[0]);
}

TEST(Status, UnknownValuesGiveUnknownText) {
  EXPECT_STREQ(pipc_strerror(1), "unknown status");
  EXPECT_STREQ(pipc_strerror(-18), "unknown status");
  EXPECT_STREQ(pipc_strerror(-2147483647 - 1), "unknown status");
}

TEST(ErrorDetail, NamesTheCallTheObjectAndTheErrno) {
  const std::string name = unique_name();
  ASSERT_EQ(pipc_sem_unlink_name(name.c_str()), PIPC_ENOENT);
  EXPECT_EQ(pipc_last_errno(), ENOENT);
  const std::string message = pipc_last_message();
  EXPECT_NE(message.find("sem_unlink"), std::string::npos) << message;
  EXPECT_NE(message.find(name), std::string::npos) << message;
}

TEST(ErrorDetail, IsKeptPerThread) {
  ASSERT_EQ(pipc_sem_unlink_name("noslash"), PIPC_EINVAL);
  const std::string here = pipc_last_message();
  std::string there;
  int there_errno = -1;
  std::thread other([&] {
    there = pipc_last_message();
    there_errno = pipc_last_errno();
  });
  other.join();
  EXPECT_EQ(there, "");
  EXPECT_EQ(there_errno, 0);
  EXPECT_EQ(here, pipc_last_message());
  EXPECT_NE(here.find("must begin with '/'"), std::string::npos) << here;
}

TEST(Version, MatchesTheHeader) {
  EXPECT_STREQ(pipc_version(), PIPC_VERSION_STRING);
  const std::string expected = std::to_string(PIPC_VERSION_MAJOR) + "." +
                               std::to_string(PIPC_VERSION_MINOR) + "." +
                               std::to_string(PIPC_VERSION_PATCH);
  EXPECT_EQ(expected, pipc_version());
}

TEST(Has, KnowsItsFeatures) {
  for (const char *feature : {"posix_sem", "sem_timedwait", "sem_clockwait", "sem_getvalue",
                              "posix_shm", "posix_mq", "mq_notify", "sysv", "robust_mutex"}) {
    EXPECT_EQ(pipc_has(feature), 1) << feature;
  }
  EXPECT_EQ(pipc_has("teleport"), 0);
  EXPECT_EQ(pipc_has(""), 0);
  EXPECT_EQ(pipc_has(nullptr), 0);
}

TEST(Constants, ComeFromTheRunningSystem) {
  EXPECT_EQ(pipc_page_size(), sysconf(_SC_PAGESIZE));
  EXPECT_EQ(pipc_sem_value_max(), sysconf(_SC_SEM_VALUE_MAX));
  EXPECT_EQ(pipc_mq_priority_max(), sysconf(_SC_MQ_PRIO_MAX) - 1);
  EXPECT_EQ(pipc_signal_min(), SIGRTMIN);
  EXPECT_EQ(pipc_signal_max(), SIGRTMAX);
}

int64_t read_proc(const char *path) {
  FILE *file = std::fopen(path, "r");
  if (file == nullptr) return -1;
  long long value = -1;
  if (std::fscanf(file, "%lld", &value) != 1) value = -1;
  std::fclose(file);
  return value;
}

TEST(Constants, QueueLimitsAreReadFromProc) {
  if (read_proc("/proc/sys/fs/mqueue/msg_default") < 0) GTEST_SKIP() << "no /proc/sys/fs/mqueue";
  EXPECT_EQ(pipc_mq_default_max_messages(), read_proc("/proc/sys/fs/mqueue/msg_default"));
  EXPECT_EQ(pipc_mq_default_max_message_size(), read_proc("/proc/sys/fs/mqueue/msgsize_default"));
  EXPECT_EQ(pipc_mq_limit_max_messages(), read_proc("/proc/sys/fs/mqueue/msg_max"));
  EXPECT_EQ(pipc_mq_limit_max_message_size(), read_proc("/proc/sys/fs/mqueue/msgsize_max"));
  EXPECT_EQ(pipc_mq_limit_queues(), read_proc("/proc/sys/fs/mqueue/queues_max"));
}

// Every family's unlink-by-name validates names the same way.
using unlink_fn = int (*)(const char *);
const unlink_fn unlinkers[] = {pipc_sem_unlink_name, pipc_shm_unlink_name, pipc_mq_unlink_name};

TEST(Names, BadNamesAreRejectedByEveryFamily) {
  const std::string too_long = "/" + std::string(256, 'a');
  for (unlink_fn unlink_name : unlinkers) {
    for (const char *bad : {"", "noslash", "/", "/a/b", "//a", "/.", "/..", too_long.c_str()}) {
      EXPECT_EQ(unlink_name(bad), PIPC_EINVAL) << '"' << bad << '"';
      EXPECT_EQ(pipc_last_errno(), EINVAL);
    }
    EXPECT_EQ(unlink_name(nullptr), PIPC_EINVAL);
  }
}

TEST(Names, LongestNamesFitEachFamily) {
  // glibc stores a semaphore as /dev/shm/sem.NAME: 4 characters fewer than NAME_MAX.
  EXPECT_EQ(pipc_sem_unlink_name(("/" + std::string(251, 'z')).c_str()), PIPC_ENOENT);
  EXPECT_EQ(pipc_sem_unlink_name(("/" + std::string(252, 'z')).c_str()), PIPC_EINVAL);
  EXPECT_EQ(pipc_shm_unlink_name(("/" + std::string(255, 'z')).c_str()), PIPC_ENOENT);
  EXPECT_EQ(pipc_shm_unlink_name(("/" + std::string(256, 'z')).c_str()), PIPC_EINVAL);
  EXPECT_EQ(pipc_mq_unlink_name(("/" + std::string(255, 'z')).c_str()), PIPC_ENOENT);
  EXPECT_EQ(pipc_mq_unlink_name(("/" + std::string(256, 'z')).c_str()), PIPC_EINVAL);
}

TEST(Names, RandomNamesAreDistinctAndWellFormed) {
  std::set<std::string> names;
  for (int i = 0; i < 50; ++i) {
    pipc_sem *sem = nullptr;
    ASSERT_EQ(pipc_sem_open(&sem, nullptr, nullptr), PIPC_OK) << pipc_last_message();
    const std::string name = pipc_sem_name(sem);
    EXPECT_EQ(pipc_sem_created(sem), 1);
    EXPECT_EQ(pipc_sem_unlink(sem), PIPC_OK);
    EXPECT_EQ(pipc_sem_close(sem), PIPC_OK);
    EXPECT_EQ(name.rfind("/pipc_", 0), 0u) << name;
    EXPECT_EQ(name.find('/', 1), std::string::npos) << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), 50u);
}

TEST(Options, InitFunctionsMatchTheMacros) {
  pipc_sem_options sem{};
  pipc_sem_options_init(&sem);
  const pipc_sem_options sem_macro = PIPC_SEM_OPTIONS_INIT;
  EXPECT_EQ(0, std::memcmp(&sem, &sem_macro, sizeof sem));
  pipc_shm_options shm{};
  pipc_shm_options_init(&shm);
  const pipc_shm_options shm_macro = PIPC_SHM_OPTIONS_INIT;
  EXPECT_EQ(0, std::memcmp(&shm, &shm_macro, sizeof shm));
  pipc_mq_options mq{};
  pipc_mq_options_init(&mq);
  const pipc_mq_options mq_macro = PIPC_MQ_OPTIONS_INIT;
  EXPECT_EQ(0, std::memcmp(&mq, &mq_macro, sizeof mq));
  EXPECT_EQ(sem.mode, 0600u);
  EXPECT_EQ(shm.access, PIPC_READ_WRITE);
  // NULL is accepted and ignored.
  pipc_sem_options_init(nullptr);
  pipc_shm_options_init(nullptr);
  pipc_mq_options_init(nullptr);
}

TEST(Options, WrongVersionsUnknownFlagsAndBadModesCreateNothing) {
  const std::string name = unique_name();
  pipc_sem_options opts = PIPC_SEM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  pipc_sem *sem = reinterpret_cast<pipc_sem *>(0x1);
  for (uint32_t version : {0u, 2u, 0xffffffffu}) {
    opts.version = version;
    EXPECT_EQ(pipc_sem_open(&sem, name.c_str(), &opts), PIPC_EINVAL);
    EXPECT_EQ(sem, nullptr);
  }
  opts.version = PIPC_SEM_OPTIONS_VERSION;
  opts.flags = PIPC_CREX | 0x100u;
  EXPECT_EQ(pipc_sem_open(&sem, name.c_str(), &opts), PIPC_EINVAL);
  opts.flags = PIPC_CREX | PIPC_TRUNC;  // a flag of another family
  EXPECT_EQ(pipc_sem_open(&sem, name.c_str(), &opts), PIPC_EINVAL);
  opts.flags = PIPC_CREX;
  opts.mode = 010000;
  EXPECT_EQ(pipc_sem_open(&sem, name.c_str(), &opts), PIPC_EINVAL);
  EXPECT_EQ(pipc_sem_unlink_name(name.c_str()), PIPC_ENOENT);  // nothing was created
}

}  // namespace
