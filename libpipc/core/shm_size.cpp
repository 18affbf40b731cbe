#include "core/shm_size.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "core/error.hpp"
#include "core/shared_segment.hpp"

namespace pipc::core {
namespace {

constexpr char shm_dir[] = "/dev/shm";  // where glibc's shm_open keeps segments

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
  struct statvfs fs {};
  if (err == ENOSPC && statvfs(shm_dir, &fs) == 0) {
    return explained_fail(PIPC_ELIMIT, err, what, object,
                          "the segment's %llu bytes do not fit in %s (size %llu bytes, %llu free)",
                          static_cast<unsigned long long>(size), shm_dir,
                          static_cast<unsigned long long>(fs.f_blocks) * fs.f_frsize,
                          static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize);
  }
  errno = err;
  return os_fail(what, name.c_str());
}

// Allocates the pages of the first SIZE bytes, growing the segment to SIZE if it is
// smaller. Done before any ftruncate, so that a failure has nothing to undo: a shrink
// done first would already have dropped the data past SIZE. tmpfs changes the size only
// when fallocate succeeds; where a failing one grew the segment, it is cut back.
int reserve_pages(int fd, const std::string &name, uint64_t size, const char *function) {
  struct stat before {};
  if (fstat(fd, &before) != 0) return os_fail("fstat", name.c_str());
  if (fallocate(fd, 0, 0, static_cast<off_t>(size)) == 0) return PIPC_OK;
  const int err = errno;
  struct stat after {};
  const bool grew = fstat(fd, &after) == 0 && after.st_size > before.st_size;
  if (grew && ftruncate(fd, before.st_size) != 0) {
    return os_fail("ftruncate (back to the size before fallocate)", name.c_str());
  }
  errno = err;
  return size_refused(function, "fallocate", name, size);
}

}  // namespace

int set_segment_size(int fd, const std::string &name, uint64_t size, bool reserve,
                     const char *function) {
  struct stat st {};
  const char *kind = nullptr;
  if (fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) != size &&
      (kind = libpipc_object_in(fd)) != nullptr) {
    return fail(PIPC_EINVAL, EINVAL,
                "%s: \"%s\" is a libpipc %s; resizing it would make every process that uses "
                "it fault (remove it by its own kind's unlink first)",
                function, name.c_str(), kind);
  }
  if (reserve && size > 0) {
    const int rc = reserve_pages(fd, name, size, function);
    if (rc != PIPC_OK) return rc;
  }
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    return size_refused(function, "ftruncate", name, size);
  }
  return PIPC_OK;
}

}  // namespace pipc::core
