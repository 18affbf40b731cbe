// System V keys: pipc_ftok, and the key constants every family accepts.
#include <sys/ipc.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>

#include <gtest/gtest.h>

#include "support.hpp"

namespace {

TEST(Ftok, GivesTheKeyFtokGivesForEveryId) {
  for (const char *path : {"/", "/tmp", "/proc/self"}) {
    for (int id : {1, 42, 255, 0, 256, 257, -1, INT_MAX}) {
      SCOPED_TRACE(testing::Message() << path << " id " << id);
      int64_t key = 12345;
      ASSERT_EQ(pipc_ftok(&key, path, id), PIPC_OK) << pipc_last_message();
      EXPECT_EQ(key, ftok(path, id));
    }
  }
}

TEST(Ftok, OnlyTheLowEightBitsOfTheIdCount) {
  int64_t a = 0, b = 0;
  ASSERT_EQ(pipc_ftok(&a, "/", 7), PIPC_OK);
  ASSERT_EQ(pipc_ftok(&b, "/", 7 + 256), PIPC_OK);
  EXPECT_EQ(a, b);
  ASSERT_EQ(pipc_ftok(&b, "/", 8), PIPC_OK);
  EXPECT_NE(a, b);
}

TEST(Ftok, AMissingPathIsNoentAndLeavesTheKeyAlone) {
  const std::string missing = "/tmp" + pipc_test::unique_name() + "_missing";
  int64_t key = 77;
  EXPECT_EQ(pipc_ftok(&key, missing.c_str(), 1), PIPC_ENOENT);
  EXPECT_EQ(pipc_last_errno(), ENOENT);
  EXPECT_NE(std::string(pipc_last_message()).find(missing), std::string::npos);
  EXPECT_EQ(key, 77);
}

TEST(Ftok, NullAndEmptyArgumentsAreInvalid) {
  int64_t key = 77;
  EXPECT_EQ(pipc_ftok(nullptr, "/", 1), PIPC_EINVAL);
  EXPECT_EQ(pipc_ftok(&key, nullptr, 1), PIPC_EINVAL);
  EXPECT_EQ(pipc_ftok(&key, "", 1), PIPC_EINVAL);
  EXPECT_EQ(pipc_last_errno(), EINVAL);
  EXPECT_NE(std::string(pipc_last_message()).find("pipc_ftok"), std::string::npos);
  EXPECT_EQ(key, 77);
}

TEST(Keys, TheConstantsMatchKeyT) {
  EXPECT_EQ(PIPC_SYSV_KEY_MIN, INT_MIN);
  EXPECT_EQ(PIPC_SYSV_KEY_MAX, INT_MAX);
  EXPECT_EQ(PIPC_IPC_PRIVATE, IPC_PRIVATE);
  EXPECT_LT(PIPC_KEY_RANDOM, PIPC_SYSV_KEY_MIN);  // never a real key
}

}  // namespace
