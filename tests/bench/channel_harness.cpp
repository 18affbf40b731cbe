// The two-process harness of the channel benchmark (see channel_harness.hpp).
#include "channel_harness.hpp"

#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace chbench {
namespace {

// The control block the parent and its two children share (an anonymous shared
// mapping made before any fork).
struct Control {
  std::atomic<uint32_t> ready;  // children that opened and warmed up (a futex word)
  std::atomic<uint32_t> go;     // the start signal (a futex word)
  uint64_t t0;                  // the parent's clock at the start signal
  std::atomic<uint64_t> t_end;  // the timed child's clock at its last message
  uint64_t cpu_ns[2];           // each child's CPU time in the timed phase
  uint64_t p50_ns, p99_ns;      // ping-pong: child 0's round trips, median and 99th percentile
  char error[2][512];           // what a failing child reports
};
static_assert(std::atomic<uint32_t>::is_always_lock_free, "futex words must be plain words");

Control *control = nullptr;
sigset_t parent_waits;  // SIGCHLD, SIGINT, SIGTERM, SIGHUP: blocked in the parent, taken by sigtimedwait
sigset_t original_mask;

// set_placement: the CPUs of child 0 and child 1, or -1.
int pinned_cpu[2] = {-1, -1};

// In a child: its role; in the parent: -1.
int my_role = -1;
// In the parent, during a run: what to kill and to remove on failure.
pid_t children[2] = {0, 0};
const Transport *current = nullptr;
void *current_shared = nullptr;

int futex(std::atomic<uint32_t> *word, int op, uint32_t value, const timespec *timeout) {
  // Not FUTEX_PRIVATE: the word is shared between processes.
  return static_cast<int>(syscall(SYS_futex, reinterpret_cast<uint32_t *>(word), op, value, timeout,
                                  nullptr, 0));
}

void kill_children() {
  for (pid_t &pid : children) {
    if (pid > 0) {
      kill(pid, SIGKILL);
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      pid = 0;
    }
  }
}

// Parent: kills the children, removes the run's objects and exits with STATUS.
[[noreturn]] void abandon_run(int status) {
  kill_children();
  if (current != nullptr && current_shared != nullptr) {
    const Transport *t = current;
    current = nullptr;  // a failure inside destroy must not loop
    t->destroy(current_shared);
  }
  std::fflush(stdout);
  std::exit(status);
}

[[noreturn]] void vfail(const char *format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  if (my_role >= 0) {
    std::memcpy(control->error[my_role], text, sizeof text);
    _exit(1);
  }
  std::fprintf(stderr, "bench_channel: %s\n", text);
  abandon_run(1);
}

// Waits for a signal of parent_waits up to TIMEOUT_NS; handles SIGINT/SIGTERM/SIGHUP
// (clean up and exit) and a failed child (report, clean up, exit). Reaps children that
// ended well (clearing their pid).
void parent_wait(int64_t timeout_ns) {
  timespec timeout{static_cast<time_t>(timeout_ns / 1000000000),
                   static_cast<long>(timeout_ns % 1000000000)};
  siginfo_t info;
  const int sig = sigtimedwait(&parent_waits, &info, &timeout);
  if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
    std::fprintf(stderr, "bench_channel: %s, stopping\n", strsignal(sig));
    abandon_run(128 + sig);
  }
  for (int role = 0; role < 2; ++role) {
    if (children[role] <= 0) continue;
    int status;
    const pid_t pid = waitpid(children[role], &status, WNOHANG);
    if (pid != children[role]) continue;
    children[role] = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
    if (control->error[role][0] != '\0') {
      failf("child %d (%s): %s", role, current->name, control->error[role]);
    } else if (WIFSIGNALED(status)) {
      failf("child %d (%s) died of %s", role, current->name, strsignal(WTERMSIG(status)));
    } else {
      failf("child %d (%s) exited with %d", role, current->name, WEXITSTATUS(status));
    }
  }
}

// This process's CPU time, user and system, in nanoseconds.
uint64_t cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

void put_seq(void *buf, uint64_t seq) { std::memcpy(buf, &seq, sizeof seq); }
uint64_t get_seq(const void *buf) {
  uint64_t seq;
  std::memcpy(&seq, buf, sizeof seq);
  return seq;
}

// The messages of one phase (warm-up or timed) in child ROLE.
// In ping-pong, child 0 keeps each round trip's nanoseconds in TIMES when given.
void exchange(const Transport &t, void *end, const Spec &spec, Mode mode, int role, long n,
              std::vector<unsigned char> &buf, std::vector<uint64_t> *times) {
  const size_t size = spec.message_size;
  if (mode == Mode::throughput) {
    if (role == 0) {
      for (long i = 0; i < n; ++i) {
        put_seq(buf.data(), static_cast<uint64_t>(i));
        t.send(end, 0, buf.data(), size);
      }
    } else {
      for (long i = 0; i < n; ++i) {
        const size_t len = t.receive(end, 0, buf.data(), buf.size());
        if (len != size) failf("message %ld has %zu bytes, not %zu", i, len, size);
        if (get_seq(buf.data()) != static_cast<uint64_t>(i)) {
          failf("message %ld arrived as number %llu", i,
                static_cast<unsigned long long>(get_seq(buf.data())));
        }
      }
    }
    return;
  }
  uint64_t last = times != nullptr ? now_ns() : 0;
  for (long i = 0; i < n; ++i) {
    if (role == 0) put_seq(buf.data(), static_cast<uint64_t>(i));
    if (role == 1) {
      const size_t len = t.receive(end, 0, buf.data(), buf.size());
      if (t.payload && (len != size || get_seq(buf.data()) != static_cast<uint64_t>(i))) {
        failf("ping %ld arrived wrong (%zu bytes)", i, len);
      }
    }
    t.send(end, role, buf.data(), t.payload ? size : 0);
    if (role == 0) {
      const size_t len = t.receive(end, 1, buf.data(), buf.size());
      if (t.payload && (len != size || get_seq(buf.data()) != static_cast<uint64_t>(i))) {
        failf("pong %ld arrived wrong (%zu bytes)", i, len);
      }
      if (times != nullptr) {
        const uint64_t now = now_ns();
        (*times)[static_cast<size_t>(i)] = now - last;
        last = now;
      }
    }
  }
}

[[noreturn]] void child_main(const Transport &t, void *shared, const Spec &spec, Mode mode,
                             int role, long n, long warmup, pid_t parent) {
  my_role = role;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);  // the parent died before the line above
  sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  if (pinned_cpu[role] >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(pinned_cpu[role], &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) fail("sched_setaffinity");
  }
  void *end = t.open(shared, role, spec);
  std::vector<unsigned char> buf(spec.message_size, static_cast<unsigned char>('a' + role));
  exchange(t, end, spec, mode, role, warmup, buf, nullptr);
  std::vector<uint64_t> times;
  const bool timing_each = mode == Mode::pingpong && role == 0;
  if (timing_each) times.resize(static_cast<size_t>(n));  // allocated before the clock starts
  control->ready.fetch_add(1);
  futex(&control->ready, FUTEX_WAKE, INT_MAX, nullptr);
  while (control->go.load() == 0) futex(&control->go, FUTEX_WAIT, 0, nullptr);
  const uint64_t cpu_start = cpu_ns();
  exchange(t, end, spec, mode, role, n, buf, timing_each ? &times : nullptr);
  const int timed_role = mode == Mode::throughput ? 1 : 0;
  if (role == timed_role) control->t_end.store(now_ns());
  control->cpu_ns[role] = cpu_ns() - cpu_start;
  if (timing_each && n > 0) {
    std::sort(times.begin(), times.end());
    control->p50_ns = times[times.size() / 2];
    control->p99_ns = times[times.size() * 99 / 100];
  }
  t.close(end);
  _exit(0);
}

}  // namespace

bool set_placement(Placement p) {
  pinned_cpu[0] = pinned_cpu[1] = -1;
  if (p == Placement::scheduler) return true;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) fail("sched_getaffinity");
  int cpus[2] = {-1, -1}, found = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE && found < 2; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus[found++] = cpu;
  }
  if (p == Placement::apart && found < 2) return false;
  pinned_cpu[0] = cpus[0];
  pinned_cpu[1] = p == Placement::apart ? cpus[1] : cpus[0];
  return true;
}

void adopt(void *shared) { current_shared = shared; }

void fail(const char *what) { failf("%s: %s", what, std::strerror(errno)); }

void failf(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vfail(format, args);
}

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

std::string random_name() {
  unsigned char bytes[8];
  if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) fail("getrandom");
  std::string name = "/pipc_chbench_";
  for (unsigned char b : bytes) {
    static const char hex[] = "0123456789abcdef";
    name += hex[b >> 4];
    name += hex[b & 15];
  }
  return name;
}

void init() {
  void *p = mmap(nullptr, sizeof(Control), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) fail("mmap of the control block");
  control = new (p) Control();
  sigemptyset(&parent_waits);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP}) sigaddset(&parent_waits, sig);
  sigprocmask(SIG_BLOCK, &parent_waits, &original_mask);
}

Result run(const Transport &t, const Spec &spec, Mode mode, long n, long warmup) {
  control->ready.store(0);
  control->go.store(0);
  control->t_end.store(0);
  control->cpu_ns[0] = control->cpu_ns[1] = 0;
  control->p50_ns = control->p99_ns = 0;
  std::memset(control->error, 0, sizeof control->error);
  current = &t;
  current_shared = nullptr;
  adopt(t.create(spec));
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = getpid();
  for (int role = 0; role < 2; ++role) {
    const pid_t pid = fork();
    if (pid < 0) fail("fork");
    if (pid == 0) child_main(t, current_shared, spec, mode, role, n, warmup, parent);
    children[role] = pid;
  }

  // A hang (a lost wake-up, a transport that deadlocks) is a failure, not a figure.
  const uint64_t deadline = now_ns() + 300ull * 1000000000u;
  while (control->ready.load() < 2) {
    const uint32_t ready = control->ready.load();
    if (ready < 2) {
      timespec slice{0, 20000000};
      futex(&control->ready, FUTEX_WAIT, ready, &slice);
    }
    parent_wait(0);
    if (control->ready.load() < 2 && (children[0] == 0 || children[1] == 0)) {
      failf("a child of %s ended before the start", t.name);
    }
    if (now_ns() > deadline) failf("%s: the children did not get ready in 300 s", t.name);
  }
  if (t.unlink != nullptr) t.unlink(current_shared);
  control->t0 = now_ns();
  control->go.store(1);
  futex(&control->go, FUTEX_WAKE, INT_MAX, nullptr);
  while (children[0] != 0 || children[1] != 0) {
    parent_wait(1000000000);
    if (now_ns() > deadline) failf("%s: no end after 300 s", t.name);
  }
  t.destroy(current_shared);
  current = nullptr;
  current_shared = nullptr;
  const uint64_t end = control->t_end.load();
  if (end <= control->t0) failf("%s: no end time", t.name);
  return Result{static_cast<double>(end - control->t0) / 1e9, n,
                static_cast<double>(control->cpu_ns[0] + control->cpu_ns[1]) / 1e9,
                static_cast<double>(control->p50_ns), static_cast<double>(control->p99_ns)};
}

}  // namespace chbench
