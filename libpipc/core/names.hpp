// POSIX object names: validation and random names.
#pragma once

#include <cstddef>

namespace pipc::core {

// Longest name (after the leading '/') each family accepts on this platform.
// glibc keeps semaphores as /dev/shm/sem.NAME, so theirs is 4 shorter than NAME_MAX.
constexpr size_t sem_name_max = 251;
constexpr size_t shm_name_max = 255;
constexpr size_t mq_name_max = 255;

// PIPC_OK if NAME is '/' followed by 1..max_len characters, none of them '/', and
// is not "/." or "/.."; else records why and returns PIPC_EINVAL.
int check_name(const char *name, size_t max_len, const char *function);

// check_name with each family's limit. Shared memory also refuses the names of glibc's
// semaphore files: semaphore "/X" is the file /dev/shm/sem.X, which shm_open finds as
// "/sem.X", and resizing it there makes the semaphore's next user die of SIGBUS.
int check_sem_name(const char *name, const char *function);
int check_shm_name(const char *name, const char *function);
int check_mq_name(const char *name, const char *function);

// Buffer size for random_name: "/pipc_" plus 9 base-32 characters (45 bits: creates
// are exclusive and retried, so a rare collision costs one more try) and a NUL. The
// 15 characters fit std::string's inline buffer: no allocation for the name.
constexpr size_t random_name_size = 16;

// N random bytes (from getrandom, drawn in blocks) for names and keys.
void random_bytes(unsigned char *out, size_t n);

// Writes a random name into OUT.
void random_name(char (&out)[random_name_size]);

}  // namespace pipc::core
