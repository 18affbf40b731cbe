// Setting a POSIX shared memory segment's size, optionally with its pages allocated
// up front, and naming the limit when the system refuses.
#pragma once

#include <cstdint>
#include <string>

namespace pipc::core {

// Sets the segment NAME, open on descriptor FD, to SIZE bytes for FUNCTION (a
// pipc_shm_* name, for messages). With RESERVE its pages are allocated as well, so that
// a /dev/shm without room for them fails here (PIPC_ELIMIT naming /dev/shm, its size
// and free space) rather than with a SIGBUS when a missing page is first touched. A
// size past RLIMIT_FSIZE gives PIPC_ELIMIT naming it (the kernel also sends SIGXFSZ).
// On failure the segment keeps its size and data.
int set_segment_size(int fd, const std::string &name, uint64_t size, bool reserve,
                     const char *function);

}  // namespace pipc::core
