// Checks shared by every family's open options.
#pragma once

#include <cstdint>

namespace pipc::core {

// PIPC_OK when VERSION is CURRENT, FLAGS has no bit outside ALLOWED and MODE
// fits in 07777; else records which and returns PIPC_EINVAL.
int check_open_options(const char *function, uint32_t version, uint32_t current,
                       uint32_t flags, uint32_t allowed, uint32_t mode);

}  // namespace pipc::core
