/* sysv.i — System V semaphores, shared memory and message queues for Pipc::SysV
 * (lib/pipc/sysv.rb gives them their public names, keyword constructors and stat fields). */

%{
static ID rbpipc_kw_sysv_acquire[2], rbpipc_kw_delta[1], rbpipc_kw_sysv_send[2],
          rbpipc_kw_sysv_recv[3], rbpipc_id_owner, rbpipc_id_views;

/* key: nil (a new object under a random unused key) or an Integer (pipc checks its range) */
static int64_t rbpipc_key(VALUE key) {
  return NIL_P(key) ? PIPC_KEY_RANDOM : (int64_t)rbpipc_int(key, "key", INT64_MIN + 1, INT64_MAX);
}
static int64_t rbpipc_id(VALUE id) { return (int64_t)rbpipc_int(id, "id", 0, INT32_MAX); }
static uint32_t rbpipc_delta(VALUE v) {
  return v == Qundef ? 1 : (uint32_t)rbpipc_int(v, "delta", 1, UINT32_MAX);
}
/* a set_perm field: nil keeps it */
static int64_t rbpipc_perm(VALUE v, const char *what) {
  return NIL_P(v) ? PIPC_SYSV_KEEP : (int64_t)rbpipc_int(v, what, 0, UINT32_MAX);
}
static VALUE rbpipc_perm_ary(const pipc_sysv_perm *p) {
  return rb_ary_new_from_args(6, LL2NUM(p->key), UINT2NUM(p->uid), UINT2NUM(p->gid),
                              UINT2NUM(p->cuid), UINT2NUM(p->cgid), UINT2NUM(p->mode));
}

/* ================= Semaphore ================= */
typedef struct rbpipc_ssem { rbpipc_obj o; } rbpipc_ssem;
static int rbpipc_ssem_close_h(void *h) { return pipc_sysv_sem_close((pipc_sysv_sem *)h); }
static int rbpipc_ssem_acquire_op(void *h, void *ctx, int64_t t) {
  return pipc_sysv_sem_acquire((pipc_sysv_sem *)h, *(uint32_t *)ctx, t);
}
static int rbpipc_ssem_zero_op(void *h, void *ctx, int64_t t) {
  (void)ctx;
  return pipc_sysv_sem_wait_zero((pipc_sysv_sem *)h, t);
}

/* ================= SharedMemory ================= */
typedef struct rbpipc_sshm { rbpipc_obj o; } rbpipc_sshm;
static int rbpipc_sshm_close_h(void *h) { return pipc_sysv_shm_close((pipc_sysv_shm *)h); }

/* IO::Buffer views of the attachment (SharedMemory#view): each is locked (so it cannot be
 * freed, resized or transferred by its user), keeps its SharedMemory alive (@owner), and
 * is freed — invalidated: any later access raises — before a detach unmaps the memory. */
static void rbpipc_sshm_invalidate(VALUE self) {
  VALUE views = rb_attr_get(self, rbpipc_id_views);
  long i;
  if (NIL_P(views)) return;
  for (i = 0; i < RARRAY_LEN(views); ++i) {
    VALUE v = RARRAY_AREF(views, i);
    rb_io_buffer_unlock(v);
    rb_io_buffer_free(v);
  }
  rb_ary_clear(views);
}

/* ================= MessageQueue ================= */
typedef struct rbpipc_smq {
  rbpipc_obj o;
  size_t cap;        /* the longest message the system allows (msgmax at open) */
  char *scratch;     /* receive buffer of the try made with the GVL held */
} rbpipc_smq;
static int rbpipc_smq_close_h(void *h) { return pipc_sysv_mq_close((pipc_sysv_mq *)h); }

struct rbpipc_ssend { const char *data; size_t len; int64_t type; };
static int rbpipc_smq_send_op(void *h, void *ctx, int64_t t) {
  struct rbpipc_ssend *c = (struct rbpipc_ssend *)ctx;
  return pipc_sysv_mq_send((pipc_sysv_mq *)h, c->data, c->len, c->type, t);
}
struct rbpipc_srecv { char *buf; size_t cap; size_t len; int64_t type; uint32_t flags; int64_t got; };
static int rbpipc_smq_recv_op(void *h, void *ctx, int64_t t) {
  struct rbpipc_srecv *c = (struct rbpipc_srecv *)ctx;
  return pipc_sysv_mq_receive(&c->len, &c->got, (pipc_sysv_mq *)h, c->buf, c->cap, c->type,
                              c->flags, t);
}
%}

%define RBPIPC_SYSV_COMMON(TYPE, PREFIX)
  VALUE id() { int id = PREFIX##_id(rbpipc_h(&$self->o)); rbpipc_check(id); return INT2NUM(id); }
  VALUE key() {
    int64_t k;
    rbpipc_check(PREFIX##_key(&k, rbpipc_h(&$self->o)));
    return LL2NUM(k);
  }
  VALUE created() { return rbpipc_bool(PREFIX##_created(rbpipc_h(&$self->o))); }
  /* set_perm(uid, gid, mode): nil keeps a field */
  VALUE set_perm(VALUE uid, VALUE gid, VALUE mode) {
    return rbpipc_check(PREFIX##_set_perm(rbpipc_h(&$self->o), rbpipc_perm(uid, "uid"),
                                          rbpipc_perm(gid, "gid"), rbpipc_perm(mode, "mode")));
  }
  VALUE remove() { return rbpipc_check(PREFIX##_remove(rbpipc_h(&$self->o))); }
  VALUE closed() { return $self->o.h ? Qfalse : Qtrue; }
%enddef

/* ================= Semaphore ================= */
%rename(SysVSemaphore) rbpipc_ssem;
%rename("created?") rbpipc_ssem::created;
%rename("closed?") rbpipc_ssem::closed;
%rename("undo=") rbpipc_ssem::set_undo;
%rename("block=") rbpipc_ssem::set_block;
%rename("value=") rbpipc_ssem::set_value;
RBPIPC_SELF(rbpipc_ssem)
typedef struct rbpipc_ssem {} rbpipc_ssem;

%extend rbpipc_ssem {
  /* (key, flags, mode, initial_value, nil) opens by key; (nil, 0, 0, 0, id) by id */
  rbpipc_ssem(VALUE key, VALUE flags, VALUE mode, VALUE initial_value, VALUE id) {
    pipc_sysv_sem_options opts = PIPC_SYSV_SEM_OPTIONS_INIT;
    rbpipc_ssem *s;
    int rc;
    opts.flags = rbpipc_flags(flags, PIPC_CREX | PIPC_SYSV_SEM_SETVAL);
    opts.mode = rbpipc_mode(mode);
    opts.initial_value = (uint32_t)rbpipc_int(initial_value, "initial_value", 0, UINT32_MAX);
    s = ZALLOC(rbpipc_ssem);
    s->o.close_fn = rbpipc_ssem_close_h;
    rc = NIL_P(id) ? pipc_sysv_sem_open((pipc_sysv_sem **)&s->o.h, rbpipc_key(key), &opts)
                   : pipc_sysv_sem_open_id((pipc_sysv_sem **)&s->o.h, rbpipc_id(id));
    if (rc < 0) { xfree(s); rbpipc_raise(rc); }
    return s;
  }
  ~rbpipc_ssem() { rbpipc_free(&$self->o); xfree($self); }

  /* acquire(timeout: nil, delta: 1) */
  VALUE acquire(VALUE kw) {
    VALUE v[2];
    int64_t timeout;
    uint32_t delta;
    rbpipc_h(&$self->o);
    rbpipc_kwargs(kw, 2, rbpipc_kw_sysv_acquire, v);
    timeout = rbpipc_timeout(v[0]);
    delta = rbpipc_delta(v[1]);
    return rbpipc_check(rbpipc_try_then_wait(&$self->o, rbpipc_ssem_acquire_op, &delta, timeout));
  }
  /* release(delta: 1) */
  VALUE release(VALUE kw) {
    VALUE d;
    pipc_sysv_sem *h = (pipc_sysv_sem *)rbpipc_h(&$self->o);
    rbpipc_kwargs(kw, 1, rbpipc_kw_delta, &d);
    return rbpipc_check(pipc_sysv_sem_release(h, rbpipc_delta(d)));
  }
  /* wait_for_zero(timeout: nil) */
  VALUE wait_for_zero(VALUE kw) {
    VALUE t;
    rbpipc_h(&$self->o);
    rbpipc_kwargs(kw, 1, rbpipc_kw_timeout, &t);
    return rbpipc_check(rbpipc_try_then_wait(&$self->o, rbpipc_ssem_zero_op, NULL, rbpipc_timeout(t)));
  }
  VALUE value() {
    int v;
    rbpipc_check(pipc_sysv_sem_value(&v, (pipc_sysv_sem *)rbpipc_h(&$self->o)));
    return INT2NUM(v);
  }
  VALUE set_value(VALUE value) {
    int64_t v = (int64_t)rbpipc_int(value, "value", 0, INT32_MAX);
    return rbpipc_check(pipc_sysv_sem_set_value((pipc_sysv_sem *)rbpipc_h(&$self->o), v)), value;
  }
  VALUE undo() {
    int v;
    rbpipc_check(pipc_sysv_sem_undo(&v, (pipc_sysv_sem *)rbpipc_h(&$self->o)));
    return v ? Qtrue : Qfalse;
  }
  VALUE set_undo(VALUE undo) {
    return rbpipc_check(pipc_sysv_sem_set_undo((pipc_sysv_sem *)rbpipc_h(&$self->o), RTEST(undo))), undo;
  }
  VALUE block() {
    int v;
    rbpipc_check(pipc_sysv_sem_blocking(&v, (pipc_sysv_sem *)rbpipc_h(&$self->o)));
    return v ? Qtrue : Qfalse;
  }
  VALUE set_block(VALUE block) {
    return rbpipc_check(pipc_sysv_sem_set_blocking((pipc_sysv_sem *)rbpipc_h(&$self->o), RTEST(block))), block;
  }
  /* [key, uid, gid, cuid, cgid, mode, otime, ctime, last_pid, waiting_nonzero, waiting_zero] */
  VALUE stat() {
    pipc_sysv_sem_stat st;
    rbpipc_check(pipc_sysv_sem_stat_get(&st, (pipc_sysv_sem *)rbpipc_h(&$self->o)));
    return rb_ary_concat(rbpipc_perm_ary(&st.perm),
                         rb_ary_new_from_args(5, LL2NUM(st.otime), LL2NUM(st.ctime),
                                              INT2NUM(st.last_pid), INT2NUM(st.waiting_nonzero),
                                              INT2NUM(st.waiting_zero)));
  }
  VALUE close() { return rbpipc_close(&$self->o); }
  RBPIPC_SYSV_COMMON(rbpipc_ssem, pipc_sysv_sem)
}

/* ================= SharedMemory ================= */
%rename(SysVSharedMemory) rbpipc_sshm;
%rename("created?") rbpipc_sshm::created;
%rename("closed?") rbpipc_sshm::closed;
%rename("attached?") rbpipc_sshm::attached;
%rename("read_only?") rbpipc_sshm::read_only;
%typemap(in, numinputs=0) VALUE rbself "$1 = self;";
RBPIPC_SELF(rbpipc_sshm)
typedef struct rbpipc_sshm {} rbpipc_sshm;

%extend rbpipc_sshm {
  rbpipc_sshm(VALUE key, VALUE flags, VALUE mode, VALUE size, VALUE fill_byte, VALUE id) {
    pipc_sysv_shm_options opts = PIPC_SYSV_SHM_OPTIONS_INIT;
    rbpipc_sshm *m;
    int rc;
    opts.flags = rbpipc_flags(flags, PIPC_CREX | PIPC_SHM_HUGETLB | PIPC_SHM_NORESERVE);
    opts.mode = rbpipc_mode(mode);
    opts.size = (uint64_t)rbpipc_int(size, "size", 0, INT64_MAX);
    opts.fill_byte = (uint32_t)rbpipc_int(fill_byte, "fill_byte", 0, 255);
    m = ZALLOC(rbpipc_sshm);
    m->o.close_fn = rbpipc_sshm_close_h;
    rc = NIL_P(id) ? pipc_sysv_shm_open((pipc_sysv_shm **)&m->o.h, rbpipc_key(key), &opts)
                   : pipc_sysv_shm_open_id((pipc_sysv_shm **)&m->o.h, rbpipc_id(id));
    if (rc < 0) { xfree(m); rbpipc_raise(rc); }
    return m;
  }
  /* GC: no view is alive any more (each keeps this object alive); close detaches */
  ~rbpipc_sshm() { rbpipc_free(&$self->o); xfree($self); }

  /* attach(address, flags): address nil lets the kernel choose */
  VALUE attach(VALUE rbself, VALUE address, VALUE flags) {
    void *addr = NIL_P(address) ? NULL
        : (void *)(uintptr_t)rbpipc_int(address, "address", 0, (long long)(UINTPTR_MAX >> 1));
    uint32_t fl = rbpipc_flags(flags, PIPC_SHM_ATTACH_READ_ONLY | PIPC_SHM_ATTACH_ROUND |
                                      PIPC_SHM_ATTACH_REMAP | PIPC_SHM_ATTACH_EXEC);
    pipc_sysv_shm *h = (pipc_sysv_shm *)rbpipc_h(&$self->o);
    rbpipc_sshm_invalidate(rbself);           /* attaching again replaces the attachment */
    return rbpipc_check(pipc_sysv_shm_attach(h, addr, fl));
  }
  VALUE detach(VALUE rbself) {
    pipc_sysv_shm *h = (pipc_sysv_shm *)rbpipc_h(&$self->o);
    rbpipc_sshm_invalidate(rbself);
    return rbpipc_check(pipc_sysv_shm_detach(h));
  }
  VALUE attached() { return rbpipc_bool(pipc_sysv_shm_attached((pipc_sysv_shm *)rbpipc_h(&$self->o))); }
  VALUE read_only() { return rbpipc_bool(pipc_sysv_shm_read_only((pipc_sysv_shm *)rbpipc_h(&$self->o))); }
  VALUE address() {
    void *a;
    rbpipc_check(pipc_sysv_shm_address(&a, (pipc_sysv_shm *)rbpipc_h(&$self->o)));
    return ULL2NUM((unsigned long long)(uintptr_t)a);
  }
  /* read(length = nil, offset = 0): a binary String; nil reads to the end */
  VALUE read(VALUE opt1, VALUE opt2) {
    pipc_sysv_shm *h = (pipc_sysv_shm *)rbpipc_h(&$self->o);
    uint64_t off = NIL_P(opt2) ? 0 : (uint64_t)rbpipc_int(opt2, "offset", 0, INT64_MAX);
    uint64_t len, size;
    VALUE s;
    rbpipc_check(pipc_sysv_shm_size(&size, h));
    if (NIL_P(opt1)) {
      len = off < size ? size - off : 0;
    } else {
      len = (uint64_t)rbpipc_int(opt1, "length", 0, LONG_MAX);
    }
    /* checked before a String of LEN bytes is made for it */
    if (off > size || len > size - off) rbpipc_raise_past_end(off, len, size);
    s = rb_str_new(NULL, (long)len);
    rbpipc_check(pipc_sysv_shm_read(h, off, RSTRING_PTR(s), (size_t)len));
    return s;
  }
  /* write(data, offset = 0): returns the number of bytes written */
  VALUE write(VALUE data, VALUE opt1) {
    pipc_sysv_shm *h = (pipc_sysv_shm *)rbpipc_h(&$self->o);
    uint64_t off = NIL_P(opt1) ? 0 : (uint64_t)rbpipc_int(opt1, "offset", 0, INT64_MAX);
    const char *p;
    size_t n;
    rbpipc_bytes(data, &p, &n);
    rbpipc_check(pipc_sysv_shm_write(h, off, p, n));
    return SIZET2NUM(n);
  }
  /* view: an IO::Buffer over the whole attachment (read-only for a read-only one) */
  VALUE view(VALUE rbself) {
    pipc_sysv_shm *h = (pipc_sysv_shm *)rbpipc_h(&$self->o);
    void *a;
    uint64_t size;
    int ro;
    VALUE buf, views;
    rbpipc_check(pipc_sysv_shm_address(&a, h));
    rbpipc_check(pipc_sysv_shm_size(&size, h));
    rbpipc_check(ro = pipc_sysv_shm_read_only(h));
    buf = rb_io_buffer_new(a, (size_t)size,
                           RB_IO_BUFFER_EXTERNAL | (ro ? RB_IO_BUFFER_READONLY : 0));
    rb_io_buffer_lock(buf);
    rb_ivar_set(buf, rbpipc_id_owner, rbself);
    views = rb_attr_get(rbself, rbpipc_id_views);
    if (NIL_P(views)) rb_ivar_set(rbself, rbpipc_id_views, views = rb_ary_new());
    rb_ary_push(views, buf);
    return buf;
  }
  VALUE size() {
    uint64_t size;
    rbpipc_check(pipc_sysv_shm_size(&size, (pipc_sysv_shm *)rbpipc_h(&$self->o)));
    return ULL2NUM(size);
  }
  /* [key, uid, gid, cuid, cgid, mode, size, attach_count, atime, dtime, ctime,
   *  creator_pid, last_pid] */
  VALUE stat() {
    pipc_sysv_shm_stat st;
    rbpipc_check(pipc_sysv_shm_stat_get(&st, (pipc_sysv_shm *)rbpipc_h(&$self->o)));
    return rb_ary_concat(rbpipc_perm_ary(&st.perm),
                         rb_ary_new_from_args(7, ULL2NUM(st.size), ULL2NUM(st.attach_count),
                                              LL2NUM(st.atime), LL2NUM(st.dtime), LL2NUM(st.ctime),
                                              INT2NUM(st.creator_pid), INT2NUM(st.last_pid)));
  }
  /* close detaches: views first */
  VALUE close(VALUE rbself) { rbpipc_sshm_invalidate(rbself); return rbpipc_close(&$self->o); }
  RBPIPC_SYSV_COMMON(rbpipc_sshm, pipc_sysv_shm)
}

/* ================= MessageQueue ================= */
%rename(SysVMessageQueue) rbpipc_smq;
%rename("created?") rbpipc_smq::created;
%rename("closed?") rbpipc_smq::closed;
%rename("max_bytes=") rbpipc_smq::set_max_bytes;
RBPIPC_SELF(rbpipc_smq)
typedef struct rbpipc_smq {} rbpipc_smq;

%extend rbpipc_smq {
  rbpipc_smq(VALUE key, VALUE flags, VALUE mode, VALUE max_bytes, VALUE id) {
    pipc_sysv_mq_options opts = PIPC_SYSV_MQ_OPTIONS_INIT;
    rbpipc_smq *q;
    int64_t cap = pipc_sysv_mq_message_size_max();
    int rc;
    opts.flags = rbpipc_flags(flags, PIPC_CREX);
    opts.mode = rbpipc_mode(mode);
    opts.max_bytes = (uint64_t)rbpipc_int(max_bytes, "max_bytes", 0, INT32_MAX);
    q = ZALLOC(rbpipc_smq);
    q->o.close_fn = rbpipc_smq_close_h;
    q->cap = cap > 0 ? (size_t)cap : 8192;
    q->scratch = (char *)malloc(q->cap);
    if (!q->scratch) { xfree(q); rb_memerror(); }
    rc = NIL_P(id) ? pipc_sysv_mq_open((pipc_sysv_mq **)&q->o.h, rbpipc_key(key), &opts)
                   : pipc_sysv_mq_open_id((pipc_sysv_mq **)&q->o.h, rbpipc_id(id));
    if (rc < 0) { free(q->scratch); xfree(q); rbpipc_raise(rc); }
    return q;
  }
  ~rbpipc_smq() { rbpipc_free(&$self->o); free($self->scratch); xfree($self); }

  /* send(data, type: 1, timeout: nil) */
  VALUE send(VALUE data, VALUE kw) {
    VALUE v[2];
    struct rbpipc_ssend c;
    int64_t timeout;
    int rc;
    pipc_sysv_mq *h = (pipc_sysv_mq *)rbpipc_h(&$self->o);
    rbpipc_bytes(data, &c.data, &c.len);
    rbpipc_kwargs(kw, 2, rbpipc_kw_sysv_send, v);
    c.type = v[0] == Qundef ? 1 : (int64_t)rbpipc_int(v[0], "type", 1, INT64_MAX);
    timeout = rbpipc_timeout(v[1]);
    rc = pipc_sysv_mq_send(h, c.data, c.len, c.type, 0);
    if (rc == PIPC_EAGAIN && timeout != 0) {
      VALUE frozen = rb_str_new_frozen(data);   /* bytes stay put while other threads run */
      c.data = RSTRING_PTR(frozen);
      rc = rbpipc_wait(&$self->o, rbpipc_smq_send_op, &c, timeout);
      RB_GC_GUARD(frozen);
    }
    return rbpipc_check(rc);
  }

  /* receive(type: 0, timeout: nil, truncate: false) -> [String (ASCII-8BIT), type] */
  VALUE receive(VALUE kw) {
    VALUE v[3], s;
    struct rbpipc_srecv c;
    int64_t timeout;
    int rc;
    pipc_sysv_mq *h = (pipc_sysv_mq *)rbpipc_h(&$self->o);
    rbpipc_kwargs(kw, 3, rbpipc_kw_sysv_recv, v);
    c.type = v[0] == Qundef ? 0 : (int64_t)rbpipc_int(v[0], "type", INT64_MIN + 1, INT64_MAX);
    timeout = rbpipc_timeout(v[1]);
    c.flags = v[2] != Qundef && RTEST(v[2]) ? PIPC_SYSV_MSG_TRUNCATE : 0;
    c.buf = $self->scratch; c.cap = $self->cap; c.len = 0; c.got = 0;
    rc = rbpipc_smq_recv_op(h, &c, 0);
    if (rc >= 0) return rbpipc_message(rb_str_new(c.buf, (long)c.len), LL2NUM(c.got));
    if (rc != PIPC_EAGAIN || timeout == 0) rbpipc_raise(rc);
    s = rbpipc_recv_buffer(c.cap);      /* waiting: a buffer of our own */
    c.buf = RSTRING_PTR(s);
    rbpipc_check(rbpipc_wait(&$self->o, rbpipc_smq_recv_op, &c, timeout));
    return rbpipc_message(rbpipc_recv_done(s, c.len), LL2NUM(c.got));
  }
  VALUE current_messages() {
    uint64_t v;
    rbpipc_check(pipc_sysv_mq_current_messages(&v, (pipc_sysv_mq *)rbpipc_h(&$self->o)));
    return ULL2NUM(v);
  }
  VALUE max_bytes() {
    uint64_t v;
    rbpipc_check(pipc_sysv_mq_max_bytes(&v, (pipc_sysv_mq *)rbpipc_h(&$self->o)));
    return ULL2NUM(v);
  }
  VALUE set_max_bytes(VALUE max_bytes) {
    uint64_t v = (uint64_t)rbpipc_int(max_bytes, "max_bytes", 1, INT32_MAX);
    return rbpipc_check(pipc_sysv_mq_set_max_bytes((pipc_sysv_mq *)rbpipc_h(&$self->o), v)), max_bytes;
  }
  /* [key, uid, gid, cuid, cgid, mode, current_messages, current_bytes, max_bytes, stime,
   *  rtime, ctime, last_send_pid, last_receive_pid] */
  VALUE stat() {
    pipc_sysv_mq_stat st;
    rbpipc_check(pipc_sysv_mq_stat_get(&st, (pipc_sysv_mq *)rbpipc_h(&$self->o)));
    return rb_ary_concat(rbpipc_perm_ary(&st.perm),
                         rb_ary_new_from_args(8, ULL2NUM(st.current_messages),
                                              ULL2NUM(st.current_bytes), ULL2NUM(st.max_bytes),
                                              LL2NUM(st.stime), LL2NUM(st.rtime), LL2NUM(st.ctime),
                                              INT2NUM(st.last_send_pid), INT2NUM(st.last_receive_pid)));
  }
  VALUE close() { return rbpipc_close(&$self->o); }
  RBPIPC_SYSV_COMMON(rbpipc_smq, pipc_sysv_mq)
}

/* ================= module functions and constants ================= */
%inline %{
static VALUE sysv_ftok(VALUE path, VALUE id) {
  int64_t key;
  const char *p;
  if (!RB_TYPE_P(path, T_STRING)) path = rb_get_path(path);   /* String or Pathname */
  p = StringValueCStr(path);
  rbpipc_check(pipc_ftok(&key, p, (int)rbpipc_int(id, "id", INT_MIN, INT_MAX)));
  return LL2NUM(key);
}
static VALUE sysv_remove_semaphore(VALUE id) { return rbpipc_check(pipc_sysv_sem_remove_id(rbpipc_id(id))); }
static VALUE sysv_remove_shared_memory(VALUE id) { return rbpipc_check(pipc_sysv_shm_remove_id(rbpipc_id(id))); }
static VALUE sysv_remove_message_queue(VALUE id) { return rbpipc_check(pipc_sysv_mq_remove_id(rbpipc_id(id))); }
static VALUE sysv_value_max(void) { return LL2NUM(pipc_sysv_sem_value_max()); }
static VALUE sysv_message_size_max(void) { return LL2NUM(pipc_sysv_mq_message_size_max()); }
%}

%constant int SEM_SETVAL = PIPC_SYSV_SEM_SETVAL;
%constant int SHM_HUGETLB = PIPC_SHM_HUGETLB;
%constant int SHM_NORESERVE = PIPC_SHM_NORESERVE;
%constant int SHM_RDONLY = PIPC_SHM_ATTACH_READ_ONLY;
%constant int SHM_RND = PIPC_SHM_ATTACH_ROUND;
%constant int SHM_REMAP = PIPC_SHM_ATTACH_REMAP;
%constant int SHM_EXEC = PIPC_SHM_ATTACH_EXEC;
%constant long long IPC_PRIVATE = PIPC_IPC_PRIVATE;
%constant long long KEY_MIN = PIPC_SYSV_KEY_MIN;
%constant long long KEY_MAX = PIPC_SYSV_KEY_MAX;

%init %{
  rbpipc_kw_sysv_acquire[0] = rb_intern("timeout");
  rbpipc_kw_sysv_acquire[1] = rb_intern("delta");
  rbpipc_kw_delta[0] = rb_intern("delta");
  rbpipc_kw_sysv_send[0] = rb_intern("type");
  rbpipc_kw_sysv_send[1] = rb_intern("timeout");
  rbpipc_kw_sysv_recv[0] = rb_intern("type");
  rbpipc_kw_sysv_recv[1] = rb_intern("timeout");
  rbpipc_kw_sysv_recv[2] = rb_intern("truncate");
  rbpipc_id_owner = rb_intern("@owner");
  rbpipc_id_views = rb_intern("@views");
%}
