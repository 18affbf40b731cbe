// POSIX message queue notification (pipc_mq_notify_*): by callback on a thread,
// and by realtime signal, when a queue goes from empty to non-empty.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"

namespace {

using pipc_test::message_mentions;
using pipc_test::scope_exit;
using pipc_test::unique_name;
using namespace std::chrono_literals;

// How long a test waits after a sync point to see that a notification does NOT come.
constexpr auto no_show = 200ms;

// The signal the signal-form tests register. It is blocked in the main thread before
// main() runs, so every thread the tests create inherits the block and the signal stays
// pending for sigtimedwait instead of killing the process.
sigset_t notify_set(int signo) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signo);
  return set;
}
const int notify_signo = [] {
  const int signo = pipc_signal_min() + 1;
  const sigset_t set = notify_set(signo);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return signo;
}();

// Waits up to TIMEOUT for notify_signo; its siginfo, or one with si_signo 0 if none came.
siginfo_t wait_signal(std::chrono::milliseconds timeout) {
  const sigset_t set = notify_set(notify_signo);
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const timespec limit{static_cast<time_t>(s.count()),
                       static_cast<long>(std::chrono::nanoseconds(timeout - s).count())};
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  while (sigtimedwait(&set, &info, &limit) < 0 && errno == EINTR) {
  }
  return info;
}

// Counts the runs of a notification callback and lets a test wait for them.
class callback_log {
 public:
  // The pipc_mq_notify_fn; ARG is a callback_log.
  static void record(void *arg) {
    // glibc runs notification threads with every signal unblocked.
    const sigset_t set = notify_set(notify_signo);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    auto *log = static_cast<callback_log *>(arg);
    const int rearmed = log->rearm_ != nullptr ? pipc_mq_notify_callback(log->rearm_, record, log)
                                               : PIPC_OK;
    const std::lock_guard<std::mutex> guard(log->lock_);
    ++log->runs_;
    log->thread_ = std::this_thread::get_id();
    log->rearm_status_ = rearmed;
    log->changed_.notify_all();
  }

  // Before registering: each run registers the callback again on MQ.
  void rearm_on(pipc_mq *mq) { rearm_ = mq; }

  // Waits up to 10 s until the callback has run N times in all.
  bool wait_for_runs(int n) {
    std::unique_lock<std::mutex> guard(lock_);
    return changed_.wait_for(guard, 10s, [&] { return runs_ >= n; });
  }

  // The runs so far, once NO_SHOW passed without a new one: for "did not run" checks.
  int runs_after_pause() {
    std::unique_lock<std::mutex> guard(lock_);
    const int before = runs_;
    changed_.wait_for(guard, no_show, [&] { return runs_ != before; });
    return runs_;
  }

  std::thread::id last_thread() {
    const std::lock_guard<std::mutex> guard(lock_);
    return thread_;
  }

  int rearm_status() {
    const std::lock_guard<std::mutex> guard(lock_);
    return rearm_status_;
  }

 private:
  pipc_mq *rearm_ = nullptr;
  std::mutex lock_;
  std::condition_variable changed_;
  int runs_ = 0;
  std::thread::id thread_;
  int rearm_status_ = 1;
};

int send(pipc_mq *mq, const char *data) { return pipc_mq_send(mq, data, std::strlen(data), 0, 0); }

// Receives one message, leaving the queue empty again for the next notification.
std::string receive(pipc_mq *mq) {
  char buf[64];
  size_t len = 0;
  if (pipc_mq_receive(&len, nullptr, mq, buf, sizeof buf, 0) != PIPC_OK) return "<none>";
  return std::string(buf, len);
}


// Every handle a test opens is closed, and every queue it creates unlinked, when the
// test ends. The callback log outlives the handles, so a registration pending at the
// end is dropped (by the close) before the log goes away.
class MqNotify : public ::testing::Test {
 protected:
  void SetUp() override {
    while (wait_signal(0ms).si_signo != 0) {  // left pending by an earlier, failed test
    }
  }

  void TearDown() override {
    for (pipc_mq *mq : handles_) EXPECT_EQ(pipc_mq_close(mq), PIPC_OK);
    for (const std::string &name : names_) pipc_mq_unlink_name(name.c_str());
  }

  // Opens NAME with OPTS; nullptr (and a recorded failure) if that fails.
  pipc_mq *open(const std::string &name, const pipc_mq_options &opts) {
    pipc_mq *mq = nullptr;
    EXPECT_EQ(pipc_mq_open(&mq, name.c_str(), &opts), PIPC_OK) << pipc_last_message();
    if (mq != nullptr) handles_.push_back(mq);
    return mq;
  }

  // A new small queue.
  pipc_mq *create() {
    names_.push_back(unique_name());
    pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
    opts.flags = PIPC_CREX;
    opts.max_messages = 4;
    opts.max_message_size = 64;
    return open(names_.back(), opts);
  }

  // Another handle on MQ's queue.
  pipc_mq *reopen(pipc_mq *mq) {
    const pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
    return open(pipc_mq_name(mq), opts);
  }

  // Closes MQ now rather than when the test ends.
  int close(pipc_mq *mq) {
    handles_.erase(std::remove(handles_.begin(), handles_.end(), mq), handles_.end());
    return pipc_mq_close(mq);
  }

  callback_log log;

 private:
  std::vector<pipc_mq *> handles_;
  std::vector<std::string> names_;
};

class MqNotifyCallback : public MqNotify {};
class MqNotifySignal : public MqNotify {};

// ---------------------------------------------------------------------------------
// Callback form

TEST_F(MqNotifyCallback, RunsOnceOnAnotherThreadWhenTheQueueBecomesNonEmpty) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  ASSERT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &log), PIPC_OK)
      << pipc_last_message();
  ASSERT_EQ(send(mq, "first"), PIPC_OK);
  ASSERT_TRUE(log.wait_for_runs(1));
  EXPECT_NE(log.last_thread(), std::this_thread::get_id());
  // One shot: the queue empties and fills again, but the registration is spent.
  EXPECT_EQ(receive(mq), "first");
  ASSERT_EQ(send(mq, "second"), PIPC_OK);
  EXPECT_EQ(log.runs_after_pause(), 1);
}

TEST_F(MqNotifyCallback, CanBeRegisteredAgainAfterItRan) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  for (int run = 1; run <= 3; ++run) {
    ASSERT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &log), PIPC_OK)
        << pipc_last_message();
    ASSERT_EQ(send(mq, "m"), PIPC_OK);
    ASSERT_TRUE(log.wait_for_runs(run)) << run;
    EXPECT_EQ(receive(mq), "m");
  }
}

TEST_F(MqNotifyCallback, RegisteringAgainRightAfterTheMessageStillRunsTheFirstCallback) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  callback_log second;
  for (int round = 1; round <= 20; ++round) {
    ASSERT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &log), PIPC_OK)
        << pipc_last_message();
    ASSERT_EQ(send(mq, "m"), PIPC_OK);
    // The kernel dropped the registration when it fired, probably before the
    // callback's thread started: the new registration must not swallow the first run.
    ASSERT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &second), PIPC_OK)
        << pipc_last_message();
    ASSERT_TRUE(log.wait_for_runs(round)) << round;
    ASSERT_EQ(pipc_mq_notify_cancel(mq), PIPC_OK);
    EXPECT_EQ(receive(mq), "m");
  }
  EXPECT_EQ(second.runs_after_pause(), 0);
}

TEST_F(MqNotifyCallback, CanRegisterItselfAgainFromInsideTheCallback) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  log.rearm_on(mq);
  ASSERT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &log), PIPC_OK)
      << pipc_last_message();
  for (int run = 1; run <= 3; ++run) {
    ASSERT_EQ(send(mq, "m"), PIPC_OK);
    ASSERT_TRUE(log.wait_for_runs(run)) << run;
    EXPECT_EQ(log.rearm_status(), PIPC_OK) << run;
    EXPECT_EQ(receive(mq), "m");
  }
}

TEST_F(MqNotifyCallback, CancelPreventsTheCallback) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  ASSERT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &log), PIPC_OK)
      << pipc_last_message();
  ASSERT_EQ(pipc_mq_notify_cancel(mq), PIPC_OK);
  ASSERT_EQ(send(mq, "m"), PIPC_OK);
  EXPECT_EQ(log.runs_after_pause(), 0);
  EXPECT_EQ(pipc_mq_notify_cancel(mq), PIPC_OK);  // none pending: still fine
  // The registration is really gone: a new one is accepted.
  EXPECT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &log), PIPC_OK);
}

TEST_F(MqNotifyCallback, SecondRegistrationInTheSameProcessGivesEAGAIN) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  pipc_mq *other = reopen(mq);
  ASSERT_NE(other, nullptr);
  ASSERT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &log), PIPC_OK)
      << pipc_last_message();
  // The kernel allows one registration per queue, whichever handle asks.
  for (pipc_mq *h : {mq, other}) {
    EXPECT_EQ(pipc_mq_notify_callback(h, callback_log::record, &log), PIPC_EAGAIN);
    EXPECT_EQ(pipc_last_errno(), EBUSY);
    EXPECT_TRUE(message_mentions("already registered"));
    EXPECT_EQ(pipc_mq_notify_signal(h, notify_signo), PIPC_EAGAIN);
  }
  // The first registration is intact and fires exactly once.
  ASSERT_EQ(send(other, "m"), PIPC_OK);
  ASSERT_TRUE(log.wait_for_runs(1));
  EXPECT_EQ(log.runs_after_pause(), 1);
  EXPECT_EQ(wait_signal(0ms).si_signo, 0);
}

TEST_F(MqNotifyCallback, RegistrationOfAnotherProcessGivesEAGAINUntilItExits) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  const std::string name = pipc_mq_name(mq);
  int registered[2];  // child -> parent: the child's registration status
  int release[2];     // parent -> child: EOF tells the child to exit
  ASSERT_EQ(pipe2(registered, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(release, O_CLOEXEC), 0);
  const scope_exit close_pipes([&] {
    for (int fd : {registered[0], registered[1], release[0], release[1]}) ::close(fd);
  });
  const pid_t child = pipc_test::spawn([&] {
    ::close(release[1]);
    pipc_mq *own = nullptr;
    const pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
    if (pipc_mq_open(&own, name.c_str(), &opts) != PIPC_OK) return 1;
    const char status = static_cast<char>(pipc_mq_notify_signal(own, notify_signo));
    if (write(registered[1], &status, 1) != 1) return 2;
    char byte;
    return read(release[0], &byte, 1) == 0 ? 0 : 3;
  });
  // No ASSERT until the child is released and reaped.
  pollfd pfd{registered[0], POLLIN, 0};
  char status = 1;
  EXPECT_EQ(poll(&pfd, 1, 10000), 1);
  EXPECT_EQ(read(registered[0], &status, 1), 1);
  EXPECT_EQ(status, PIPC_OK);
  EXPECT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &log), PIPC_EAGAIN);
  EXPECT_EQ(pipc_mq_notify_signal(mq, notify_signo), PIPC_EAGAIN);
  ::close(release[1]);
  release[1] = -1;
  EXPECT_EQ(pipc_test::wait_child(child), 0);
  // The child's exit closed its descriptor and, with it, its registration.
  EXPECT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &log), PIPC_OK)
      << pipc_last_message();
}

TEST_F(MqNotifyCallback, ClosingTheRegisteredHandleDropsTheRegistration) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  pipc_mq *other = reopen(mq);
  ASSERT_NE(other, nullptr);
  ASSERT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &log), PIPC_OK)
      << pipc_last_message();
  ASSERT_EQ(close(mq), PIPC_OK);
  ASSERT_EQ(send(other, "m"), PIPC_OK);
  EXPECT_EQ(log.runs_after_pause(), 0);
  EXPECT_EQ(pipc_mq_notify_callback(other, callback_log::record, &log), PIPC_OK)
      << pipc_last_message();
}

TEST_F(MqNotifyCallback, NullFunctionGivesEINVALAndRegistersNothing) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  EXPECT_EQ(pipc_mq_notify_callback(mq, nullptr, &log), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("fn is NULL"));
  EXPECT_EQ(pipc_mq_notify_callback(mq, callback_log::record, &log), PIPC_OK)
      << pipc_last_message();
}

// ---------------------------------------------------------------------------------
// Signal form

TEST_F(MqNotifySignal, DeliveredOnceWhenTheQueueBecomesNonEmpty) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  ASSERT_EQ(pipc_mq_notify_signal(mq, notify_signo), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(send(mq, "first"), PIPC_OK);
  const siginfo_t info = wait_signal(10000ms);
  EXPECT_EQ(info.si_signo, notify_signo);
  EXPECT_EQ(info.si_code, SI_MESGQ);
  EXPECT_EQ(info.si_pid, getpid());  // the sender
  // One shot: the queue empties and fills again, but the registration is spent.
  EXPECT_EQ(receive(mq), "first");
  ASSERT_EQ(send(mq, "second"), PIPC_OK);
  EXPECT_EQ(wait_signal(no_show).si_signo, 0);
}

TEST_F(MqNotifySignal, CanBeRegisteredAgainAfterItCame) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  for (int run = 1; run <= 3; ++run) {
    ASSERT_EQ(pipc_mq_notify_signal(mq, notify_signo), PIPC_OK) << pipc_last_message();
    ASSERT_EQ(send(mq, "m"), PIPC_OK);
    EXPECT_EQ(wait_signal(10000ms).si_signo, notify_signo) << run;
    EXPECT_EQ(receive(mq), "m");
  }
}

TEST_F(MqNotifySignal, CancelPreventsTheSignal) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  ASSERT_EQ(pipc_mq_notify_signal(mq, notify_signo), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_mq_notify_cancel(mq), PIPC_OK);
  ASSERT_EQ(send(mq, "m"), PIPC_OK);
  EXPECT_EQ(wait_signal(no_show).si_signo, 0);
}

TEST_F(MqNotifySignal, BadSignalNumbersGiveEINVALAndRegisterNothing) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  for (int signo : {0, -1, 1000, pipc_signal_max() + 1, INT_MIN, INT_MAX}) {
    EXPECT_EQ(pipc_mq_notify_signal(mq, signo), PIPC_EINVAL) << signo;
    EXPECT_TRUE(message_mentions(std::to_string(signo)));
  }
  ASSERT_EQ(send(mq, "m"), PIPC_OK);
  EXPECT_EQ(wait_signal(no_show).si_signo, 0);
  EXPECT_EQ(pipc_mq_notify_signal(mq, notify_signo), PIPC_OK) << pipc_last_message();
}

}  // namespace
