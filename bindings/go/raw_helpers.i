/* raw_helpers.i: C helpers where a C call does not map onto Go in one step: option
 * structs become arguments, pipc_mq_receive's two out-values one result, stat structs
 * a flat int64 array (PGO_STAT_FIELDS long), and the notification callback a Go
 * trampoline. */
%{
#define PGO_STAT_FIELDS 14

static void pgo_perm(int64_t *f, const pipc_sysv_perm *p) {
  f[0] = p->key; f[1] = p->uid; f[2] = p->gid; f[3] = p->cuid; f[4] = p->cgid; f[5] = p->mode;
}

/* exported by the Go package (notify.go): runs the callback registered under ARG */
extern void pgoNotifyTrampoline(void *arg);
%}

%typemap(gotype) int64_t *fields "[]int64"
%typemap(in) int64_t *fields %{
  if ($input.len < PGO_STAT_FIELDS) { _swig_gopanic("raw: stat slice too short"); }
  $1 = (int64_t *)$input.array;
%}
%constant int PGO_STAT_FIELDS = PGO_STAT_FIELDS;

%typemap(gotype) int64_t *attributes "[]int64"
%typemap(in) int64_t *attributes %{
  if ($input.len < 3) { _swig_gopanic("raw: attributes slice too short"); }
  $1 = (int64_t *)$input.array;
%}

%inline %{
static pgo_rc pgo_sem_open(pipc_sem **out, const char *name, uint32_t flags, uint32_t mode,
                           uint32_t initial_value) {
  pipc_sem_options o = PIPC_SEM_OPTIONS_INIT;
  o.flags = flags; o.mode = mode; o.initial_value = initial_value;
  return pipc_sem_open(out, name, &o);
}

static pgo_rc pgo_shm_open(pipc_shm **out, const char *name, uint32_t flags, uint32_t mode,
                           uint32_t access, uint64_t size) {
  pipc_shm_options o = PIPC_SHM_OPTIONS_INIT;
  o.flags = flags; o.mode = mode; o.access = access; o.size = size;
  return pipc_shm_open(out, name, &o);
}

static pgo_rc pgo_mq_open(pipc_mq **out, const char *name, uint32_t flags, uint32_t mode,
                          uint32_t access, int64_t max_messages, int64_t max_message_size) {
  pipc_mq_options o = PIPC_MQ_OPTIONS_INIT;
  o.flags = flags; o.mode = mode; o.access = access;
  o.max_messages = max_messages; o.max_message_size = max_message_size;
  return pipc_mq_open(out, name, &o);
}

/* The message's length in the low 32 bits, its priority above (Linux caps a message at
 * 16 MiB and a priority below 32768). */
static pgo_rc pgo_mq_receive(pipc_mq *mq, void *buf, size_t cap, int64_t timeout_ns) {
  size_t len = 0;
  unsigned prio = 0;
  int st = pipc_mq_receive(&len, &prio, mq, buf, cap, timeout_ns);
  return st < 0 ? st : (int64_t)(((uint64_t)prio << 32) | (uint64_t)len);
}

static pgo_rc pgo_mq_notify(pipc_mq *mq, uintptr_t token) {
  return pipc_mq_notify_callback(mq, pgoNotifyTrampoline, (void *)token);
}

static pgo_rc pgo_sysv_sem_open(pipc_sysv_sem **out, int64_t key, uint32_t flags, uint32_t mode,
                                uint32_t initial_value) {
  pipc_sysv_sem_options o = PIPC_SYSV_SEM_OPTIONS_INIT;
  o.flags = flags; o.mode = mode; o.initial_value = initial_value;
  return pipc_sysv_sem_open(out, key, &o);
}

static pgo_rc pgo_sysv_shm_open(pipc_sysv_shm **out, int64_t key, uint32_t flags, uint32_t mode,
                                uint64_t size, uint32_t fill_byte) {
  pipc_sysv_shm_options o = PIPC_SYSV_SHM_OPTIONS_INIT;
  o.flags = flags; o.mode = mode; o.size = size; o.fill_byte = fill_byte;
  return pipc_sysv_shm_open(out, key, &o);
}

static pgo_rc pgo_sysv_mq_open(pipc_sysv_mq **out, int64_t key, uint32_t flags, uint32_t mode,
                               uint64_t max_bytes) {
  pipc_sysv_mq_options o = PIPC_SYSV_MQ_OPTIONS_INIT;
  o.flags = flags; o.mode = mode; o.max_bytes = max_bytes;
  return pipc_sysv_mq_open(out, key, &o);
}

static pgo_rc pgo_mutex_open(pipc_mutex **out, const char *name, uint32_t flags, uint32_t mode) {
  pipc_mutex_options o = PIPC_MUTEX_OPTIONS_INIT;
  o.flags = flags; o.mode = mode;
  return pipc_mutex_open(out, name, &o);
}

static pgo_rc pgo_cond_open(pipc_cond **out, const char *name, uint32_t flags, uint32_t mode) {
  pipc_cond_options o = PIPC_COND_OPTIONS_INIT;
  o.flags = flags; o.mode = mode;
  return pipc_cond_open(out, name, &o);
}

/* A condition wait that a signal handler ended (PIPC_EINTR, the mutex locked again) is
 * a wakeup like a spurious one, for the caller to check its predicate: a retry inside
 * would wait past a signal sent before it began, and miss it. */
static pgo_rc pgo_cond_wait(pipc_cond *cond, pipc_mutex *mutex, int64_t timeout_ns) {
  const int st = pipc_cond_wait(cond, mutex, timeout_ns);
  return st == PIPC_EINTR ? PIPC_OK : st;
}

static pgo_rc pgo_channel_open(pipc_channel **out, const char *name, uint32_t flags, uint32_t mode,
                               uint32_t slots, uint32_t max_message_size) {
  pipc_channel_options o = PIPC_CHANNEL_OPTIONS_INIT;
  o.flags = flags; o.mode = mode;
  if (slots) o.slots = slots;                        /* 0: the C default */
  if (max_message_size) o.max_message_size = max_message_size;
  return pipc_channel_open(out, name, &o);
}

/* The message's length (at most 16 MiB). */
static pgo_rc pgo_channel_receive(pipc_channel *channel, void *buf, size_t cap, int64_t timeout_ns) {
  size_t len = 0;
  const int st = pipc_channel_receive(&len, channel, buf, cap, timeout_ns);
  return st < 0 ? st : (int64_t)len;
}

/* slots max_message_size messages */
static pgo_rc pgo_channel_attributes(int64_t *attributes, pipc_channel *channel) {
  pipc_channel_attributes a;
  const int st = pipc_channel_attributes_get(&a, channel);
  if (st < 0) return st;
  attributes[0] = a.slots; attributes[1] = a.max_message_size; attributes[2] = a.messages;
  return 0;
}

/* The message's length; its type in type_out[0]. */
static pgo_rc pgo_sysv_mq_receive(int64_t *type_out, pipc_sysv_mq *mq, void *buf, size_t cap,
                                  int64_t type, uint32_t flags, int64_t timeout_ns) {
  size_t len = 0;
  int st = pipc_sysv_mq_receive(&len, type_out, mq, buf, cap, type, flags, timeout_ns);
  return st < 0 ? st : (int64_t)len;
}

/* key uid gid cuid cgid mode | otime ctime last_pid waiting_nonzero waiting_zero */
static pgo_rc pgo_sysv_sem_stat(int64_t *fields, pipc_sysv_sem *sem) {
  pipc_sysv_sem_stat s;
  int st = pipc_sysv_sem_stat_get(&s, sem);
  if (st < 0) return st;
  pgo_perm(fields, &s.perm);
  fields[6] = s.otime; fields[7] = s.ctime; fields[8] = s.last_pid;
  fields[9] = s.waiting_nonzero; fields[10] = s.waiting_zero;
  return 0;
}

/* perm | size attach_count atime dtime ctime creator_pid last_pid */
static pgo_rc pgo_sysv_shm_stat(int64_t *fields, pipc_sysv_shm *shm) {
  pipc_sysv_shm_stat s;
  int st = pipc_sysv_shm_stat_get(&s, shm);
  if (st < 0) return st;
  pgo_perm(fields, &s.perm);
  fields[6] = (int64_t)s.size; fields[7] = (int64_t)s.attach_count; fields[8] = s.atime;
  fields[9] = s.dtime; fields[10] = s.ctime; fields[11] = s.creator_pid; fields[12] = s.last_pid;
  return 0;
}

/* perm | current_messages current_bytes max_bytes stime rtime ctime last_send_pid
 * last_receive_pid */
static pgo_rc pgo_sysv_mq_stat(int64_t *fields, pipc_sysv_mq *mq) {
  pipc_sysv_mq_stat s;
  int st = pipc_sysv_mq_stat_get(&s, mq);
  if (st < 0) return st;
  pgo_perm(fields, &s.perm);
  fields[6] = (int64_t)s.current_messages; fields[7] = (int64_t)s.current_bytes;
  fields[8] = (int64_t)s.max_bytes; fields[9] = s.stime; fields[10] = s.rtime;
  fields[11] = s.ctime; fields[12] = s.last_send_pid; fields[13] = s.last_receive_pid;
  return 0;
}
%}
