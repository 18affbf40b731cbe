/* pipc.sync: libpipc's named robust process-shared mutex and condition variable
 * (pipc_mutex_*, pipc_cond_*) as Mutex and Condition, in the manner of threading.Lock and
 * threading.Condition. SWIG -builtin types whose methods are written with %extend: `with
 * mutex:` makes one libpipc call on entry and one on exit, and holds the GIL unless the
 * lock has to be waited for.
 *
 * A lock whose previous owner died holding it is acquired all the same: acquire() then
 * raises OwnerDeadError with the lock held, or, given a recover function, calls it and
 * marks the state consistent itself. */
%module(package="pipc") sync

%include "pipc_python.i"
%include "pipc_posix_args.i"

%feature("kwargs");
/* nothing to name: METH_NOARGS, or METH_VARARGS for __exit__ (the `with` hot path) */
%feature("kwargs", "0") *::release;
%feature("kwargs", "0") *::consistent;
%feature("kwargs", "0") *::close;
%feature("kwargs", "0") *::unlink;
%feature("kwargs", "0") *::notify_all;
%feature("kwargs", "0") *::__enter__;
%feature("kwargs", "0") *::__exit__;
%feature("kwargs", "0") *::__repr__;
%feature("python:slot", "tp_repr", functype="reprfunc") *::__repr__;

%{
#include <stdint.h>

/* ---------------- what Mutex and Condition share ---------------- */

/* A libpipc family's calls, on its handles as void *. */
typedef struct pysync_family {
  const char *type_name;          /* for repr */
  int (*open)(void **out, const char *name, uint32_t flags, uint32_t mode);
  const char *(*name)(void *h);
  int (*created)(void *h);
  int (*unlink)(void *h);
  int (*close)(void *h);
} pysync_family;

#define PYSYNC_FAMILY(F, TYPE_NAME)                                                         \
  static int pysync_##F##_open_h(void **out, const char *name, uint32_t flags,            \
                                 uint32_t mode) {                                         \
    pipc_##F *h = NULL;                                                                   \
    pipc_##F##_options o;                                                                 \
    int rc;                                                                               \
    pipc_##F##_options_init(&o);                                                          \
    o.flags = flags;                                                                      \
    o.mode = mode;                                                                        \
    rc = pipc_##F##_open(&h, name, &o);                                                   \
    *out = h;                                                                             \
    return rc;                                                                            \
  }                                                                                       \
  static const char *pysync_##F##_name_h(void *h) { return pipc_##F##_name((pipc_##F *)h); } \
  static int pysync_##F##_created_h(void *h) { return pipc_##F##_created((pipc_##F *)h); } \
  static int pysync_##F##_unlink_h(void *h) { return pipc_##F##_unlink((pipc_##F *)h); }   \
  static int pysync_##F##_close_h(void *h) { return pipc_##F##_close((pipc_##F *)h); }     \
  static const pysync_family pysync_##F##_family = {                                      \
      TYPE_NAME, pysync_##F##_open_h, pysync_##F##_name_h, pysync_##F##_created_h,        \
      pysync_##F##_unlink_h, pysync_##F##_close_h};

PYSYNC_FAMILY(mutex, "pipc.sync.Mutex")
PYSYNC_FAMILY(cond, "pipc.sync.Condition")

/* The named object at the start of both types. */
typedef struct pysync_obj {
  void *h;                        /* the handle; NULL once closed */
  const pysync_family *family;
  PyObject *name;                 /* str (NULL until first shown) */
  char *cname;
  int created;
} pysync_obj;

/* Opens O from the constructors' name, flags and mode. NAME None creates a new object
 * under a random unused name, whatever the flags. On failure the caller frees O. */
static int pysync_obj_open(pysync_obj *o, const pysync_family *f, PyObject *name,
                           PyObject *flags, PyObject *mode) {
  long long fl, md;
  int rc;
  o->family = f;
  if (pypipc_int_arg(flags, "flags", INT_MIN, INT_MAX, 0, &fl) < 0 ||
      pypipc_int_arg(mode, "mode", INT_MIN, INT_MAX, 0600, &md) < 0 ||
      pypipc_name_arg(name ? name : Py_None, &o->cname, &o->name) < 0)
    return -1;
  if (!o->cname) fl = O_CREAT | O_EXCL;
  if ((fl & O_EXCL) && !(fl & O_CREAT)) {
    PyErr_SetString(PyExc_ValueError, "O_EXCL must be combined with O_CREAT");
    return -1;
  }
  rc = f->open(&o->h, o->cname, pypipc_posix_flags(fl) & PIPC_CREX, (uint32_t)md & 07777u);
  if (rc < 0) { pypipc_raise(rc); return -1; }
  o->created = f->created(o->h) == 1;
  if (!o->cname && !(o->cname = pypipc_name_copy(f->name(o->h)))) {
    f->unlink(o->h);
    return -1;
  }
  return 0;
}

static void pysync_obj_free(pysync_obj *o) {
  if (o->h) o->family->close(o->h);
  Py_XDECREF(o->name);
  PyMem_Free(o->cname);
}

/* close(): at once for this object; ends the waits of other threads on it. */
static int pysync_obj_close(pysync_obj *o) {
  void *h = o->h;
  if (!h) return PYPIPC_CLOSED;
  o->h = NULL;
  return o->family->close(h);
}

static int pysync_obj_unlink(pysync_obj *o) {
  return o->h ? o->family->unlink(o->h) : PYPIPC_CLOSED;
}

static PyObject *pysync_obj_repr(pysync_obj *o) {
  PyObject *n = pypipc_name_obj(&o->name, o->cname), *r;
  if (!n) return NULL;
  r = PyUnicode_FromFormat("%s(%R)", o->family->type_name, n);
  Py_DECREF(n);
  return r;
}

/* Timeouts as threading's acquire takes them: None or -1 waits without limit, another
 * negative number is a ValueError, otherwise pipc_python.i's seconds. */
static int pysync_timeout_arg(PyObject *o, int64_t *out) {
  double s;
  if (!o || o == Py_None) { *out = PIPC_BINDING_FOREVER; return 0; }
  if (PyNumber_Check(o) && !PyComplex_Check(o)) {
    s = PyFloat_AsDouble(o);
    if (s == -1.0 && PyErr_Occurred()) PyErr_Clear();   /* huge: pypipc_timeout_from_py */
    else if (s == -1.0) { *out = PIPC_BINDING_FOREVER; return 0; }
    else if (s < 0) {
      PyErr_SetString(PyExc_ValueError, "timeout value must be a non-negative number");
      return -1;
    }
  }
  return pypipc_timeout_from_py(o, out);
}

/* ---------------- Mutex ---------------- */
typedef struct pysync_mutex {
  pysync_obj o;
  PyObject *recover;    /* called on owner death before consistent(); NULL: none */
} pysync_mutex;

static int pysync_lock_op(void *h, int64_t t) { return pipc_mutex_lock((pipc_mutex *)h, t); }

/* H was locked, but its previous owner died holding it. With a recover function: call it,
 * then mark the state consistent (when it raises, the lock stays held and inconsistent:
 * the caller repairs, or releases it unrecoverable). Without: OwnerDeadError, the lock
 * held. */
static int pysync_owner_died(pysync_mutex *m, pipc_mutex *h) {
  PyObject *fn = m->recover, *r;
  if (!fn) {
    PyErr_Format(pypipc_OwnerDeadError, "the previous owner of the mutex %s died holding it; "
                 "this thread holds it now: repair the state it guards, call consistent(), "
                 "then release()", m->o.cname);
    return PYPIPC_PYERR;
  }
  Py_INCREF(fn);                        /* close() from another thread may drop it */
  r = PyObject_CallNoArgs(fn);
  Py_DECREF(fn);
  if (!r) return PYPIPC_PYERR;
  Py_DECREF(r);
  return pipc_mutex_consistent(h);
}

/* Locks M, trying with the GIL held first and releasing it only to wait (TIMEOUT as
 * pipc's: PIPC_FOREVER, 0, or > 0 ns). */
static int pysync_lock(pysync_mutex *m, int64_t timeout) {
  pipc_mutex *h = (pipc_mutex *)m->o.h;
  int rc;
  if (!h) return PYPIPC_CLOSED;
  rc = pipc_mutex_lock(h, 0);
  if (rc == PIPC_EAGAIN && timeout != 0) rc = pypipc_block_on(pysync_lock_op, h, timeout);
  return rc == PIPC_EOWNERDEAD ? pysync_owner_died(m, h) : rc;
}

static int pysync_unlock(pysync_mutex *m) {
  return m->o.h ? pipc_mutex_unlock((pipc_mutex *)m->o.h) : PYPIPC_CLOSED;
}

/* acquire()'s result: True, False (would block or timed out), or NULL with the error. */
static PyObject *pysync_acquired(int rc) {
  if (rc == PIPC_EAGAIN || rc == PIPC_ETIMEDOUT) Py_RETURN_FALSE;
  if (rc < 0) { pypipc_raise(rc); return NULL; }
  Py_RETURN_TRUE;
}

/* acquire(blocking=True, timeout=None), as threading.Lock.acquire. A METH_FASTCALL method
 * installed in %init: SWIG's keyword parsing would cost more than the lock. */
static PyObject *pysync_acquire(pysync_mutex *m, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames) {
  static const char *const names[] = {"blocking", "timeout"};
  PyObject *arg[2] = {NULL, NULL}, *blocking, *timeout;
  Py_ssize_t i, j, keywords = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  int64_t t = PIPC_BINDING_FOREVER;
  int block = 1;
  if (!m) { pypipc_raise(PYPIPC_CLOSED); return NULL; }
  if (nargs > 2) {
    PyErr_Format(PyExc_TypeError, "acquire() takes at most 2 arguments (%zd given)", nargs);
    return NULL;
  }
  for (i = 0; i < nargs; ++i) arg[i] = args[i];
  for (i = 0; i < keywords; ++i) {
    PyObject *key = PyTuple_GET_ITEM(kwnames, i);
    for (j = 0; j < 2 && PyUnicode_CompareWithASCIIString(key, names[j]) != 0; ++j) {}
    if (j == 2 || arg[j]) {
      PyErr_Format(PyExc_TypeError, j == 2 ? "'%U' is an invalid keyword argument for acquire()"
                                           : "acquire() got multiple values for argument '%U'", key);
      return NULL;
    }
    arg[j] = args[nargs + i];
  }
  blocking = arg[0];
  timeout = arg[1];
  if (blocking && (block = PyObject_IsTrue(blocking)) < 0) return NULL;
  if (pysync_timeout_arg(timeout, &t) < 0) return NULL;
  if (!block && t != PIPC_BINDING_FOREVER) {
    PyErr_SetString(PyExc_ValueError, "can't specify a timeout for a non-blocking call");
    return NULL;
  }
  return pysync_acquired(pysync_lock(m, block ? t : 0));
}

static PyObject *pysync_mutex_acquire(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                      PyObject *kwnames) {
  return pysync_acquire((pysync_mutex *)((SwigPyObject *)self)->ptr, args, nargs, kwnames);
}

static void *pysync_mutex_open(PyObject *const *args) {
  PyObject *recover = args[3];
  pysync_mutex *m;
  if (recover == Py_None) recover = NULL;
  if (recover && !PyCallable_Check(recover)) {
    PyErr_SetString(PyExc_TypeError, "recover must be a callable or None");
    return NULL;
  }
  m = (pysync_mutex *)PyMem_Calloc(1, sizeof *m);
  if (!m) return PyErr_NoMemory();
  if (pysync_obj_open(&m->o, &pysync_mutex_family, args[0], args[1], args[2]) < 0) {
    pysync_obj_free(&m->o);
    PyMem_Free(m);
    return NULL;
  }
  Py_XINCREF(recover);
  m->recover = recover;
  return m;
}

static int pysync_mutex_init(PyObject *self, PyObject *args, PyObject *kwargs) {
  static const char *const names[] = {"name", "flags", "mode", "recover", NULL};
  return pypipc_init(self, args, kwargs, names, 0, pysync_mutex_open, SWIGTYPE_p_pysync_mutex);
}

/* ---------------- Condition ---------------- */
typedef struct pysync_cond {
  pysync_obj o;
  PyObject *mutex;      /* the Mutex object it is used with */
} pysync_cond;

static pysync_mutex *pysync_mutex_of(PyObject *o) {
  return (pysync_mutex *)((SwigPyObject *)o)->ptr;
}

struct pysync_wait_ctx { pipc_cond *c; pipc_mutex *m; };
static int pysync_wait_op(void *ctx, int64_t t) {
  struct pysync_wait_ctx *w = (struct pysync_wait_ctx *)ctx;
  return pipc_cond_wait(w->c, w->m, t);
}

/* Waits on C up to TIMEOUT, its mutex held before and after: 1 woken, 0 timed out, or a
 * negative status. Owner death at the relock is handled as acquire() handles it. */
static int pysync_wait(pysync_cond *c, int64_t timeout) {
  pysync_mutex *m = pysync_mutex_of(c->mutex);
  struct pysync_wait_ctx w;
  int rc;
  w.c = (pipc_cond *)c->o.h;
  w.m = (pipc_mutex *)m->o.h;
  if (!w.c || !w.m) return PYPIPC_CLOSED;
  rc = pypipc_block_on(pysync_wait_op, &w, timeout);
  if (rc == PIPC_EOWNERDEAD) rc = pysync_owner_died(m, w.m);
  if (rc == PIPC_ETIMEDOUT || rc == PIPC_EAGAIN) return 0;
  return rc < 0 ? rc : 1;
}

/* wait_for(predicate, timeout=None), as threading.Condition.wait_for: the predicate's
 * last result. */
static PyObject *pysync_wait_for(pysync_cond *c, PyObject *predicate, PyObject *timeout) {
  int64_t t, end = 0;
  PyObject *r;
  int truth, rc, waited = 0;
  if (!PyCallable_Check(predicate)) {
    PyErr_SetString(PyExc_TypeError, "predicate must be callable");
    return NULL;
  }
  if (pysync_timeout_arg(timeout, &t) < 0) return NULL;
  if (t != PIPC_BINDING_FOREVER) end = pypipc_monotonic_ns() + t;
  for (;;) {
    if (!(r = PyObject_CallNoArgs(predicate))) return NULL;
    if ((truth = PyObject_IsTrue(r)) != 0) {
      if (truth > 0) return r;
      Py_DECREF(r);
      return NULL;
    }
    if (waited && t != PIPC_BINDING_FOREVER && (t = end - pypipc_monotonic_ns()) <= 0) return r;
    Py_DECREF(r);
    if ((rc = pysync_wait(c, t)) < 0) { pypipc_raise(rc); return NULL; }
    waited = 1;
  }
}

/* notify(n=1): N signals, each waking at least one waiter */
static int pysync_notify(pysync_cond *c, PyObject *n) {
  long long k;
  int rc = PIPC_OK;
  if (!c->o.h) return PYPIPC_CLOSED;
  if (pypipc_int_arg(n, "n", LLONG_MIN, INT_MAX, 1, &k) < 0) return PYPIPC_PYERR;
  for (; k > 0 && rc == PIPC_OK; --k) rc = pipc_cond_signal((pipc_cond *)c->o.h);
  return rc;
}

static void *pysync_cond_open(PyObject *const *args) {
  PyObject *mutex = args[1];
  pysync_cond *c;
  if (!mutex) {
    PyErr_SetString(PyExc_TypeError, "function missing required argument 'mutex' (pos 2)");
    return NULL;
  }
  if (!PyObject_TypeCheck(mutex, pypipc_type_of(SWIGTYPE_p_pysync_mutex))) {
    PyErr_SetString(PyExc_TypeError, "mutex must be a pipc.sync.Mutex");
    return NULL;
  }
  if (!pysync_mutex_of(mutex)) {      /* never initialised: the Condition needs its state */
    pypipc_raise(PYPIPC_CLOSED);
    return NULL;
  }
  c = (pysync_cond *)PyMem_Calloc(1, sizeof *c);
  if (!c) return PyErr_NoMemory();
  if (pysync_obj_open(&c->o, &pysync_cond_family, args[0], args[2], args[3]) < 0) {
    pysync_obj_free(&c->o);
    PyMem_Free(c);
    return NULL;
  }
  Py_INCREF(mutex);
  c->mutex = mutex;
  return c;
}

static int pysync_cond_init(PyObject *self, PyObject *args, PyObject *kwargs) {
  static const char *const names[] = {"name", "mutex", "flags", "mode", NULL};
  return pypipc_init(self, args, kwargs, names, 0, pysync_cond_open, SWIGTYPE_p_pysync_cond);
}

/* Condition.acquire: its mutex's */
static PyObject *pysync_cond_acquire(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                     PyObject *kwnames) {
  pysync_cond *c = (pysync_cond *)((SwigPyObject *)self)->ptr;
  return pysync_acquire(c ? pysync_mutex_of(c->mutex) : NULL, args, nargs, kwnames);
}

/* Adds the METH_FASTCALL method DEF (documented in DOCS) to TP. */
static void pysync_add_fast_method(PyTypeObject *tp, PyMethodDef *def, const pypipc_doc *docs) {
  PyObject *descr;
  def->ml_doc = pypipc_doc_of(docs, def->ml_name);
  descr = PyDescr_NewMethod(tp, def);
  if (!descr || PyDict_SetItemString(tp->tp_dict, def->ml_name, descr) < 0) PyErr_Clear();
  Py_XDECREF(descr);
  PyType_Modified(tp);
}
%}

/* ================= Mutex ================= */
%rename(Mutex) pysync_mutex;
%nodefaultctor pysync_mutex;
%feature("python:tp_init", "pysync_mutex_init") pysync_mutex;
PYPIPC_FAST_SELF(pysync_mutex)
typedef struct pysync_mutex {} pysync_mutex;

%extend pysync_mutex {
  ~pysync_mutex() {
    pysync_obj_free(&$self->o);
    Py_XDECREF($self->recover);
    PyMem_Free($self);
  }
  pypipc_rc release() { return pysync_unlock($self); }
  pypipc_rc consistent() {
    return $self->o.h ? pipc_mutex_consistent((pipc_mutex *)$self->o.h) : PYPIPC_CLOSED;
  }
  pypipc_rc close() {
    Py_CLEAR($self->recover);
    return pysync_obj_close(&$self->o);
  }
  pypipc_rc unlink() { return pysync_obj_unlink(&$self->o); }
  PyObject *__enter__() { return pysync_acquired(pysync_lock($self, PIPC_BINDING_FOREVER)); }
  pypipc_rc __exit__(PyObject *exc_type = NULL, PyObject *exc_value = NULL,
                     PyObject *traceback = NULL) {
    return pysync_unlock($self);
  }
  PyObject *__repr__() { return pysync_obj_repr(&$self->o); }

  %immutable;
  PyObject *name;
  PyObject *created;
  %mutable;
}

/* ================= Condition ================= */
%rename(Condition) pysync_cond;
%nodefaultctor pysync_cond;
%feature("python:tp_init", "pysync_cond_init") pysync_cond;
PYPIPC_FAST_SELF(pysync_cond)
typedef struct pysync_cond {} pysync_cond;

%extend pysync_cond {
  ~pysync_cond() {
    pysync_obj_free(&$self->o);
    Py_XDECREF($self->mutex);
    PyMem_Free($self);
  }
  PyObject *wait(PyObject *timeout = NULL) {
    int64_t t;
    int rc;
    if (pysync_timeout_arg(timeout, &t) < 0) return NULL;
    if ((rc = pysync_wait($self, t)) < 0) { pypipc_raise(rc); return NULL; }
    return PyBool_FromLong(rc);
  }
  PyObject *wait_for(PyObject *predicate, PyObject *timeout = NULL) {
    return pysync_wait_for($self, predicate, timeout);
  }
  pypipc_rc notify(PyObject *n = NULL) { return pysync_notify($self, n); }
  pypipc_rc notify_all() {
    return $self->o.h ? pipc_cond_broadcast((pipc_cond *)$self->o.h) : PYPIPC_CLOSED;
  }
  pypipc_rc release() { return pysync_unlock(pysync_mutex_of($self->mutex)); }
  pypipc_rc close() { return pysync_obj_close(&$self->o); }
  pypipc_rc unlink() { return pysync_obj_unlink(&$self->o); }
  PyObject *__enter__() {
    return pysync_acquired(pysync_lock(pysync_mutex_of($self->mutex), PIPC_BINDING_FOREVER));
  }
  pypipc_rc __exit__(PyObject *exc_type = NULL, PyObject *exc_value = NULL,
                     PyObject *traceback = NULL) {
    return pysync_unlock(pysync_mutex_of($self->mutex));
  }
  PyObject *__repr__() { return pysync_obj_repr(&$self->o); }

  %immutable;
  PyObject *name;
  PyObject *created;
  PyObject *mutex;
  %mutable;
}

%{
static PyObject *pysync_mutex_name_get(pysync_mutex *m) { return pypipc_name_obj(&m->o.name, m->o.cname); }
static PyObject *pysync_mutex_created_get(pysync_mutex *m) { return PyBool_FromLong(m->o.created); }
static PyObject *pysync_cond_name_get(pysync_cond *c) { return pypipc_name_obj(&c->o.name, c->o.cname); }
static PyObject *pysync_cond_created_get(pysync_cond *c) { return PyBool_FromLong(c->o.created); }
static PyObject *pysync_cond_mutex_get(pysync_cond *c) { Py_INCREF(c->mutex); return c->mutex; }
%}

/* ================= module functions ================= */
%inline %{
static pypipc_rc unlink_mutex(PyObject *name) { return pypipc_unlink_by_name(name, pipc_mutex_unlink_name); }
static pypipc_rc unlink_condition(PyObject *name) { return pypipc_unlink_by_name(name, pipc_cond_unlink_name); }
%}

/* ================= docstrings (pipc_python.i's pypipc_doc tables, set in %init) ========= */
%{
#define PYSYNC_TIMEOUT_DOC \
  "timeout: None (or -1) waits without limit; 0 does not wait; a positive int or float\n" \
  "waits up to that many seconds, on the monotonic clock.\n"
#define PYSYNC_WAIT_END_DOC \
  "The GIL is released only while the call waits. A signal handler runs during the wait;\n" \
  "an exception it raises (KeyboardInterrupt, ...) ends the wait, otherwise the wait goes\n" \
  "on for the time that remains. close() of this object from another thread ends the wait\n" \
  "with ExistentialError (within 50 ms)."
#define PYSYNC_OWNER_DEAD_DOC \
  "When the previous owner died holding the lock, the lock is acquired all the same: with\n" \
  "a recover function, it is called and the mutex marked consistent; without, OwnerDeadError\n" \
  "is raised with the lock held (repair, consistent(), release()). NotRecoverableError: a\n" \
  "dead owner's lock was released without consistent(); it can never be acquired again.\n"
#define PYSYNC_NAMED_DOCS(WHAT)                                                              \
  { "close", "close($self, /)\n--\n\n"                                                      \
             "End this object's use of the " WHAT " (it stays in the system: see unlink()).\n" \
             "Calls blocked on it in other threads end with ExistentialError, as every later\n" \
             "call on this object does, a second close() included." },                       \
  { "unlink", "unlink($self, /)\n--\n\n"                                                    \
              "Remove the " WHAT "'s name from the system; processes that have it open keep\n" \
              "using it. The object stays open." },                                           \
  { "__exit__", "__exit__($self, /, exc_type=None, exc_value=None, traceback=None)\n--\n\n" \
                "Release the lock." },                                                        \
  { "name", "The " WHAT "'s name, as given or as chosen for name=None (read-only)." },      \
  { "created", "Whether this object created the " WHAT " (read-only)." }

static const pypipc_doc pysync_module_docs[] = {
  { "unlink_mutex", "unlink_mutex(name)\n--\n\n"
                    "Remove the mutex NAME (str or bytes) from the system; processes that have it\n"
                    "open keep using it. Raises ExistentialError when there is none." },
  { "unlink_condition", "unlink_condition(name)\n--\n\n"
                        "Remove the condition variable NAME (str or bytes) from the system.\n"
                        "Raises ExistentialError when there is none." },
  { NULL, NULL } };

static const pypipc_doc pysync_mutex_docs[] = {
  { "", "Mutex(name=None, flags=0, mode=0o600, recover=None)\n--\n\n"
        "A named robust mutex that processes share: when its owner dies holding it, the next\n"
        "one to acquire it is told (OwnerDeadError) instead of waiting forever.\n\n"
        "name: a str or bytes such as \"/counter-lock\" (a missing leading / is added), or\n"
        "None for a new mutex under a random unused name (see the name attribute).\n"
        "flags: 0 opens an existing mutex (ExistentialError if there is none); O_CREAT opens\n"
        "or creates it; O_CREX creates it (ExistentialError if it exists).\n"
        "mode: the permission bits of a mutex this call creates.\n"
        "recover: a function of no arguments that acquire() and `with` call, the lock held,\n"
        "when the previous owner died holding it; it repairs the state the lock guards, and\n"
        "the mutex is then marked consistent. It is kept until close(): one that refers to\n"
        "this object makes a cycle that close() breaks.\n\n"
        "The lock belongs to a thread: only it may release it, acquiring it again raises\n"
        "ValueError, and a thread or process that ends holding it is a dead owner. In a\n"
        "child forked while a thread holds it, that thread (in the parent) still owns it.\n"
        "`with mutex:` acquires (waiting as long as it takes) and releases." },
  { "acquire", "acquire($self, /, blocking=True, timeout=None)\n--\n\n"
               "Acquire the lock and return True, as threading.Lock.acquire: False when\n"
               "blocking is False and it is held, or when the timeout expires first.\n\n"
               PYSYNC_TIMEOUT_DOC PYSYNC_OWNER_DEAD_DOC
               "ValueError when the calling thread holds it already.\n" PYSYNC_WAIT_END_DOC },
  { "release", "release($self, /)\n--\n\n"
               "Release the lock. PermissionsError when the calling thread does not hold it." },
  { "consistent", "consistent($self, /)\n--\n\n"
                  "After OwnerDeadError, with the lock held: mark the state it guards repaired, so\n"
                  "that release() leaves the mutex usable. ValueError when there is nothing to mark." },
  { "__enter__", "__enter__($self, /)\n--\n\n"
                 "Acquire the lock, waiting as long as it takes (as acquire()); return True." },
  PYSYNC_NAMED_DOCS("mutex"),
  { NULL, NULL } };

static const pypipc_doc pysync_cond_docs[] = {
  { "", "Condition(name, mutex, flags=0, mode=0o600)\n--\n\n"
        "A named condition variable that processes share, used with MUTEX (a Mutex) as\n"
        "threading.Condition is with its lock. name (None for a random one, the default),\n"
        "flags and mode as for Mutex.\n\n"
        "`with cond:` acquires and releases the mutex. wait() needs it held." },
  { "wait", "wait($self, /, timeout=None)\n--\n\n"
            "Release the mutex, wait until notified or the timeout expires, acquire the mutex\n"
            "again; return False when the timeout expired. Wakeups may be spurious: use\n"
            "wait_for(), or wait in a loop on a condition.\n\n"
            PYSYNC_TIMEOUT_DOC
            "The mutex's dead owner at the reacquire is handled as by Mutex.acquire()\n"
            "(OwnerDeadError, or its recover function). PermissionsError when the calling\n"
            "thread does not hold the mutex.\n" PYSYNC_WAIT_END_DOC " The mutex is held again\n"
            "when the call returns or raises." },
  { "wait_for", "wait_for($self, /, predicate, timeout=None)\n--\n\n"
                "Wait until predicate() is true, as threading.Condition.wait_for; return its last\n"
                "result (false when the timeout expired)." },
  { "notify", "notify($self, /, n=1)\n--\n\n"
              "Wake N waiters (at least one each, if there are any). The mutex need not be held." },
  { "notify_all", "notify_all($self, /)\n--\n\nWake every waiter." },
  { "acquire", "acquire($self, /, blocking=True, timeout=None)\n--\n\n"
               "The mutex's acquire()." },
  { "release", "release($self, /)\n--\n\nThe mutex's release()." },
  { "__enter__", "__enter__($self, /)\n--\n\nAcquire the mutex, as Mutex.__enter__." },
  { "mutex", "The Mutex this condition variable is used with (read-only)." },
  PYSYNC_NAMED_DOCS("condition variable"),
  { NULL, NULL } };
%}

%init %{
  {
    PyObject *mod = m, *doc;
    pypipc_Error = pypipc_add_exc(mod, "pipc.sync", "Error", NULL,
                                  "Base class of this module's errors");
    pypipc_PermissionsError = pypipc_add_exc(mod, "pipc.sync", "PermissionsError", pypipc_Error,
        "Not permitted: the object's mode, or releasing a lock the calling thread does not hold");
    pypipc_ExistentialError = pypipc_add_exc(mod, "pipc.sync", "ExistentialError", pypipc_Error,
        "The object does not exist, already exists, or was closed");
    pypipc_BusyError = pypipc_add_exc(mod, "pipc.sync", "BusyError", pypipc_Error,
        "The object's creator has not finished making it");
    pypipc_OwnerDeadError = pypipc_add_exc(mod, "pipc.sync", "OwnerDeadError", pypipc_Error,
        "The lock was acquired and is held, but its previous owner died holding it: repair\n"
        "the state it guards, call consistent(), then release() (releasing it without\n"
        "consistent() makes it unrecoverable).");
    pypipc_NotRecoverableError = pypipc_add_exc(mod, "pipc.sync", "NotRecoverableError", pypipc_Error,
        "The lock's dead owner's state was never marked consistent: it can never be acquired again.");
    if (!pypipc_Error || !pypipc_PermissionsError || !pypipc_ExistentialError ||
        !pypipc_BusyError || !pypipc_OwnerDeadError || !pypipc_NotRecoverableError)
      return NULL;
    pypipc_SignalError = pypipc_Error;    /* the waits here go on after a signal */
    doc = PyUnicode_FromString(
        "Robust locks that processes share: a named mutex that tells the next owner when its\n"
        "owner died holding it, and a condition variable, in the manner of threading.Lock and\n"
        "threading.Condition (libpipc's pipc_mutex and pipc_cond).");
    if (!doc || PyDict_SetItemString(d, "__doc__", doc) < 0) { Py_XDECREF(doc); return NULL; }
    Py_DECREF(doc);
    pypipc_add_open_flags(mod);
    pypipc_finish_type(pypipc_type_of(SWIGTYPE_p_pysync_mutex), NULL);
    pypipc_finish_type(pypipc_type_of(SWIGTYPE_p_pysync_cond), NULL);
    pypipc_set_method_docs(SwigMethods, pysync_module_docs);
    pypipc_set_type_docs(pypipc_type_of(SWIGTYPE_p_pysync_mutex), pysync_mutex_docs);
    pypipc_set_type_docs(pypipc_type_of(SWIGTYPE_p_pysync_cond), pysync_cond_docs);
    {
      static PyMethodDef mutex_acquire = {"acquire", (PyCFunction)(void (*)(void))pysync_mutex_acquire,
                                          METH_FASTCALL | METH_KEYWORDS, NULL};
      static PyMethodDef cond_acquire = {"acquire", (PyCFunction)(void (*)(void))pysync_cond_acquire,
                                         METH_FASTCALL | METH_KEYWORDS, NULL};
      pysync_add_fast_method(pypipc_type_of(SWIGTYPE_p_pysync_mutex), &mutex_acquire, pysync_mutex_docs);
      pysync_add_fast_method(pypipc_type_of(SWIGTYPE_p_pysync_cond), &cond_acquire, pysync_cond_docs);
    }
    if (PyErr_Occurred()) return NULL;
    /* as pipc.posix_ipc, no __all__: "import *" sees every public name */
    if (PyDict_DelItemString(d, "__all__") < 0) PyErr_Clear();
  }
%}
