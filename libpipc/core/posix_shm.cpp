#include "core/posix_shm.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <new>

#include "core/open_object.hpp"
#include "core/shm_size.hpp"

namespace pipc::core {

posix_shm::~posix_shm() {
  for (const mapping &m : mappings) munmap(m.addr, m.length);
  if (fd >= 0) close(fd);
}

namespace {

// Sizes beyond off_t, and so beyond any mapping, are refused up front.
constexpr uint64_t max_size = static_cast<uint64_t>(INT64_MAX);

int closed_fd(const char *function) {
  return fail(PIPC_EBADHANDLE, EBADF, "%s: the descriptor was closed by pipc_shm_close_fd",
              function);
}

int current_size(int fd, uint64_t *size_out, const std::string &name) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return os_fail("fstat", name.c_str());
  *size_out = static_cast<uint64_t>(st.st_size);
  return PIPC_OK;
}

// Applies opts.size (with its pages when RESERVE), and PIPC_TRUNC to a segment that
// already existed, to a freshly opened descriptor. A read-only handle cannot resize, so
// there a size that differs is an error and nothing is changed. The new size is set
// before the segment is emptied, so an open that fails on the size (RLIMIT_FSIZE, or
// no room in /dev/shm for a reservation) keeps the data.
int apply_size(int fd, const std::string &name, bool read_only, bool truncate, bool reserve,
               uint64_t size) {
  static const char fn[] = "pipc_shm_open";
  if (read_only) {
    if (size == 0) return PIPC_OK;
    uint64_t actual = 0;
    const int rc = current_size(fd, &actual, name);
    if (rc != PIPC_OK || actual == size) return rc;
    return fail(PIPC_EACCES, EACCES,
                "pipc_shm_open: \"%s\" is %llu bytes; a read-only handle cannot make it %llu",
                name.c_str(), static_cast<unsigned long long>(actual),
                static_cast<unsigned long long>(size));
  }
  int rc = size != 0 ? set_segment_size(fd, name, size, reserve, fn) : PIPC_OK;
  if (rc != PIPC_OK || !truncate) return rc;
  // Shrinking to 0 and growing back zero-fills the segment (and frees its pages, so
  // reserving them again needs no more room than the reservation above).
  rc = set_segment_size(fd, name, 0, false, fn);
  if (rc == PIPC_OK && size != 0) rc = set_segment_size(fd, name, size, reserve, fn);
  return rc;
}

// Makes the handle for descriptor FD. On failure the descriptor is closed and a
// segment this open created is unlinked.
int make_handle(pipc_shm **out, int fd, const std::string &name, bool created, bool read_only,
                bool reserve, uint64_t known_size, const char *function) {
  posix_shm *object = new (std::nothrow) posix_shm(fd, name, created, read_only, reserve);
  int rc = fail(PIPC_ENOMEM, ENOMEM, "%s: no memory for the handle", function);
  if (object != nullptr) {
    object->known_size = known_size;
    rc = publish(out, object, function);
  }
  if (rc != PIPC_OK) {
    if (created) ::shm_unlink(name.c_str());
    if (object != nullptr) {
      delete object;  // closes the descriptor
    } else {
      close(fd);
    }
  }
  return rc;
}

}  // namespace

int shm_open(pipc_shm **out, const char *name, const pipc_shm_options &opts) {
  const bool read_only = opts.access == PIPC_READ;
  const int access = read_only ? O_RDONLY : O_RDWR;
  int fd = -1;
  const open_result opened = open_object(name, opts.flags, [&](const char *n, open_mode mode) {
    int oflags = access;
    if (mode == open_mode::create_exclusive) oflags |= O_CREAT | O_EXCL;
    fd = ::shm_open(n, oflags, static_cast<mode_t>(opts.mode));
    return fd < 0 ? errno : 0;
  });
  if (opened.err != 0) {
    errno = opened.err;
    return os_fail("shm_open", opened.name.c_str());
  }
  const bool truncate = (opts.flags & PIPC_TRUNC) && !opened.created;
  const bool reserve = opts.flags & PIPC_SHM_RESERVE;
  const int rc = apply_size(fd, opened.name, read_only, truncate, reserve, opts.size);
  if (rc != PIPC_OK) {
    // Undo only what this call did: never remove a segment that existed before.
    if (opened.created) ::shm_unlink(opened.name.c_str());
    close(fd);
    return rc;
  }
  // opts.size is what apply_size made or found (0: not known yet)
  return make_handle(out, fd, opened.name, opened.created, read_only, reserve, opts.size,
                     "pipc_shm_open");
}

int shm_dup(pipc_shm **out, const posix_shm &shm) {
  std::lock_guard<std::mutex> guard(shm.lock);
  if (shm.fd < 0) return closed_fd("pipc_shm_dup");
  const int fd = fcntl(shm.fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return os_fail("pipc_shm_dup: fcntl(F_DUPFD_CLOEXEC)", shm.name.c_str());
  return make_handle(out, fd, shm.name, false, shm.read_only, shm.reserve, shm.known_size,
                     "pipc_shm_dup");
}

int shm_fd(int *fd_out, posix_shm &shm) {
  std::lock_guard<std::mutex> guard(shm.lock);
  if (shm.fd < 0) return closed_fd("pipc_shm_fd");
  *fd_out = shm.fd;
  return PIPC_OK;
}

int shm_size(uint64_t *size_out, posix_shm &shm) {
  std::lock_guard<std::mutex> guard(shm.lock);
  if (shm.fd < 0) return closed_fd("pipc_shm_size");
  const int rc = current_size(shm.fd, size_out, shm.name);
  if (rc == PIPC_OK) shm.known_size = *size_out;
  return rc;
}

int shm_resize(posix_shm &shm, uint64_t size, uint32_t flags, const char *function) {
  if (shm.read_only) {
    return fail(PIPC_EACCES, EACCES, "%s: \"%s\" was opened read-only", function,
                shm.name.c_str());
  }
  if (size > max_size) {
    return out_of_range("%s: size %llu is beyond the largest file offset", function,
                        static_cast<unsigned long long>(size));
  }
  std::lock_guard<std::mutex> guard(shm.lock);
  if (shm.fd < 0) return closed_fd(function);
  const bool reserve = shm.reserve || (flags & PIPC_SHM_RESERVE);
  const int rc = set_segment_size(shm.fd, shm.name, size, reserve, function);
  if (rc == PIPC_OK) shm.known_size = size;
  return rc;
}

int shm_map(void **addr_out, posix_shm &shm, uint64_t offset, uint64_t length, uint32_t flags) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (offset % page != 0) {
    return invalid("pipc_shm_map: offset %llu is not a multiple of the page size %llu",
                   static_cast<unsigned long long>(offset), static_cast<unsigned long long>(page));
  }
  std::lock_guard<std::mutex> guard(shm.lock);
  if (shm.fd < 0) return closed_fd("pipc_shm_map");
  // A mapping past the end of the segment would fault on access, so it is refused.
  // The range is checked against the size this handle last saw, read again (fstat
  // costs more than the rest of a map) when the range exceeds it or length is 0.
  // Another process may shrink the segment at any time, so no check can promise
  // more than this.
  uint64_t size = shm.known_size;
  if (length == 0 || offset >= size || length > size - offset) {
    const int rc = current_size(shm.fd, &size, shm.name);
    if (rc != PIPC_OK) return rc;
    shm.known_size = size;
  }
  if (offset >= size || (length != 0 && length > size - offset)) {
    return out_of_range("pipc_shm_map: range [%llu, +%llu) is outside \"%s\" of %llu bytes",
                        static_cast<unsigned long long>(offset),
                        static_cast<unsigned long long>(length), shm.name.c_str(),
                        static_cast<unsigned long long>(size));
  }
  if (length == 0) length = size - offset;
  if (length > SIZE_MAX) return out_of_range("pipc_shm_map: length does not fit in memory");
  const bool read_only = shm.read_only || (flags & PIPC_MAP_READ_ONLY);
  const int prot = read_only ? PROT_READ : PROT_READ | PROT_WRITE;
  void *addr = mmap(nullptr, static_cast<size_t>(length), prot, MAP_SHARED, shm.fd,
                    static_cast<off_t>(offset));
  if (addr == MAP_FAILED) return os_fail("mmap", shm.name.c_str());
  try {
    shm.mappings.push_back({addr, static_cast<size_t>(length)});
  } catch (const std::bad_alloc &) {
    munmap(addr, static_cast<size_t>(length));
    return fail(PIPC_ENOMEM, ENOMEM, "pipc_shm_map: no memory to record the mapping");
  }
  *addr_out = addr;
  return PIPC_OK;
}

int shm_unmap(posix_shm &shm, void *addr) {
  std::lock_guard<std::mutex> guard(shm.lock);
  const auto found = std::find_if(shm.mappings.begin(), shm.mappings.end(),
                                  [addr](const posix_shm::mapping &m) { return m.addr == addr; });
  if (found == shm.mappings.end()) {
    return invalid("pipc_shm_unmap: %p is not a mapping made through this handle", addr);
  }
  munmap(found->addr, found->length);
  shm.mappings.erase(found);
  return PIPC_OK;
}

int shm_close_fd(posix_shm &shm) {
  std::lock_guard<std::mutex> guard(shm.lock);
  if (shm.fd < 0) return closed_fd("pipc_shm_close_fd");
  close(shm.fd);
  shm.fd = -1;
  return PIPC_OK;
}

}  // namespace pipc::core
