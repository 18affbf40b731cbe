// Robust mutexes and condition variables within one process: names, locking
// statuses, owner threads that exit, argument checks, the versioned layout,
// waiting for a slow creator, close during waits.
#include <fcntl.h>
#include <pthread.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <thread>
#include <vector>
#include <utility>

#include <gtest/gtest.h>

#include "mutex_support.hpp"

namespace {

using namespace pipc_test;

constexpr size_t header_size = 64;
constexpr size_t mutex_segment_size = header_size + sizeof(pthread_mutex_t);

int lock_on_other_thread(pipc_mutex *m, int64_t timeout_ns) {
  int rc = 1;
  std::thread([&] { rc = pipc_mutex_lock(m, timeout_ns); }).join();
  return rc;
}

TEST(Mutex, RandomNameCreatedAndReopened) {
  pipc_mutex *m = nullptr;
  ASSERT_EQ(pipc_mutex_open(&m, nullptr, nullptr), PIPC_OK);
  const std::string name = pipc_mutex_name(m);
  scope_exit cleanup([&] {
    pipc_mutex_unlink_name(name.c_str());
    pipc_mutex_close(m);
  });
  EXPECT_EQ(name.rfind("/pipc_", 0), 0u) << name;
  EXPECT_EQ(pipc_mutex_created(m), 1);
  pipc_mutex *again = open_existing_mutex(name);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(pipc_mutex_created(again), 0);
  // Two opens of one name are one mutex.
  ASSERT_EQ(pipc_mutex_lock(m, 0), PIPC_OK);
  EXPECT_EQ(lock_on_other_thread(again, 0), PIPC_EAGAIN);
  EXPECT_EQ(pipc_mutex_lock(again, 0), PIPC_EINVAL);  // this thread's, through either
  EXPECT_EQ(pipc_mutex_unlock(m), PIPC_OK);
  EXPECT_EQ(pipc_mutex_close(again), PIPC_OK);
  EXPECT_EQ(pipc_mutex_unlink(m), PIPC_OK);
  EXPECT_EQ(pipc_mutex_unlink_name(name.c_str()), PIPC_ENOENT);
}

TEST(Mutex, OwnerStatusesTryAndTimeout) {
  owned_mutex m;
  ASSERT_NE(m.mutex, nullptr);
  ASSERT_EQ(pipc_mutex_lock(m.mutex, PIPC_FOREVER), PIPC_OK);
  // A relock by the owner is refused, never a deadlock; so is a try.
  EXPECT_EQ(pipc_mutex_lock(m.mutex, PIPC_FOREVER), PIPC_EINVAL);
  EXPECT_EQ(pipc_last_errno(), EDEADLK);
  EXPECT_EQ(pipc_mutex_lock(m.mutex, 0), PIPC_EINVAL);
  EXPECT_EQ(lock_on_other_thread(m.mutex, 0), PIPC_EAGAIN);
  const int64_t start = now_ns();
  EXPECT_EQ(lock_on_other_thread(m.mutex, 120 * ms), PIPC_ETIMEDOUT);
  const int64_t took = now_ns() - start;
  EXPECT_GE(took, 120 * ms);
  EXPECT_LT(took, 120 * ms + margin);
  int unlock_rc = 1, unlock_errno = 0;
  std::thread([&] {
    unlock_rc = pipc_mutex_unlock(m.mutex);
    unlock_errno = pipc_last_errno();
  }).join();
  EXPECT_EQ(unlock_rc, PIPC_EACCES);
  EXPECT_EQ(unlock_errno, EPERM);
  EXPECT_EQ(pipc_mutex_consistent(m.mutex), PIPC_EINVAL);
  EXPECT_EQ(pipc_mutex_unlock(m.mutex), PIPC_OK);
  EXPECT_EQ(pipc_mutex_unlock(m.mutex), PIPC_EACCES);
}

TEST(Mutex, ThreadExitingWhileHoldingMakesTheNextLockerRepair) {
  owned_mutex m;
  ASSERT_NE(m.mutex, nullptr);
  ASSERT_EQ(lock_on_other_thread(m.mutex, PIPC_FOREVER), PIPC_OK);
  ASSERT_EQ(pipc_mutex_lock(m.mutex, 0), PIPC_EOWNERDEAD);
  EXPECT_TRUE(message_mentions("died"));
  EXPECT_EQ(pipc_mutex_consistent(m.mutex), PIPC_OK);
  EXPECT_EQ(pipc_mutex_unlock(m.mutex), PIPC_OK);
  EXPECT_EQ(pipc_mutex_lock(m.mutex, PIPC_FOREVER), PIPC_OK);
  EXPECT_EQ(pipc_mutex_unlock(m.mutex), PIPC_OK);
}

TEST(Mutex, UnlockWithoutConsistentMakesItUnrecoverable) {
  owned_mutex m;
  ASSERT_NE(m.mutex, nullptr);
  ASSERT_EQ(lock_on_other_thread(m.mutex, PIPC_FOREVER), PIPC_OK);
  ASSERT_EQ(pipc_mutex_lock(m.mutex, PIPC_FOREVER), PIPC_EOWNERDEAD);
  EXPECT_EQ(pipc_mutex_unlock(m.mutex), PIPC_OK);
  EXPECT_EQ(pipc_mutex_lock(m.mutex, PIPC_FOREVER), PIPC_ENOTRECOVERABLE);
  EXPECT_EQ(pipc_mutex_lock(m.mutex, 0), PIPC_ENOTRECOVERABLE);
  EXPECT_EQ(pipc_mutex_consistent(m.mutex), PIPC_EINVAL);
}

TEST(Mutex, ArgumentsAreChecked) {
  owned_mutex m;
  ASSERT_NE(m.mutex, nullptr);
  pipc_mutex *out = not_null<pipc_mutex>;
  EXPECT_EQ(pipc_mutex_open(nullptr, nullptr, nullptr), PIPC_EINVAL);
  for (const char *bad : {"", "no_slash", "/a/b", "/", "/.."}) {
    EXPECT_EQ(pipc_mutex_open(&out, bad, nullptr), PIPC_EINVAL) << bad;
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(pipc_mutex_unlink_name(bad), PIPC_EINVAL) << bad;
  }
  EXPECT_EQ(pipc_mutex_unlink_name(nullptr), PIPC_EINVAL);
  pipc_mutex_options opts;
  pipc_mutex_options_init(&opts);
  opts.flags = PIPC_TRUNC;
  EXPECT_EQ(pipc_mutex_open(&out, m.name.c_str(), &opts), PIPC_EINVAL);
  pipc_mutex_options_init(&opts);
  opts.version = 99;
  EXPECT_EQ(pipc_mutex_open(&out, m.name.c_str(), &opts), PIPC_EINVAL);
  pipc_mutex_options_init(&opts);
  opts.flags = PIPC_CREX;
  EXPECT_EQ(pipc_mutex_open(&out, m.name.c_str(), &opts), PIPC_EEXIST);
  const std::string missing = unique_name();
  EXPECT_EQ(pipc_mutex_open(&out, missing.c_str(), nullptr), PIPC_ENOENT);
  EXPECT_EQ(pipc_mutex_lock(m.mutex, -3), PIPC_ERANGE);
  EXPECT_EQ(pipc_mutex_dup(nullptr, m.mutex), PIPC_EINVAL);
  owned_cond c;
  ASSERT_NE(c.cond, nullptr);
  ASSERT_EQ(pipc_mutex_lock(m.mutex, 0), PIPC_OK);
  EXPECT_EQ(pipc_cond_wait(c.cond, m.mutex, -3), PIPC_ERANGE);
  EXPECT_EQ(pipc_cond_wait(c.cond, nullptr, 0), PIPC_EBADHANDLE);
  EXPECT_EQ(pipc_cond_wait(nullptr, m.mutex, 0), PIPC_EBADHANDLE);
  EXPECT_EQ(pipc_cond_wait(reinterpret_cast<pipc_cond *>(m.mutex), m.mutex, 0), PIPC_EBADHANDLE);
  EXPECT_EQ(pipc_mutex_unlock(m.mutex), PIPC_OK);
  EXPECT_EQ(pipc_mutex_lock(reinterpret_cast<pipc_mutex *>(c.cond), 0), PIPC_EBADHANDLE);
  EXPECT_EQ(pipc_mutex_name(nullptr), nullptr);
  EXPECT_EQ(pipc_cond_name(nullptr), nullptr);
  EXPECT_EQ(pipc_mutex_close(nullptr), PIPC_OK);
  EXPECT_EQ(pipc_cond_close(nullptr), PIPC_OK);
}

// A raw segment of NAME with SIZE bytes, mapped; the test writes the header.
struct raw_segment {
  std::string name = unique_name();
  unsigned char *bytes = nullptr;
  size_t size;

  explicit raw_segment(size_t n) : size(n) {
    const int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0) return;
    if (ftruncate(fd, static_cast<off_t>(n)) == 0) {
      void *a = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (a != MAP_FAILED) bytes = static_cast<unsigned char *>(a);
    }
    close(fd);
  }
  ~raw_segment() {
    shm_unlink(name.c_str());
    if (bytes != nullptr) munmap(bytes, size);
  }
  uint32_t *words() { return reinterpret_cast<uint32_t *>(bytes); }
  // The header a creator of layout 1 writes, with "initialisation complete" last.
  void publish(uint32_t magic, uint32_t version, uint32_t kind) {
    words()[0] = magic;
    words()[1] = version;
    words()[2] = kind;
    words()[3] = static_cast<uint32_t>(size);
    __atomic_store_n(&words()[4], 1u, __ATOMIC_RELEASE);
  }
};

// Threads contending hard, through one handle and through a dup: every increment
// is made under the lock, and no unlock's wake-up is lost (a lost one would leave
// a thread asleep until the test's deadline).
TEST(Mutex, ContendingThreadsLoseNoIncrementAndNoWakeUp) {
  owned_mutex m;
  ASSERT_NE(m.mutex, nullptr);
  pipc_mutex *dup = nullptr;
  ASSERT_EQ(pipc_mutex_dup(&dup, m.mutex), PIPC_OK);
  constexpr int threads = 4, rounds = 20000;
  long counter = 0;
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      pipc_mutex *h = t % 2 ? dup : m.mutex;
      for (int i = 0; i < rounds; ++i) {
        if (pipc_mutex_lock(h, t < 2 ? PIPC_FOREVER : 30 * s) != PIPC_OK) ++failures;
        ++counter;
        if (pipc_mutex_unlock(h) != PIPC_OK) ++failures;
      }
    });
  }
  for (auto &w : workers) w.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(counter, long{threads} * rounds);
  EXPECT_EQ(pipc_mutex_close(dup), PIPC_OK);
}

TEST(MutexLayout, IncompatibleSegmentsAreRefusedUntouched) {
  const struct {
    const char *what;
    size_t size;
    uint32_t magic, version, kind;
  } cases[] = {
      {"size", 4096, 0x43504950, 1, 1},
      {"magic", mutex_segment_size, 0x12345678, 1, 1},
      {"layout version", mutex_segment_size, 0x43504950, 2, 1},
      {"kind", mutex_segment_size, 0x43504950, 1, 2},
  };
  for (const auto &c : cases) {
    SCOPED_TRACE(c.what);
    raw_segment seg(c.size);
    ASSERT_NE(seg.bytes, nullptr);
    std::memset(seg.bytes + header_size, 0xa5, seg.size - header_size);
    seg.publish(c.magic, c.version, c.kind);
    pipc_mutex *m = not_null<pipc_mutex>;
    EXPECT_EQ(pipc_mutex_open(&m, seg.name.c_str(), nullptr), PIPC_EINVAL);
    EXPECT_TRUE(message_mentions("layout"));
    EXPECT_EQ(m, nullptr);
    for (size_t i = header_size; i < seg.size; ++i) ASSERT_EQ(seg.bytes[i], 0xa5) << i;
    EXPECT_EQ(seg.words()[0], c.magic);
  }
  // A condition variable is not a mutex, nor the other way round.
  owned_cond cond;
  ASSERT_NE(cond.cond, nullptr);
  pipc_mutex *m = nullptr;
  EXPECT_EQ(pipc_mutex_open(&m, cond.name.c_str(), nullptr), PIPC_EINVAL);
  owned_mutex mutex;
  pipc_cond *c = nullptr;
  EXPECT_EQ(pipc_cond_open(&c, mutex.name.c_str(), nullptr), PIPC_EINVAL);
}

TEST(MutexLayout, OpenerWaitsForASlowCreator) {
  raw_segment seg(mutex_segment_size);
  ASSERT_NE(seg.bytes, nullptr);
  pipc_mutex *m = nullptr;
  background_call opener([&] { return pipc_mutex_open(&m, seg.name.c_str(), nullptr); });
  ASSERT_TRUE(wait_until_blocked(opener.tid()));
  // Finish what a creator does: the mutex, then the header.
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  ASSERT_EQ(pthread_mutex_init(reinterpret_cast<pthread_mutex_t *>(seg.bytes + header_size), &attr), 0);
  pthread_mutexattr_destroy(&attr);
  seg.publish(0x43504950, 1, 1);
  ASSERT_EQ(opener.status(), PIPC_OK);
  EXPECT_EQ(pipc_mutex_created(m), 0);
  EXPECT_EQ(pipc_mutex_lock(m, 0), PIPC_OK);
  EXPECT_EQ(pipc_mutex_unlock(m), PIPC_OK);
  EXPECT_EQ(pipc_mutex_close(m), PIPC_OK);
}

TEST(MutexLayout, OpenerGivesUpOnACreatorThatNeverFinishes) {
  for (size_t size : {size_t{0}, mutex_segment_size}) {
    SCOPED_TRACE(size);
    raw_segment seg(size);
    ASSERT_TRUE(size == 0 || seg.bytes != nullptr);
    pipc_mutex *m = not_null<pipc_mutex>;
    const int64_t start = now_ns();
    EXPECT_EQ(pipc_mutex_open(&m, seg.name.c_str(), nullptr), PIPC_EAGAIN);
    const int64_t took = now_ns() - start;
    EXPECT_TRUE(message_mentions("not initialised"));
    EXPECT_GE(took, 1 * s);
    EXPECT_LT(took, 1 * s + margin);
    EXPECT_EQ(m, nullptr);
  }
}

TEST(MutexClose, EndsABlockedLockAndKeepsTheHoldersLock) {
  owned_mutex m;
  ASSERT_NE(m.mutex, nullptr);
  ASSERT_EQ(pipc_mutex_lock(m.mutex, PIPC_FOREVER), PIPC_OK);
  pipc_mutex *dup = nullptr;
  ASSERT_EQ(pipc_mutex_dup(&dup, m.mutex), PIPC_OK);
  background_call waiter([&] { return pipc_mutex_lock(dup, PIPC_FOREVER); },
                         [&] { pipc_mutex_unlock(m.mutex); });
  // It sleeps in one futex_waitv, which the close ends: no polling.
  ASSERT_TRUE(wait_until_blocked(waiter.tid(), SYS_futex_waitv));
  const int64_t closed_at = now_ns();
  EXPECT_EQ(pipc_mutex_close(dup), PIPC_OK);
  EXPECT_EQ(waiter.status(), PIPC_EBADHANDLE);
  EXPECT_LT(now_ns() - closed_at, 1 * s);
  // Closing the holder's handle leaves the lock with its thread. (Unlocked through a
  // dup, which shares the mapping: ThreadSanitizer takes two mappings of one mutex
  // for two mutexes.)
  pipc_mutex *keep = nullptr;
  ASSERT_EQ(pipc_mutex_dup(&keep, m.mutex), PIPC_OK);
  ASSERT_EQ(pipc_mutex_close(m.mutex), PIPC_OK);
  pipc_mutex *again = open_existing_mutex(m.name);
  m.mutex = again;
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(lock_on_other_thread(again, 0), PIPC_EAGAIN);
  EXPECT_EQ(pipc_mutex_lock(again, 0), PIPC_EINVAL);  // still this thread's
  EXPECT_EQ(pipc_mutex_unlock(keep), PIPC_OK);
  EXPECT_EQ(pipc_mutex_close(keep), PIPC_OK);
}

TEST(Cond, SignalBroadcastAndTimeouts) {
  owned_mutex m;
  owned_cond c;
  ASSERT_NE(m.mutex, nullptr);
  ASSERT_NE(c.cond, nullptr);
  EXPECT_EQ(pipc_cond_wait(c.cond, m.mutex, 0), PIPC_EACCES);  // not held
  ASSERT_EQ(pipc_mutex_lock(m.mutex, PIPC_FOREVER), PIPC_OK);
  EXPECT_EQ(pipc_cond_wait(c.cond, m.mutex, 0), PIPC_EAGAIN);
  const int64_t start = now_ns();
  EXPECT_EQ(pipc_cond_wait(c.cond, m.mutex, 120 * ms), PIPC_ETIMEDOUT);
  EXPECT_GE(now_ns() - start, 120 * ms);
  EXPECT_EQ(pipc_mutex_lock(m.mutex, 0), PIPC_EINVAL);  // held again after the wait
  int ready = 0;
  std::thread waiters[3];
  for (auto &t : waiters) {
    t = std::thread([&] {
      pipc_mutex_lock(m.mutex, PIPC_FOREVER);
      while (ready == 0) pipc_cond_wait(c.cond, m.mutex, PIPC_FOREVER);
      pipc_mutex_unlock(m.mutex);
    });
  }
  pipc_mutex_unlock(m.mutex);
  pipc_mutex_lock(m.mutex, PIPC_FOREVER);
  ready = 1;
  EXPECT_EQ(pipc_cond_broadcast(c.cond), PIPC_OK);
  EXPECT_EQ(pipc_cond_signal(c.cond), PIPC_OK);
  pipc_mutex_unlock(m.mutex);
  for (auto &t : waiters) t.join();
  EXPECT_EQ(pipc_cond_created(c.cond), 1);
  pipc_cond *dup = nullptr;
  ASSERT_EQ(pipc_cond_dup(&dup, c.cond), PIPC_OK);
  EXPECT_STREQ(pipc_cond_name(dup), c.name.c_str());
  EXPECT_EQ(pipc_cond_created(dup), 0);
  EXPECT_EQ(pipc_cond_close(dup), PIPC_OK);
  EXPECT_EQ(pipc_cond_unlink(c.cond), PIPC_OK);
}

TEST(CondClose, EndsAWaitWithTheMutexHeldAgain) {
  owned_mutex m;
  owned_cond c;
  ASSERT_NE(m.mutex, nullptr);
  ASSERT_NE(c.cond, nullptr);
  pipc_cond *dup = nullptr;
  ASSERT_EQ(pipc_cond_dup(&dup, c.cond), PIPC_OK);
  int relock = 1;
  background_call waiter([&] {
    pipc_mutex_lock(m.mutex, PIPC_FOREVER);
    const int rc = pipc_cond_wait(dup, m.mutex, PIPC_FOREVER);
    relock = pipc_mutex_lock(m.mutex, 0);
    pipc_mutex_unlock(m.mutex);
    return rc;
  });
  ASSERT_TRUE(wait_until_blocked(waiter.tid(), SYS_futex_waitv));
  EXPECT_EQ(pipc_cond_close(dup), PIPC_OK);
  EXPECT_EQ(waiter.status(), PIPC_EBADHANDLE);
  EXPECT_EQ(relock, PIPC_EINVAL);  // the wait returned with the mutex locked
}

// Closing the mutex's handle ends a wait that uses it too; the mutex cannot be
// locked again through the closed handle, so the wait returns without it.
TEST(CondClose, ClosingTheMutexHandleEndsTheWaitWithoutTheMutex) {
  owned_mutex m;
  owned_cond c;
  ASSERT_NE(m.mutex, nullptr);
  ASSERT_NE(c.cond, nullptr);
  pipc_mutex *dup = nullptr;
  ASSERT_EQ(pipc_mutex_dup(&dup, m.mutex), PIPC_OK);
  int relock = 1;
  background_call waiter([&] {
    pipc_mutex_lock(dup, PIPC_FOREVER);
    const int rc = pipc_cond_wait(c.cond, dup, PIPC_FOREVER);
    relock = pipc_mutex_lock(m.mutex, 0);
    pipc_mutex_unlock(m.mutex);
    return rc;
  });
  ASSERT_TRUE(wait_until_blocked(waiter.tid(), SYS_futex_waitv));
  EXPECT_EQ(pipc_mutex_close(dup), PIPC_OK);
  EXPECT_EQ(waiter.status(), PIPC_EBADHANDLE);
  EXPECT_EQ(relock, PIPC_OK);  // the wait returned with the mutex unlocked
}

// ---- Kernels without futex_waitv ------------------------------------------------

// Makes futex_waitv fail with ENOSYS in this process, as on Linux before 5.16.
bool refuse_futex_waitv() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_futex_waitv, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

// There the waits sleep on the shared word in slices of 50 ms: a close ends them
// within that, and unlocks and signals still wake them at once.
TEST(MutexWithoutFutexWaitv, WaitsStillEndAtUnlockSignalAndClose) {
  if (thread_sanitizer) GTEST_SKIP() << "ThreadSanitizer cannot start threads in a forked child";
  owned_mutex m;
  owned_cond c;
  ASSERT_NE(m.mutex, nullptr);
  ASSERT_NE(c.cond, nullptr);
  const pid_t child = spawn([&] {
    if (!refuse_futex_waitv()) return 1;
    if (pipc_mutex_lock(m.mutex, PIPC_FOREVER) != PIPC_OK) return 2;
    {
      background_call locker([&] {
        const int rc = pipc_mutex_lock(m.mutex, 30 * s);
        pipc_mutex_unlock(m.mutex);
        return rc;
      });
      if (!wait_until_blocked(locker.tid(), SYS_futex)) return 3;
      pipc_mutex_unlock(m.mutex);
      if (locker.status() != PIPC_OK) return 4;
    }
    int ready = 0;
    {
      background_call waiter([&] {
        int rc = pipc_mutex_lock(m.mutex, PIPC_FOREVER);
        while (rc == PIPC_OK && ready == 0) rc = pipc_cond_wait(c.cond, m.mutex, 30 * s);
        pipc_mutex_unlock(m.mutex);
        return rc;
      });
      if (!wait_until_blocked(waiter.tid(), SYS_futex)) return 5;
      pipc_mutex_lock(m.mutex, PIPC_FOREVER);
      ready = 1;
      pipc_cond_signal(c.cond);
      pipc_mutex_unlock(m.mutex);
      if (waiter.status() != PIPC_OK) return 6;
    }
    pipc_mutex *dup = nullptr;
    if (pipc_mutex_lock(m.mutex, PIPC_FOREVER) != PIPC_OK ||
        pipc_mutex_dup(&dup, m.mutex) != PIPC_OK) {
      return 7;
    }
    background_call blocked([&] { return pipc_mutex_lock(dup, PIPC_FOREVER); });
    if (!wait_until_blocked(blocked.tid(), SYS_futex)) return 8;
    const int64_t start = now_ns();
    pipc_mutex_close(dup);
    if (blocked.status() != PIPC_EBADHANDLE) return 9;
    if (now_ns() - start > 1 * s) return 10;
    return pipc_mutex_unlock(m.mutex) == PIPC_OK ? 0 : 11;
  });
  EXPECT_EQ(wait_child(child), 0);
}

// ---- Signals -------------------------------------------------------------------

// A handler without SA_RESTART ends a blocked lock with PIPC_EINTR and without the
// lock, and a cond wait with PIPC_EINTR and the mutex locked again, so that a
// binding can run its own handlers and retry.
TEST(MutexSignal, ASignalEndsALockWaitWithEintrAndACondWaitWithTheMutexHeld) {
  owned_mutex m;
  owned_cond c;
  ASSERT_NE(m.mutex, nullptr);
  ASSERT_NE(c.cond, nullptr);
  usr1_handler handler(count_signal, 0);
  ASSERT_EQ(pipc_mutex_lock(m.mutex, PIPC_FOREVER), PIPC_OK);
  for (int64_t timeout : {PIPC_FOREVER, 60 * s}) {
    SCOPED_TRACE(timeout);
    signals_caught = 0;
    background_call locker([&] { return pipc_mutex_lock(m.mutex, timeout); });
    ASSERT_TRUE(wait_until_blocked(locker.tid(), SYS_futex_waitv));
    locker.signal(SIGUSR1);
    EXPECT_EQ(locker.outcome(), std::make_pair(int{PIPC_EINTR}, EINTR));
    EXPECT_EQ(signals_caught.load(), 1);
  }
  EXPECT_EQ(lock_on_other_thread(m.mutex, 0), PIPC_EAGAIN);  // still this thread's
  ASSERT_EQ(pipc_mutex_unlock(m.mutex), PIPC_OK);
  int relock = 1;
  background_call waiter([&] {
    pipc_mutex_lock(m.mutex, PIPC_FOREVER);
    const int rc = pipc_cond_wait(c.cond, m.mutex, PIPC_FOREVER);
    relock = pipc_mutex_lock(m.mutex, 0);
    pipc_mutex_unlock(m.mutex);
    return rc;
  });
  ASSERT_TRUE(wait_until_blocked(waiter.tid(), SYS_futex_waitv));
  waiter.signal(SIGUSR1);
  EXPECT_EQ(waiter.status(), PIPC_EINTR);
  EXPECT_EQ(relock, PIPC_EINVAL);  // held again when the wait returned
}

}  // namespace
