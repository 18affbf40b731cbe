/* The writer of the exchange demonstration: creates a shared memory segment and two
 * semaphores, writes a greeting, signals "ready", waits for "done", prints the answer the
 * reader (any language) left in the segment, and removes the three objects.
 *   exchange_writer SHM READY DONE */
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
  pipc_shm_options shm_opts = PIPC_SHM_OPTIONS_INIT;
  pipc_sem_options sem_opts = PIPC_SEM_OPTIONS_INIT;
  pipc_shm *shm = NULL;
  pipc_sem *ready = NULL, *done = NULL;
  char *memory = NULL;
  int rc;
  if (argc != 4) {
    fprintf(stderr, "usage: %s SHM READY DONE\n", argv[0]);
    return 2;
  }
  shm_opts.flags = sem_opts.flags = PIPC_CREX;
  shm_opts.size = 4096;
  rc = check(pipc_shm_open(&shm, argv[1], &shm_opts), "pipc_shm_open");
  if (rc == PIPC_OK) rc = check(pipc_sem_open(&ready, argv[2], &sem_opts), "pipc_sem_open ready");
  if (rc == PIPC_OK) rc = check(pipc_sem_open(&done, argv[3], &sem_opts), "pipc_sem_open done");
  if (rc == PIPC_OK) rc = check(pipc_shm_map((void **)&memory, shm, 0, 0, 0), "pipc_shm_map");
  if (rc == PIPC_OK) {
    snprintf(memory, ANSWER_AT, "hello from C (pid %ld)", (long)getpid());
    printf("wrote \"%s\" into %s\n", memory, argv[1]);
    fflush(stdout);
    rc = check(pipc_sem_release(ready), "pipc_sem_release");
  }
  if (rc == PIPC_OK) rc = check(pipc_sem_acquire(done, SECONDS(30)), "waiting for the reader");
  if (rc == PIPC_OK) printf("the reader answered \"%s\"\n", memory + ANSWER_AT);
  /* Remove what this process made, whatever happened. */
  if (shm != NULL) pipc_shm_unlink(shm);
  if (ready != NULL) pipc_sem_unlink(ready);
  if (done != NULL) pipc_sem_unlink(done);
  if (memory != NULL) pipc_shm_unmap(shm, memory);
  pipc_shm_close(shm);
  pipc_sem_close(ready);
  pipc_sem_close(done);
  return rc == PIPC_OK ? 0 : 1;
}
