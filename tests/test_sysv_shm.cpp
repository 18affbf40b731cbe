// System V shared memory: open / create / exclusive by key, IPC_PRIVATE, random
// keys and ids, sizes and the fill byte, attach (read-only, at an address, round,
// remap, exec) and detach, reads and writes with their range checks, stat and
// owner fields, remove, several processes, attach and detach racing reads and
// writes, and the status of every call for bad input.
//
// What a call did is checked through the OS (shmget, shmctl, shmat,
// /proc/sysvipc/shm, /proc/self/maps), not only through pipc itself.
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "isolated_child.hpp"
#include "support.hpp"
#include "sysv_support.hpp"

namespace {

using pipc_test::as_nobody;
using pipc_test::message_mentions;
using pipc_test::nobody;
using pipc_test::not_null;
using pipc_test::scope_exit;
using pipc_test::signal_pipe;
using pipc_test::spawn;
using pipc_test::unique_key;
using pipc_test::wait_child;

const uint64_t page = static_cast<uint64_t>(pipc_page_size());
const std::string text = "shared by pipc";

// ---- Segments as the OS sees them ---------------------------------------------------

// The id of the segment KEY finds, or -1.
int os_id(int64_t key) { return shmget(static_cast<key_t>(key), 0, 0); }

// The segment's kernel record; false when there is no segment ID.
bool os_stat(int id, shmid_ds *ds) { return shmctl(id, IPC_STAT, ds) == 0; }

uint64_t os_size(int id) {
  shmid_ds ds{};
  return os_stat(id, &ds) ? ds.shm_segsz : 0;
}

uint64_t os_attachments(int id) {
  shmid_ds ds{};
  return os_stat(id, &ds) ? ds.shm_nattch : UINT64_MAX;
}

// LEN bytes at OFFSET, read through an attachment of the test's own.
std::string os_read(int id, uint64_t offset, size_t len) {
  void *addr = shmat(id, nullptr, SHM_RDONLY);
  if (addr == reinterpret_cast<void *>(-1)) return "<shmat failed>";
  std::string out(static_cast<const char *>(addr) + offset, len);
  shmdt(addr);
  return out;
}

void os_write(int id, uint64_t offset, const std::string &data) {
  void *addr = shmat(id, nullptr, 0);
  ASSERT_NE(addr, reinterpret_cast<void *>(-1)) << std::strerror(errno);
  std::memcpy(static_cast<char *>(addr) + offset, data.data(), data.size());
  shmdt(addr);
}

// The rows of /proc/sysvipc/shm: key shmid perms size cpid ...
struct table_row {
  long long key;
  int id;
  long long cpid;
};

std::vector<table_row> sysvipc_table() {
  std::ifstream in("/proc/sysvipc/shm");
  std::string line;
  std::getline(in, line);  // header
  std::vector<table_row> rows;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    table_row row{};
    long long perms = 0, size = 0;
    fields >> row.key >> row.id >> perms >> size >> row.cpid;
    rows.push_back(row);
  }
  return rows;
}

bool listed(int id) {
  const auto rows = sysvipc_table();
  return std::any_of(rows.begin(), rows.end(), [id](const table_row &r) { return r.id == id; });
}

// Segments this process created (what PIPC_IPC_PRIVATE and random keys would leave).
size_t own_segments() {
  const auto rows = sysvipc_table();
  return static_cast<size_t>(std::count_if(rows.begin(), rows.end(),
                                           [](const table_row &r) { return r.cpid == getpid(); }));
}

// The permissions ("rw-s") of this process's mapping that starts at ADDR, or "".
std::string perms_at(const void *addr) {
  std::ifstream in("/proc/self/maps");
  std::string line;
  while (std::getline(in, line)) {
    uintptr_t start = 0, end = 0;
    char perms[5] = "";
    if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR " %4s", &start, &end, perms) == 3 &&
        start == reinterpret_cast<uintptr_t>(addr)) {
      return perms;
    }
  }
  return "";
}

// Makes a segment of SIZE bytes under KEY with the OS's own calls, beginning with
// TEXT: the pipc calls under test then meet a segment they did not make.
int put_segment(int64_t key, uint64_t size, const std::string &data = text) {
  const int id = shmget(static_cast<key_t>(key), size, IPC_CREAT | IPC_EXCL | 0600);
  EXPECT_GE(id, 0) << std::strerror(errno);
  if (id >= 0) os_write(id, 0, data);
  return id;
}

// Removes segment ID when the scope ends.
struct removed_at_exit {
  int id;
  ~removed_at_exit() {
    if (id >= 0) shmctl(id, IPC_RMID, nullptr);
  }
};

// The segment ID still exists with SIZE bytes beginning with DATA.
void expect_intact(int id, uint64_t size, const std::string &data = text) {
  EXPECT_EQ(os_size(id), size) << "id " << id;
  EXPECT_EQ(os_read(id, 0, data.size()), data) << "id " << id;
}

// ---- pipc helpers -------------------------------------------------------------------

pipc_sysv_shm_options options(uint32_t flags, uint64_t size = 0, uint32_t fill = 0,
                              uint32_t mode = PIPC_DEFAULT_MODE) {
  pipc_sysv_shm_options opts = PIPC_SYSV_SHM_OPTIONS_INIT;
  opts.flags = flags;
  opts.size = size;
  opts.fill_byte = fill;
  opts.mode = mode;
  return opts;
}

// A handle to a segment this test made; the segment is removed by id (and the
// handle closed) when the test ends, also when an assertion failed.
struct owned_shm {
  int64_t key = unique_key();
  pipc_sysv_shm *shm = nullptr;
  int id = -1;

  owned_shm() = default;
  owned_shm(const owned_shm &) = delete;
  owned_shm &operator=(const owned_shm &) = delete;
  ~owned_shm() {
    pipc_sysv_shm_close(shm);
    if (id >= 0) shmctl(id, IPC_RMID, nullptr);
  }
  int open(const pipc_sysv_shm_options &opts) {
    const int rc = pipc_sysv_shm_open(&shm, key, &opts);
    if (rc == PIPC_OK) id = pipc_sysv_shm_id(shm);
    return rc;
  }
  int create(uint64_t size = 0, uint32_t fill = 0, uint32_t mode = PIPC_DEFAULT_MODE) {
    return open(options(PIPC_CREX, size, fill, mode));
  }
};

// Another handle, by key (an int64_t) or by id (an int), closed when it goes.
struct handle {
  pipc_sysv_shm *shm = nullptr;
  int rc;

  explicit handle(int64_t key, const pipc_sysv_shm_options &opts = options(0))
      : rc(pipc_sysv_shm_open(&shm, key, &opts)) {}
  explicit handle(int id) : rc(pipc_sysv_shm_open_id(&shm, id)) {}
  handle(const handle &) = delete;
  handle &operator=(const handle &) = delete;
  ~handle() { pipc_sysv_shm_close(shm); }
};

// Attaches SHM, expecting success; returns the address (nullptr on failure).
char *attach_ok(pipc_sysv_shm *shm, void *address = nullptr, uint32_t flags = 0) {
  EXPECT_EQ(pipc_sysv_shm_attach(shm, address, flags), PIPC_OK) << pipc_last_message();
  void *at = nullptr;
  EXPECT_EQ(pipc_sysv_shm_address(&at, shm), PIPC_OK) << pipc_last_message();
  return static_cast<char *>(at);
}

std::string read_ok(pipc_sysv_shm *shm, uint64_t offset, size_t len) {
  std::string out(len, '?');
  EXPECT_EQ(pipc_sysv_shm_read(shm, offset, &out[0], len), PIPC_OK) << pipc_last_message();
  return out;
}

pipc_sysv_shm_stat stat_of(pipc_sysv_shm *shm) {
  pipc_sysv_shm_stat st{};
  EXPECT_EQ(pipc_sysv_shm_stat_get(&st, shm), PIPC_OK) << pipc_last_message();
  return st;
}

const pipc_test::sysv_family<pipc_sysv_shm, pipc_sysv_shm_options> family{
    "pipc_sysv_shm",      pipc_sysv_shm_open,      pipc_sysv_shm_open_id,
    pipc_sysv_shm_remove, pipc_sysv_shm_close,     pipc_sysv_shm_remove_id,
    pipc_sysv_shm_set_perm};

// A (negative) status as a child's exit code.
int exit_code(int status) { return -status; }

// ---- Open ---------------------------------------------------------------------------

TEST(SysvShmOpen, ExclusiveCreateMakesAZeroedSegmentOfTheSizeAskedFor) {
  owned_shm seg;
  ASSERT_EQ(seg.create(10000, 0, 0640), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_shm_created(seg.shm), 1);
  EXPECT_EQ(os_id(seg.key), seg.id);
  int64_t key = 0;
  ASSERT_EQ(pipc_sysv_shm_key(&key, seg.shm), PIPC_OK);
  EXPECT_EQ(key, seg.key);
  uint64_t size = 0;
  ASSERT_EQ(pipc_sysv_shm_size(&size, seg.shm), PIPC_OK);
  EXPECT_EQ(size, 10000u);
  shmid_ds ds{};
  ASSERT_TRUE(os_stat(seg.id, &ds));
  EXPECT_EQ(ds.shm_segsz, 10000u);
  EXPECT_EQ(ds.shm_perm.mode & 0777, 0640u);  // System V applies no umask
  EXPECT_EQ(ds.shm_perm.cuid, geteuid());
  EXPECT_EQ(ds.shm_nattch, 0u);  // a handle is not attached until asked
  EXPECT_EQ(pipc_sysv_shm_attached(seg.shm), 0);
  EXPECT_EQ(os_read(seg.id, 0, 10000), std::string(10000, '\0'));
}

TEST(SysvShmOpen, ANewSegmentIsAPageByDefault) {
  owned_shm seg;
  ASSERT_EQ(seg.create(0), PIPC_OK) << pipc_last_message();
  uint64_t size = 0;
  ASSERT_EQ(pipc_sysv_shm_size(&size, seg.shm), PIPC_OK);
  EXPECT_EQ(size, page);
  EXPECT_EQ(os_size(seg.id), page);
}

TEST(SysvShmOpen, TheFillByteFillsEveryByteOfANewSegmentOnly) {
  owned_shm seg;
  const uint64_t size = 3 * page + 5;
  ASSERT_EQ(seg.create(size, 0xa5), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(os_read(seg.id, 0, size), std::string(size, '\xa5'));
  EXPECT_EQ(os_attachments(seg.id), 0u);  // the filling attachment is gone
  for (uint32_t fill : {255u, 0u}) {  // opening it again fills nothing
    handle again(seg.key, options(PIPC_CREAT, 0, fill));
    ASSERT_EQ(again.rc, PIPC_OK) << pipc_last_message();
    EXPECT_EQ(pipc_sysv_shm_created(again.shm), 0);
  }
  EXPECT_EQ(os_read(seg.id, 0, size), std::string(size, '\xa5'));
}

TEST(SysvShmOpen, ExclusiveCreateOfAnExistingKeyIsEexistAndChangesNothing) {
  const int64_t key = unique_key();
  const removed_at_exit made{put_segment(key, 100)};
  for (uint64_t size : {uint64_t{0}, uint64_t{100}, 2 * page}) {
    handle h(key, options(PIPC_CREX, size, 7));
    EXPECT_EQ(h.rc, PIPC_EEXIST);
    EXPECT_EQ(h.shm, nullptr);
    EXPECT_EQ(pipc_last_errno(), EEXIST);
    EXPECT_TRUE(message_mentions("pipc_sysv_shm_open"));
  }
  EXPECT_EQ(os_id(key), made.id);
  expect_intact(made.id, 100);
}

TEST(SysvShmOpen, CreatOrNoFlagsOpenAnExistingSegmentOfItsOwnSize) {
  const int64_t key = unique_key();
  const removed_at_exit made{put_segment(key, 3000)};
  for (uint32_t flags : {0u, PIPC_CREAT}) {
    for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{3000}}) {
      SCOPED_TRACE(testing::Message() << "flags " << flags << " size " << size);
      handle h(key, options(flags, size));
      ASSERT_EQ(h.rc, PIPC_OK) << pipc_last_message();
      EXPECT_EQ(pipc_sysv_shm_created(h.shm), 0);
      EXPECT_EQ(pipc_sysv_shm_id(h.shm), made.id);
      uint64_t got = 0;
      ASSERT_EQ(pipc_sysv_shm_size(&got, h.shm), PIPC_OK);
      EXPECT_EQ(got, 3000u);  // the segment's, never the size asked for
      attach_ok(h.shm);
      EXPECT_EQ(read_ok(h.shm, 0, text.size()), text);
    }
  }
  expect_intact(made.id, 3000);
}

TEST(SysvShmOpen, CreatMakesTheSegmentWhenTheKeyIsFree) {
  owned_shm seg;
  ASSERT_EQ(seg.open(options(PIPC_CREAT, 2 * page, 1)), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_shm_created(seg.shm), 1);
  EXPECT_EQ(os_size(seg.id), 2 * page);
  EXPECT_EQ(os_read(seg.id, 2 * page - 1, 1), "\x01");
}

TEST(SysvShmOpen, OpeningAMissingKeyIsEnoentAndCreatesNothing) {
  const int64_t key = unique_key();
  for (uint64_t size : {uint64_t{0}, page}) {
    handle h(key, options(0, size));
    EXPECT_EQ(h.rc, PIPC_ENOENT);
    EXPECT_EQ(h.shm, nullptr);
    EXPECT_EQ(pipc_last_errno(), ENOENT);
    EXPECT_TRUE(message_mentions("pipc_sysv_shm_open"));
  }
  pipc_sysv_shm *shm = not_null<pipc_sysv_shm>;
  EXPECT_EQ(pipc_sysv_shm_open(&shm, key, nullptr), PIPC_ENOENT);  // NULL: the defaults
  EXPECT_EQ(shm, nullptr);
  EXPECT_EQ(os_id(key), -1);
}

TEST(SysvShmOpen, AnExistingSmallerSegmentAskedToBeBiggerIsEinvalAndKeepsItsData) {
  const int64_t key = unique_key();
  const removed_at_exit made{put_segment(key, 100)};
  for (uint32_t flags : {0u, PIPC_CREAT}) {
    for (uint64_t size : {uint64_t{101}, page}) {
      SCOPED_TRACE(testing::Message() << "flags " << flags << " size " << size);
      handle h(key, options(flags, size, 9));
      EXPECT_EQ(h.rc, PIPC_EINVAL);
      EXPECT_EQ(h.shm, nullptr);
      EXPECT_TRUE(message_mentions("pipc_sysv_shm_open"));
      EXPECT_TRUE(message_mentions("smaller"));
    }
  }
  EXPECT_EQ(os_id(key), made.id);
  expect_intact(made.id, 100);
}

TEST(SysvShmOpen, PrivateKeyAlwaysCreatesANewSegment) {
  const size_t before = own_segments();
  handle a(PIPC_IPC_PRIVATE, options(0, 100));  // no flags needed
  const removed_at_exit remove_a{pipc_sysv_shm_id(a.shm)};
  handle b(PIPC_IPC_PRIVATE, options(PIPC_CREAT, 100));
  const removed_at_exit remove_b{pipc_sysv_shm_id(b.shm)};
  ASSERT_EQ(a.rc, PIPC_OK);
  ASSERT_EQ(b.rc, PIPC_OK);
  EXPECT_NE(remove_a.id, remove_b.id);
  for (pipc_sysv_shm *shm : {a.shm, b.shm}) {
    EXPECT_EQ(pipc_sysv_shm_created(shm), 1);
    int64_t key = -1;
    ASSERT_EQ(pipc_sysv_shm_key(&key, shm), PIPC_OK);
    EXPECT_EQ(key, PIPC_IPC_PRIVATE);
    EXPECT_EQ(stat_of(shm).perm.key, IPC_PRIVATE);
  }
  EXPECT_EQ(own_segments(), before + 2);
}

TEST(SysvShmOpen, RandomKeyCreatesUnderAFreeKeyThatFindsIt) {
  handle h(PIPC_KEY_RANDOM, options(PIPC_CREAT, 64, 3));
  const removed_at_exit remove{pipc_sysv_shm_id(h.shm)};
  ASSERT_EQ(h.rc, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_shm_created(h.shm), 1);
  int64_t key = 0;
  ASSERT_EQ(pipc_sysv_shm_key(&key, h.shm), PIPC_OK);
  EXPECT_NE(key, PIPC_IPC_PRIVATE);
  EXPECT_GE(key, PIPC_SYSV_KEY_MIN);
  EXPECT_LE(key, PIPC_SYSV_KEY_MAX);
  EXPECT_EQ(os_id(key), remove.id);
  EXPECT_EQ(os_read(remove.id, 0, 64), std::string(64, '\x03'));
}

TEST(SysvShmOpen, OpenByIdFindsTheSegmentWithItsKeyAndSize) {
  owned_shm seg;
  ASSERT_EQ(seg.create(777), PIPC_OK) << pipc_last_message();
  handle by_id(seg.id);
  ASSERT_EQ(by_id.rc, PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_shm_id(by_id.shm), seg.id);
  EXPECT_EQ(pipc_sysv_shm_created(by_id.shm), 0);
  int64_t key = 0;
  ASSERT_EQ(pipc_sysv_shm_key(&key, by_id.shm), PIPC_OK);
  EXPECT_EQ(key, seg.key);
  uint64_t size = 0;
  ASSERT_EQ(pipc_sysv_shm_size(&size, by_id.shm), PIPC_OK);
  EXPECT_EQ(size, 777u);
  attach_ok(seg.shm);
  attach_ok(by_id.shm);
  ASSERT_EQ(pipc_sysv_shm_write(seg.shm, 700, text.data(), text.size()), PIPC_OK);
  EXPECT_EQ(read_ok(by_id.shm, 700, text.size()), text);
}

TEST(SysvShmOpen, OpenByTheIdOfARemovedSegmentIsEnoent) {
  const int id = shmget(IPC_PRIVATE, 100, IPC_CREAT | 0600);
  ASSERT_GE(id, 0);
  ASSERT_EQ(shmctl(id, IPC_RMID, nullptr), 0);
  handle h(id);
  EXPECT_EQ(h.rc, PIPC_ENOENT);
  EXPECT_EQ(h.shm, nullptr);
  EXPECT_TRUE(message_mentions("pipc_sysv_shm_open_id"));
}

TEST(SysvShmOpen, NoreserveMakesAUsableSegment) {
  owned_shm seg;
  ASSERT_EQ(seg.open(options(PIPC_CREX | PIPC_SHM_NORESERVE, 4 * page, 0x5a)), PIPC_OK)
      << pipc_last_message();
  attach_ok(seg.shm);
  EXPECT_EQ(read_ok(seg.shm, 4 * page - 2, 2), "\x5a\x5a");
}

TEST(SysvShmOpen, HugetlbEitherMakesAHugeSegmentOrFailsLeavingNothing) {
  const uint64_t huge = 2 << 20;
  owned_shm seg;
  const int rc = seg.open(options(PIPC_CREX | PIPC_SHM_HUGETLB, huge));
  if (rc == PIPC_OK) {  // the system has a free huge page
    EXPECT_EQ(os_size(seg.id), huge);
  } else {
    EXPECT_TRUE(rc == PIPC_ENOMEM || rc == PIPC_EACCES || rc == PIPC_EINVAL) << rc;
    EXPECT_TRUE(message_mentions("pipc_sysv_shm_open"));
    if (rc == PIPC_ENOMEM) {
      EXPECT_TRUE(message_mentions("/proc/sys/vm/nr_hugepages"));
    }
    EXPECT_EQ(os_id(seg.key), -1);
  }
}

TEST(SysvShmOpen, AFillOfHugePagesTheSystemLacksFailsInsteadOfKillingWithSigbus) {
  // SHM_NORESERVE sets no huge pages aside and a fill byte touches every page: where
  // the system has none to give, the fill died of SIGBUS. Run in a child (in an IPC
  // namespace of its own where allowed) so that a regression is reported, not fatal.
  const auto fill = [] {
    const pipc_sysv_shm_options opts =
        options(PIPC_CREX | PIPC_SHM_HUGETLB | PIPC_SHM_NORESERVE, 2 << 20, ' ');
    pipc_sysv_shm *shm = nullptr;
    const int rc = pipc_sysv_shm_open(&shm, PIPC_IPC_PRIVATE, &opts);
    if (rc == PIPC_OK) {  // the huge pages were there: the segment is filled
      char last = 0;
      const bool filled = pipc_sysv_shm_attach(shm, nullptr, 0) == PIPC_OK &&
                          pipc_sysv_shm_read(shm, (2 << 20) - 1, &last, 1) == PIPC_OK &&
                          last == ' ';
      pipc_sysv_shm_remove(shm);
      pipc_sysv_shm_close(shm);
      if (!filled) return pipc_test::step_failed("the segment is not filled");
    }
    if (own_segments() != 0) return pipc_test::step_failed("a segment was left");
    return rc;
  };
  auto report = pipc_test::run_isolated({}, fill);
  if (!report) report = pipc_test::run_isolated({false, 0}, fill);
  ASSERT_TRUE(report);
  ASSERT_EQ(report->signal, 0) << "the child was killed by signal " << report->signal;
  ASSERT_NE(report->status, pipc_test::step_failure) << report->message;
  if (report->status == PIPC_EACCES || report->status == PIPC_EINVAL) {
    GTEST_SKIP() << "no huge page segments here: " << report->message;
  }
  testing::Test::RecordProperty("message", report->message);
  if (report->status == PIPC_OK) return;
  EXPECT_EQ(report->status, PIPC_ELIMIT) << report->message;
  for (const char *text : {"pipc_sysv_shm_open: ", "huge page", "/proc/sys/vm/nr_hugepages",
                           "HugePages_Free", "the segment is removed"}) {
    EXPECT_TRUE(pipc_test::mentions(report->message, text));
  }
}

TEST(SysvShmOpen, AFillThatCannotAttachRemovesTheNewSegment) {
  // nobody creates a segment with mode 0 that it cannot itself attach to fill.
  const int64_t key = unique_key();
  if (geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  const int code = as_nobody([&] {
    pipc_sysv_shm *shm = nullptr;
    const pipc_sysv_shm_options opts = options(PIPC_CREX, 100, 1, 0);
    const int rc = pipc_sysv_shm_open(&shm, key, &opts);
    pipc_sysv_shm_close(shm);
    return exit_code(rc);
  });
  const removed_at_exit left{os_id(key)};
  EXPECT_EQ(code, exit_code(PIPC_EACCES));
  EXPECT_EQ(left.id, -1);
}

TEST(SysvShmOpen, WithoutReadPermissionOpenIsEacces) {
  owned_shm seg;
  ASSERT_EQ(seg.create(100), PIPC_OK) << pipc_last_message();  // 0600, owned by root
  if (geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  const int code = as_nobody([&] {
    handle by_key(seg.key);
    handle by_id(seg.id);
    return by_key.rc == by_id.rc ? exit_code(by_key.rc) : 99;
  });
  EXPECT_EQ(code, exit_code(PIPC_EACCES));
}

// ---- Attach and detach --------------------------------------------------------------

TEST(SysvShmAttach, AttachMapsTheSegmentAndDetachUnmapsIt) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  char *at = attach_ok(seg.shm);
  ASSERT_NE(at, nullptr);
  EXPECT_EQ(pipc_sysv_shm_attached(seg.shm), 1);
  EXPECT_EQ(pipc_sysv_shm_read_only(seg.shm), 0);
  EXPECT_EQ(perms_at(at), "rw-s");
  EXPECT_EQ(os_attachments(seg.id), 1u);
  std::memcpy(at + 10, text.data(), text.size());  // the address is the segment
  EXPECT_EQ(os_read(seg.id, 10, text.size()), text);
  EXPECT_EQ(read_ok(seg.shm, 10, text.size()), text);
  EXPECT_EQ(pipc_sysv_shm_detach(seg.shm), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_shm_attached(seg.shm), 0);
  EXPECT_EQ(os_attachments(seg.id), 0u);
  EXPECT_EQ(perms_at(at), "");
  EXPECT_EQ(pipc_sysv_shm_detach(seg.shm), PIPC_ENOTATTACHED);
  EXPECT_TRUE(message_mentions("pipc_sysv_shm_detach"));
  EXPECT_EQ(os_read(seg.id, 10, text.size()), text);  // detach keeps the data
}

TEST(SysvShmAttach, AReadOnlyAttachmentReadsButRefusesWrites) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  attach_ok(seg.shm);
  ASSERT_EQ(pipc_sysv_shm_write(seg.shm, 0, text.data(), text.size()), PIPC_OK);
  handle reader(seg.key);
  ASSERT_EQ(reader.rc, PIPC_OK);
  char *at = attach_ok(reader.shm, nullptr, PIPC_SHM_ATTACH_READ_ONLY);
  EXPECT_EQ(pipc_sysv_shm_read_only(reader.shm), 1);
  EXPECT_EQ(perms_at(at), "r--s");
  EXPECT_EQ(read_ok(reader.shm, 0, text.size()), text);
  const std::string other = "overwritten!!!";
  EXPECT_EQ(pipc_sysv_shm_write(reader.shm, 0, other.data(), other.size()), PIPC_EACCES);
  EXPECT_EQ(pipc_last_errno(), EACCES);
  EXPECT_TRUE(message_mentions("pipc_sysv_shm_write"));
  EXPECT_EQ(read_ok(seg.shm, 0, text.size()), text);  // through the read-write attachment
  // Re-attached read-write, the same handle writes.
  attach_ok(reader.shm);
  EXPECT_EQ(pipc_sysv_shm_read_only(reader.shm), 0);
  EXPECT_EQ(pipc_sysv_shm_write(reader.shm, 0, other.data(), other.size()), PIPC_OK);
  EXPECT_EQ(read_ok(seg.shm, 0, other.size()), other);
}

TEST(SysvShmAttach, ADetachedHandleCannotReadWriteOrGiveAnAddress) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  for (int round = 0; round < 2; ++round) {  // never attached, then attached and detached
    SCOPED_TRACE(round == 0 ? "never attached" : "detached");
    char buf[8] = "unread";
    EXPECT_EQ(pipc_sysv_shm_read(seg.shm, 0, buf, sizeof buf), PIPC_ENOTATTACHED);
    EXPECT_TRUE(message_mentions("pipc_sysv_shm_read"));
    EXPECT_STREQ(buf, "unread");
    EXPECT_EQ(pipc_sysv_shm_write(seg.shm, 0, "x", 1), PIPC_ENOTATTACHED);
    EXPECT_TRUE(message_mentions("pipc_sysv_shm_write"));
    // NULL is a buffer of 0 bytes: not the reason to refuse.
    EXPECT_EQ(pipc_sysv_shm_read(seg.shm, 0, nullptr, 0), PIPC_ENOTATTACHED);
    EXPECT_EQ(pipc_sysv_shm_write(seg.shm, 0, nullptr, 0), PIPC_ENOTATTACHED);
    void *address = &buf;
    EXPECT_EQ(pipc_sysv_shm_address(&address, seg.shm), PIPC_ENOTATTACHED);
    EXPECT_TRUE(message_mentions("pipc_sysv_shm_address"));
    EXPECT_EQ(address, &buf);
    EXPECT_EQ(pipc_sysv_shm_detach(seg.shm), PIPC_ENOTATTACHED);
    EXPECT_EQ(pipc_sysv_shm_attached(seg.shm), 0);
    EXPECT_EQ(pipc_sysv_shm_read_only(seg.shm), 0);
    attach_ok(seg.shm, nullptr, PIPC_SHM_ATTACH_READ_ONLY);
    ASSERT_EQ(pipc_sysv_shm_detach(seg.shm), PIPC_OK);
  }
  EXPECT_EQ(os_read(seg.id, 0, 1), std::string(1, '\0'));
}

TEST(SysvShmAttach, AttachesAtAChosenAddressAndRoundsWhenAsked) {
  owned_shm seg;
  ASSERT_EQ(seg.create(2 * page), PIPC_OK) << pipc_last_message();
  char *anywhere = attach_ok(seg.shm);
  ASSERT_NE(anywhere, nullptr);
  ASSERT_EQ(pipc_sysv_shm_write(seg.shm, 0, text.data(), text.size()), PIPC_OK);
  ASSERT_EQ(pipc_sysv_shm_detach(seg.shm), PIPC_OK);
  EXPECT_EQ(attach_ok(seg.shm, anywhere), anywhere);
  EXPECT_EQ(read_ok(seg.shm, 0, text.size()), text);
  ASSERT_EQ(pipc_sysv_shm_detach(seg.shm), PIPC_OK);
  // Not a multiple of SHMLBA: refused, unless rounded down.
  EXPECT_EQ(pipc_sysv_shm_attach(seg.shm, anywhere + 1, 0), PIPC_EINVAL);
  EXPECT_EQ(pipc_last_errno(), EINVAL);
  EXPECT_TRUE(message_mentions("pipc_sysv_shm_attach"));
  EXPECT_TRUE(message_mentions("address"));
  EXPECT_EQ(pipc_sysv_shm_attached(seg.shm), 0);
  EXPECT_EQ(attach_ok(seg.shm, anywhere + 1, PIPC_SHM_ATTACH_ROUND), anywhere);
  EXPECT_EQ(read_ok(seg.shm, 0, text.size()), text);
  EXPECT_EQ(os_attachments(seg.id), 1u);
}

TEST(SysvShmAttach, AttachingAgainReplacesTheAttachment) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  char *first = attach_ok(seg.shm);
  ASSERT_EQ(pipc_sysv_shm_write(seg.shm, 0, text.data(), text.size()), PIPC_OK);
  char *second = attach_ok(seg.shm, nullptr, PIPC_SHM_ATTACH_READ_ONLY);
  EXPECT_NE(second, first);
  EXPECT_EQ(os_attachments(seg.id), 1u);  // the first one is gone
  EXPECT_EQ(perms_at(first), "");
  EXPECT_EQ(perms_at(second), "r--s");
  EXPECT_EQ(pipc_sysv_shm_read_only(seg.shm), 1);
  EXPECT_EQ(read_ok(seg.shm, 0, text.size()), text);
  char *third = attach_ok(seg.shm);
  EXPECT_EQ(os_attachments(seg.id), 1u);
  EXPECT_EQ(pipc_sysv_shm_read_only(seg.shm), 0);
  EXPECT_EQ(perms_at(third), "rw-s");
  EXPECT_EQ(pipc_sysv_shm_write(seg.shm, 1, "X", 1), PIPC_OK);
  EXPECT_EQ(os_read(seg.id, 0, 2), "sX");
}

TEST(SysvShmAttach, AFailedAttachLeavesTheCurrentAttachmentAlone) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  char *at = attach_ok(seg.shm);
  ASSERT_EQ(pipc_sysv_shm_write(seg.shm, 0, text.data(), text.size()), PIPC_OK);
  // An unaligned address, and the address in use without SHM_REMAP.
  for (char *bad : {at + 1, at}) {
    EXPECT_EQ(pipc_sysv_shm_attach(seg.shm, bad, PIPC_SHM_ATTACH_READ_ONLY), PIPC_EINVAL);
    void *address = nullptr;
    ASSERT_EQ(pipc_sysv_shm_address(&address, seg.shm), PIPC_OK);
    EXPECT_EQ(address, at);
    EXPECT_EQ(pipc_sysv_shm_read_only(seg.shm), 0);
    EXPECT_EQ(os_attachments(seg.id), 1u);
    EXPECT_EQ(read_ok(seg.shm, 0, text.size()), text);
  }
  // A failed remap (unaligned) puts the attachment back too.
  EXPECT_EQ(pipc_sysv_shm_attach(seg.shm, at + 1, PIPC_SHM_ATTACH_REMAP), PIPC_EINVAL);
  EXPECT_EQ(pipc_sysv_shm_attached(seg.shm), 1);
  EXPECT_EQ(pipc_sysv_shm_write(seg.shm, 0, "S", 1), PIPC_OK);
  EXPECT_EQ(os_attachments(seg.id), 1u);
}

// Rounded down, an address below SHMLBA is 0: as root the kernel attached the segment
// there, and the handle, taking NULL for "not attached", lost that attachment for good.
TEST(SysvShmAttach, AnAddressThatRoundsDownToNullIsEinval) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  char *at = attach_ok(seg.shm);
  for (uintptr_t low : {uintptr_t{1}, static_cast<uintptr_t>(SHMLBA) - 1}) {
    void *bad = reinterpret_cast<void *>(low);
    for (uint32_t flags :
         {PIPC_SHM_ATTACH_ROUND, PIPC_SHM_ATTACH_ROUND | PIPC_SHM_ATTACH_READ_ONLY}) {
      EXPECT_EQ(pipc_sysv_shm_attach(seg.shm, bad, flags), PIPC_EINVAL) << low;
      EXPECT_TRUE(message_mentions("rounds down to NULL"));
      void *address = nullptr;
      ASSERT_EQ(pipc_sysv_shm_address(&address, seg.shm), PIPC_OK);
      EXPECT_EQ(address, at);
      EXPECT_EQ(os_attachments(seg.id), 1u);
    }
  }
  pipc_sysv_shm_close(seg.shm);
  seg.shm = nullptr;
  EXPECT_EQ(os_attachments(seg.id), 0u);  // nothing of the handle's stays mapped
}

TEST(SysvShmAttach, RemapReplacesTheAttachmentInPlace) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  char *at = attach_ok(seg.shm);
  ASSERT_EQ(pipc_sysv_shm_write(seg.shm, 0, text.data(), text.size()), PIPC_OK);
  EXPECT_EQ(attach_ok(seg.shm, at, PIPC_SHM_ATTACH_REMAP | PIPC_SHM_ATTACH_READ_ONLY), at);
  EXPECT_EQ(perms_at(at), "r--s");
  EXPECT_EQ(pipc_sysv_shm_read_only(seg.shm), 1);
  EXPECT_EQ(os_attachments(seg.id), 1u);
  EXPECT_EQ(read_ok(seg.shm, 0, text.size()), text);
  EXPECT_EQ(pipc_sysv_shm_write(seg.shm, 0, "x", 1), PIPC_EACCES);
  // Over memory of the test's own: refused without PIPC_SHM_ATTACH_REMAP.
  ASSERT_EQ(pipc_sysv_shm_detach(seg.shm), PIPC_OK);
  void *mine = mmap(nullptr, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mine, MAP_FAILED);
  EXPECT_EQ(pipc_sysv_shm_attach(seg.shm, mine, 0), PIPC_EINVAL);
  EXPECT_EQ(perms_at(mine), "r--p");
  EXPECT_EQ(attach_ok(seg.shm, mine, PIPC_SHM_ATTACH_REMAP), mine);  // detached at the end
  EXPECT_EQ(perms_at(mine), "rw-s");
  EXPECT_EQ(read_ok(seg.shm, 0, text.size()), text);
  EXPECT_EQ(os_attachments(seg.id), 1u);
}

TEST(SysvShmAttach, ExecMakesAnExecutableAttachment) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  char *at = attach_ok(seg.shm, nullptr, PIPC_SHM_ATTACH_EXEC);
  EXPECT_EQ(perms_at(at), "rwxs");
  at = attach_ok(seg.shm, nullptr, PIPC_SHM_ATTACH_EXEC | PIPC_SHM_ATTACH_READ_ONLY);
  EXPECT_EQ(perms_at(at), "r-xs");
}

TEST(SysvShmAttach, BadFlagsAreEinvalAndLeaveTheHandleAsItWas) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  for (uint32_t flags : {0x10u, 0x100u, 0x80000000u, UINT32_MAX}) {
    EXPECT_EQ(pipc_sysv_shm_attach(seg.shm, nullptr, flags), PIPC_EINVAL) << flags;
    EXPECT_TRUE(message_mentions("unknown flags"));
  }
  EXPECT_EQ(pipc_sysv_shm_attach(seg.shm, nullptr, PIPC_SHM_ATTACH_REMAP), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("needs an address"));
  EXPECT_EQ(pipc_sysv_shm_attached(seg.shm), 0);
  EXPECT_EQ(os_attachments(seg.id), 0u);
  char *at = attach_ok(seg.shm);
  EXPECT_EQ(pipc_sysv_shm_attach(seg.shm, nullptr, 0x40u), PIPC_EINVAL);
  void *address = nullptr;
  ASSERT_EQ(pipc_sysv_shm_address(&address, seg.shm), PIPC_OK);
  EXPECT_EQ(address, at);
  EXPECT_EQ(os_attachments(seg.id), 1u);
}

TEST(SysvShmAttach, AttachingAGoneSegmentIsEnoent) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(shmctl(seg.id, IPC_RMID, nullptr), 0);  // no attachment: destroyed now
  EXPECT_EQ(pipc_sysv_shm_attach(seg.shm, nullptr, 0), PIPC_ENOENT);
  EXPECT_TRUE(message_mentions("pipc_sysv_shm_attach"));
  EXPECT_EQ(pipc_sysv_shm_attached(seg.shm), 0);
}

TEST(SysvShmAttach, PermissionsDecideWhichAttachmentsAreAllowed) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page, 0, 0644), PIPC_OK) << pipc_last_message();
  if (geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  const int code = as_nobody([&] {
    handle h(seg.id);
    if (h.rc != PIPC_OK) return 90;
    const int rw = pipc_sysv_shm_attach(h.shm, nullptr, 0);
    if (pipc_sysv_shm_attached(h.shm) != 0) return 91;
    if (pipc_sysv_shm_attach(h.shm, nullptr, PIPC_SHM_ATTACH_READ_ONLY) != PIPC_OK) return 92;
    return exit_code(rw);
  });
  EXPECT_EQ(code, exit_code(PIPC_EACCES));
}

// ---- Reads and writes ---------------------------------------------------------------

TEST(SysvShmAccess, RangesMustLieWithinTheSegment) {
  owned_shm seg;
  const uint64_t size = 1000;
  ASSERT_EQ(seg.create(size, 'a'), PIPC_OK) << pipc_last_message();
  attach_ok(seg.shm);
  char buf[16] = {};
  // Inside, up to the very end, and empty ranges at the end.
  EXPECT_EQ(pipc_sysv_shm_write(seg.shm, size - 1, "z", 1), PIPC_OK);
  EXPECT_EQ(read_ok(seg.shm, size - 2, 2), "az");
  EXPECT_EQ(pipc_sysv_shm_read(seg.shm, size, buf, 0), PIPC_OK);
  EXPECT_EQ(pipc_sysv_shm_write(seg.shm, size, buf, 0), PIPC_OK);
  EXPECT_EQ(pipc_sysv_shm_read(seg.shm, size, nullptr, 0), PIPC_OK);
  EXPECT_EQ(pipc_sysv_shm_write(seg.shm, 0, nullptr, 0), PIPC_OK);
  const std::pair<uint64_t, size_t> outside[] = {
      {size, 1},           {size - 1, 2},      {size + 1, 0},       {0, size + 1},
      {UINT64_MAX, 0},     {UINT64_MAX, 2},    {UINT64_MAX - 5, 16}, {1, SIZE_MAX},
      {size - 1, SIZE_MAX},
  };
  std::string before = os_read(seg.id, 0, size);
  for (const auto &[offset, len] : outside) {
    SCOPED_TRACE(testing::Message() << "offset " << offset << " len " << len);
    EXPECT_EQ(pipc_sysv_shm_read(seg.shm, offset, buf, len), PIPC_ERANGE);
    EXPECT_TRUE(message_mentions("pipc_sysv_shm_read"));
    EXPECT_EQ(pipc_sysv_shm_write(seg.shm, offset, buf, len), PIPC_ERANGE);
    EXPECT_EQ(pipc_last_errno(), ERANGE);
    EXPECT_TRUE(message_mentions("pipc_sysv_shm_write"));
  }
  EXPECT_EQ(os_read(seg.id, 0, size), before);
  // Checked before the attachment: the same on a detached handle.
  ASSERT_EQ(pipc_sysv_shm_detach(seg.shm), PIPC_OK);
  EXPECT_EQ(pipc_sysv_shm_read(seg.shm, size, buf, 1), PIPC_ERANGE);
}

TEST(SysvShmAccess, ABufferIsNeededForAnyBytes) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page, 'q'), PIPC_OK) << pipc_last_message();
  attach_ok(seg.shm);
  EXPECT_EQ(pipc_sysv_shm_read(seg.shm, 0, nullptr, 1), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("buf is NULL"));
  EXPECT_EQ(pipc_sysv_shm_write(seg.shm, 0, nullptr, 1), PIPC_EINVAL);
  EXPECT_TRUE(message_mentions("data is NULL"));
  EXPECT_EQ(os_read(seg.id, 0, 1), "q");
}

TEST(SysvShmAccess, WritesAtOffsetsLandThereAndNowhereElse) {
  owned_shm seg;
  ASSERT_EQ(seg.create(3 * page), PIPC_OK) << pipc_last_message();
  attach_ok(seg.shm);
  for (uint64_t offset : {uint64_t{0}, page - 3, 2 * page, 3 * page - text.size()}) {
    ASSERT_EQ(pipc_sysv_shm_write(seg.shm, offset, text.data(), text.size()), PIPC_OK);
    EXPECT_EQ(os_read(seg.id, offset, text.size()), text);
  }
  EXPECT_EQ(os_read(seg.id, text.size(), 10), std::string(10, '\0'));
  os_write(seg.id, 100, "from the OS");
  EXPECT_EQ(read_ok(seg.shm, 100, 11), "from the OS");
}

// ---- Stat and owner fields ----------------------------------------------------------

TEST(SysvShmStat, ReportsTheKernelsFields) {
  owned_shm seg;
  const time_t start = time(nullptr);
  ASSERT_EQ(seg.create(5000, 0, 0640), PIPC_OK) << pipc_last_message();
  pipc_sysv_shm_stat st = stat_of(seg.shm);
  EXPECT_EQ(st.perm.key, seg.key);
  EXPECT_EQ(st.perm.uid, geteuid());
  EXPECT_EQ(st.perm.gid, getegid());
  EXPECT_EQ(st.perm.cuid, geteuid());
  EXPECT_EQ(st.perm.cgid, getegid());
  EXPECT_EQ(st.perm.mode, 0640u);
  EXPECT_EQ(st.size, 5000u);
  EXPECT_EQ(st.attach_count, 0u);
  EXPECT_EQ(st.atime, 0);
  EXPECT_EQ(st.dtime, 0);
  EXPECT_GE(st.ctime, start);
  EXPECT_EQ(st.creator_pid, getpid());
  attach_ok(seg.shm);
  st = stat_of(seg.shm);
  EXPECT_EQ(st.attach_count, 1u);
  EXPECT_GE(st.atime, start);
  EXPECT_EQ(st.dtime, 0);
  EXPECT_EQ(st.last_pid, getpid());
  ASSERT_EQ(pipc_sysv_shm_detach(seg.shm), PIPC_OK);
  st = stat_of(seg.shm);
  EXPECT_EQ(st.attach_count, 0u);
  EXPECT_GE(st.dtime, start);
  EXPECT_LE(st.dtime, time(nullptr));
}

TEST(SysvShmStat, CountsTheAttachmentsOfEveryHandleAndProcess) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  handle second(seg.id);
  ASSERT_EQ(second.rc, PIPC_OK);
  attach_ok(seg.shm);
  attach_ok(second.shm, nullptr, PIPC_SHM_ATTACH_READ_ONLY);
  EXPECT_EQ(stat_of(seg.shm).attach_count, 2u);
  ASSERT_EQ(pipc_sysv_shm_detach(seg.shm), PIPC_OK);
  ASSERT_EQ(pipc_sysv_shm_detach(second.shm), PIPC_OK);
  // A child attaches (and inherits nothing: this process is detached).
  signal_pipe attached, done;
  const int id = seg.id;
  const pid_t child = spawn([&] {
    handle h(id);
    if (h.rc != PIPC_OK || pipc_sysv_shm_attach(h.shm, nullptr, 0) != PIPC_OK) return 1;
    attached.post();
    return done.wait() ? 0 : 2;
  });
  ASSERT_TRUE(attached.wait());
  const pipc_sysv_shm_stat st = stat_of(seg.shm);
  done.post();
  EXPECT_EQ(st.attach_count, 1u);
  EXPECT_EQ(st.last_pid, child);
  EXPECT_EQ(st.creator_pid, getpid());
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(stat_of(seg.shm).attach_count, 0u);  // its exit detached it
}

TEST(SysvShmStat, SetPermChangesTheOwnerFieldsGiven) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_shm_set_perm(seg.shm, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0604), PIPC_OK)
      << pipc_last_message();
  shmid_ds ds{};
  ASSERT_TRUE(os_stat(seg.id, &ds));
  EXPECT_EQ(ds.shm_perm.mode & 0777, 0604u);
  EXPECT_EQ(ds.shm_perm.uid, geteuid());
  EXPECT_EQ(stat_of(seg.shm).perm.mode, 0604u);
  if (geteuid() != 0) return;  // giving the segment away needs root
  EXPECT_EQ(pipc_sysv_shm_set_perm(seg.shm, nobody, nobody, PIPC_SYSV_KEEP), PIPC_OK)
      << pipc_last_message();
  const pipc_sysv_shm_stat st = stat_of(seg.shm);
  EXPECT_EQ(st.perm.uid, nobody);
  EXPECT_EQ(st.perm.gid, nobody);
  EXPECT_EQ(st.perm.cuid, 0u);
  EXPECT_EQ(st.perm.mode, 0604u);
}

TEST(SysvShmStat, SetPermByAnotherUserIsEaccesAndChangesNothing) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page, 0, 0644), PIPC_OK) << pipc_last_message();
  if (geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  const int code = as_nobody([&] {
    handle h(seg.id);
    if (h.rc != PIPC_OK) return 90;
    return exit_code(pipc_sysv_shm_set_perm(h.shm, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0666));
  });
  EXPECT_EQ(code, exit_code(PIPC_EACCES));
  EXPECT_EQ(stat_of(seg.shm).perm.mode, 0644u);
}

TEST(SysvShmStat, SetPermRejectsValuesOutOfRange) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page, 0, 0640), PIPC_OK) << pipc_last_message();
  pipc_test::expect_set_perm_refuses_bad_values(family, seg.shm);
  const pipc_sysv_shm_stat st = stat_of(seg.shm);
  EXPECT_EQ(st.perm.mode, 0640u);
  EXPECT_EQ(st.perm.uid, geteuid());
  EXPECT_EQ(st.perm.gid, getegid());
}

// ---- Remove -------------------------------------------------------------------------

TEST(SysvShmRemove, AnAttachedSegmentLivesOnUntilItsLastDetach) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  attach_ok(seg.shm);
  handle other(seg.key);
  ASSERT_EQ(other.rc, PIPC_OK);
  ASSERT_EQ(pipc_sysv_shm_write(seg.shm, 0, text.data(), text.size()), PIPC_OK);
  ASSERT_EQ(pipc_sysv_shm_remove(seg.shm), PIPC_OK) << pipc_last_message();
  // Still usable through the attachment, but no key finds it.
  EXPECT_EQ(read_ok(seg.shm, 0, text.size()), text);
  EXPECT_EQ(pipc_sysv_shm_write(seg.shm, 1, "H", 1), PIPC_OK);
  EXPECT_EQ(read_ok(seg.shm, 0, 2), "sH");
  EXPECT_EQ(stat_of(seg.shm).perm.key, PIPC_IPC_PRIVATE);
  EXPECT_EQ(os_id(seg.key), -1);
  handle late(seg.key);
  EXPECT_EQ(late.rc, PIPC_ENOENT);
  // Linux lets another handle of this process attach to it until it is gone.
  attach_ok(other.shm, nullptr, PIPC_SHM_ATTACH_READ_ONLY);
  EXPECT_EQ(read_ok(other.shm, 0, 2), "sH");
  ASSERT_EQ(pipc_sysv_shm_detach(other.shm), PIPC_OK);
  EXPECT_TRUE(listed(seg.id));
  ASSERT_EQ(pipc_sysv_shm_detach(seg.shm), PIPC_OK);
  EXPECT_FALSE(listed(seg.id));
  EXPECT_EQ(pipc_sysv_shm_remove(seg.shm), PIPC_ENOENT);
  EXPECT_TRUE(message_mentions("pipc_sysv_shm_remove"));
  pipc_sysv_shm_stat st{};
  EXPECT_EQ(pipc_sysv_shm_stat_get(&st, seg.shm), PIPC_ENOENT);
  EXPECT_TRUE(message_mentions("pipc_sysv_shm_stat_get"));
  EXPECT_EQ(pipc_sysv_shm_set_perm(seg.shm, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0600), PIPC_ENOENT);
  EXPECT_TRUE(message_mentions("pipc_sysv_shm_set_perm"));
}

TEST(SysvShmRemove, RemoveByIdRemovesThatSegmentOnly) {
  owned_shm a, b;
  ASSERT_EQ(a.create(page), PIPC_OK) << pipc_last_message();
  ASSERT_EQ(b.create(page), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_sysv_shm_remove_id(a.id), PIPC_OK) << pipc_last_message();
  EXPECT_FALSE(listed(a.id));
  EXPECT_TRUE(listed(b.id));
  EXPECT_EQ(pipc_sysv_shm_remove_id(a.id), PIPC_ENOENT);
  EXPECT_TRUE(message_mentions("pipc_sysv_shm_remove_id"));
  EXPECT_EQ(os_id(b.key), b.id);
}

TEST(SysvShmClose, CloseDetachesButNeverRemoves) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  pipc_sysv_shm *h = nullptr;
  ASSERT_EQ(pipc_sysv_shm_open_id(&h, seg.id), PIPC_OK);
  char *at = attach_ok(h);
  ASSERT_EQ(pipc_sysv_shm_write(h, 0, text.data(), text.size()), PIPC_OK);
  EXPECT_EQ(os_attachments(seg.id), 1u);
  EXPECT_EQ(pipc_sysv_shm_close(h), PIPC_OK);
  EXPECT_EQ(os_attachments(seg.id), 0u);
  EXPECT_EQ(perms_at(at), "");
  EXPECT_EQ(os_id(seg.key), seg.id);
  expect_intact(seg.id, page);
  EXPECT_EQ(pipc_sysv_shm_close(nullptr), PIPC_OK);
}

// ---- Processes and threads ----------------------------------------------------------

TEST(SysvShmProcesses, WhatOneProcessWritesAnotherReads) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  attach_ok(seg.shm);
  ASSERT_EQ(pipc_sysv_shm_write(seg.shm, 100, text.data(), text.size()), PIPC_OK);
  const int64_t key = seg.key;
  const pid_t child = spawn([key] {
    pipc_sysv_shm *h = nullptr;
    if (pipc_sysv_shm_open(&h, key, nullptr) != PIPC_OK) return 1;
    if (pipc_sysv_shm_attach(h, nullptr, 0) != PIPC_OK) return 2;
    std::string got(text.size(), '\0');
    if (pipc_sysv_shm_read(h, 100, &got[0], got.size()) != PIPC_OK || got != text) return 3;
    if (pipc_sysv_shm_write(h, 200, "reply", 5) != PIPC_OK) return 4;
    return pipc_sysv_shm_close(h) == PIPC_OK ? 0 : 5;
  });
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(read_ok(seg.shm, 200, 5), "reply");
  EXPECT_EQ(stat_of(seg.shm).last_pid, child);
}

TEST(SysvShmProcesses, AForkedChildUsesTheInheritedAttachment) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page), PIPC_OK) << pipc_last_message();
  attach_ok(seg.shm);
  pipc_sysv_shm *h = seg.shm;
  const pid_t child = spawn([h] {
    if (pipc_sysv_shm_write(h, 0, "child", 5) != PIPC_OK) return 1;
    return pipc_sysv_shm_detach(h) == PIPC_OK ? 0 : 2;
  });
  EXPECT_EQ(wait_child(child), 0);
  EXPECT_EQ(read_ok(seg.shm, 0, 5), "child");
  EXPECT_EQ(os_attachments(seg.id), 1u);  // the child's detach was its own
}

// One thread writes and reads in a loop while another detaches and attaches
// (read-write, read-only, replacing): no call crashes, each returns a status the
// attachment state allows, and every read sees the last successful write.
TEST(SysvShmThreads, ReadsAndWritesRacingAttachAndDetachStayConsistent) {
  owned_shm seg;
  // Long copies widen the window in which a detach could pull the memory away.
  constexpr size_t span = 64 * 1024;
  ASSERT_EQ(seg.create(span + page), PIPC_OK) << pipc_last_message();
  attach_ok(seg.shm);
  pipc_sysv_shm *h = seg.shm;
  std::atomic<bool> stop{false};
  std::atomic<long> reads_ok{0}, unexpected{0}, inconsistent{0};
  std::thread worker([&] {
    std::vector<unsigned char> out(span), in(span);
    unsigned char last = 0;
    for (unsigned i = 1; !stop.load(std::memory_order_relaxed); ++i) {
      std::fill(out.begin(), out.end(), static_cast<unsigned char>(i));
      const int w = pipc_sysv_shm_write(h, 1000, out.data(), span);
      if (w == PIPC_OK) {
        last = out[0];
      } else if (w != PIPC_ENOTATTACHED && w != PIPC_EACCES) {
        ++unexpected;
      }
      const int r = pipc_sysv_shm_read(h, 1000, in.data(), span);
      if (r == PIPC_OK) {
        if (std::count(in.begin(), in.end(), last) != static_cast<long>(span)) ++inconsistent;
        ++reads_ok;
      } else if (r != PIPC_ENOTATTACHED) {
        ++unexpected;
      }
    }
  });
  const scope_exit join([&] {
    stop = true;
    worker.join();
  });
  auto reads_after = [&](long count) {  // waits (bounded) for the worker to read again
    const int64_t give_up = pipc_test::now_ns() + 10000 * pipc_test::ms;
    while (reads_ok.load() <= count && pipc_test::now_ns() < give_up) std::this_thread::yield();
    return reads_ok.load() > count;
  };
  ASSERT_TRUE(reads_after(0));
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(pipc_sysv_shm_detach(h), PIPC_OK) << pipc_last_message();
    ASSERT_EQ(os_attachments(seg.id), 0u);  // (also gives the worker time to run unattached)
    ASSERT_EQ(pipc_sysv_shm_attach(h, nullptr, i % 3 == 0 ? PIPC_SHM_ATTACH_READ_ONLY : 0),
              PIPC_OK);
    ASSERT_EQ(pipc_sysv_shm_attach(h, nullptr, i % 2 == 0 ? PIPC_SHM_ATTACH_READ_ONLY : 0),
              PIPC_OK);
  }
  attach_ok(h);
  EXPECT_TRUE(reads_after(reads_ok.load()));
  stop = true;
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_EQ(os_attachments(seg.id), 1u);
}

// ---- Bad input ----------------------------------------------------------------------

TEST(SysvShmBadInput, NullAndForeignHandlesAreRejectedByEveryFunction) {
  pipc_mq *queue = nullptr;
  ASSERT_EQ(pipc_mq_open(&queue, nullptr, nullptr), PIPC_OK) << pipc_last_message();
  const scope_exit cleanup([&] {
    pipc_mq_unlink(queue);
    pipc_mq_close(queue);
  });
  char buf[4] = {};
  const std::pair<const char *, std::function<int(pipc_sysv_shm *)>> calls[] = {
      {"pipc_sysv_shm_attach", [](pipc_sysv_shm *h) { return pipc_sysv_shm_attach(h, nullptr, 0); }},
      {"pipc_sysv_shm_detach", pipc_sysv_shm_detach},
      {"pipc_sysv_shm_attached", pipc_sysv_shm_attached},
      {"pipc_sysv_shm_read_only", pipc_sysv_shm_read_only},
      {"pipc_sysv_shm_address", [](pipc_sysv_shm *h) { void *a; return pipc_sysv_shm_address(&a, h); }},
      {"pipc_sysv_shm_read", [&](pipc_sysv_shm *h) { return pipc_sysv_shm_read(h, 0, buf, 1); }},
      {"pipc_sysv_shm_write", [&](pipc_sysv_shm *h) { return pipc_sysv_shm_write(h, 0, buf, 1); }},
      {"pipc_sysv_shm_size", [](pipc_sysv_shm *h) { uint64_t s; return pipc_sysv_shm_size(&s, h); }},
      {"pipc_sysv_shm_stat_get",
       [](pipc_sysv_shm *h) { pipc_sysv_shm_stat st; return pipc_sysv_shm_stat_get(&st, h); }},
      {"pipc_sysv_shm_set_perm",
       [](pipc_sysv_shm *h) { return pipc_sysv_shm_set_perm(h, PIPC_SYSV_KEEP, PIPC_SYSV_KEEP, 0600); }},
      {"pipc_sysv_shm_id", pipc_sysv_shm_id},
      {"pipc_sysv_shm_key", [](pipc_sysv_shm *h) { int64_t k; return pipc_sysv_shm_key(&k, h); }},
      {"pipc_sysv_shm_created", pipc_sysv_shm_created},
      {"pipc_sysv_shm_remove", pipc_sysv_shm_remove},
  };
  pipc_test::expect_rejects_bad_handles(calls, reinterpret_cast<pipc_sysv_shm *>(queue),
                                        "message queue handle");
  EXPECT_EQ(pipc_sysv_shm_close(nullptr), PIPC_OK);
  EXPECT_EQ(pipc_sysv_shm_close(reinterpret_cast<pipc_sysv_shm *>(queue)), PIPC_EBADHANDLE);
  // The queue was neither closed nor unlinked by the shared memory calls.
  EXPECT_EQ(pipc_mq_send(queue, "x", 1, 0, 0), PIPC_OK) << pipc_last_message();
  EXPECT_EQ(pipc_mq_unlink(queue), PIPC_OK) << pipc_last_message();
}

TEST(SysvShmBadInput, NullOutPointersAreEinvalAndChangeNothing) {
  owned_shm seg;
  ASSERT_EQ(seg.create(page, 'n'), PIPC_OK) << pipc_last_message();
  attach_ok(seg.shm);
  const std::pair<const char *, std::function<int()>> calls[] = {
      {"size_out is NULL", [&] { return pipc_sysv_shm_size(nullptr, seg.shm); }},
      {"out is NULL", [&] { return pipc_sysv_shm_stat_get(nullptr, seg.shm); }},
      {"key_out is NULL", [&] { return pipc_sysv_shm_key(nullptr, seg.shm); }},
      {"address_out is NULL", [&] { return pipc_sysv_shm_address(nullptr, seg.shm); }},
      {"out is NULL", [&] { return pipc_sysv_shm_open(nullptr, seg.key, nullptr); }},
      {"out is NULL", [&] { return pipc_sysv_shm_open_id(nullptr, seg.id); }},
  };
  pipc_test::expect_each_fails(calls, PIPC_EINVAL, EINVAL);
  EXPECT_EQ(pipc_sysv_shm_attached(seg.shm), 1);
  expect_intact(seg.id, page, "n");
}

TEST(SysvShmBadInput, OpenRejectsBadOptionsAndKeysAndCreatesNothing) {
  const int64_t key = unique_key();
  const size_t own_before = own_segments();
  const pipc_sysv_shm_options crex = options(PIPC_CREX, page);
  auto cases = pipc_test::options_no_family_takes(crex);
  cases.insert(cases.end(), {
      {"fill 256", pipc_test::spoiled(crex, [](auto &o) { o.fill_byte = 256; }), PIPC_ERANGE},
      {"a semaphore flag",
       pipc_test::spoiled(crex, [](auto &o) { o.flags |= PIPC_SYSV_SEM_SETVAL; }), PIPC_EINVAL},
      {"fill ~0", pipc_test::spoiled(crex, [](auto &o) { o.fill_byte = UINT32_MAX; }), PIPC_ERANGE},
      {"size ~0", pipc_test::spoiled(crex, [](auto &o) { o.size = UINT64_MAX; }), PIPC_ERANGE},
  });
  std::ifstream shmmax_file("/proc/sys/kernel/shmmax");
  unsigned long long shmmax = 0;
  if (shmmax_file >> shmmax && shmmax < UINT64_MAX) {
    cases.push_back({"size shmmax + 1",
                     pipc_test::spoiled(crex, [&](auto &o) { o.size = shmmax + 1; }), PIPC_ERANGE});
  }
  pipc_test::expect_open_refuses(family, key, cases);
  pipc_test::expect_open_refuses_bad_keys(family, crex);
  EXPECT_EQ(os_id(key), -1);
  EXPECT_EQ(own_segments(), own_before);
}

TEST(SysvShmBadInput, BadOptionsLeaveAnExistingSegmentAlone) {
  const int64_t key = unique_key();
  const removed_at_exit made{put_segment(key, 100)};
  for (pipc_sysv_shm_options opts :
       {options(PIPC_CREAT, 0, 300), options(PIPC_CREAT, UINT64_MAX), options(0, 0, 0, 01600),
        options(PIPC_CREAT | 0x100u)}) {
    pipc_sysv_shm *shm = not_null<pipc_sysv_shm>;
    EXPECT_NE(pipc_sysv_shm_open(&shm, key, &opts), PIPC_OK);
    EXPECT_EQ(shm, nullptr);
  }
  EXPECT_EQ(os_id(key), made.id);
  expect_intact(made.id, 100);
}

TEST(SysvShmBadInput, BadIdsNeitherOpenNorRemove) {
  owned_shm seg;
  ASSERT_EQ(seg.create(100, 'i'), PIPC_OK) << pipc_last_message();
  pipc_test::expect_bad_ids_refused(family, seg.id);
  // An id no segment has: a removed one.
  const int unused = shmget(IPC_PRIVATE, 100, IPC_CREAT | 0600);
  ASSERT_GE(unused, 0);
  ASSERT_EQ(shmctl(unused, IPC_RMID, nullptr), 0);
  pipc_sysv_shm *shm = not_null<pipc_sysv_shm>;
  EXPECT_EQ(pipc_sysv_shm_open_id(&shm, unused), PIPC_ENOENT);
  EXPECT_EQ(shm, nullptr);
  EXPECT_EQ(pipc_sysv_shm_remove_id(unused), PIPC_ENOENT);
  expect_intact(seg.id, 100, "i");
}

TEST(SysvShmOptions, InitGivesTheDefaults) {
  pipc_sysv_shm_options opts;
  std::memset(&opts, 0xff, sizeof opts);
  pipc_sysv_shm_options_init(&opts);
  EXPECT_EQ(opts.version, PIPC_SYSV_OPTIONS_VERSION);
  EXPECT_EQ(opts.flags, 0u);
  EXPECT_EQ(opts.mode, PIPC_DEFAULT_MODE);
  EXPECT_EQ(opts.fill_byte, 0u);
  EXPECT_EQ(opts.size, 0u);
  pipc_sysv_shm_options_init(nullptr);  // no crash
  // NULL options are these: a private segment of a page, mode 0600.
  pipc_sysv_shm *shm = nullptr;
  ASSERT_EQ(pipc_sysv_shm_open(&shm, PIPC_IPC_PRIVATE, nullptr), PIPC_OK);
  const scope_exit close([&] {
    shmctl(pipc_sysv_shm_id(shm), IPC_RMID, nullptr);
    pipc_sysv_shm_close(shm);
  });
  const pipc_sysv_shm_stat st = stat_of(shm);
  EXPECT_EQ(st.size, page);
  EXPECT_EQ(st.perm.mode, PIPC_DEFAULT_MODE);
}

}  // namespace
