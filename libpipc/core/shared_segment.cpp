#include "core/shared_segment.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <new>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/open_object.hpp"

namespace pipc::core {

segment_mapping::~segment_mapping() {
  if (keep_mapped != nullptr && keep_mapped(object())) return;
  munmap(address, size);
}

namespace {

void pause_briefly() {
  const timespec pause{0, 1000 * 1000};
  nanosleep(&pause, nullptr);
}

size_t segment_size(const segment_spec &spec) { return sizeof(segment_header) + spec.object_size; }

int map(void **address, int fd, size_t size) {
  void *a = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (a == MAP_FAILED) return errno;
  *address = a;
  return 0;
}

int create(int fd, const segment_spec &spec, void **address, const char *name) {
  const size_t size = segment_size(spec);
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) return os_fail("ftruncate", name);
  int err = map(address, fd, size);
  if (err == 0) err = spec.init(static_cast<char *>(*address) + sizeof(segment_header), spec.context);
  if (err != 0) {
    if (*address != nullptr) munmap(*address, size);
    errno = err;
    return os_fail(spec.function, name);
  }
  auto *header = static_cast<segment_header *>(*address);
  header->magic = segment_magic;
  header->layout_version = segment_layout_version;
  header->kind = static_cast<uint32_t>(spec.kind);
  header->size = static_cast<uint32_t>(size);
  header->ready.store(1, std::memory_order_release);
  return PIPC_OK;
}

const char *kind_name(segment_kind kind) {
  switch (kind) {
    case segment_kind::mutex: return "mutex";
    case segment_kind::cond: return "condition variable";
    case segment_kind::channel: return "channel";
  }
  return "object";
}

int incompatible(const segment_spec &spec, const char *name, const char *what) {
  return fail(PIPC_EINVAL, EINVAL,
              "%s: \"%s\" is not a %s of libpipc's layout %u (%s); it was left untouched",
              spec.function, name, kind_name(spec.kind),
              segment_layout_version, what);
}

int not_ready(const segment_spec &spec, const char *name) {
  return fail(PIPC_EAGAIN, EAGAIN,
              "%s: \"%s\" was not initialised within %lld ms: its creator is slow or died "
              "(unlink it if so)",
              spec.function, name, static_cast<long long>(init_wait_ns / 1000000));
}

// An existing segment: waits for its creator, then checks what it finds.
int attach(int fd, const segment_spec &spec, void **address, size_t *mapped, const char *name) {
  const deadline until(init_wait_ns);
  size_t size = segment_size(spec);
  struct stat st {};
  for (;;) {
    if (fstat(fd, &st) != 0) return os_fail("fstat", name);
    if (st.st_size != 0) break;
    if (until.passed()) return not_ready(spec, name);
    pause_briefly();
  }
  if (spec.check != nullptr && static_cast<uint64_t>(st.st_size) > sizeof(segment_header)) {
    size = static_cast<size_t>(st.st_size);
  }
  if (static_cast<uint64_t>(st.st_size) != size) return incompatible(spec, name, "size differs");
  const int err = map(address, fd, size);
  if (err != 0) {
    errno = err;
    return os_fail("mmap", name);
  }
  auto *header = static_cast<segment_header *>(*address);
  int rc = PIPC_OK;
  for (uint32_t ready; (ready = header->ready.load(std::memory_order_acquire)) != 1;) {
    if (ready != 0) {
      rc = incompatible(spec, name, "bad initialisation flag");
      break;
    }
    if (until.passed()) {
      rc = not_ready(spec, name);
      break;
    }
    pause_briefly();
  }
  if (rc == PIPC_OK) {
    if (header->magic != segment_magic) {
      rc = incompatible(spec, name, "bad magic number");
    } else if (header->layout_version != segment_layout_version) {
      rc = incompatible(spec, name, "other layout version");
    } else if (header->kind != static_cast<uint32_t>(spec.kind)) {
      rc = incompatible(spec, name, "another kind of object");
    } else if (header->size != size) {
      rc = incompatible(spec, name, "size differs");
    } else if (spec.check != nullptr) {
      const char *wrong = spec.check(static_cast<char *>(*address) + sizeof(segment_header),
                                     size - sizeof(segment_header));
      if (wrong != nullptr) rc = incompatible(spec, name, wrong);
    }
  }
  if (rc != PIPC_OK) munmap(*address, size);
  *mapped = size;
  return rc;
}

}  // namespace

bool identify_segment(int fd, segment_identity &out) {
  struct stat st {};
  segment_header header;
  if (fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) < sizeof header ||
      pread(fd, &header, sizeof header, 0) != static_cast<ssize_t>(sizeof header) ||
      header.magic != segment_magic || header.layout_version != segment_layout_version ||
      header.size != static_cast<uint64_t>(st.st_size)) {
    return false;
  }
  const auto kind = static_cast<segment_kind>(header.kind);
  switch (kind) {
    case segment_kind::mutex:
    case segment_kind::cond:
    case segment_kind::channel:
      out = segment_identity{kind, header.ready.load(std::memory_order_relaxed) == 1,
                             static_cast<uint64_t>(st.st_size)};
      return true;
  }
  return false;
}

const char *libpipc_object_in(int fd) {
  segment_identity id{};
  if (!identify_segment(fd, id)) return nullptr;
  switch (id.kind) {
    case segment_kind::mutex: return "robust mutex";
    case segment_kind::cond: return "condition variable";
    case segment_kind::channel: return "channel";
  }
  return nullptr;
}

int open_segment(opened_segment &out, const char *name, uint32_t flags, uint32_t mode,
                 const segment_spec &spec) {
  int fd = -1;
  const open_result opened = open_object(name, flags, [&](const char *n, open_mode how) {
    fd = how == open_mode::create_exclusive
             ? shm_open(n, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, static_cast<mode_t>(mode))
             : shm_open(n, O_RDWR | O_CLOEXEC, 0);
    return fd < 0 ? errno : 0;
  });
  if (opened.err != 0) {
    errno = opened.err;
    return os_fail("shm_open", opened.name.c_str());
  }
  const char *n = opened.name.c_str();
  void *address = nullptr;
  size_t mapped = segment_size(spec);
  int rc = opened.created ? create(fd, spec, &address, n) : attach(fd, spec, &address, &mapped, n);
  close(fd);
  if (rc == PIPC_OK) {
    out.mapping.reset(new (std::nothrow) segment_mapping(address, mapped, spec.keep_mapped));
    if (out.mapping == nullptr) {
      munmap(address, mapped);
      rc = fail(PIPC_ENOMEM, ENOMEM, "%s: no memory for the handle", spec.function);
    }
  }
  if (rc != PIPC_OK) {
    if (opened.created) shm_unlink(n);
    return rc;
  }
  out.name = opened.name;
  out.created = opened.created;
  return PIPC_OK;
}

}  // namespace pipc::core
