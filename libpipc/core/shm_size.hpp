// Setting a POSIX shared memory segment's size, and naming the limit when the system
// refuses.
#pragma once

#include <cstdint>
#include <string>

namespace pipc::core {

// Sets the segment NAME, open on descriptor FD, to SIZE bytes for FUNCTION (a
// pipc_shm_* name, for messages). A size past RLIMIT_FSIZE gives PIPC_ELIMIT naming it
// (the kernel also sends SIGXFSZ). On failure the segment keeps its size and data.
int set_segment_size(int fd, const std::string &name, uint64_t size, const char *function);

}  // namespace pipc::core
