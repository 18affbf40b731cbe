// pipc_X_dup: a second handle to the object of a handle, with its own close,
// that works after the name is unlinked and carries the handle's settings.
// (That closing a handle ends only the calls made through it: test_waits.cpp.)
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "support.hpp"

namespace {

using pipc_test::unique_key;
using pipc_test::unique_name;

TEST(Dup, SemaphoreWorksAfterUnlinkAndOutlivesTheOriginal) {
  pipc_sem_options opts = PIPC_SEM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  opts.initial_value = 2;
  pipc_sem *sem = nullptr, *copy = nullptr;
  ASSERT_EQ(pipc_sem_open(&sem, unique_name().c_str(), &opts), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sem_unlink(sem), PIPC_OK);
  ASSERT_EQ(pipc_sem_dup(&copy, sem), PIPC_OK) << pipc_last_message();
  EXPECT_NE(copy, sem);
  EXPECT_STREQ(pipc_sem_name(copy), pipc_sem_name(sem));
  EXPECT_EQ(pipc_sem_created(sem), 1);
  EXPECT_EQ(pipc_sem_created(copy), 0);
  EXPECT_EQ(pipc_sem_acquire(copy, 0), PIPC_OK);
  EXPECT_EQ(pipc_sem_close(sem), PIPC_OK);
  int value = -1;
  EXPECT_EQ(pipc_sem_value(&value, copy), PIPC_OK);
  EXPECT_EQ(value, 1);
  EXPECT_EQ(pipc_sem_acquire(copy, 0), PIPC_OK);
  EXPECT_EQ(pipc_sem_acquire(copy, 0), PIPC_EAGAIN);
  EXPECT_EQ(pipc_sem_close(copy), PIPC_OK);
}

TEST(Dup, QueueHasItsOwnDescriptorAndTheHandlesAccessAndBlockingMode) {
  pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
  opts.flags = PIPC_CREX | PIPC_NONBLOCK;
  opts.access = PIPC_WRITE;
  opts.max_messages = 2;
  opts.max_message_size = 16;
  pipc_mq *mq = nullptr, *copy = nullptr;
  ASSERT_EQ(pipc_mq_open(&mq, unique_name().c_str(), &opts), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_mq_unlink(mq), PIPC_OK);
  ASSERT_EQ(pipc_mq_dup(&copy, mq), PIPC_OK) << pipc_last_message();
  int fd = -1, copy_fd = -1, blocking = -1;
  ASSERT_EQ(pipc_mq_fd(&fd, mq), PIPC_OK);
  ASSERT_EQ(pipc_mq_fd(&copy_fd, copy), PIPC_OK);
  EXPECT_NE(fd, copy_fd);
  EXPECT_EQ(pipc_mq_blocking(&blocking, copy), PIPC_OK);
  EXPECT_EQ(blocking, 0);
  EXPECT_EQ(pipc_mq_created(copy), 0);
  EXPECT_EQ(pipc_mq_close(mq), PIPC_OK);
  EXPECT_EQ(pipc_mq_send(copy, "kept", 4, 0, 0), PIPC_OK);
  int64_t n = -1;
  EXPECT_EQ(pipc_mq_current_messages(&n, copy), PIPC_OK);
  EXPECT_EQ(n, 1);
  char buf[16];
  size_t len = 0;
  EXPECT_EQ(pipc_mq_receive(&len, nullptr, copy, buf, sizeof buf, 0), PIPC_EACCES);  // write-only
  EXPECT_EQ(pipc_mq_close(copy), PIPC_OK);
}

TEST(Dup, SharedMemoryHasItsOwnDescriptorAndNoMappings) {
  pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  opts.size = 4096;
  pipc_shm *shm = nullptr, *copy = nullptr;
  ASSERT_EQ(pipc_shm_open(&shm, unique_name().c_str(), &opts), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_shm_unlink(shm), PIPC_OK);
  void *mine = nullptr;
  ASSERT_EQ(pipc_shm_map(&mine, shm, 0, 0, 0), PIPC_OK);
  std::memcpy(mine, "through the first", 18);
  ASSERT_EQ(pipc_shm_dup(&copy, shm), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_shm_unmap(copy, mine), PIPC_EINVAL);  // not the copy's mapping
  EXPECT_EQ(pipc_shm_close(shm), PIPC_OK);
  void *theirs = nullptr;
  ASSERT_EQ(pipc_shm_map(&theirs, copy, 0, 0, PIPC_MAP_READ_ONLY), PIPC_OK) << pipc_last_message();
  EXPECT_STREQ(static_cast<const char *>(theirs), "through the first");
  EXPECT_EQ(pipc_shm_close(copy), PIPC_OK);

  // Without a descriptor (pipc_shm_close_fd) there is nothing to duplicate.
  ASSERT_EQ(pipc_shm_open(&shm, nullptr, &opts), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_shm_unlink(shm), PIPC_OK);
  ASSERT_EQ(pipc_shm_close_fd(shm), PIPC_OK);
  EXPECT_EQ(pipc_shm_dup(&copy, shm), PIPC_EBADHANDLE);
  EXPECT_EQ(copy, nullptr);
  EXPECT_EQ(pipc_shm_close(shm), PIPC_OK);
}

TEST(Dup, SystemVSemaphoreCarriesUndoAndBlockingAndOutlivesTheOriginal) {
  pipc_sysv_sem_options opts = PIPC_SYSV_SEM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  opts.initial_value = 1;
  pipc_sysv_sem *sem = nullptr, *copy = nullptr;
  ASSERT_EQ(pipc_sysv_sem_open(&sem, unique_key(), &opts), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_sem_set_undo(sem, 1), PIPC_OK);
  ASSERT_EQ(pipc_sysv_sem_set_blocking(sem, 0), PIPC_OK);
  ASSERT_EQ(pipc_sysv_sem_dup(&copy, sem), PIPC_OK) << pipc_last_message();
  int undo = -1, blocking = -1;
  EXPECT_EQ(pipc_sysv_sem_undo(&undo, copy), PIPC_OK);
  EXPECT_EQ(pipc_sysv_sem_blocking(&blocking, copy), PIPC_OK);
  EXPECT_EQ(undo, 1);
  EXPECT_EQ(blocking, 0);
  EXPECT_EQ(pipc_sysv_sem_id(copy), pipc_sysv_sem_id(sem));
  EXPECT_EQ(pipc_sysv_sem_created(copy), 0);
  EXPECT_EQ(pipc_sysv_sem_close(sem), PIPC_OK);
  EXPECT_EQ(pipc_sysv_sem_acquire(copy, 1, PIPC_FOREVER), PIPC_OK);
  EXPECT_EQ(pipc_sysv_sem_acquire(copy, 1, PIPC_FOREVER), PIPC_EAGAIN);  // non-blocking
  EXPECT_EQ(pipc_sysv_sem_remove(copy), PIPC_OK);
  EXPECT_EQ(pipc_sysv_sem_close(copy), PIPC_OK);
}

TEST(Dup, SystemVSharedMemoryIsNotAttached) {
  pipc_sysv_shm_options opts = PIPC_SYSV_SHM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  pipc_sysv_shm *shm = nullptr, *copy = nullptr;
  ASSERT_EQ(pipc_sysv_shm_open(&shm, unique_key(), &opts), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_shm_attach(shm, nullptr, 0), PIPC_OK);
  ASSERT_EQ(pipc_sysv_shm_write(shm, 0, "seen by both", 13), PIPC_OK);
  ASSERT_EQ(pipc_sysv_shm_dup(&copy, shm), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_shm_attached(copy), 0);
  EXPECT_EQ(pipc_sysv_shm_close(shm), PIPC_OK);
  ASSERT_EQ(pipc_sysv_shm_attach(copy, nullptr, PIPC_SHM_ATTACH_READ_ONLY), PIPC_OK);
  char buf[13];
  EXPECT_EQ(pipc_sysv_shm_read(copy, 0, buf, sizeof buf), PIPC_OK);
  EXPECT_STREQ(buf, "seen by both");
  EXPECT_EQ(pipc_sysv_shm_remove(copy), PIPC_OK);
  EXPECT_EQ(pipc_sysv_shm_close(copy), PIPC_OK);
}

TEST(Dup, SystemVQueueOutlivesTheOriginal) {
  pipc_sysv_mq_options opts = PIPC_SYSV_MQ_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  pipc_sysv_mq *mq = nullptr, *copy = nullptr;
  ASSERT_EQ(pipc_sysv_mq_open(&mq, unique_key(), &opts), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(pipc_sysv_mq_dup(&copy, mq), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_mq_created(copy), 0);
  EXPECT_EQ(pipc_sysv_mq_close(mq), PIPC_OK);
  EXPECT_EQ(pipc_sysv_mq_send(copy, "x", 1, 1, 0), PIPC_OK);
  uint64_t n = 0;
  EXPECT_EQ(pipc_sysv_mq_current_messages(&n, copy), PIPC_OK);
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(pipc_sysv_mq_remove(copy), PIPC_OK);
  EXPECT_EQ(pipc_sysv_mq_close(copy), PIPC_OK);
}

TEST(Dup, OutMustNotBeNullAndIsClearedOnFailure) {
  pipc_sem *sem = nullptr;
  pipc_sem_options opts = PIPC_SEM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  ASSERT_EQ(pipc_sem_open(&sem, nullptr, &opts), PIPC_OK);
  ASSERT_EQ(pipc_sem_unlink(sem), PIPC_OK);
  EXPECT_EQ(pipc_sem_dup(nullptr, sem), PIPC_EINVAL);
  pipc_mq *mq = pipc_test::not_null<pipc_mq>;
  EXPECT_EQ(pipc_mq_dup(&mq, reinterpret_cast<pipc_mq *>(sem)), PIPC_EBADHANDLE);
  EXPECT_EQ(mq, nullptr);
  EXPECT_EQ(pipc_sem_close(sem), PIPC_OK);
}

}  // namespace
