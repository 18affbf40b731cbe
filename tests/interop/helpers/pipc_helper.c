/* The C side of the interop suite: libpipc's C API driven by the line protocol of
 * tests/interop/PROTOCOL.md (commands on stdin, one reply line each on stdout). */
#include <pipc.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "payload.h"

#define MAX_WORDS 8
#define MAX_BYTES 65536

enum kind { NONE, SEM, SHM, MQ, MUTEX, COND, CHANNEL, SYSV_SEM, SYSV_SHM, SYSV_MQ };
static const char *const kind_names[] = {"",        "sem",      "shm",      "mq",
                                         "mutex",   "cond",     "channel",  "sysv_sem",
                                         "sysv_shm", "sysv_mq"};

/* lockcount's shared memory: the counter, then one slot per worker. */
#define LOCKCOUNT_WORKERS 64
#define LOCKCOUNT_SIZE (8 * (1 + LOCKCOUNT_WORKERS))

/* The one object a helper holds. */
static struct {
  enum kind kind;
  pipc_sem *sem;
  pipc_shm *shm;
  unsigned char *map; /* the whole POSIX segment */
  uint64_t map_size;
  pipc_mq *mq;
  pipc_mutex *mutex; /* a mutex, or a cond's mutex NAME-m */
  pipc_cond *cond;
  pipc_channel *channel;
  pipc_sysv_sem *sysv_sem;
  pipc_sysv_shm *sysv_shm;
  pipc_sysv_mq *sysv_mq;
} held;

static unsigned char bytes[MAX_BYTES];

/* ---- replies ---------------------------------------------------------------------- */

static void reply(const char *text) {
  printf("%s\n", text);
  fflush(stdout);
}

/* The reply for a failed call: busy for a wait that timed out or would block. */
static void reply_status(int status) {
  if (status == PIPC_ETIMEDOUT || status == PIPC_EAGAIN) {
    reply("busy");
  } else {
    printf("error %s %s\n", pipc_strerror(status), pipc_last_message());
    fflush(stdout);
  }
}

static void reply_ok_or(int status) {
  if (status == PIPC_OK) reply("ok");
  else reply_status(status);
}

static void reply_hex(const char *head, const unsigned char *data, size_t len) {
  printf("%s", head);
  if (len == 0) printf("-");
  for (size_t i = 0; i < len; ++i) printf("%02x", data[i]);
  printf("\n");
  fflush(stdout);
}

/* ---- little-endian 64-bit integers in shared memory ------------------------------ */

static uint64_t load_le64(const unsigned char *p) {
  uint64_t value = 0;
  for (int b = 7; b >= 0; --b) value = value << 8 | p[b];
  return value;
}

static void store_le64(unsigned char *p, uint64_t value) {
  for (int b = 0; b < 8; ++b) p[b] = (unsigned char)(value >> (8 * b));
}

static void increment(unsigned char *p) { store_le64(p, load_le64(p) + 1); }

/* ---- arguments -------------------------------------------------------------------- */

static int number(const char *text, int64_t min, int64_t max, int64_t *out) {
  char *end;
  long long value;
  if (text == NULL) return -1;
  errno = 0;
  value = strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max) return -1;
  *out = value;
  return 0;
}

static int64_t timeout_ns(const char *ms_text, int *ok) {
  int64_t ms = 0;
  *ok = number(ms_text, 0, INT64_MAX / 1000000, &ms) == 0;
  return ms * 1000000;
}

/* Decodes HEX ("-" for none) into bytes[]; the length, or -1. */
static long unhex(const char *hex) {
  size_t n = strlen(hex);
  if (strcmp(hex, "-") == 0) return 0;
  if (n % 2 != 0 || n / 2 > MAX_BYTES) return -1;
  for (size_t i = 0; i < n / 2; ++i) {
    unsigned value;
    if (sscanf(hex + 2 * i, "%2x", &value) != 1) return -1;
    bytes[i] = (unsigned char)value;
  }
  return (long)(n / 2);
}

static enum kind kind_of(const char *name) {
  for (int k = SEM; k <= SYSV_MQ; ++k) {
    if (name != NULL && strcmp(name, kind_names[k]) == 0) return (enum kind)k;
  }
  return NONE;
}

/* ---- open and close ----------------------------------------------------------------- */

static int open_posix(enum kind kind, const char *name, int create, char **args) {
  const uint32_t flags = create ? PIPC_CREX : 0;
  int64_t a = 0, b = 0;
  int rc;
  if (create && number(args[0], 0, INT64_MAX, &a) != 0) return PIPC_EINVAL;
  if (kind == SEM) {
    pipc_sem_options o = PIPC_SEM_OPTIONS_INIT;
    o.flags = flags;
    o.initial_value = (uint32_t)a;
    return pipc_sem_open(&held.sem, name, &o);
  }
  if (kind == SHM) {
    pipc_shm_options o = PIPC_SHM_OPTIONS_INIT;
    void *addr = NULL;
    o.flags = flags;
    o.size = (uint64_t)a;
    rc = pipc_shm_open(&held.shm, name, &o);
    if (rc == PIPC_OK) rc = pipc_shm_size(&held.map_size, held.shm);
    if (rc == PIPC_OK) rc = pipc_shm_map(&addr, held.shm, 0, 0, 0);
    held.map = addr;
    return rc;
  }
  if (create && number(args[1], 1, INT64_MAX, &b) != 0) return PIPC_EINVAL;
  if (kind == CHANNEL) {
    pipc_channel_options o = PIPC_CHANNEL_OPTIONS_INIT;
    o.flags = flags;
    o.slots = (uint32_t)a;
    o.max_message_size = (uint32_t)b;
    return pipc_channel_open(&held.channel, name, &o);
  }
  pipc_mq_options o = PIPC_MQ_OPTIONS_INIT;
  o.flags = flags;
  o.max_messages = a;
  o.max_message_size = b;
  return pipc_mq_open(&held.mq, name, &o);
}

/* A mutex NAME, or a condition variable NAME with its mutex NAME-m; a cond whose
 * second object cannot be made leaves no first one behind. */
static int open_lock(enum kind kind, const char *name, int create) {
  pipc_mutex_options mo = PIPC_MUTEX_OPTIONS_INIT;
  pipc_cond_options co = PIPC_COND_OPTIONS_INIT;
  char mutex_name[256];
  int rc;
  mo.flags = co.flags = create ? PIPC_CREX : 0;
  if (kind == MUTEX) return pipc_mutex_open(&held.mutex, name, &mo);
  if ((size_t)snprintf(mutex_name, sizeof mutex_name, "%s-m", name) >= sizeof mutex_name) {
    return PIPC_EINVAL;
  }
  rc = pipc_mutex_open(&held.mutex, mutex_name, &mo);
  if (rc == PIPC_OK) rc = pipc_cond_open(&held.cond, name, &co);
  if (rc != PIPC_OK && create && held.mutex != NULL) pipc_mutex_unlink(held.mutex);
  return rc;
}

static int open_sysv(enum kind kind, int64_t key, int create, char **args) {
  const uint32_t flags = create ? PIPC_CREX : 0;
  int64_t a = 0;
  int rc;
  if (create && kind != SYSV_MQ && number(args[0], 0, INT64_MAX, &a) != 0) return PIPC_EINVAL;
  if (kind == SYSV_SEM) {
    pipc_sysv_sem_options o = PIPC_SYSV_SEM_OPTIONS_INIT;
    o.flags = flags | PIPC_SYSV_SEM_SETVAL;
    o.initial_value = (uint32_t)a;
    return pipc_sysv_sem_open(&held.sysv_sem, key, &o);
  }
  if (kind == SYSV_SHM) {
    pipc_sysv_shm_options o = PIPC_SYSV_SHM_OPTIONS_INIT;
    o.flags = flags;
    o.size = (uint64_t)a;
    rc = pipc_sysv_shm_open(&held.sysv_shm, key, &o);
    return rc == PIPC_OK ? pipc_sysv_shm_attach(held.sysv_shm, NULL, 0) : rc;
  }
  pipc_sysv_mq_options o = PIPC_SYSV_MQ_OPTIONS_INIT;
  o.flags = flags;
  return pipc_sysv_mq_open(&held.sysv_mq, key, &o);
}

static void close_held(void) {
  if (held.map != NULL) pipc_shm_unmap(held.shm, held.map);
  pipc_sem_close(held.sem);
  pipc_shm_close(held.shm);
  pipc_mq_close(held.mq);
  pipc_channel_close(held.channel);
  pipc_cond_close(held.cond);
  pipc_mutex_close(held.mutex);
  pipc_sysv_sem_close(held.sysv_sem);
  pipc_sysv_shm_close(held.sysv_shm);
  pipc_sysv_mq_close(held.sysv_mq);
  memset(&held, 0, sizeof held);
}

static int open_command(char **w) {
  const enum kind kind = kind_of(w[1]);
  int64_t create = 0, key = 0;
  int rc;
  if (kind == NONE || w[2] == NULL || number(w[3], 0, 1, &create) != 0) return PIPC_EINVAL;
  close_held();
  if (kind == SEM || kind == SHM || kind == MQ || kind == CHANNEL) {
    rc = open_posix(kind, w[2], (int)create, w + 4);
  } else if (kind == MUTEX || kind == COND) {
    rc = open_lock(kind, w[2], (int)create);
  } else {
    if (number(w[2], INT32_MIN, INT32_MAX, &key) != 0) return PIPC_EINVAL;
    rc = open_sysv(kind, key, (int)create, w + 4);
  }
  if (rc != PIPC_OK) {
    close_held();
    return rc;
  }
  held.kind = kind;
  return PIPC_OK;
}

static int remove_held(void) {
  switch (held.kind) {
    case SEM: return pipc_sem_unlink(held.sem);
    case SHM: return pipc_shm_unlink(held.shm);
    case MQ: return pipc_mq_unlink(held.mq);
    case CHANNEL: return pipc_channel_unlink(held.channel);
    case MUTEX: return pipc_mutex_unlink(held.mutex);
    case COND: {
      const int rc = pipc_cond_unlink(held.cond);
      const int mutex_rc = pipc_mutex_unlink(held.mutex);
      return rc != PIPC_OK ? rc : mutex_rc;
    }
    case SYSV_SEM: return pipc_sysv_sem_remove(held.sysv_sem);
    case SYSV_SHM: return pipc_sysv_shm_remove(held.sysv_shm);
    case SYSV_MQ: return pipc_sysv_mq_remove(held.sysv_mq);
    default: return PIPC_EBADHANDLE;
  }
}

/* ---- the object's operations ---------------------------------------------------------- */

static void semaphore_command(const char *verb, char **w) {
  int ok = 1, value = 0, rc;
  if (strcmp(verb, "release") == 0) {
    rc = held.kind == SEM ? pipc_sem_release(held.sem) : pipc_sysv_sem_release(held.sysv_sem, 1);
  } else if (strcmp(verb, "acquire") == 0) {
    const int64_t t = timeout_ns(w[1], &ok);
    if (!ok) rc = PIPC_EINVAL;
    else rc = held.kind == SEM ? pipc_sem_acquire(held.sem, t) : pipc_sysv_sem_acquire(held.sysv_sem, 1, t);
  } else if (strcmp(verb, "value") == 0) {
    rc = held.kind == SEM ? pipc_sem_value(&value, held.sem) : pipc_sysv_sem_value(&value, held.sysv_sem);
    if (rc == PIPC_OK) {
      printf("ok %d\n", value);
      fflush(stdout);
      return;
    }
  } else {
    rc = PIPC_EINVAL;
  }
  reply_ok_or(rc);
}

static void memory_command(const char *verb, char **w) {
  int64_t offset = 0, length = 0;
  long n;
  int rc = PIPC_EINVAL;
  if (number(w[1], 0, INT64_MAX, &offset) != 0) {
    reply_status(PIPC_EINVAL);
    return;
  }
  if (strcmp(verb, "write") == 0 && w[2] != NULL && (n = unhex(w[2])) >= 0) {
    if (held.kind == SYSV_SHM) {
      rc = pipc_sysv_shm_write(held.sysv_shm, (uint64_t)offset, bytes, (size_t)n);
    } else if ((uint64_t)offset + (uint64_t)n <= held.map_size) {
      memcpy(held.map + offset, bytes, (size_t)n);
      rc = PIPC_OK;
    }
    reply_ok_or(rc);
    return;
  }
  if (strcmp(verb, "read") == 0 && number(w[2], 0, MAX_BYTES, &length) == 0) {
    if (held.kind == SYSV_SHM) {
      rc = pipc_sysv_shm_read(held.sysv_shm, (uint64_t)offset, bytes, (size_t)length);
    } else if ((uint64_t)offset + (uint64_t)length <= held.map_size) {
      memcpy(bytes, held.map + offset, (size_t)length);
      rc = PIPC_OK;
    }
    if (rc == PIPC_OK) {
      reply_hex("ok ", bytes, (size_t)length);
      return;
    }
  }
  reply_status(rc);
}

/* A queue of one of the three kinds that carry messages. */
struct queue {
  enum kind kind;
  pipc_mq *mq;
  pipc_sysv_mq *sysv_mq;
  pipc_channel *channel;
};

/* Sends N bytes of DATA with TAG (a priority or a type; a channel has none), waiting. */
static int send_one(const struct queue *q, const void *data, size_t n, int64_t tag) {
  switch (q->kind) {
    case MQ: return pipc_mq_send(q->mq, data, n, (unsigned)tag, PIPC_FOREVER);
    case CHANNEL: return pipc_channel_send(q->channel, data, n, PIPC_FOREVER);
    default: return pipc_sysv_mq_send(q->sysv_mq, data, n, tag, PIPC_FOREVER);
  }
}

/* Receives one message into bytes[]; its length and tag (priority, type, or 0). */
static int receive_one(const struct queue *q, int64_t timeout, size_t *len, int64_t *tag) {
  unsigned priority = 0;
  int rc;
  switch (q->kind) {
    case MQ:
      rc = pipc_mq_receive(len, &priority, q->mq, bytes, sizeof bytes, timeout);
      *tag = priority;
      return rc;
    case CHANNEL:
      *tag = 0;
      return pipc_channel_receive(len, q->channel, bytes, sizeof bytes, timeout);
    default: return pipc_sysv_mq_receive(len, tag, q->sysv_mq, bytes, sizeof bytes, 0, 0, timeout);
  }
}

static void queue_command(const char *verb, char **w) {
  int64_t tag = 0;
  size_t len = 0;
  long n;
  int ok, rc = PIPC_EINVAL;
  const struct queue q = {held.kind, held.mq, held.sysv_mq, held.channel};
  if (strcmp(verb, "send") == 0 && number(w[1], 0, INT64_MAX, &tag) == 0 && w[2] != NULL &&
      (n = unhex(w[2])) >= 0) {
    reply_ok_or(send_one(&q, bytes, (size_t)n, tag));
    return;
  }
  if (strcmp(verb, "receive") == 0) {
    const int64_t t = timeout_ns(w[1], &ok);
    if (ok) rc = receive_one(&q, t, &len, &tag);
    if (rc == PIPC_OK) {
      char head[32];
      snprintf(head, sizeof head, "ok %lld ", (long long)tag);
      reply_hex(head, bytes, len);
      return;
    }
  }
  reply_status(rc);
}

/* lock, unlock, consistent (a mutex, or a cond's mutex); wait, signal, broadcast (a cond). */
static void lock_command(const char *verb, char **w) {
  int ok = 1, rc = PIPC_EINVAL;
  if (strcmp(verb, "lock") == 0) {
    const int64_t t = timeout_ns(w[1], &ok);
    if (ok) rc = pipc_mutex_lock(held.mutex, t);
  } else if (strcmp(verb, "unlock") == 0) {
    rc = pipc_mutex_unlock(held.mutex);
  } else if (strcmp(verb, "consistent") == 0) {
    rc = pipc_mutex_consistent(held.mutex);
  } else if (strcmp(verb, "wait") == 0) {
    const int64_t t = timeout_ns(w[1], &ok);
    if (ok) rc = pipc_cond_wait(held.cond, held.mutex, t);
  } else if (strcmp(verb, "signal") == 0) {
    rc = pipc_cond_signal(held.cond);
  } else if (strcmp(verb, "broadcast") == 0) {
    rc = pipc_cond_broadcast(held.cond);
  }
  if (rc == PIPC_EOWNERDEAD) {
    reply("ok ownerdead");  /* lock, or the relock of a wait: held, its owner died */
    return;
  }
  reply_ok_or(rc);
}

/* ---- stress ------------------------------------------------------------------------- */

static int open_queue(struct queue *q, const char *kind_name, const char *name) {
  int64_t key = 0;
  q->kind = kind_of(kind_name);
  if (q->kind == MQ) {
    const pipc_mq_options o = PIPC_MQ_OPTIONS_INIT;
    return pipc_mq_open(&q->mq, name, &o);
  }
  if (q->kind == CHANNEL) return pipc_channel_open(&q->channel, name, NULL);
  if (q->kind != SYSV_MQ || number(name, INT32_MIN, INT32_MAX, &key) != 0) return PIPC_EINVAL;
  const pipc_sysv_mq_options o = PIPC_SYSV_MQ_OPTIONS_INIT;
  return pipc_sysv_mq_open(&q->sysv_mq, key, &o);
}

static void close_queue(struct queue *q) {
  pipc_mq_close(q->mq);
  pipc_sysv_mq_close(q->sysv_mq);
  pipc_channel_close(q->channel);
}

static void produce_command(char **w) {
  struct queue q = {NONE, NULL, NULL, NULL};
  int64_t count = 0, producer = 0;
  unsigned char payload[STRESS_PAYLOAD_SIZE];
  int rc = PIPC_EINVAL;
  if (number(w[3], 0, INT32_MAX, &count) == 0 && number(w[4], 0, INT32_MAX, &producer) == 0) {
    rc = open_queue(&q, w[1], w[2]);
  }
  for (int64_t i = 0; rc == PIPC_OK && i < count; ++i) {
    stress_payload(payload, (uint32_t)producer, (uint32_t)i);
    rc = send_one(&q, payload, sizeof payload, q.kind == SYSV_MQ ? 1 : 0);
  }
  close_queue(&q);
  reply_ok_or(rc);
}

static void consume_command(char **w) {
  struct queue q = {NONE, NULL, NULL, NULL};
  int64_t count = 0, tag = 0;
  int ok = 0, rc = PIPC_EINVAL;
  const int64_t t = timeout_ns(w[4], &ok);
  char *list = NULL;
  size_t used = 0;
  if (ok && number(w[3], 1, INT32_MAX, &count) == 0) rc = open_queue(&q, w[1], w[2]);
  if (rc == PIPC_OK && (list = malloc((size_t)count * 24 + 1)) == NULL) rc = PIPC_ENOMEM;
  for (int64_t i = 0; rc == PIPC_OK && i < count; ++i) {
    size_t len = 0;
    uint32_t producer, seq;
    rc = receive_one(&q, t, &len, &tag);
    if (rc != PIPC_OK) break;
    if (stress_check(bytes, len, &producer, &seq)) {
      used += (size_t)sprintf(list + used, "%s%u:%u", i ? "," : "", producer, seq);
    } else {
      used += (size_t)sprintf(list + used, "%sbad", i ? "," : "");
    }
  }
  close_queue(&q);
  if (rc == PIPC_OK) {
    printf("ok %s\n", list);
    fflush(stdout);
  } else {
    reply_status(rc);
  }
  free(list);
}

static void count_command(char **w) {
  pipc_sem *sem = NULL;
  pipc_shm *shm = NULL;
  unsigned char *counter = NULL;
  const pipc_sem_options sem_opts = PIPC_SEM_OPTIONS_INIT;
  const pipc_shm_options shm_opts = PIPC_SHM_OPTIONS_INIT;
  int64_t count = 0;
  int rc = number(w[3], 0, INT32_MAX, &count) == 0 ? PIPC_OK : PIPC_EINVAL;
  if (rc == PIPC_OK) rc = pipc_sem_open(&sem, w[1], &sem_opts);
  if (rc == PIPC_OK) rc = pipc_shm_open(&shm, w[2], &shm_opts);
  if (rc == PIPC_OK) rc = pipc_shm_map((void **)&counter, shm, 0, 8, 0);
  for (int64_t i = 0; rc == PIPC_OK && i < count; ++i) {
    rc = pipc_sem_acquire(sem, PIPC_FOREVER);
    if (rc != PIPC_OK) break;
    increment(counter);
    rc = pipc_sem_release(sem);
  }
  if (counter != NULL) pipc_shm_unmap(shm, counter);
  pipc_shm_close(shm);
  pipc_sem_close(sem);
  reply_ok_or(rc);
}

static void lockcount_command(char **w) {
  pipc_mutex *mutex = NULL;
  pipc_shm *shm = NULL;
  unsigned char *mem = NULL;
  const pipc_shm_options shm_opts = PIPC_SHM_OPTIONS_INIT;
  int64_t worker = 0, count = 0, die_at = 0, owner_dead = 0;
  int rc = number(w[3], 0, LOCKCOUNT_WORKERS - 1, &worker) == 0 &&
                   number(w[4], 0, INT32_MAX, &count) == 0 &&
                   number(w[5], -1, INT32_MAX, &die_at) == 0
               ? PIPC_OK
               : PIPC_EINVAL;
  if (rc == PIPC_OK) rc = pipc_mutex_open(&mutex, w[1], NULL);
  if (rc == PIPC_OK) rc = pipc_shm_open(&shm, w[2], &shm_opts);
  if (rc == PIPC_OK) rc = pipc_shm_map((void **)&mem, shm, 0, LOCKCOUNT_SIZE, 0);
  for (int64_t i = 0; rc == PIPC_OK && i < count; ++i) {
    rc = pipc_mutex_lock(mutex, PIPC_FOREVER);
    if (rc == PIPC_EOWNERDEAD) { /* the counter may lack the dead owner's last increment */
      uint64_t sum = 0;
      ++owner_dead;
      for (int s = 1; s <= LOCKCOUNT_WORKERS; ++s) sum += load_le64(mem + 8 * s);
      store_le64(mem, sum);
      rc = pipc_mutex_consistent(mutex);
      if (rc != PIPC_OK) pipc_mutex_unlock(mutex);
    }
    if (rc != PIPC_OK) break;
    increment(mem + 8 + 8 * worker);
    if (i == die_at) {
      reply("ok holding");
      for (;;) pause(); /* until the driver's SIGKILL */
    }
    increment(mem);
    rc = pipc_mutex_unlock(mutex);
  }
  if (mem != NULL) pipc_shm_unmap(shm, mem);
  pipc_shm_close(shm);
  pipc_mutex_close(mutex);
  if (rc == PIPC_OK) {
    printf("ok %lld\n", (long long)owner_dead);
    fflush(stdout);
  } else {
    reply_status(rc);
  }
}

/* ---- the loop ------------------------------------------------------------------------- */

static int is(const char *verb, const char *name) { return strcmp(verb, name) == 0; }

static void run(char **w) {
  const char *verb = w[0];
  const int semaphore = held.kind == SEM || held.kind == SYSV_SEM;
  const int memory = held.kind == SHM || held.kind == SYSV_SHM;
  const int queue = held.kind == MQ || held.kind == SYSV_MQ || held.kind == CHANNEL;
  const int lock = held.kind == MUTEX || held.kind == COND;
  const int cond = held.kind == COND;
  if (is(verb, "open")) {
    reply_ok_or(open_command(w));
  } else if (is(verb, "close")) {
    close_held();
    reply("ok");
  } else if (is(verb, "remove")) {
    reply_ok_or(remove_held());
  } else if (is(verb, "produce")) {
    produce_command(w);
  } else if (is(verb, "consume")) {
    consume_command(w);
  } else if (is(verb, "count")) {
    count_command(w);
  } else if (is(verb, "lockcount")) {
    lockcount_command(w);
  } else if (semaphore && (is(verb, "release") || is(verb, "acquire") || is(verb, "value"))) {
    semaphore_command(verb, w);
  } else if (memory && (is(verb, "write") || is(verb, "read"))) {
    memory_command(verb, w);
  } else if (queue && (is(verb, "send") || is(verb, "receive"))) {
    queue_command(verb, w);
  } else if ((lock && (is(verb, "lock") || is(verb, "unlock") || is(verb, "consistent"))) ||
             (cond && (is(verb, "wait") || is(verb, "signal") || is(verb, "broadcast")))) {
    lock_command(verb, w);
  } else {
    printf("error usage unknown command or no object for it: %s\n", verb);
    fflush(stdout);
  }
}

int main(void) {
  static char line[2 * MAX_BYTES + 256];
  while (fgets(line, sizeof line, stdin) != NULL) {
    char *words[MAX_WORDS + 1] = {NULL};
    int n = 0;
    for (char *word = strtok(line, " \n"); word != NULL && n < MAX_WORDS; word = strtok(NULL, " \n")) {
      words[n++] = word;
    }
    if (n > 0) run(words);
  }
  close_held();
  return 0;
}
