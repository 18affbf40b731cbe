#include "sysv_support.hpp"

namespace pipc_test {

std::vector<int64_t> bad_keys() {
  return {int64_t{INT32_MAX} + 1, int64_t{INT32_MIN} - 1, int64_t{UINT32_MAX}, INT64_MAX,
          INT64_MIN + 1};
}

std::vector<int64_t> bad_ids(int valid_id) {
  return {-1,        int64_t{INT32_MAX} + 1, int64_t{INT32_MIN},
          INT64_MIN, INT64_MAX,              int64_t{valid_id} - (int64_t{1} << 32)};
}

std::vector<int64_t> bad_owner_ids() {
  return {-2, int64_t{UINT32_MAX}, int64_t{UINT32_MAX} + 1, INT64_MAX, INT64_MIN};
}

std::vector<int64_t> bad_modes() { return {-2, 01000, 01777, 07777, INT64_MAX, INT64_MIN}; }

}  // namespace pipc_test
