/* Test helper of tests/cli: holds one existing IPC object the way a program does, says
 * "ready" on stdout, and keeps holding it until its stdin closes (or it is killed).
 * Usage: cli_holder KIND NAME-or-KEY (KIND: sem shm mq sysv-sem sysv-shm sysv-mq).
 * sem: mapped by the open; shm: descriptor and mapping; mq: descriptor; sysv-shm: an
 * attachment; sysv-sem and sysv-mq: an operation (so this process is the last pid). */
#include <pipc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int die(const char *what, int rc) {
  fprintf(stderr, "cli_holder: %s: %s: %s\n", what, pipc_strerror(rc), pipc_last_message());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: cli_holder KIND NAME-or-KEY\n");
    return 2;
  }
  const char *kind = argv[1], *target = argv[2];
  int64_t key = strtoll(target, NULL, 0);
  int rc;
  if (strcmp(kind, "sem") == 0) {
    pipc_sem *s;
    if ((rc = pipc_sem_open(&s, target, NULL)) != PIPC_OK) return die("sem", rc);
  } else if (strcmp(kind, "shm") == 0) {
    pipc_shm *s;
    void *addr;
    if ((rc = pipc_shm_open(&s, target, NULL)) != PIPC_OK) return die("shm", rc);
    if ((rc = pipc_shm_map(&addr, s, 0, 0, 0)) != PIPC_OK) return die("shm map", rc);
  } else if (strcmp(kind, "mq") == 0) {
    pipc_mq *q;
    if ((rc = pipc_mq_open(&q, target, NULL)) != PIPC_OK) return die("mq", rc);
  } else if (strcmp(kind, "sysv-sem") == 0) {
    pipc_sysv_sem *s;
    if ((rc = pipc_sysv_sem_open(&s, key, NULL)) != PIPC_OK) return die("sysv-sem", rc);
    if ((rc = pipc_sysv_sem_release(s, 1)) != PIPC_OK) return die("sysv-sem release", rc);
  } else if (strcmp(kind, "sysv-shm") == 0) {
    pipc_sysv_shm *s;
    if ((rc = pipc_sysv_shm_open(&s, key, NULL)) != PIPC_OK) return die("sysv-shm", rc);
    if ((rc = pipc_sysv_shm_attach(s, NULL, 0)) != PIPC_OK) return die("sysv-shm attach", rc);
  } else if (strcmp(kind, "sysv-mq") == 0) {
    pipc_sysv_mq *q;
    if ((rc = pipc_sysv_mq_open(&q, key, NULL)) != PIPC_OK) return die("sysv-mq", rc);
    if ((rc = pipc_sysv_mq_send(q, "x", 1, 1, 0)) != PIPC_OK) return die("sysv-mq send", rc);
  } else {
    fprintf(stderr, "cli_holder: unknown kind %s\n", kind);
    return 2;
  }
  printf("ready\n");
  fflush(stdout);
  char buf[64];
  while (read(0, buf, sizeof buf) > 0) {
  }
  return 0;
}
