/* Benchmark helper of bench_ls.py: creates COUNT objects of the six kinds in turn (names
 * /pipc_bench_N, keys BASE+N) and HOLDERS child processes, child i holding objects
 * i*4 .. i*4+3 (the maps, descriptors and attachments a program keeps). Prints
 * "ready N" (objects made) when all hold, then waits for stdin to close, ends the
 * children and removes what it made. Meant for a private IPC namespace. */
#include <pipc.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY_BASE 0x50000000

static int make(int n, int hold) {
  char name[64];
  snprintf(name, sizeof name, "/pipc_bench_%d", n);
  int rc;
  switch (n % 6) {
  case 0: {
    pipc_sem_options o = PIPC_SEM_OPTIONS_INIT;
    o.flags = hold ? 0 : PIPC_CREAT;
    pipc_sem *s;
    rc = pipc_sem_open(&s, name, &o);
    if (!hold) pipc_sem_close(s);
    return rc;
  }
  case 1: {
    pipc_shm_options o = PIPC_SHM_OPTIONS_INIT;
    o.flags = hold ? 0 : PIPC_CREAT;
    o.size = hold ? 0 : 4096;
    pipc_shm *s;
    void *a;
    rc = pipc_shm_open(&s, name, &o);
    if (rc == PIPC_OK && hold) rc = pipc_shm_map(&a, s, 0, 0, 0);
    if (!hold) pipc_shm_close(s);
    return rc;
  }
  case 2: {
    pipc_mq_options o = PIPC_MQ_OPTIONS_INIT;
    o.flags = hold ? 0 : PIPC_CREAT;
    o.max_messages = 1;
    o.max_message_size = 16;
    pipc_mq *q;
    rc = pipc_mq_open(&q, name, &o);
    if (!hold) pipc_mq_close(q);
    return rc;
  }
  case 3: {
    pipc_sysv_sem_options o = PIPC_SYSV_SEM_OPTIONS_INIT;
    o.flags = hold ? 0 : PIPC_CREAT;
    pipc_sysv_sem *s;
    rc = pipc_sysv_sem_open(&s, KEY_BASE + n, &o);
    if (!hold) pipc_sysv_sem_close(s);
    return rc;
  }
  case 4: {
    pipc_sysv_shm_options o = PIPC_SYSV_SHM_OPTIONS_INIT;
    o.flags = hold ? 0 : PIPC_CREAT;
    pipc_sysv_shm *s;
    rc = pipc_sysv_shm_open(&s, KEY_BASE + n, &o);
    if (rc == PIPC_OK && hold) rc = pipc_sysv_shm_attach(s, NULL, 0);
    if (!hold) pipc_sysv_shm_close(s);
    return rc;
  }
  default: {
    pipc_sysv_mq_options o = PIPC_SYSV_MQ_OPTIONS_INIT;
    o.flags = hold ? 0 : PIPC_CREAT;
    pipc_sysv_mq *q;
    rc = pipc_sysv_mq_open(&q, KEY_BASE + n, &o);
    if (!hold) pipc_sysv_mq_close(q);
    return rc;
  }
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: bench_make COUNT HOLDERS\n");
    return 2;
  }
  int count = atoi(argv[1]), holders = atoi(argv[2]), made = 0;
  for (; made < count; ++made) {
    int rc = make(made, 0);
    if (rc != PIPC_OK) {
      fprintf(stderr, "bench_make: object %d: %s: %s\n", made, pipc_strerror(rc), pipc_last_message());
      break;
    }
  }
  int gate[2], ready[2];
  if (pipe(gate) != 0 || pipe(ready) != 0) return 1;
  pid_t *pids = calloc((size_t)holders, sizeof *pids);
  for (int i = 0; i < holders; ++i) {
    pids[i] = fork();
    if (pids[i] == 0) {
      close(gate[1]);
      for (int k = 0; k < 4; ++k)
        if (i * 4 + k < made) make(i * 4 + k, 1);
      if (write(ready[1], "r", 1) != 1) _exit(1);
      char c;
      while (read(gate[0], &c, 1) > 0) {
      }
      _exit(0);
    }
  }
  close(gate[0]);
  close(ready[1]);
  for (int i = 0; i < holders; ++i) {
    char c;
    if (read(ready[0], &c, 1) != 1) return 1;
  }
  printf("ready %d\n", made);
  fflush(stdout);
  char buf[64];
  while (read(0, buf, sizeof buf) > 0) {
  }
  close(gate[1]);
  for (int i = 0; i < holders; ++i) waitpid(pids[i], NULL, 0);
  for (int n = 0; n < made; ++n) {
    char name[64];
    snprintf(name, sizeof name, "/pipc_bench_%d", n);
    switch (n % 6) {
    case 0: pipc_sem_unlink_name(name); break;
    case 1: pipc_shm_unlink_name(name); break;
    case 2: pipc_mq_unlink_name(name); break;
    default: {
      int64_t key = KEY_BASE + n;
      pipc_sysv_sem *s; pipc_sysv_shm *h; pipc_sysv_mq *q;
      if (n % 6 == 3 && pipc_sysv_sem_open(&s, key, NULL) == PIPC_OK) pipc_sysv_sem_remove(s), pipc_sysv_sem_close(s);
      if (n % 6 == 4 && pipc_sysv_shm_open(&h, key, NULL) == PIPC_OK) pipc_sysv_shm_remove(h), pipc_sysv_shm_close(h);
      if (n % 6 == 5 && pipc_sysv_mq_open(&q, key, NULL) == PIPC_OK) pipc_sysv_mq_remove(q), pipc_sysv_mq_close(q);
    }
    }
  }
  return 0;
}
