// POSIX named semaphores: open / create / exclusive, initial value, mode, random
// names, unlink, counting, the maximum value, timeouts, signals, several
// processes, and the status of every call for bad input.
//
// What a call did is checked through the OS (/dev/shm/sem.NAME, /proc) where it
// can be, not only through pipc itself.
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"

namespace {

using pipc_test::become_nobody;
using pipc_test::count_signal;
using pipc_test::margin;
using pipc_test::message_mentions;
using pipc_test::ms;
using pipc_test::not_null;
using pipc_test::now_ns;
using pipc_test::s;
using pipc_test::scope_exit;
using pipc_test::signals_caught;
using pipc_test::spawn;
using pipc_test::unique_name;
using pipc_test::usr1_handler;
using pipc_test::wait_until_blocked;
using pipc_test::wait_child;

// ---- Semaphores as the OS sees them --------------------------------------------

// glibc keeps the semaphore NAME as /dev/shm/sem.NAME (without the leading '/').
std::string path_of(const std::string &name) { return "/dev/shm/sem." + name.substr(1); }

bool exists(const std::string &name) { return access(path_of(name).c_str(), F_OK) == 0; }

// Permission bits of the file behind NAME, or -1.
int mode_of(const std::string &name) {
  struct stat st {};
  return stat(path_of(name).c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}


// ---- Semaphores made by the tests ----------------------------------------------

pipc_sem_options options(uint32_t flags, uint32_t initial = 0, uint32_t mode = PIPC_DEFAULT_MODE) {
  pipc_sem_options opts = PIPC_SEM_OPTIONS_INIT;
  opts.flags = flags;
  opts.initial_value = initial;
  opts.mode = mode;
  return opts;
}

// A handle under a fresh name; closed and unlinked when the test ends.
struct owned_sem {
  std::string name = unique_name();
  pipc_sem *sem = nullptr;

  owned_sem() = default;
  owned_sem(const owned_sem &) = delete;
  owned_sem &operator=(const owned_sem &) = delete;
  ~owned_sem() {
    pipc_sem_close(sem);
    pipc_sem_unlink_name(name.c_str());
  }
  int create(uint32_t initial = 0, uint32_t mode = PIPC_DEFAULT_MODE) {
    const pipc_sem_options opts = options(PIPC_CREX, initial, mode);
    return pipc_sem_open(&sem, name.c_str(), &opts);
  }
};

// Another handle to an existing semaphore, closed when it goes.
struct other_handle {
  pipc_sem *sem = nullptr;
  int rc;

  explicit other_handle(const std::string &name, uint32_t flags = 0, uint32_t initial = 0) {
    const pipc_sem_options opts = options(flags, initial);
    rc = pipc_sem_open(&sem, name.c_str(), &opts);
  }
  other_handle(const other_handle &) = delete;
  other_handle &operator=(const other_handle &) = delete;
  ~other_handle() { pipc_sem_close(sem); }
};

int value_of(pipc_sem *sem) {
  int value = -1;
  EXPECT_EQ(pipc_sem_value(&value, sem), PIPC_OK) << pipc_last_message();
  return value;
}

const int value_max = static_cast<int>(pipc_sem_value_max());

// Names every call must refuse, made from NAME so that a call which wrongly let
// one through to glibc (which drops leading '/'s) would touch NAME itself.
std::vector<std::string> bad_names_for(const std::string &name) {
  return {"", "/", "/.", "/..", name.substr(1), "/" + name, name + "/b",
          name + std::string(252 - (name.size() - 1), 'x')};  // 252 > the 251 allowed
}

// ---- Open ----------------------------------------------------------------------

TEST(SemOpen, ExclusiveCreateMakesANewSemaphoreWithItsInitialValue) {
  owned_sem a;
  ASSERT_EQ(a.create(3), PIPC_OK) << pipc_last_message();
  EXPECT_TRUE(exists(a.name));
  EXPECT_EQ(pipc_sem_created(a.sem), 1);
  EXPECT_STREQ(pipc_sem_name(a.sem), a.name.c_str());
  EXPECT_EQ(value_of(a.sem), 3);
}

TEST(SemOpen, ExclusiveCreateOfAnExistingNameFailsAndLeavesItIntact) {
  owned_sem a;
  ASSERT_EQ(a.create(2), PIPC_OK) << pipc_last_message();
  other_handle again(a.name, PIPC_CREX, 9);
  EXPECT_EQ(again.rc, PIPC_EEXIST);
  EXPECT_EQ(again.sem, nullptr);
  EXPECT_EQ(pipc_last_errno(), EEXIST);
  EXPECT_TRUE(message_mentions(a.name));
  EXPECT_EQ(value_of(a.sem), 2);
}

TEST(SemOpen, CreatOpensAnExistingSemaphoreWithoutChangingItsValue) {
  owned_sem a;
  ASSERT_EQ(a.create(2), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sem_acquire(a.sem, 0), PIPC_OK);
  other_handle b(a.name, PIPC_CREAT, 7);
  ASSERT_EQ(b.rc, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sem_created(b.sem), 0);
  EXPECT_EQ(value_of(b.sem), 1);
  // Both handles are the same semaphore.
  ASSERT_EQ(pipc_sem_release(b.sem), PIPC_OK);
  EXPECT_EQ(value_of(a.sem), 2);
}

TEST(SemOpen, CreatMakesTheSemaphoreWhenItIsMissing) {
  owned_sem a;
  other_handle b(a.name, PIPC_CREAT, 4);
  ASSERT_EQ(b.rc, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sem_created(b.sem), 1);
  EXPECT_EQ(value_of(b.sem), 4);
}

TEST(SemOpen, OpeningWithoutCreatNeedsAnExistingSemaphore) {
  owned_sem a;
  other_handle missing(a.name);
  EXPECT_EQ(missing.rc, PIPC_ENOENT);
  EXPECT_EQ(missing.sem, nullptr);
  EXPECT_EQ(pipc_last_errno(), ENOENT);
  EXPECT_FALSE(exists(a.name));

  ASSERT_EQ(a.create(5), PIPC_OK) << pipc_last_message();
  other_handle existing(a.name);
  ASSERT_EQ(existing.rc, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sem_created(existing.sem), 0);
  EXPECT_EQ(value_of(existing.sem), 5);
}

TEST(SemOpen, AnotherUserWithoutPermissionCanNeitherOpenNorUnlinkIt) {
  owned_sem a;
  ASSERT_EQ(a.create(1, 0), PIPC_OK) << pipc_last_message();
  const pid_t child = spawn([&] {
    // Root passes every permission check: the child becomes nobody first.
    if (geteuid() == 0 && !become_nobody()) return 1;
    for (uint32_t flags : {0u, PIPC_CREAT}) {
      other_handle denied(a.name, flags);
      if (denied.rc != PIPC_EACCES || denied.sem != nullptr || pipc_last_errno() != EACCES) return 2;
    }
    return pipc_sem_unlink_name(a.name.c_str()) == PIPC_EACCES ? 0 : 3;
  });
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_TRUE(exists(a.name));
  EXPECT_EQ(value_of(a.sem), 1);
}

TEST(SemOpen, ModeSetsThePermissionBitsMaskedByTheUmask) {
  struct mode_case {
    mode_t umask;
    uint32_t mode;
    int expected;
  };
  const mode_case cases[] = {{0, 0600, 0600}, {0, 0640, 0640}, {0, 0666, 0666},
                             {0, 0, 0},       {022, 0666, 0644}, {077, 0644, 0600}};
  const mode_t old_umask = umask(0);
  scope_exit restore([&] { umask(old_umask); });
  for (const mode_case &c : cases) {
    SCOPED_TRACE(testing::Message() << "umask 0" << std::oct << c.umask << ", mode 0" << c.mode);
    umask(c.umask);
    owned_sem a;
    ASSERT_EQ(a.create(0, c.mode), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(mode_of(a.name), c.expected);
  }
}

TEST(SemOpen, NullNameAndNullOptionsCreateARandomSemaphoreWithTheDefaults) {
  pipc_sem *sem = nullptr;
  ASSERT_EQ(pipc_sem_open(&sem, nullptr, nullptr), PIPC_OK) << pipc_last_message();
  const std::string name = pipc_sem_name(sem);
  scope_exit cleanup([&] {
    pipc_sem_close(sem);
    pipc_sem_unlink_name(name.c_str());
  });
  EXPECT_EQ(name.rfind("/pipc_", 0), 0u) << name;
  EXPECT_TRUE(exists(name));
  EXPECT_EQ(pipc_sem_created(sem), 1);
  EXPECT_EQ(value_of(sem), 0);
  EXPECT_EQ(mode_of(name), static_cast<int>(PIPC_DEFAULT_MODE));
}

TEST(SemOpen, NullNameKeepsTheInitialValueAndIsOpenableByItsName) {
  const pipc_sem_options opts = options(0, 2);
  pipc_sem *sem = nullptr;
  ASSERT_EQ(pipc_sem_open(&sem, nullptr, &opts), PIPC_OK) << pipc_last_message();
  const std::string name = pipc_sem_name(sem);
  scope_exit cleanup([&] {
    pipc_sem_close(sem);
    pipc_sem_unlink_name(name.c_str());
  });
  other_handle same(name);
  ASSERT_EQ(same.rc, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(value_of(same.sem), 2);
  EXPECT_EQ(pipc_sem_unlink(sem), PIPC_OK);
  EXPECT_FALSE(exists(name));
}

TEST(SemOpen, TheLongestNameFits) {
  // glibc's file is sem.NAME, so a semaphore name has 4 characters fewer than NAME_MAX.
  owned_sem a;
  a.name += std::string(251 - (a.name.size() - 1), 'x');
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  EXPECT_TRUE(exists(a.name));
  EXPECT_STREQ(pipc_sem_name(a.sem), a.name.c_str());
}

// ---- Unlink and close ----------------------------------------------------------

TEST(SemUnlink, RemovesTheNameWhileOpenHandlesKeepWorking) {
  const std::pair<const char *, std::function<int(owned_sem &)>> unlinkers[] = {
      {"by handle", [](owned_sem &a) { return pipc_sem_unlink(a.sem); }},
      {"by name", [](owned_sem &a) { return pipc_sem_unlink_name(a.name.c_str()); }},
  };
  for (const auto &[how, unlink] : unlinkers) {
    SCOPED_TRACE(how);
    owned_sem a;
    ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(unlink(a), PIPC_OK) << pipc_last_message();
    EXPECT_FALSE(exists(a.name));
    EXPECT_EQ(other_handle(a.name).rc, PIPC_ENOENT);
    EXPECT_EQ(pipc_sem_release(a.sem), PIPC_OK);
    EXPECT_EQ(value_of(a.sem), 2);
    EXPECT_EQ(pipc_sem_acquire(a.sem, 0), PIPC_OK);
    // The name is gone now, whichever way it is named.
    EXPECT_EQ(unlink(a), PIPC_ENOENT);
    EXPECT_EQ(pipc_last_errno(), ENOENT);
  }
}

TEST(SemUnlink, ANewSemaphoreMayTakeAnUnlinkedName) {
  owned_sem a;
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sem_unlink(a.sem), PIPC_OK);
  other_handle fresh(a.name, PIPC_CREX, 6);
  ASSERT_EQ(fresh.rc, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(value_of(fresh.sem), 6);
  EXPECT_EQ(value_of(a.sem), 1);  // the old semaphore is a different one
}

TEST(SemClose, NeverUnlinks) {
  owned_sem a;
  ASSERT_EQ(a.create(4), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sem_close(a.sem), PIPC_OK);
  a.sem = nullptr;
  EXPECT_TRUE(exists(a.name));
  other_handle again(a.name);
  ASSERT_EQ(again.rc, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(value_of(again.sem), 4);
}

// ---- Counting ------------------------------------------------------------------

TEST(SemValue, ReleaseAndAcquireCountUpAndDown) {
  owned_sem a;
  ASSERT_EQ(a.create(), PIPC_OK) << pipc_last_message();
  for (int i = 1; i <= 5; ++i) {
    ASSERT_EQ(pipc_sem_release(a.sem), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(value_of(a.sem), i);
  }
  for (int i = 4; i >= 0; --i) {
    ASSERT_EQ(pipc_sem_acquire(a.sem, 0), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(value_of(a.sem), i);
  }
  EXPECT_EQ(pipc_sem_acquire(a.sem, 0), PIPC_EAGAIN);
  EXPECT_EQ(value_of(a.sem), 0);
}

TEST(SemValue, ReleasePastTheMaximumIsOutOfRangeAndChangesNothing) {
  owned_sem a;
  ASSERT_EQ(a.create(static_cast<uint32_t>(value_max)), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(value_of(a.sem), value_max);
  EXPECT_EQ(pipc_sem_release(a.sem), PIPC_ERANGE);
  EXPECT_EQ(pipc_last_errno(), EOVERFLOW);
  EXPECT_TRUE(message_mentions("pipc_sem_release"));
  EXPECT_TRUE(message_mentions(a.name));
  EXPECT_TRUE(message_mentions(std::to_string(value_max)));
  EXPECT_EQ(value_of(a.sem), value_max);
  // One below the maximum there is room again.
  ASSERT_EQ(pipc_sem_acquire(a.sem, 0), PIPC_OK);
  EXPECT_EQ(pipc_sem_release(a.sem), PIPC_OK);
  EXPECT_EQ(value_of(a.sem), value_max);
}

// ---- Timeouts ------------------------------------------------------------------

TEST(SemTimeout, ZeroTriesOnceAndReturnsEagainAtOnce) {
  owned_sem a;
  ASSERT_EQ(a.create(), PIPC_OK) << pipc_last_message();
  const int64_t start = now_ns();
  EXPECT_EQ(pipc_sem_acquire(a.sem, 0), PIPC_EAGAIN);
  EXPECT_LT(now_ns() - start, s);
  EXPECT_EQ(pipc_last_errno(), EAGAIN);
}

TEST(SemTimeout, APositiveTimeoutExpiresAfterItsTime) {
  owned_sem a;
  ASSERT_EQ(a.create(), PIPC_OK) << pipc_last_message();
  for (int64_t timeout : {int64_t{1}, 300 * ms}) {
    SCOPED_TRACE(timeout);
    const int64_t start = now_ns();
    EXPECT_EQ(pipc_sem_acquire(a.sem, timeout), PIPC_ETIMEDOUT);
    const int64_t waited = now_ns() - start;
    EXPECT_GE(waited, timeout);
    EXPECT_LT(waited, timeout + margin);
    EXPECT_EQ(pipc_last_errno(), ETIMEDOUT);
  }
  EXPECT_EQ(value_of(a.sem), 0);
}

TEST(SemTimeout, AnAvailableSemaphoreIsTakenAtOnceWhateverTheTimeout) {
  owned_sem a;
  const int64_t timeouts[] = {0, 1, PIPC_FOREVER, PIPC_FOREVER_RESTARTABLE, INT64_MAX};
  ASSERT_EQ(a.create(std::size(timeouts)), PIPC_OK) << pipc_last_message();
  for (int64_t timeout : timeouts) {
    const int64_t start = now_ns();
    EXPECT_EQ(pipc_sem_acquire(a.sem, timeout), PIPC_OK) << timeout;
    EXPECT_LT(now_ns() - start, s);
  }
  EXPECT_EQ(value_of(a.sem), 0);
}

TEST(SemTimeout, AWaitEndsWhenAnotherThreadReleases) {
  // INT64_MAX checks that the deadline does not wrap into the past.
  for (int64_t timeout : {PIPC_FOREVER, PIPC_FOREVER_RESTARTABLE, 60 * s, int64_t{INT64_MAX}}) {
    SCOPED_TRACE(timeout);
    owned_sem a;
    ASSERT_EQ(a.create(), PIPC_OK) << pipc_last_message();
    std::atomic<pid_t> tid{0};
    auto waiter = std::async(std::launch::async, [&] {
      tid = gettid();
      return pipc_sem_acquire(a.sem, timeout);
    });
    while (tid == 0) std::this_thread::yield();
    EXPECT_TRUE(wait_until_blocked(tid));
    EXPECT_EQ(waiter.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
    ASSERT_EQ(pipc_sem_release(a.sem), PIPC_OK);
    ASSERT_EQ(waiter.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(waiter.get(), PIPC_OK);
    EXPECT_EQ(value_of(a.sem), 0);
  }
}

TEST(SemTimeout, NegativeTimeoutsOtherThanForeverAreOutOfRangeAndTakeNothing) {
  owned_sem a;
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  for (int64_t timeout : {int64_t{-3}, -s, int64_t{INT64_MIN}}) {
    EXPECT_EQ(pipc_sem_acquire(a.sem, timeout), PIPC_ERANGE) << timeout;
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions("pipc_sem_acquire"));
    EXPECT_TRUE(message_mentions(std::to_string(timeout)));
    EXPECT_EQ(value_of(a.sem), 1);
  }
}

// ---- Signals -------------------------------------------------------------------

// A handler without SA_RESTART returns PIPC_EINTR from any wait, so a binding can
// run its own handlers; the wait can then be retried. So does one with SA_RESTART
// from a bounded wait: the kernel restarts no futex wait that has a deadline.
TEST(SemSignal, ASignalDuringAWaitGivesEintrAndTheWaitCanBeRetried) {
  for (int flags : {0, SA_RESTART}) {
    for (int64_t timeout : {PIPC_FOREVER, PIPC_FOREVER_RESTARTABLE, 60 * s}) {
      if (flags == SA_RESTART && timeout < 0) continue;  // see below
      SCOPED_TRACE(testing::Message() << (flags ? "SA_RESTART" : "no SA_RESTART") << ", timeout "
                                      << timeout);
      owned_sem a;
      ASSERT_EQ(a.create(), PIPC_OK) << pipc_last_message();
      usr1_handler handler(count_signal, flags);
      signals_caught = 0;
      std::promise<std::pair<int, int>> first;  // status and errno of the interrupted wait
      auto interrupted = first.get_future();
      int retried = PIPC_ERROR;
      std::thread waiter([&] {
        const int rc = pipc_sem_acquire(a.sem, timeout);
        first.set_value({rc, pipc_last_errno()});
        // A signal sent just before the first wait returned may still land here.
        for (int i = 0; i < 100 && (retried = pipc_sem_acquire(a.sem, 10 * s)) == PIPC_EINTR; ++i) {
        }
      });
      // The first signal may arrive before the wait began: send until the wait returns.
      const int64_t give_up = now_ns() + 10 * s;
      while (interrupted.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready &&
             now_ns() < give_up) {
        pthread_kill(waiter.native_handle(), SIGUSR1);
      }
      // Ends the first wait if no signal did, then lets the retry succeed.
      EXPECT_EQ(pipc_sem_release(a.sem), PIPC_OK);
      const auto [status, err] = interrupted.get();
      if (status != PIPC_EINTR) {
        EXPECT_EQ(pipc_sem_release(a.sem), PIPC_OK);
      }
      waiter.join();
      EXPECT_EQ(status, PIPC_EINTR);
      EXPECT_EQ(err, EINTR);
      EXPECT_GE(signals_caught.load(), 1);
      EXPECT_EQ(retried, PIPC_OK);
      EXPECT_EQ(value_of(a.sem), 0);
    }
  }
}

// A wait without deadline, as sem_wait: the kernel resumes it after each handler
// installed with SA_RESTART, and it ends only when the value allows.
TEST(SemSignal, AnUnboundedWaitResumesAfterSaRestartHandlers) {
  if (pipc_test::thread_sanitizer) {
    GTEST_SKIP() << "ThreadSanitizer runs the handler of a signal from another thread only "
                    "when the receiving thread next enters a call it intercepts; the futex "
                    "sleep that the kernel resumes after the handler is not one, so the "
                    "handler would run only after the wait";
  }
  for (int64_t timeout : {PIPC_FOREVER, PIPC_FOREVER_RESTARTABLE}) {
    SCOPED_TRACE(timeout);
    owned_sem a;
    ASSERT_EQ(a.create(), PIPC_OK) << pipc_last_message();
    usr1_handler handler(count_signal, SA_RESTART);
    signals_caught = 0;
    std::atomic<pid_t> tid{0};
    auto waiter = std::async(std::launch::async, [&] {
      tid = gettid();
      return pipc_sem_acquire(a.sem, timeout);
    });
    // Ends the wait should an assertion below return early (the future's destructor joins).
    struct release_at_exit {
      pipc_sem *sem;
      ~release_at_exit() { pipc_sem_release(sem); }
    } ends_wait{a.sem};
    while (tid == 0) std::this_thread::yield();
    for (int caught = 1; caught <= 3; ++caught) {
      ASSERT_TRUE(wait_until_blocked(tid));  // also after each handler: the wait went on
      ASSERT_EQ(syscall(SYS_tgkill, getpid(), tid.load(), SIGUSR1), 0);
      const int64_t give_up = now_ns() + 10 * s;
      while (signals_caught < caught && now_ns() < give_up) std::this_thread::yield();
      ASSERT_EQ(signals_caught.load(), caught);
    }
    ASSERT_TRUE(wait_until_blocked(tid));
    EXPECT_EQ(waiter.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
    ASSERT_EQ(pipc_sem_release(a.sem), PIPC_OK);
    ASSERT_EQ(waiter.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(waiter.get(), PIPC_OK);
    EXPECT_EQ(value_of(a.sem), 0);
  }
}

// ---- Several processes ---------------------------------------------------------

TEST(SemProcesses, PingPongBetweenParentAndChild) {
  owned_sem ping, pong;
  ASSERT_EQ(ping.create(), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pong.create(), PIPC_OK) << pipc_last_message();
  constexpr int rounds = 300;
  const pid_t child = spawn([&] {
    // The child opens both by name rather than using the inherited handles.
    other_handle in(ping.name), out(pong.name);
    if (in.rc != PIPC_OK || out.rc != PIPC_OK) return 1;
    for (int i = 0; i < rounds; ++i) {
      if (pipc_sem_acquire(in.sem, 10 * s) != PIPC_OK) return 2;
      if (pipc_sem_release(out.sem) != PIPC_OK) return 3;
    }
    return 0;
  });
  int round = 0;
  for (; round < rounds; ++round) {
    if (pipc_sem_release(ping.sem) != PIPC_OK || pipc_sem_acquire(pong.sem, 10 * s) != PIPC_OK) {
      break;
    }
  }
  EXPECT_EQ(round, rounds) << pipc_last_message();
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(value_of(ping.sem), 0);
  EXPECT_EQ(value_of(pong.sem), 0);
}

TEST(SemProcesses, AChildBlockedInAcquireIsReleasedByTheParent) {
  owned_sem gate, ready;
  ASSERT_EQ(gate.create(), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(ready.create(), PIPC_OK) << pipc_last_message();
  const pid_t child = spawn([&] {
    other_handle in(gate.name);
    if (in.rc != PIPC_OK) return 1;
    if (pipc_sem_acquire(in.sem, 0) != PIPC_EAGAIN) return 2;
    if (pipc_sem_release(ready.sem) != PIPC_OK) return 3;
    return pipc_sem_acquire(in.sem, PIPC_FOREVER) == PIPC_OK ? 0 : 4;
  });
  EXPECT_EQ(pipc_sem_acquire(ready.sem, 10 * s), PIPC_OK);
  EXPECT_TRUE(wait_until_blocked(child));
  EXPECT_EQ(pipc_sem_release(gate.sem), PIPC_OK);
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(value_of(gate.sem), 0);
}

// ---- Bad input -----------------------------------------------------------------

// ---- glibc's own semaphore calls in other programs ---------------------------------

// libpipc operates on glibc's sem_t words itself: a program that uses sem_wait and
// sem_post on the same name must cooperate with it in both directions.

// A child that opens NAME with glibc and waits (sem_timedwait, 10 s) WAITS times.
pid_t glibc_waiter(const std::string &name, int waits) {
  return spawn([name, waits] {
    sem_t *sem = sem_open(name.c_str(), 0);
    if (sem == SEM_FAILED) return 1;
    for (int i = 0; i < waits; ++i) {
      timespec deadline{};
      clock_gettime(CLOCK_REALTIME, &deadline);
      deadline.tv_sec += 10;
      if (sem_timedwait(sem, &deadline) != 0) return 2;
    }
    return 0;
  });
}

TEST(SemGlibcPeers, AGlibcWaiterInAnotherProcessIsWokenByARelease) {
  owned_sem a;
  ASSERT_EQ(a.create(0), PIPC_OK) << pipc_last_message();
  const pid_t child = glibc_waiter(a.name, 1);
  ASSERT_TRUE(wait_until_blocked(child));
  ASSERT_EQ(pipc_sem_release(a.sem), PIPC_OK);
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(value_of(a.sem), 0);
}

TEST(SemGlibcPeers, AWaitIsEndedByAGlibcPostFromAnotherProcess) {
  for (int64_t timeout : {PIPC_FOREVER, 60 * s}) {
    SCOPED_TRACE(timeout);
    owned_sem a;
    ASSERT_EQ(a.create(0), PIPC_OK) << pipc_last_message();
    std::atomic<pid_t> tid{0};
    auto waiter = std::async(std::launch::async, [&] {
      tid = gettid();
      return pipc_sem_acquire(a.sem, timeout);
    });
    while (tid == 0) std::this_thread::yield();
    ASSERT_TRUE(wait_until_blocked(tid));
    const pid_t poster = spawn([&] {
      sem_t *sem = sem_open(a.name.c_str(), 0);
      return sem != SEM_FAILED && sem_post(sem) == 0 ? 0 : 1;
    });
    EXPECT_EQ(wait_child(poster), 0);
    ASSERT_EQ(waiter.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(waiter.get(), PIPC_OK);
    EXPECT_EQ(value_of(a.sem), 0);
  }
}

// Waiters of both kinds at once, and releases and glibc posts in turn: every post
// wakes a waiter, none is lost (a lost wake-up would leave a waiter asleep with the
// value above 0). First a pipc handle is closed while its call waits beside them:
// that wakes the glibc waiters too, which find the value unchanged and sleep again.
TEST(SemGlibcPeers, MixedWaitersAndPostersLoseNoWakeUp) {
  constexpr int per_waiter = 200, glibc_waiters = 2, pipc_waiters = 2;
  owned_sem a;
  ASSERT_EQ(a.create(0), PIPC_OK) << pipc_last_message();
  std::vector<pid_t> children;
  for (int i = 0; i < glibc_waiters; ++i) children.push_back(glibc_waiter(a.name, per_waiter));
  std::vector<std::atomic<pid_t>> tids(pipc_waiters);
  std::vector<std::future<int>> threads;
  for (int i = 0; i < pipc_waiters; ++i) {
    threads.push_back(std::async(std::launch::async, [&, i]() -> int {
      tids[i] = gettid();
      for (int n = 0; n < per_waiter; ++n) {
        const int rc = pipc_sem_acquire(a.sem, 10 * s);
        if (rc != PIPC_OK) return rc;
      }
      return PIPC_OK;
    }));
  }
  pipc_sem *closing = nullptr;
  ASSERT_EQ(pipc_sem_dup(&closing, a.sem), PIPC_OK);
  std::atomic<pid_t> closing_tid{0};
  auto closed_waiter = std::async(std::launch::async, [&] {
    closing_tid = gettid();
    return pipc_sem_acquire(closing, 60 * s);
  });
  for (pid_t child : children) ASSERT_TRUE(wait_until_blocked(child));
  for (auto &tid : tids) {
    while (tid == 0) std::this_thread::yield();
    ASSERT_TRUE(wait_until_blocked(tid));
  }
  while (closing_tid == 0) std::this_thread::yield();
  ASSERT_TRUE(wait_until_blocked(closing_tid));
  EXPECT_EQ(pipc_sem_close(closing), PIPC_OK);
  EXPECT_EQ(closed_waiter.get(), PIPC_EBADHANDLE);
  EXPECT_EQ(value_of(a.sem), 0);

  sem_t *glibc = sem_open(a.name.c_str(), 0);
  ASSERT_NE(glibc, SEM_FAILED);
  for (int n = 0; n < per_waiter * (glibc_waiters + pipc_waiters); ++n) {
    EXPECT_EQ(n % 2 == 0 ? pipc_sem_release(a.sem) : sem_post(glibc), 0);
  }
  for (pid_t child : children) EXPECT_EQ(wait_child(child), 0);
  for (auto &t : threads) EXPECT_EQ(t.get(), PIPC_OK);
  EXPECT_EQ(value_of(a.sem), 0);
  sem_close(glibc);
}

TEST(SemBadInput, NullAndForeignHandlesAreRejectedByEveryFunction) {
  pipc_mq *queue = nullptr;
  ASSERT_EQ(pipc_mq_open(&queue, nullptr, nullptr), PIPC_OK) << pipc_last_message();
  scope_exit cleanup([&] {
    pipc_mq_unlink(queue);
    pipc_mq_close(queue);
  });
  const std::pair<const char *, std::function<int(pipc_sem *)>> calls[] = {
      {"pipc_sem_acquire", [](pipc_sem *h) { return pipc_sem_acquire(h, 0); }},
      {"pipc_sem_release", pipc_sem_release},
      {"pipc_sem_value", [](pipc_sem *h) { int v; return pipc_sem_value(&v, h); }},
      {"pipc_sem_created", pipc_sem_created},
      {"pipc_sem_unlink", pipc_sem_unlink},
  };
  pipc_sem *const foreign = reinterpret_cast<pipc_sem *>(queue);
  pipc_test::expect_rejects_bad_handles(calls, foreign, "message queue handle");
  EXPECT_EQ(pipc_sem_name(nullptr), nullptr);
  EXPECT_EQ(pipc_sem_name(foreign), nullptr);
  EXPECT_EQ(pipc_sem_close(nullptr), PIPC_OK);
  EXPECT_EQ(pipc_sem_close(foreign), PIPC_EBADHANDLE);
  // The queue was neither closed nor unlinked by the semaphore calls.
  EXPECT_EQ(pipc_mq_send(queue, "x", 1, 0, 0), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_mq_unlink(queue), PIPC_OK) << pipc_last_message();
}

TEST(SemBadInput, OpenRejectsBadOptionsAndCreatesNothing) {
  const std::string name = unique_name();
  struct bad_open {
    const char *what;
    pipc_sem_options opts;
    int status;
  };
  auto crex_with = [](auto change) {
    pipc_sem_options opts = options(PIPC_CREX);
    change(opts);
    return opts;
  };
  const bad_open cases[] = {
      {"version 0", crex_with([](auto &o) { o.version = 0; }), PIPC_EINVAL},
      {"version 2", crex_with([](auto &o) { o.version = 2; }), PIPC_EINVAL},
      {"version ~0", crex_with([](auto &o) { o.version = UINT32_MAX; }), PIPC_EINVAL},
      {"unknown flag", crex_with([](auto &o) { o.flags |= 0x100u; }), PIPC_EINVAL},
      {"PIPC_TRUNC", crex_with([](auto &o) { o.flags |= PIPC_TRUNC; }), PIPC_EINVAL},
      {"PIPC_NONBLOCK", crex_with([](auto &o) { o.flags |= PIPC_NONBLOCK; }), PIPC_EINVAL},
      {"every flag", crex_with([](auto &o) { o.flags = UINT32_MAX; }), PIPC_EINVAL},
      {"mode 010000", crex_with([](auto &o) { o.mode = 010000; }), PIPC_EINVAL},
      {"mode ~0", crex_with([](auto &o) { o.mode = UINT32_MAX; }), PIPC_EINVAL},
      {"value max + 1",
       crex_with([](auto &o) { o.initial_value = static_cast<uint32_t>(value_max) + 1; }),
       PIPC_ERANGE},
      {"value ~0", crex_with([](auto &o) { o.initial_value = UINT32_MAX; }), PIPC_ERANGE},
  };
  for (const bad_open &c : cases) {
    for (const char *target : {name.c_str(), static_cast<const char *>(nullptr)}) {
      SCOPED_TRACE(testing::Message() << c.what << (target ? "" : ", NULL name"));
      pipc_sem *sem = not_null<pipc_sem>;  // must be reset
      EXPECT_EQ(pipc_sem_open(&sem, target, &c.opts), c.status);
      EXPECT_EQ(sem, nullptr);
      if (sem != nullptr && sem != not_null<pipc_sem>) {  // wrongly opened: leave nothing behind
        pipc_sem_unlink(sem);
        pipc_sem_close(sem);
      }
      EXPECT_EQ(pipc_last_errno(), c.status == PIPC_ERANGE ? ERANGE : EINVAL);
      EXPECT_TRUE(message_mentions("pipc_sem_open"));
    }
  }
  const pipc_sem_options crex = options(PIPC_CREX);
  EXPECT_EQ(pipc_sem_open(nullptr, name.c_str(), &crex), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("out is NULL"));
  for (const std::string &bad : bad_names_for(name)) {
    pipc_sem *sem = not_null<pipc_sem>;
    EXPECT_EQ(pipc_sem_open(&sem, bad.c_str(), &crex), PIPC_EINVAL) << '"' << bad << '"';
    EXPECT_EQ(sem, nullptr);
  }
  EXPECT_FALSE(exists(name));
  EXPECT_EQ(pipc_sem_unlink_name(name.c_str()), PIPC_ENOENT);
}

TEST(SemBadInput, BadNamesNeitherOpenNorUnlinkAnExistingSemaphore) {
  owned_sem a;
  ASSERT_EQ(a.create(2), PIPC_OK) << pipc_last_message();
  for (const std::string &bad : bad_names_for(a.name)) {
    SCOPED_TRACE('"' + bad + '"');
    for (uint32_t flags : {0u, PIPC_CREAT}) {
      other_handle wrong(bad, flags);
      EXPECT_EQ(wrong.rc, PIPC_EINVAL);
      EXPECT_EQ(wrong.sem, nullptr);
    }
    EXPECT_EQ(pipc_sem_unlink_name(bad.c_str()), PIPC_EINVAL);
    EXPECT_EQ(pipc_last_errno(), EINVAL);
  }
  EXPECT_EQ(pipc_sem_unlink_name(nullptr), PIPC_EINVAL);
  EXPECT_TRUE(exists(a.name));
  EXPECT_EQ(value_of(a.sem), 2);
}

TEST(SemBadInput, ValueNeedsSomewhereToPutTheValue) {
  owned_sem a;
  ASSERT_EQ(a.create(1), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sem_value(nullptr, a.sem), PIPC_EINVAL);
  EXPECT_EQ(pipc_last_errno(), EINVAL);
  EXPECT_TRUE(message_mentions("value_out"));
  EXPECT_EQ(value_of(a.sem), 1);
}

}  // namespace
