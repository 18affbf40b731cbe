// Reads a fuzz input front to back as little-endian fields. Past the end every
// field reads as 0, so any input is a complete one (hand-written seeds can stop
// early).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace fuzz {

class input {
 public:
  input(const uint8_t *data, size_t size) : data_(data), left_(size) {}

  bool empty() const { return left_ == 0; }

  template <class T>
  T get() {
    T value{};
    const size_t n = sizeof value < left_ ? sizeof value : left_;
    if (n != 0) std::memcpy(&value, data_, n);  // little-endian: a short tail is the low bytes
    data_ += n;
    left_ -= n;
    return value;
  }
  uint8_t u8() { return get<uint8_t>(); }
  uint16_t u16() { return get<uint16_t>(); }
  uint32_t u32() { return get<uint32_t>(); }
  uint64_t u64() { return get<uint64_t>(); }
  int64_t i64() { return get<int64_t>(); }

  // The rest of the input as a C string: up to its first NUL byte.
  std::string rest_as_c_string() {
    const std::string s(reinterpret_cast<const char *>(data_), strnlen_rest());
    data_ += left_;
    left_ = 0;
    return s;
  }

 private:
  size_t strnlen_rest() const {
    if (left_ == 0) return 0;
    const void *nul = std::memchr(data_, '\0', left_);
    return nul ? static_cast<size_t>(static_cast<const uint8_t *>(nul) - data_) : left_;
  }

  const uint8_t *data_;
  size_t left_;
};

}  // namespace fuzz
