/* pipc_ruby.i — the low-level Ruby extension Pipc::Lowlevel (pipc/lowlevel.so).
 *
 * One SWIG class per object family (posix.i, sysv.i, mutex.i, channel.i), written with %extend so
 * that every hot-path method (acquire, release, send, receive, read, write, lock, unlock)
 * is a C method doing one libpipc call. lib/pipc/*.rb subclasses these classes under their public names and adds
 * keyword constructors, block forms and the other conveniences. Here: what the families
 * share — status -> exception, timeouts, keyword arguments, waits without the GVL. */
%module "pipc::lowlevel"

%include "pipc_errors.i"
%include "pipc_timeouts.i"

%{
#include <ruby.h>
#include <ruby/thread.h>
#include <ruby/io/buffer.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Status meaning "this Ruby object's handle was closed" (pipc_errors.i). */
#define RBPIPC_CLOSED PIPC_BINDING_CLOSED

static VALUE rbpipc_eError, rbpipc_eExistential, rbpipc_ePermissions, rbpipc_eBusy,
             rbpipc_eSignal, rbpipc_eNotAttached, rbpipc_eInvalid, rbpipc_eUnsupported,
             rbpipc_eOwnerDead, rbpipc_eNotRecoverable;
static ID rbpipc_id_status, rbpipc_id_errno;

NORETURN(static void rbpipc_raise_detail(int st, int err, const char *detail));
NORETURN(static void rbpipc_raise(int st));

/* Raises the exception of status ST (DESIGN.md's table) carrying ST, the errno ERR and
 * the message DETAIL. */
static void rbpipc_raise_detail(int st, int err, const char *detail) {
  char msg[640];
  VALUE cls, exc;
  if (detail && *detail) snprintf(msg, sizeof msg, "%s: %s", pipc_strerror(st), detail);
  else snprintf(msg, sizeof msg, "%s", pipc_strerror(st));
  switch (pipc_error_class_of(st)) {
    case PIPC_CLASS_EXISTENTIAL: cls = rbpipc_eExistential; break;
    case PIPC_CLASS_PERMISSIONS: cls = rbpipc_ePermissions; break;
    case PIPC_CLASS_BUSY: cls = rbpipc_eBusy; break;
    case PIPC_CLASS_SIGNAL: cls = rbpipc_eSignal; break;
    case PIPC_CLASS_VALUE: cls = rbpipc_eInvalid; break;
    case PIPC_CLASS_UNSUPPORTED: cls = rbpipc_eUnsupported; break;
    case PIPC_CLASS_NOT_ATTACHED: cls = rbpipc_eNotAttached; break;
    case PIPC_CLASS_OWNER_DEAD: cls = rbpipc_eOwnerDead; break;
    case PIPC_CLASS_NOT_RECOVERABLE: cls = rbpipc_eNotRecoverable; break;
    default: cls = rbpipc_eError; break;   /* limits, memory, other OS errors */
  }
  exc = rb_exc_new_cstr(cls, msg);
  rb_ivar_set(exc, rbpipc_id_status, INT2FIX(st));
  rb_ivar_set(exc, rbpipc_id_errno, INT2FIX(err));
  rb_exc_raise(exc);
}

/* Raises for the libpipc call that just failed in this thread with ST (or for a closed
 * object: RBPIPC_CLOSED), with libpipc's errno and detail message. */
static void rbpipc_raise(int st) {
  char detail[512];
  if (st == RBPIPC_CLOSED) rbpipc_raise_detail(PIPC_EBADHANDLE, 0, "the object has been closed");
  /* copied before any Ruby allocation: a GC finalizer may run another pipc call */
  snprintf(detail, sizeof detail, "%s", pipc_last_message());
  rbpipc_raise_detail(st, pipc_last_errno(), detail);
}

NORETURN(static void rbpipc_raise_past_end(uint64_t off, uint64_t len, uint64_t size));
/* ArgumentError (PIPC_ERANGE) for [OFF, OFF + LEN) past the end of SIZE bytes. */
static void rbpipc_raise_past_end(uint64_t off, uint64_t len, uint64_t size) {
  char detail[160];
  snprintf(detail, sizeof detail, "offset %llu + length %llu is past the segment's end (%llu bytes)",
           (unsigned long long)off, (unsigned long long)len, (unsigned long long)size);
  rbpipc_raise_detail(PIPC_ERANGE, 0, detail);
}

static inline VALUE rbpipc_check(int rc) {
  if (rc < 0) rbpipc_raise(rc);
  return Qnil;
}

/* A libpipc answer of 1, 0 or a negative status: true, false or the exception. */
static inline VALUE rbpipc_bool(int rc) {
  rbpipc_check(rc);
  return rc ? Qtrue : Qfalse;
}

/* ---- arguments ---- */

/* An Integer in [LO, HI]: TypeError for anything else, ArgumentError out of range. */
static long long rbpipc_int(VALUE v, const char *what, long long lo, long long hi) {
  long long x;
  if (!RB_INTEGER_TYPE_P(v))
    rb_raise(rb_eTypeError, "%s must be an Integer, not %"PRIsVALUE, what, rb_obj_class(v));
  if (FIXNUM_P(v)) {
    x = FIX2LONG(v);
  } else {
    if (rb_big_cmp(v, LL2NUM(lo)) == INT2FIX(-1) || rb_big_cmp(v, LL2NUM(hi)) == INT2FIX(1))
      goto range;
    x = NUM2LL(v);
  }
  if (x < lo || x > hi) goto range;
  return x;
range:
  rb_raise(rb_eArgError, "%s must be from %lld to %lld", what, lo, hi);
  return 0;
}

/* A name: nil (a random one, pipc's NULL) or a String without NUL. */
static const char *rbpipc_name(VALUE v) {
  if (NIL_P(v)) return NULL;
  if (!RB_TYPE_P(v, T_STRING))
    rb_raise(rb_eTypeError, "the name must be a String or nil, not %"PRIsVALUE, rb_obj_class(v));
  return StringValueCStr(v);   /* ArgumentError for an embedded NUL */
}

/* Bytes to send or write: a String (any encoding; its bytes are used). */
static void rbpipc_bytes(VALUE v, const char **p, size_t *n) {
  if (!RB_TYPE_P(v, T_STRING))
    rb_raise(rb_eTypeError, "the data must be a String, not %"PRIsVALUE, rb_obj_class(v));
  *p = RSTRING_PTR(v);
  *n = (size_t)RSTRING_LEN(v);
}

/* timeout: in seconds (Integer or Float), nil waits forever, 0 tries once. */
static int64_t rbpipc_timeout(VALUE v) {
  double s;
  if (v == Qundef || NIL_P(v)) return PIPC_BINDING_FOREVER;
  if (FIXNUM_P(v)) {
    long x = FIX2LONG(v);
    if (x < 0) goto negative;
    return pipc_timeout_from_whole_seconds(x);
  }
  if (RB_TYPE_P(v, T_BIGNUM)) {
    if (rb_big_cmp(v, INT2FIX(0)) == INT2FIX(-1)) goto negative;
    return PIPC_BINDING_FOREVER;
  }
  if (!RB_FLOAT_TYPE_P(v))
    rb_raise(rb_eTypeError, "timeout must be nil or a number of seconds, not %"PRIsVALUE,
             rb_obj_class(v));
  s = RFLOAT_VALUE(v);
  if (isnan(s)) rb_raise(rb_eArgError, "timeout must not be NaN");
  if (s < 0) goto negative;
  return pipc_timeout_from_seconds(s);
negative:
  rb_raise(rb_eArgError, "timeout must not be negative");
  return 0;
}

/* The keyword arguments of a C method: KW is the trailing Hash Ruby passes for them (Qnil
 * when none). VALS[i] gets the value of NAMES[i], or Qundef. A positional argument in its
 * place, or an unknown keyword, is an ArgumentError as for a Ruby method. */
static void rbpipc_kwargs(VALUE kw, int n, const ID *names, VALUE *vals) {
  long found = 0;
  int i;
  for (i = 0; i < n; ++i) vals[i] = Qundef;
  if (NIL_P(kw)) return;
  if (!RB_TYPE_P(kw, T_HASH) || !rb_keyword_given_p())
    rb_raise(rb_eArgError, "wrong number of arguments (only keyword arguments are accepted here)");
  for (i = 0; i < n; ++i) {
    vals[i] = rb_hash_lookup2(kw, ID2SYM(names[i]), Qundef);
    if (vals[i] != Qundef) ++found;
  }
  if (found != (long)RHASH_SIZE(kw)) {
    VALUE keys = rb_funcall(kw, rb_intern("keys"), 0), text = rb_str_new(NULL, 0);
    long k;
    for (i = 0; i < n; ++i) rb_ary_delete(keys, ID2SYM(names[i]));
    for (k = 0; k < RARRAY_LEN(keys); ++k) {
      if (k) rb_str_cat_cstr(text, ", ");
      rb_str_append(text, rb_inspect(RARRAY_AREF(keys, k)));
    }
    rb_raise(rb_eArgError, "unknown keyword%s: %"PRIsVALUE, k > 1 ? "s" : "", text);
  }
}

/* ---- handles and waits ----
 * Every object starts with this header. close() closes the handle at once, also while
 * other threads wait on it without the GVL: the core ends those waits (PIPC_EBADHANDLE),
 * and they raise what any later call on the closed object raises. A handle is a number
 * that a closed one never matches again, so a call that read it before the close is
 * refused, never misled. */
typedef int (*rbpipc_close_fn)(void *h);
typedef struct rbpipc_obj {
  void *h;                 /* NULL once closed */
  rbpipc_close_fn close_fn;
} rbpipc_obj;

static VALUE rbpipc_close(rbpipc_obj *o) {
  void *h = o->h;
  if (!h) return Qnil;     /* idempotent */
  o->h = NULL;
  return rbpipc_check(o->close_fn(h));
}

static void rbpipc_free(rbpipc_obj *o) {   /* GC: close, never unlink or remove */
  if (o->h) o->close_fn(o->h);
}

/* The handle of a method's receiver, or ExistentialError once closed. */
static inline void *rbpipc_h(rbpipc_obj *o) {
  if (!o->h) rbpipc_raise(RBPIPC_CLOSED);
  return o->h;
}

/* A blocking operation: OP(h, ctx, timeout_ns) with the GVL released. */
typedef int (*rbpipc_op)(void *h, void *ctx, int64_t timeout_ns);
struct rbpipc_call { rbpipc_op op; void *h; void *ctx; int64_t timeout; int rc; };
static void *rbpipc_call_nogvl(void *p) {
  struct rbpipc_call *c = (struct rbpipc_call *)p;
  c->rc = c->op(c->h, c->ctx, c->timeout);
  return NULL;
}

static int64_t rbpipc_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One wait, OP(h, CTX, TIMEOUT) with the GVL released: its status, PIPC_EINTR when
 * Ruby's unblocking function interrupted it (or an interrupt was pending before it
 * began), RBPIPC_CLOSED when close() from another thread ended it. */
static int rbpipc_wait_once(rbpipc_obj *o, rbpipc_op op, void *ctx, int64_t timeout) {
  struct rbpipc_call c;
  c.op = op; c.ctx = ctx; c.timeout = timeout;
  c.h = o->h;
  if (!c.h) return RBPIPC_CLOSED;
  c.rc = PIPC_EINTR;     /* stays so when an interrupt was pending before the call */
  rb_thread_call_without_gvl2(rbpipc_call_nogvl, &c, RUBY_UBF_IO, NULL);
  return pipc_binding_wait_status(c.rc);
}

/* The wait of a call that already failed with PIPC_EAGAIN when tried with the GVL held.
 * Ruby's unblocking function interrupts it (PIPC_EINTR): the thread's pending interrupts
 * then run here — Thread#kill, Thread#raise, a trap's exception end the call — and the
 * wait resumes with the time left. close() from another thread ends it (RBPIPC_CLOSED).
 * Returns the status of the last try. */
static int rbpipc_wait(rbpipc_obj *o, rbpipc_op op, void *ctx, int64_t timeout) {
  const int bounded = timeout > 0;
  const int64_t deadline = bounded ? rbpipc_now_ns() + timeout : 0;
  for (;;) {
    const int rc = rbpipc_wait_once(o, op, ctx, timeout);
    if (rc != PIPC_EINTR) return rc;
    rb_thread_check_ints();
    if (bounded) {
      timeout = deadline - rbpipc_now_ns();
      if (timeout <= 0) return PIPC_ETIMEDOUT;
    }
  }
}

/* OP tried once with the GVL held (timeout 0), and only when it would block, waited for
 * as rbpipc_wait does: the uncontended call never gives up the GVL. */
static int rbpipc_try_then_wait(rbpipc_obj *o, rbpipc_op op, void *ctx, int64_t timeout) {
  int rc = op(rbpipc_h(o), ctx, 0);
  if (rc == PIPC_EAGAIN && timeout != 0) rc = rbpipc_wait(o, op, ctx, timeout);
  return rc;
}

/* A received message: a binary (ASCII-8BIT) String and its priority or type. */
static inline VALUE rbpipc_message(VALUE str, VALUE tag) { return rb_assoc_new(str, tag); }

/* A String of CAP bytes to receive into while the GVL is released; shrunk to N after. */
static inline VALUE rbpipc_recv_buffer(size_t cap) { return rb_str_new(NULL, (long)cap); }
static inline VALUE rbpipc_recv_done(VALUE s, size_t n) {
  if ((size_t)RSTRING_LEN(s) > n) rb_str_resize(s, (long)n);
  return s;
}
%}

/* Every argument is taken as a VALUE and converted by the helpers above (exact
 * TypeError/ArgumentError texts); `kw` is a method's optional trailing keyword Hash. */
%typemap(default) VALUE kw "$1 = Qnil;";

/* %extend methods: `self` (C: "struct T *self") straight from the Data object, not through
 * SWIG_ConvertPtr's type-name lookup: Ruby's method dispatch has already checked the class.
 * An object whose initialize never ran reads as closed. */
%define RBPIPC_SELF(TYPE)
%typemap(in) struct TYPE *self, TYPE *self {
  $1 = (TYPE *)DATA_PTR($input);
  if (!$1) rbpipc_raise(RBPIPC_CLOSED);
}
/* initialize runs once: a second call would leak the first handle */
%exception TYPE::TYPE {
  if (DATA_PTR(self)) rb_raise(rb_eRuntimeError, "the object is already initialized");
  $action
}
%enddef

%init %{
  {
    VALUE mPipc = rb_define_module("Pipc");
    rbpipc_id_status = rb_intern("@status");
    rbpipc_id_errno = rb_intern("@errno");
    /* defined in lib/pipc/errors.rb, which is loaded first */
    rbpipc_eError = rb_const_get(mPipc, rb_intern("Error"));
    rbpipc_eExistential = rb_const_get(mPipc, rb_intern("ExistentialError"));
    rbpipc_ePermissions = rb_const_get(mPipc, rb_intern("PermissionsError"));
    rbpipc_eBusy = rb_const_get(mPipc, rb_intern("BusyError"));
    rbpipc_eSignal = rb_const_get(mPipc, rb_intern("SignalError"));
    rbpipc_eNotAttached = rb_const_get(mPipc, rb_intern("NotAttachedError"));
    rbpipc_eInvalid = rb_const_get(mPipc, rb_intern("InvalidArgumentError"));
    rbpipc_eUnsupported = rb_const_get(mPipc, rb_intern("UnsupportedError"));
    rbpipc_eOwnerDead = rb_const_get(mPipc, rb_intern("OwnerDeadError"));
    rbpipc_eNotRecoverable = rb_const_get(mPipc, rb_intern("NotRecoverableError"));
    /* held in C statics: pinned, so that GC.compact never moves them */
    rb_gc_register_mark_object(rbpipc_eError);
    rb_gc_register_mark_object(rbpipc_eExistential);
    rb_gc_register_mark_object(rbpipc_ePermissions);
    rb_gc_register_mark_object(rbpipc_eBusy);
    rb_gc_register_mark_object(rbpipc_eSignal);
    rb_gc_register_mark_object(rbpipc_eNotAttached);
    rb_gc_register_mark_object(rbpipc_eInvalid);
    rb_gc_register_mark_object(rbpipc_eUnsupported);
    rb_gc_register_mark_object(rbpipc_eOwnerDead);
    rb_gc_register_mark_object(rbpipc_eNotRecoverable);
  }
%}

/* the version of the libpipc loaded, for Pipc::VERSION (lib/pipc.rb) */
%constant const char *LIBRARY_VERSION = pipc_version();

%include "posix.i"
%include "sysv.i"
%include "inventory.i"
%include "mutex.i"
%include "channel.i"
