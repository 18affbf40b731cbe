// Entry points: what the System V families share (keys).
#include <sys/ipc.h>

#include <cerrno>

#include "core/error.hpp"
#include "pipc/sysv.h"

extern "C" {

PIPC_API int pipc_ftok(int64_t *key_out, const char *path, int id) {
  if (key_out == nullptr) return pipc::core::invalid("pipc_ftok: key_out is NULL");
  if (path == nullptr) return pipc::core::invalid("pipc_ftok: path is NULL");
  if (path[0] == '\0') return pipc::core::invalid("pipc_ftok: path is empty");
  // Only the low 8 bits of ID count (as in ftok). A key of -1 is a real key when
  // errno stays 0: ftok fails only when stat does.
  errno = 0;
  const key_t key = ftok(path, id);
  if (key == -1 && errno != 0) return pipc::core::os_fail("ftok", path);
  *key_out = key;
  return PIPC_OK;
}

}  // extern "C"
