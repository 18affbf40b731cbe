// pipc(1): binary-safe standard input and output (read(2)/write(2), no stdio buffering).
#include "io.hpp"

#include <cerrno>
#include <unistd.h>

namespace cli {

bool read_stdin(std::string &out) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    out.append(buf, (size_t)n);
  }
}

bool write_stdout(const void *data, size_t len) {
  const char *p = static_cast<const char *>(data);
  while (len) {
    ssize_t n = write(1, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    len -= (size_t)n;
  }
  return true;
}

} // namespace cli
