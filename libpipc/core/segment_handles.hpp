// Handles of the objects libpipc lays out in shared memory itself (shared_segment.hpp):
// robust mutexes, condition variables and channels.
#pragma once

#include <sys/mman.h>

#include <cerrno>
#include <memory>
#include <new>
#include <string>

#include "core/handle.hpp"
#include "core/shared_segment.hpp"

namespace pipc::core {

// Gives the object of MAPPING (named NAME; CREATED by this open) a handle of type
// Handle in *OUT, whose hot paths get the object itself. On failure a segment this open
// created is unlinked.
template <class Handle>
int publish_segment(Handle **out, const std::shared_ptr<segment_mapping> &mapping,
                    const std::string &name, bool created, const char *function) {
  using object_type = typename family_traits<Handle>::object;
  object_type *object = new (std::nothrow) object_type(mapping, name, created);
  int rc = object != nullptr ? publish(out, object, function, mapping->object())
                             : fail(PIPC_ENOMEM, ENOMEM, "%s: no memory for the handle", function);
  if (rc != PIPC_OK) {
    if (created) shm_unlink(name.c_str());
    delete object;
  }
  return rc;
}

// pipc_X_unlink for these handles: removes the name handle H was opened by.
template <class Handle>
int unlink_segment(Handle *h, const char *function) {
  call<Handle> c(h);
  if (!c) return bad_handle(function);
  if (shm_unlink(c->name.c_str()) == 0) return PIPC_OK;
  return os_fail("shm_unlink", c->name.c_str());
}

}  // namespace pipc::core
