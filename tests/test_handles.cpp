// Handle lifetime, for semaphores and message queues alike: NULL and foreign
// handles, closing a handle while another thread is blocked on it, calls on a
// handle whose close has begun, handles in a forked child, and closes racing
// with calls on other handles and with signal handlers that call pipc.
//
// Each family is described once by a table of its functions over an untyped
// handle, so every rule is checked the same way for both.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"

namespace {

using pipc_test::ms;
using pipc_test::now_ns;
using pipc_test::spawn;
using pipc_test::unique_name;
using pipc_test::usr1_handler;
using pipc_test::wait_until_blocked;
using pipc_test::wait_child;

constexpr int64_t s = 1000 * ms;  // nanoseconds in a second

// ---- Each family's functions over an untyped handle ----------------------------

using handle_fn = int (*)(void *);

struct family {
  const char *name;
  int (*open)(void **out, const char *name, uint32_t flags);  // PIPC_CREX or 0
  handle_fn close;
  int (*unlink_name)(const char *name);
  const char *(*name_of)(void *h);
  // Waits up to TIMEOUT_NS for wake() through any handle to the same object.
  int (*wait)(void *h, int64_t timeout_ns);
  handle_fn wake;
  // The descriptor the handle owns, or -1 where it owns none.
  handle_fn descriptor;
  // Every other function that takes the handle, with otherwise valid arguments.
  std::vector<std::pair<const char *, handle_fn>> calls;
};

pipc_sem *as_sem(void *h) { return static_cast<pipc_sem *>(h); }
pipc_mq *as_mq(void *h) { return static_cast<pipc_mq *>(h); }

int open_sem(void **out, const char *name, uint32_t flags) {
  pipc_sem_options opts = PIPC_SEM_OPTIONS_INIT;
  opts.flags = flags;
  pipc_sem *sem = nullptr;
  const int rc = pipc_sem_open(&sem, name, &opts);
  *out = sem;
  return rc;
}

const family sem_family{
    "semaphore",
    open_sem,
    [](void *h) { return pipc_sem_close(as_sem(h)); },
    pipc_sem_unlink_name,
    [](void *h) { return pipc_sem_name(as_sem(h)); },
    [](void *h, int64_t timeout_ns) { return pipc_sem_acquire(as_sem(h), timeout_ns); },
    [](void *h) { return pipc_sem_release(as_sem(h)); },
    [](void *) { return -1; },
    {
        {"pipc_sem_acquire", [](void *h) { return pipc_sem_acquire(as_sem(h), 0); }},
        {"pipc_sem_release", [](void *h) { return pipc_sem_release(as_sem(h)); }},
        {"pipc_sem_value", [](void *h) { int v; return pipc_sem_value(&v, as_sem(h)); }},
        {"pipc_sem_created", [](void *h) { return pipc_sem_created(as_sem(h)); }},
        {"pipc_sem_unlink", [](void *h) { return pipc_sem_unlink(as_sem(h)); }},
    },
};

constexpr size_t message_size = 64;
const std::string wake_message = "wake";

int open_mq(void **out, const char *name, uint32_t flags) {
  pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
  opts.flags = flags;
  opts.max_messages = 4;
  opts.max_message_size = message_size;
  pipc_mq *mq = nullptr;
  const int rc = pipc_mq_open(&mq, name, &opts);
  *out = mq;
  return rc;
}

// Receives one message; only wake_message counts as a wake-up.
int receive_wake(void *h, int64_t timeout_ns) {
  char buf[message_size];
  size_t len = 0;
  const int rc = pipc_mq_receive(&len, nullptr, as_mq(h), buf, sizeof buf, timeout_ns);
  if (rc != PIPC_OK) return rc;
  return std::string(buf, len) == wake_message ? PIPC_OK : PIPC_ERROR;
}

int receive_now(void *h) {
  char buf[message_size];
  size_t len = 0;
  return pipc_mq_receive(&len, nullptr, as_mq(h), buf, sizeof buf, 0);
}

void ignore_notification(void *) {}

const family mq_family{
    "message queue",
    open_mq,
    [](void *h) { return pipc_mq_close(as_mq(h)); },
    pipc_mq_unlink_name,
    [](void *h) { return pipc_mq_name(as_mq(h)); },
    receive_wake,
    [](void *h) { return pipc_mq_send(as_mq(h), wake_message.data(), wake_message.size(), 0, 0); },
    [](void *h) { int fd = -1; pipc_mq_fd(&fd, as_mq(h)); return fd; },
    {
        {"pipc_mq_send", [](void *h) { return pipc_mq_send(as_mq(h), "x", 1, 0, 0); }},
        {"pipc_mq_receive", receive_now},
        {"pipc_mq_blocking", [](void *h) { int b; return pipc_mq_blocking(&b, as_mq(h)); }},
        {"pipc_mq_set_blocking", [](void *h) { return pipc_mq_set_blocking(as_mq(h), 1); }},
        {"pipc_mq_max_messages",
         [](void *h) { int64_t v; return pipc_mq_max_messages(&v, as_mq(h)); }},
        {"pipc_mq_max_message_size",
         [](void *h) { int64_t v; return pipc_mq_max_message_size(&v, as_mq(h)); }},
        {"pipc_mq_current_messages",
         [](void *h) { int64_t v; return pipc_mq_current_messages(&v, as_mq(h)); }},
        {"pipc_mq_fd", [](void *h) { int fd; return pipc_mq_fd(&fd, as_mq(h)); }},
        {"pipc_mq_notify_signal", [](void *h) { return pipc_mq_notify_signal(as_mq(h), SIGWINCH); }},
        {"pipc_mq_notify_callback",
         [](void *h) { return pipc_mq_notify_callback(as_mq(h), ignore_notification, nullptr); }},
        {"pipc_mq_notify_cancel", [](void *h) { return pipc_mq_notify_cancel(as_mq(h)); }},
        {"pipc_mq_created", [](void *h) { return pipc_mq_created(as_mq(h)); }},
        {"pipc_mq_unlink", [](void *h) { return pipc_mq_unlink(as_mq(h)); }},
    },
};

const family *const families[] = {&sem_family, &mq_family};

// A new object of a family under a fresh name, with its first handle; the handle
// is closed and the name unlinked when the test ends.
struct owned {
  const family &f;
  std::string name = unique_name();
  void *h = nullptr;
  int rc;

  explicit owned(const family &fam) : f(fam), rc(f.open(&h, name.c_str(), PIPC_CREX)) {}
  owned(const owned &) = delete;
  owned &operator=(const owned &) = delete;
  ~owned() {
    f.close(h);
    f.unlink_name(name.c_str());
  }
};

// Another handle to an existing object, closed when it goes.
struct opened {
  const family &f;
  void *h = nullptr;
  int rc;

  opened(const family &fam, const std::string &name) : f(fam), rc(f.open(&h, name.c_str(), 0)) {}
  opened(const opened &) = delete;
  opened &operator=(const opened &) = delete;
  ~opened() { f.close(h); }
};

// ---- Threads, signals and hangs ------------------------------------------------


// Aborts the run if the scope lasts longer than LIMIT: the failure these tests
// look for is a hang, which would otherwise stall the whole suite.
class watchdog {
 public:
  watchdog(const char *what, std::chrono::seconds limit)
      : thread_([this, what, limit] {
          std::unique_lock<std::mutex> lock(mutex_);
          if (!done_changed_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr, "%s did not finish within %lld s\n", what,
                         static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  ~watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    done_changed_.notify_one();
    thread_.join();
  }
  watchdog(const watchdog &) = delete;
  watchdog &operator=(const watchdog &) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable done_changed_;
  bool done_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// ---- NULL and foreign handles --------------------------------------------------

TEST(HandleNull, CloseIsANoOpAndEveryOtherFunctionRejectsIt) {
  for (const family *f : families) {
    SCOPED_TRACE(f->name);
    EXPECT_EQ(f->close(nullptr), PIPC_OK);
    for (const auto &[function, call] : f->calls) {
      EXPECT_EQ(call(nullptr), PIPC_EBADHANDLE) << function;
      EXPECT_EQ(pipc_last_errno(), EBADF) << function;
    }
    EXPECT_EQ(f->name_of(nullptr), nullptr);
  }
}

TEST(HandleForeign, AHandleOfAnotherFamilyIsRejectedAndLeftAlone) {
  owned sem(sem_family), mq(mq_family);
  ASSERT_EQ(sem.rc, PIPC_OK) << pipc_last_message();
  ASSERT_EQ(mq.rc, PIPC_OK) << pipc_last_message();
  const std::pair<const family *, owned *> mismatches[] = {{&sem_family, &mq}, {&mq_family, &sem}};
  for (const auto &[f, other] : mismatches) {
    SCOPED_TRACE(testing::Message() << "a " << other->f.name << " as a " << f->name);
    for (const auto &[function, call] : f->calls) {
      EXPECT_EQ(call(other->h), PIPC_EBADHANDLE) << function;
    }
    EXPECT_EQ(f->name_of(other->h), nullptr);
    EXPECT_EQ(f->close(other->h), PIPC_EBADHANDLE);
  }
  // Neither object was closed, unlinked or used by the foreign calls.
  for (owned *o : {&sem, &mq}) {
    SCOPED_TRACE(o->f.name);
    EXPECT_STREQ(o->f.name_of(o->h), o->name.c_str());
    EXPECT_EQ(opened(o->f, o->name).rc, PIPC_OK);
    EXPECT_EQ(o->f.wait(o->h, 0), PIPC_EAGAIN);
    EXPECT_EQ(o->f.wake(o->h), PIPC_OK);
    EXPECT_EQ(o->f.wait(o->h, 0), PIPC_OK);
  }
}

// ---- Closing while a call is in flight -----------------------------------------

// Close ends the blocked call with PIPC_EBADHANDLE at once; every later call on
// the handle (and a second close) is refused; the object stays intact for its
// other handles, and the handle's descriptor is gone once the call is out.
TEST(HandleClose, ClosingWhileAnotherThreadIsBlockedOnTheHandleEndsTheCall) {
  for (const family *f : families) {
    for (int64_t timeout : {PIPC_FOREVER, 60 * s}) {
      SCOPED_TRACE(testing::Message() << f->name << ", timeout " << timeout);
      owned first(*f);
      ASSERT_EQ(first.rc, PIPC_OK) << pipc_last_message();
      opened second(*f, first.name);
      ASSERT_EQ(second.rc, PIPC_OK) << pipc_last_message();
      const int fd = f->descriptor(first.h);
      std::atomic<pid_t> tid{0};
      auto waiter = std::async(std::launch::async, [&] {
        tid = gettid();
        return f->wait(first.h, timeout);
      });
      while (tid == 0) std::this_thread::yield();
      if (!wait_until_blocked(tid)) {
        ADD_FAILURE() << "the waiter never blocked";
        f->wake(second.h);
        continue;
      }

      const int64_t start = now_ns();
      EXPECT_EQ(f->close(first.h), PIPC_OK) << pipc_last_message();
      void *const closed = first.h;
      first.h = nullptr;
      ASSERT_EQ(waiter.wait_for(std::chrono::seconds(10)), std::future_status::ready);
      EXPECT_EQ(waiter.get(), PIPC_EBADHANDLE);
      EXPECT_LT(now_ns() - start, 50 * ms);

      for (const auto &[function, call] : f->calls) {
        EXPECT_EQ(call(closed), PIPC_EBADHANDLE) << function;
      }
      EXPECT_EQ(f->name_of(closed), nullptr);
      EXPECT_EQ(f->close(closed), PIPC_EBADHANDLE);
      EXPECT_EQ(opened(*f, first.name).rc, PIPC_OK);  // not unlinked
      if (fd >= 0) {
        EXPECT_EQ(fcntl(fd, F_GETFD), -1) << "still open after the last call returned";
        EXPECT_EQ(errno, EBADF);
      }
      // Nothing was taken from the object: one wake is one wait through the other handle.
      ASSERT_EQ(f->wake(second.h), PIPC_OK) << pipc_last_message();
      EXPECT_EQ(f->wait(second.h, 0), PIPC_OK);
      EXPECT_EQ(f->wait(second.h, 0), PIPC_EAGAIN);
    }
  }
}

// ---- fork ----------------------------------------------------------------------

// Another thread is inside calls on the semaphore when the process forks; the
// child has no such thread, so its closes must not wait for one. The busy thread
// is inside a call only part of the time, hence several forks.
TEST(HandleFork, HandlesWorkInAForkedChildAndItsClosesLeaveTheParentsHandlesAlone) {
  owned sem(sem_family), mq(mq_family);
  ASSERT_EQ(sem.rc, PIPC_OK) << pipc_last_message();
  ASSERT_EQ(mq.rc, PIPC_OK) << pipc_last_message();
  std::atomic<bool> stop{false};
  std::atomic<long> busy_calls{0};
  std::thread busy([&] {
    int value;
    while (!stop) {
      pipc_sem_value(&value, as_sem(sem.h));
      ++busy_calls;
    }
  });
  while (busy_calls == 0) std::this_thread::yield();

  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE(round);
    EXPECT_EQ(sem.f.wake(sem.h), PIPC_OK);
    EXPECT_EQ(mq.f.wake(mq.h), PIPC_OK);
    const pid_t child = spawn([&] {
      // A close before the child has threads of its own: a new thread may reuse
      // the busy thread's stack, and with it the memory of its state.
      void *extra = nullptr;
      if (sem.f.open(&extra, sem.name.c_str(), 0) != PIPC_OK || sem.f.close(extra) != PIPC_OK) {
        return 1;
      }
      if (sem.f.wait(sem.h, 0) != PIPC_OK || mq.f.wait(mq.h, 0) != PIPC_OK) return 2;
      bool answered = false;
      const auto answer = [&] {
        answered = sem.f.wake(sem.h) == PIPC_OK && mq.f.wake(mq.h) == PIPC_OK;
      };
      if (pipc_test::thread_sanitizer) {
        // ThreadSanitizer checks nothing in the child of a threaded process, and
        // gcc 12's dies there when a new thread gets the id of one of the parent's
        // ("dup thread with used id", even with die_after_fork=0).
        answer();
      } else {
        std::thread helper(answer);
        helper.join();
      }
      if (!answered) return 3;
      return sem.f.close(sem.h) == PIPC_OK && mq.f.close(mq.h) == PIPC_OK ? 0 : 4;
    });
    EXPECT_EQ(wait_child(child), 0);
    EXPECT_EQ(sem.f.wait(sem.h, 0), PIPC_OK) << "the child's answer";
    EXPECT_EQ(mq.f.wait(mq.h, 0), PIPC_OK) << "the child's answer";
  }
  stop = true;
  busy.join();

  for (owned *o : {&sem, &mq}) {
    SCOPED_TRACE(o->f.name);
    EXPECT_EQ(o->f.wake(o->h), PIPC_OK) << pipc_last_message();
    EXPECT_EQ(o->f.wait(o->h, 0), PIPC_OK) << pipc_last_message();
    EXPECT_STREQ(o->f.name_of(o->h), o->name.c_str());
  }
}

// A thread of the parent is blocked on the queue when the process forks. The child
// has no such thread: its close releases the handle at once (the descriptor is
// closed), instead of waiting for a call that will never return there.
TEST(HandleFork, AChildsCloseIsNotHeldUpByTheParentsBlockedCalls) {
  owned mq(mq_family);
  ASSERT_EQ(mq.rc, PIPC_OK) << pipc_last_message();
  std::atomic<pid_t> tid{0};
  auto waiter = std::async(std::launch::async, [&] {
    tid = gettid();
    return mq.f.wait(mq.h, 60 * s);
  });
  while (tid == 0) std::this_thread::yield();
  ASSERT_TRUE(wait_until_blocked(tid));
  const int fd = mq.f.descriptor(mq.h);
  const pid_t child = spawn([&] {
    if (fcntl(fd, F_GETFD) == -1) return 1;
    if (mq.f.close(mq.h) != PIPC_OK) return 2;
    return fcntl(fd, F_GETFD) == -1 && errno == EBADF ? 0 : 3;
  });
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(mq.f.wake(mq.h), PIPC_OK);
  EXPECT_EQ(waiter.get(), PIPC_OK);
}

// ---- Closes racing with calls --------------------------------------------------

TEST(HandleStress, ClosingOtherHandlesRepeatedlyDoesNotDisturbCallsOnAHandleInUse) {
  watchdog guard("HandleStress", std::chrono::seconds(120));
  owned shared(sem_family), sem(sem_family), mq(mq_family);
  ASSERT_EQ(shared.rc, PIPC_OK) << pipc_last_message();
  ASSERT_EQ(sem.rc, PIPC_OK) << pipc_last_message();
  ASSERT_EQ(mq.rc, PIPC_OK) << pipc_last_message();
  constexpr int worker_count = 4;
  std::atomic<bool> stop{false};
  std::atomic<int> started{0}, failures{0};
  std::atomic<long> calls{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < worker_count; ++i) {
    workers.emplace_back([&] {
      ++started;
      while (!stop) {
        // Each worker releases before it acquires, so no acquire waits long.
        if (pipc_sem_release(as_sem(shared.h)) != PIPC_OK ||
            pipc_sem_acquire(as_sem(shared.h), 10 * s) != PIPC_OK) {
          ++failures;
        }
        ++calls;
      }
    });
  }
  while (started < worker_count) std::this_thread::yield();
  const long calls_before = calls;
  // At least `rounds` rounds, and on until the workers have made calls during
  // them: on a loaded machine the scheduler may starve them for a while.
  constexpr int rounds = 200;
  int closes = 0, close_failures = 0, done = 0;
  for (; done < rounds || calls == calls_before; ++done) {
    for (owned *o : {&sem, &mq}) {
      void *h = nullptr;
      if (o->f.open(&h, o->name.c_str(), 0) != PIPC_OK || o->f.close(h) != PIPC_OK) {
        ++close_failures;
      }
      ++closes;
    }
  }
  const long calls_during = calls - calls_before;
  stop = true;
  for (std::thread &worker : workers) worker.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GT(calls_during, 0);
  EXPECT_EQ(closes, 2 * done);
  EXPECT_EQ(close_failures, 0);
  int value = -1;
  EXPECT_EQ(pipc_sem_value(&value, as_sem(shared.h)), PIPC_OK);
  EXPECT_EQ(value, 0);
}

std::atomic<pipc_sem *> handler_sem{nullptr};
std::atomic<int> handler_runs{0};
std::atomic<int> handler_failures{0};

void release_from_handler(int) {
  if (pipc_sem_release(handler_sem.load()) != PIPC_OK) ++handler_failures;
  ++handler_runs;
}

// The target thread spends nearly all its time inside pipc calls, so the
// handler's own call nests in one. A third thread keeps closing handles, which
// waits for the target's calls; a final close while the target still runs shows
// that the nested calls left its bookkeeping balanced.
TEST(HandleSignals, HandlerCallsNestInsideCallsAndClosesStillComplete) {
  watchdog guard("HandleSignals", std::chrono::seconds(120));
  owned busy(sem_family), counted(sem_family), other(sem_family);
  ASSERT_EQ(busy.rc, PIPC_OK) << pipc_last_message();
  ASSERT_EQ(counted.rc, PIPC_OK) << pipc_last_message();
  ASSERT_EQ(other.rc, PIPC_OK) << pipc_last_message();
  handler_sem = as_sem(counted.h);
  handler_runs = 0;
  handler_failures = 0;
  usr1_handler handler(release_from_handler);

  std::atomic<bool> stop_target{false}, stop_closer{false};
  std::atomic<long> target_calls{0};
  std::atomic<int> target_failures{0};
  std::thread target([&] {
    int value;
    while (!stop_target) {
      if (pipc_sem_value(&value, as_sem(busy.h)) != PIPC_OK) ++target_failures;
      ++target_calls;
    }
  });
  std::atomic<int> closes{0}, close_failures{0};
  auto open_and_close = [&] {
    void *h = nullptr;
    if (other.f.open(&h, other.name.c_str(), 0) != PIPC_OK || other.f.close(h) != PIPC_OK) {
      ++close_failures;
    }
    ++closes;
  };
  std::thread closer([&] {
    while (!stop_closer) open_and_close();
  });
  while (target_calls == 0) std::this_thread::yield();

  // At least `min_signals`, and on until the closer has closed a few handles
  // meanwhile: on a loaded machine it may not get a CPU for a while.
  constexpr int min_signals = 300, min_closes = 5;
  const int closes_before = closes;
  int signals = 0;
  for (; signals < min_signals || closes - closes_before < min_closes; ++signals) {
    pthread_kill(target.native_handle(), SIGUSR1);
    // One at a time: a SIGUSR1 sent while another is pending would merge with it.
    while (handler_runs <= signals) std::this_thread::yield();
  }
  stop_closer = true;
  closer.join();
  open_and_close();
  stop_target = true;
  target.join();

  EXPECT_EQ(handler_runs, signals);
  EXPECT_EQ(handler_failures, 0);
  int value = -1;
  EXPECT_EQ(pipc_sem_value(&value, as_sem(counted.h)), PIPC_OK);
  EXPECT_EQ(value, signals);
  EXPECT_EQ(target_failures, 0);
  EXPECT_GE(closes - closes_before, min_closes);
  EXPECT_EQ(close_failures, 0);
}

}  // namespace
