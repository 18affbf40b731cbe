/* Two processes share a semaphore, a shared memory segment and a message queue by name.
 *
 * The parent creates the three objects and writes a greeting into the segment; a child
 * process opens them by name, waits on the semaphore, reads the greeting and answers on
 * the queue. Everything is unlinked at the end. Build (installed libpipc):
 *   cc -std=c99 pipc_demo.c $(pkg-config --cflags --libs libpipc) -o pipc_demo */
#define _POSIX_C_SOURCE 200809L
#include <pipc.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECOND ((int64_t)1000000000)

static int check(int status, const char *what) {
  if (status != PIPC_OK) {
    fprintf(stderr, "%s: %s (%s)\n", what, pipc_strerror(status), pipc_last_message());
  }
  return status;
}

/* The child: open everything by name, wait for the go, read, answer. */
static int child(const char *sem_name, const char *shm_name, const char *mq_name) {
  pipc_sem *sem = NULL;
  pipc_shm *shm = NULL;
  pipc_mq *mq = NULL;
  void *memory = NULL;
  char reply[128];
  int rc = check(pipc_sem_open(&sem, sem_name, NULL), "child: pipc_sem_open");
  if (rc == PIPC_OK) rc = check(pipc_shm_open(&shm, shm_name, NULL), "child: pipc_shm_open");
  if (rc == PIPC_OK) rc = check(pipc_mq_open(&mq, mq_name, NULL), "child: pipc_mq_open");
  if (rc == PIPC_OK) rc = check(pipc_sem_acquire(sem, 10 * SECOND), "child: pipc_sem_acquire");
  if (rc == PIPC_OK) rc = check(pipc_shm_map(&memory, shm, 0, 0, PIPC_MAP_READ_ONLY), "child: map");
  if (rc == PIPC_OK) {
    printf("child  %ld: read \"%s\" from shared memory %s\n", (long)getpid(), (char *)memory,
           shm_name);
    snprintf(reply, sizeof reply, "thanks from process %ld", (long)getpid());
    rc = check(pipc_mq_send(mq, reply, strlen(reply) + 1, 7, 10 * SECOND), "child: pipc_mq_send");
  }
  pipc_sem_close(sem);
  pipc_shm_close(shm);
  pipc_mq_close(mq);
  fflush(stdout); /* the child leaves with _exit, which does not flush */
  return rc == PIPC_OK ? 0 : 1;
}

int main(void) {
  pipc_sem_options sem_opts = PIPC_SEM_OPTIONS_INIT;
  pipc_shm_options shm_opts = PIPC_SHM_OPTIONS_INIT;
  pipc_mq_options mq_opts = PIPC_MQ_OPTIONS_INIT;
  pipc_sem *sem = NULL;
  pipc_shm *shm = NULL;
  pipc_mq *mq = NULL;
  void *memory = NULL;
  char reply[8192];
  size_t len = 0;
  unsigned priority = 0;
  int status = 1;
  pid_t pid;

  printf("libpipc %s\n", pipc_version());
  sem_opts.flags = shm_opts.flags = mq_opts.flags = PIPC_CREX;
  shm_opts.size = 4096;
  /* NULL names: libpipc picks unused random names. */
  if (check(pipc_sem_open(&sem, NULL, &sem_opts), "pipc_sem_open") ||
      check(pipc_shm_open(&shm, NULL, &shm_opts), "pipc_shm_open") ||
      check(pipc_mq_open(&mq, NULL, &mq_opts), "pipc_mq_open") ||
      check(pipc_shm_map(&memory, shm, 0, 0, 0), "pipc_shm_map")) {
    goto done;
  }
  printf("parent %ld: created semaphore %s, shared memory %s, queue %s\n", (long)getpid(),
         pipc_sem_name(sem), pipc_shm_name(shm), pipc_mq_name(mq));

  fflush(stdout);
  pid = fork();
  if (pid == 0) _exit(child(pipc_sem_name(sem), pipc_shm_name(shm), pipc_mq_name(mq)));

  snprintf((char *)memory, 4096, "hello from process %ld", (long)getpid());
  printf("parent %ld: wrote a greeting, releasing the semaphore\n", (long)getpid());
  fflush(stdout);
  if (check(pipc_sem_release(sem), "pipc_sem_release") == PIPC_OK &&
      check(pipc_mq_receive(&len, &priority, mq, reply, sizeof reply, 10 * SECOND),
            "pipc_mq_receive") == PIPC_OK) {
    printf("parent %ld: received \"%s\" (priority %u) from queue %s\n", (long)getpid(), reply,
           priority, pipc_mq_name(mq));
    status = 0;
  }
  {
    int child_status = 1;
    if (waitpid(pid, &child_status, 0) != pid || child_status != 0) status = 1;
  }

done:
  /* Unlink by handle, then close: nothing is left in /dev/shm or /dev/mqueue. */
  if (sem) pipc_sem_unlink(sem);
  if (shm) pipc_shm_unlink(shm);
  if (mq) pipc_mq_unlink(mq);
  pipc_sem_close(sem);
  pipc_shm_close(shm);
  pipc_mq_close(mq);
  printf(status == 0 ? "demo passed: all three objects shared and removed\n" : "demo FAILED\n");
  return status;
}
