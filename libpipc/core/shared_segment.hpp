// Objects that libpipc lays out in POSIX shared memory itself (robust mutexes,
// condition variables): a versioned header, then the object.
//
// The creator makes the file exclusively, sizes it, maps it, builds the object,
// writes the header and sets `ready` last (a release store). An opener waits (up
// to init_wait_ns, sleeping) for the size and for `ready`, then checks magic,
// layout version, kind and size; a segment that fails any check is refused with
// PIPC_EINVAL and left untouched, one that never becomes ready with PIPC_EAGAIN.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace pipc::core {

constexpr uint32_t segment_magic = 0x43504950;  // "PIPC" in memory on little-endian
constexpr uint32_t segment_layout_version = 1;
constexpr int64_t init_wait_ns = 1000 * 1000 * 1000;

enum class segment_kind : uint32_t { mutex = 1, cond = 2, channel = 3 };

// Stable within a layout version: docs/man/pipc_mutex.3 documents it.
struct segment_header {
  uint32_t magic;
  uint32_t layout_version;
  uint32_t kind;                // segment_kind
  uint32_t size;                // bytes of the whole segment
  std::atomic<uint32_t> ready;  // 1 once the creator finished
  uint32_t reserved[11];
};
static_assert(sizeof(segment_header) == 64, "the object starts at offset 64");

// A mapping shared by a handle and its dups, unmapped with the last of them unless
// KEEP_MAPPED says the object must stay where it is (a robust mutex this process
// still holds sits on a thread's robust list).
struct segment_mapping {
  segment_mapping(void *a, size_t n, bool (*keep)(void *object))
      : address(a), size(n), keep_mapped(keep) {}
  ~segment_mapping();
  segment_mapping(const segment_mapping &) = delete;
  segment_mapping &operator=(const segment_mapping &) = delete;

  void *object() const { return static_cast<char *>(address) + sizeof(segment_header); }
  size_t object_size() const { return size - sizeof(segment_header); }

  void *const address;
  const size_t size;
  bool (*const keep_mapped)(void *object);
};

struct segment_spec {
  segment_kind kind;
  // The object's size when a call creates it. Kinds of a fixed size have only that
  // one; an opener of a kind whose CHECK is set takes the size the segment has and
  // lets CHECK judge the object (nullptr: fine; else what is wrong with it).
  size_t object_size;
  int (*init)(void *object, const void *context);  // builds the object; 0 or an errno value
  bool (*keep_mapped)(void *object);               // see segment_mapping
  const char *function;                            // for messages
  const char *(*check)(const void *object, size_t size) = nullptr;
  const void *context = nullptr;                   // passed to init
};

struct opened_segment {
  std::shared_ptr<segment_mapping> mapping;
  std::string name;
  bool created = false;
};

// What the header of a libpipc segment says of it.
struct segment_identity {
  segment_kind kind;
  bool ready;     // its creator finished (ready == 1)
  uint64_t size;  // bytes of the whole segment, the file's size
};

// Whether the POSIX segment open as FD begins with a header of this layout (magic,
// layout version, a known kind) whose size is the whole file's: what it says then, read
// with pread (never mapped, never written, never waited for).
bool identify_segment(int fd, segment_identity &out);

// What libpipc object the POSIX segment open as FD holds ("robust mutex", "condition
// variable", "channel"), or nullptr for any other content (identify_segment). Resizing
// such a segment through pipc_shm would make every process that maps it fault (SIGBUS),
// so pipc_shm refuses.
const char *libpipc_object_in(int fd);

// Opens or creates (FLAGS: PIPC_CREAT, PIPC_EXCL; NULL NAME: a random one) the
// segment NAME. PIPC_OK or a recorded status; on failure a segment this call
// created is unlinked.
int open_segment(opened_segment &out, const char *name, uint32_t flags, uint32_t mode,
                 const segment_spec &spec);

}  // namespace pipc::core
