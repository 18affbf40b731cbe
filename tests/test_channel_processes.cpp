// Channels across processes: a long ordered exchange, and senders and receivers
// killed with SIGKILL at random points (and holding zero-copy slots) while the
// others go on: no message is torn, delivered twice to a survivor, or out of order,
// and the channel never wedges.
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "channel_support.hpp"

namespace {

using namespace pipc_test;

constexpr size_t big = 4096;  // long copies: kills land inside them often

// A child that sends COUNT stamped messages of LEN bytes as SENDER (from FIRST).
pid_t spawn_sender(const std::string &name, uint32_t sender, uint32_t first, uint32_t count,
                   size_t len) {
  return spawn([=] {
    pipc_channel *c = open_existing_channel(name);
    if (c == nullptr) return 1;
    std::vector<unsigned char> buf(len);
    for (uint32_t i = first; i < first + count; ++i) {
      stamp(buf.data(), len, sender, i);
      if (pipc_channel_send(c, buf.data(), len, 30 * s) != PIPC_OK) return 2;
    }
    return 0;
  });
}

// Receives through C until a message of SENDER with sequence >= UNTIL arrives (or
// the wait fails), checking that every message is whole and each sender's are in
// order. Returns false on a bad message or a timeout.
bool receive_until(pipc_channel *c, uint32_t sender, uint32_t until, std::vector<int64_t> &last) {
  std::vector<unsigned char> buf(big);
  for (;;) {
    size_t len = 0;
    if (pipc_channel_receive(&len, c, buf.data(), buf.size(), 20 * s) != PIPC_OK) return false;
    stamped st{};
    if (!whole(buf.data(), len, &st) || st.sender >= last.size()) return false;
    if (static_cast<int64_t>(st.sequence) <= last[st.sender]) return false;  // repeated
    last[st.sender] = st.sequence;
    if (st.sender == sender && st.sequence >= until) return true;
  }
}

TEST(ChannelProcesses, OrderedExchangeBetweenTwoProcesses) {
  owned_channel ch(64, 256);
  ASSERT_NE(ch.channel, nullptr);
  constexpr uint32_t count = 100000;
  const pid_t sender = spawn_sender(ch.name, 0, 0, count, 64);
  std::vector<int64_t> last(1, -1);
  EXPECT_TRUE(receive_until(ch.channel, 0, count - 1, last));
  EXPECT_EQ(last[0], count - 1);
  EXPECT_EQ(wait_child(sender), 0);
}

// Every round trip of a ping-pong through two one-slot channels puts each side to
// sleep, on the messages and on the space event: a lost wake-up shows as a timeout.
TEST(ChannelProcesses, PingPongThroughOneSlotChannelsLosesNoWakeUp) {
  owned_channel ping(1, 64), pong(1, 64);
  ASSERT_NE(ping.channel, nullptr);
  ASSERT_NE(pong.channel, nullptr);
  constexpr uint32_t rounds = 20000;
  const pid_t echo = spawn([&] {
    pipc_channel *in = open_existing_channel(ping.name);
    pipc_channel *out = open_existing_channel(pong.name);
    if (in == nullptr || out == nullptr) return 1;
    unsigned char buf[64];
    for (uint32_t i = 0; i < rounds; ++i) {
      size_t len = 0;
      if (pipc_channel_receive(&len, in, buf, sizeof buf, 20 * s) != PIPC_OK) return 2;
      if (pipc_channel_send(out, buf, len, 20 * s) != PIPC_OK) return 3;
    }
    return 0;
  });
  unsigned char buf[64];
  uint32_t answered = 0;
  for (; answered < rounds; ++answered) {
    stamp(buf, sizeof buf, 0, answered);
    if (pipc_channel_send(ping.channel, buf, sizeof buf, 20 * s) != PIPC_OK) break;
    size_t len = 0;
    stamped st{};
    if (pipc_channel_receive(&len, pong.channel, buf, sizeof buf, 20 * s) != PIPC_OK ||
        !whole(buf, len, &st) || st.sequence != answered) {
      break;
    }
  }
  EXPECT_EQ(answered, rounds) << pipc_last_message();
  EXPECT_EQ(wait_child(echo), 0);
}

// Several sender and receiver processes at once: every message arrives once, whole,
// and each receiver sees each sender's messages in order.
TEST(ChannelProcesses, ManySendersAndReceiversInProcessesLoseAndRepeatNothing) {
  owned_channel ch(16, 512);
  ASSERT_NE(ch.channel, nullptr);
  constexpr uint32_t senders = 3, receivers = 3, per_sender = 20000;
  // How often each message arrived, counted by the receivers in shared memory.
  void *shared = mmap(nullptr, senders * per_sender, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(shared, MAP_FAILED);
  auto *arrivals = static_cast<std::atomic<uint8_t> *>(shared);
  scope_exit unmap([&] { munmap(shared, senders * per_sender); });
  std::vector<pid_t> children;
  for (uint32_t p = 0; p < senders; ++p) {
    children.push_back(spawn_sender(ch.name, p, 0, per_sender, 64 + p * 100));
  }
  const std::string name = ch.name;
  for (uint32_t r = 0; r < receivers; ++r) {
    children.push_back(spawn([&, r] {
      pipc_channel *c = open_existing_channel(name);
      if (c == nullptr) return 1;
      if (r == 0) pipc_channel_set_spin(c, 10000);
      std::vector<int64_t> last(senders, -1);
      unsigned char buf[512];
      for (;;) {
        size_t len = 0;
        const int rc = pipc_channel_receive(&len, c, buf, sizeof buf, 60 * s);
        if (rc == PIPC_OK && len == 1) return 0;  // the end: see below
        stamped st{};
        if (rc != PIPC_OK || !whole(buf, len, &st) || st.sender >= senders ||
            st.sequence >= per_sender || static_cast<int64_t>(st.sequence) <= last[st.sender]) {
          return 2;
        }
        last[st.sender] = st.sequence;
        arrivals[st.sender * per_sender + st.sequence].fetch_add(1);
      }
    }));
  }
  for (uint32_t p = 0; p < senders; ++p) EXPECT_EQ(wait_child(children[p], 60000), 0);
  for (uint32_t r = 0; r < receivers; ++r) {  // one end mark each, after every message
    EXPECT_EQ(pipc_channel_send(ch.channel, "", 1, 60 * s), PIPC_OK);
  }
  for (uint32_t r = 0; r < receivers; ++r) EXPECT_EQ(wait_child(children[senders + r], 60000), 0);
  int wrong = 0;
  for (uint32_t i = 0; i < senders * per_sender; ++i) wrong += arrivals[i].load() != 1;
  EXPECT_EQ(wrong, 0);
}

// Round after round, a sender is killed at a random moment, mid-send as often as
// not; a second sender's messages must then all come through, after whatever the
// first one finished.
TEST(ChannelProcesses, SendersKilledAnywhereNeverWedgeTheChannel) {
  owned_channel ch(8, big);
  ASSERT_NE(ch.channel, nullptr);
  std::mt19937 random(std::random_device{}());
  std::vector<int64_t> last(2, -1);
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE(round);
    const uint32_t base = round * 1000000u;
    const pid_t victim = spawn_sender(ch.name, 0, base, 1000000, big);
    // Let it fill the channel and block, or kill it while it runs.
    std::vector<unsigned char> buf(big);
    const int before = std::uniform_int_distribution<int>(0, 20)(random);
    for (int i = 0; i < before; ++i) {
      size_t len = 0;
      ASSERT_EQ(pipc_channel_receive(&len, ch.channel, buf.data(), buf.size(), 20 * s), PIPC_OK);
      stamped st{};
      ASSERT_TRUE(whole(buf.data(), len, &st));
      ASSERT_GT(static_cast<int64_t>(st.sequence), last[st.sender]);
      last[st.sender] = st.sequence;
    }
    kill(victim, SIGKILL);
    const int status = wait_status(victim);
    ASSERT_TRUE(WIFSIGNALED(status));
    const pid_t survivor = spawn_sender(ch.name, 1, base, 50, big);
    ASSERT_TRUE(receive_until(ch.channel, 1, base + 49, last));
    ASSERT_EQ(wait_child(survivor), 0);
  }
}

// A receiver killed at a random moment: the next receiver gets every message it did
// not take, whole and in order, and the sender never blocks for good.
TEST(ChannelProcesses, ReceiversKilledAnywhereNeverWedgeTheChannel) {
  owned_channel ch(8, big);
  ASSERT_NE(ch.channel, nullptr);
  constexpr uint32_t per_round = 200;
  std::mt19937 random(std::random_device{}());
  std::vector<int64_t> last(1, -1);
  for (uint32_t round = 0; round < 200; ++round) {
    SCOPED_TRACE(round);
    const std::string name = ch.name;
    const pid_t victim = spawn([&] {
      pipc_channel *c = open_existing_channel(name);
      std::vector<unsigned char> buf(big);
      for (;;) {
        size_t len = 0;
        if (c == nullptr || pipc_channel_receive(&len, c, buf.data(), buf.size(), 30 * s) != PIPC_OK) {
          return 1;
        }
      }
    });
    std::vector<unsigned char> buf(big);
    const uint32_t first = round * per_round;
    const int kill_at = std::uniform_int_distribution<int>(0, per_round / 2)(random);
    bool killed = false;
    for (uint32_t i = 0; i < per_round; ++i) {
      if (static_cast<int>(i) == kill_at) {
        kill(victim, SIGKILL);
        wait_status(victim);
        killed = true;
      }
      stamp(buf.data(), big, 0, first + i);
      int rc;
      // With the receiver gone, this process makes room itself.
      while ((rc = pipc_channel_send(ch.channel, buf.data(), big, killed ? 0 : 20 * s)) ==
             PIPC_EAGAIN) {
        std::vector<int64_t> seen = last;
        ASSERT_TRUE(receive_until(ch.channel, 0, 0, seen));
        last = seen;
      }
      ASSERT_EQ(rc, PIPC_OK) << i;
    }
    // This process receives the rest: the last message of the round arrives.
    ASSERT_TRUE(receive_until(ch.channel, 0, first + per_round - 1, last));
  }
}

// A sender killed holding a reserved slot, and a receiver killed holding a peeked
// message: the slot is filled anew by the next sender, the message delivered to the
// next receiver.
TEST(ChannelProcesses, ZeroCopyHoldersKilledGiveTheirSlotsBack) {
  owned_channel ch(2, 64);
  ASSERT_NE(ch.channel, nullptr);
  const std::string name = ch.name;
  signal_pipe holding;
  pid_t child = spawn([&] {
    pipc_channel *c = open_existing_channel(name);
    void *slot = nullptr;
    if (c == nullptr || pipc_channel_reserve(&slot, c, 0) != PIPC_OK) return 1;
    std::memcpy(slot, "half", 4);
    holding.post();
    for (;;) pause();
  });
  ASSERT_TRUE(holding.wait());
  std::string text = "after";
  EXPECT_EQ(pipc_channel_send(ch.channel, text.data(), text.size(), 0), PIPC_EAGAIN) << "the held slot blocks";
  kill(child, SIGKILL);
  wait_status(child);
  ASSERT_EQ(pipc_channel_send(ch.channel, text.data(), text.size(), 5 * s), PIPC_OK);
  char buf[64];
  size_t len = 0;
  ASSERT_EQ(pipc_channel_receive(&len, ch.channel, buf, sizeof buf, 0), PIPC_OK);
  EXPECT_EQ(std::string(buf, len), "after");
  text = "peeked";
  ASSERT_EQ(pipc_channel_send(ch.channel, text.data(), text.size(), 0), PIPC_OK);
  signal_pipe peeking;
  child = spawn([&] {
    pipc_channel *c = open_existing_channel(name);
    const void *data = nullptr;
    size_t n = 0;
    if (c == nullptr || pipc_channel_peek(&data, &n, c, 0) != PIPC_OK) return 1;
    peeking.post();
    for (;;) pause();
  });
  ASSERT_TRUE(peeking.wait());
  kill(child, SIGKILL);
  wait_status(child);
  ASSERT_EQ(pipc_channel_receive(&len, ch.channel, buf, sizeof buf, 5 * s), PIPC_OK);
  EXPECT_EQ(std::string(buf, len), "peeked");
}

}  // namespace
