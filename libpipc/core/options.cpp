#include "core/options.hpp"

#include "core/error.hpp"

namespace pipc::core {

int check_open_options(const char *function, uint32_t version, uint32_t current,
                       uint32_t flags, uint32_t allowed, uint32_t mode) {
  if (version != current) {
    return invalid("%s: options version %u is not %u (initialise with the _OPTIONS_INIT macro)",
                   function, version, current);
  }
  if (flags & ~allowed) {
    return invalid("%s: unknown flags 0x%x (allowed: 0x%x)", function, flags & ~allowed, allowed);
  }
  if (mode & ~07777u) return invalid("%s: mode 0%o has bits outside 07777", function, mode);
  return PIPC_OK;
}

}  // namespace pipc::core
