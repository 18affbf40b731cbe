// POSIX shared memory segments.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "core/handle.hpp"
#include "pipc/shm.h"

struct pipc_shm final : pipc::core::handle {
  static constexpr uint32_t family_tag = 0x5053484d;  // "PSHM"

  struct mapping {
    void *addr;
    size_t length;
  };

  pipc_shm(int f, std::string n, bool c, bool ro)
      : handle(family_tag), fd(f), name(std::move(n)), created(c), read_only(ro) {}
  ~pipc_shm() override;

  std::mutex lock;                 // guards fd and mappings
  int fd;                          // -1 after pipc_shm_close_fd
  std::vector<mapping> mappings;   // made through this handle, unmapped at close
  uint64_t known_size = 0;         // the size this handle last set or read; 0 if none
  const std::string name;
  const bool created;
  const bool read_only;
};

namespace pipc::core {

int shm_open(pipc_shm **out, const char *name, const pipc_shm_options &opts);
int shm_fd(int *fd_out, pipc_shm &shm);
int shm_size(uint64_t *size_out, pipc_shm &shm);
int shm_resize(pipc_shm &shm, uint64_t size);
int shm_map(void **addr_out, pipc_shm &shm, uint64_t offset, uint64_t length, uint32_t flags);
int shm_unmap(pipc_shm &shm, void *addr);
int shm_close_fd(pipc_shm &shm);

}  // namespace pipc::core
