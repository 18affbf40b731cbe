// Helpers for the robust mutex and condition variable suites.
#pragma once

#include <string>

#include "pipc.h"
#include "support.hpp"

namespace pipc_test {

// A mutex and a condition variable under fresh names; unlinked and closed when
// the test ends.
struct owned_mutex {
  std::string name = unique_name();
  pipc_mutex *mutex = nullptr;

  owned_mutex() {
    pipc_mutex_options opts = PIPC_MUTEX_OPTIONS_INIT;
    opts.flags = PIPC_CREX;
    if (pipc_mutex_open(&mutex, name.c_str(), &opts) != PIPC_OK) mutex = nullptr;
  }
  ~owned_mutex() {
    pipc_mutex_unlink_name(name.c_str());
    pipc_mutex_close(mutex);
  }
  owned_mutex(const owned_mutex &) = delete;
  owned_mutex &operator=(const owned_mutex &) = delete;
};

struct owned_cond {
  std::string name = unique_name();
  pipc_cond *cond = nullptr;

  owned_cond() {
    pipc_cond_options opts = PIPC_COND_OPTIONS_INIT;
    opts.flags = PIPC_CREX;
    if (pipc_cond_open(&cond, name.c_str(), &opts) != PIPC_OK) cond = nullptr;
  }
  ~owned_cond() {
    pipc_cond_unlink_name(name.c_str());
    pipc_cond_close(cond);
  }
  owned_cond(const owned_cond &) = delete;
  owned_cond &operator=(const owned_cond &) = delete;
};

// Opens the existing mutex NAME (in a child, say); nullptr on failure.
inline pipc_mutex *open_existing_mutex(const std::string &name) {
  pipc_mutex *m = nullptr;
  return pipc_mutex_open(&m, name.c_str(), nullptr) == PIPC_OK ? m : nullptr;
}

inline pipc_cond *open_existing_cond(const std::string &name) {
  pipc_cond *c = nullptr;
  return pipc_cond_open(&c, name.c_str(), nullptr) == PIPC_OK ? c : nullptr;
}

}  // namespace pipc_test
