// POSIX shared memory with PIPC_SHM_RESERVE. Each case runs in a forked child with a
// private /dev/shm of 1 MiB (isolated_child.hpp): without the flag a 4 MiB segment opens
// and the first touch of a page that does not fit kills the process with SIGBUS; with it
// the open or resize fails with PIPC_ELIMIT naming /dev/shm, and nothing changes.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "isolated_child.hpp"
#include "support.hpp"

namespace {

using pipc_test::child_report;
using pipc_test::mentions;
using pipc_test::run_isolated;
using pipc_test::step_failed;
using pipc_test::unique_name;

const uint64_t page = static_cast<uint64_t>(pipc_page_size());
constexpr uint64_t dev_shm_bytes = 1 << 20;
constexpr uint64_t too_big = 4 << 20;
constexpr uint64_t fits = 256 << 10;
constexpr pipc_test::isolation small_dev_shm{false, dev_shm_bytes};
const std::string text = "reserved by pipc";

// ---- /dev/shm as the OS sees it (in the child) ----------------------------------------

int64_t free_bytes() {
  struct statvfs fs {};
  return statvfs("/dev/shm", &fs) == 0 ? static_cast<int64_t>(fs.f_bavail * fs.f_frsize) : -1;
}

int entries() {
  DIR *dir = opendir("/dev/shm");
  if (dir == nullptr) return -1;
  int count = 0;
  while (const dirent *e = readdir(dir)) count += e->d_name[0] != '.';
  closedir(dir);
  return count;
}

struct stat stat_of(const std::string &name) {
  struct stat st {};
  if (stat(("/dev/shm" + name).c_str(), &st) != 0) st.st_size = -1;
  return st;
}

// ---- pipc -------------------------------------------------------------------------------

pipc_shm_options options(uint32_t flags, uint64_t size) {
  pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
  opts.flags = flags;
  opts.size = size;
  return opts;
}

// Opens NAME with FLAGS at SIZE (in the child); nullptr on failure.
pipc_shm *open_shm(const std::string &name, uint32_t flags, uint64_t size) {
  const pipc_shm_options opts = options(flags, size);
  pipc_shm *shm = nullptr;
  return pipc_shm_open(&shm, name.c_str(), &opts) == PIPC_OK ? shm : nullptr;
}

// Makes segment NAME of FITS bytes beginning with TEXT (with FLAGS); nullptr on failure.
pipc_shm *make_segment(const std::string &name, uint32_t flags) {
  pipc_shm *shm = open_shm(name, PIPC_CREX | flags, fits);
  void *addr = nullptr;
  if (shm == nullptr || pipc_shm_map(&addr, shm, 0, 0, 0) != PIPC_OK) return nullptr;
  std::memcpy(addr, text.data(), text.size());
  return shm;
}

// Whether segment NAME still has FITS bytes beginning with TEXT.
bool intact(pipc_shm *shm, const std::string &name) {
  void *addr = nullptr;
  return stat_of(name).st_size == static_cast<off_t>(fits) &&
         pipc_shm_map(&addr, shm, 0, 0, 0) == PIPC_OK &&
         std::memcmp(addr, text.data(), text.size()) == 0;
}

// The call under test failed for want of room in the private /dev/shm, naming it.
void expect_no_room(const child_report &report, const std::string &call) {
  ASSERT_EQ(report.signal, 0) << "the child was killed by signal " << report.signal;
  ASSERT_NE(report.status, pipc_test::step_failure) << report.message;
  testing::Test::RecordProperty("message", report.message);
  EXPECT_EQ(report.status, PIPC_ELIMIT) << report.message;
  EXPECT_EQ(report.err, ENOSPC) << report.message;
  EXPECT_TRUE(mentions(report.message, call + ": fallocate on \""));
  EXPECT_TRUE(mentions(report.message, std::to_string(too_big) + " bytes do not fit in /dev/shm "
                                       "(size " + std::to_string(dev_shm_bytes) + " bytes"));
}

// ---- Opening ----------------------------------------------------------------------------

TEST(ShmReserve, WithoutTheFlagATooBigSegmentOpensAndTouchingItKillsWithSigbus) {
  // What the flag is for: the pages are only missed when touched.
  const std::string name = unique_name();
  const auto report = run_isolated(small_dev_shm, [&] {
    pipc_shm *shm = open_shm(name, PIPC_CREX, too_big);
    void *addr = nullptr;
    if (shm == nullptr || pipc_shm_map(&addr, shm, 0, 0, 0) != PIPC_OK) {
      return step_failed(std::string("open and map: ") + pipc_last_message());
    }
    signal(SIGBUS, SIG_DFL);  // AddressSanitizer's handler would exit instead
    for (uint64_t offset = 0; offset < too_big; offset += page) {
      static_cast<volatile char *>(addr)[offset] = 1;
    }
    return step_failed("every page could be touched");
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  EXPECT_EQ(report->signal, SIGBUS) << report->message;
}

TEST(ShmReserve, AnOpenThatDoesNotFitFailsAndLeavesNothing) {
  for (const std::string &name : {unique_name(), std::string()}) {  // "": a random name
    SCOPED_TRACE(name.empty() ? "random name" : name);
    const auto report = run_isolated(small_dev_shm, [&] {
      const pipc_shm_options opts = options(PIPC_CREX | PIPC_SHM_RESERVE, too_big);
      pipc_shm *shm = nullptr;
      const int rc = pipc_shm_open(&shm, name.empty() ? nullptr : name.c_str(), &opts);
      if (shm != nullptr) return step_failed("the open gave a handle");
      if (entries() != 0) return step_failed("a segment was left in /dev/shm");
      if (free_bytes() != static_cast<int64_t>(dev_shm_bytes)) return step_failed("pages stay");
      return rc;
    });
    if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
    expect_no_room(*report, "pipc_shm_open");
    if (!name.empty()) {
      EXPECT_TRUE(mentions(report->message, '"' + name + '"'));
    }
  }
}

TEST(ShmReserve, AnOpenThatFitsAllocatesThePages) {
  const std::string name = unique_name();
  const auto report = run_isolated(small_dev_shm, [&] {
    if (make_segment(name, PIPC_SHM_RESERVE) == nullptr) return step_failed(pipc_last_message());
    if (stat_of(name).st_blocks * 512 < static_cast<blkcnt_t>(fits)) {
      return step_failed("the pages are not allocated");
    }
    if (free_bytes() > static_cast<int64_t>(dev_shm_bytes - fits)) {
      return step_failed("/dev/shm has as much room as before");
    }
    return int{PIPC_OK};
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  EXPECT_EQ(report->status, PIPC_OK) << report->message;
}

TEST(ShmReserve, AnOpenOfAnExistingSegmentThatDoesNotFitKeepsIt) {
  const std::string name = unique_name();
  const auto report = run_isolated(small_dev_shm, [&] {
    pipc_shm *made = make_segment(name, 0);
    if (made == nullptr) return step_failed(pipc_last_message());
    // With PIPC_TRUNC too: the size is refused before the segment would be emptied.
    const pipc_shm_options emptying = options(PIPC_CREAT | PIPC_TRUNC | PIPC_SHM_RESERVE, too_big);
    pipc_shm *grown = nullptr;
    if (pipc_shm_open(&grown, name.c_str(), &emptying) != PIPC_ELIMIT || !intact(made, name)) {
      return step_failed("PIPC_TRUNC emptied the segment");
    }
    const pipc_shm_options opts = options(PIPC_SHM_RESERVE, too_big);
    const int rc = pipc_shm_open(&grown, name.c_str(), &opts);
    if (grown != nullptr || !intact(made, name)) return step_failed("the segment changed");
    return rc;
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_no_room(*report, "pipc_shm_open");
}

// ---- Resizing ---------------------------------------------------------------------------

TEST(ShmReserve, AReservingHandlesResizeThatDoesNotFitFailsAndKeepsTheSegment) {
  const std::string name = unique_name();
  const auto report = run_isolated(small_dev_shm, [&] {
    pipc_shm *shm = make_segment(name, PIPC_SHM_RESERVE);
    if (shm == nullptr) return step_failed(pipc_last_message());
    const int64_t room = free_bytes();
    const int rc = pipc_shm_resize(shm, too_big);
    if (!intact(shm, name) || free_bytes() != room) return step_failed("the segment changed");
    pipc_shm *copy = nullptr;
    if (pipc_shm_dup(&copy, shm) != PIPC_OK || pipc_shm_resize(copy, too_big) != PIPC_ELIMIT) {
      return step_failed("a duplicate does not reserve");
    }
    return rc;
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_no_room(*report, "pipc_shm_resize");
}

TEST(ShmReserve, ResizeFlagsReservesThroughAnyHandleAndShrinks) {
  const std::string name = unique_name();
  const auto report = run_isolated(small_dev_shm, [&] {
    pipc_shm *shm = make_segment(name, 0);
    if (shm == nullptr) return step_failed(pipc_last_message());
    const int rc = pipc_shm_resize_flags(shm, too_big, PIPC_SHM_RESERVE);
    if (!intact(shm, name)) return step_failed("the segment changed");
    if (pipc_shm_resize_flags(shm, fits / 2, PIPC_SHM_RESERVE) != PIPC_OK ||
        stat_of(name).st_size != static_cast<off_t>(fits / 2)) {
      return step_failed("a reserving shrink failed");
    }
    // Without the flag the handle resizes as before: sparsely, whatever the room.
    if (pipc_shm_resize_flags(shm, too_big, 0) != PIPC_OK || pipc_shm_resize(shm, too_big) != 0) {
      return step_failed("a sparse resize failed");
    }
    return rc;
  });
  if (!report) GTEST_SKIP() << pipc_test::isolation_refused;
  expect_no_room(*report, "pipc_shm_resize_flags");
}

TEST(ShmReserve, ResizeFlagsRefusesUnknownFlags) {
  pipc_shm *shm = nullptr;
  const pipc_shm_options opts = options(PIPC_CREX, page);
  ASSERT_EQ(pipc_shm_open(&shm, nullptr, &opts), PIPC_OK) << pipc_last_message();
  const pipc_test::scope_exit cleanup([shm] {
    pipc_shm_unlink(shm);
    pipc_shm_close(shm);
  });
  for (uint32_t flags : {PIPC_CREAT, PIPC_TRUNC, 0x100u, PIPC_SHM_RESERVE | 0x80000000u}) {
    EXPECT_EQ(pipc_shm_resize_flags(shm, 2 * page, flags), PIPC_EINVAL) << flags;
    EXPECT_EQ(pipc_last_errno(), EINVAL);
    EXPECT_TRUE(pipc_test::message_mentions("pipc_shm_resize_flags: unknown flags"));
  }
  uint64_t size = 0;
  EXPECT_EQ(pipc_shm_size(&size, shm), PIPC_OK);
  EXPECT_EQ(size, page);
}

}  // namespace
