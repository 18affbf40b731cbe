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

// Buffer size for random_name: "/pipc_" plus 9 base-32 characters (45 bits: creates
// are exclusive and retried, so a rare collision costs one more try) and a NUL. The
// 15 characters fit std::string's inline buffer: no allocation for the name.
constexpr size_t random_name_size = 16;

// N random bytes (from getrandom, drawn in blocks) for names and keys.
void random_bytes(unsigned char *out, size_t n);

// Writes a random name into OUT.
void random_name(char (&out)[random_name_size]);

}  // namespace pipc::core
