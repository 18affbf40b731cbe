// Channels within one process: names and attributes, argument checks, capacity and
// timeouts, message sizes, zero-copy calls, close and signals during waits, the
// versioned layout, and threads sending and receiving at once.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "channel_support.hpp"
#include "mutex_support.hpp"

namespace {

using namespace pipc_test;

int send_text(pipc_channel *c, const std::string &text, int64_t timeout_ns = 0) {
  return pipc_channel_send(c, text.data(), text.size(), timeout_ns);
}

// The next message as a string, or "<status>" when the receive failed.
std::string receive_text(pipc_channel *c, int64_t timeout_ns = 0) {
  char buf[4096];
  size_t len = 0;
  const int rc = pipc_channel_receive(&len, c, buf, sizeof buf, timeout_ns);
  return rc == PIPC_OK ? std::string(buf, len) : "<" + std::to_string(rc) + ">";
}

const std::string would_block = "<" + std::to_string(PIPC_EAGAIN) + ">";

pipc_channel_attributes attributes_of(pipc_channel *c) {
  pipc_channel_attributes a{};
  EXPECT_EQ(pipc_channel_attributes_get(&a, c), PIPC_OK);
  return a;
}

TEST(Channel, RandomNameCreatedReopenedWithItsOwnShape) {
  pipc_channel *c = nullptr;
  pipc_channel_options opts = PIPC_CHANNEL_OPTIONS_INIT;
  opts.slots = 8;
  opts.max_message_size = 100;
  ASSERT_EQ(pipc_channel_open(&c, nullptr, &opts), PIPC_OK) << pipc_last_message();
  const std::string name = pipc_channel_name(c);
  scope_exit cleanup([&] {
    pipc_channel_unlink_name(name.c_str());
    pipc_channel_close(c);
  });
  EXPECT_EQ(pipc_channel_created(c), 1);
  const pipc_channel_attributes a = attributes_of(c);
  EXPECT_EQ(a.slots, 8u);
  EXPECT_EQ(a.max_message_size, 100u);
  EXPECT_EQ(a.messages, 0u);
  EXPECT_EQ(send_text(c, "one"), PIPC_OK);
  pipc_channel *again = nullptr;
  pipc_channel_options other = PIPC_CHANNEL_OPTIONS_INIT;
  other.flags = PIPC_CREAT;  // exists: opened as it is
  other.slots = 2;
  ASSERT_EQ(pipc_channel_open(&again, name.c_str(), &other), PIPC_OK);
  EXPECT_EQ(pipc_channel_created(again), 0);
  EXPECT_EQ(attributes_of(again).slots, 8u);
  EXPECT_EQ(attributes_of(again).messages, 1u);
  EXPECT_EQ(receive_text(again), "one");
  EXPECT_EQ(pipc_channel_close(again), PIPC_OK);
  EXPECT_EQ(pipc_channel_unlink(c), PIPC_OK);
  EXPECT_EQ(pipc_channel_unlink(c), PIPC_ENOENT);
}

TEST(Channel, ArgumentsAreChecked) {
  pipc_channel *c = nullptr;
  pipc_channel_options opts = PIPC_CHANNEL_OPTIONS_INIT;
  EXPECT_EQ(pipc_channel_open(nullptr, nullptr, &opts), PIPC_EINVAL);
  EXPECT_EQ(pipc_channel_open(&c, "no-slash", &opts), PIPC_EINVAL);
  opts.version = 99;
  EXPECT_EQ(pipc_channel_open(&c, nullptr, &opts), PIPC_EINVAL);
  for (uint32_t slots : {0u, 3u, 131072u}) {
    opts = PIPC_CHANNEL_OPTIONS_INIT;
    opts.slots = slots;
    EXPECT_EQ(pipc_channel_open(&c, nullptr, &opts), PIPC_ERANGE) << slots;
  }
  for (uint32_t size : {0u, (16u << 20) + 1}) {
    opts = PIPC_CHANNEL_OPTIONS_INIT;
    opts.max_message_size = size;
    EXPECT_EQ(pipc_channel_open(&c, nullptr, &opts), PIPC_ERANGE) << size;
  }
  opts = PIPC_CHANNEL_OPTIONS_INIT;
  opts.slots = 65536;
  opts.max_message_size = 1 << 20;  // 64 GiB of slots
  EXPECT_EQ(pipc_channel_open(&c, nullptr, &opts), PIPC_ERANGE);
  EXPECT_EQ(c, nullptr);
  owned_channel ch(4, 16);
  ASSERT_NE(ch.channel, nullptr);
  size_t len = 0;
  char buf[16];
  void *slot = nullptr;
  const void *data = nullptr;
  EXPECT_EQ(pipc_channel_send(ch.channel, nullptr, 1, 0), PIPC_EINVAL);
  EXPECT_EQ(pipc_channel_send(ch.channel, nullptr, 0, 0), PIPC_OK);  // an empty message
  EXPECT_EQ(pipc_channel_receive(nullptr, ch.channel, buf, sizeof buf, 0), PIPC_EINVAL);
  EXPECT_EQ(pipc_channel_receive(&len, ch.channel, nullptr, 4, 0), PIPC_EINVAL);
  EXPECT_EQ(pipc_channel_send(ch.channel, buf, 1, -3), PIPC_ERANGE);
  EXPECT_EQ(pipc_channel_receive(&len, ch.channel, buf, sizeof buf, -3), PIPC_ERANGE);
  EXPECT_EQ(pipc_channel_reserve(nullptr, ch.channel, 0), PIPC_EINVAL);
  EXPECT_EQ(pipc_channel_peek(nullptr, &len, ch.channel, 0), PIPC_EINVAL);
  EXPECT_EQ(pipc_channel_peek(&data, nullptr, ch.channel, 0), PIPC_EINVAL);
  EXPECT_EQ(pipc_channel_commit(ch.channel, 0), PIPC_EINVAL);  // nothing reserved
  EXPECT_EQ(pipc_channel_cancel(ch.channel), PIPC_EINVAL);
  EXPECT_EQ(pipc_channel_release(ch.channel), PIPC_EINVAL);
  EXPECT_EQ(pipc_channel_set_spin(ch.channel, 1000001), PIPC_ERANGE);
  EXPECT_EQ(pipc_channel_set_spin(ch.channel, 1000000), PIPC_OK);
  EXPECT_EQ(pipc_channel_attributes_get(nullptr, ch.channel), PIPC_EINVAL);
  EXPECT_EQ(pipc_channel_reserve(&slot, nullptr, 0), PIPC_EBADHANDLE);
  EXPECT_EQ(pipc_channel_close(nullptr), PIPC_OK);
  EXPECT_EQ(pipc_channel_unlink_name("bad"), PIPC_EINVAL);
}

TEST(Channel, CapacityOrderAndTimeouts) {
  owned_channel ch(4, 64);
  ASSERT_NE(ch.channel, nullptr);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(send_text(ch.channel, "m" + std::to_string(i)), PIPC_OK);
  EXPECT_EQ(attributes_of(ch.channel).messages, 4u);
  EXPECT_EQ(send_text(ch.channel, "full"), PIPC_EAGAIN);
  int64_t start = now_ns();
  EXPECT_EQ(send_text(ch.channel, "full", 100 * ms), PIPC_ETIMEDOUT);
  EXPECT_GE(now_ns() - start, 100 * ms);
  EXPECT_LT(now_ns() - start, 100 * ms + margin);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(receive_text(ch.channel), "m" + std::to_string(i));
  EXPECT_EQ(receive_text(ch.channel), would_block);
  start = now_ns();
  EXPECT_EQ(receive_text(ch.channel, 100 * ms), "<" + std::to_string(PIPC_ETIMEDOUT) + ">");
  EXPECT_GE(now_ns() - start, 100 * ms);
  // Laps around the ring keep the order.
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(send_text(ch.channel, "lap" + std::to_string(i)), PIPC_OK);
    EXPECT_EQ(receive_text(ch.channel), "lap" + std::to_string(i));
  }
}

// One slot: each message must be taken before the next goes in.
TEST(Channel, OneSlotHoldsOneMessage) {
  owned_channel ch(1, 16);
  ASSERT_NE(ch.channel, nullptr);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(send_text(ch.channel, "m" + std::to_string(i)), PIPC_OK);
    EXPECT_EQ(send_text(ch.channel, "over"), PIPC_EAGAIN);
    EXPECT_EQ(receive_text(ch.channel), "m" + std::to_string(i));
    EXPECT_EQ(receive_text(ch.channel), would_block);
  }
}

TEST(Channel, MessageSizes) {
  owned_channel ch(4, 100);
  ASSERT_NE(ch.channel, nullptr);
  const std::string big(101, 'x'), max(100, 'y');
  EXPECT_EQ(send_text(ch.channel, big), PIPC_EMSGSIZE);
  EXPECT_EQ(send_text(ch.channel, max), PIPC_OK);
  char small[10];
  size_t len = 0;
  EXPECT_EQ(pipc_channel_receive(&len, ch.channel, small, sizeof small, 0), PIPC_EMSGSIZE);
  EXPECT_EQ(len, 100u);
  EXPECT_EQ(attributes_of(ch.channel).messages, 1u);  // it stayed
  EXPECT_EQ(receive_text(ch.channel), max);
}

TEST(Channel, ZeroCopyReserveCommitCancelPeekRelease) {
  owned_channel ch(4, 64);
  ASSERT_NE(ch.channel, nullptr);
  void *slot = nullptr;
  ASSERT_EQ(pipc_channel_reserve(&slot, ch.channel, 0), PIPC_OK);
  void *second = nullptr;
  EXPECT_EQ(pipc_channel_reserve(&second, ch.channel, 0), PIPC_EINVAL);  // one per handle
  int other = 1;
  std::thread([&] { other = pipc_channel_commit(ch.channel, 3); }).join();
  EXPECT_EQ(other, PIPC_EACCES);  // the reserving thread's
  EXPECT_EQ(pipc_channel_commit(ch.channel, 65), PIPC_EMSGSIZE);
  std::memcpy(slot, "abc", 3);
  EXPECT_EQ(pipc_channel_commit(ch.channel, 3), PIPC_OK);
  // A cancelled slot leaves no gap: the next message takes its place.
  ASSERT_EQ(pipc_channel_reserve(&slot, ch.channel, 0), PIPC_OK);
  EXPECT_EQ(pipc_channel_cancel(ch.channel), PIPC_OK);
  EXPECT_EQ(send_text(ch.channel, "def"), PIPC_OK);
  const void *data = nullptr;
  size_t len = 0;
  ASSERT_EQ(pipc_channel_peek(&data, &len, ch.channel, 0), PIPC_OK);
  EXPECT_EQ(std::string(static_cast<const char *>(data), len), "abc");
  EXPECT_EQ(pipc_channel_peek(&data, &len, ch.channel, 0), PIPC_EINVAL);
  EXPECT_EQ(pipc_channel_release(ch.channel), PIPC_OK);
  EXPECT_EQ(receive_text(ch.channel), "def");
  // A handle closed while its thread peeks leaves the message for the next receiver.
  EXPECT_EQ(send_text(ch.channel, "ghi"), PIPC_OK);
  pipc_channel *dup = nullptr;
  ASSERT_EQ(pipc_channel_dup(&dup, ch.channel), PIPC_OK);
  ASSERT_EQ(pipc_channel_peek(&data, &len, dup, 0), PIPC_OK);
  EXPECT_EQ(pipc_channel_close(dup), PIPC_OK);
  EXPECT_EQ(receive_text(ch.channel), "ghi");
}

TEST(ChannelClose, EndsBlockedReceiveAndSendAtOnce) {
  owned_channel ch(2, 16);
  ASSERT_NE(ch.channel, nullptr);
  for (bool sending : {false, true}) {
    SCOPED_TRACE(sending ? "send" : "receive");
    if (sending) {
      ASSERT_EQ(send_text(ch.channel, "a"), PIPC_OK);
      ASSERT_EQ(send_text(ch.channel, "b"), PIPC_OK);
    }
    pipc_channel *dup = nullptr;
    ASSERT_EQ(pipc_channel_dup(&dup, ch.channel), PIPC_OK);
    background_call blocked([&] {
      if (sending) return send_text(dup, "c", PIPC_FOREVER);
      char buf[16];
      size_t len = 0;
      return pipc_channel_receive(&len, dup, buf, sizeof buf, PIPC_FOREVER);
    });
    ASSERT_TRUE(wait_until_blocked(blocked.tid(), SYS_futex_waitv));
    const int64_t start = now_ns();
    EXPECT_EQ(pipc_channel_close(dup), PIPC_OK);
    EXPECT_EQ(blocked.status(), PIPC_EBADHANDLE);
    EXPECT_LT(now_ns() - start, 1 * s);
  }
  EXPECT_EQ(receive_text(ch.channel), "a");  // the channel works on
}

TEST(ChannelSignal, ASignalHandlerEndsAWaitWithEintr) {
  owned_channel ch(2, 16);
  ASSERT_NE(ch.channel, nullptr);
  usr1_handler handler(count_signal, 0);
  signals_caught = 0;
  background_call blocked([&] {
    char buf[16];
    size_t len = 0;
    return pipc_channel_receive(&len, ch.channel, buf, sizeof buf, 60 * s);
  });
  ASSERT_TRUE(wait_until_blocked(blocked.tid(), SYS_futex_waitv));
  blocked.signal(SIGUSR1);
  EXPECT_EQ(blocked.outcome(), std::make_pair(int{PIPC_EINTR}, EINTR));
  EXPECT_EQ(signals_caught.load(), 1);
}

TEST(ChannelLayout, OtherObjectsAndBadShapesAreRefusedUntouched) {
  owned_mutex m;
  ASSERT_NE(m.mutex, nullptr);
  pipc_channel *c = nullptr;
  EXPECT_EQ(pipc_channel_open(&c, m.name.c_str(), nullptr), PIPC_EINVAL);
  EXPECT_EQ(pipc_mutex_lock(m.mutex, 0), PIPC_OK);  // still a working mutex
  EXPECT_EQ(pipc_mutex_unlock(m.mutex), PIPC_OK);
  // A channel whose slot count was overwritten.
  owned_channel ch(4, 16);
  ASSERT_NE(ch.channel, nullptr);
  const int fd = shm_open(ch.name.c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  uint32_t bad = 3;
  ASSERT_EQ(pwrite(fd, &bad, sizeof bad, 64), static_cast<ssize_t>(sizeof bad));
  EXPECT_EQ(pipc_channel_open(&c, ch.name.c_str(), nullptr), PIPC_EINVAL);
  EXPECT_TRUE(std::string(pipc_last_message()).find("bad slot count") != std::string::npos);
  bad = 4;
  ASSERT_EQ(pwrite(fd, &bad, sizeof bad, 64), static_cast<ssize_t>(sizeof bad));
  close(fd);
  pipc_channel *again = open_existing_channel(ch.name);
  EXPECT_NE(again, nullptr);
  pipc_channel_close(again);
}

// pipc_shm cannot resize (or empty) a channel's or a mutex's segment under the
// processes that map it: they would fault.
TEST(ChannelLayout, SharedMemoryCallsCannotResizeTheSegment) {
  owned_channel ch(4, 16);
  ASSERT_NE(ch.channel, nullptr);
  ASSERT_EQ(send_text(ch.channel, "kept"), PIPC_OK);
  pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
  pipc_shm *shm = nullptr;
  for (uint32_t flags : {0u, PIPC_TRUNC}) {
    opts.flags = flags;
    opts.size = flags ? 0 : 4096;
    EXPECT_EQ(pipc_shm_open(&shm, ch.name.c_str(), &opts), PIPC_EINVAL) << flags;
    EXPECT_TRUE(std::string(pipc_last_message()).find("libpipc channel") != std::string::npos);
  }
  opts = PIPC_SHM_OPTIONS_INIT;
  ASSERT_EQ(pipc_shm_open(&shm, ch.name.c_str(), &opts), PIPC_OK);  // looking is fine
  EXPECT_EQ(pipc_shm_resize(shm, 64), PIPC_EINVAL);
  EXPECT_EQ(pipc_shm_close(shm), PIPC_OK);
  EXPECT_EQ(receive_text(ch.channel), "kept");
  owned_mutex m;
  ASSERT_NE(m.mutex, nullptr);
  opts.flags = PIPC_TRUNC;
  EXPECT_EQ(pipc_shm_open(&shm, m.name.c_str(), &opts), PIPC_EINVAL);
  EXPECT_EQ(pipc_mutex_lock(m.mutex, 0), PIPC_OK);
  EXPECT_EQ(pipc_mutex_unlock(m.mutex), PIPC_OK);
}

// Threads sending and receiving at once through several handles: every message
// arrives once and whole, and each receiver sees each sender's messages in order.
TEST(ChannelThreads, ManySendersAndReceiversLoseAndRepeatNothing) {
  owned_channel ch(16, 256);
  ASSERT_NE(ch.channel, nullptr);
  constexpr int senders = 3, receivers = 3, per_sender = 20000;
  std::atomic<int> received{0}, failures{0};
  std::vector<std::vector<int>> seen(senders, std::vector<int>(per_sender, 0));
  std::vector<std::thread> threads;
  for (int p = 0; p < senders; ++p) {
    threads.emplace_back([&, p] {
      pipc_channel *h = open_existing_channel(ch.name);
      unsigned char buf[256];
      for (int i = 0; i < per_sender; ++i) {
        const size_t len = sizeof(stamped) + (i % 200);
        stamp(buf, len, p, i);
        if (pipc_channel_send(h, buf, len, 30 * s) != PIPC_OK) ++failures;
      }
      pipc_channel_close(h);
    });
  }
  std::mutex seen_lock;
  for (int r = 0; r < receivers; ++r) {
    threads.emplace_back([&, r] {
      pipc_channel *h = r == 0 ? ch.channel : open_existing_channel(ch.name);
      if (r == 2) pipc_channel_set_spin(h, 20000);
      std::vector<int> last(senders, -1);
      unsigned char buf[256];
      while (received.load() < senders * per_sender) {
        size_t len = 0;
        const int rc = pipc_channel_receive(&len, h, buf, sizeof buf, 100 * ms);
        if (rc == PIPC_ETIMEDOUT) continue;
        stamped st{};
        if (rc != PIPC_OK || !whole(buf, len, &st) || st.sender >= senders ||
            static_cast<int>(st.sequence) <= last[st.sender]) {
          ++failures;
          break;
        }
        last[st.sender] = static_cast<int>(st.sequence);
        {
          std::lock_guard<std::mutex> g(seen_lock);
          ++seen[st.sender][st.sequence];
        }
        ++received;
      }
      if (r != 0) pipc_channel_close(h);
    });
  }
  for (auto &t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(received.load(), senders * per_sender);
  int wrong = 0;
  for (auto &per : seen) {
    for (int n : per) wrong += n != 1;
  }
  EXPECT_EQ(wrong, 0);
}

}  // namespace
