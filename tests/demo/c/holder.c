/* The semaphore holder: takes the semaphore NAME (created by the launcher with value 1)
 * ROUNDS times, and while holding it adds 1 to the counter in the shared memory segment
 * COUNTER, slowly enough that an unguarded increment would lose updates. C has no scope
 * guard, so every exit from the critical section releases by hand.
 *   holder SEMAPHORE COUNTER ROUNDS */
#define _POSIX_C_SOURCE 200809L
#include <pipc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int check(int status, const char *what) {
  if (status != PIPC_OK) fprintf(stderr, "%s: %s (%s)\n", what, pipc_strerror(status), pipc_last_message());
  return status;
}

int main(int argc, char **argv) {
  pipc_sem *sem = NULL;
  pipc_shm *shm = NULL;
  volatile uint64_t *counter = NULL;
  int rc, rounds;
  if (argc != 4 || (rounds = atoi(argv[3])) <= 0) {
    fprintf(stderr, "usage: %s SEMAPHORE COUNTER ROUNDS\n", argv[0]);
    return 2;
  }
  rc = check(pipc_sem_open(&sem, argv[1], NULL), "pipc_sem_open");
  if (rc == PIPC_OK) rc = check(pipc_shm_open(&shm, argv[2], NULL), "pipc_shm_open");
  if (rc == PIPC_OK) rc = check(pipc_shm_map((void **)&counter, shm, 0, 0, 0), "pipc_shm_map");
  for (int i = 0; rc == PIPC_OK && i < rounds; ++i) {
    rc = check(pipc_sem_acquire(sem, PIPC_FOREVER), "pipc_sem_acquire");
    if (rc != PIPC_OK) break;
    const uint64_t seen = *counter;
    nanosleep(&(struct timespec){0, 1000000}, NULL);  /* widens the window for a race */
    *counter = seen + 1;
    printf("C holds the semaphore: counter %llu -> %llu\n", (unsigned long long)seen,
           (unsigned long long)(seen + 1));
    fflush(stdout);
    rc = check(pipc_sem_release(sem), "pipc_sem_release");
  }
  if (counter != NULL) pipc_shm_unmap(shm, (void *)counter);
  pipc_shm_close(shm);
  pipc_sem_close(sem);
  return rc == PIPC_OK ? 0 : 1;
}
