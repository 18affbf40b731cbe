// How every blocking call of the C API waits, checked the same way for all seven
// (blocking_calls.hpp): closing the handle ends the call at once and changes
// nothing; an idle waiter stays off the CPU; a signal handler without SA_RESTART
// ends the wait with PIPC_EINTR, never lost; a stop does not stretch a deadline;
// and a forked child's copy of a handle is its own.
#include <dirent.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "blocking_calls.hpp"
#include "support.hpp"

namespace {

using pipc_test::all_blocking_calls;
using pipc_test::background_call;
using pipc_test::blocking_call;
using pipc_test::ms;
using pipc_test::now_ns;
using pipc_test::s;
using pipc_test::spawn;
using pipc_test::wait_child;
using pipc_test::wait_until_blocked;

constexpr int64_t timeouts[] = {PIPC_FOREVER, 60 * s};

// A call on a thread of its own that notes when it returned; made possible after
// the test if it is still blocked.
class waiter {
 public:
  waiter(blocking_call &call, int64_t timeout_ns)
      : call_(call), thread_([this, timeout_ns] {
          const int rc = call_.wait(timeout_ns);
          returned_at_ = now_ns();
          return rc;
        }, [this] { call_.make_possible(); }) {}

  bool blocks() { return wait_until_blocked(thread_.tid()); }
  int status() { return thread_.status(); }
  int64_t returned_at() const { return returned_at_; }
  pid_t tid() { return thread_.tid(); }

 private:
  blocking_call &call_;
  std::atomic<int64_t> returned_at_{0};
  background_call thread_;  // last: starts once the members above exist
};

TEST(WaitClose, ClosingTheHandleEndsTheBlockedCallAtOnceAndChangesNothing) {
  for (int64_t timeout : timeouts) {
    for (auto &call : all_blocking_calls()) {
      SCOPED_TRACE(testing::Message() << call->name() << ", timeout " << timeout);
      ASSERT_TRUE(call->ready()) << pipc_last_message();
      const std::string before = call->state();
      waiter w(*call, timeout);
      ASSERT_TRUE(w.blocks());
      const int64_t closed_at = now_ns();
      EXPECT_EQ(call->close_waiting_handle(), PIPC_OK) << pipc_last_message();
      EXPECT_EQ(w.status(), PIPC_EBADHANDLE);
      EXPECT_LT(w.returned_at() - closed_at, 50 * ms);
      EXPECT_EQ(call->state(), before);
      // The object and its other handle work as before.
      EXPECT_EQ(call->make_possible(), PIPC_OK) << pipc_last_message();
    }
  }
}

// Voluntary context switches of every thread of this process but the caller's.
int64_t sleeps_of_other_threads() {
  int64_t total = 0;
  DIR *dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  while (const dirent *entry = readdir(dir)) {
    const pid_t tid = std::atoi(entry->d_name);
    if (tid > 0 && tid != gettid()) total += pipc_test::voluntary_switches(tid);
  }
  closedir(dir);
  return total;
}

int64_t process_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<int64_t>(t.tv_sec) * s + t.tv_nsec;
}

// A waiter that has waited a while (300 ms: polling waits have grown their
// pauses by then) wakes at most 20 times a second, all its threads together, and
// uses no CPU to speak of. The sleeps are the condition measured.
TEST(WaitIdle, AWaiterWakesAtMost20TimesASecondAndUsesNoCpu) {
  for (auto &call : all_blocking_calls()) {
    SCOPED_TRACE(call->name());
    ASSERT_TRUE(call->ready()) << pipc_last_message();
    waiter w(*call, PIPC_FOREVER);
    ASSERT_TRUE(w.blocks());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const int64_t sleeps = sleeps_of_other_threads();
    const int64_t cpu = process_cpu_ns();
    const int64_t start = now_ns();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double seconds = static_cast<double>(now_ns() - start) / s;
    const int64_t wakeups = sleeps_of_other_threads() - sleeps;
    // ThreadSanitizer's own background thread wakes ten times a second.
    if (!pipc_test::thread_sanitizer) {
      EXPECT_LE(wakeups, 21 * seconds) << wakeups << " wake-ups in " << seconds << " s";
    }
    EXPECT_LT(process_cpu_ns() - cpu, 20 * ms);
    ASSERT_EQ(call->make_possible(), PIPC_OK);
    EXPECT_EQ(w.status(), PIPC_OK);
  }
}

std::atomic<int> handled{0};
void count_handled(int) { handled.fetch_add(1); }

// How many tries per call: PIPC_TEST_SIGNAL_TRIES, or 200.
int signal_tries() {
  const char *tries = std::getenv("PIPC_TEST_SIGNAL_TRIES");
  return tries != nullptr ? std::atoi(tries) : 200;
}

// Each try blocks the call (unbounded and 1 s waits by turns), lets it wait from 0
// to 30 ms (so signals also land between a polling wait's tries and at the ends
// of slices), and sends a signal whose handler has no SA_RESTART: the call must
// return PIPC_EINTR at once. A lost signal would leave it waiting.
TEST(WaitSignal, AHandlerWithoutSaRestartEndsEveryWaitWithEintrAndNoneIsLost) {
  const pipc_test::usr1_handler handler(count_handled, 0);
  std::mt19937 random(static_cast<unsigned>(now_ns()));
  std::uniform_int_distribution<int> delay_us(0, 30000);
  const int tries = signal_tries();
  for (auto &call : all_blocking_calls()) {
    SCOPED_TRACE(call->name());
    ASSERT_TRUE(call->ready()) << pipc_last_message();
    int lost = 0, wrong = 0;
    std::vector<int64_t> latencies;
    for (int i = 0; i < tries; ++i) {
      waiter w(*call, i % 2 == 0 ? PIPC_FOREVER : 1 * s);
      ASSERT_TRUE(w.blocks());
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
      const int handled_before = handled;
      const int64_t sent = now_ns();
      ASSERT_EQ(syscall(SYS_tgkill, getpid(), w.tid(), SIGUSR1), 0);
      // Generous, for loaded machines: a lost signal leaves an unbounded wait waiting
      // for good, and ends a 1 s one with its timeout (counted as wrong below).
      const int64_t give_up = sent + 5 * s;
      while (w.returned_at() == 0 && now_ns() < give_up) std::this_thread::yield();
      if (w.returned_at() == 0) {
        ++lost;
        call->make_possible();
      }
      const int rc = w.status();
      if (w.returned_at() != 0 && rc != PIPC_EINTR && rc != PIPC_OK) ++wrong;
      if (rc == PIPC_EINTR) latencies.push_back(w.returned_at() - sent);
      EXPECT_GT(handled.load(), handled_before);
    }
    EXPECT_EQ(lost, 0) << "of " << tries;
    EXPECT_EQ(wrong, 0);
    ASSERT_FALSE(latencies.empty());
    std::sort(latencies.begin(), latencies.end());
    EXPECT_LT(latencies[latencies.size() / 2], 5 * ms);
    std::printf("%s: %d tries, EINTR after median %.2f ms, max %.2f ms\n", call->name(), tries,
                latencies[latencies.size() / 2] / 1e6, latencies.back() / 1e6);
  }
}

// A bounded wait in a child that is stopped and continued keeps its deadline: when
// the deadline is still ahead at SIGCONT, the wait ends at it; when it passed
// during the stop, the wait ends at once. A PIPC_EINTR (System V semaphores may
// give one after a stop) is retried with the time left, as the contract says.
TEST(WaitDeadline, AStopAndContinueNeitherStretchesNorCutsTheTimeout) {
  PIPC_SKIP_UNDER_TSAN_IF_CHILDREN_START_THREADS();
  struct stop_case {
    int64_t timeout, stop_at, continue_at, expected;
  };
  const stop_case cases[] = {{500 * ms, 100 * ms, 300 * ms, 500 * ms},
                             {300 * ms, 100 * ms, 700 * ms, 700 * ms}};
  constexpr int64_t tolerance = 40 * ms;  // the deadline is kept to within the kernel's timer
  for (auto &call : all_blocking_calls()) {
    ASSERT_TRUE(call->ready()) << pipc_last_message();
    for (const stop_case &c : cases) {
      SCOPED_TRACE(testing::Message() << call->name() << ", timeout " << c.timeout / ms
                                      << " ms, stopped " << c.stop_at / ms << ".."
                                      << c.continue_at / ms << " ms");
      int report[2];
      ASSERT_EQ(pipe(report), 0);
      const pid_t child = spawn([&] {
        const int64_t start = now_ns();
        if (write(report[1], &start, sizeof start) != sizeof start) return 1;
        int rc;
        do {
          rc = call->wait(std::max<int64_t>(0, start + c.timeout - now_ns()));
        } while (rc == PIPC_EINTR);
        const int64_t elapsed = now_ns() - start;
        if (write(report[1], &elapsed, sizeof elapsed) != sizeof elapsed) return 1;
        return rc == PIPC_ETIMEDOUT ? 0 : 2;
      });
      int64_t start = 0, elapsed = 0;
      ASSERT_EQ(read(report[0], &start, sizeof start), static_cast<ssize_t>(sizeof start));
      std::this_thread::sleep_until(std::chrono::steady_clock::time_point(
          std::chrono::nanoseconds(start + c.stop_at)));
      kill(child, SIGSTOP);
      std::this_thread::sleep_until(std::chrono::steady_clock::time_point(
          std::chrono::nanoseconds(start + c.continue_at)));
      kill(child, SIGCONT);
      EXPECT_EQ(read(report[0], &elapsed, sizeof elapsed), static_cast<ssize_t>(sizeof elapsed));
      EXPECT_EQ(wait_child(child), 0);
      close(report[0]);
      close(report[1]);
      EXPECT_GE(elapsed, c.expected);
      EXPECT_LT(elapsed, c.expected + tolerance);
    }
  }
}

// A forked child has its own copies of the handles: the parent closing its handle
// ends the parent's calls, not the child's wait on its copy.
TEST(WaitFork, AParentsCloseLeavesTheChildsWaitOnItsCopyAlone) {
  PIPC_SKIP_UNDER_TSAN_IF_CHILDREN_START_THREADS();
  for (auto &call : all_blocking_calls()) {
    SCOPED_TRACE(call->name());
    ASSERT_TRUE(call->ready()) << pipc_last_message();
    const pid_t child = spawn([&] { return call->wait(30 * s) == PIPC_OK ? 0 : 1; });
    ASSERT_TRUE(wait_until_blocked(child));
    EXPECT_EQ(call->close_waiting_handle(), PIPC_OK);
    EXPECT_TRUE(wait_until_blocked(child));
    EXPECT_EQ(call->make_possible(), PIPC_OK);
    EXPECT_EQ(wait_child(child), 0);
  }
}

}  // namespace
