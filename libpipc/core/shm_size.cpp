#include "core/shm_size.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "core/error.hpp"

namespace pipc::core {
namespace {

// Records CALL's failure (errno) to give segment NAME SIZE bytes, naming the limit.
int size_refused(const char *function, const char *call, const std::string &name, uint64_t size) {
  const int err = errno;
  char what[96];
  std::snprintf(what, sizeof what, "%s: %s", function, call);
  char object[300];
  std::snprintf(object, sizeof object, "\"%s\"", name.c_str());
  rlimit file_size{};
  if (err == EFBIG && getrlimit(RLIMIT_FSIZE, &file_size) == 0 && size > file_size.rlim_cur) {
    return explained_fail(PIPC_ELIMIT, err, what, object,
                          "%llu bytes exceed the process's file size limit RLIMIT_FSIZE (%llu "
                          "bytes; ulimit -f)",
                          static_cast<unsigned long long>(size),
                          static_cast<unsigned long long>(file_size.rlim_cur));
  }
  errno = err;
  return os_fail(what, name.c_str());
}

}  // namespace

int set_segment_size(int fd, const std::string &name, uint64_t size, const char *function) {
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    return size_refused(function, "ftruncate", name, size);
  }
  return PIPC_OK;
}

}  // namespace pipc::core
