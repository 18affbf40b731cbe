// pipc(1): post and wait — a POSIX or System V semaphore, for scripts.
#include "args.hpp"
#include "cli.hpp"

#include <pipc/errors.h>
#include <pipc/sem.h>
#include <pipc/sysv.h>

namespace cli {

namespace {

// Acquires (WAIT) or releases one unit of TARGET's semaphore.
int operate(const char *verb, bool wait, int argc, char **argv) {
  std::vector<OptionSpec> spec{{"key", true, 0}, {"id", true, 0}};
  if (wait) spec.push_back({"timeout", true, 'T'});
  Parsed p = parse_args(argc, argv, spec);
  Target t = take_target(p);
  if (!p.operands.empty()) throw UsageError{"unexpected operand '" + p.operands[0] + "'"};
  int64_t timeout = p.has("timeout") ? parse_duration(p.get("timeout"), "--timeout") : PIPC_FOREVER;
  int rc;
  if (t.by_key || t.by_id) {
    pipc_sysv_sem *s = nullptr;
    if (t.by_id) {
      rc = pipc_sysv_sem_open_id(&s, t.id);
    } else {
      pipc_sysv_sem_options o = PIPC_SYSV_SEM_OPTIONS_INIT;
      rc = pipc_sysv_sem_open(&s, t.key, &o);
    }
    if (rc == PIPC_OK) rc = wait ? pipc_sysv_sem_acquire(s, 1, timeout) : pipc_sysv_sem_release(s, 1);
    pipc_sysv_sem_close(s);
  } else {
    pipc_sem *s = nullptr;
    rc = pipc_sem_open(&s, t.name.c_str(), nullptr);
    if (rc == PIPC_OK) rc = wait ? pipc_sem_acquire(s, timeout) : pipc_sem_release(s);
    pipc_sem_close(s);
  }
  return rc == PIPC_OK ? kExitOk : fail(verb, rc);
}

} // namespace

int verb_post(int argc, char **argv) { return operate("post", false, argc, argv); }
int verb_wait(int argc, char **argv) { return operate("wait", true, argc, argv); }

} // namespace cli
