// POSIX shared memory segments.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "core/handle.hpp"
#include "pipc/shm.h"

namespace pipc::core {

struct posix_shm final : handle {
  struct mapping {
    void *addr;
    size_t length;
  };

  posix_shm(int f, std::string n, bool c, bool ro, bool r)
      : fd(f), name(std::move(n)), created(c), read_only(ro), reserve(r) {}
  ~posix_shm() override;

  mutable std::mutex lock;         // guards fd, mappings and known_size
  int fd;                          // -1 after pipc_shm_close_fd
  std::vector<mapping> mappings;   // made through this handle, unmapped at close
  uint64_t known_size = 0;         // the size this handle last set or read; 0 if none
  const std::string name;
  const bool created;
  const bool read_only;
  const bool reserve;              // opened with PIPC_SHM_RESERVE: every resize reserves
};

template <>
struct family_traits<pipc_shm> {
  using object = posix_shm;
  static constexpr table::family_id id = table::posix_shm_family;
};

int shm_open(pipc_shm **out, const char *name, const pipc_shm_options &opts);
int shm_dup(pipc_shm **out, const posix_shm &shm);
int shm_fd(int *fd_out, posix_shm &shm);
int shm_size(uint64_t *size_out, posix_shm &shm);
// FLAGS: PIPC_SHM_RESERVE (checked by the caller), which the handle may also imply.
// FUNCTION is the entry point, for messages.
int shm_resize(posix_shm &shm, uint64_t size, uint32_t flags, const char *function);
int shm_map(void **addr_out, posix_shm &shm, uint64_t offset, uint64_t length, uint32_t flags);
int shm_unmap(posix_shm &shm, void *addr);
int shm_close_fd(posix_shm &shm);

}  // namespace pipc::core
