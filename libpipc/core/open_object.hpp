// The open-or-create sequence shared by the POSIX families.
//
// PIPC_CREAT without PIPC_EXCL is done as "create exclusively, else open", so
// that pipc_X_created() is exact; a NULL name creates under random names until
// one is free.
#pragma once

#include <cerrno>
#include <cstdint>
#include <string>

#include "core/names.hpp"
#include "pipc/common.h"

namespace pipc::core {

enum class open_mode { existing, create_exclusive };

struct open_result {
  int err = 0;           // 0, or the errno of the failing attempt
  bool created = false;
  std::string name;      // the name actually used
};

// ATTEMPT(const char *name, open_mode mode) performs one OS open and returns 0
// or an errno value.
template <class Attempt>
open_result open_object(const char *name, uint32_t flags, Attempt attempt) {
  open_result result;
  if (name == nullptr) {
    char random[random_name_size];
    for (int tries = 0; tries < 64; ++tries) {
      random_name(random);
      result.err = attempt(random, open_mode::create_exclusive);
      if (result.err != EEXIST) break;
    }
    result.created = result.err == 0;
    result.name = random;
    return result;
  }
  result.name = name;
  if (!(flags & PIPC_CREAT)) {
    result.err = attempt(name, open_mode::existing);
    return result;
  }
  // Retried because another process may remove the object between our two tries.
  for (int tries = 0; tries < 64; ++tries) {
    result.err = attempt(name, open_mode::create_exclusive);
    if (result.err != EEXIST || (flags & PIPC_EXCL)) {
      result.created = result.err == 0;
      return result;
    }
    result.err = attempt(name, open_mode::existing);
    if (result.err != ENOENT) return result;
  }
  return result;
}

}  // namespace pipc::core
