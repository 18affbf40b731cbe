/* The C side of the Ruby benchmark's "shm write 4 KiB" (tests/bench has no such case):
 * a 4 KiB memcpy into a libpipc mapping of a POSIX segment, which is what
 * Pipc::Posix::SharedMemory#write does. Prints the median ns per write of 9 rounds
 * (1 with --quick) of about 0.25 s (0.01 s). */
#define _POSIX_C_SOURCE 200809L
#include <pipc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  const int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  const int rounds = quick ? 1 : 9;
  const double round_seconds = quick ? 0.01 : 0.25;
  pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
  pipc_shm *shm = NULL;
  void *map = NULL;
  char data[4096];
  double ns[9];
  int r;
  opts.flags = PIPC_CREX;
  opts.size = sizeof data;
  if (pipc_shm_open(&shm, NULL, &opts) != PIPC_OK || pipc_shm_unlink(shm) != PIPC_OK ||
      pipc_shm_map(&map, shm, 0, 0, 0) != PIPC_OK) {
    fprintf(stderr, "shm_write: %s\n", pipc_last_message());
    return 1;
  }
  memset(data, 'x', sizeof data);
  for (r = 0; r < rounds; ++r) {
    long n = 0;
    double start = now(), elapsed;
    do {
      int i;
      for (i = 0; i < 1000; ++i) {
        memcpy(map, data, sizeof data);
        __asm__ __volatile__("" : : "r"(map) : "memory");   /* keep every copy */
      }
      n += 1000;
    } while ((elapsed = now() - start) < round_seconds);
    ns[r] = elapsed * 1e9 / (double)n;
  }
  qsort(ns, (size_t)rounds, sizeof *ns, cmp);
  printf("shm write 4 KiB %.1f\n", ns[rounds / 2]);
  return pipc_shm_close(shm) == PIPC_OK ? 0 : 1;
}
