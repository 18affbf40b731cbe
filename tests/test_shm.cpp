// POSIX shared memory: open / create / truncate, modes, random names, sizes,
// descriptors, read-only handles, mappings, unlink, several processes, and the
// status of every call for bad input.
//
// What a call did is checked through the OS (stat, pread, /proc/self/maps), not
// only through pipc itself.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"

namespace {

using pipc_test::message_mentions;
using pipc_test::scope_exit;
using pipc_test::signal_pipe;
using pipc_test::unique_name;

const uint64_t page = static_cast<uint64_t>(pipc_page_size());
const std::string data = "shared by pipc";
const uint64_t beyond_int64 = static_cast<uint64_t>(INT64_MAX) + 1;

// ---- The segment as the OS sees it ----------------------------------------------

std::string path_of(const std::string &name) { return "/dev/shm" + name; }

bool exists(const std::string &name) {
  struct stat st {};
  return stat(path_of(name).c_str(), &st) == 0;
}

// st_size, or -1 when the segment does not exist.
int64_t os_size(const std::string &name) {
  struct stat st {};
  return stat(path_of(name).c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

// LEN bytes from OFFSET, read through the file system ("" when missing).
std::string os_read(const std::string &name, uint64_t offset, size_t len) {
  const int fd = open(path_of(name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string out(len, '\0');
  const ssize_t got = pread(fd, &out[0], len, static_cast<off_t>(offset));
  close(fd);
  out.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return out;
}

// Makes segment NAME (creating it if needed) SIZE bytes long and beginning with
// TEXT, with the OS's own shm_open: the pipc calls under test then meet a segment
// they did not make.
void put_segment(const std::string &name, uint64_t size, const std::string &text = data) {
  const int fd = shm_open(name.c_str(), O_CREAT | O_RDWR, 0600);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  const scope_exit closer([fd] { close(fd); });
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0) << std::strerror(errno);
  ASSERT_EQ(pwrite(fd, text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
}

// The segment still exists, has SIZE bytes, and begins with TEXT.
void expect_intact(const std::string &name, uint64_t size, const std::string &text = data) {
  EXPECT_TRUE(exists(name)) << name;
  EXPECT_EQ(os_size(name), static_cast<int64_t>(size)) << name;
  EXPECT_EQ(os_read(name, 0, text.size()), text) << name;
}

mode_t current_umask() {
  const mode_t mask = umask(0);
  umask(mask);
  return mask;
}

// ---- Mappings, from /proc/self/maps ----------------------------------------------

// Read into a static buffer: reading must not allocate, or malloc could map
// fresh memory over the range a test has just unmapped.
std::string_view proc_maps() {
  static char buffer[8 << 20];
  size_t used = 0;
  const int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  ssize_t got = 0;
  while (used < sizeof buffer && (got = read(fd, buffer + used, sizeof buffer - used)) > 0) {
    used += static_cast<size_t>(got);
  }
  close(fd);
  return {buffer, used};
}

struct region {
  uintptr_t start;
  uintptr_t end;
  std::string perms;  // e.g. "rw-s"
};

// This process's mappings of segment NAME (linked or not).
std::vector<region> regions_of(const std::string &name) {
  const std::string_view maps = proc_maps();
  const std::string path = path_of(name);
  std::vector<region> found;
  size_t at = 0;
  while (at < maps.size()) {
    size_t end = maps.find('\n', at);
    if (end == std::string_view::npos) end = maps.size();
    const std::string line(maps.substr(at, end - at));
    at = end + 1;
    region r{};
    char perms[5] = "";
    int tail = 0;
    if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR " %4s %*s %*s %*s %n", &r.start,
                    &r.end, perms, &tail) < 3) {
      continue;
    }
    const std::string file = line.substr(static_cast<size_t>(tail));
    if (file == path || file == path + " (deleted)") {
      r.perms = perms;
      found.push_back(r);
    }
  }
  return found;
}

// The permissions of the mapping of NAME that holds ADDR, or "" if none holds it.
std::string perms_at(const void *addr, const std::string &name) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
  for (const region &r : regions_of(name)) {
    if (r.start <= a && a < r.end) return r.perms;
  }
  return "";
}

// ---- pipc helpers -----------------------------------------------------------------

struct shm_closer {
  void operator()(pipc_shm *shm) const { pipc_shm_close(shm); }
};
using shm_ptr = std::unique_ptr<pipc_shm, shm_closer>;

pipc_shm_options options(uint32_t flags, uint64_t size = 0, uint32_t access = PIPC_READ_WRITE) {
  pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
  opts.flags = flags;
  opts.size = size;
  opts.access = access;
  return opts;
}

// Opens NAME (NULL: a random name), expecting success; empty on failure.
shm_ptr open_ok(const char *name, const pipc_shm_options &opts) {
  pipc_shm *shm = nullptr;
  EXPECT_EQ(pipc_shm_open(&shm, name, &opts), PIPC_OK) << pipc_last_message();
  return shm_ptr(shm);
}

// The status of an open expected to fail; checks that no handle comes back.
int open_status(const char *name, const pipc_shm_options *opts) {
  pipc_shm *shm = reinterpret_cast<pipc_shm *>(uintptr_t{1});
  const int rc = pipc_shm_open(&shm, name, opts);
  if (rc == PIPC_OK) {
    pipc_shm_close(shm);
  } else {
    EXPECT_EQ(shm, nullptr) << "a failed open must clear *out";
  }
  return rc;
}

// Maps through SHM, expecting success; nullptr on failure.
char *map_ok(pipc_shm *shm, uint64_t offset = 0, uint64_t length = 0, uint32_t flags = 0) {
  void *addr = nullptr;
  EXPECT_EQ(pipc_shm_map(&addr, shm, offset, length, flags), PIPC_OK) << pipc_last_message();
  return static_cast<char *>(addr);
}

uint64_t size_of(pipc_shm *shm) {
  uint64_t size = UINT64_MAX;
  EXPECT_EQ(pipc_shm_size(&size, shm), PIPC_OK) << pipc_last_message();
  return size;
}


// A live semaphore handle, to pass where a pipc_shm* is expected.
class foreign_handle {
 public:
  foreign_handle() {
    EXPECT_EQ(pipc_sem_open(&sem_, nullptr, nullptr), PIPC_OK) << pipc_last_message();
    if (sem_ != nullptr) {
      EXPECT_EQ(pipc_sem_unlink(sem_), PIPC_OK);
    }
  }
  ~foreign_handle() { pipc_sem_close(sem_); }
  foreign_handle(const foreign_handle &) = delete;
  foreign_handle &operator=(const foreign_handle &) = delete;

  pipc_sem *sem() const { return sem_; }
  pipc_shm *as_shm() const { return reinterpret_cast<pipc_shm *>(sem_); }

 private:
  pipc_sem *sem_ = nullptr;
};

// Every test gets a fresh NAME, unlinked when it ends, whatever happened.
class Shm : public ::testing::Test {
 protected:
  void TearDown() override { pipc_shm_unlink_name(name.c_str()); }

  const std::string name = unique_name();
};

// ---- Open, create, exclusive, mode, names -----------------------------------------

TEST_F(Shm, CreateMakesASegmentOfTheGivenSize) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, 3 * page));
  ASSERT_TRUE(shm);
  EXPECT_EQ(pipc_shm_created(shm.get()), 1);
  EXPECT_EQ(pipc_shm_read_only(shm.get()), 0);
  EXPECT_EQ(pipc_shm_name(shm.get()), name);
  EXPECT_EQ(os_size(name), static_cast<int64_t>(3 * page));
  EXPECT_EQ(size_of(shm.get()), 3 * page);
  EXPECT_EQ(os_read(name, 0, 16), std::string(16, '\0'));
}

TEST_F(Shm, CreatOpensAnExistingSegmentWithoutCreatingIt) {
  auto made = open_ok(name.c_str(), options(PIPC_CREAT, page));
  ASSERT_TRUE(made);
  EXPECT_EQ(pipc_shm_created(made.get()), 1);
  ASSERT_NO_FATAL_FAILURE(put_segment(name, page));
  auto again = open_ok(name.c_str(), options(PIPC_CREAT));
  ASSERT_TRUE(again);
  EXPECT_EQ(pipc_shm_created(again.get()), 0);
  expect_intact(name, page);
}

TEST_F(Shm, OpenWithoutFlagsOpensAnExistingSegment) {
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
  auto shm = open_ok(name.c_str(), options(0));
  ASSERT_TRUE(shm);
  EXPECT_EQ(pipc_shm_created(shm.get()), 0);
  EXPECT_EQ(size_of(shm.get()), 2 * page);
  // NULL options are the defaults: open an existing segment read-write.
  pipc_shm *defaults = nullptr;
  ASSERT_EQ(pipc_shm_open(&defaults, name.c_str(), nullptr), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_shm_created(defaults), 0);
  EXPECT_EQ(pipc_shm_read_only(defaults), 0);
  EXPECT_EQ(pipc_shm_close(defaults), PIPC_OK);
  expect_intact(name, 2 * page);
}

TEST_F(Shm, ExclusiveCreateOfAnExistingSegmentFailsAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
  for (const pipc_shm_options &opts :
       {options(PIPC_CREX), options(PIPC_CREX, page), options(PIPC_CREX | PIPC_TRUNC, page)}) {
    EXPECT_EQ(open_status(name.c_str(), &opts), PIPC_EEXIST) << opts.flags;
    EXPECT_EQ(pipc_last_errno(), EEXIST);
    expect_intact(name, 2 * page);
  }
}

TEST_F(Shm, OpeningAMissingSegmentWithoutCreatFailsAndCreatesNothing) {
  for (const pipc_shm_options &opts :
       {options(0), options(0, page), options(PIPC_TRUNC), options(0, 0, PIPC_READ)}) {
    EXPECT_EQ(open_status(name.c_str(), &opts), PIPC_ENOENT);
    EXPECT_EQ(pipc_last_errno(), ENOENT);
    EXPECT_TRUE(message_mentions("shm_open"));
    EXPECT_TRUE(message_mentions(name.c_str()));
    EXPECT_FALSE(exists(name));
  }
  EXPECT_EQ(open_status(name.c_str(), nullptr), PIPC_ENOENT);
  EXPECT_FALSE(exists(name));
}

TEST(ShmMode, SetsThePermissionsOfANewSegment) {
  const mode_t mask = current_umask();
  for (uint32_t mode : {0600u, 0640u, 0604u, 0400u, 0u, 0777u}) {
    const std::string name = unique_name();
    const scope_exit unlink([&] { pipc_shm_unlink_name(name.c_str()); });
    pipc_shm_options opts = options(PIPC_CREX, page);
    opts.mode = mode;
    auto shm = open_ok(name.c_str(), opts);
    ASSERT_TRUE(shm) << std::oct << mode;
    struct stat st {};
    ASSERT_EQ(stat(path_of(name).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, mode & ~mask) << std::oct << mode;
    EXPECT_EQ(st.st_uid, geteuid());
  }
}

TEST_F(Shm, DefaultModeIs0600AndOpeningKeepsTheExistingMode) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX));
  ASSERT_TRUE(shm);
  struct stat st {};
  ASSERT_EQ(stat(path_of(name).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  pipc_shm_options opts = options(PIPC_CREAT);
  opts.mode = 0666;
  auto again = open_ok(name.c_str(), opts);
  ASSERT_TRUE(again);
  ASSERT_EQ(stat(path_of(name).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(Shm, ModeIsEnforcedForOtherUsers) {
  // 0444: read-only for everyone, the owner included, so the child is refused
  // write access whether it runs as the owner or (dropped from root) as nobody.
  pipc_shm_options opts = options(PIPC_CREX, page);
  opts.mode = 0444;
  auto shm = open_ok(name.c_str(), opts);
  ASSERT_TRUE(shm);
  char *addr = map_ok(shm.get());
  ASSERT_NE(addr, nullptr);
  std::memcpy(addr, data.data(), data.size());
  const pid_t child = pipc_test::spawn([&] {
    if (geteuid() == 0 && !pipc_test::become_nobody()) return 10;
    pipc_shm *rw = nullptr;
    if (pipc_shm_open(&rw, name.c_str(), nullptr) != PIPC_EACCES || rw != nullptr) return 1;
    if (pipc_last_errno() != EACCES) return 2;
    pipc_shm *ro = nullptr;
    const pipc_shm_options read_only = options(0, 0, PIPC_READ);
    if (pipc_shm_open(&ro, name.c_str(), &read_only) != PIPC_OK) return 3;
    void *view = nullptr;
    if (pipc_shm_map(&view, ro, 0, 0, 0) != PIPC_OK) return 4;
    return std::memcmp(view, data.data(), data.size()) == 0 ? 0 : 5;
  });
  const int code = pipc_test::wait_child(child);
  if (code == 10) GTEST_SKIP() << "cannot drop root privileges here";
  EXPECT_EQ(code, 0);
}

TEST(ShmRandomName, NullNameCreatesADistinctWellFormedSegment) {
  // The flags do not matter: a random name is always a new segment.
  std::vector<std::string> names;
  for (uint32_t flags : {0u, PIPC_CREAT, PIPC_CREX}) {
    auto shm = open_ok(nullptr, options(flags, page));
    ASSERT_TRUE(shm);
    const std::string name = pipc_shm_name(shm.get());
    const scope_exit unlink([&] { pipc_shm_unlink(shm.get()); });
    EXPECT_EQ(pipc_shm_created(shm.get()), 1);
    EXPECT_EQ(name.rfind("/pipc_", 0), 0u) << name;
    EXPECT_EQ(name.find('/', 1), std::string::npos) << name;
    EXPECT_EQ(os_size(name), static_cast<int64_t>(page)) << name;
    for (const std::string &earlier : names) EXPECT_NE(name, earlier);
    names.push_back(name);
  }
}

TEST_F(Shm, TheLongestNameFitsAndOneMoreIsRefused) {
  const std::string longest = name + std::string(256 - name.size(), 'x');
  const scope_exit unlink([&] { pipc_shm_unlink_name(longest.c_str()); });
  auto shm = open_ok(longest.c_str(), options(PIPC_CREX, page));
  ASSERT_TRUE(shm);
  EXPECT_TRUE(exists(longest));
  const std::string too_long = longest + "x";
  const pipc_shm_options opts = options(PIPC_CREX, page);
  EXPECT_EQ(open_status(too_long.c_str(), &opts), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("longer"));
}

TEST(ShmSemaphoreFiles, NamesOfGlibcSemaphoreFilesAreRefused) {
  // glibc keeps semaphore "/X" as /dev/shm/sem.X, which shm_open finds as "/sem.X":
  // opened as shared memory and resized to 0, it made the next release of "/X" die of
  // SIGBUS. The open never gets as far as a size (none is asked for here, so that a
  // regression fails the test rather than damage the semaphore).
  const std::string sem_name = unique_name();
  const std::string file_name = "/sem." + sem_name.substr(1);
  pipc_sem_options sem_opts = PIPC_SEM_OPTIONS_INIT;
  sem_opts.flags = PIPC_CREX;
  pipc_sem *sem = nullptr;
  ASSERT_EQ(pipc_sem_open(&sem, sem_name.c_str(), &sem_opts), PIPC_OK) << pipc_last_message();
  const scope_exit remove([&] {
    pipc_sem_unlink(sem);
    pipc_sem_close(sem);
  });
  const int64_t sem_file_size = os_size(file_name);
  ASSERT_GT(sem_file_size, 0);
  for (uint32_t flags : {0u, PIPC_CREAT, PIPC_CREX}) {
    const pipc_shm_options opts = options(flags);
    EXPECT_EQ(open_status(file_name.c_str(), &opts), PIPC_EINVAL) << flags;
    EXPECT_EQ(pipc_last_errno(), EINVAL);
    EXPECT_TRUE(message_mentions("pipc_shm_open: name \"" + file_name + "\" is refused"));
    EXPECT_TRUE(message_mentions("semaphore \"" + sem_name + "\" as /dev/shm" + file_name));
    EXPECT_TRUE(message_mentions("SIGBUS"));
  }
  EXPECT_EQ(pipc_shm_unlink_name(file_name.c_str()), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("pipc_shm_unlink_name: name \"" + file_name + "\" is refused"));
  // The semaphore is as it was, and works (in a child: a damaged one kills with SIGBUS).
  EXPECT_EQ(os_size(file_name), sem_file_size);
  const int code = pipc_test::wait_child(pipc_test::spawn([sem] {
    return pipc_sem_release(sem) == PIPC_OK && pipc_sem_acquire(sem, 0) == PIPC_OK ? 0 : 1;
  }));
  EXPECT_EQ(code, 0);
}

TEST(ShmSemaphoreFiles, OnlyTheSemDotPrefixIsRefused) {
  const pipc_shm_options create = options(PIPC_CREX, page);
  const std::string missing = "/sem." + unique_name().substr(1);
  EXPECT_EQ(open_status(missing.c_str(), &create), PIPC_EINVAL);  // even with no semaphore
  EXPECT_FALSE(exists(missing));
  for (const char *prefix : {"/sem", "/sem_", "/SEM.", "/xsem."}) {
    const std::string allowed = prefix + unique_name().substr(1);
    const scope_exit unlink([&] { pipc_shm_unlink_name(allowed.c_str()); });
    EXPECT_TRUE(open_ok(allowed.c_str(), create)) << allowed;
    EXPECT_EQ(pipc_shm_unlink_name(allowed.c_str()), PIPC_OK) << allowed;
  }
}

// ---- Sizes ---------------------------------------------------------------------

TEST_F(Shm, SizeResizesAnExistingSegmentOnOpen) {
  ASSERT_NO_FATAL_FAILURE(put_segment(name, page));
  for (uint64_t size : {3 * page, uint64_t{20}, page}) {
    auto shm = open_ok(name.c_str(), options(PIPC_CREAT, size));
    ASSERT_TRUE(shm);
    EXPECT_EQ(pipc_shm_created(shm.get()), 0);
    expect_intact(name, size);
  }
}

TEST_F(Shm, SizeZeroLeavesTheSizeAsIs) {
  auto made = open_ok(name.c_str(), options(PIPC_CREX));
  ASSERT_TRUE(made);
  EXPECT_EQ(size_of(made.get()), 0u);
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
  auto again = open_ok(name.c_str(), options(PIPC_CREAT, 0));
  ASSERT_TRUE(again);
  expect_intact(name, 2 * page);
}

TEST_F(Shm, TruncEmptiesAnExistingSegment) {
  for (uint32_t flags : {PIPC_TRUNC, PIPC_CREAT | PIPC_TRUNC}) {
    ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
    auto emptied = open_ok(name.c_str(), options(flags));
    ASSERT_TRUE(emptied);
    EXPECT_EQ(pipc_shm_created(emptied.get()), 0);
    EXPECT_EQ(os_size(name), 0);
    // With a size the segment comes back that long, but zero-filled.
    ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
    auto refilled = open_ok(name.c_str(), options(flags, page));
    ASSERT_TRUE(refilled);
    EXPECT_EQ(os_size(name), static_cast<int64_t>(page));
    EXPECT_EQ(os_read(name, 0, data.size()), std::string(data.size(), '\0'));
  }
}

TEST_F(Shm, SizeIsWhatTheOsReportsNow) {
  auto a = open_ok(name.c_str(), options(PIPC_CREX, page));
  auto b = open_ok(name.c_str(), options(0));
  ASSERT_TRUE(a && b);
  ASSERT_EQ(pipc_shm_resize(b.get(), 5 * page), PIPC_OK);
  EXPECT_EQ(size_of(a.get()), 5 * page);
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 123));
  EXPECT_EQ(size_of(a.get()), 123u);
}

TEST_F(Shm, ResizeGrowsWithZerosAndShrinksKeepingThePrefix) {
  ASSERT_NO_FATAL_FAILURE(put_segment(name, page));
  auto shm = open_ok(name.c_str(), options(0));
  ASSERT_TRUE(shm);
  ASSERT_EQ(pipc_shm_resize(shm.get(), 4 * page), PIPC_OK) << pipc_last_message();
  expect_intact(name, 4 * page);
  EXPECT_EQ(size_of(shm.get()), 4 * page);
  EXPECT_EQ(os_read(name, 3 * page, 16), std::string(16, '\0'));
  ASSERT_EQ(pipc_shm_resize(shm.get(), 6), PIPC_OK);
  expect_intact(name, 6, data.substr(0, 6));
  ASSERT_EQ(pipc_shm_resize(shm.get(), 0), PIPC_OK);
  EXPECT_EQ(size_of(shm.get()), 0u);
  EXPECT_EQ(os_size(name), 0);
}

TEST_F(Shm, SizesBeyondInt64MaxAreRefusedWithoutSideEffects) {
  for (uint64_t size : {beyond_int64, UINT64_MAX}) {
    const pipc_shm_options create = options(PIPC_CREX, size);
    EXPECT_EQ(open_status(name.c_str(), &create), PIPC_ERANGE) << size;
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions("size"));
    EXPECT_FALSE(exists(name));
    const pipc_shm_options random = options(0, size);
    EXPECT_EQ(open_status(nullptr, &random), PIPC_ERANGE) << size;
  }
  ASSERT_NO_FATAL_FAILURE(put_segment(name, page));
  auto shm = open_ok(name.c_str(), options(0));
  ASSERT_TRUE(shm);
  for (uint64_t size : {beyond_int64, UINT64_MAX}) {
    const pipc_shm_options existing = options(PIPC_CREAT | PIPC_TRUNC, size);
    EXPECT_EQ(open_status(name.c_str(), &existing), PIPC_ERANGE) << size;
    EXPECT_EQ(pipc_shm_resize(shm.get(), size), PIPC_ERANGE) << size;
    EXPECT_TRUE(message_mentions("pipc_shm_resize"));
    EXPECT_EQ(pipc_shm_resize_flags(shm.get(), size, PIPC_SHM_RESERVE), PIPC_ERANGE) << size;
    EXPECT_TRUE(message_mentions("pipc_shm_resize_flags"));
    expect_intact(name, page);
  }
}

TEST_F(Shm, HugeSizesNeverLoseASegment) {
  // Whether the OS accepts these (tmpfs files may be sparse) is its business;
  // pipc must leave no half-made segment and never destroy an existing one.
  for (uint64_t size : {uint64_t{1} << 62, static_cast<uint64_t>(INT64_MAX)}) {
    SCOPED_TRACE(size);
    const pipc_shm_options create = options(PIPC_CREX, size);
    pipc_shm *shm = nullptr;
    if (pipc_shm_open(&shm, name.c_str(), &create) == PIPC_OK) {
      EXPECT_EQ(size_of(shm), size);
      EXPECT_EQ(pipc_shm_unlink(shm), PIPC_OK);
      EXPECT_EQ(pipc_shm_close(shm), PIPC_OK);
    } else {
      EXPECT_EQ(shm, nullptr);
      EXPECT_FALSE(exists(name));
    }
    ASSERT_NO_FATAL_FAILURE(put_segment(name, page));
    const pipc_shm_options existing = options(0, size);
    if (pipc_shm_open(&shm, name.c_str(), &existing) == PIPC_OK) {
      EXPECT_EQ(size_of(shm), size);
      EXPECT_EQ(pipc_shm_close(shm), PIPC_OK);
      expect_intact(name, size);
    } else {
      expect_intact(name, page);
    }
    ASSERT_EQ(pipc_shm_unlink_name(name.c_str()), PIPC_OK);
  }
}

TEST_F(Shm, AnOpenThatFailsOnTheSizeRemovesOnlyWhatItCreated) {
  // RLIMIT_FSIZE makes ftruncate fail (EFBIG, PIPC_ELIMIT) past one page, in a child only.
  ASSERT_NO_FATAL_FAILURE(put_segment(name, page));
  const std::string fresh = unique_name();
  const scope_exit unlink([&] { pipc_shm_unlink_name(fresh.c_str()); });
  const pid_t child = pipc_test::spawn([&] {
    const rlimit one_page{page, page};
    if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR || setrlimit(RLIMIT_FSIZE, &one_page) != 0) return 1;
    const pipc_shm_options create = options(PIPC_CREX, 4 * page);
    pipc_shm *shm = nullptr;
    if (pipc_shm_open(&shm, fresh.c_str(), &create) != PIPC_ELIMIT || shm != nullptr) return 2;
    if (pipc_last_errno() != EFBIG || exists(fresh)) return 3;
    // Not even PIPC_TRUNC empties the segment when the open fails.
    for (uint32_t flags : {0u, PIPC_CREAT, PIPC_CREAT | PIPC_TRUNC}) {
      const pipc_shm_options grow = options(flags, 4 * page);
      if (pipc_shm_open(&shm, name.c_str(), &grow) != PIPC_ELIMIT || shm != nullptr) return 4;
    }
    return 0;
  });
  EXPECT_EQ(pipc_test::wait_child(child), 0);
  EXPECT_FALSE(exists(fresh));
  expect_intact(name, page);
}

// ---- Descriptor ------------------------------------------------------------------

TEST_F(Shm, FdIsTheSegmentsOwnDescriptor) {
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
  struct stat by_name {};
  ASSERT_EQ(stat(path_of(name).c_str(), &by_name), 0);
  for (uint32_t access : {PIPC_READ_WRITE, PIPC_READ}) {
    auto shm = open_ok(name.c_str(), options(0, 0, access));
    ASSERT_TRUE(shm);
    int fd = -1;
    ASSERT_EQ(pipc_shm_fd(&fd, shm.get()), PIPC_OK);
    int again = -1;
    ASSERT_EQ(pipc_shm_fd(&again, shm.get()), PIPC_OK);
    EXPECT_EQ(fd, again);
    struct stat st {};
    ASSERT_EQ(fstat(fd, &st), 0);
    EXPECT_EQ(st.st_ino, by_name.st_ino);
    EXPECT_EQ(st.st_dev, by_name.st_dev);
    EXPECT_EQ(static_cast<uint64_t>(st.st_size), 2 * page);
    EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, access == PIPC_READ ? O_RDONLY : O_RDWR);
  }
}

TEST_F(Shm, CloseFdKeepsMappingsButNotTheDescriptor) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, 2 * page));
  ASSERT_TRUE(shm);
  char *addr = map_ok(shm.get());
  ASSERT_NE(addr, nullptr);
  int fd = -1;
  ASSERT_EQ(pipc_shm_fd(&fd, shm.get()), PIPC_OK);
  ASSERT_EQ(pipc_shm_close_fd(shm.get()), PIPC_OK);
  const int fd_flags = fcntl(fd, F_GETFD);
  const int fd_errno = errno;
  EXPECT_EQ(fd_flags, -1);  // really closed
  EXPECT_EQ(fd_errno, EBADF);

  const std::pair<const char *, std::function<int()>> need_fd[] = {
      {"pipc_shm_fd", [&] { return pipc_shm_fd(&fd, shm.get()); }},
      {"pipc_shm_size", [&] { uint64_t size; return pipc_shm_size(&size, shm.get()); }},
      {"pipc_shm_resize", [&] { return pipc_shm_resize(shm.get(), page); }},
      {"pipc_shm_resize_flags",
       [&] { return pipc_shm_resize_flags(shm.get(), page, PIPC_SHM_RESERVE); }},
      {"pipc_shm_map", [&] { void *a; return pipc_shm_map(&a, shm.get(), 0, 0, 0); }},
      {"pipc_shm_close_fd", [&] { return pipc_shm_close_fd(shm.get()); }},
  };
  for (const auto &[call, run] : need_fd) {
    EXPECT_EQ(run(), PIPC_EBADHANDLE) << call;
    EXPECT_EQ(pipc_last_errno(), EBADF) << call;
    EXPECT_TRUE(message_mentions(call));
    EXPECT_TRUE(message_mentions("pipc_shm_close_fd"));
  }
  EXPECT_EQ(os_size(name), static_cast<int64_t>(2 * page));  // the resize did nothing

  // The mapping lives on, both ways, and the rest of the handle still works.
  std::memcpy(addr + page, data.data(), data.size());
  EXPECT_EQ(os_read(name, page, data.size()), data);
  EXPECT_EQ(perms_at(addr, name), "rw-s");
  EXPECT_STREQ(pipc_shm_name(shm.get()), name.c_str());
  EXPECT_EQ(pipc_shm_created(shm.get()), 1);
  EXPECT_EQ(pipc_shm_read_only(shm.get()), 0);
  EXPECT_EQ(pipc_shm_unmap(shm.get(), addr), PIPC_OK);
  EXPECT_EQ(perms_at(addr, name), "");
  EXPECT_EQ(pipc_shm_unlink(shm.get()), PIPC_OK);
  EXPECT_FALSE(exists(name));
  EXPECT_EQ(pipc_shm_close(shm.release()), PIPC_OK);
}

// ---- Read-only handles -----------------------------------------------------------

TEST_F(Shm, ReadOnlyHandleMapsOnlyForReading) {
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
  auto shm = open_ok(name.c_str(), options(0, 0, PIPC_READ));
  ASSERT_TRUE(shm);
  EXPECT_EQ(pipc_shm_read_only(shm.get()), 1);
  EXPECT_EQ(pipc_shm_created(shm.get()), 0);
  for (uint32_t flags : {0u, PIPC_MAP_READ_ONLY}) {
    const char *addr = map_ok(shm.get(), 0, 0, flags);
    ASSERT_NE(addr, nullptr);
    EXPECT_EQ(perms_at(addr, name), "r--s") << flags;
    EXPECT_EQ(std::string(addr, data.size()), data);
  }
}

TEST_F(Shm, ReadOnlyHandleCannotResize) {
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
  auto shm = open_ok(name.c_str(), options(0, 0, PIPC_READ));
  ASSERT_TRUE(shm);
  for (uint64_t size : {uint64_t{0}, page, 2 * page, 3 * page}) {
    EXPECT_EQ(pipc_shm_resize(shm.get(), size), PIPC_EACCES) << size;
    EXPECT_EQ(pipc_last_errno(), EACCES);
    EXPECT_TRUE(message_mentions("read-only"));
    EXPECT_EQ(pipc_shm_resize_flags(shm.get(), size, PIPC_SHM_RESERVE), PIPC_EACCES) << size;
    EXPECT_TRUE(message_mentions("pipc_shm_resize_flags"));
  }
  expect_intact(name, 2 * page);
}

TEST_F(Shm, ReadOnlyWithTruncIsInvalidAndTouchesNothing) {
  for (uint32_t flags : {PIPC_TRUNC, PIPC_CREAT | PIPC_TRUNC, PIPC_CREX | PIPC_TRUNC}) {
    const pipc_shm_options opts = options(flags, 0, PIPC_READ);
    EXPECT_EQ(open_status(name.c_str(), &opts), PIPC_EINVAL) << flags;
    EXPECT_TRUE(message_mentions("read-only"));
    EXPECT_FALSE(exists(name));
  }
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
  for (uint32_t flags : {PIPC_TRUNC, PIPC_CREAT | PIPC_TRUNC}) {
    const pipc_shm_options opts = options(flags, 0, PIPC_READ);
    EXPECT_EQ(open_status(name.c_str(), &opts), PIPC_EINVAL) << flags;
    expect_intact(name, 2 * page);
  }
}

TEST_F(Shm, ReadOnlyOpenWithAnotherSizeChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
  for (uint32_t flags : {0u, PIPC_CREAT}) {
    for (uint64_t size : {uint64_t{1}, page, 3 * page}) {
      const pipc_shm_options opts = options(flags, size, PIPC_READ);
      EXPECT_EQ(open_status(name.c_str(), &opts), PIPC_EACCES) << flags << " " << size;
      EXPECT_EQ(pipc_last_errno(), EACCES);
      EXPECT_TRUE(message_mentions("read-only"));
      expect_intact(name, 2 * page);  // still linked, same size, same bytes
    }
  }
}

TEST_F(Shm, ReadOnlyOpenWithTheSameSizeSucceeds) {
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
  for (uint32_t flags : {0u, PIPC_CREAT}) {
    auto shm = open_ok(name.c_str(), options(flags, 2 * page, PIPC_READ));
    ASSERT_TRUE(shm);
    EXPECT_EQ(pipc_shm_read_only(shm.get()), 1);
    EXPECT_EQ(pipc_shm_created(shm.get()), 0);
  }
  expect_intact(name, 2 * page);
}

TEST_F(Shm, ReadOnlyCreateWithASizeLeavesNothingBehind) {
  // A new segment is empty, and a read-only handle cannot give it a size.
  for (uint32_t flags : {PIPC_CREAT, PIPC_CREX}) {
    const pipc_shm_options opts = options(flags, page, PIPC_READ);
    EXPECT_EQ(open_status(name.c_str(), &opts), PIPC_EACCES) << flags;
    EXPECT_FALSE(exists(name));
  }
  // Without a size it is created, empty, so there is nothing to map.
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, 0, PIPC_READ));
  ASSERT_TRUE(shm);
  EXPECT_EQ(pipc_shm_created(shm.get()), 1);
  EXPECT_EQ(os_size(name), 0);
  void *addr = nullptr;
  EXPECT_EQ(pipc_shm_map(&addr, shm.get(), 0, 0, 0), PIPC_ERANGE);
}

// ---- Mapping -------------------------------------------------------------------

TEST_F(Shm, MapWithLengthZeroMapsTheRestOfTheSegment) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, 3 * page));
  ASSERT_TRUE(shm);
  for (uint64_t offset : {uint64_t{0}, page, 2 * page}) {
    char *addr = map_ok(shm.get(), offset, 0);
    ASSERT_NE(addr, nullptr);
    const std::vector<region> regions = regions_of(name);
    ASSERT_EQ(regions.size(), 1u);
    EXPECT_EQ(regions[0].start, reinterpret_cast<uintptr_t>(addr));
    EXPECT_EQ(regions[0].end - regions[0].start, 3 * page - offset) << offset;
    EXPECT_EQ(regions[0].perms, "rw-s");
    const std::string mark = data + std::to_string(offset);
    std::memcpy(addr + 3 * page - offset - mark.size(), mark.data(), mark.size());
    EXPECT_EQ(os_read(name, 3 * page - mark.size(), mark.size()), mark);
    ASSERT_EQ(pipc_shm_unmap(shm.get(), addr), PIPC_OK);
  }
}

TEST_F(Shm, MapARangeWithinTheSegment) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, 3 * page));
  ASSERT_TRUE(shm);
  char *whole = map_ok(shm.get(), 0, 3 * page);
  char *middle = map_ok(shm.get(), page, page);
  char *tail = map_ok(shm.get(), 2 * page, 0);
  char *bytes = map_ok(shm.get(), page, 100);  // a length need not be whole pages
  ASSERT_TRUE(whole && middle && tail && bytes);
  std::memcpy(middle, data.data(), data.size());
  EXPECT_EQ(std::string(whole + page, data.size()), data);
  EXPECT_EQ(std::string(bytes, data.size()), data);
  std::memcpy(tail + page - data.size(), data.data(), data.size());
  EXPECT_EQ(std::string(whole + 3 * page - data.size(), data.size()), data);
}

TEST_F(Shm, MapRefusesOffsetsThatAreNotPageAligned) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, 3 * page));
  ASSERT_TRUE(shm);
  for (uint64_t offset : {uint64_t{1}, page - 1, page + 1, page / 2}) {
    void *addr = nullptr;
    EXPECT_EQ(pipc_shm_map(&addr, shm.get(), offset, page, 0), PIPC_EINVAL) << offset;
    EXPECT_TRUE(message_mentions("page size"));
    EXPECT_EQ(addr, nullptr);
  }
  EXPECT_TRUE(regions_of(name).empty());
}

TEST_F(Shm, MapRefusesRangesBeyondTheSize) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, 3 * page));
  ASSERT_TRUE(shm);
  const std::pair<uint64_t, uint64_t> ranges[] = {
      {3 * page, 0},
      {3 * page, 1},
      {0, 3 * page + 1},
      {page, 2 * page + 1},
      {10 * page, page},
      {0, UINT64_MAX},
      {page, UINT64_MAX - page + 1},  // offset + length wraps to 0
      {UINT64_MAX & ~(page - 1), 0},
  };
  for (const auto &[offset, length] : ranges) {
    void *addr = nullptr;
    EXPECT_EQ(pipc_shm_map(&addr, shm.get(), offset, length, 0), PIPC_ERANGE)
        << offset << " +" << length;
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions("outside"));
  }
  EXPECT_TRUE(regions_of(name).empty());
}

// Map checks against the size the handle last saw, and reads it again from the OS
// before it refuses a range: growth made elsewhere is mappable at once.
TEST_F(Shm, MapSeesGrowthMadeByAnotherHandle) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, page));
  auto other = open_ok(name.c_str(), options(0));
  ASSERT_TRUE(shm && other);
  ASSERT_EQ(pipc_shm_resize(other.get(), 3 * page), PIPC_OK);
  char *tail = map_ok(shm.get(), 2 * page, page);
  ASSERT_NE(tail, nullptr);
  ASSERT_EQ(pipc_shm_resize(other.get(), page), PIPC_OK);
  void *addr = nullptr;
  EXPECT_EQ(pipc_shm_map(&addr, shm.get(), 0, 0, 0), PIPC_OK);  // length 0 reads the size
  EXPECT_EQ(regions_of(name).size(), 2u);
  EXPECT_EQ(pipc_shm_map(&addr, shm.get(), page, page, 0), PIPC_ERANGE);
}

TEST_F(Shm, MapOfAnEmptySegmentIsOutOfRange) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX));
  ASSERT_TRUE(shm);
  for (uint64_t length : {uint64_t{0}, uint64_t{1}}) {
    void *addr = nullptr;
    EXPECT_EQ(pipc_shm_map(&addr, shm.get(), 0, length, 0), PIPC_ERANGE) << length;
  }
  EXPECT_TRUE(regions_of(name).empty());
}

TEST_F(Shm, ReadOnlyMapFlagGivesAReadOnlyMappingOfAWritableHandle) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, page));
  ASSERT_TRUE(shm);
  char *writable = map_ok(shm.get());
  const char *readable = map_ok(shm.get(), 0, 0, PIPC_MAP_READ_ONLY);
  ASSERT_TRUE(writable && readable);
  EXPECT_EQ(perms_at(writable, name), "rw-s");
  EXPECT_EQ(perms_at(readable, name), "r--s");
  std::memcpy(writable, data.data(), data.size());
  EXPECT_EQ(std::string(readable, data.size()), data);
}

TEST_F(Shm, MapRefusesUnknownFlags) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, page));
  ASSERT_TRUE(shm);
  for (uint32_t flags : {0x2u, PIPC_MAP_READ_ONLY | 0x4u, 0x80000000u}) {
    void *addr = nullptr;
    EXPECT_EQ(pipc_shm_map(&addr, shm.get(), 0, 0, flags), PIPC_EINVAL) << flags;
    EXPECT_TRUE(message_mentions("unknown flags"));
  }
  EXPECT_TRUE(regions_of(name).empty());
}

TEST_F(Shm, UnmapRemovesTheMappingOnce) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, page));
  ASSERT_TRUE(shm);
  char *addr = map_ok(shm.get());
  ASSERT_NE(addr, nullptr);
  ASSERT_EQ(pipc_shm_unmap(shm.get(), addr), PIPC_OK);
  EXPECT_TRUE(regions_of(name).empty());
  EXPECT_EQ(pipc_shm_unmap(shm.get(), addr), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("not a mapping"));
}

TEST_F(Shm, UnmapRefusesAddressesNotMappedThroughTheHandle) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, 2 * page));
  auto other = open_ok(name.c_str(), options(0));
  ASSERT_TRUE(shm && other);
  char *mine = map_ok(shm.get());
  char *theirs = map_ok(other.get());
  ASSERT_TRUE(mine && theirs);
  int on_stack = 0;
  for (void *addr : {static_cast<void *>(nullptr), static_cast<void *>(mine + page),
                     static_cast<void *>(mine + 1), static_cast<void *>(&on_stack),
                     static_cast<void *>(theirs)}) {
    EXPECT_EQ(pipc_shm_unmap(shm.get(), addr), PIPC_EINVAL) << addr;
  }
  EXPECT_EQ(perms_at(mine, name), "rw-s");
  EXPECT_EQ(perms_at(mine + page, name), "rw-s");
  EXPECT_EQ(perms_at(theirs, name), "rw-s");
}

TEST_F(Shm, CloseUnmapsWhatWasMappedThroughTheHandle) {
  pipc_shm *shm = nullptr;
  const pipc_shm_options opts = options(PIPC_CREX, 2 * page);
  ASSERT_EQ(pipc_shm_open(&shm, name.c_str(), &opts), PIPC_OK);
  auto other = open_ok(name.c_str(), options(0));
  ASSERT_TRUE(other);
  char *first = map_ok(shm, 0, 2 * page);
  char *second = map_ok(shm, page, page, PIPC_MAP_READ_ONLY);
  char *kept = map_ok(other.get());
  ASSERT_TRUE(first && second && kept);
  ASSERT_EQ(pipc_shm_close(shm), PIPC_OK);
  EXPECT_EQ(perms_at(first, name), "");
  EXPECT_EQ(perms_at(first + page, name), "");
  EXPECT_EQ(perms_at(second, name), "");
  // A mapping made through another handle is that handle's.
  EXPECT_EQ(perms_at(kept, name), "rw-s");
  EXPECT_EQ(regions_of(name).size(), 1u);
}

// ---- Unlink and close ------------------------------------------------------------

TEST_F(Shm, UnlinkByHandleRemovesTheNameButKeepsTheHandle) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, page));
  ASSERT_TRUE(shm);
  ASSERT_EQ(pipc_shm_unlink(shm.get()), PIPC_OK);
  EXPECT_FALSE(exists(name));
  const pipc_shm_options reopen = options(0);
  EXPECT_EQ(open_status(name.c_str(), &reopen), PIPC_ENOENT);
  EXPECT_EQ(size_of(shm.get()), page);
  char *addr = map_ok(shm.get());
  ASSERT_NE(addr, nullptr);
  EXPECT_EQ(perms_at(addr, name), "rw-s");
  EXPECT_EQ(pipc_shm_unlink(shm.get()), PIPC_ENOENT);
  EXPECT_TRUE(message_mentions("shm_unlink"));
}

TEST_F(Shm, UnlinkByName) {
  ASSERT_NO_FATAL_FAILURE(put_segment(name, page));
  ASSERT_EQ(pipc_shm_unlink_name(name.c_str()), PIPC_OK);
  EXPECT_FALSE(exists(name));
  EXPECT_EQ(pipc_shm_unlink_name(name.c_str()), PIPC_ENOENT);
  EXPECT_EQ(pipc_last_errno(), ENOENT);
  EXPECT_TRUE(message_mentions("shm_unlink"));
  EXPECT_TRUE(message_mentions(name.c_str()));
}

TEST_F(Shm, CloseDoesNotUnlink) {
  pipc_shm *shm = nullptr;
  const pipc_shm_options opts = options(PIPC_CREX, page);
  ASSERT_EQ(pipc_shm_open(&shm, name.c_str(), &opts), PIPC_OK);
  ASSERT_EQ(pipc_shm_close(shm), PIPC_OK);
  EXPECT_EQ(os_size(name), static_cast<int64_t>(page));
  EXPECT_TRUE(open_ok(name.c_str(), options(0)));
}

// ---- Several processes ------------------------------------------------------------

TEST_F(Shm, ParentReadsWhatAChildWrote) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, page));
  ASSERT_TRUE(shm);
  const char *view = map_ok(shm.get());
  ASSERT_NE(view, nullptr);
  signal_pipe written;
  const pid_t child = pipc_test::spawn([&] {
    pipc_shm *own = nullptr;
    if (pipc_shm_open(&own, name.c_str(), nullptr) != PIPC_OK) return 1;
    if (pipc_shm_created(own) != 0) return 2;
    void *addr = nullptr;
    if (pipc_shm_map(&addr, own, 0, 0, 0) != PIPC_OK) return 3;
    std::memcpy(addr, data.data(), data.size());
    return written.post() ? 0 : 4;
  });
  EXPECT_TRUE(written.wait());
  EXPECT_EQ(std::string(view, data.size()), data);
  EXPECT_EQ(pipc_test::wait_child(child), 0);
}

TEST_F(Shm, ChildReadsWhatTheParentWroteIntoALiveMapping) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, page));
  ASSERT_TRUE(shm);
  signal_pipe mapped;
  signal_pipe written;
  const pid_t child = pipc_test::spawn([&] {
    pipc_shm *own = nullptr;
    const pipc_shm_options ro = options(0, 0, PIPC_READ);
    if (pipc_shm_open(&own, name.c_str(), &ro) != PIPC_OK) return 1;
    void *addr = nullptr;
    if (pipc_shm_map(&addr, own, 0, 0, 0) != PIPC_OK) return 2;
    if (!mapped.post() || !written.wait()) return 3;
    return std::memcmp(addr, data.data(), data.size()) == 0 ? 0 : 4;
  });
  // The child mapped before the parent wrote: it sees the write through its mapping.
  EXPECT_TRUE(mapped.wait());
  char *addr = map_ok(shm.get());
  ASSERT_NE(addr, nullptr);
  std::memcpy(addr, data.data(), data.size());
  EXPECT_TRUE(written.post());
  EXPECT_EQ(pipc_test::wait_child(child), 0);
}

TEST_F(Shm, AHandleStaysUsableInAForkedChild) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, page));
  ASSERT_TRUE(shm);
  const pid_t child = pipc_test::spawn([&] {
    uint64_t size = 0;
    if (pipc_shm_size(&size, shm.get()) != PIPC_OK || size != page) return 1;
    void *addr = nullptr;
    if (pipc_shm_map(&addr, shm.get(), 0, 0, 0) != PIPC_OK) return 2;
    std::memcpy(addr, data.data(), data.size());
    return pipc_shm_unmap(shm.get(), addr) == PIPC_OK ? 0 : 3;
  });
  ASSERT_EQ(pipc_test::wait_child(child), 0);
  EXPECT_EQ(os_read(name, 0, data.size()), data);
}

// ---- Bad input ------------------------------------------------------------------

TEST_F(Shm, OpenRejectsANullOutPointerAndCreatesNothing) {
  const pipc_shm_options opts = options(PIPC_CREX, page);
  EXPECT_EQ(pipc_shm_open(nullptr, name.c_str(), &opts), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("out is NULL"));
  EXPECT_FALSE(exists(name));
}

TEST_F(Shm, OpenRejectsBadNamesAndTouchesNothing) {
  // Variants of an existing NAME that the C library would map back onto it
  // (it strips leading slashes) must not reach it.
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
  const std::string bad[] = {"",        "/",        "/.",           "/..",
                             "/a/b",    name + "/", name + "/x",    name.substr(1),
                             "/" + name, name + std::string(256, 'x')};
  const pipc_shm_options opts = options(PIPC_CREAT | PIPC_TRUNC, page);
  for (const std::string &bad_name : bad) {
    EXPECT_EQ(open_status(bad_name.c_str(), &opts), PIPC_EINVAL) << '"' << bad_name << '"';
    EXPECT_EQ(pipc_last_errno(), EINVAL);
    EXPECT_TRUE(message_mentions("pipc_shm_open: name"));
    expect_intact(name, 2 * page);
  }
}

TEST_F(Shm, OpenRejectsBadOptionsAndTouchesNothing) {
  struct bad_option {
    const char *what;
    void (*apply)(pipc_shm_options &);
    int status;
    const char *message;
  };
  const bad_option cases[] = {
      {"version 0", [](pipc_shm_options &o) { o.version = 0; }, PIPC_EINVAL, "version"},
      {"version 2", [](pipc_shm_options &o) { o.version = 2; }, PIPC_EINVAL, "version"},
      {"flag NONBLOCK", [](pipc_shm_options &o) { o.flags |= PIPC_NONBLOCK; }, PIPC_EINVAL,
       "unknown flags"},
      {"flag 0x100", [](pipc_shm_options &o) { o.flags |= 0x100u; }, PIPC_EINVAL,
       "unknown flags"},
      {"flag 1<<31", [](pipc_shm_options &o) { o.flags |= 0x80000000u; }, PIPC_EINVAL,
       "unknown flags"},
      {"mode 010000", [](pipc_shm_options &o) { o.mode = 010000; }, PIPC_EINVAL, "mode"},
      {"mode ~0", [](pipc_shm_options &o) { o.mode = 0xffffffffu; }, PIPC_EINVAL, "mode"},
      {"access 0", [](pipc_shm_options &o) { o.access = 0; }, PIPC_EINVAL, "access"},
      {"access WRITE", [](pipc_shm_options &o) { o.access = PIPC_WRITE; }, PIPC_EINVAL,
       "access"},
      {"access 7", [](pipc_shm_options &o) { o.access = 7; }, PIPC_EINVAL, "access"},
      {"READ with TRUNC", [](pipc_shm_options &o) { o.access = PIPC_READ; }, PIPC_EINVAL,
       "read-only"},
      {"READ with RESERVE",
       [](pipc_shm_options &o) {
         o.access = PIPC_READ;
         o.flags = PIPC_CREAT | PIPC_SHM_RESERVE;
       },
       PIPC_EINVAL, "cannot reserve"},
      {"size INT64_MAX+1", [](pipc_shm_options &o) { o.size = beyond_int64; }, PIPC_ERANGE,
       "size"},
      {"size UINT64_MAX", [](pipc_shm_options &o) { o.size = UINT64_MAX; }, PIPC_ERANGE,
       "size"},
  };
  // Each call would create, truncate and resize if its options were accepted.
  const std::string missing = unique_name();
  ASSERT_NO_FATAL_FAILURE(put_segment(name, 2 * page));
  for (const bad_option &c : cases) {
    pipc_shm_options opts = options(PIPC_CREAT | PIPC_TRUNC, page);
    c.apply(opts);
    for (const char *target : {missing.c_str(), name.c_str(), static_cast<const char *>(nullptr)}) {
      EXPECT_EQ(open_status(target, &opts), c.status) << c.what;
      EXPECT_EQ(pipc_last_errno(), c.status == PIPC_ERANGE ? ERANGE : EINVAL) << c.what;
      EXPECT_TRUE(message_mentions(c.message)) << c.what;
    }
    EXPECT_FALSE(exists(missing)) << c.what;
    expect_intact(name, 2 * page);
  }
}

TEST_F(Shm, EveryCallRejectsNullAndForeignHandles) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, page));
  ASSERT_TRUE(shm);
  char *addr = map_ok(shm.get());
  ASSERT_NE(addr, nullptr);
  const foreign_handle foreign;
  ASSERT_NE(foreign.sem(), nullptr);
  int fd = -1;
  uint64_t size = 0;
  void *out = nullptr;
  const std::pair<const char *, std::function<int(pipc_shm *)>> calls[] = {
      {"pipc_shm_fd", [&](pipc_shm *h) { return pipc_shm_fd(&fd, h); }},
      {"pipc_shm_close_fd", [&](pipc_shm *h) { return pipc_shm_close_fd(h); }},
      {"pipc_shm_size", [&](pipc_shm *h) { return pipc_shm_size(&size, h); }},
      {"pipc_shm_resize", [&](pipc_shm *h) { return pipc_shm_resize(h, 2 * page); }},
      {"pipc_shm_resize_flags", [&](pipc_shm *h) { return pipc_shm_resize_flags(h, page, 0); }},
      {"pipc_shm_map", [&](pipc_shm *h) { return pipc_shm_map(&out, h, 0, 0, 0); }},
      {"pipc_shm_unmap", [&](pipc_shm *h) { return pipc_shm_unmap(h, addr); }},
      {"pipc_shm_created", [&](pipc_shm *h) { return pipc_shm_created(h); }},
      {"pipc_shm_read_only", [&](pipc_shm *h) { return pipc_shm_read_only(h); }},
      {"pipc_shm_unlink", [&](pipc_shm *h) { return pipc_shm_unlink(h); }},
  };
  pipc_test::expect_rejects_bad_handles(calls, foreign.as_shm(), "semaphore handle");
  EXPECT_EQ(pipc_shm_name(nullptr), nullptr);
  EXPECT_EQ(pipc_shm_name(foreign.as_shm()), nullptr);
  EXPECT_EQ(pipc_shm_close(nullptr), PIPC_OK);
  EXPECT_EQ(pipc_shm_close(foreign.as_shm()), PIPC_EBADHANDLE);
  EXPECT_EQ(out, nullptr);
  // Nothing happened to the real handle, its mapping, or the semaphore.
  expect_intact(name, page, std::string(data.size(), '\0'));
  EXPECT_EQ(perms_at(addr, name), "rw-s");
  EXPECT_EQ(pipc_shm_fd(&fd, shm.get()), PIPC_OK);
  EXPECT_EQ(pipc_sem_created(foreign.sem()), 1);
  EXPECT_EQ(pipc_sem_release(foreign.sem()), PIPC_OK);
}

TEST_F(Shm, NullOutPointersAreRejected) {
  auto shm = open_ok(name.c_str(), options(PIPC_CREX, page));
  ASSERT_TRUE(shm);
  EXPECT_EQ(pipc_shm_fd(nullptr, shm.get()), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("fd_out is NULL"));
  EXPECT_EQ(pipc_shm_size(nullptr, shm.get()), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("size_out is NULL"));
  EXPECT_EQ(pipc_shm_map(nullptr, shm.get(), 0, 0, 0), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("addr_out is NULL"));
  EXPECT_TRUE(regions_of(name).empty());
  EXPECT_EQ(pipc_shm_unmap(shm.get(), nullptr), PIPC_EINVAL);
  // The handle is unharmed.
  EXPECT_EQ(size_of(shm.get()), page);
}

TEST_F(Shm, UnlinkNameRejectsBadNamesAndDestroysNothing) {
  ASSERT_NO_FATAL_FAILURE(put_segment(name, page));
  const std::string bad[] = {"", "/", "/a/b", name.substr(1), "/" + name, name + "/",
                             name + std::string(256, 'x')};
  for (const std::string &bad_name : bad) {
    EXPECT_EQ(pipc_shm_unlink_name(bad_name.c_str()), PIPC_EINVAL) << '"' << bad_name << '"';
    EXPECT_TRUE(message_mentions("pipc_shm_unlink_name"));
  }
  EXPECT_EQ(pipc_shm_unlink_name(nullptr), PIPC_EINVAL);
  expect_intact(name, page);
}

}  // namespace
