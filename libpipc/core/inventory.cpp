// What the inventory's sources share: new objects, the walk's order, reading a file.
#include "core/inventory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pipc::core {

pipc_object new_object(uint32_t kind) {
  pipc_object o{};
  o.version = PIPC_OBJECT_VERSION;
  o.kind = kind;
  o.name = "";
  o.key = -1;
  o.id = -1;
  return o;
}

void sort_objects(snapshot &snap) {
  std::sort(snap.objects.begin(), snap.objects.end(),
            [](const pipc_object &a, const pipc_object &b) {
              if (a.kind != b.kind) return a.kind < b.kind;
              if (a.kind & PIPC_KIND_POSIX) return std::strcmp(a.name, b.name) < 0;
              return a.id < b.id;
            });
}

int read_whole_file(int dir, const char *path, std::string &out) {
  const int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  out.clear();
  char chunk[16384];
  for (;;) {
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n > 0) {
      out.append(chunk, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      const int err = n == 0 ? 0 : errno;
      close(fd);
      return err;
    }
  }
}

}  // namespace pipc::core
