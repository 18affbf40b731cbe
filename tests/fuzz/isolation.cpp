#include "isolation.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "check.hpp"

namespace fuzz {
namespace {

constexpr long tmpfs_magic = 0x01021994;
constexpr long mqueue_magic = 0x19800202;

// The two directories, opened once (when isolated) and read again for each count.
DIR *shm_dir = nullptr;
DIR *mqueue_dir = nullptr;

long entries(DIR *d) {
  rewinddir(d);
  long n = 0;
  while (const dirent *e = readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) ++n;
  }
  return n;
}

struct census {
  long shm_files = 0;  // POSIX shared memory and semaphores
  long queues = 0;     // POSIX message queues
  long sysv_sems = 0, sysv_segments = 0, sysv_queues = 0, sysv_messages = 0;

  bool operator==(const census &o) const {
    return shm_files == o.shm_files && queues == o.queues && sysv_sems == o.sysv_sems &&
           sysv_segments == o.sysv_segments && sysv_queues == o.sysv_queues &&
           sysv_messages == o.sysv_messages;
  }
};

// The kernel's counts of the namespace's System V objects (the _INFO commands).
void count_sysv(census &c) {
  seminfo si{};
  union {  // semctl's union semun, which the caller must declare
    int val;
    seminfo *info;
  } arg{};
  arg.info = &si;
  shm_info shi{};
  msginfo mi{};
  if (semctl(0, 0, SEM_INFO, arg) < 0 ||
      shmctl(0, SHM_INFO, reinterpret_cast<shmid_ds *>(&shi)) < 0 ||
      msgctl(0, MSG_INFO, reinterpret_cast<msqid_ds *>(&mi)) < 0) {
    violation("the System V _INFO commands failed");
  }
  c.sysv_sems = si.semusz;
  c.sysv_segments = shi.used_ids;
  c.sysv_queues = mi.msgpool;
  c.sysv_messages = mi.msgmap;
}

census take() {
  census c;
  c.shm_files = entries(shm_dir);
  c.queues = entries(mqueue_dir);
  count_sysv(c);
  return c;
}

void describe(const char *label, const census &c) {
  std::fprintf(stderr,
               "%s: /dev/shm %ld, /dev/mqueue %ld, System V semaphores %ld, segments %ld, "
               "queues %ld (messages %ld)\n",
               label, c.shm_files, c.queues, c.sysv_sems, c.sysv_segments, c.sysv_queues,
               c.sysv_messages);
}

// A leaked descriptor takes the lowest free number, so this one moves.
int lowest_free_fd() {
  const int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) violation("cannot duplicate stderr");
  close(fd);
  return fd;
}

// What each open descriptor is, for the report of one left behind.
void list_descriptors() {
  DIR *d = opendir("/proc/self/fd");
  if (d == nullptr) return;
  while (const dirent *e = readdir(d)) {
    char path[64], target[256];
    std::snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
    const ssize_t n = readlink(path, target, sizeof target - 1);
    if (n > 0) std::fprintf(stderr, "  fd %s -> %.*s\n", e->d_name, static_cast<int>(n), target);
  }
  closedir(d);
}

bool check_namespace() {
  const char *flag = std::getenv("PIPC_FUZZ_ISOLATED");
  if (flag == nullptr || std::strcmp(flag, "1") != 0) return false;
  struct statfs shm = {}, mq = {};
  if (statfs("/dev/shm", &shm) != 0 || shm.f_type != tmpfs_magic ||
      statfs("/dev/mqueue", &mq) != 0 || mq.f_type != mqueue_magic) {
    violation("PIPC_FUZZ_ISOLATED=1 without tmpfs on /dev/shm and mqueue on /dev/mqueue");
  }
  shm_dir = opendir("/dev/shm");
  mqueue_dir = opendir("/dev/mqueue");
  if (shm_dir == nullptr || mqueue_dir == nullptr) violation("cannot list /dev/shm, /dev/mqueue");
  const census c = take();
  if (c.shm_files != 0 || c.queues != 0 || c.sysv_sems != 0 || c.sysv_segments != 0 ||
      c.sysv_queues != 0) {
    describe("found", c);
    violation("PIPC_FUZZ_ISOLATED=1 but IPC objects exist: not a private namespace");
  }
  return true;
}

// The objects that existed when the first input began: the target's long-lived ones.
const census &baseline() {
  static const census c = take();
  return c;
}

}  // namespace

bool isolated() {
  static const bool value = check_namespace();
  return value;
}

std::string posix_name(const std::string &raw) {
  if (isolated()) return raw;
  static const std::string prefix = "/pipcfuzz" + std::to_string(getpid()) + "_";
  return prefix + (raw.empty() || raw[0] != '/' ? raw : raw.substr(1));
}

leak_check::leak_check() {
  if (isolated()) baseline();  // first: the first isolated() opens two descriptors for good
  lowest_free_fd_ = lowest_free_fd();
}

leak_check::~leak_check() {
  if (lowest_free_fd() != lowest_free_fd_) {
    list_descriptors();
    violation("the input left a descriptor behind (%d was free before it)", lowest_free_fd_);
  }
  if (!isolated()) return;
  const census now = take();
  if (now == baseline()) return;
  describe("before", baseline());
  describe("after", now);
  violation("the input left IPC objects behind (or removed some)");
}

}  // namespace fuzz
