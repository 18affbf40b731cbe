/* A C program against an installed libpipc, built with
 *   cc consumer.c $(pkg-config --cflags --libs libpipc)
 * Creates a semaphore with a random name, releases and acquires it, removes it. */
#include <pipc.h>
#include <stdio.h>

int main(void) {
  pipc_sem_options options = PIPC_SEM_OPTIONS_INIT;
  pipc_sem *sem = NULL;
  int status;

  options.flags = PIPC_CREX;
  status = pipc_sem_open(&sem, NULL, &options);
  if (status == PIPC_OK) {
    pipc_sem_unlink(sem); /* the open handle still works; nothing is left behind */
    status = pipc_sem_release(sem);
  }
  if (status == PIPC_OK) status = pipc_sem_acquire(sem, 0);
  pipc_sem_close(sem);
  if (status != PIPC_OK) {
    fprintf(stderr, "libpipc: %s (%s)\n", pipc_strerror(status), pipc_last_message());
    return 1;
  }
  printf("C: libpipc %s works\n", pipc_version());
  return 0;
}
