// A test body run in a forked child with private namespaces, where it may lower system
// limits, fill /dev/shm or die of a signal: nothing it does reaches the machine's
// objects or settings, and nothing it makes outlives it.
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace pipc_test {

struct isolation {
  // A private IPC namespace: System V objects, POSIX queues, /proc/sys/kernel/{sem,
  // shmmni, shmall, msgmni, ...} and /proc/sys/fs/mqueue/* of its own.
  bool ipc = true;
  // > 0: also a private mount namespace, with a tmpfs of this many bytes on /dev/shm
  // and, with ipc and where /dev/mqueue exists, the new IPC namespace's queues there.
  uint64_t shm_bytes = 0;
};

// How the child ended, and what the pipc call under test reported in it.
struct child_report {
  int status = 0;       // the body's return value: the status of the call under test
  int err = 0;          // pipc_last_errno() right after the body returned
  std::string message;  // pipc_last_message() then, or which step failed
  int signal = 0;       // the signal that killed the child; 0 when it returned
};

// What a body returns when a step other than the call under test failed (see
// step_failed).
constexpr int step_failure = INT_MIN;

// Runs BODY in a forked child inside the namespaces WHERE asks for (none when both are
// off), and reports how it went. nullopt when the system refuses the namespaces (not
// root, or a container that forbids them): the caller skips, naming isolation_refused.
std::optional<child_report> run_isolated(const isolation &where, const std::function<int()> &body);

constexpr const char *isolation_refused =
    "needs private IPC and mount namespaces (unshare as root), which this system refuses";

// For BODY: records that its step WHAT (setting up, or checking after the call) failed
// as the report's message, and returns step_failure.
int step_failed(const std::string &what);

// Writes TEXT to the /proc/sys file PATH (in the child's namespaces); false on failure.
bool write_proc(const char *path, const std::string &text);

}  // namespace pipc_test
