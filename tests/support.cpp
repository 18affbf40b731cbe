#include "support.hpp"

#include <dirent.h>
#include <grp.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/random.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <ctime>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace pipc_test {

std::string name_prefix() { return "pipc_t" + std::to_string(getpid()) + "_"; }

std::string unique_name() {
  static std::atomic<unsigned> counter{0};
  uint32_t salt = 0;
  if (getrandom(&salt, sizeof salt, 0) != sizeof salt) salt = static_cast<uint32_t>(now_ns());
  char tail[32];
  std::snprintf(tail, sizeof tail, "%u_%08x", counter.fetch_add(1), salt);
  return "/" + name_prefix() + tail;
}

// 22 bits of pid (Linux's pid_max is at most 2^22) above 9 bits of counter: a
// positive int32 that no other running process's tests can produce.
constexpr int key_counter_bits = 9;

int64_t unique_key() {
  static std::atomic<unsigned> counter{0};
  const unsigned count = counter.fetch_add(1) & ((1u << key_counter_bits) - 1);
  return (static_cast<int64_t>(getpid() & 0x3fffff) << key_counter_bits) | count;
}

bool is_own_key(int64_t key) {
  return key > 0 && (key >> key_counter_bits) == (getpid() & 0x3fffff);
}

usr1_handler::usr1_handler(void (*fn)(int), int flags) {
  struct sigaction action {};
  action.sa_handler = fn;
  action.sa_flags = flags;
  sigemptyset(&action.sa_mask);
  sigaction(SIGUSR1, &action, &previous_);
}

usr1_handler::~usr1_handler() { sigaction(SIGUSR1, &previous_, nullptr); }

pid_t spawn(const std::function<int()> &body) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 127;
    try {
      code = body();
    } catch (...) {
    }
    _exit(code);
  }
  return pid;
}

int wait_status(pid_t pid, int timeout_ms) {
  if (pid <= 0) return -1;
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd pfd{pidfd, POLLIN, 0};
    const int ready = poll(&pfd, 1, timeout_ms);
    close(pidfd);
    if (ready <= 0) kill(pid, SIGKILL);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return status;
}

int wait_child(pid_t pid, int timeout_ms) {
  const int status = wait_status(pid, timeout_ms);
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int64_t now_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

bool become_nobody() {
  return setgroups(0, nullptr) == 0 && setgid(nobody) == 0 && setuid(nobody) == 0;
}

int as_nobody(const std::function<int()> &body, int not_dropped) {
  return wait_child(spawn([&] { return become_nobody() ? body() : not_dropped; }));
}

std::atomic<int> signals_caught{0};

void count_signal(int) { signals_caught.fetch_add(1); }

background_call::background_call(std::function<int()> fn, std::function<void()> rescue)
    : rescue_(std::move(rescue)) {
  std::promise<pid_t> tid;
  std::promise<std::pair<int, int>> outcome;
  tid_ = tid.get_future().share();
  outcome_ = outcome.get_future();
  thread_ = std::thread(
      [fn = std::move(fn), tid = std::move(tid), outcome = std::move(outcome)]() mutable {
        tid.set_value(gettid());
        const int status = fn();
        outcome.set_value({status, pipc_last_errno()});
      });
}

background_call::~background_call() {
  if (!finished() && rescue_) rescue_();
  if (finished()) {
    thread_.join();
  } else {
    thread_.detach();
  }
}

bool background_call::running() {
  return outcome_.valid() &&
         outcome_.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
}

void background_call::signal(int signo) { pthread_kill(thread_.native_handle(), signo); }

std::pair<int, int> background_call::outcome() {
  return finished() ? outcome_.get() : std::pair{1, 0};
}

bool background_call::finished() {
  return !outcome_.valid() ||
         outcome_.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
}

signal_pipe::signal_pipe() { EXPECT_EQ(pipe(fds_), 0); }

signal_pipe::~signal_pipe() {
  close(fds_[0]);
  close(fds_[1]);
}

bool signal_pipe::post() {
  const char byte = 1;
  return write(fds_[1], &byte, 1) == 1;
}

bool signal_pipe::wait() {
  pollfd pfd{fds_[0], POLLIN, 0};
  char byte = 0;
  return poll(&pfd, 1, 10000) == 1 && read(fds_[0], &byte, 1) == 1;
}

testing::AssertionResult mentions(const std::string &message, const std::string &text) {
  if (message.find(text) != std::string::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure() << '"' << message << "\" does not mention \"" << text << '"';
}

testing::AssertionResult message_mentions(const std::string &text) {
  return mentions(pipc_last_message(), text);
}

namespace {

// The first line of /proc/TID/FILE ("" if unreadable).
std::string proc_line(pid_t tid, const char *file) {
  std::ifstream in("/proc/" + std::to_string(tid) + "/" + file);
  std::string line;
  std::getline(in, line);
  return line;
}

bool is_blocked(pid_t tid, long syscall) {
  const std::string stat = proc_line(tid, "stat");  // "tid (comm) S ..."
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || stat.compare(paren, 3, ") S") != 0) return false;
  return syscall < 0 || proc_line(tid, "syscall").rfind(std::to_string(syscall) + " ", 0) == 0;
}

}  // namespace

int64_t voluntary_switches(pid_t tid) {
  std::ifstream in("/proc/" + std::to_string(tid) + "/status");
  std::string line;
  const std::string field = "voluntary_ctxt_switches:";
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stoll(line.substr(field.size()));
  }
  return -1;
}

bool wait_until_blocked(pid_t tid, long syscall) {
  const int64_t give_up = now_ns() + 10000 * ms;
  while (!is_blocked(tid, syscall)) {
    if (now_ns() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polls /proc, bounded
  }
  return true;
}

namespace {

// Fails the run if any object named by unique_name() in this process is left in
// /dev/shm (shared memory, and semaphores as sem.NAME) or /dev/mqueue (where the
// mqueue filesystem is mounted; .ci/run mounts it).
class leak_check : public ::testing::Environment {
 public:
  void TearDown() override {
    const std::string prefix = name_prefix();
    std::vector<std::string> left;
    for (const char *dir : {"/dev/shm", "/dev/mqueue"}) {
      DIR *d = opendir(dir);
      if (d == nullptr) continue;
      while (const dirent *e = readdir(d)) {
        const std::string entry = e->d_name;
        if (entry.find(prefix) != std::string::npos) left.push_back(std::string(dir) + "/" + entry);
      }
      closedir(d);
    }
    for (const std::string &path : left) {
      ADD_FAILURE() << "left behind by a test: " << path;
      unlink(path.c_str());
    }
    check_sysv("/proc/sysvipc/sem", [](int id) { return semctl(id, 0, IPC_RMID); });
    check_sysv("/proc/sysvipc/shm", [](int id) { return shmctl(id, IPC_RMID, nullptr); });
    check_sysv("/proc/sysvipc/msg", [](int id) { return msgctl(id, IPC_RMID, nullptr); });
  }

 private:
  // Fails for (and removes) each object in the /proc/sysvipc table TABLE whose
  // key unique_key() made, or, for shared memory, that this process created.
  template <class Remove>
  static void check_sysv(const char *table, Remove remove) {
    std::ifstream in(table);
    std::string header;
    std::getline(in, header);
    const bool is_shm = std::string(table).find("shm") != std::string::npos;
    long long key = 0;
    int id = 0;
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      fields >> key >> id;
      bool own = is_own_key(key);
      if (is_shm) {  // key shmid perms size cpid ...
        long long perms = 0, size = 0, cpid = 0;
        fields >> perms >> size >> cpid;
        own = own || cpid == getpid();
      }
      if (!own) continue;
      ADD_FAILURE() << "left behind by a test: " << table << " key " << key << " id " << id;
      remove(id);
    }
  }
};

[[maybe_unused]] const auto *registered = ::testing::AddGlobalTestEnvironment(new leak_check);

}  // namespace
}  // namespace pipc_test
