// POSIX message queues: open/create, attributes, send/receive, priorities,
// blocking mode, timeouts, signals, limits, several processes and bad input.
// Notification (pipc_mq_notify_*) has its own suite, test_mq_notify.cpp.
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"

namespace {

using pipc_test::ms;
using pipc_test::now_ns;
using pipc_test::message_mentions;
using pipc_test::scope_exit;
using pipc_test::unique_name;
using pipc_test::usr1_handler;
using pipc_test::wait_until_blocked;

// Small queues, so that the queues of this suite (and of suites running at the same
// time as the same user) fit in the per-user RLIMIT_MSGQUEUE byte budget.
constexpr int64_t small_max_messages = 4;
constexpr int64_t small_message_size = 64;

pipc_mq_options small_queue(uint32_t flags = PIPC_CREX) {
  pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
  opts.flags = flags;
  opts.max_messages = small_max_messages;
  opts.max_message_size = small_message_size;
  return opts;
}

pipc_mq *const not_written = reinterpret_cast<pipc_mq *>(uintptr_t{1});


// Whether the mqueue filesystem lists NAME.
bool listed(const std::string &name) {
  struct stat st {};
  return stat(("/dev/mqueue" + name).c_str(), &st) == 0;
}

int send(pipc_mq *mq, const std::string &data, unsigned priority = 0, int64_t timeout_ns = 0) {
  return pipc_mq_send(mq, data.data(), data.size(), priority, timeout_ns);
}

struct received {
  int status;
  std::string data;
  unsigned priority;
};

// Receives one message into a buffer of exactly the queue's max message size.
received receive(pipc_mq *mq, int64_t timeout_ns = 0) {
  int64_t cap = 0;
  pipc_mq_max_message_size(&cap, mq);
  std::vector<char> buf(static_cast<size_t>(cap) + 1);
  size_t len = 0;
  unsigned priority = 0;
  const int status = pipc_mq_receive(&len, &priority, mq, buf.data(), static_cast<size_t>(cap),
                                     timeout_ns);
  return {status, status == PIPC_OK ? std::string(buf.data(), len) : std::string(), priority};
}

int64_t current_messages(pipc_mq *mq) {
  int64_t n = -1;
  EXPECT_EQ(pipc_mq_current_messages(&n, mq), PIPC_OK) << pipc_last_message();
  return n;
}

// Sends messages until MQ is full; false (with a recorded failure) if a send fails.
bool fill(pipc_mq *mq) {
  int64_t max = 0;
  EXPECT_EQ(pipc_mq_max_messages(&max, mq), PIPC_OK);
  for (int64_t i = 0; i < max; ++i) {
    const int rc = send(mq, "fill");
    EXPECT_EQ(rc, PIPC_OK) << pipc_last_message();
    if (rc != PIPC_OK) return false;
  }
  return max > 0;
}

// A call that must wait: a send on a full queue or a receive on an empty one.
struct blocked_call {
  const char *what;
  bool sends;
  int64_t timeout_ns;
};

const blocked_call blocked_calls[] = {
    {"receive without timeout", false, PIPC_FOREVER},
    {"receive without timeout, restartable", false, PIPC_FOREVER_RESTARTABLE},
    {"receive with a timeout", false, 60000 * ms},
    {"send without timeout", true, PIPC_FOREVER},
    {"send without timeout, restartable", true, PIPC_FOREVER_RESTARTABLE},
    {"send with a timeout", true, 60000 * ms},
};

int run(const blocked_call &call, pipc_mq *mq, int64_t timeout_ns) {
  if (call.sends) return send(mq, "late", 0, timeout_ns);
  return receive(mq, timeout_ns).status;
}

// Makes queue MQ ready for a waiting CALL: room for a sender, a message for a receiver.
int make_ready(const blocked_call &call, pipc_mq *mq) {
  return call.sends ? receive(mq).status : send(mq, "wake");
}


// A pipc call running on a thread of its own. A failed test may leave the call
// blocked: then the thread is left behind.
class background_call : public pipc_test::background_call {
 public:
  using pipc_test::background_call::background_call;

  // Whether the call waits (in ppoll, where every waiting send or receive waits).
  bool waits() { return wait_until_blocked(tid(), SYS_ppoll); }
};

// Every handle a test opens is closed, and every name it takes unlinked, when the
// test ends, also when an assertion returned early.
class MqTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (pipc_mq *mq : handles_) EXPECT_EQ(pipc_mq_close(mq), PIPC_OK);
    for (const std::string &name : names_) pipc_mq_unlink_name(name.c_str());
  }

  // A unique name, unlinked when the test ends.
  std::string fresh_name() {
    names_.push_back(unique_name());
    return names_.back();
  }

  // Opens NAME; nullptr (and a recorded failure) if that fails.
  pipc_mq *open(const std::string &name, const pipc_mq_options &opts) {
    pipc_mq *mq = nullptr;
    EXPECT_EQ(pipc_mq_open(&mq, name.c_str(), &opts), PIPC_OK)
        << name << ": " << pipc_last_message();
    if (mq != nullptr) handles_.push_back(mq);
    return mq;
  }

  pipc_mq *create(const pipc_mq_options &opts = small_queue()) { return open(fresh_name(), opts); }

  // A new queue in which CALL must wait: full for a sender, empty for a receiver.
  pipc_mq *create_for(const blocked_call &call) {
    pipc_mq *mq = create();
    return mq != nullptr && (!call.sends || fill(mq)) ? mq : nullptr;
  }

  // Another handle on MQ's queue, opened by name with ACCESS.
  pipc_mq *reopen(pipc_mq *mq, uint32_t access = PIPC_READ_WRITE) {
    pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
    opts.access = access;
    return open(pipc_mq_name(mq), opts);
  }

  // Closes MQ now rather than when the test ends.
  int close(pipc_mq *mq) {
    handles_.erase(std::remove(handles_.begin(), handles_.end(), mq), handles_.end());
    return pipc_mq_close(mq);
  }

 private:
  std::vector<pipc_mq *> handles_;
  std::vector<std::string> names_;
};

class MqOpen : public MqTest {};
class MqMessages : public MqTest {};
class MqBlocking : public MqTest {};
class MqTimeout : public MqTest {};
class MqSignal : public MqTest {};
class MqLimits : public MqTest {};
class MqProcess : public MqTest {};
class MqBadInput : public MqTest {};

// ---------------------------------------------------------------------------------
// Open, create, attributes, unlink, descriptor

TEST_F(MqOpen, CreateFlagsChooseBetweenANewAndTheExistingQueue) {
  const std::string name = fresh_name();
  pipc_mq *creator = open(name, small_queue(PIPC_CREAT));
  ASSERT_NE(creator, nullptr);
  EXPECT_EQ(pipc_mq_created(creator), 1);
  EXPECT_STREQ(pipc_mq_name(creator), name.c_str());
  EXPECT_TRUE(listed(name));
  ASSERT_EQ(send(creator, "hello"), PIPC_OK);
  for (uint32_t flags : {0u, PIPC_CREAT}) {
    pipc_mq *again = open(name, small_queue(flags));
    ASSERT_NE(again, nullptr) << flags;
    EXPECT_EQ(pipc_mq_created(again), 0) << flags;
    EXPECT_EQ(current_messages(again), 1) << flags;  // the same queue
  }
  const received r = receive(creator);
  EXPECT_EQ(r.status, PIPC_OK);
  EXPECT_EQ(r.data, "hello");
}

TEST_F(MqOpen, ExclusiveCreateOfAnExistingQueueGivesEEXISTAndKeepsIt) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  ASSERT_EQ(send(mq, "kept"), PIPC_OK);
  pipc_mq *out = not_written;
  const pipc_mq_options crex = small_queue(PIPC_CREX);
  EXPECT_EQ(pipc_mq_open(&out, pipc_mq_name(mq), &crex), PIPC_EEXIST);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(pipc_last_errno(), EEXIST);
  EXPECT_TRUE(message_mentions(pipc_mq_name(mq)));
  EXPECT_EQ(receive(mq).data, "kept");
}

TEST_F(MqOpen, OpeningAMissingQueueWithoutCreateGivesENOENT) {
  const std::string name = fresh_name();
  const pipc_mq_options opts = small_queue(0);
  pipc_mq *out = not_written;
  EXPECT_EQ(pipc_mq_open(&out, name.c_str(), &opts), PIPC_ENOENT);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(pipc_last_errno(), ENOENT);
  EXPECT_TRUE(message_mentions(name));
  // NULL options mean "open an existing queue" too.
  EXPECT_EQ(pipc_mq_open(&out, name.c_str(), nullptr), PIPC_ENOENT);
  EXPECT_FALSE(listed(name));
}

TEST_F(MqOpen, NewQueueGetsTheRequestedMode) {
  const mode_t old_umask = umask(0);
  const scope_exit restore([old_umask] { umask(old_umask); });
  for (uint32_t mode : {0600u, 0640u, 0444u, 0u}) {
    pipc_mq_options opts = small_queue();
    opts.mode = mode;
    pipc_mq *mq = create(opts);
    ASSERT_NE(mq, nullptr);
    struct stat st {};
    ASSERT_EQ(stat(("/dev/mqueue" + std::string(pipc_mq_name(mq))).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, mode);
  }
}

TEST_F(MqOpen, NullNameCreatesARandomQueueWithTheDefaults) {
  std::string names[2];
  for (std::string &name : names) {
    pipc_mq *mq = nullptr;
    ASSERT_EQ(pipc_mq_open(&mq, nullptr, nullptr), PIPC_OK) << pipc_last_message();
    const scope_exit cleanup([mq] {
      pipc_mq_unlink(mq);
      pipc_mq_close(mq);
    });
    name = pipc_mq_name(mq);
    EXPECT_EQ(pipc_mq_created(mq), 1);
    EXPECT_EQ(name.rfind("/pipc_", 0), 0u) << name;
    EXPECT_EQ(name.find('/', 1), std::string::npos) << name;
    EXPECT_TRUE(listed(name));
    int64_t max_messages = 0;
    int64_t max_message_size = 0;
    ASSERT_EQ(pipc_mq_max_messages(&max_messages, mq), PIPC_OK);
    ASSERT_EQ(pipc_mq_max_message_size(&max_message_size, mq), PIPC_OK);
    EXPECT_EQ(max_messages, pipc_mq_default_max_messages());
    EXPECT_EQ(max_message_size, pipc_mq_default_max_message_size());
    ASSERT_EQ(pipc_mq_unlink(mq), PIPC_OK);
    EXPECT_FALSE(listed(name));
  }
  EXPECT_NE(names[0], names[1]);
}

TEST_F(MqOpen, AttributesComeFromTheOptionsOrTheSystemDefaults) {
  const int64_t default_messages = pipc_mq_default_max_messages();
  const int64_t default_size = pipc_mq_default_max_message_size();
  struct attributes {
    int64_t max_messages, max_message_size;
  };
  const std::pair<attributes, attributes> cases[] = {
      // {asked for, expected}; 0 asks for the default
      {{3, 100}, {3, 100}},
      {{3, 0}, {3, default_size}},
      {{0, 100}, {default_messages, 100}},
      {{0, 0}, {default_messages, default_size}},
  };
  for (const auto &[asked, expected] : cases) {
    pipc_mq_options opts = small_queue();
    opts.max_messages = asked.max_messages;
    opts.max_message_size = asked.max_message_size;
    pipc_mq *mq = create(opts);
    ASSERT_NE(mq, nullptr);
    int64_t max_messages = 0;
    int64_t max_message_size = 0;
    ASSERT_EQ(pipc_mq_max_messages(&max_messages, mq), PIPC_OK);
    ASSERT_EQ(pipc_mq_max_message_size(&max_message_size, mq), PIPC_OK);
    EXPECT_EQ(max_messages, expected.max_messages) << asked.max_messages;
    EXPECT_EQ(max_message_size, expected.max_message_size) << asked.max_message_size;
    EXPECT_EQ(current_messages(mq), 0);
    EXPECT_EQ(close(mq), PIPC_OK);  // keeps at most one default-sized queue at a time
  }
}

TEST_F(MqOpen, OpeningAnExistingQueueReportsItsCreatorsAttributes) {
  pipc_mq_options opts = small_queue();
  opts.max_messages = 3;
  opts.max_message_size = 100;
  pipc_mq *creator = create(opts);
  ASSERT_NE(creator, nullptr);
  opts.flags = 0;
  opts.max_messages = 7;  // ignored: the queue exists
  opts.max_message_size = 200;
  pipc_mq *opener = open(pipc_mq_name(creator), opts);
  ASSERT_NE(opener, nullptr);
  int64_t max_messages = 0;
  int64_t max_message_size = 0;
  ASSERT_EQ(pipc_mq_max_messages(&max_messages, opener), PIPC_OK);
  ASSERT_EQ(pipc_mq_max_message_size(&max_message_size, opener), PIPC_OK);
  EXPECT_EQ(max_messages, 3);
  EXPECT_EQ(max_message_size, 100);
}

TEST_F(MqOpen, CurrentMessagesCountsWhatIsQueued) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  pipc_mq *other = reopen(mq);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(current_messages(mq), 0);
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(send(mq, "m"), PIPC_OK);
    EXPECT_EQ(current_messages(mq), i);
    EXPECT_EQ(current_messages(other), i);
  }
  ASSERT_EQ(receive(other).status, PIPC_OK);
  EXPECT_EQ(current_messages(mq), 2);
}

TEST_F(MqOpen, UnlinkByHandleRemovesTheNameButTheHandleStillWorks) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  const std::string name = pipc_mq_name(mq);
  ASSERT_EQ(pipc_mq_unlink(mq), PIPC_OK);
  EXPECT_FALSE(listed(name));
  pipc_mq *out = not_written;
  EXPECT_EQ(pipc_mq_open(&out, name.c_str(), nullptr), PIPC_ENOENT);
  // Unlink never closes: the unnamed queue lives on for its handles.
  ASSERT_EQ(send(mq, "still here"), PIPC_OK);
  EXPECT_EQ(receive(mq).data, "still here");
  EXPECT_EQ(pipc_mq_unlink(mq), PIPC_ENOENT);
  EXPECT_TRUE(message_mentions(name));
  // The name is free for a new, different queue.
  pipc_mq *successor = open(name, small_queue());
  ASSERT_NE(successor, nullptr);
  EXPECT_EQ(pipc_mq_created(successor), 1);
  ASSERT_EQ(send(successor, "new"), PIPC_OK);
  EXPECT_EQ(current_messages(mq), 0);
}

TEST_F(MqOpen, UnlinkByNameRemovesTheQueue) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  const std::string name = pipc_mq_name(mq);
  ASSERT_EQ(pipc_mq_unlink_name(name.c_str()), PIPC_OK);
  EXPECT_FALSE(listed(name));
  EXPECT_EQ(pipc_mq_unlink_name(name.c_str()), PIPC_ENOENT);
  EXPECT_EQ(pipc_last_errno(), ENOENT);
  EXPECT_TRUE(message_mentions(name));
  EXPECT_EQ(send(mq, "x"), PIPC_OK);  // the handle is not closed
}

TEST_F(MqOpen, DescriptorPollsReadableWhileMessagesAreQueued) {
  pipc_mq_options opts = small_queue();
  opts.max_messages = 2;
  pipc_mq *mq = create(opts);
  ASSERT_NE(mq, nullptr);
  int fd = -1;
  ASSERT_EQ(pipc_mq_fd(&fd, mq), PIPC_OK);
  ASSERT_GE(fd, 0);
  const auto ready = [fd] {
    pollfd pfd{fd, POLLIN | POLLOUT, 0};
    return poll(&pfd, 1, 0) == 1 ? pfd.revents : 0;
  };
  EXPECT_EQ(ready(), POLLOUT);
  ASSERT_EQ(send(mq, "a"), PIPC_OK);
  EXPECT_EQ(ready(), POLLIN | POLLOUT);
  ASSERT_EQ(send(mq, "b"), PIPC_OK);
  EXPECT_EQ(ready(), POLLIN);  // full
  ASSERT_EQ(receive(mq).status, PIPC_OK);
  ASSERT_EQ(receive(mq).status, PIPC_OK);
  EXPECT_EQ(ready(), POLLOUT);
}

TEST_F(MqOpen, ReadOnlyEndCannotSend) {
  pipc_mq *writer = create();
  ASSERT_NE(writer, nullptr);
  pipc_mq *reader = reopen(writer, PIPC_READ);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(send(reader, "no"), PIPC_EACCES);
  EXPECT_TRUE(message_mentions("not opened for writing"));
  EXPECT_EQ(current_messages(writer), 0);
  ASSERT_EQ(send(writer, "yes"), PIPC_OK);
  EXPECT_EQ(receive(reader).data, "yes");
}

TEST_F(MqOpen, WriteOnlyEndCannotReceive) {
  pipc_mq *reader = create();
  ASSERT_NE(reader, nullptr);
  pipc_mq *writer = reopen(reader, PIPC_WRITE);
  ASSERT_NE(writer, nullptr);
  ASSERT_EQ(send(writer, "kept"), PIPC_OK);
  EXPECT_EQ(receive(writer).status, PIPC_EACCES);
  EXPECT_TRUE(message_mentions("not opened for reading"));
  EXPECT_EQ(current_messages(reader), 1);
  EXPECT_EQ(receive(reader).data, "kept");
}

// ---------------------------------------------------------------------------------
// Send and receive

TEST_F(MqMessages, RoundTripKeepsEveryByteAndThePriority) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  std::string data(small_message_size, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 37);
  ASSERT_EQ(send(mq, data, 9), PIPC_OK);
  const received r = receive(mq);
  EXPECT_EQ(r.status, PIPC_OK);
  EXPECT_EQ(r.data, data);
  EXPECT_EQ(r.priority, 9u);
  EXPECT_EQ(current_messages(mq), 0);
}

TEST_F(MqMessages, EmptyMessagesAreMessagesToo) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  EXPECT_EQ(pipc_mq_send(mq, nullptr, 0, 2, 0), PIPC_OK);  // data may be NULL when len is 0
  EXPECT_EQ(pipc_mq_send(mq, "ignored", 0, 1, 0), PIPC_OK);
  EXPECT_EQ(current_messages(mq), 2);
  for (unsigned priority : {2u, 1u}) {
    const received r = receive(mq);
    EXPECT_EQ(r.status, PIPC_OK);
    EXPECT_EQ(r.data, "");
    EXPECT_EQ(r.priority, priority);
  }
}

TEST_F(MqMessages, HigherPriorityFirstAndFifoWithinAPriority) {
  pipc_mq_options opts = small_queue();
  opts.max_messages = 8;
  pipc_mq *mq = create(opts);
  ASSERT_NE(mq, nullptr);
  const unsigned top = static_cast<unsigned>(pipc_mq_priority_max());
  const std::pair<const char *, unsigned> sent[] = {
      {"low1", 1}, {"high1", 5}, {"low2", 1}, {"zero", 0}, {"high2", 5}, {"top", top}};
  for (const auto &[data, priority] : sent) ASSERT_EQ(send(mq, data, priority), PIPC_OK);
  const std::pair<const char *, unsigned> expected[] = {
      {"top", top}, {"high1", 5}, {"high2", 5}, {"low1", 1}, {"low2", 1}, {"zero", 0}};
  for (const auto &[data, priority] : expected) {
    const received r = receive(mq);
    EXPECT_EQ(r.status, PIPC_OK);
    EXPECT_EQ(r.data, data);
    EXPECT_EQ(r.priority, priority);
  }
}

TEST_F(MqMessages, PriorityOutMayBeNull) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  ASSERT_EQ(send(mq, "abc", 3), PIPC_OK);
  char buf[small_message_size];
  size_t len = 0;
  ASSERT_EQ(pipc_mq_receive(&len, nullptr, mq, buf, sizeof buf, 0), PIPC_OK);
  EXPECT_EQ(std::string(buf, len), "abc");
}

TEST_F(MqMessages, PriorityAboveTheMaximumGivesERANGEAndSendsNothing) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  const int64_t max = pipc_mq_priority_max();
  for (unsigned priority : {static_cast<unsigned>(max + 1), UINT_MAX}) {
    EXPECT_EQ(send(mq, "x", priority), PIPC_ERANGE) << priority;
    EXPECT_TRUE(message_mentions(std::to_string(max)));
  }
  EXPECT_EQ(current_messages(mq), 0);
}

TEST_F(MqMessages, OversizedMessageGivesEMSGSIZEAndIsNotSent) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  ASSERT_EQ(send(mq, "first"), PIPC_OK);
  const std::string big(small_message_size + 1, 'b');
  // SIZE_MAX must not wrap into a small length; the library never reads that far.
  for (size_t len : {big.size(), SIZE_MAX}) {
    EXPECT_EQ(pipc_mq_send(mq, big.data(), len, 0, 0), PIPC_EMSGSIZE) << len;
    EXPECT_EQ(pipc_last_errno(), EMSGSIZE);
    EXPECT_TRUE(message_mentions("max_message_size " + std::to_string(small_message_size)));
  }
  EXPECT_EQ(current_messages(mq), 1);
  EXPECT_EQ(send(mq, std::string(small_message_size, 'f')), PIPC_OK);  // the limit itself fits
}

TEST_F(MqMessages, BufferSmallerThanTheMaxMessageSizeGivesEMSGSIZEAndKeepsTheMessage) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  ASSERT_EQ(send(mq, "x"), PIPC_OK);  // fits the buffer, but the rule is about the queue
  char buf[small_message_size];
  for (size_t cap : {sizeof buf - 1, size_t{1}, size_t{0}}) {
    size_t len = 99;
    EXPECT_EQ(pipc_mq_receive(&len, nullptr, mq, buf, cap, 0), PIPC_EMSGSIZE) << cap;
    EXPECT_EQ(len, 99u);
    EXPECT_TRUE(message_mentions("max_message_size " + std::to_string(small_message_size)));
  }
  EXPECT_EQ(current_messages(mq), 1);
  EXPECT_EQ(receive(mq).data, "x");
}

// ---------------------------------------------------------------------------------
// Blocking flag

int blocking(pipc_mq *mq) {
  int flag = -1;
  EXPECT_EQ(pipc_mq_blocking(&flag, mq), PIPC_OK);
  return flag;
}

TEST_F(MqBlocking, FlagDefaultsToBlockingAndFollowsOpenAndSet) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  EXPECT_EQ(blocking(mq), 1);
  pipc_mq_options opts = small_queue(PIPC_NONBLOCK);
  pipc_mq *nonblocking = open(pipc_mq_name(mq), opts);
  ASSERT_NE(nonblocking, nullptr);
  EXPECT_EQ(blocking(nonblocking), 0);
  EXPECT_EQ(blocking(mq), 1);  // the flag belongs to the handle, not the queue
  ASSERT_EQ(pipc_mq_set_blocking(nonblocking, 7), PIPC_OK);  // any non-zero value
  EXPECT_EQ(blocking(nonblocking), 1);
  ASSERT_EQ(pipc_mq_set_blocking(mq, 0), PIPC_OK);
  EXPECT_EQ(blocking(mq), 0);
  EXPECT_EQ(blocking(nonblocking), 1);
  // The switched handles behave as their flags say.
  EXPECT_EQ(receive(mq, PIPC_FOREVER).status, PIPC_EAGAIN);
  EXPECT_EQ(receive(nonblocking, 10 * ms).status, PIPC_ETIMEDOUT);
  ASSERT_EQ(pipc_mq_set_blocking(mq, 1), PIPC_OK);
  EXPECT_EQ(receive(mq, 10 * ms).status, PIPC_ETIMEDOUT);
}

TEST_F(MqBlocking, NonBlockingModeGivesEAGAINAtOnceWhateverTheTimeout) {
  pipc_mq *mq = create(small_queue(PIPC_CREX | PIPC_NONBLOCK));
  ASSERT_NE(mq, nullptr);
  pipc_mq *full = create(small_queue(PIPC_CREX | PIPC_NONBLOCK));
  ASSERT_NE(full, nullptr);
  ASSERT_TRUE(fill(full));
  for (int64_t timeout : {int64_t{0}, 10000 * ms, PIPC_FOREVER}) {
    const int64_t start = now_ns();
    EXPECT_EQ(receive(mq, timeout).status, PIPC_EAGAIN) << timeout;
    EXPECT_TRUE(message_mentions("empty"));
    EXPECT_EQ(send(full, "more", 0, timeout), PIPC_EAGAIN) << timeout;
    EXPECT_TRUE(message_mentions("full"));
    EXPECT_EQ(pipc_last_errno(), EAGAIN);
    EXPECT_LT(now_ns() - start, 2000 * ms) << timeout;
  }
  EXPECT_EQ(current_messages(full), small_max_messages);
}

// ---------------------------------------------------------------------------------
// Timeouts and waits

TEST_F(MqTimeout, ZeroTimeoutGivesEAGAINAtOnce) {
  for (const blocked_call &call : blocked_calls) {
    if (call.timeout_ns != PIPC_FOREVER) continue;  // one of each direction
    SCOPED_TRACE(call.what);
    pipc_mq *mq = create_for(call);
    ASSERT_NE(mq, nullptr);
    const int64_t start = now_ns();
    EXPECT_EQ(run(call, mq, 0), PIPC_EAGAIN);
    EXPECT_EQ(pipc_last_errno(), EAGAIN);
    EXPECT_LT(now_ns() - start, 2000 * ms);
  }
}

TEST_F(MqTimeout, PositiveTimeoutGivesETIMEDOUTAfterThatTime) {
  const int64_t timeout = 300 * ms;
  for (const blocked_call &call : blocked_calls) {
    if (call.timeout_ns != PIPC_FOREVER) continue;  // one of each direction
    SCOPED_TRACE(call.what);
    pipc_mq *mq = create_for(call);
    ASSERT_NE(mq, nullptr);
    const int64_t start = now_ns();
    EXPECT_EQ(run(call, mq, timeout), PIPC_ETIMEDOUT);
    const int64_t waited = now_ns() - start;
    EXPECT_GE(waited, timeout);
    EXPECT_LT(waited, timeout + 2000 * ms);
    EXPECT_EQ(pipc_last_errno(), ETIMEDOUT);
    EXPECT_EQ(current_messages(mq), call.sends ? small_max_messages : 0);
  }
}

TEST_F(MqTimeout, WaitingCallsCompleteWhenAnotherThreadMakesThemPossible) {
  for (const blocked_call &call : blocked_calls) {
    SCOPED_TRACE(call.what);
    pipc_mq *mq = create_for(call);
    ASSERT_NE(mq, nullptr);
    background_call waiter([call, mq] { return run(call, mq, call.timeout_ns); });
    ASSERT_TRUE(waiter.waits());
    ASSERT_EQ(make_ready(call, mq), PIPC_OK);
    EXPECT_EQ(waiter.status(), PIPC_OK);
    // A receiver took the message just sent; a sender filled the room just made.
    EXPECT_EQ(current_messages(mq), call.sends ? small_max_messages : 0);
  }
}

TEST_F(MqTimeout, NegativeTimeoutsOtherThanForeverGiveERANGE) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  ASSERT_EQ(send(mq, "kept"), PIPC_OK);
  for (int64_t timeout : {int64_t{-3}, int64_t{-1000000000}, INT64_MIN}) {
    EXPECT_EQ(send(mq, "x", 0, timeout), PIPC_ERANGE) << timeout;
    EXPECT_TRUE(message_mentions("timeout"));
    EXPECT_EQ(receive(mq, timeout).status, PIPC_ERANGE) << timeout;
  }
  EXPECT_EQ(current_messages(mq), 1);
}

TEST_F(MqTimeout, ClosingAHandleEndsTheWaitOnItAndLeavesTheQueueAlone) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  pipc_mq *other = reopen(mq);
  ASSERT_NE(other, nullptr);
  background_call waiter([mq] { return receive(mq, PIPC_FOREVER).status; });
  ASSERT_TRUE(waiter.waits());
  EXPECT_EQ(close(mq), PIPC_OK);
  EXPECT_EQ(waiter.status(), PIPC_EBADHANDLE);
  // The queue and its other handle are as they were.
  ASSERT_EQ(send(other, "after close"), PIPC_OK);
  EXPECT_EQ(receive(other).status, PIPC_OK);
}

// ---------------------------------------------------------------------------------
// Signals

// With or without SA_RESTART: the caller must get to run its own handlers.
TEST_F(MqSignal, SignalEndsAWaitWithEINTRAndARetryWorks) {
  for (int flags : {0, SA_RESTART}) {
    for (const blocked_call &call : blocked_calls) {
      SCOPED_TRACE(std::string(call.what) + (flags ? ", SA_RESTART" : ""));
      const usr1_handler handler([](int) {}, flags);
      pipc_mq *mq = create_for(call);
      ASSERT_NE(mq, nullptr);
      {
        background_call interrupted([call, mq] { return run(call, mq, call.timeout_ns); });
        ASSERT_TRUE(interrupted.waits());
        interrupted.signal(SIGUSR1);
        EXPECT_EQ(interrupted.outcome(), std::make_pair(int{PIPC_EINTR}, EINTR));
      }
      background_call retry([call, mq] { return run(call, mq, call.timeout_ns); });
      ASSERT_TRUE(retry.waits());
      ASSERT_EQ(make_ready(call, mq), PIPC_OK);
      EXPECT_EQ(retry.status(), PIPC_OK);
    }
  }
}

// ---------------------------------------------------------------------------------
// System limits

TEST_F(MqLimits, SizesBeyondTheKernelsHardLimitsFailAndNameProcSysFsMqueue) {
  // Root may exceed /proc/sys/fs/mqueue/msg_max (CAP_SYS_RESOURCE), but never the
  // kernel's hard limits: 65536 messages, 16 MiB messages.
  const std::pair<int64_t, int64_t> cases[] = {
      {int64_t{1} << 20, 64}, {INT64_MAX, 64}, {4, int64_t{1} << 40}, {4, INT64_MAX}};
  for (const auto &[max_messages, max_message_size] : cases) {
    const std::string name = fresh_name();
    pipc_mq_options opts = small_queue();
    opts.max_messages = max_messages;
    opts.max_message_size = max_message_size;
    pipc_mq *out = not_written;
    const int rc = pipc_mq_open(&out, name.c_str(), &opts);
    EXPECT_TRUE(rc == PIPC_ELIMIT || rc == PIPC_EINVAL) << rc << " for " << max_messages << " x "
                                                        << max_message_size;
    EXPECT_TRUE(message_mentions("/proc/sys/fs/mqueue"));
    EXPECT_EQ(out, nullptr);
    EXPECT_FALSE(listed(name));
  }
}

TEST_F(MqLimits, QueueBeyondRlimitMsgqueueGivesELIMITNamingIt) {
  const std::string name = fresh_name();
  const pid_t child = pipc_test::spawn([&name] {
    const rlimit none{0, 0};
    if (setrlimit(RLIMIT_MSGQUEUE, &none) != 0) return 10;
    pipc_mq *out = not_written;
    const pipc_mq_options opts = small_queue();
    if (pipc_mq_open(&out, name.c_str(), &opts) != PIPC_ELIMIT) return 1;
    if (!message_mentions("RLIMIT_MSGQUEUE")) return 2;
    return out == nullptr ? 0 : 3;
  });
  EXPECT_EQ(pipc_test::wait_child(child), 0);
  EXPECT_FALSE(listed(name));
}

// ---------------------------------------------------------------------------------
// Several processes

TEST_F(MqProcess, MessagesFromAChildArriveInPriorityOrder) {
  pipc_mq_options opts = small_queue();
  opts.max_messages = 8;
  pipc_mq *mq = create(opts);
  ASSERT_NE(mq, nullptr);
  const std::string name = pipc_mq_name(mq);
  const unsigned top = static_cast<unsigned>(pipc_mq_priority_max());
  const pid_t child = pipc_test::spawn([&name, top] {
    pipc_mq_options writer = PIPC_MQ_OPTIONS_INIT;
    writer.access = PIPC_WRITE;
    pipc_mq *own = nullptr;  // a handle of the child's own, opened by name
    if (pipc_mq_open(&own, name.c_str(), &writer) != PIPC_OK) return 1;
    const std::pair<const char *, unsigned> sent[] = {
        {"low1", 1}, {"mid1", 7}, {"low2", 1}, {"top", top}, {"zero", 0}, {"mid2", 7}};
    for (const auto &[data, priority] : sent) {
      if (send(own, data, priority) != PIPC_OK) return 2;
    }
    return pipc_mq_close(own) == PIPC_OK ? 0 : 3;
  });
  ASSERT_EQ(pipc_test::wait_child(child), 0);
  const std::pair<const char *, unsigned> expected[] = {
      {"top", top}, {"mid1", 7}, {"mid2", 7}, {"low1", 1}, {"low2", 1}, {"zero", 0}};
  for (const auto &[data, priority] : expected) {
    const received r = receive(mq);
    EXPECT_EQ(r.status, PIPC_OK);
    EXPECT_EQ(r.data, data);
    EXPECT_EQ(r.priority, priority);
  }
  EXPECT_EQ(current_messages(mq), 0);
}

TEST_F(MqProcess, ChildWaitingToReceiveIsWokenByTheParentsSend) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  // The child uses the handle it inherited: handles stay usable after fork.
  const pid_t child = pipc_test::spawn([mq] {
    const received r = receive(mq, PIPC_FOREVER);
    if (r.status != PIPC_OK) return 1;
    return r.data == "wake up" && r.priority == 3 ? 0 : 2;
  });
  // No ASSERT before wait_child: the child must always be reaped.
  EXPECT_TRUE(wait_until_blocked(child, SYS_ppoll));
  EXPECT_EQ(send(mq, "wake up", 3), PIPC_OK);
  EXPECT_EQ(pipc_test::wait_child(child), 0);
  EXPECT_EQ(current_messages(mq), 0);
}

// ---------------------------------------------------------------------------------
// Bad input

TEST_F(MqBadInput, OpenRejectsBadOptionsAndTouchesNoQueue) {
  pipc_mq *existing = create();
  ASSERT_NE(existing, nullptr);
  ASSERT_EQ(send(existing, "kept"), PIPC_OK);
  const std::string missing = fresh_name();
  struct bad_options {
    const char *what;
    void (*spoil)(pipc_mq_options &);
    int status;
  };
  const bad_options cases[] = {
      {"version 0", [](pipc_mq_options &o) { o.version = 0; }, PIPC_EINVAL},
      {"version 2", [](pipc_mq_options &o) { o.version = 2; }, PIPC_EINVAL},
      {"unknown flag", [](pipc_mq_options &o) { o.flags |= 0x100u; }, PIPC_EINVAL},
      {"shm's PIPC_TRUNC", [](pipc_mq_options &o) { o.flags |= PIPC_TRUNC; }, PIPC_EINVAL},
      {"access 0", [](pipc_mq_options &o) { o.access = 0; }, PIPC_EINVAL},
      {"access 4", [](pipc_mq_options &o) { o.access = 4; }, PIPC_EINVAL},
      {"access 7", [](pipc_mq_options &o) { o.access = 7; }, PIPC_EINVAL},
      {"mode 010000", [](pipc_mq_options &o) { o.mode = 010000; }, PIPC_EINVAL},
      {"max_messages -1", [](pipc_mq_options &o) { o.max_messages = -1; }, PIPC_ERANGE},
      {"max_messages INT64_MIN", [](pipc_mq_options &o) { o.max_messages = INT64_MIN; },
       PIPC_ERANGE},
      {"max_message_size -1", [](pipc_mq_options &o) { o.max_message_size = -1; }, PIPC_ERANGE},
  };
  for (const bad_options &c : cases) {
    for (const std::string &name : {missing, std::string(pipc_mq_name(existing))}) {
      pipc_mq_options opts = small_queue(PIPC_CREAT);
      c.spoil(opts);
      pipc_mq *out = not_written;
      EXPECT_EQ(pipc_mq_open(&out, name.c_str(), &opts), c.status) << c.what;
      EXPECT_EQ(out, nullptr) << c.what;
      EXPECT_TRUE(message_mentions("pipc_mq_open"));
    }
  }
  const pipc_mq_options crex = small_queue();
  EXPECT_EQ(pipc_mq_open(nullptr, missing.c_str(), &crex), PIPC_EINVAL);
  EXPECT_FALSE(listed(missing));
  EXPECT_EQ(receive(existing).data, "kept");
}

TEST_F(MqBadInput, BadNamesAreRejectedByOpenAndUnlink) {
  const std::string base = unique_name();  // a name nothing may create
  const std::string bad_names[] = {"",           base.substr(1),    "/",
                                   base + "/b",  "/" + base,        "/.",
                                   "/..",        base + std::string(256, 'x')};
  const pipc_mq_options crex = small_queue();
  for (const std::string &name : bad_names) {
    pipc_mq *out = not_written;
    EXPECT_EQ(pipc_mq_open(&out, name.c_str(), &crex), PIPC_EINVAL) << '"' << name << '"';
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(pipc_mq_unlink_name(name.c_str()), PIPC_EINVAL) << '"' << name << '"';
  }
  EXPECT_EQ(pipc_mq_unlink_name(nullptr), PIPC_EINVAL);
  EXPECT_FALSE(listed(base));
}

void on_notify(void *) {}

// Every function that takes a handle, with harmless arguments otherwise.
struct handle_call {
  const char *function;
  int (*call)(pipc_mq *);
};
const handle_call handle_calls[] = {
    {"pipc_mq_send", [](pipc_mq *q) { return send(q, "x"); }},
    {"pipc_mq_receive", [](pipc_mq *q) {
       char buf[small_message_size];
       size_t len = 0;
       return pipc_mq_receive(&len, nullptr, q, buf, sizeof buf, 0);
     }},
    {"pipc_mq_blocking", [](pipc_mq *q) {
       int flag = 0;
       return pipc_mq_blocking(&flag, q);
     }},
    {"pipc_mq_set_blocking", [](pipc_mq *q) { return pipc_mq_set_blocking(q, 0); }},
    {"pipc_mq_max_messages", [](pipc_mq *q) {
       int64_t n = 0;
       return pipc_mq_max_messages(&n, q);
     }},
    {"pipc_mq_max_message_size", [](pipc_mq *q) {
       int64_t n = 0;
       return pipc_mq_max_message_size(&n, q);
     }},
    {"pipc_mq_current_messages", [](pipc_mq *q) {
       int64_t n = 0;
       return pipc_mq_current_messages(&n, q);
     }},
    {"pipc_mq_fd", [](pipc_mq *q) {
       int fd = 0;
       return pipc_mq_fd(&fd, q);
     }},
    {"pipc_mq_notify_signal", [](pipc_mq *q) { return pipc_mq_notify_signal(q, SIGRTMIN); }},
    {"pipc_mq_notify_callback",
     [](pipc_mq *q) { return pipc_mq_notify_callback(q, on_notify, nullptr); }},
    {"pipc_mq_notify_cancel", [](pipc_mq *q) { return pipc_mq_notify_cancel(q); }},
    {"pipc_mq_created", [](pipc_mq *q) { return pipc_mq_created(q); }},
    {"pipc_mq_unlink", [](pipc_mq *q) { return pipc_mq_unlink(q); }},
};

TEST_F(MqBadInput, NullAndForeignHandlesGiveEBADHANDLE) {
  const std::string sem_name = unique_name();
  pipc_sem_options sem_opts = PIPC_SEM_OPTIONS_INIT;
  sem_opts.flags = PIPC_CREX;
  sem_opts.initial_value = 2;
  pipc_sem *sem = nullptr;
  ASSERT_EQ(pipc_sem_open(&sem, sem_name.c_str(), &sem_opts), PIPC_OK) << pipc_last_message();
  const scope_exit cleanup([&] {
    pipc_sem_unlink_name(sem_name.c_str());
    pipc_sem_close(sem);
  });
  pipc_mq *const foreign = reinterpret_cast<pipc_mq *>(sem);
  pipc_test::expect_rejects_bad_handles(handle_calls, foreign, "semaphore handle");
  EXPECT_EQ(pipc_mq_name(nullptr), nullptr);
  EXPECT_EQ(pipc_mq_name(foreign), nullptr);
  EXPECT_EQ(pipc_mq_close(nullptr), PIPC_OK);
  EXPECT_EQ(pipc_mq_close(foreign), PIPC_EBADHANDLE);
  // The semaphore behind the foreign pointer is untouched: open, named, same value.
  int value = -1;
  EXPECT_EQ(pipc_sem_value(&value, sem), PIPC_OK);
  EXPECT_EQ(value, 2);
  EXPECT_STREQ(pipc_sem_name(sem), sem_name.c_str());
}

TEST_F(MqBadInput, NullPointersGiveEINVALAndChangeNothing) {
  pipc_mq *mq = create();
  ASSERT_NE(mq, nullptr);
  ASSERT_EQ(send(mq, "kept"), PIPC_OK);
  char buf[small_message_size];
  size_t len = 0;
  const std::pair<const char *, std::function<int()>> calls[] = {
      {"send data", [&] { return pipc_mq_send(mq, nullptr, 1, 0, 0); }},
      {"receive len_out",
       [&] { return pipc_mq_receive(nullptr, nullptr, mq, buf, sizeof buf, 0); }},
      {"receive buf",
       [&] { return pipc_mq_receive(&len, nullptr, mq, nullptr, sizeof buf, 0); }},
      {"blocking", [&] { return pipc_mq_blocking(nullptr, mq); }},
      {"max_messages", [&] { return pipc_mq_max_messages(nullptr, mq); }},
      {"max_message_size", [&] { return pipc_mq_max_message_size(nullptr, mq); }},
      {"current_messages", [&] { return pipc_mq_current_messages(nullptr, mq); }},
      {"fd", [&] { return pipc_mq_fd(nullptr, mq); }},
  };
  for (const auto &[what, call] : calls) {
    EXPECT_EQ(call(), PIPC_EINVAL) << what;
    EXPECT_EQ(pipc_last_errno(), EINVAL) << what;
  }
  EXPECT_EQ(current_messages(mq), 1);
  EXPECT_EQ(receive(mq).data, "kept");
}

}  // namespace
