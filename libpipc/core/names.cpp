#include "core/names.hpp"

#include <sys/random.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "core/error.hpp"

namespace pipc::core {

int check_name(const char *name, size_t max_len, const char *function) {
  if (name == nullptr) return invalid("%s: the name is NULL", function);
  if (name[0] != '/') return invalid("%s: name \"%.64s\" must begin with '/'", function, name);
  const size_t len = std::strlen(name + 1);
  if (len == 0) return invalid("%s: name \"/\" is empty after the '/'", function);
  if (len > max_len) {
    return invalid("%s: name of %zu characters is longer than this platform's %zu", function,
                   len, max_len);
  }
  if (std::strchr(name + 1, '/') != nullptr) {
    return invalid("%s: name \"%.64s\" has a '/' after the first", function, name);
  }
  if (std::strcmp(name, "/.") == 0 || std::strcmp(name, "/..") == 0) {
    return invalid("%s: name \"%s\" is reserved", function, name);
  }
  return PIPC_OK;
}

int check_sem_name(const char *name, const char *function) {
  return check_name(name, sem_name_max, function);
}

int check_shm_name(const char *name, const char *function) {
  const int rc = check_name(name, shm_name_max, function);
  if (rc != PIPC_OK || std::strncmp(name, "/sem.", 5) != 0) return rc;
  return invalid("%s: name \"%.64s\" is refused: glibc keeps the POSIX semaphore \"/%.64s\" "
                 "as /dev/shm%.64s, and using that file as shared memory (resizing it) makes the "
                 "semaphore's next user die of SIGBUS",
                 function, name, name + 5, name);
}

int check_mq_name(const char *name, const char *function) {
  return check_name(name, mq_name_max, function);
}

void random_bytes(unsigned char *out, size_t n) {
  // A block of getrandom's output per thread, handed out in pieces: one system call
  // per dozen names. Names need to be unlikely to collide, not secret, and every
  // create is exclusive and retried, so a forked child that repeats its parent's
  // block costs a retry at most.
  constexpr size_t block = 256;
  thread_local unsigned char pool[block];
  thread_local size_t used = block;
  while (n > 0) {
    if (used == block) {
      size_t got = 0;
      while (got < block) {
        const ssize_t r = getrandom(pool + got, block - got, 0);
        if (r > 0) {
          got += static_cast<size_t>(r);
          continue;
        }
        // getrandom cannot fail once the pool is ready; if it does, the clock still
        // makes a collision unlikely, and collisions are retried.
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (size_t i = got; i < block; ++i) {
          pool[i] = static_cast<unsigned char>((now.tv_nsec >> (i % 4) * 8) ^ (i * 131));
        }
        got = block;
      }
      used = 0;
    }
    const size_t take = std::min(n, block - used);
    std::memcpy(out, pool + used, take);
    used += take;
    out += take;
    n -= take;
  }
}

void random_name(char (&out)[random_name_size]) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  unsigned char bytes[random_name_size - 7];
  random_bytes(bytes, sizeof bytes);
  std::memcpy(out, "/pipc_", 6);
  for (size_t i = 0; i < sizeof bytes; ++i) out[6 + i] = alphabet[bytes[i] % 32];
  out[6 + sizeof bytes] = '\0';
}

}  // namespace pipc::core
