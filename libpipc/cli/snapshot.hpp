// pipc(1): a copy of the inventory's walk that the verbs can sort, filter and keep.
#ifndef PIPC_CLI_SNAPSHOT_HPP
#define PIPC_CLI_SNAPSHOT_HPP

#include "args.hpp"

#include <pipc/inventory.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cli {

struct Holder {
  int32_t pid = 0;
  uint32_t how = 0; // PIPC_HOLD_*
  uint32_t uid = 0;
  std::string command;
};

struct Object {
  pipc_object info{}; // info.name is not valid: use name
  std::string name;
  std::vector<Holder> holders;
  bool holders_known() const { return (info.known & PIPC_KNOWN_HOLDERS) != 0; }
  bool sysv() const { return (info.kind & PIPC_KIND_SYSV) != 0; }
};

struct Snapshot {
  std::vector<Object> objects;
  uint32_t kinds = 0;    // the kinds actually listed (PIPC_KIND_MQ dropped when unmounted)
  uint32_t unseen = 0;   // processes the holder scan could not look into
  bool holders = false;  // the holder scan ran
  std::vector<std::string> warnings;
};

// Lists KINDS (with their holders if HOLDERS). Where POSIX queues cannot be listed
// (PIPC_ENOTSUP: no mqueue filesystem), warns with the library's advice and lists the
// other kinds. Returns PIPC_OK or a status (already reported with VERB).
int take_snapshot(Snapshot &out, uint32_t kinds, bool holders, const char *verb);

// As root, where no mqueue filesystem is mounted: a private mount namespace with one on
// /dev/mqueue, so the inventory can list POSIX queues (what util-linux's lsipc does).
// Does nothing otherwise. Call while the process is single-threaded.
void prepare_mqueue_view();

// The objects of SNAP that TARGET names (a POSIX name in any POSIX kind, a key or an id
// in any System V kind), among KINDS.
std::vector<const Object *> matching(const Snapshot &snap, const Target &target, uint32_t kinds);

// "fd,map" for PIPC_HOLD_* bits.
std::string how_text(uint32_t how);

} // namespace cli

#endif
