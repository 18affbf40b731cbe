/* posix.i — POSIX semaphores, shared memory and message queues for Pipc::Posix
 * (lib/pipc/posix.rb gives them their public names and keyword constructors). */

%{
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

static ID rbpipc_kw_timeout[1], rbpipc_kw_send[2];

static uint32_t rbpipc_flags(VALUE v, uint32_t allowed) {
  return (uint32_t)rbpipc_int(v, "flags", 0, allowed);
}
static uint32_t rbpipc_mode(VALUE v) { return (uint32_t)rbpipc_int(v, "mode", 0, 07777); }
static VALUE rbpipc_unlink_name(VALUE name, int (*unlink_fn)(const char *)) {
  if (NIL_P(name)) rb_raise(rb_eTypeError, "the name must be a String");
  return rbpipc_check(unlink_fn(rbpipc_name(name)));
}

/* ================= Semaphore ================= */
typedef struct rbpipc_psem { rbpipc_obj o; } rbpipc_psem;

static int rbpipc_psem_close_h(void *h) { return pipc_sem_close((pipc_sem *)h); }
static int rbpipc_psem_wait(void *h, void *ctx, int64_t t) {
  (void)ctx;
  return pipc_sem_acquire((pipc_sem *)h, t);
}

/* ================= SharedMemory ================= */
typedef struct rbpipc_pshm {
  rbpipc_obj o;
  void *map;          /* the mapping read and write use: the whole segment, or NULL */
  uint64_t map_len;
  int read_only;
} rbpipc_pshm;

static int rbpipc_pshm_close_h(void *h) { return pipc_shm_close((pipc_shm *)h); }

static void rbpipc_pshm_unmap(rbpipc_pshm *m) {
  if (m->map) pipc_shm_unmap((pipc_shm *)m->o.h, m->map);
  m->map = NULL;
  m->map_len = 0;
}

/* The segment's size now; after close_fd (no descriptor to ask) the mapping's. */
static uint64_t rbpipc_pshm_cur_size(rbpipc_pshm *m) {
  uint64_t size = 0;
  int rc = pipc_shm_size(&size, (pipc_shm *)rbpipc_h(&m->o));
  if (rc == PIPC_EBADHANDLE && m->o.h) return m->map_len;
  rbpipc_check(rc);
  return size;
}

/* The address of [OFF, OFF + LEN) in the mapping, mapping (again) the whole segment when
 * the range lies past the current mapping; ArgumentError past the segment's end. */
static char *rbpipc_pshm_span(rbpipc_pshm *m, uint64_t off, uint64_t len) {
  uint64_t size;
  void *addr = NULL;
  rbpipc_h(&m->o);
  if (off <= m->map_len && len <= m->map_len - off) return (char *)m->map + off;
  size = rbpipc_pshm_cur_size(m);
  if (off > size || len > size - off) rbpipc_raise_past_end(off, len, size);
  if (size == m->map_len) return (char *)m->map + off;   /* both 0 */
  rbpipc_pshm_unmap(m);
  rbpipc_check(pipc_shm_map(&addr, (pipc_shm *)m->o.h, 0, size,
                            m->read_only ? PIPC_MAP_READ_ONLY : 0));
  m->map = addr;
  m->map_len = size;
  return (char *)addr + off;
}

/* ---- copies to and from the mapping that survive SIGBUS ----
 * Any handle, in any process, may shrink a segment under this one's mapping, and the
 * tmpfs behind it may be full: touching such a page is SIGBUS. Asking the size before
 * every copy would cost a system call, several times a 4 KiB copy; instead read and write
 * copy under a guard, and a SIGBUS during the copy ends it with an exception. Any other
 * SIGBUS goes to the handler that was there before (Ruby's, or ASan's). */
static struct sigaction rbpipc_prev_sigbus;
/* set while this thread copies (volatile, and fenced below: the stores around memcpy must
 * stay where they are, though nothing in this thread reads them) */
static __thread sigjmp_buf *volatile rbpipc_bus_guard;

static void rbpipc_on_sigbus(int sig, siginfo_t *info, void *context) {
  sigjmp_buf *guard = rbpipc_bus_guard;
  if (guard) siglongjmp(*guard, 1);
  /* Not ours: the previous action takes over. A fault comes back when the instruction
   * runs again; a SIGBUS sent by a process is sent again. */
  sigaction(SIGBUS, &rbpipc_prev_sigbus, NULL);
  if (info->si_code <= 0) raise(sig);
  (void)context;
}

static void rbpipc_guard_sigbus(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = rbpipc_on_sigbus;
  /* SA_NODEFER: leaving by siglongjmp without a saved mask leaves SIGBUS unblocked */
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, &rbpipc_prev_sigbus);
}

/* memcpy(DST, SRC, N) with one of them in M's mapping (at offset OFF): an exception
 * instead of SIGBUS when the segment no longer has the pages. */
static void rbpipc_pshm_copy(rbpipc_pshm *m, uint64_t off, void *dst, const void *src, size_t n) {
  sigjmp_buf env;
  uint64_t size;
  if (n == 0) return;   /* an empty segment has no mapping: memcpy must not see its NULL */
  if (sigsetjmp(env, 0) == 0) {
    rbpipc_bus_guard = &env;
    atomic_signal_fence(memory_order_seq_cst);
    memcpy(dst, src, n);
    atomic_signal_fence(memory_order_seq_cst);
    rbpipc_bus_guard = NULL;
    return;
  }
  rbpipc_bus_guard = NULL;
  if (pipc_shm_size(&size, (pipc_shm *)m->o.h) != PIPC_OK) {    /* close_fd: no size to ask */
    rbpipc_raise_detail(PIPC_ERANGE, 0, "the mapping has lost the pages: the segment shrank, "
                        "or its file system is full");
  }
  if (off > size || n > size - off) rbpipc_raise_past_end(off, n, size);   /* it shrank */
  rbpipc_raise_detail(PIPC_ELIMIT, ENOSPC, "the file system of the segment has no room for its pages");
}

/* ================= MessageQueue ================= */
typedef struct rbpipc_pmq {
  rbpipc_obj o;
  size_t max_message_size;
  char *scratch;          /* receive buffer of the try made with the GVL held */
  uint64_t notify_id;     /* this queue's thread notification (0: none) */
} rbpipc_pmq;

static int rbpipc_pmq_close_h(void *h) { return pipc_mq_close((pipc_mq *)h); }

struct rbpipc_send { const char *data; size_t len; unsigned prio; };
static int rbpipc_pmq_send_op(void *h, void *ctx, int64_t t) {
  struct rbpipc_send *c = (struct rbpipc_send *)ctx;
  return pipc_mq_send((pipc_mq *)h, c->data, c->len, c->prio, t);
}
struct rbpipc_recv { char *buf; size_t cap; size_t len; unsigned prio; };
static int rbpipc_pmq_recv_op(void *h, void *ctx, int64_t t) {
  struct rbpipc_recv *c = (struct rbpipc_recv *)ctx;
  return pipc_mq_receive(&c->len, &c->prio, (pipc_mq *)h, c->buf, c->cap, t);
}

/* ---- thread notifications ----
 * pipc runs rbpipc_notify_fire(id) on a thread of its own, where no Ruby code may run: it
 * writes one byte to a pipe a Ruby thread reads (lib/pipc/posix.rb). The table owns a
 * duplicate of the pipe's write end until the notification fires or is cancelled, so a
 * byte never goes to a closed or reused descriptor. */
struct rbpipc_notify { uint64_t id; int fd; struct rbpipc_notify *next; };
static pthread_mutex_t rbpipc_notify_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rbpipc_notify *rbpipc_notify_list;
static uint64_t rbpipc_notify_last;   /* guarded by the GVL */

static int rbpipc_notify_take(uint64_t id) {   /* the entry's descriptor, or -1 */
  struct rbpipc_notify **p, *e;
  int fd = -1;
  pthread_mutex_lock(&rbpipc_notify_lock);
  for (p = &rbpipc_notify_list; *p; p = &(*p)->next) {
    if ((*p)->id == id) {
      e = *p;
      *p = e->next;
      fd = e->fd;
      free(e);
      break;
    }
  }
  pthread_mutex_unlock(&rbpipc_notify_lock);
  return fd;
}

static void rbpipc_notify_fire(void *arg) {
  int fd = rbpipc_notify_take((uint64_t)(uintptr_t)arg);
  if (fd >= 0) {
    char one = 1;
    ssize_t n;
    do n = write(fd, &one, 1); while (n < 0 && errno == EINTR);
    close(fd);
  }
}

/* Forgets this queue's registration: the kernel's (through any handle of the process),
 * and the table entry. */
static void rbpipc_pmq_cancel(rbpipc_pmq *q) {
  int fd;
  if (q->o.h) pipc_mq_notify_cancel((pipc_mq *)q->o.h);   /* fails only when none */
  if (q->notify_id && (fd = rbpipc_notify_take(q->notify_id)) >= 0) close(fd);
  q->notify_id = 0;
}
%}

/* ================= Semaphore ================= */
%rename(PosixSemaphore) rbpipc_psem;
%rename("created?") rbpipc_psem::created;
%rename("closed?") rbpipc_psem::closed;
RBPIPC_SELF(rbpipc_psem)
typedef struct rbpipc_psem {} rbpipc_psem;

%extend rbpipc_psem {
  rbpipc_psem(VALUE name, VALUE flags, VALUE mode, VALUE initial_value) {
    pipc_sem_options opts = PIPC_SEM_OPTIONS_INIT;
    const char *cname = rbpipc_name(name);
    rbpipc_psem *s;
    int rc;
    opts.flags = rbpipc_flags(flags, PIPC_CREX);
    opts.mode = rbpipc_mode(mode);
    opts.initial_value = (uint32_t)rbpipc_int(initial_value, "initial_value", 0, UINT32_MAX);
    s = ALLOC(rbpipc_psem);
    s->o.close_fn = rbpipc_psem_close_h;
    rc = pipc_sem_open((pipc_sem **)&s->o.h, cname, &opts);
    if (rc < 0) { xfree(s); rbpipc_raise(rc); }
    return s;
  }
  ~rbpipc_psem() { rbpipc_free(&$self->o); xfree($self); }

  /* acquire(timeout: nil): tried with the GVL held; released only to wait */
  VALUE acquire(VALUE kw) {
    VALUE t;
    rbpipc_h(&$self->o);
    rbpipc_kwargs(kw, 1, rbpipc_kw_timeout, &t);
    return rbpipc_check(rbpipc_try_then_wait(&$self->o, rbpipc_psem_wait, NULL, rbpipc_timeout(t)));
  }
  VALUE release() { return rbpipc_check(pipc_sem_release((pipc_sem *)rbpipc_h(&$self->o))); }
  VALUE value() {
    int v;
    rbpipc_check(pipc_sem_value(&v, (pipc_sem *)rbpipc_h(&$self->o)));
    return INT2NUM(v);
  }
  VALUE name() { return rb_str_new_cstr(pipc_sem_name((pipc_sem *)rbpipc_h(&$self->o))); }
  VALUE created() { return rbpipc_bool(pipc_sem_created((pipc_sem *)rbpipc_h(&$self->o))); }
  VALUE unlink() { return rbpipc_check(pipc_sem_unlink((pipc_sem *)rbpipc_h(&$self->o))); }
  VALUE close() { return rbpipc_close(&$self->o); }
  VALUE closed() { return $self->o.h ? Qfalse : Qtrue; }
}

/* ================= SharedMemory ================= */
%rename(PosixSharedMemory) rbpipc_pshm;
%rename("created?") rbpipc_pshm::created;
%rename("closed?") rbpipc_pshm::closed;
%rename("read_only?") rbpipc_pshm::read_only;
%typemap(default) VALUE opt1, VALUE opt2 "$1 = Qnil;";
RBPIPC_SELF(rbpipc_pshm)
typedef struct rbpipc_pshm {} rbpipc_pshm;

%extend rbpipc_pshm {
  rbpipc_pshm(VALUE name, VALUE flags, VALUE mode, VALUE size, VALUE read_only) {
    pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
    const char *cname = rbpipc_name(name);
    rbpipc_pshm *m;
    int rc;
    opts.flags = rbpipc_flags(flags, PIPC_CREX | PIPC_TRUNC | PIPC_SHM_RESERVE);
    opts.mode = rbpipc_mode(mode);
    opts.size = (uint64_t)rbpipc_int(size, "size", 0, INT64_MAX);
    opts.access = RTEST(read_only) ? PIPC_READ : PIPC_READ_WRITE;
    m = ZALLOC(rbpipc_pshm);
    m->o.close_fn = rbpipc_pshm_close_h;
    m->read_only = RTEST(read_only);
    rc = pipc_shm_open((pipc_shm **)&m->o.h, cname, &opts);
    if (rc < 0) { xfree(m); rbpipc_raise(rc); }
    return m;
  }
  ~rbpipc_pshm() { rbpipc_free(&$self->o); xfree($self); }   /* close unmaps */

  /* read(length = nil, offset = 0): a binary String; nil reads to the end */
  VALUE read(VALUE opt1, VALUE opt2) {
    uint64_t off = NIL_P(opt2) ? 0 : (uint64_t)rbpipc_int(opt2, "offset", 0, INT64_MAX);
    uint64_t len;
    const char *p;
    VALUE s;
    if (NIL_P(opt1)) {
      uint64_t size = rbpipc_pshm_cur_size($self);
      len = off < size ? size - off : 0;
    } else {
      len = (uint64_t)rbpipc_int(opt1, "length", 0, LONG_MAX);
    }
    p = rbpipc_pshm_span($self, off, len);
    s = rb_str_new(NULL, (long)len);
    rbpipc_pshm_copy($self, off, RSTRING_PTR(s), p, (size_t)len);
    return s;
  }
  /* write(data, offset = 0): returns the number of bytes written */
  VALUE write(VALUE data, VALUE opt1) {
    uint64_t off = NIL_P(opt1) ? 0 : (uint64_t)rbpipc_int(opt1, "offset", 0, INT64_MAX);
    const char *p;
    size_t n;
    rbpipc_bytes(data, &p, &n);
    rbpipc_h(&$self->o);
    if ($self->read_only) rbpipc_raise_detail(PIPC_EACCES, 0, "the shared memory is open read-only");
    rbpipc_pshm_copy($self, off, rbpipc_pshm_span($self, off, n), p, n);
    return SIZET2NUM(n);
  }
  VALUE size() { return ULL2NUM(rbpipc_pshm_cur_size($self)); }
  /* resize(size): a smaller segment is mapped again at the next read or write */
  VALUE resize(VALUE size) {
    uint64_t n = (uint64_t)rbpipc_int(size, "size", 0, INT64_MAX);
    pipc_shm *h = (pipc_shm *)rbpipc_h(&$self->o);
    rbpipc_check(pipc_shm_resize(h, n));
    if ($self->map_len > n) rbpipc_pshm_unmap($self);
    return Qnil;
  }
  VALUE fd() {
    int fd;
    rbpipc_check(pipc_shm_fd(&fd, (pipc_shm *)rbpipc_h(&$self->o)));
    return INT2NUM(fd);
  }
  VALUE close_fd() { return rbpipc_check(pipc_shm_close_fd((pipc_shm *)rbpipc_h(&$self->o))); }
  VALUE read_only() { rbpipc_h(&$self->o); return $self->read_only ? Qtrue : Qfalse; }
  VALUE name() { return rb_str_new_cstr(pipc_shm_name((pipc_shm *)rbpipc_h(&$self->o))); }
  VALUE created() { return rbpipc_bool(pipc_shm_created((pipc_shm *)rbpipc_h(&$self->o))); }
  VALUE unlink() { return rbpipc_check(pipc_shm_unlink((pipc_shm *)rbpipc_h(&$self->o))); }
  VALUE close() {
    $self->map = NULL;     /* pipc_shm_close unmaps it */
    $self->map_len = 0;
    return rbpipc_close(&$self->o);
  }
  VALUE closed() { return $self->o.h ? Qfalse : Qtrue; }
}

/* ================= MessageQueue ================= */
%rename(PosixMessageQueue) rbpipc_pmq;
%rename("created?") rbpipc_pmq::created;
%rename("closed?") rbpipc_pmq::closed;
%rename("block=") rbpipc_pmq::set_block;
RBPIPC_SELF(rbpipc_pmq)
typedef struct rbpipc_pmq {} rbpipc_pmq;

%extend rbpipc_pmq {
  rbpipc_pmq(VALUE name, VALUE flags, VALUE mode, VALUE max_messages, VALUE max_message_size,
             VALUE read, VALUE write) {
    pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
    const char *cname = rbpipc_name(name);
    rbpipc_pmq *q;
    int64_t size = 0;
    int rc;
    opts.flags = rbpipc_flags(flags, PIPC_CREX | PIPC_NONBLOCK);
    opts.mode = rbpipc_mode(mode);
    opts.max_messages = rbpipc_int(max_messages, "max_messages", 0, INT64_MAX);
    opts.max_message_size = rbpipc_int(max_message_size, "max_message_size", 0, INT64_MAX);
    opts.access = (RTEST(read) ? PIPC_READ : 0) | (RTEST(write) ? PIPC_WRITE : 0);
    if (!opts.access) rb_raise(rb_eArgError, "at least one of read: and write: must be true");
    q = ZALLOC(rbpipc_pmq);
    q->o.close_fn = rbpipc_pmq_close_h;
    rc = pipc_mq_open((pipc_mq **)&q->o.h, cname, &opts);
    if (rc >= 0 && (rc = pipc_mq_max_message_size(&size, (pipc_mq *)q->o.h)) < 0)
      pipc_mq_close((pipc_mq *)q->o.h);
    if (rc < 0) { xfree(q); rbpipc_raise(rc); }
    q->max_message_size = (size_t)size;
    q->scratch = (char *)malloc(q->max_message_size ? q->max_message_size : 1);
    if (!q->scratch) { pipc_mq_close((pipc_mq *)q->o.h); xfree(q); rb_memerror(); }
    return q;
  }
  ~rbpipc_pmq() {
    rbpipc_pmq_cancel($self);
    rbpipc_free(&$self->o);
    free($self->scratch);
    xfree($self);
  }

  /* send(data, timeout: nil, priority: 0) */
  VALUE send(VALUE data, VALUE kw) {
    VALUE v[2];
    struct rbpipc_send c;
    int64_t timeout;
    int rc;
    pipc_mq *h = (pipc_mq *)rbpipc_h(&$self->o);
    rbpipc_bytes(data, &c.data, &c.len);
    rbpipc_kwargs(kw, 2, rbpipc_kw_send, v);
    timeout = rbpipc_timeout(v[0]);
    c.prio = v[1] == Qundef ? 0 : (unsigned)rbpipc_int(v[1], "priority", 0, UINT_MAX);
    rc = pipc_mq_send(h, c.data, c.len, c.prio, 0);
    if (rc == PIPC_EAGAIN && timeout != 0) {
      /* a frozen copy shares the bytes: they stay put while other threads run */
      VALUE frozen = rb_str_new_frozen(data);
      c.data = RSTRING_PTR(frozen);
      rc = rbpipc_wait(&$self->o, rbpipc_pmq_send_op, &c, timeout);
      RB_GC_GUARD(frozen);
    }
    if (rc == PIPC_EMSGSIZE) {
      char detail[160];
      snprintf(detail, sizeof detail, "the message is %zu bytes; the queue's max_message_size is %zu",
               c.len, $self->max_message_size);
      rbpipc_raise_detail(rc, EMSGSIZE, detail);
    }
    return rbpipc_check(rc);
  }

  /* receive(timeout: nil) -> [String (ASCII-8BIT), priority] */
  VALUE receive(VALUE kw) {
    VALUE t, s;
    struct rbpipc_recv c;
    int64_t timeout;
    int rc;
    pipc_mq *h = (pipc_mq *)rbpipc_h(&$self->o);
    rbpipc_kwargs(kw, 1, rbpipc_kw_timeout, &t);
    timeout = rbpipc_timeout(t);
    c.buf = $self->scratch; c.cap = $self->max_message_size; c.len = 0; c.prio = 0;
    rc = pipc_mq_receive(&c.len, &c.prio, h, c.buf, c.cap, 0);
    if (rc >= 0) return rbpipc_message(rb_str_new(c.buf, (long)c.len), UINT2NUM(c.prio));
    if (rc != PIPC_EAGAIN || timeout == 0) rbpipc_raise(rc);
    /* waiting: into a String of our own (other threads may use the scratch buffer) */
    s = rbpipc_recv_buffer(c.cap);
    c.buf = RSTRING_PTR(s);
    rbpipc_check(rbpipc_wait(&$self->o, rbpipc_pmq_recv_op, &c, timeout));
    return rbpipc_message(rbpipc_recv_done(s, c.len), UINT2NUM(c.prio));
  }

  VALUE block() {
    int b;
    rbpipc_check(pipc_mq_blocking(&b, (pipc_mq *)rbpipc_h(&$self->o)));
    return b ? Qtrue : Qfalse;
  }
  VALUE set_block(VALUE block) {
    rbpipc_check(pipc_mq_set_blocking((pipc_mq *)rbpipc_h(&$self->o), RTEST(block)));
    return block;
  }
  VALUE max_messages() {
    int64_t v;
    rbpipc_check(pipc_mq_max_messages(&v, (pipc_mq *)rbpipc_h(&$self->o)));
    return LL2NUM(v);
  }
  VALUE max_message_size() { rbpipc_h(&$self->o); return SIZET2NUM($self->max_message_size); }
  VALUE current_messages() {
    int64_t v;
    rbpipc_check(pipc_mq_current_messages(&v, (pipc_mq *)rbpipc_h(&$self->o)));
    return LL2NUM(v);
  }
  VALUE fd() {
    int fd;
    rbpipc_check(pipc_mq_fd(&fd, (pipc_mq *)rbpipc_h(&$self->o)));
    return INT2NUM(fd);
  }

  /* notification: a signal number, a pipe's write end (FD gets one byte), or none */
  VALUE notify_signal(VALUE signo) {
    pipc_mq *h = (pipc_mq *)rbpipc_h(&$self->o);
    int s = (int)rbpipc_int(signo, "signal", 1, INT_MAX);
    rbpipc_pmq_cancel($self);
    return rbpipc_check(pipc_mq_notify_signal(h, s));
  }
  VALUE notify_fd(VALUE fd) {
    pipc_mq *h = (pipc_mq *)rbpipc_h(&$self->o);
    int w = fcntl((int)rbpipc_int(fd, "fd", 0, INT_MAX), F_DUPFD_CLOEXEC, 0);
    struct rbpipc_notify *e;
    int rc;
    if (w < 0) rb_sys_fail("fcntl(F_DUPFD_CLOEXEC)");
    rbpipc_pmq_cancel($self);
    e = (struct rbpipc_notify *)malloc(sizeof *e);
    if (!e) { close(w); rb_memerror(); }
    e->id = ++rbpipc_notify_last;
    e->fd = w;
    pthread_mutex_lock(&rbpipc_notify_lock);
    e->next = rbpipc_notify_list;
    rbpipc_notify_list = e;
    pthread_mutex_unlock(&rbpipc_notify_lock);
    $self->notify_id = e->id;
    rc = pipc_mq_notify_callback(h, rbpipc_notify_fire, (void *)(uintptr_t)e->id);
    if (rc < 0) rbpipc_pmq_cancel($self);
    return rbpipc_check(rc);
  }
  VALUE notify_cancel() { rbpipc_h(&$self->o); rbpipc_pmq_cancel($self); return Qnil; }

  VALUE name() { return rb_str_new_cstr(pipc_mq_name((pipc_mq *)rbpipc_h(&$self->o))); }
  VALUE created() { return rbpipc_bool(pipc_mq_created((pipc_mq *)rbpipc_h(&$self->o))); }
  VALUE unlink() { return rbpipc_check(pipc_mq_unlink((pipc_mq *)rbpipc_h(&$self->o))); }
  VALUE close() {
    int fd;
    /* the kernel drops the registration with the descriptor; drop our entry too */
    if ($self->notify_id && (fd = rbpipc_notify_take($self->notify_id)) >= 0) close(fd);
    $self->notify_id = 0;
    return rbpipc_close(&$self->o);
  }
  VALUE closed() { return $self->o.h ? Qfalse : Qtrue; }
}

/* ================= module functions and constants ================= */
%inline %{
static VALUE posix_unlink_semaphore(VALUE name) { return rbpipc_unlink_name(name, pipc_sem_unlink_name); }
static VALUE posix_unlink_shared_memory(VALUE name) { return rbpipc_unlink_name(name, pipc_shm_unlink_name); }
static VALUE posix_unlink_message_queue(VALUE name) { return rbpipc_unlink_name(name, pipc_mq_unlink_name); }
%}

%constant int CREAT = PIPC_CREAT;
%constant int EXCL = PIPC_EXCL;
%constant int CREX = PIPC_CREX;
%constant int TRUNC = PIPC_TRUNC;
%constant int SHM_RESERVE = PIPC_SHM_RESERVE;
%constant int NONBLOCK = PIPC_NONBLOCK;
%constant int DEFAULT_MODE = PIPC_DEFAULT_MODE;
/* read from the running system when the extension loads */
%constant long long PAGE_SIZE = pipc_page_size();
%constant long long SEMAPHORE_VALUE_MAX = pipc_sem_value_max();
%constant long long QUEUE_PRIORITY_MAX = pipc_mq_priority_max();
%constant long long QUEUE_MESSAGES_MAX_DEFAULT = pipc_mq_default_max_messages();
%constant long long QUEUE_MESSAGE_SIZE_MAX_DEFAULT = pipc_mq_default_max_message_size();
%constant int USER_SIGNAL_MIN = pipc_signal_min();
%constant int USER_SIGNAL_MAX = pipc_signal_max();

%init %{
  rbpipc_guard_sigbus();
  rbpipc_kw_timeout[0] = rb_intern("timeout");
  rbpipc_kw_send[0] = rb_intern("timeout");
  rbpipc_kw_send[1] = rb_intern("priority");
%}
