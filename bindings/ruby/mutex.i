/* mutex.i — robust process-shared mutexes and condition variables for Pipc::Mutex and
 * Pipc::ConditionVariable (lib/pipc/mutex.rb gives them their public names and keyword
 * constructors).
 *
 * The lock belongs to the native thread that took it (pthread's robust mutex): each Ruby
 * Thread is one, and every Fiber of a Thread shares its locks. */

%{
static ID rbpipc_id_call, rbpipc_id_recover, rbpipc_kw_synchronize[2];

/* The open function of a family, options spread out: both families take the same. */
typedef int (*rbpipc_lock_open_fn)(void **out, const char *name, uint32_t flags, uint32_t mode);

static int rbpipc_mutex_open_h(void **out, const char *name, uint32_t flags, uint32_t mode) {
  pipc_mutex_options opts = PIPC_MUTEX_OPTIONS_INIT;
  opts.flags = flags;
  opts.mode = mode;
  return pipc_mutex_open((pipc_mutex **)out, name, &opts);
}
static int rbpipc_cond_open_h(void **out, const char *name, uint32_t flags, uint32_t mode) {
  pipc_cond_options opts = PIPC_COND_OPTIONS_INIT;
  opts.flags = flags;
  opts.mode = mode;
  return pipc_cond_open((pipc_cond **)out, name, &opts);
}
static int rbpipc_mutex_close_h(void *h) { return pipc_mutex_close((pipc_mutex *)h); }
static int rbpipc_cond_close_h(void *h) { return pipc_cond_close((pipc_cond *)h); }

/* A new object (a bare rbpipc_obj) with the handle OPEN gives, or the exception. */
static rbpipc_obj *rbpipc_lock_new(VALUE name, VALUE flags, VALUE mode, rbpipc_lock_open_fn open,
                                   rbpipc_close_fn close_fn) {
  const char *cname = rbpipc_name(name);
  uint32_t f = rbpipc_flags(flags, PIPC_CREX), m = rbpipc_mode(mode);
  rbpipc_obj *o = ALLOC(rbpipc_obj);
  int rc;
  o->close_fn = close_fn;
  rc = open(&o->h, cname, f, m);
  if (rc < 0) { xfree(o); rbpipc_raise(rc); }
  return o;
}

/* ================= Mutex ================= */
typedef struct rbpipc_mutex { rbpipc_obj o; } rbpipc_mutex;
static VALUE rbpipc_cMutex;   /* Pipc::Lowlevel::Mutex, for the argument of a wait */

static int rbpipc_mutex_lock_op(void *h, void *ctx, int64_t t) {
  (void)ctx;
  return pipc_mutex_lock((pipc_mutex *)h, t);
}

static VALUE rbpipc_mutex_unlock_obj(VALUE o) {   /* for rb_ensure: O is the rbpipc_obj */
  return rbpipc_check(pipc_mutex_unlock((pipc_mutex *)rbpipc_h((rbpipc_obj *)o)));
}

/* The recovery of the mutex object MUTEX: a callable, or nil. */
static inline VALUE rbpipc_recovery_of(VALUE mutex) { return rb_attr_get(mutex, rbpipc_id_recover); }

/* ---- owner death ----
 * RECOVER runs with the lock held; when it returns, the mutex is marked consistent. When
 * it raises (or the thread is killed in it), the state stays broken: the lock is released
 * without being marked, which makes it unusable for every process (NotRecoverableError)
 * rather than leaving it held by a thread that no longer knows it holds it. */
struct rbpipc_recovery { rbpipc_obj *m; VALUE recover; int repaired; };

static VALUE rbpipc_recovery_run(VALUE p) {
  struct rbpipc_recovery *r = (struct rbpipc_recovery *)p;
  rb_funcall(r->recover, rbpipc_id_call, 0);
  rbpipc_check(pipc_mutex_consistent((pipc_mutex *)rbpipc_h(r->m)));
  r->repaired = 1;
  return Qnil;
}

static VALUE rbpipc_recovery_end(VALUE p) {
  struct rbpipc_recovery *r = (struct rbpipc_recovery *)p;
  if (!r->repaired && r->m->h) pipc_mutex_unlock((pipc_mutex *)r->m->h);
  return Qnil;
}

/* Whether the lock status RC took the mutex M (of the Ruby object MUTEX): 1 yes, 0 when
 * the time ran out (or a try found it locked); raises for the rest. PIPC_EOWNERDEAD
 * (taken, but the previous owner died holding it): RECOVER (Qundef: MUTEX's own), when
 * not nil, repairs and the mutex is marked consistent; without one, OwnerDeadError, the
 * lock held. */
static int rbpipc_mutex_took(rbpipc_obj *m, int rc, VALUE mutex, VALUE recover) {
  struct rbpipc_recovery r;
  if (rc == PIPC_OK) return 1;
  if (rc == PIPC_EAGAIN || rc == PIPC_ETIMEDOUT) return 0;
  if (rc == PIPC_EOWNERDEAD && recover == Qundef) recover = rbpipc_recovery_of(mutex);
  if (rc != PIPC_EOWNERDEAD || NIL_P(recover)) rbpipc_raise(rc);
  r.m = m; r.recover = recover; r.repaired = 0;
  rb_ensure(rbpipc_recovery_run, (VALUE)&r, rbpipc_recovery_end, (VALUE)&r);
  return 1;
}

/* A recovery argument: nil or something that responds to call. */
static VALUE rbpipc_recovery_arg(VALUE v) {
  if (!NIL_P(v) && !rb_respond_to(v, rbpipc_id_call))
    rb_raise(rb_eTypeError, "recover must be nil or respond to call, not %"PRIsVALUE, rb_obj_class(v));
  return v;
}

/* The mutex argument of a wait: a Pipc::Mutex not closed. */
static rbpipc_obj *rbpipc_mutex_arg(VALUE v) {
  rbpipc_obj *m;
  if (!rb_obj_is_kind_of(v, rbpipc_cMutex))
    rb_raise(rb_eTypeError, "the mutex must be a Pipc::Mutex, not %"PRIsVALUE, rb_obj_class(v));
  m = (rbpipc_obj *)DATA_PTR(v);
  if (!m) rbpipc_raise(RBPIPC_CLOSED);   /* never initialized */
  rbpipc_h(m);
  return m;
}

/* ================= ConditionVariable ================= */
typedef struct rbpipc_cond { rbpipc_obj o; } rbpipc_cond;

static int rbpipc_cond_wait_op(void *h, void *ctx, int64_t t) {
  return pipc_cond_wait((pipc_cond *)h, (pipc_mutex *)ctx, t);
}
%}

/* the Ruby object of a method's receiver (its C struct is $self) */
%typemap(in, numinputs=0) VALUE rbself "$1 = self;";

/* ================= Mutex ================= */
%rename(Mutex) rbpipc_mutex;
%rename("created?") rbpipc_mutex::created;
%rename("closed?") rbpipc_mutex::closed;
%rename("try_lock") rbpipc_mutex::try_lock;
%rename("recover=") rbpipc_mutex::set_recover;
RBPIPC_SELF(rbpipc_mutex)
typedef struct rbpipc_mutex {} rbpipc_mutex;

%extend rbpipc_mutex {
  /* the recovery is checked before the open: a refused one must not leave a new mutex */
  rbpipc_mutex(VALUE rbself, VALUE name, VALUE flags, VALUE mode, VALUE recover) {
    rb_ivar_set(rbself, rbpipc_id_recover, rbpipc_recovery_arg(recover));
    return (rbpipc_mutex *)rbpipc_lock_new(name, flags, mode, rbpipc_mutex_open_h, rbpipc_mutex_close_h);
  }
  ~rbpipc_mutex() { rbpipc_free(&$self->o); xfree($self); }

  /* lock(timeout: nil) -> true, false when the time ran out: tried with the GVL held,
   * released only to wait */
  VALUE lock(VALUE rbself, VALUE kw) {
    rbpipc_obj *o = &$self->o;
    VALUE t;
    rbpipc_h(o);
    rbpipc_kwargs(kw, 1, rbpipc_kw_timeout, &t);
    return rbpipc_mutex_took(o, rbpipc_try_then_wait(o, rbpipc_mutex_lock_op, NULL, rbpipc_timeout(t)),
                             rbself, Qundef) ? Qtrue : Qfalse;
  }
  VALUE try_lock(VALUE rbself) {
    rbpipc_obj *o = &$self->o;
    return rbpipc_mutex_took(o, pipc_mutex_lock((pipc_mutex *)rbpipc_h(o), 0), rbself, Qundef)
           ? Qtrue : Qfalse;
  }
  VALUE unlock() { return rbpipc_mutex_unlock_obj((VALUE)&$self->o); }

  /* synchronize(timeout: nil, recover: self.recover) { } -> the block's value; unlocks
   * after the block however it ends */
  VALUE synchronize(VALUE rbself, VALUE kw) {
    rbpipc_obj *o = &$self->o;
    VALUE v[2], recover;
    int64_t timeout;
    int rc;
    rbpipc_h(o);
    rbpipc_kwargs(kw, 2, rbpipc_kw_synchronize, v);
    timeout = rbpipc_timeout(v[0]);
    recover = v[1] == Qundef ? Qundef : rbpipc_recovery_arg(v[1]);
    rb_need_block();
    rc = rbpipc_try_then_wait(o, rbpipc_mutex_lock_op, NULL, timeout);
    if (!rbpipc_mutex_took(o, rc, rbself, recover)) rbpipc_raise(rc);
    /* nothing between the lock and the ensure runs Ruby code or checks interrupts */
    return rb_ensure(rb_yield, Qundef, rbpipc_mutex_unlock_obj, (VALUE)o);
  }

  VALUE consistent() {
    return rbpipc_check(pipc_mutex_consistent((pipc_mutex *)rbpipc_h(&$self->o)));
  }
  VALUE recover(VALUE rbself) { rbpipc_h(&$self->o); return rbpipc_recovery_of(rbself); }
  VALUE set_recover(VALUE rbself, VALUE recover) {
    rbpipc_h(&$self->o);
    return rb_ivar_set(rbself, rbpipc_id_recover, rbpipc_recovery_arg(recover));
  }
  VALUE name() { return rb_str_new_cstr(pipc_mutex_name((pipc_mutex *)rbpipc_h(&$self->o))); }
  VALUE created() { return rbpipc_bool(pipc_mutex_created((pipc_mutex *)rbpipc_h(&$self->o))); }
  VALUE unlink() { return rbpipc_check(pipc_mutex_unlink((pipc_mutex *)rbpipc_h(&$self->o))); }
  VALUE close() { return rbpipc_close(&$self->o); }
  VALUE closed() { return $self->o.h ? Qfalse : Qtrue; }
}

/* ================= ConditionVariable ================= */
%rename(ConditionVariable) rbpipc_cond;
%rename("created?") rbpipc_cond::created;
%rename("closed?") rbpipc_cond::closed;
RBPIPC_SELF(rbpipc_cond)
typedef struct rbpipc_cond {} rbpipc_cond;

%extend rbpipc_cond {
  rbpipc_cond(VALUE name, VALUE flags, VALUE mode) {
    return (rbpipc_cond *)rbpipc_lock_new(name, flags, mode, rbpipc_cond_open_h, rbpipc_cond_close_h);
  }
  ~rbpipc_cond() { rbpipc_free(&$self->o); xfree($self); }

  /* wait(mutex, timeout = nil) -> true (woken, maybe spuriously), false when the time ran
   * out; MUTEX is held again when it returns or raises, except for errors that say the
   * caller did not hold it, argument errors, and MUTEX closed during the wait. A signal that interrupts the wait runs its handler (and
   * Thread#raise its exception) with the mutex held, and then counts as a wakeup: the
   * caller looks at its predicate again, so no wakeup is lost. */
  VALUE wait(VALUE mutex, VALUE opt1) {
    rbpipc_obj *c = &$self->o, *m;
    int64_t timeout;
    int rc;
    rbpipc_h(c);
    m = rbpipc_mutex_arg(mutex);
    timeout = rbpipc_timeout(opt1);
    rc = rbpipc_wait_once(c, rbpipc_cond_wait_op, m->h, timeout);
    if (rc == PIPC_EINTR) {
      rb_thread_check_ints();
      return Qtrue;
    }
    return rbpipc_mutex_took(m, rc, mutex, Qundef) ? Qtrue : Qfalse;
  }
  VALUE signal(VALUE rbself) {
    rbpipc_check(pipc_cond_signal((pipc_cond *)rbpipc_h(&$self->o)));
    return rbself;
  }
  VALUE broadcast(VALUE rbself) {
    rbpipc_check(pipc_cond_broadcast((pipc_cond *)rbpipc_h(&$self->o)));
    return rbself;
  }
  VALUE name() { return rb_str_new_cstr(pipc_cond_name((pipc_cond *)rbpipc_h(&$self->o))); }
  VALUE created() { return rbpipc_bool(pipc_cond_created((pipc_cond *)rbpipc_h(&$self->o))); }
  VALUE unlink() { return rbpipc_check(pipc_cond_unlink((pipc_cond *)rbpipc_h(&$self->o))); }
  VALUE close() { return rbpipc_close(&$self->o); }
  VALUE closed() { return $self->o.h ? Qfalse : Qtrue; }
}

%inline %{
static VALUE mutex_unlink_name(VALUE name) { return rbpipc_unlink_name(name, pipc_mutex_unlink_name); }
static VALUE cond_unlink_name(VALUE name) { return rbpipc_unlink_name(name, pipc_cond_unlink_name); }
%}

%init %{
  rbpipc_cMutex = SwigClassMutex.klass;   /* defined above, and a constant: never moved */
  rbpipc_id_call = rb_intern("call");
  rbpipc_id_recover = rb_intern("@recover");
  rbpipc_kw_synchronize[0] = rb_intern("timeout");
  rbpipc_kw_synchronize[1] = rb_intern("recover");
%}
