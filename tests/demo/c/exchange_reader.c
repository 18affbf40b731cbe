/* The reader of the exchange demonstration: opens the writer's segment and semaphores by
 * name, waits for "ready", prints the greeting, answers in the segment, signals "done".
 *   exchange_reader SHM READY DONE */
#include <pipc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SECONDS(n) ((int64_t)(n) * 1000000000)
#define ANSWER_AT 1024

static int check(int status, const char *what) {
  if (status != PIPC_OK) fprintf(stderr, "%s: %s (%s)\n", what, pipc_strerror(status), pipc_last_message());
  return status;
}

int main(int argc, char **argv) {
  pipc_shm *shm = NULL;
  pipc_sem *ready = NULL, *done = NULL;
  char *memory = NULL;
  int rc;
  if (argc != 4) {
    fprintf(stderr, "usage: %s SHM READY DONE\n", argv[0]);
    return 2;
  }
  rc = check(pipc_shm_open(&shm, argv[1], NULL), "pipc_shm_open");
  if (rc == PIPC_OK) rc = check(pipc_sem_open(&ready, argv[2], NULL), "pipc_sem_open ready");
  if (rc == PIPC_OK) rc = check(pipc_sem_open(&done, argv[3], NULL), "pipc_sem_open done");
  if (rc == PIPC_OK) rc = check(pipc_shm_map((void **)&memory, shm, 0, 0, 0), "pipc_shm_map");
  if (rc == PIPC_OK) rc = check(pipc_sem_acquire(ready, SECONDS(30)), "waiting for the writer");
  if (rc == PIPC_OK) {
    printf("read \"%s\"\n", memory);
    snprintf(memory + ANSWER_AT, 1024, "hello back from C (pid %ld)", (long)getpid());
    rc = check(pipc_sem_release(done), "pipc_sem_release");
  }
  if (memory != NULL) pipc_shm_unmap(shm, memory);
  pipc_shm_close(shm);
  pipc_sem_close(ready);
  pipc_sem_close(done);
  return rc == PIPC_OK ? 0 : 1;
}
