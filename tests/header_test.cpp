// Compiled as C++ with -Wall -Wextra -pedantic -Werror: the public headers must be clean C++.
#include <pipc.h>

#include <cstring>

int main() {
  pipc_sem_options sem_opts = PIPC_SEM_OPTIONS_INIT;
  pipc_shm_options shm_opts = PIPC_SHM_OPTIONS_INIT;
  pipc_mq_options mq_opts = PIPC_MQ_OPTIONS_INIT;
  (void)sem_opts;
  (void)shm_opts;
  (void)mq_opts;
  if (std::strcmp(pipc_version(), PIPC_VERSION_STRING) != 0) return 1;
  return std::strcmp(pipc_strerror(PIPC_OK), "success") == 0 ? 0 : 1;
}
