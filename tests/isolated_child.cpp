#include "isolated_child.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include "pipc.h"
#include "support.hpp"

namespace pipc_test {
namespace {

// Shared with the child (MAP_SHARED before the fork): what it reports.
struct shared_report {
  int status;
  int err;
  char message[1024];
};

shared_report *current_report = nullptr;  // the child's, while its body runs

constexpr int refused_exit = 77;  // the child could not make its namespaces

void copy_message(const std::string &text) {
  std::snprintf(current_report->message, sizeof current_report->message, "%s", text.c_str());
}

// Enters the namespaces WHERE asks for; false (errno set) if the system refuses.
bool enter(const isolation &where) {
  const int flags = (where.ipc ? CLONE_NEWIPC : 0) | (where.shm_bytes > 0 ? CLONE_NEWNS : 0);
  if (flags == 0) return true;
  if (unshare(flags) != 0) return false;
  if (where.shm_bytes == 0) return true;
  // Nothing mounted here may propagate back into the machine's mount namespace. In a
  // chroot "/" is no mount point; there /dev's mount holds /dev/shm and /dev/mqueue.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 &&
      mount(nullptr, "/dev", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return false;
  }
  const std::string size = "size=" + std::to_string(where.shm_bytes) + ",mode=1777";
  if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, size.c_str()) != 0) return false;
  // The new IPC namespace's queues where tests (and the leak check) look for them.
  struct stat st {};
  if (!where.ipc || stat("/dev/mqueue", &st) != 0) return true;
  return mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV, nullptr) == 0;
}

}  // namespace

std::optional<child_report> run_isolated(const isolation &where,
                                         const std::function<int()> &body) {
  void *shared = mmap(nullptr, sizeof(shared_report), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return child_report{step_failure, errno, "mmap failed", 0};
  auto *report = new (shared) shared_report{step_failure, 0, "the child reported nothing"};
  const pid_t child = spawn([&] {
    current_report = report;
    if (!enter(where)) {
      if (errno == EPERM || errno == EINVAL || errno == ENOSYS) return refused_exit;
      report->status = step_failed(std::string("entering private namespaces: ") +
                                   std::strerror(errno));
      return 0;
    }
    report->status = body();
    if (report->status != step_failure) {
      report->err = pipc_last_errno();
      copy_message(pipc_last_message());
    }
    return 0;
  });
  const int status = wait_status(child);
  std::optional<child_report> result;
  if (!(WIFEXITED(status) && WEXITSTATUS(status) == refused_exit)) {
    result = child_report{report->status, report->err, report->message,
                          status != -1 && WIFSIGNALED(status) ? WTERMSIG(status) : 0};
  }
  munmap(shared, sizeof(shared_report));
  return result;
}

int step_failed(const std::string &what) {
  copy_message(what);
  return step_failure;
}

bool write_proc(const char *path, const std::string &text) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  return close(fd) == 0 && written;
}

}  // namespace pipc_test
