// Where a fuzz target runs, and the check that it leaves no object behind.
//
// isolated.sh runs a target in a private IPC and mount namespace, with a fresh
// tmpfs on /dev/shm and the mqueue filesystem on /dev/mqueue, and sets
// PIPC_FUZZ_ISOLATED=1. There every IPC object is the target's own, so the
// targets may use any name or key, and a count of the objects after each input
// shows whether an open that failed (or anything else) left one behind. Without
// it, names get a prefix of the process's own, keys that might reach the
// machine's objects are not used, and only descriptors are counted.
#pragma once

#include <string>

namespace fuzz {

// True inside isolated.sh's namespace; on first use, checks that it is one
// (the mounts are there and no object exists yet).
bool isolated();

// The POSIX name to use for the fuzzer's bytes RAW (a C string): RAW itself when
// isolated, else RAW (without a leading '/') after the prefix "/pipcfuzz<pid>_".
std::string posix_name(const std::string &raw);

// Lives for one input; when it ends, checks that the input left no IPC object
// (when isolated) and no descriptor behind. The objects are compared with what
// existed when the first one was made, after the target's long-lived objects;
// descriptors with the start of the input, because libFuzzer opens some of its
// own between inputs (pipes to llvm-symbolizer).
class leak_check {
 public:
  leak_check();
  ~leak_check();
  leak_check(const leak_check &) = delete;
  leak_check &operator=(const leak_check &) = delete;

 private:
  int lowest_free_fd_ = -1;
};

}  // namespace fuzz
