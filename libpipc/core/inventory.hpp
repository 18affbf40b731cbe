// The inventory: a snapshot of the IPC objects on this machine and their holders
// (pipc_objects_*). Each source fills the snapshot's objects; the holders pass then
// looks at every process once.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "core/handle.hpp"
#include "pipc/inventory.h"

namespace pipc::core {

struct snapshot {
  std::vector<pipc_object> objects;
  // Grouped by object: object I's holders start at first_holder[I].
  std::vector<pipc_holder> holders;
  std::vector<uint32_t> first_holder;
  uint32_t unseen = 0;

  // Keeps TEXT for as long as the snapshot lives; a deque, so earlier strings (and the
  // pointers handed out to them) never move.
  const char *keep(std::string text) { return strings.emplace_back(std::move(text)).c_str(); }

 private:
  std::deque<std::string> strings;
};

// A pipc_object with the fields every kind shares filled in.
pipc_object new_object(uint32_t kind);

inline int64_t seconds_to_ns(int64_t seconds) { return seconds * 1000000000; }

// The sources. Each adds the objects of KINDS it knows of, or records and returns a
// status (FUNCTION names the call in the message).
int read_posix_objects(snapshot &snap, uint32_t kinds, const char *function);
int read_sysv_objects(snapshot &snap, uint32_t kinds);

// For the POSIX shared memory segment FILE in directory DIR: which of libpipc's own
// objects it holds, if it is a finished one this process may read (libpipc_type,
// PIPC_KNOWN_LIBPIPC), and a channel's messages and limits (inventory_libpipc.cpp).
void read_libpipc_object(int dir, const char *file, pipc_object &o);

// Sorts the objects into the walk's order.
void sort_objects(snapshot &snap);

// Finds the holders of the (sorted) objects: one pass over /proc.
void find_holders(snapshot &snap);

// pipc_sysv_exists for a checked KEY and KIND.
int sysv_exists(int64_t key, uint32_t kind);

// Reads the whole file PATH (relative to directory DIR, or absolute) into OUT; 0 or
// the errno of the failure.
int read_whole_file(int dir, const char *path, std::string &out);

struct object_walk final : handle {
  snapshot snap;
  std::mutex lock;      // the cursor, for callers sharing the walk between threads
  size_t next = 0;      // the object pipc_objects_next returns next
  size_t current = 0;   // 1 + the object it returned last; 0 before the first or at the end
};

template <>
struct family_traits<pipc_objects> {
  using object = object_walk;
  static constexpr table::family_id id = table::objects_family;
};

}  // namespace pipc::core
