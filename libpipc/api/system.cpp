// Entry points: version, capabilities and run-time constants.
#include <signal.h>
#include <unistd.h>

#include <cstring>

#include "core/robust_list.hpp"
#include "core/system.hpp"
#include "pipc/version.h"

extern "C" {

PIPC_API const char *pipc_version(void) { return PIPC_VERSION_STRING; }

PIPC_API int pipc_has(const char *feature) {
  if (feature == nullptr) return 0;
  static const char *const features[] = {
      "posix_sem", "sem_timedwait", "sem_clockwait", "sem_getvalue",
      "posix_shm", "posix_mq",      "mq_notify",    "sysv",
  };
  for (const char *known : features) {
    if (std::strcmp(feature, known) == 0) return 1;
  }
  // Checked against the C library once (robust_list.hpp).
  if (std::strcmp(feature, "robust_mutex") == 0) return pipc::core::robust::usable() ? 1 : 0;
  return 0;
}

PIPC_API int64_t pipc_page_size(void) { return sysconf(_SC_PAGESIZE); }

PIPC_API int64_t pipc_sem_value_max(void) { return pipc::core::sem_value_max(); }

PIPC_API int64_t pipc_mq_priority_max(void) { return pipc::core::mq_priority_max(); }

PIPC_API int64_t pipc_mq_default_max_messages(void) { return pipc::core::mq_default_max_messages(); }

PIPC_API int64_t pipc_mq_default_max_message_size(void) { return pipc::core::mq_default_max_message_size(); }

PIPC_API int64_t pipc_mq_limit_max_messages(void) { return pipc::core::mq_limit_max_messages(); }

PIPC_API int64_t pipc_mq_limit_max_message_size(void) { return pipc::core::mq_limit_max_message_size(); }

PIPC_API int64_t pipc_mq_limit_queues(void) { return pipc::core::mq_limit_queues(); }

PIPC_API int pipc_signal_min(void) { return SIGRTMIN; }

PIPC_API int pipc_signal_max(void) { return SIGRTMAX; }

}  // extern "C"
