/* pipc_peer: the other process of the Python binding's cross-process tests, written
 * against libpipc's C API only. One subcommand per run:
 *
 *   POSIX (by name)                          System V (by key)
 *   sem-create NAME VALUE                    sysv-sem-create KEY VALUE
 *   sem-release NAME                         sysv-sem-release KEY
 *   sem-acquire NAME TIMEOUT_MS              sysv-sem-acquire KEY TIMEOUT_MS
 *   sem-value NAME                           sysv-sem-value KEY
 *   sem-pingpong PING PONG N TIMEOUT_MS      sysv-sem-pingpong PING PONG N TIMEOUT_MS
 *   sem-unlink NAME                          sysv-sem-remove KEY
 *   mq-create NAME MAX_MESSAGES MAX_SIZE     sysv-mq-create KEY
 *   mq-send NAME PRIORITY TEXT               sysv-mq-send KEY TYPE TEXT
 *   mq-receive NAME [TIMEOUT_MS]             sysv-mq-receive KEY TYPE [TIMEOUT_MS]
 *   mq-unlink NAME                           sysv-mq-remove KEY
 *   shm-create NAME SIZE                     sysv-shm-create KEY SIZE
 *   shm-write NAME OFFSET TEXT               sysv-shm-write KEY OFFSET TEXT
 *   shm-read NAME OFFSET LEN                 sysv-shm-read KEY OFFSET LEN
 *   shm-unlink NAME                          sysv-shm-remove KEY
 *
 * The create commands make a new object (exclusively) and leave it in place; the others
 * open an existing one. sem-pingpong acquires PING and releases PONG, N times. sem-value
 * prints the value; receives print "PRIORITY TEXT" (or "TYPE TEXT") and a newline;
 * shm-read writes exactly LEN raw bytes. TIMEOUT_MS < 0 waits forever; the receives wait
 * 5000 ms by default. Exit status: 0 success, 1 a pipc error (its message on stderr),
 * 2 bad usage, 3 the wait timed out or would have blocked. */
#include <pipc.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_PIPC 1
#define EXIT_USAGE 2
#define EXIT_BUSY 3
#define DEFAULT_TIMEOUT_MS 5000

static const char *command = "pipc_peer";

static int usage(const char *why)
{
  fprintf(stderr, "pipc_peer: %s: %s\n", command, why);
  return EXIT_USAGE;
}

/* Reports a failed pipc call and gives the exit status for it. */
static int fail(const char *call, int status)
{
  fprintf(stderr, "pipc_peer: %s: %s: %s: %s\n", command, call, pipc_strerror(status),
          pipc_last_message());
  return status == PIPC_ETIMEDOUT || status == PIPC_EAGAIN ? EXIT_BUSY : EXIT_PIPC;
}

static int parse_i64(const char *text, int64_t min, int64_t max, int64_t *out)
{
  char *end;
  long long value;
  errno = 0;
  value = strtoll(text, &end, 0);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max) return -1;
  *out = (int64_t)value;
  return 0;
}

static int64_t timeout_ns(int64_t ms)
{
  return ms < 0 ? PIPC_FOREVER : ms * 1000000;
}

static int bad_number(const char *what, const char *text)
{
  fprintf(stderr, "pipc_peer: %s: bad %s \"%s\"\n", command, what, text);
  return EXIT_USAGE;
}

/* Parses TEXT into the int64_t VAR, or returns from the caller with EXIT_USAGE. */
#define ARG_I64(var, text, min, max)                     \
  do {                                                   \
    if (parse_i64((text), (min), (max), &(var)) < 0)     \
      return bad_number(#var, (text));                   \
  } while (0)

/* ---- POSIX semaphores ------------------------------------------------------------ */

static int sem_open_existing(pipc_sem **sem, const char *name)
{
  int st = pipc_sem_open(sem, name, NULL);
  return st == PIPC_OK ? 0 : fail("pipc_sem_open", st);
}

static int cmd_sem_create(char **argv)
{
  pipc_sem_options opts = PIPC_SEM_OPTIONS_INIT;
  pipc_sem *sem;
  int64_t value;
  int st;
  ARG_I64(value, argv[1], 0, pipc_sem_value_max());
  opts.flags = PIPC_CREX;
  opts.initial_value = (uint32_t)value;
  st = pipc_sem_open(&sem, argv[0], &opts);
  if (st != PIPC_OK) return fail("pipc_sem_open", st);
  pipc_sem_close(sem);
  return 0;
}

static int cmd_sem_release(char **argv)
{
  pipc_sem *sem;
  int rc = sem_open_existing(&sem, argv[0]);
  if (rc == 0) {
    int st = pipc_sem_release(sem);
    if (st != PIPC_OK) rc = fail("pipc_sem_release", st);
    pipc_sem_close(sem);
  }
  return rc;
}

static int cmd_sem_acquire(char **argv)
{
  pipc_sem *sem;
  int64_t ms;
  int rc;
  ARG_I64(ms, argv[1], INT32_MIN, INT32_MAX);
  rc = sem_open_existing(&sem, argv[0]);
  if (rc == 0) {
    int st = pipc_sem_acquire(sem, timeout_ns(ms));
    if (st != PIPC_OK) rc = fail("pipc_sem_acquire", st);
    pipc_sem_close(sem);
  }
  return rc;
}

static int cmd_sem_value(char **argv)
{
  pipc_sem *sem;
  int rc = sem_open_existing(&sem, argv[0]);
  if (rc == 0) {
    int value;
    int st = pipc_sem_value(&value, sem);
    if (st != PIPC_OK) rc = fail("pipc_sem_value", st);
    else printf("%d\n", value);
    pipc_sem_close(sem);
  }
  return rc;
}

static int cmd_sem_pingpong(char **argv)
{
  pipc_sem *ping, *pong;
  int64_t rounds, ms, i;
  int rc;
  ARG_I64(rounds, argv[2], 0, INT32_MAX);
  ARG_I64(ms, argv[3], INT32_MIN, INT32_MAX);
  if ((rc = sem_open_existing(&ping, argv[0])) != 0) return rc;
  if ((rc = sem_open_existing(&pong, argv[1])) != 0) {
    pipc_sem_close(ping);
    return rc;
  }
  for (i = 0; i < rounds && rc == 0; i++) {
    int st = pipc_sem_acquire(ping, timeout_ns(ms));
    if (st != PIPC_OK) rc = fail("pipc_sem_acquire", st);
    else if ((st = pipc_sem_release(pong)) != PIPC_OK) rc = fail("pipc_sem_release", st);
  }
  pipc_sem_close(pong);
  pipc_sem_close(ping);
  return rc;
}

/* ---- POSIX message queues --------------------------------------------------------- */

static int cmd_mq_create(char **argv)
{
  pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
  pipc_mq *mq;
  int st;
  ARG_I64(opts.max_messages, argv[1], 1, INT32_MAX);
  ARG_I64(opts.max_message_size, argv[2], 1, INT32_MAX);
  opts.flags = PIPC_CREX;
  st = pipc_mq_open(&mq, argv[0], &opts);
  if (st != PIPC_OK) return fail("pipc_mq_open", st);
  pipc_mq_close(mq);
  return 0;
}

static int cmd_mq_send(char **argv)
{
  pipc_mq *mq;
  int64_t priority;
  int st;
  ARG_I64(priority, argv[1], 0, UINT32_MAX);
  st = pipc_mq_open(&mq, argv[0], NULL);
  if (st != PIPC_OK) return fail("pipc_mq_open", st);
  st = pipc_mq_send(mq, argv[2], strlen(argv[2]), (unsigned)priority,
                    timeout_ns(DEFAULT_TIMEOUT_MS));
  pipc_mq_close(mq);
  return st == PIPC_OK ? 0 : fail("pipc_mq_send", st);
}

static int cmd_mq_receive(char **argv)
{
  pipc_mq *mq;
  int64_t ms = DEFAULT_TIMEOUT_MS, size;
  unsigned priority;
  size_t len;
  char *buf;
  int st;
  if (argv[1] != NULL) ARG_I64(ms, argv[1], INT32_MIN, INT32_MAX);
  st = pipc_mq_open(&mq, argv[0], NULL);
  if (st != PIPC_OK) return fail("pipc_mq_open", st);
  if ((st = pipc_mq_max_message_size(&size, mq)) != PIPC_OK) {
    pipc_mq_close(mq);
    return fail("pipc_mq_max_message_size", st);
  }
  if ((buf = malloc((size_t)size)) == NULL) {
    pipc_mq_close(mq);
    return usage("out of memory");
  }
  st = pipc_mq_receive(&len, &priority, mq, buf, (size_t)size, timeout_ns(ms));
  pipc_mq_close(mq);
  if (st == PIPC_OK) printf("%u %.*s\n", priority, (int)len, buf);
  free(buf);
  return st == PIPC_OK ? 0 : fail("pipc_mq_receive", st);
}

/* ---- POSIX shared memory ---------------------------------------------------------- */

static int cmd_shm_create(char **argv)
{
  pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
  pipc_shm *shm;
  int64_t size;
  int st;
  ARG_I64(size, argv[1], 1, INT64_MAX);
  opts.flags = PIPC_CREX;
  opts.size = (uint64_t)size;
  st = pipc_shm_open(&shm, argv[0], &opts);
  if (st != PIPC_OK) return fail("pipc_shm_open", st);
  pipc_shm_close(shm);
  return 0;
}

/* Opens NAME and maps all of it; *size_out is its size. */
static int shm_map_all(pipc_shm **shm, char **addr, uint64_t *size_out, const char *name,
                       uint32_t access)
{
  pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
  void *p;
  int st;
  opts.access = access;
  if ((st = pipc_shm_open(shm, name, &opts)) != PIPC_OK) return fail("pipc_shm_open", st);
  if ((st = pipc_shm_size(size_out, *shm)) != PIPC_OK ||
      (st = pipc_shm_map(&p, *shm, 0, 0,
                         access == PIPC_READ ? PIPC_MAP_READ_ONLY : 0u)) != PIPC_OK) {
    pipc_shm_close(*shm);
    return fail("pipc_shm_map", st);
  }
  *addr = p;
  return 0;
}

static int cmd_shm_write(char **argv)
{
  pipc_shm *shm;
  char *addr;
  uint64_t size;
  int64_t offset;
  size_t len = strlen(argv[2]);
  int rc;
  ARG_I64(offset, argv[1], 0, INT64_MAX);
  if ((rc = shm_map_all(&shm, &addr, &size, argv[0], PIPC_READ_WRITE)) != 0) return rc;
  if ((uint64_t)offset > size || len > size - (uint64_t)offset)
    rc = usage("range outside the segment");
  else memcpy(addr + offset, argv[2], len);
  pipc_shm_close(shm);
  return rc;
}

static int cmd_shm_read(char **argv)
{
  pipc_shm *shm;
  char *addr;
  uint64_t size;
  int64_t offset, len;
  int rc;
  ARG_I64(offset, argv[1], 0, INT64_MAX);
  ARG_I64(len, argv[2], 0, INT64_MAX);
  if ((rc = shm_map_all(&shm, &addr, &size, argv[0], PIPC_READ)) != 0) return rc;
  if ((uint64_t)offset > size || (uint64_t)len > size - (uint64_t)offset)
    rc = usage("range outside the segment");
  else if (fwrite(addr + offset, 1, (size_t)len, stdout) != (size_t)len)
    rc = usage("short write to stdout");
  pipc_shm_close(shm);
  return rc;
}

/* ---- System V semaphores ---------------------------------------------------------- */

static int sysv_sem_open_key(pipc_sysv_sem **sem, const char *key_text)
{
  int64_t key;
  int st;
  ARG_I64(key, key_text, PIPC_SYSV_KEY_MIN, PIPC_SYSV_KEY_MAX);
  st = pipc_sysv_sem_open(sem, key, NULL);
  return st == PIPC_OK ? 0 : fail("pipc_sysv_sem_open", st);
}

static int cmd_sysv_sem_create(char **argv)
{
  pipc_sysv_sem_options opts = PIPC_SYSV_SEM_OPTIONS_INIT;
  pipc_sysv_sem *sem;
  int64_t key, value;
  int st;
  ARG_I64(key, argv[0], PIPC_SYSV_KEY_MIN, PIPC_SYSV_KEY_MAX);
  ARG_I64(value, argv[1], 0, pipc_sysv_sem_value_max());
  opts.flags = PIPC_CREX;
  opts.initial_value = (uint32_t)value;
  st = pipc_sysv_sem_open(&sem, key, &opts);
  if (st != PIPC_OK) return fail("pipc_sysv_sem_open", st);
  pipc_sysv_sem_close(sem);
  return 0;
}

static int cmd_sysv_sem_release(char **argv)
{
  pipc_sysv_sem *sem;
  int rc = sysv_sem_open_key(&sem, argv[0]);
  if (rc == 0) {
    int st = pipc_sysv_sem_release(sem, 1);
    if (st != PIPC_OK) rc = fail("pipc_sysv_sem_release", st);
    pipc_sysv_sem_close(sem);
  }
  return rc;
}

static int cmd_sysv_sem_acquire(char **argv)
{
  pipc_sysv_sem *sem;
  int64_t ms;
  int rc;
  ARG_I64(ms, argv[1], INT32_MIN, INT32_MAX);
  if ((rc = sysv_sem_open_key(&sem, argv[0])) == 0) {
    int st = pipc_sysv_sem_acquire(sem, 1, timeout_ns(ms));
    if (st != PIPC_OK) rc = fail("pipc_sysv_sem_acquire", st);
    pipc_sysv_sem_close(sem);
  }
  return rc;
}

static int cmd_sysv_sem_value(char **argv)
{
  pipc_sysv_sem *sem;
  int rc = sysv_sem_open_key(&sem, argv[0]);
  if (rc == 0) {
    int value;
    int st = pipc_sysv_sem_value(&value, sem);
    if (st != PIPC_OK) rc = fail("pipc_sysv_sem_value", st);
    else printf("%d\n", value);
    pipc_sysv_sem_close(sem);
  }
  return rc;
}

static int cmd_sysv_sem_pingpong(char **argv)
{
  pipc_sysv_sem *ping, *pong;
  int64_t rounds, ms, i;
  int rc;
  ARG_I64(rounds, argv[2], 0, INT32_MAX);
  ARG_I64(ms, argv[3], INT32_MIN, INT32_MAX);
  if ((rc = sysv_sem_open_key(&ping, argv[0])) != 0) return rc;
  if ((rc = sysv_sem_open_key(&pong, argv[1])) != 0) {
    pipc_sysv_sem_close(ping);
    return rc;
  }
  for (i = 0; i < rounds && rc == 0; i++) {
    int st = pipc_sysv_sem_acquire(ping, 1, timeout_ns(ms));
    if (st != PIPC_OK) rc = fail("pipc_sysv_sem_acquire", st);
    else if ((st = pipc_sysv_sem_release(pong, 1)) != PIPC_OK)
      rc = fail("pipc_sysv_sem_release", st);
  }
  pipc_sysv_sem_close(pong);
  pipc_sysv_sem_close(ping);
  return rc;
}

/* ---- System V message queues ------------------------------------------------------ */

static int sysv_mq_open_key(pipc_sysv_mq **mq, const char *key_text)
{
  int64_t key;
  int st;
  ARG_I64(key, key_text, PIPC_SYSV_KEY_MIN, PIPC_SYSV_KEY_MAX);
  st = pipc_sysv_mq_open(mq, key, NULL);
  return st == PIPC_OK ? 0 : fail("pipc_sysv_mq_open", st);
}

static int cmd_sysv_mq_create(char **argv)
{
  pipc_sysv_mq_options opts = PIPC_SYSV_MQ_OPTIONS_INIT;
  pipc_sysv_mq *mq;
  int64_t key;
  int st;
  ARG_I64(key, argv[0], PIPC_SYSV_KEY_MIN, PIPC_SYSV_KEY_MAX);
  opts.flags = PIPC_CREX;
  st = pipc_sysv_mq_open(&mq, key, &opts);
  if (st != PIPC_OK) return fail("pipc_sysv_mq_open", st);
  pipc_sysv_mq_close(mq);
  return 0;
}

static int cmd_sysv_mq_send(char **argv)
{
  pipc_sysv_mq *mq;
  int64_t type;
  int rc;
  ARG_I64(type, argv[1], 1, INT64_MAX);
  if ((rc = sysv_mq_open_key(&mq, argv[0])) == 0) {
    int st = pipc_sysv_mq_send(mq, argv[2], strlen(argv[2]), type, timeout_ns(DEFAULT_TIMEOUT_MS));
    if (st != PIPC_OK) rc = fail("pipc_sysv_mq_send", st);
    pipc_sysv_mq_close(mq);
  }
  return rc;
}

static int cmd_sysv_mq_receive(char **argv)
{
  pipc_sysv_mq *mq;
  int64_t type, ms = DEFAULT_TIMEOUT_MS, got_type;
  size_t cap = (size_t)pipc_sysv_mq_message_size_max(), len;
  char *buf;
  int rc;
  ARG_I64(type, argv[1], INT64_MIN + 1, INT64_MAX);
  if (argv[2] != NULL) ARG_I64(ms, argv[2], INT32_MIN, INT32_MAX);
  if ((buf = malloc(cap)) == NULL) return usage("out of memory");
  if ((rc = sysv_mq_open_key(&mq, argv[0])) == 0) {
    int st = pipc_sysv_mq_receive(&len, &got_type, mq, buf, cap, type, 0u, timeout_ns(ms));
    if (st != PIPC_OK) rc = fail("pipc_sysv_mq_receive", st);
    else printf("%lld %.*s\n", (long long)got_type, (int)len, buf);
    pipc_sysv_mq_close(mq);
  }
  free(buf);
  return rc;
}

/* ---- System V shared memory ------------------------------------------------------- */

static int cmd_sysv_shm_create(char **argv)
{
  pipc_sysv_shm_options opts = PIPC_SYSV_SHM_OPTIONS_INIT;
  pipc_sysv_shm *shm;
  int64_t key, size;
  int st;
  ARG_I64(key, argv[0], PIPC_SYSV_KEY_MIN, PIPC_SYSV_KEY_MAX);
  ARG_I64(size, argv[1], 1, INT64_MAX);
  opts.flags = PIPC_CREX;
  opts.size = (uint64_t)size;
  st = pipc_sysv_shm_open(&shm, key, &opts);
  if (st != PIPC_OK) return fail("pipc_sysv_shm_open", st);
  pipc_sysv_shm_close(shm);
  return 0;
}

static int sysv_shm_attach_key(pipc_sysv_shm **shm, const char *key_text, uint32_t flags)
{
  int64_t key;
  int st;
  ARG_I64(key, key_text, PIPC_SYSV_KEY_MIN, PIPC_SYSV_KEY_MAX);
  if ((st = pipc_sysv_shm_open(shm, key, NULL)) != PIPC_OK) return fail("pipc_sysv_shm_open", st);
  if ((st = pipc_sysv_shm_attach(*shm, NULL, flags)) != PIPC_OK) {
    pipc_sysv_shm_close(*shm);
    return fail("pipc_sysv_shm_attach", st);
  }
  return 0;
}

static int cmd_sysv_shm_write(char **argv)
{
  pipc_sysv_shm *shm;
  int64_t offset;
  int rc;
  ARG_I64(offset, argv[1], 0, INT64_MAX);
  if ((rc = sysv_shm_attach_key(&shm, argv[0], 0u)) == 0) {
    int st = pipc_sysv_shm_write(shm, (uint64_t)offset, argv[2], strlen(argv[2]));
    if (st != PIPC_OK) rc = fail("pipc_sysv_shm_write", st);
    pipc_sysv_shm_close(shm);
  }
  return rc;
}

static int cmd_sysv_shm_read(char **argv)
{
  pipc_sysv_shm *shm;
  int64_t offset, len;
  char *buf;
  int rc;
  ARG_I64(offset, argv[1], 0, INT64_MAX);
  ARG_I64(len, argv[2], 0, INT32_MAX);
  if ((buf = malloc(len > 0 ? (size_t)len : 1u)) == NULL) return usage("out of memory");
  if ((rc = sysv_shm_attach_key(&shm, argv[0], PIPC_SHM_ATTACH_READ_ONLY)) == 0) {
    int st = pipc_sysv_shm_read(shm, (uint64_t)offset, buf, (size_t)len);
    if (st != PIPC_OK) rc = fail("pipc_sysv_shm_read", st);
    else if (fwrite(buf, 1, (size_t)len, stdout) != (size_t)len)
      rc = usage("short write to stdout");
    pipc_sysv_shm_close(shm);
  }
  free(buf);
  return rc;
}

/* ---- Removal ---------------------------------------------------------------------- */

static int cmd_sem_unlink(char **argv)
{
  int st = pipc_sem_unlink_name(argv[0]);
  return st == PIPC_OK ? 0 : fail("pipc_sem_unlink_name", st);
}

static int cmd_mq_unlink(char **argv)
{
  int st = pipc_mq_unlink_name(argv[0]);
  return st == PIPC_OK ? 0 : fail("pipc_mq_unlink_name", st);
}

static int cmd_shm_unlink(char **argv)
{
  int st = pipc_shm_unlink_name(argv[0]);
  return st == PIPC_OK ? 0 : fail("pipc_shm_unlink_name", st);
}

static int cmd_sysv_sem_remove(char **argv)
{
  pipc_sysv_sem *sem;
  int rc = sysv_sem_open_key(&sem, argv[0]);
  if (rc == 0) {
    int st = pipc_sysv_sem_remove(sem);
    if (st != PIPC_OK) rc = fail("pipc_sysv_sem_remove", st);
    pipc_sysv_sem_close(sem);
  }
  return rc;
}

static int cmd_sysv_mq_remove(char **argv)
{
  pipc_sysv_mq *mq;
  int rc = sysv_mq_open_key(&mq, argv[0]);
  if (rc == 0) {
    int st = pipc_sysv_mq_remove(mq);
    if (st != PIPC_OK) rc = fail("pipc_sysv_mq_remove", st);
    pipc_sysv_mq_close(mq);
  }
  return rc;
}

static int cmd_sysv_shm_remove(char **argv)
{
  pipc_sysv_shm *shm;
  int64_t key;
  int st;
  ARG_I64(key, argv[0], PIPC_SYSV_KEY_MIN, PIPC_SYSV_KEY_MAX);
  if ((st = pipc_sysv_shm_open(&shm, key, NULL)) != PIPC_OK) return fail("pipc_sysv_shm_open", st);
  st = pipc_sysv_shm_remove(shm);
  pipc_sysv_shm_close(shm);
  return st == PIPC_OK ? 0 : fail("pipc_sysv_shm_remove", st);
}

/* ---- Dispatch --------------------------------------------------------------------- */

struct peer_command {
  const char *name;
  int min_args, max_args;
  int (*run)(char **argv);
};

static const struct peer_command commands[] = {
  {"sem-create", 2, 2, cmd_sem_create},
  {"sem-release", 1, 1, cmd_sem_release},
  {"sem-acquire", 2, 2, cmd_sem_acquire},
  {"sem-value", 1, 1, cmd_sem_value},
  {"sem-pingpong", 4, 4, cmd_sem_pingpong},
  {"mq-create", 3, 3, cmd_mq_create},
  {"mq-send", 3, 3, cmd_mq_send},
  {"mq-receive", 1, 2, cmd_mq_receive},
  {"shm-create", 2, 2, cmd_shm_create},
  {"shm-write", 3, 3, cmd_shm_write},
  {"shm-read", 3, 3, cmd_shm_read},
  {"sysv-sem-create", 2, 2, cmd_sysv_sem_create},
  {"sysv-sem-release", 1, 1, cmd_sysv_sem_release},
  {"sysv-sem-acquire", 2, 2, cmd_sysv_sem_acquire},
  {"sysv-sem-value", 1, 1, cmd_sysv_sem_value},
  {"sysv-sem-pingpong", 4, 4, cmd_sysv_sem_pingpong},
  {"sysv-mq-create", 1, 1, cmd_sysv_mq_create},
  {"sysv-mq-send", 3, 3, cmd_sysv_mq_send},
  {"sysv-mq-receive", 2, 3, cmd_sysv_mq_receive},
  {"sysv-shm-create", 2, 2, cmd_sysv_shm_create},
  {"sysv-shm-write", 3, 3, cmd_sysv_shm_write},
  {"sysv-shm-read", 3, 3, cmd_sysv_shm_read},
  {"sem-unlink", 1, 1, cmd_sem_unlink},
  {"mq-unlink", 1, 1, cmd_mq_unlink},
  {"shm-unlink", 1, 1, cmd_shm_unlink},
  {"sysv-sem-remove", 1, 1, cmd_sysv_sem_remove},
  {"sysv-mq-remove", 1, 1, cmd_sysv_mq_remove},
  {"sysv-shm-remove", 1, 1, cmd_sysv_shm_remove},
};

int main(int argc, char **argv)
{
  size_t i;
  int rc;
  if (argc < 2) {
    fputs("usage: pipc_peer COMMAND ARGS... (see the comment at the top of pipc_peer.c)\n", stderr);
    return EXIT_USAGE;
  }
  command = argv[1];
  for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    const struct peer_command *c = &commands[i];
    if (strcmp(c->name, argv[1]) != 0) continue;
    if (argc - 2 < c->min_args || argc - 2 > c->max_args) return usage("wrong number of arguments");
    rc = c->run(argv + 2);
    if (fflush(stdout) != 0 && rc == 0) rc = usage("cannot write to stdout");
    return rc;
  }
  return usage("unknown command");
}
