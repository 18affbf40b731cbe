/* pipc.sysv_ipc: a drop-in for the sysv_ipc 1.2 module (Semaphore, SharedMemory,
 * MessageQueue, ftok, attach, remove_*), as SWIG -builtin types whose methods are
 * written with %extend: one libpipc call per hot-path method, no Python frame.
 *
 * What the reference does is the specification: its keyword names, defaults, flag
 * values (the OS's IPC_* / SHM_* numbers, translated to pipc's flags here), exception
 * classes and the messages of the situations it names. Where it would crash or leak
 * (a memoryview over a detached segment, writing through a read-only attachment, del
 * of an attribute) this module raises instead. */
%module(package="pipc") sysv_ipc

%include "pipc_python.i"

/* keyword arguments everywhere ... */
%feature("kwargs");
/* ... but not where there is nothing to name: those stay METH_NOARGS */
%feature("kwargs", "0") *::detach;
%feature("kwargs", "0") *::remove;
%feature("kwargs", "0") *::__enter__;
%feature("kwargs", "0") *::__str__;
%feature("kwargs", "0") *::__repr__;
/* __str__/__repr__ written with %extend become the type's tp_str/tp_repr slots */
%feature("python:slot", "tp_str", functype="reprfunc") *::__str__;
%feature("python:slot", "tp_repr", functype="reprfunc") *::__repr__;

%{
#include <errno.h>
#include <sys/ipc.h>
#include <sys/shm.h>

/* The version of the sysv_ipc API this module reproduces. */
#define PYSV_VERSION "1.2.0"

typedef Py_ssize_t pysv_index; /* an int (anything with __index__), clamped to Py_ssize_t */
typedef const char *pysv_path; /* str, bytes or os.PathLike, no NUL */

/* The constructors' arguments, converted as sysv_ipc's PyArg_ParseTupleAndKeywords converts
 * them, with its messages (pypipc_init parses the argument list). NULL: not given. */

/* key: None (a random key) or an int within KEY_MIN .. KEY_MAX. (sysv_ipc wraps a key
 * beyond 32 bits round to another key; this refuses it.) */
static int pysv_key_arg(PyObject *o, int64_t *out) {
  int overflow = 0;
  long long v;
  if (o == Py_None) { *out = PIPC_KEY_RANDOM; return 0; }
  if (!PyLong_Check(o)) {
    PyErr_SetString(PyExc_TypeError, "Key must be an integer or None");
    return -1;
  }
  v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (overflow || v < PIPC_SYSV_KEY_MIN || v > PIPC_SYSV_KEY_MAX) {
    PyErr_Format(PyExc_ValueError, "Key must be between %lld (KEY_MIN) and %lld (KEY_MAX)",
                 (long long)PIPC_SYSV_KEY_MIN, (long long)PIPC_SYSV_KEY_MAX);
    return -1;
  }
  *out = v;
  return 0;
}

/* format "i": anything with __index__ that fits a C int */
static int pysv_int_arg(PyObject *o, int dflt, int *out) {
  long v;
  if (!o) { *out = dflt; return 0; }
  v = PyLong_AsLong(o);  /* its own TypeError, or OverflowError beyond a C long */
  if (v == -1 && PyErr_Occurred()) return -1;
  if (v > INT_MAX || v < INT_MIN) {
    PyErr_SetString(PyExc_OverflowError, v > INT_MAX ? "signed integer is greater than maximum"
                                                     : "signed integer is less than minimum");
    return -1;
  }
  *out = (int)v;
  return 0;
}

/* format "O!" with int: an int object, here clamped to Py_ssize_t (the range checks that
 * follow say ValueError); ARGNUM counts from 1, as in the message */
static int pysv_int_object_arg(PyObject *o, int argnum, Py_ssize_t dflt, Py_ssize_t *out) {
  if (!o) { *out = dflt; return 0; }
  if (!PyLong_Check(o)) {
    PyErr_Format(PyExc_TypeError, "argument %d must be int, not %.50s", argnum,
                 Py_TYPE(o)->tp_name);
    return -1;
  }
  *out = PyNumber_AsSsize_t(o, NULL);
  return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

/* sysv_ipc's open flags (the OS values) -> pipc's */
static uint32_t pysv_open_flags(int f) {
  uint32_t r = 0;
  if (f & IPC_CREAT) r |= PIPC_CREAT;
  if (f & IPC_EXCL) r |= PIPC_EXCL;
  return r;
}

/* The checks every sysv_ipc constructor makes first, with its messages (and one of
 * pipc's: a negative mode, which sysv_ipc would mix into the flags). */
static int pysv_check_open(int64_t key, int flags, int mode) {
  if (mode < 0) {
    PyErr_SetString(PyExc_ValueError, "The mode must not be negative");
    return -1;
  }
  if (!(flags & IPC_CREAT) && (flags & IPC_EXCL)) {
    PyErr_SetString(PyExc_ValueError, "IPC_EXCL must be combined with IPC_CREAT");
    return -1;
  }
  if (key == PIPC_KEY_RANDOM && !(flags & IPC_EXCL)) {
    PyErr_SetString(PyExc_ValueError, "Key can only be None if IPC_EXCL is set");
    return -1;
  }
  return 0;
}

static PyObject *pysv_none(void) { Py_INCREF(Py_None); return Py_None; }

/* ---- statuses -> sysv_ipc's exceptions and messages --------------------------------- */

/* The texts sysv_ipc gives a situation; NULL: pipc's own detail. */
typedef struct pysv_msgs {
  const char *enoent;      /* ExistentialError */
  const char *eexist;      /* ExistentialError */
  const char *eacces;      /* PermissionsError */
  const char *busy;        /* BusyError (would block, timed out) */
  const char *einval;      /* ValueError for PIPC_EINVAL */
  const char *erange;      /* ValueError for PIPC_ERANGE */
  const char *notattached; /* NotAttachedError */
} pysv_msgs;

/* OSError(errno, detail): CPython picks the subclass (FileNotFoundError, ...). */
static void pysv_oserror(int st) {
  int err = pipc_last_errno();
  const char *detail = pipc_last_message();
  PyObject *e;
  if (err == 0) { pypipc_raise(st); return; }
  e = PyObject_CallFunction(PyExc_OSError, "is", err,
                            (detail && *detail) ? detail : strerror(err));
  if (!e) return;
  PyErr_SetObject((PyObject *)Py_TYPE(e), e);
  Py_DECREF(e);
}

static void pysv_raise(int st, const pysv_msgs *m) {
  PyObject *cls = NULL;
  const char *text = NULL;
  switch (st) {
    case PYPIPC_PYERR: return;
    case PIPC_ENOENT: cls = pypipc_ExistentialError; text = m->enoent; break;
    case PIPC_EEXIST: cls = pypipc_ExistentialError; text = m->eexist; break;
    case PIPC_EACCES: cls = pypipc_PermissionsError; text = m->eacces; break;
    case PIPC_EAGAIN: case PIPC_ETIMEDOUT: cls = pypipc_BusyError; text = m->busy; break;
    case PIPC_EINVAL: cls = PyExc_ValueError; text = m->einval; break;
    case PIPC_ERANGE: cls = PyExc_ValueError; text = m->erange; break;
    case PIPC_ENOTATTACHED: cls = pypipc_NotAttachedError; text = m->notattached; break;
    case PIPC_EINTR: cls = pypipc_Error; text = "Signaled while waiting"; break;
    case PIPC_ENOMEM: cls = PyExc_MemoryError; text = "Not enough memory"; break;
    case PIPC_ERROR: case PIPC_ELIMIT: pysv_oserror(st); return;
    default: break;
  }
  if (cls && text) PyErr_SetString(cls, text);
  else pypipc_raise(st);
}

/* ---------------- Semaphore ---------------- */
typedef struct pypipc_ssem {
  pipc_sysv_sem *h;
  int64_t key;
  int id;
  int nonblock;  /* block = False (also set in the handle) */
} pypipc_ssem;

static const pysv_msgs pysv_sem_msgs = {
  "No semaphore exists with the specified key",
  "A semaphore with the specified key already exists",
  "Permission denied",
  "The semaphore is busy",
  NULL,
  "The semaphore's value must remain between 0 and SEMVMX",
  NULL,
};

static PyObject *pysv_sem_fail(int st) {
  if (st == PIPC_ENOENT && pipc_last_errno() == EIDRM)
    PyErr_SetString(pypipc_ExistentialError, "The semaphore was removed");
  else
    pysv_raise(st, &pysv_sem_msgs);
  return NULL;
}

struct pysv_sem_ctx { pipc_sysv_sem *h; uint32_t delta; int zero; };
static int pysv_sem_op(void *c, int64_t t) {
  struct pysv_sem_ctx *x = (struct pysv_sem_ctx *)c;
  return x->zero ? pipc_sysv_sem_wait_zero(x->h, t) : pipc_sysv_sem_acquire(x->h, x->delta, t);
}

/* P (ZERO 0) or Z (ZERO 1): one try with the GIL held, then the wait without it. */
static PyObject *pysv_sem_wait(pypipc_ssem *s, int zero, Py_ssize_t delta, int64_t timeout) {
  struct pysv_sem_ctx c;
  int rc;
  if (!zero) {
    if (delta == 0) { PyErr_SetString(PyExc_ValueError, "The delta must be non-zero"); return NULL; }
    if (delta < -(Py_ssize_t)pipc_sysv_sem_value_max() || delta > (Py_ssize_t)pipc_sysv_sem_value_max()) {
      PyErr_SetString(PyExc_ValueError, "The delta must be between 1 and SEMAPHORE_VALUE_MAX");
      return NULL;
    }
    if (delta < 0) delta = -delta;  /* sysv_ipc uses abs(delta) */
  }
  c.h = s->h; c.delta = (uint32_t)delta; c.zero = zero;
  rc = pysv_sem_op(&c, 0);
  if (rc == PIPC_EAGAIN && timeout != 0 && !s->nonblock) rc = pypipc_block(pysv_sem_op, &c, timeout);
  if (rc < 0) return pysv_sem_fail(rc);
  return pysv_none();
}

static PyObject *pysv_sem_release(pypipc_ssem *s, Py_ssize_t delta) {
  int rc;
  if (delta == 0) { PyErr_SetString(PyExc_ValueError, "The delta must be non-zero"); return NULL; }
  if (delta < -(Py_ssize_t)pipc_sysv_sem_value_max() || delta > (Py_ssize_t)pipc_sysv_sem_value_max()) {
    PyErr_SetString(PyExc_ValueError, "The semaphore's value must remain between 0 and SEMVMX");
    return NULL;
  }
  rc = pipc_sysv_sem_release(s->h, (uint32_t)(delta < 0 ? -delta : delta));
  if (rc < 0) return pysv_sem_fail(rc);
  return pysv_none();
}

/* ---------------- SharedMemory ---------------- */
typedef struct pypipc_sshm {
  pipc_sysv_shm *h;
  int64_t key;
  int id;
  Py_ssize_t size;     /* fixed at creation: read once */
  Py_ssize_t exports;  /* buffer views handed out (memoryview, ...) */
} pypipc_sshm;

static PyObject *pysv_shm_fail(pypipc_sshm *m, int st, const char *eacces) {
  char enoent[64];
  pysv_msgs msgs = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
  snprintf(enoent, sizeof enoent, "No shared memory with id %d exists", m->id);
  msgs.enoent = enoent;
  msgs.eacces = eacces;
  pysv_raise(st, &msgs);
  return NULL;
}

/* flags of SharedMemory.attach() and attach() (shmat's) -> pipc's */
static uint32_t pysv_attach_flags(int f) {
  uint32_t r = 0;
  if (f & SHM_RDONLY) r |= PIPC_SHM_ATTACH_READ_ONLY;
  if (f & SHM_RND) r |= PIPC_SHM_ATTACH_ROUND;
#ifdef SHM_REMAP
  if (f & SHM_REMAP) r |= PIPC_SHM_ATTACH_REMAP;
#endif
#ifdef SHM_EXEC
  if (f & SHM_EXEC) r |= PIPC_SHM_ATTACH_EXEC;
#endif
  return r;
}

static int pysv_address(PyObject *address, void **out) {
  *out = NULL;
  if (address == NULL || address == Py_None) return 0;
  if (!PyLong_Check(address)) {
    PyErr_SetString(PyExc_TypeError, "address must be an int or None");
    return -1;
  }
  *out = PyLong_AsVoidPtr(address);
  return (*out == NULL && PyErr_Occurred()) ? -1 : 0;
}

static PyObject *pysv_shm_attach(pypipc_sshm *m, PyObject *address, int flags) {
  void *a;
  int rc;
  if (pysv_address(address, &a) < 0) return NULL;
  if (m->exports > 0) {
    PyErr_SetString(PyExc_BufferError,
                    "cannot re-attach: buffer views (memoryview, ...) of the segment are still alive");
    return NULL;
  }
  rc = pipc_sysv_shm_attach(m->h, a, pysv_attach_flags(flags));
  if (rc == PIPC_EINVAL) {
    PyErr_SetString(PyExc_ValueError, "Invalid id, address, or flags");
    return NULL;
  }
  if (rc < 0) return pysv_shm_fail(m, rc, "No permission to attach");
  return pysv_none();
}

/* Fills M's cached key, id and size from its handle. */
static int pysv_shm_cache(pypipc_sshm *m) {
  uint64_t sz = 0;
  int rc = pipc_sysv_shm_size(&sz, m->h);
  if (rc >= 0) rc = pipc_sysv_shm_key(&m->key, m->h);
  if (rc >= 0) rc = m->id = pipc_sysv_shm_id(m->h);
  if (rc >= 0 && sz > (uint64_t)PY_SSIZE_T_MAX) rc = PIPC_ERANGE;
  m->size = (Py_ssize_t)sz;
  return rc < 0 ? rc : 0;
}

/* bf_getbuffer / bf_releasebuffer: the attachment as a 1-D unsigned-byte buffer,
 * read-only for a read-only attachment. While one is alive, detach() and attach()
 * refuse (BufferError), so a view never outlives its mapping. */
static int pypipc_sshm_getbuffer(PyObject *self, Py_buffer *view, int flags) {
  pypipc_sshm *m = (pypipc_sshm *)((SwigPyObject *)self)->ptr;
  void *addr = NULL;
  int rc;
  if (!m) { pypipc_raise(PYPIPC_CLOSED); return -1; }
  rc = pipc_sysv_shm_address(&addr, m->h);
  if (rc < 0) {
    if (rc == PIPC_ENOTATTACHED)
      PyErr_SetString(pypipc_NotAttachedError, "The memory segment is not attached");
    else
      pysv_shm_fail(m, rc, NULL);
    return -1;
  }
  if (PyBuffer_FillInfo(view, self, addr, m->size, pipc_sysv_shm_read_only(m->h) == 1, flags) < 0)
    return -1;
  m->exports++;
  return 0;
}
static void pypipc_sshm_releasebuffer(PyObject *self, Py_buffer *view) {
  pypipc_sshm *m = (pypipc_sshm *)((SwigPyObject *)self)->ptr;
  (void)view;
  if (m) m->exports--;
}

/* ---------------- MessageQueue ---------------- */
typedef struct pypipc_smq {
  pipc_sysv_mq *h;
  int64_t key;
  int id;
  Py_ssize_t max_message_size; /* the receive buffer's size, as sysv_ipc's */
  char *scratch;               /* max_message_size bytes for receives that do not wait */
} pypipc_smq;

static const pysv_msgs pysv_mq_msgs = {
  "The queue no longer exists",
  "A queue with the specified key already exists",
  "Permission denied",
  NULL,
  NULL,
  NULL,
  NULL,
};

static PyObject *pysv_mq_fail(int st, const char *busy) {
  pysv_msgs m = pysv_mq_msgs;
  m.busy = busy;
  pysv_raise(st, &m);
  return NULL;
}

#define PYSV_SEND_BUSY \
  "The queue is full, or a system-wide limit on the number of queue messages has been reached"
#define PYSV_RECEIVE_BUSY "No available messages of the specified type"

struct pysv_send_ctx { pipc_sysv_mq *h; const void *d; size_t n; int64_t type; };
static int pysv_send_op(void *c, int64_t t) {
  struct pysv_send_ctx *x = (struct pysv_send_ctx *)c;
  return pipc_sysv_mq_send(x->h, x->d, x->n, x->type, t);
}
struct pysv_recv_ctx { pipc_sysv_mq *h; void *buf; size_t cap; size_t n; int64_t type; int64_t got; };
static int pysv_recv_op(void *c, int64_t t) {
  struct pysv_recv_ctx *x = (struct pysv_recv_ctx *)c;
  return pipc_sysv_mq_receive(&x->n, &x->got, x->h, x->buf, x->cap, x->type, 0, t);
}

static PyObject *pysv_recv_fail(int rc) {
  /* sysv_ipc: a message longer than max_message_size is msgrcv's E2BIG, an OSError
   * (the message stays queued) */
  if (rc == PIPC_EMSGSIZE) {
    PyObject *e = PyObject_CallFunction(PyExc_OSError, "is", E2BIG, strerror(E2BIG));
    if (e) { PyErr_SetObject((PyObject *)Py_TYPE(e), e); Py_DECREF(e); }
    return NULL;
  }
  return pysv_mq_fail(rc, PYSV_RECEIVE_BUSY);
}

/* ---------------- module functions ---------------- */
static const pysv_msgs pysv_plain_msgs = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };

static PyObject *pysv_ftok(pysv_path path, int id, PyObject *silence_warning) {
  int64_t key;
  int rc, quiet = silence_warning ? PyObject_IsTrue(silence_warning) : 0;
  if (quiet < 0) return NULL;
  if (!quiet &&
      PyErr_WarnEx(PyExc_Warning, "Use of ftok() is not recommended; see sysv_ipc documentation", 1) < 0)
    return NULL;
  rc = pipc_ftok(&key, path, id);
  if (rc < 0) {
    int err = pipc_last_errno();
    if (err == 0) err = rc == PIPC_EINVAL ? ENOENT : EINVAL;
    errno = err;
    return PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
  }
  return PyLong_FromLongLong(key);
}

/* remove_semaphore / remove_shared_memory / remove_message_queue: a negative id names
 * nothing (ExistentialError, as the kernel's EINVAL does in sysv_ipc). */
static PyObject *pysv_remove_id(int (*fn)(int64_t), int id, const char *what) {
  int rc = fn(id);
  if (rc < 0) {
    if (rc == PIPC_ENOENT || rc == PIPC_ERANGE) {
      PyErr_Format(pypipc_ExistentialError, "No %s with id %d exists", what, id);
      return NULL;
    }
    pysv_raise(rc, &pysv_plain_msgs);
    return NULL;
  }
  return pysv_none();
}
static PyObject *pysv_remove_semaphore(int id) {
  return pysv_remove_id(pipc_sysv_sem_remove_id, id, "semaphore");
}
static PyObject *pysv_remove_shared_memory(int id) {
  return pysv_remove_id(pipc_sysv_shm_remove_id, id, "shared memory");
}
static PyObject *pysv_remove_message_queue(int id) {
  return pysv_remove_id(pipc_sysv_mq_remove_id, id, "message queue");
}

static PyObject *pysv_attach(int id, PyObject *address, int flags);
%}

/* ---- typemaps ---------------------------------------------------------------------- */

%typemap(in) pysv_index {
  if (!PyIndex_Check($input)) {
    PyErr_Format(PyExc_TypeError, "'%.200s' object cannot be interpreted as an integer",
                 Py_TYPE($input)->tp_name);
    SWIG_fail;
  }
  $1 = PyNumber_AsSsize_t($input, NULL);   /* clamped: the range checks say ValueError */
  if ($1 == -1 && PyErr_Occurred()) SWIG_fail;
}

%typemap(in) pysv_path (PyObject *encoded = NULL) {
  if (!PyUnicode_FSConverter($input, &encoded)) SWIG_fail;   /* NUL -> ValueError */
  $1 = PyBytes_AS_STRING(encoded);
}
%typemap(freearg) pysv_path { Py_XDECREF(encoded$argnum); }

/* the Python object itself, for __enter__ (in a -builtin wrapper `self` is the object) */
%typemap(in, numinputs=0) PyObject *pyself { $1 = self; }

%apply (const void *data, size_t len) { (const void *message, size_t message_len) };

/* ---- module functions -------------------------------------------------------------- */

/* remove_*(id) take their argument by position only, as sysv_ipc's */
%feature("kwargs", "0") pysv_remove_semaphore;
%feature("kwargs", "0") pysv_remove_shared_memory;
%feature("kwargs", "0") pysv_remove_message_queue;
%rename(ftok) pysv_ftok;
PyObject *pysv_ftok(pysv_path path, int id, PyObject *silence_warning = NULL);
%rename(attach) pysv_attach;
PyObject *pysv_attach(int id, PyObject *address = NULL, int flags = 0);
%rename(remove_semaphore) pysv_remove_semaphore;
PyObject *pysv_remove_semaphore(int id);
%rename(remove_shared_memory) pysv_remove_shared_memory;
PyObject *pysv_remove_shared_memory(int id);
%rename(remove_message_queue) pysv_remove_message_queue;
PyObject *pysv_remove_message_queue(int id);

/* ================= Semaphore ================= */
%rename(Semaphore) pypipc_ssem;
%nodefaultctor pypipc_ssem;
%feature("python:tp_init", "pysv_sem_init") pypipc_ssem;
PYPIPC_FAST_SELF(pypipc_ssem)
typedef struct pypipc_ssem {} pypipc_ssem;

%{
/* Semaphore(key, flags=0, mode=0o600, initial_value=0) */
static void *pysv_sem_open(PyObject *const *args) {
  int64_t key;
  int flags, mode, initial_value;
  pypipc_ssem *s;
  pipc_sysv_sem_options o = PIPC_SYSV_SEM_OPTIONS_INIT;
  int rc;
  if (pysv_key_arg(args[0], &key) < 0 || pysv_int_arg(args[1], 0, &flags) < 0 ||
      pysv_int_arg(args[2], 0600, &mode) < 0 || pysv_int_arg(args[3], 0, &initial_value) < 0)
    return NULL;
  if (pysv_check_open(key, flags, mode) < 0) return NULL;
  /* SETVAL, as sysv_ipc: o_time stays 0 until the first operation */
  o.flags = pysv_open_flags(flags) | PIPC_SYSV_SEM_SETVAL;
  o.mode = (uint32_t)mode & 0777u;
  /* the initial value of a semaphore this call creates; an existing one keeps its value */
  if (o.flags & PIPC_CREAT) {
    if (initial_value < 0 || initial_value > (Py_ssize_t)pipc_sysv_sem_value_max()) {
      PyErr_SetString(PyExc_ValueError, "The semaphore's value must remain between 0 and SEMVMX");
      return NULL;
    }
    o.initial_value = (uint32_t)initial_value;
  }
  s = (pypipc_ssem *)PyMem_Calloc(1, sizeof *s);
  if (!s) { PyErr_NoMemory(); return NULL; }
  rc = pipc_sysv_sem_open(&s->h, key, &o);
  if (rc >= 0) rc = pipc_sysv_sem_key(&s->key, s->h);
  if (rc >= 0) rc = s->id = pipc_sysv_sem_id(s->h);
  if (rc < 0) {
    pipc_sysv_sem_close(s->h);
    PyMem_Free(s);
    pysv_raise(rc, &pysv_sem_msgs);
    return NULL;
  }
  return s;
}
static int pysv_sem_init(PyObject *self, PyObject *args, PyObject *kwargs) {
  static const char *const names[] = {"key", "flags", "mode", "initial_value", NULL};
  return pypipc_init(self, args, kwargs, names, 1, pysv_sem_open, SWIGTYPE_p_pypipc_ssem);
}
%}

%extend pypipc_ssem {
  ~pypipc_ssem() {
    pipc_sysv_sem_close($self->h);
    PyMem_Free($self);
  }

  PyObject *acquire(pypipc_timeout timeout, pysv_index delta = 1) {
    return pysv_sem_wait($self, 0, delta, timeout);
  }
  PyObject *P(pypipc_timeout timeout, pysv_index delta = 1) {
    return pysv_sem_wait($self, 0, delta, timeout);
  }
  PyObject *release(pysv_index delta = 1) { return pysv_sem_release($self, delta); }
  PyObject *V(pysv_index delta = 1) { return pysv_sem_release($self, delta); }
  PyObject *Z(pypipc_timeout timeout) { return pysv_sem_wait($self, 1, 0, timeout); }
  PyObject *remove() {
    int rc = pipc_sysv_sem_remove($self->h);
    if (rc < 0) return pysv_sem_fail(rc);
    return pysv_none();
  }
  PyObject *__enter__(PyObject *pyself) {
    PyObject *r = pysv_sem_wait($self, 0, 1, PIPC_BINDING_FOREVER);
    if (!r) return NULL;
    Py_DECREF(r);
    Py_INCREF(pyself);
    return pyself;
  }
  PyObject *__exit__(PyObject *exc_type = NULL, PyObject *exc_value = NULL,
                     PyObject *traceback = NULL) {
    return pysv_sem_release($self, 1);
  }
  PyObject *__str__() {
    return PyUnicode_FromFormat("Key=%lld, id=%d", (long long)$self->key, $self->id);
  }
  PyObject *__repr__() {
    return PyUnicode_FromFormat("sysv_ipc.Semaphore(%lld)", (long long)$self->key);
  }

  /* all read-only to SWIG; value, undo, block, mode, uid and gid get setters in %init */
  %immutable;
  PyObject *key;
  PyObject *id;
  PyObject *value;
  PyObject *undo;
  PyObject *block;
  PyObject *mode;
  PyObject *uid;
  PyObject *gid;
  PyObject *cuid;
  PyObject *cgid;
  PyObject *last_pid;
  PyObject *waiting_for_nonzero;
  PyObject *waiting_for_zero;
  PyObject *o_time;
  %mutable;
}

%{
enum pysv_sem_field { PYSV_UID, PYSV_GID, PYSV_CUID, PYSV_CGID, PYSV_MODE, PYSV_LAST_PID,
                      PYSV_NCNT, PYSV_ZCNT, PYSV_OTIME };
static PyObject *pysv_sem_stat(pypipc_ssem *s, enum pysv_sem_field f) {
  pipc_sysv_sem_stat st;
  int rc = pipc_sysv_sem_stat_get(&st, s->h);
  if (rc < 0) return pysv_sem_fail(rc);
  switch (f) {
    case PYSV_UID: return PyLong_FromUnsignedLong(st.perm.uid);
    case PYSV_GID: return PyLong_FromUnsignedLong(st.perm.gid);
    case PYSV_CUID: return PyLong_FromUnsignedLong(st.perm.cuid);
    case PYSV_CGID: return PyLong_FromUnsignedLong(st.perm.cgid);
    case PYSV_MODE: return PyLong_FromUnsignedLong(st.perm.mode);
    case PYSV_LAST_PID: return PyLong_FromLong(st.last_pid);
    case PYSV_NCNT: return PyLong_FromLong(st.waiting_nonzero);
    case PYSV_ZCNT: return PyLong_FromLong(st.waiting_zero);
    case PYSV_OTIME: return PyLong_FromLongLong(st.otime);
  }
  return NULL;
}
static PyObject *pypipc_ssem_key_get(pypipc_ssem *s) { return PyLong_FromLongLong(s->key); }
static PyObject *pypipc_ssem_id_get(pypipc_ssem *s) { return PyLong_FromLong(s->id); }
static PyObject *pypipc_ssem_value_get(pypipc_ssem *s) {
  int v = 0, rc = pipc_sysv_sem_value(&v, s->h);
  if (rc < 0) return pysv_sem_fail(rc);
  return PyLong_FromLong(v);
}
static PyObject *pypipc_ssem_undo_get(pypipc_ssem *s) {
  int v = 0, rc = pipc_sysv_sem_undo(&v, s->h);
  if (rc < 0) return pysv_sem_fail(rc);
  return PyBool_FromLong(v);
}
static PyObject *pypipc_ssem_block_get(pypipc_ssem *s) { return PyBool_FromLong(!s->nonblock); }
static PyObject *pypipc_ssem_mode_get(pypipc_ssem *s) { return pysv_sem_stat(s, PYSV_MODE); }
static PyObject *pypipc_ssem_uid_get(pypipc_ssem *s) { return pysv_sem_stat(s, PYSV_UID); }
static PyObject *pypipc_ssem_gid_get(pypipc_ssem *s) { return pysv_sem_stat(s, PYSV_GID); }
static PyObject *pypipc_ssem_cuid_get(pypipc_ssem *s) { return pysv_sem_stat(s, PYSV_CUID); }
static PyObject *pypipc_ssem_cgid_get(pypipc_ssem *s) { return pysv_sem_stat(s, PYSV_CGID); }
static PyObject *pypipc_ssem_last_pid_get(pypipc_ssem *s) { return pysv_sem_stat(s, PYSV_LAST_PID); }
static PyObject *pypipc_ssem_waiting_for_nonzero_get(pypipc_ssem *s) { return pysv_sem_stat(s, PYSV_NCNT); }
static PyObject *pypipc_ssem_waiting_for_zero_get(pypipc_ssem *s) { return pysv_sem_stat(s, PYSV_ZCNT); }
static PyObject *pypipc_ssem_o_time_get(pypipc_ssem *s) { return pysv_sem_stat(s, PYSV_OTIME); }

/* ---- setters, installed in %init (SWIG's own would crash on del) ---- */

/* the handle struct behind a -builtin object, or NULL with ExistentialError */
static void *pysv_self(PyObject *o) {
  void *p = ((SwigPyObject *)o)->ptr;
  if (!p) pypipc_raise(PYPIPC_CLOSED);
  return p;
}

/* the int to set, or -1 with an error: NAME is the attribute */
static int pysv_set_int(PyObject *v, const char *name, long long *out) {
  int overflow = 0;
  if (v == NULL) {
    PyErr_Format(PyExc_AttributeError, "cannot delete attribute '%s'", name);
    return -1;
  }
  if (!PyLong_Check(v)) {
    PyErr_Format(PyExc_TypeError, "Attribute '%s' must be an integer", name);
    return -1;
  }
  *out = PyLong_AsLongLongAndOverflow(v, &overflow);
  if (*out == -1 && PyErr_Occurred()) return -1;
  if (overflow) *out = overflow > 0 ? LLONG_MAX : LLONG_MIN;
  return 0;
}
static int pysv_set_bool(PyObject *v, const char *name) {
  if (v == NULL) {
    PyErr_Format(PyExc_AttributeError, "cannot delete attribute '%s'", name);
    return -1;
  }
  return PyObject_IsTrue(v);
}
/* uid/gid must be a valid id; the kernel keeps only the permission bits of a mode */
/* The owner field NAME (WHICH: 0 uid, 1 gid, 2 mode) set to V, as the uid, gid, mode
 * arguments of pipc_sysv_X_set_perm (the other two PIPC_SYSV_KEEP). */
static int pysv_perm_args(PyObject *v, const char *name, int which, int64_t perm[3]) {
  long long x;
  int i;
  if (pysv_set_int(v, name, &x) < 0) return -1;
  if (which == 2) {
    if (x < 0) { PyErr_SetString(PyExc_ValueError, "The mode must not be negative"); return -1; }
    x &= 0777;
  }
  for (i = 0; i < 3; ++i) perm[i] = i == which ? x : PIPC_SYSV_KEEP;
  return 0;
}

static int pysv_sem_set_value(PyObject *o, PyObject *v, void *c) {
  pypipc_ssem *s = (pypipc_ssem *)pysv_self(o);
  long long x;
  int rc;
  if (!s || pysv_set_int(v, "value", &x) < 0) return -1;
  rc = pipc_sysv_sem_set_value(s->h, x);
  if (rc < 0) { pysv_sem_fail(rc); return -1; }
  return 0;
}
static int pysv_sem_set_undo(PyObject *o, PyObject *v, void *c) {
  pypipc_ssem *s = (pypipc_ssem *)pysv_self(o);
  int on;
  if (!s || (on = pysv_set_bool(v, "undo")) < 0) return -1;
  return pipc_sysv_sem_set_undo(s->h, on) < 0 ? (pysv_sem_fail(PIPC_EBADHANDLE), -1) : 0;
}
static int pysv_sem_set_block(PyObject *o, PyObject *v, void *c) {
  pypipc_ssem *s = (pypipc_ssem *)pysv_self(o);
  int on;
  if (!s || (on = pysv_set_bool(v, "block")) < 0) return -1;
  if (pipc_sysv_sem_set_blocking(s->h, on) < 0) { pysv_sem_fail(PIPC_EBADHANDLE); return -1; }
  s->nonblock = !on;
  return 0;
}
static int pysv_sem_set_perm(PyObject *o, PyObject *v, const char *name, int which) {
  pypipc_ssem *s = (pypipc_ssem *)pysv_self(o);
  int64_t perm[3];
  int rc;
  if (!s || pysv_perm_args(v, name, which, perm) < 0) return -1;
  rc = pipc_sysv_sem_set_perm(s->h, perm[0], perm[1], perm[2]);
  if (rc < 0) { pysv_sem_fail(rc); return -1; }
  return 0;
}
static int pysv_sem_set_uid(PyObject *o, PyObject *v, void *c) { return pysv_sem_set_perm(o, v, "uid", 0); }
static int pysv_sem_set_gid(PyObject *o, PyObject *v, void *c) { return pysv_sem_set_perm(o, v, "gid", 1); }
static int pysv_sem_set_mode(PyObject *o, PyObject *v, void *c) { return pysv_sem_set_perm(o, v, "mode", 2); }
%}

/* ================= SharedMemory ================= */
%rename(SharedMemory) pypipc_sshm;
%feature("python:bf_getbuffer", "pypipc_sshm_getbuffer") pypipc_sshm;
%feature("python:bf_releasebuffer", "pypipc_sshm_releasebuffer") pypipc_sshm;
%nodefaultctor pypipc_sshm;
%feature("python:tp_init", "pysv_shm_init") pypipc_sshm;
PYPIPC_FAST_SELF(pypipc_sshm)
typedef struct pypipc_sshm {} pypipc_sshm;

%{
/* SharedMemory(key, flags=0, mode=0o600, size=0, init_character=b' ') */
static void *pysv_shm_open(PyObject *const *args) {
  PyObject *init_character = args[4];
  int64_t key;
  int flags, mode;
  Py_ssize_t size;
  pypipc_sshm *m;
  pipc_sysv_shm_options o = PIPC_SYSV_SHM_OPTIONS_INIT;
  int rc, opened, fill = ' ';
  char enoent[80], eexist[80], eacces[80];
  pysv_msgs msgs = { NULL, NULL, NULL, NULL, "The size is invalid", "The size is invalid", NULL };
  if (pysv_key_arg(args[0], &key) < 0 || pysv_int_arg(args[1], 0, &flags) < 0 ||
      pysv_int_arg(args[2], 0600, &mode) < 0 || pysv_int_object_arg(args[3], 4, 0, &size) < 0)
    return NULL;
  if (init_character) {
    /* as PyArg's "c": a bytes or bytearray of length 1 */
    if (PyBytes_Check(init_character) && PyBytes_GET_SIZE(init_character) == 1)
      fill = (unsigned char)PyBytes_AS_STRING(init_character)[0];
    else if (PyByteArray_Check(init_character) && PyByteArray_GET_SIZE(init_character) == 1)
      fill = (unsigned char)PyByteArray_AS_STRING(init_character)[0];
    else {
      PyErr_Format(PyExc_TypeError, "argument 5 must be a byte string of length 1, not %.50s",
                   Py_TYPE(init_character)->tp_name);
      return NULL;
    }
  }
  if (pysv_check_open(key, flags, mode) < 0) return NULL;
  if (size < 0) { PyErr_SetString(PyExc_ValueError, "The size is invalid"); return NULL; }
  mode &= 0777;
  o.flags = pysv_open_flags(flags);
#ifdef SHM_HUGETLB
  if (flags & SHM_HUGETLB) o.flags |= PIPC_SHM_HUGETLB;
#endif
#ifdef SHM_NORESERVE
  if (flags & SHM_NORESERVE) o.flags |= PIPC_SHM_NORESERVE;
#endif
  o.mode = (uint32_t)mode;
  o.size = (uint64_t)size;  /* 0: PAGE_SIZE for a new segment, any size for an existing one */
  /* sysv_ipc fills a segment with init_character only for IPC_CREX and a writable mode */
  if ((flags & (IPC_CREAT | IPC_EXCL)) == (IPC_CREAT | IPC_EXCL) && (mode & 0200))
    o.fill_byte = (uint32_t)fill;
  m = (pypipc_sshm *)PyMem_Calloc(1, sizeof *m);
  if (!m) { PyErr_NoMemory(); return NULL; }
  rc = pipc_sysv_shm_open(&m->h, key, &o);
  opened = rc >= 0;
  /* attached at once; read-only when no write permission was asked for */
  if (rc >= 0) rc = pipc_sysv_shm_attach(m->h, NULL, (mode & 0200) ? 0 : PIPC_SHM_ATTACH_READ_ONLY);
  if (rc >= 0) rc = pysv_shm_cache(m);
  if (rc < 0) {
    long long k = key == PIPC_KEY_RANDOM ? 0 : (long long)key;
    /* A segment this call made and could not attach (its mode denies the creator, say)
       goes again: sysv_ipc leaves it behind with no object to remove it through. */
    const int created = opened && pipc_sysv_shm_created(m->h) == 1;
    if (created) pipc_sysv_shm_remove(m->h);
    pipc_sysv_shm_close(m->h);
    PyMem_Free(m);
    snprintf(enoent, sizeof enoent, "No shared memory exists with the key %lld", k);
    snprintf(eexist, sizeof eexist, "Shared memory with the key %lld already exists", k);
    snprintf(eacces, sizeof eacces, created ? "Mode %o does not let its creator attach the new segment"
                                            : "Permission %o cannot be granted on the existing segment",
             mode);
    msgs.enoent = enoent; msgs.eexist = eexist; msgs.eacces = eacces;
    pysv_raise(rc, &msgs);
    return NULL;
  }
  return m;
}
static int pysv_shm_init(PyObject *self, PyObject *args, PyObject *kwargs) {
  static const char *const names[] = {"key", "flags", "mode", "size", "init_character", NULL};
  return pypipc_init(self, args, kwargs, names, 1, pysv_shm_open, SWIGTYPE_p_pypipc_sshm);
}
%}

%extend pypipc_sshm {
  ~pypipc_sshm() {
    pipc_sysv_shm_close($self->h);   /* detaches; no view can be alive: each holds a reference */
    PyMem_Free($self);
  }

  PyObject *attach(PyObject *address = NULL, int flags = 0) {
    return pysv_shm_attach($self, address, flags);
  }
  /* refuses while a memoryview (or any buffer export) is alive, as mmap.close() does */
  PyObject *detach() {
    int rc;
    if ($self->exports > 0) {
      PyErr_SetString(PyExc_BufferError,
                      "cannot detach: buffer views (memoryview, ...) of the segment are still alive");
      return NULL;
    }
    rc = pipc_sysv_shm_detach($self->h);
    if (rc == PIPC_ENOTATTACHED) { PyErr_SetNone(pypipc_NotAttachedError); return NULL; }
    if (rc < 0) return pysv_shm_fail($self, rc, NULL);
    return pysv_none();
  }

  /* read(byte_count=0, offset=0) -> bytes, read straight into the new bytes object */
  PyObject *read(pysv_index byte_count = 0, pysv_index offset = 0) {
    PyObject *b;
    int rc;
    if (offset < 0 || offset >= $self->size || byte_count < 0) {
      if (pipc_sysv_shm_attached($self->h) != 1) {
        PyErr_SetString(pypipc_NotAttachedError, "Read attempt on unattached memory segment");
        return NULL;
      }
      PyErr_SetString(PyExc_ValueError, byte_count < 0 && offset >= 0 && offset < $self->size
                                            ? "The byte_count cannot be negative"
                                            : "The offset must be less than the segment size");
      return NULL;
    }
    if (byte_count == 0 || byte_count > $self->size - offset) byte_count = $self->size - offset;
    b = PyBytes_FromStringAndSize(NULL, byte_count);
    if (!b) return NULL;
    rc = pipc_sysv_shm_read($self->h, (uint64_t)offset, PyBytes_AS_STRING(b), (size_t)byte_count);
    if (rc < 0) {
      Py_DECREF(b);
      if (rc == PIPC_ENOTATTACHED) {
        PyErr_SetString(pypipc_NotAttachedError, "Read attempt on unattached memory segment");
        return NULL;
      }
      return pysv_shm_fail($self, rc, NULL);
    }
    return b;
  }

  /* write(s, offset=0); the documented name some_bytes is accepted as a keyword too */
  PyObject *write(PyObject *s = NULL, pysv_index offset = 0, PyObject *some_bytes = NULL) {
    Py_buffer view;
    const void *data;
    Py_ssize_t len;
    int rc, have_view = 0;
    if (s && some_bytes) {
      PyErr_SetString(PyExc_TypeError, "write() got the data twice (s and some_bytes)");
      return NULL;
    }
    if (!s) s = some_bytes;
    if (!s) { PyErr_SetString(PyExc_TypeError, "write() missing required argument 's' (pos 1)"); return NULL; }
    if (PyUnicode_Check(s)) {
      data = PyUnicode_AsUTF8AndSize(s, &len);
      if (!data) return NULL;
    } else {
      if (PyObject_GetBuffer(s, &view, PyBUF_SIMPLE) < 0) return NULL;
      have_view = 1;
      data = view.buf;
      len = view.len;
    }
    if (offset < 0) {
      rc = PIPC_ERANGE;
    } else {
      void *base = NULL;
      /* a view of this very attachment (memoryview(mem)[a:b]) may overlap the target,
       * which a plain copy does not allow: copy it out first */
      if (have_view && !PyBytes_CheckExact(s) && pipc_sysv_shm_address(&base, $self->h) >= 0 &&
          (const char *)data < (const char *)base + $self->size &&
          (const char *)data + len > (const char *)base) {
        void *tmp = PyMem_Malloc(len ? (size_t)len : 1);
        if (!tmp) { PyBuffer_Release(&view); return PyErr_NoMemory(); }
        memcpy(tmp, data, (size_t)len);
        rc = pipc_sysv_shm_write($self->h, (uint64_t)offset, tmp, (size_t)len);
        PyMem_Free(tmp);
      } else {
        rc = pipc_sysv_shm_write($self->h, (uint64_t)offset, data, (size_t)len);
      }
    }
    if (have_view) PyBuffer_Release(&view);
    if (rc >= 0) return pysv_none();
    /* sysv_ipc's order: read-only, then not attached, then the range */
    if (pipc_sysv_shm_read_only($self->h) == 1) {
      PyErr_SetString(PyExc_OSError, "Write attempt on read-only memory segment");
      return NULL;
    }
    if (rc == PIPC_ENOTATTACHED || (rc == PIPC_ERANGE && pipc_sysv_shm_attached($self->h) != 1)) {
      PyErr_SetString(pypipc_NotAttachedError, "Write attempt on unattached memory segment");
      return NULL;
    }
    if (rc == PIPC_ERANGE) {
      PyErr_SetString(PyExc_ValueError, "Attempt to write past end of memory segment");
      return NULL;
    }
    return pysv_shm_fail($self, rc, NULL);
  }
  PyObject *remove() {
    int rc = pipc_sysv_shm_remove($self->h);
    if (rc < 0) return pysv_shm_fail($self, rc, "You do not have permission to remove the shared memory");
    return pysv_none();
  }
  PyObject *__str__() {
    return PyUnicode_FromFormat("Key=%lld, id=%d", (long long)$self->key, $self->id);
  }
  PyObject *__repr__() {
    return PyUnicode_FromFormat("sysv_ipc.SharedMemory(%lld)", (long long)$self->key);
  }

  /* all read-only to SWIG; uid, gid and mode get setters in %init */
  %immutable;
  PyObject *key;
  PyObject *id;
  PyObject *size;
  PyObject *address;
  PyObject *attached;
  PyObject *last_attach_time;
  PyObject *last_detach_time;
  PyObject *last_change_time;
  PyObject *creator_pid;
  PyObject *last_pid;
  PyObject *number_attached;
  PyObject *uid;
  PyObject *gid;
  PyObject *mode;
  PyObject *cuid;
  PyObject *cgid;
  %mutable;
}

%{
enum pysv_shm_field { PYSV_SHM_UID, PYSV_SHM_GID, PYSV_SHM_CUID, PYSV_SHM_CGID, PYSV_SHM_MODE,
                      PYSV_SHM_ATIME, PYSV_SHM_DTIME, PYSV_SHM_CTIME, PYSV_SHM_CPID,
                      PYSV_SHM_LPID, PYSV_SHM_NATTCH };
static PyObject *pysv_shm_stat(pypipc_sshm *m, enum pysv_shm_field f) {
  pipc_sysv_shm_stat st;
  int rc = pipc_sysv_shm_stat_get(&st, m->h);
  if (rc < 0) return pysv_shm_fail(m, rc, "You do not have permission to read the shared memory attribute");
  switch (f) {
    case PYSV_SHM_UID: return PyLong_FromUnsignedLong(st.perm.uid);
    case PYSV_SHM_GID: return PyLong_FromUnsignedLong(st.perm.gid);
    case PYSV_SHM_CUID: return PyLong_FromUnsignedLong(st.perm.cuid);
    case PYSV_SHM_CGID: return PyLong_FromUnsignedLong(st.perm.cgid);
    case PYSV_SHM_MODE: return PyLong_FromUnsignedLong(st.perm.mode);
    case PYSV_SHM_ATIME: return PyLong_FromLongLong(st.atime);
    case PYSV_SHM_DTIME: return PyLong_FromLongLong(st.dtime);
    case PYSV_SHM_CTIME: return PyLong_FromLongLong(st.ctime);
    case PYSV_SHM_CPID: return PyLong_FromLong(st.creator_pid);
    case PYSV_SHM_LPID: return PyLong_FromLong(st.last_pid);
    case PYSV_SHM_NATTCH: return PyLong_FromUnsignedLongLong(st.attach_count);
  }
  return NULL;
}
static PyObject *pypipc_sshm_key_get(pypipc_sshm *m) { return PyLong_FromLongLong(m->key); }
static PyObject *pypipc_sshm_id_get(pypipc_sshm *m) { return PyLong_FromLong(m->id); }
static PyObject *pypipc_sshm_size_get(pypipc_sshm *m) { return PyLong_FromSsize_t(m->size); }
static PyObject *pypipc_sshm_address_get(pypipc_sshm *m) {
  void *a = NULL;
  if (pipc_sysv_shm_address(&a, m->h) < 0) a = NULL;   /* 0 when detached, as sysv_ipc */
  return PyLong_FromVoidPtr(a);
}
static PyObject *pypipc_sshm_attached_get(pypipc_sshm *m) {
  return PyBool_FromLong(pipc_sysv_shm_attached(m->h) == 1);
}
static PyObject *pypipc_sshm_last_attach_time_get(pypipc_sshm *m) { return pysv_shm_stat(m, PYSV_SHM_ATIME); }
static PyObject *pypipc_sshm_last_detach_time_get(pypipc_sshm *m) { return pysv_shm_stat(m, PYSV_SHM_DTIME); }
static PyObject *pypipc_sshm_last_change_time_get(pypipc_sshm *m) { return pysv_shm_stat(m, PYSV_SHM_CTIME); }
static PyObject *pypipc_sshm_creator_pid_get(pypipc_sshm *m) { return pysv_shm_stat(m, PYSV_SHM_CPID); }
static PyObject *pypipc_sshm_last_pid_get(pypipc_sshm *m) { return pysv_shm_stat(m, PYSV_SHM_LPID); }
static PyObject *pypipc_sshm_number_attached_get(pypipc_sshm *m) { return pysv_shm_stat(m, PYSV_SHM_NATTCH); }
static PyObject *pypipc_sshm_uid_get(pypipc_sshm *m) { return pysv_shm_stat(m, PYSV_SHM_UID); }
static PyObject *pypipc_sshm_gid_get(pypipc_sshm *m) { return pysv_shm_stat(m, PYSV_SHM_GID); }
static PyObject *pypipc_sshm_mode_get(pypipc_sshm *m) { return pysv_shm_stat(m, PYSV_SHM_MODE); }
static PyObject *pypipc_sshm_cuid_get(pypipc_sshm *m) { return pysv_shm_stat(m, PYSV_SHM_CUID); }
static PyObject *pypipc_sshm_cgid_get(pypipc_sshm *m) { return pysv_shm_stat(m, PYSV_SHM_CGID); }

static int pysv_shm_set_perm(PyObject *o, PyObject *v, const char *name, int which) {
  pypipc_sshm *m = (pypipc_sshm *)pysv_self(o);
  int64_t perm[3];
  int rc;
  if (!m || pysv_perm_args(v, name, which, perm) < 0) return -1;
  rc = pipc_sysv_shm_set_perm(m->h, perm[0], perm[1], perm[2]);
  if (rc < 0) {
    pysv_shm_fail(m, rc, "You do not have permission to change the shared memory's attributes");
    return -1;
  }
  return 0;
}
static int pysv_shm_set_uid(PyObject *o, PyObject *v, void *c) { return pysv_shm_set_perm(o, v, "uid", 0); }
static int pysv_shm_set_gid(PyObject *o, PyObject *v, void *c) { return pysv_shm_set_perm(o, v, "gid", 1); }
static int pysv_shm_set_mode(PyObject *o, PyObject *v, void *c) { return pysv_shm_set_perm(o, v, "mode", 2); }

/* attach(id, address=None, flags=0): a new SharedMemory for the existing segment ID */
static PyObject *pysv_attach(int id, PyObject *address, int flags) {
  pypipc_sshm *m;
  PyObject *r;
  int rc;
  m = (pypipc_sshm *)PyMem_Calloc(1, sizeof *m);
  if (!m) return PyErr_NoMemory();
  m->id = id;
  rc = pipc_sysv_shm_open_id(&m->h, id);
  if (rc < 0) {
    PyMem_Free(m);
    if (rc == PIPC_ERANGE || rc == PIPC_ENOENT) {
      PyErr_Format(pypipc_ExistentialError, "No shared memory with id %d exists", id);
      return NULL;
    }
    pysv_raise(rc, &pysv_plain_msgs);
    return NULL;
  }
  rc = pysv_shm_cache(m);
  if (rc < 0) { pipc_sysv_shm_close(m->h); PyMem_Free(m); pysv_raise(rc, &pysv_plain_msgs); return NULL; }
  r = SWIG_Python_NewPointerObj(NULL, SWIG_as_voidptr(m), SWIGTYPE_p_pypipc_sshm, SWIG_POINTER_OWN);
  if (!r || r == Py_None) {   /* SWIG gives None when the allocation failed */
    Py_XDECREF(r);
    pipc_sysv_shm_close(m->h);
    PyMem_Free(m);
    if (!PyErr_Occurred()) PyErr_NoMemory();
    return NULL;
  }
  /* the object owns M from here: on failure its dealloc frees it */
  if (!pysv_shm_attach(m, address, flags)) { Py_DECREF(r); return NULL; }
  Py_DECREF(Py_None);
  return r;
}
%}

/* ================= MessageQueue ================= */
%rename(MessageQueue) pypipc_smq;
%nodefaultctor pypipc_smq;
%feature("python:tp_init", "pysv_mq_init") pypipc_smq;
PYPIPC_FAST_SELF(pypipc_smq)
typedef struct pypipc_smq {} pypipc_smq;

%{
/* MessageQueue(key, flags=0, mode=0o600, max_message_size=2048) */
static void *pysv_mq_open(PyObject *const *args) {
  int64_t key;
  int flags, mode;
  Py_ssize_t max_message_size;
  pypipc_smq *q;
  pipc_sysv_mq_options o = PIPC_SYSV_MQ_OPTIONS_INIT;
  int rc;
  pysv_msgs msgs = pysv_mq_msgs;
  if (pysv_key_arg(args[0], &key) < 0 || pysv_int_arg(args[1], 0, &flags) < 0 ||
      pysv_int_arg(args[2], 0600, &mode) < 0 ||
      pysv_int_object_arg(args[3], 4, 2048, &max_message_size) < 0)
    return NULL;
  if (max_message_size < 0 || max_message_size >= PY_SSIZE_T_MAX) {
    PyErr_Format(PyExc_ValueError, "The message length must be <= %zd", PY_SSIZE_T_MAX - 1);
    return NULL;
  }
  if (pysv_check_open(key, flags, mode) < 0) return NULL;
  o.flags = pysv_open_flags(flags);
  o.mode = (uint32_t)mode & 0777u;
  q = (pypipc_smq *)PyMem_Calloc(1, sizeof *q);
  if (!q) { PyErr_NoMemory(); return NULL; }
  q->max_message_size = max_message_size;
  rc = pipc_sysv_mq_open(&q->h, key, &o);
  if (rc >= 0) rc = pipc_sysv_mq_key(&q->key, q->h);
  if (rc >= 0) rc = q->id = pipc_sysv_mq_id(q->h);
  if (rc < 0) {
    pipc_sysv_mq_close(q->h);
    PyMem_Free(q);
    msgs.enoent = "No queue exists with the specified key";
    if (rc == PIPC_ELIMIT) {
      PyErr_SetString(PyExc_OSError, "The system limit for message queues has been reached");
      return NULL;
    }
    pysv_raise(rc, &msgs);
    return NULL;
  }
  return q;
}
static int pysv_mq_init(PyObject *self, PyObject *args, PyObject *kwargs) {
  static const char *const names[] = {"key", "flags", "mode", "max_message_size", NULL};
  return pypipc_init(self, args, kwargs, names, 1, pysv_mq_open, SWIGTYPE_p_pypipc_smq);
}
%}

%extend pypipc_smq {
  ~pypipc_smq() {
    pipc_sysv_mq_close($self->h);
    PyMem_Free($self->scratch);
    PyMem_Free($self);
  }

  /* send(message, block=True, type=1): one try with the GIL held, then the wait without it */
  PyObject *send(const void *message, size_t message_len, PyObject *block = NULL, long long type = 1) {
    struct pysv_send_ctx c;
    int rc, wait = 1;
    if (block && (wait = PyObject_IsTrue(block)) < 0) return NULL;
    if (type <= 0) { PyErr_SetString(PyExc_ValueError, "The type must be > 0"); return NULL; }
    if (message_len > (size_t)$self->max_message_size) {
      PyErr_Format(PyExc_ValueError, "The message length exceeds queue's max_message_size (%zd)",
                   $self->max_message_size);
      return NULL;
    }
    c.h = $self->h; c.d = message; c.n = message_len; c.type = type;
    rc = pipc_sysv_mq_send(c.h, c.d, c.n, c.type, 0);
    if (rc == PIPC_EAGAIN && wait) rc = pypipc_block(pysv_send_op, &c, PIPC_BINDING_FOREVER);
    if (rc < 0) return pysv_mq_fail(rc, PYSV_SEND_BUSY);
    return pysv_none();
  }

  /* receive(block=True, type=0) -> (bytes, type) */
  PyObject *receive(PyObject *block = NULL, long long type = 0) {
    struct pysv_recv_ctx c;
    PyObject *msg, *r;
    int rc, wait = 1;
    if (block && (wait = PyObject_IsTrue(block)) < 0) return NULL;
    if (!$self->scratch && $self->max_message_size > 0) {
      $self->scratch = (char *)PyMem_Malloc((size_t)$self->max_message_size);
      if (!$self->scratch) return PyErr_NoMemory();
    }
    c.h = $self->h; c.buf = $self->scratch; c.cap = (size_t)$self->max_message_size;
    c.n = 0; c.type = type; c.got = 0;
    /* the try that does not wait uses the object's buffer: the GIL is held throughout */
    rc = pysv_recv_op(&c, 0);
    if (rc >= 0) {
      msg = PyBytes_FromStringAndSize($self->scratch, (Py_ssize_t)c.n);
    } else if (rc == PIPC_EAGAIN && wait) {
      /* the wait receives straight into a bytes object of its own */
      msg = PyBytes_FromStringAndSize(NULL, $self->max_message_size);
      if (!msg) return NULL;
      c.buf = PyBytes_AS_STRING(msg);
      rc = pypipc_block(pysv_recv_op, &c, PIPC_BINDING_FOREVER);
      if (rc < 0) { Py_DECREF(msg); return pysv_recv_fail(rc); }
      if ((Py_ssize_t)c.n != $self->max_message_size && _PyBytes_Resize(&msg, (Py_ssize_t)c.n) < 0)
        return NULL;
    } else {
      return pysv_recv_fail(rc);
    }
    if (!msg) return NULL;
    r = PyTuple_New(2);
    if (!r) { Py_DECREF(msg); return NULL; }
    PyTuple_SET_ITEM(r, 0, msg);
    PyTuple_SET_ITEM(r, 1, PyLong_FromLongLong(c.got));
    if (!PyTuple_GET_ITEM(r, 1)) { Py_DECREF(r); return NULL; }
    return r;
  }
  PyObject *remove() {
    int rc = pipc_sysv_mq_remove($self->h);
    if (rc < 0) return pysv_mq_fail(rc, NULL);
    return pysv_none();
  }
  PyObject *__str__() {
    return PyUnicode_FromFormat("Key=%lld, id=%d", (long long)$self->key, $self->id);
  }
  PyObject *__repr__() {
    return PyUnicode_FromFormat("sysv_ipc.MessageQueue(%lld)", (long long)$self->key);
  }

  /* all read-only to SWIG; max_size, uid, gid and mode get setters in %init */
  %immutable;
  PyObject *key;
  PyObject *id;
  PyObject *max_size;
  PyObject *last_send_time;
  PyObject *last_receive_time;
  PyObject *last_change_time;
  PyObject *last_send_pid;
  PyObject *last_receive_pid;
  PyObject *current_messages;
  PyObject *uid;
  PyObject *gid;
  PyObject *mode;
  PyObject *cuid;
  PyObject *cgid;
  %mutable;
}

%{
enum pysv_mq_field { PYSV_MQ_UID, PYSV_MQ_GID, PYSV_MQ_CUID, PYSV_MQ_CGID, PYSV_MQ_MODE,
                     PYSV_MQ_STIME, PYSV_MQ_RTIME, PYSV_MQ_CTIME, PYSV_MQ_SPID, PYSV_MQ_RPID,
                     PYSV_MQ_QNUM, PYSV_MQ_QBYTES };
static PyObject *pysv_mq_stat(pypipc_smq *q, enum pysv_mq_field f) {
  pipc_sysv_mq_stat st;
  int rc = pipc_sysv_mq_stat_get(&st, q->h);
  if (rc < 0) return pysv_mq_fail(rc, NULL);
  switch (f) {
    case PYSV_MQ_UID: return PyLong_FromUnsignedLong(st.perm.uid);
    case PYSV_MQ_GID: return PyLong_FromUnsignedLong(st.perm.gid);
    case PYSV_MQ_CUID: return PyLong_FromUnsignedLong(st.perm.cuid);
    case PYSV_MQ_CGID: return PyLong_FromUnsignedLong(st.perm.cgid);
    case PYSV_MQ_MODE: return PyLong_FromUnsignedLong(st.perm.mode);
    case PYSV_MQ_STIME: return PyLong_FromLongLong(st.stime);
    case PYSV_MQ_RTIME: return PyLong_FromLongLong(st.rtime);
    case PYSV_MQ_CTIME: return PyLong_FromLongLong(st.ctime);
    case PYSV_MQ_SPID: return PyLong_FromLong(st.last_send_pid);
    case PYSV_MQ_RPID: return PyLong_FromLong(st.last_receive_pid);
    case PYSV_MQ_QNUM: return PyLong_FromUnsignedLongLong(st.current_messages);
    case PYSV_MQ_QBYTES: return PyLong_FromUnsignedLongLong(st.max_bytes);
  }
  return NULL;
}
static PyObject *pypipc_smq_key_get(pypipc_smq *q) { return PyLong_FromLongLong(q->key); }
static PyObject *pypipc_smq_id_get(pypipc_smq *q) { return PyLong_FromLong(q->id); }
static PyObject *pypipc_smq_max_size_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_QBYTES); }
static PyObject *pypipc_smq_last_send_time_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_STIME); }
static PyObject *pypipc_smq_last_receive_time_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_RTIME); }
static PyObject *pypipc_smq_last_change_time_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_CTIME); }
static PyObject *pypipc_smq_last_send_pid_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_SPID); }
static PyObject *pypipc_smq_last_receive_pid_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_RPID); }
static PyObject *pypipc_smq_current_messages_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_QNUM); }
static PyObject *pypipc_smq_uid_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_UID); }
static PyObject *pypipc_smq_gid_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_GID); }
static PyObject *pypipc_smq_mode_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_MODE); }
static PyObject *pypipc_smq_cuid_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_CUID); }
static PyObject *pypipc_smq_cgid_get(pypipc_smq *q) { return pysv_mq_stat(q, PYSV_MQ_CGID); }

static int pysv_mq_set_max_size(PyObject *o, PyObject *v, void *c) {
  pypipc_smq *q = (pypipc_smq *)pysv_self(o);
  long long x;
  int rc;
  if (!q || pysv_set_int(v, "max_size", &x) < 0) return -1;
  if (x <= 0) { PyErr_SetString(PyExc_ValueError, "max_size must be > 0"); return -1; }
  rc = pipc_sysv_mq_set_max_bytes(q->h, (uint64_t)x);
  if (rc < 0) { pysv_mq_fail(rc, NULL); return -1; }
  return 0;
}
static int pysv_mq_set_perm(PyObject *o, PyObject *v, const char *name, int which) {
  pypipc_smq *q = (pypipc_smq *)pysv_self(o);
  int64_t perm[3];
  int rc;
  if (!q || pysv_perm_args(v, name, which, perm) < 0) return -1;
  rc = pipc_sysv_mq_set_perm(q->h, perm[0], perm[1], perm[2]);
  if (rc < 0) { pysv_mq_fail(rc, NULL); return -1; }
  return 0;
}
static int pysv_mq_set_uid(PyObject *o, PyObject *v, void *c) { return pysv_mq_set_perm(o, v, "uid", 0); }
static int pysv_mq_set_gid(PyObject *o, PyObject *v, void *c) { return pysv_mq_set_perm(o, v, "gid", 1); }
static int pysv_mq_set_mode(PyObject *o, PyObject *v, void *c) { return pysv_mq_set_perm(o, v, "mode", 2); }

/* Gives the getset NAME of TP the setter FN (SWIG made it read-only). */
typedef struct pysv_setter_def { const char *name; setter fn; } pysv_setter_def;
static void pysv_install_setters(PyTypeObject *tp, const pysv_setter_def *defs) {
  PyGetSetDef *gs;
  const pysv_setter_def *d;
  if (!tp) return;
  for (gs = tp->tp_getset; gs && gs->name; ++gs)
    for (d = defs; d->name; ++d)
      if (strcmp(gs->name, d->name) == 0) gs->set = d->fn;
}
%}

%{
/* ---- docstrings (pipc_python.i's pypipc_doc tables, set in %init) ---- */
static const pypipc_doc pysv_module_docs[] = {
  { "ftok", "ftok(path, id, silence_warning=False)\n--\n\n"
            "Return the key ftok(3) makes of PATH (a file that must exist) and the low 8 bits of\n"
            "ID, for programs that agree on a file rather than on a number.\n\n"
            "Different paths can give the same key, so the call issues a Warning unless\n"
            "silence_warning is true. Raises OSError when PATH cannot be examined." },
  { "attach", "attach(id, address=None, flags=0)\n--\n\n"
              "Return a SharedMemory object for the existing segment with this id, attached to\n"
              "this process (see SharedMemory.attach() for address and flags).\n\n"
              "Raises ExistentialError when no segment has this id." },
  { "remove_semaphore", "remove_semaphore(id, /)\n--\n\n"
                        "Remove the semaphore with this id from the system at once; processes\n"
                        "waiting on it see ExistentialError. Raises ExistentialError when there\n"
                        "is none, PermissionsError when the caller may not remove it." },
  { "remove_shared_memory", "remove_shared_memory(id, /)\n--\n\n"
                            "Mark the segment with this id for removal: the key is freed now, the\n"
                            "memory once the last process has detached. Raises ExistentialError\n"
                            "when there is none, PermissionsError when the caller may not remove it." },
  { "remove_message_queue", "remove_message_queue(id, /)\n--\n\n"
                            "Remove the queue with this id and the messages in it at once. Raises\n"
                            "ExistentialError when there is none, PermissionsError when the caller\n"
                            "may not remove it." },
  { NULL, NULL } };

static const pypipc_doc pysv_sem_docs[] = {
  { "", "Semaphore(key, flags=0, mode=0o600, initial_value=0)\n--\n\n"
        "A System V semaphore (a set holding one semaphore), found by KEY.\n\n"
        "key: an int from KEY_MIN to KEY_MAX, IPC_PRIVATE, or None for a new semaphore under an\n"
        "unused random key (None needs IPC_CREX).\n"
        "flags: 0 opens an existing semaphore (ExistentialError if there is none); IPC_CREAT\n"
        "opens or creates it; IPC_CREX creates it (ExistentialError if it exists).\n"
        "mode, initial_value: the permission bits and value of a semaphore this call creates.\n\n"
        "Used as a context manager it acquires on entry and releases on exit. Waits run on\n"
        "the monotonic clock. Differs from sysv_ipc: an exception raised by a signal handler\n"
        "(KeyboardInterrupt, ...) ends a wait at once; otherwise a signal raises Error." },
  { "acquire", "acquire($self, /, timeout=None, delta=1)\n--\n\n"
               "Wait until the value is at least abs(delta), then subtract it (the P operation).\n\n"
               "timeout: None waits without limit; 0 does not wait; a positive number waits up to\n"
               "that many seconds (an int or a float), measured on the monotonic clock so that\n"
               "changing the system time neither stretches nor cuts the wait. With block False\n"
               "the call never waits.\n"
               "Raises BusyError when the value stays too low (no wait, or the timeout expired),\n"
               "ValueError for delta 0 or beyond SEMAPHORE_VALUE_MAX, ExistentialError when the\n"
               "semaphore is removed, Error when a signal interrupts the wait." },
  { "P", "P($self, /, timeout=None, delta=1)\n--\n\nThe same as acquire()." },
  { "release", "release($self, /, delta=1)\n--\n\n"
               "Add abs(delta) to the value (the V operation), waking waiters it satisfies.\n"
               "Raises ValueError for delta 0 or when the value would pass SEMAPHORE_VALUE_MAX." },
  { "V", "V($self, /, delta=1)\n--\n\nThe same as release()." },
  { "Z", "Z($self, /, timeout=None)\n--\n\n"
         "Wait until the value is 0. timeout and block as for acquire(); raises BusyError when\n"
         "the value is not 0 in time." },
  { "remove", "remove($self, /)\n--\n\n"
              "Remove the semaphore from the system at once (for every process); waiters see\n"
              "ExistentialError, as do later calls." },
  { "__enter__", "__enter__($self, /)\n--\n\nAcquire the semaphore, waiting as long as it takes." },
  { "__exit__", "__exit__($self, /, exc_type=None, exc_value=None, traceback=None)\n--\n\n"
                "Release the semaphore." },
  { "key", "The key the semaphore was opened with (read-only)." },
  { "id", "The id the kernel gave the semaphore (read-only)." },
  { "value", "The current value; assigning sets it (SETVAL), waking waiters it satisfies." },
  { "undo", "Whether the kernel undoes this process's acquire and release when it exits\n"
            "(SEM_UNDO); settable, False by default." },
  { "block", "Whether acquire() and Z() wait; settable. False: they raise BusyError at once." },
  { "mode", "The permission bits; settable by the owner or creator." },
  { "uid", "The owner's user id; settable by the owner or creator." },
  { "gid", "The owner's group id; settable by the owner or creator." },
  { "cuid", "The creator's user id (read-only)." },
  { "cgid", "The creator's group id (read-only)." },
  { "last_pid", "The id of the process that performed the last operation (read-only)." },
  { "waiting_for_nonzero", "How many processes wait for the value to rise (read-only)." },
  { "waiting_for_zero", "How many processes wait for the value to be 0 (read-only)." },
  { "o_time", "The time of the last operation, in seconds since the epoch (read-only)." },
  { NULL, NULL } };

static const pypipc_doc pysv_shm_docs[] = {
  { "", "SharedMemory(key, flags=0, mode=0o600, size=0, init_character=b' ')\n--\n\n"
        "A System V shared memory segment, found by KEY and attached to this process at once.\n\n"
        "key and flags as for Semaphore (IPC_CREAT, IPC_EXCL, IPC_CREX, and SHM_HUGETLB or\n"
        "SHM_NORESERVE for a new segment). mode: the permission bits of a new segment; the\n"
        "attachment is read-only when mode lacks 0o200. size: the size of a new segment,\n"
        "0 meaning PAGE_SIZE; init_character: the byte a new segment is filled with.\n\n"
        "Supports the buffer protocol: memoryview(shm) is a zero-copy view of the attachment\n"
        "(read-only for a read-only attachment); detach() raises BufferError while one is\n"
        "alive. Differs from sysv_ipc: a size of -1 with missing huge pages raises OSError\n"
        "naming them." },
  { "attach", "attach($self, /, address=None, flags=0)\n--\n\n"
              "Attach the segment to this process (again, after detach()), at ADDRESS if given\n"
              "(an int), otherwise where the kernel chooses. flags: SHM_RDONLY, SHM_RND,\n"
              "SHM_REMAP, SHM_EXEC. Raises ValueError for an unusable address, PermissionsError\n"
              "when the mode does not allow the access, BufferError while a memoryview is alive." },
  { "detach", "detach($self, /)\n--\n\n"
              "Detach the segment from this process; the segment itself stays. Raises\n"
              "NotAttachedError when it is not attached, BufferError while a memoryview is alive." },
  { "read", "read($self, /, byte_count=0, offset=0)\n--\n\n"
            "Return byte_count bytes starting at OFFSET, as bytes; byte_count 0 (or more than\n"
            "there is) reads to the end. Raises NotAttachedError when detached, ValueError for\n"
            "an offset past the end." },
  { "write", "write($self, /, s, offset=0)\n--\n\n"
             "Write the bytes-like object (or str, encoded as UTF-8) S at OFFSET (the keyword\n"
             "some_bytes= names S too). Raises ValueError when it does not fit,\n"
             "NotAttachedError when detached, OSError for a read-only attachment." },
  { "remove", "remove($self, /)\n--\n\n"
              "Mark the segment for removal: the key is freed now, the memory once the last\n"
              "process has detached." },
  { "key", "The key the segment was opened with (read-only)." },
  { "id", "The id the kernel gave the segment (read-only)." },
  { "size", "The segment's size in bytes (read-only)." },
  { "address", "The address of this process's attachment, 0 while detached (read-only)." },
  { "attached", "Whether this object is attached (read-only)." },
  { "last_attach_time", "The time of the last attach, in seconds since the epoch (read-only)." },
  { "last_detach_time", "The time of the last detach, in seconds since the epoch (read-only)." },
  { "last_change_time", "The time of the last change to uid, gid or mode (read-only)." },
  { "creator_pid", "The id of the process that created the segment (read-only)." },
  { "last_pid", "The id of the process that last attached or detached it (read-only)." },
  { "number_attached", "How many attachments the segment has, in all processes (read-only)." },
  { "uid", "The owner's user id; settable by the owner or creator." },
  { "gid", "The owner's group id; settable by the owner or creator." },
  { "mode", "The permission bits; settable by the owner or creator." },
  { "cuid", "The creator's user id (read-only)." },
  { "cgid", "The creator's group id (read-only)." },
  { NULL, NULL } };

static const pypipc_doc pysv_mq_docs[] = {
  { "", "MessageQueue(key, flags=0, mode=0o600, max_message_size=2048)\n--\n\n"
        "A System V message queue, found by KEY (key and flags as for Semaphore).\n\n"
        "max_message_size: the longest message this object sends or receives (not a\n"
        "property of the queue, whose capacity is max_size)." },
  { "send", "send($self, /, message, block=True, type=1)\n--\n\n"
            "Queue MESSAGE (a bytes-like object, or a str encoded as UTF-8) with TYPE (> 0).\n\n"
            "When the queue is full, waits for room if block is true, otherwise raises\n"
            "BusyError. Raises ValueError for a type <= 0 or a message longer than\n"
            "max_message_size, ExistentialError when the queue is removed." },
  { "receive", "receive($self, /, block=True, type=0)\n--\n\n"
               "Take a message and return (message, type), message as bytes.\n\n"
               "type 0 takes the first message; > 0 the first of that type; < 0 the first of\n"
               "the lowest type <= abs(type). When there is none, waits if block is true,\n"
               "otherwise raises BusyError. A message longer than max_message_size raises\n"
               "OSError (E2BIG) and stays queued." },
  { "remove", "remove($self, /)\n--\n\n"
              "Remove the queue and its messages at once, for every process; waiters see\n"
              "ExistentialError." },
  { "key", "The key the queue was opened with (read-only)." },
  { "id", "The id the kernel gave the queue (read-only)." },
  { "max_size", "The queue's capacity in bytes; settable (raising it above the system's\n"
                "msgmnb needs privilege)." },
  { "last_send_time", "The time of the last send, in seconds since the epoch (read-only)." },
  { "last_receive_time", "The time of the last receive, in seconds since the epoch (read-only)." },
  { "last_change_time", "The time of the last change to its attributes (read-only)." },
  { "last_send_pid", "The id of the process that sent last (read-only)." },
  { "last_receive_pid", "The id of the process that received last (read-only)." },
  { "current_messages", "How many messages the queue holds (read-only)." },
  { "uid", "The owner's user id; settable by the owner or creator." },
  { "gid", "The owner's group id; settable by the owner or creator." },
  { "mode", "The permission bits; settable by the owner or creator." },
  { "cuid", "The creator's user id (read-only)." },
  { "cgid", "The creator's group id (read-only)." },
  { NULL, NULL } };
%}

%init %{
  {
    static const char *const readonly_members[] = { "id", NULL };
    static const pysv_setter_def sem_setters[] = {
      { "value", pysv_sem_set_value }, { "undo", pysv_sem_set_undo },
      { "block", pysv_sem_set_block }, { "mode", pysv_sem_set_mode },
      { "uid", pysv_sem_set_uid }, { "gid", pysv_sem_set_gid }, { NULL, NULL } };
    static const pysv_setter_def shm_setters[] = {
      { "uid", pysv_shm_set_uid }, { "gid", pysv_shm_set_gid }, { "mode", pysv_shm_set_mode },
      { NULL, NULL } };
    static const pysv_setter_def mq_setters[] = {
      { "max_size", pysv_mq_set_max_size }, { "uid", pysv_mq_set_uid },
      { "gid", pysv_mq_set_gid }, { "mode", pysv_mq_set_mode }, { NULL, NULL } };
    PyObject *mod = m;
    PyTypeObject *tp;
    pypipc_Error = pypipc_add_exc(mod, "pipc.sysv_ipc", "Error", NULL,
                                  "Base class of this module's exceptions");
    pypipc_add_exc(mod, "pipc.sysv_ipc", "InternalError", pypipc_Error,
                   "Something went wrong inside the module");
    pypipc_SignalError = pypipc_Error;   /* sysv_ipc has no SignalError: a signal raises Error */
    pypipc_PermissionsError = pypipc_add_exc(mod, "pipc.sysv_ipc", "PermissionsError", pypipc_Error,
                                             "The object's permissions do not allow the operation");
    pypipc_ExistentialError = pypipc_add_exc(mod, "pipc.sysv_ipc", "ExistentialError", pypipc_Error,
                                             "The object does not exist, or already exists");
    pypipc_BusyError = pypipc_add_exc(mod, "pipc.sysv_ipc", "BusyError", pypipc_Error,
                                      "The call would wait (block is False, timeout 0) or timed out");
    pypipc_NotAttachedError = pypipc_add_exc(mod, "pipc.sysv_ipc", "NotAttachedError", pypipc_Error,
                                             "The shared memory is not attached");

    pypipc_add_int(mod, "IPC_CREAT", IPC_CREAT);
    pypipc_add_int(mod, "IPC_EXCL", IPC_EXCL);
    pypipc_add_int(mod, "IPC_CREX", IPC_CREAT | IPC_EXCL);
    pypipc_add_int(mod, "IPC_PRIVATE", PIPC_IPC_PRIVATE);
    pypipc_add_int(mod, "KEY_MIN", PIPC_SYSV_KEY_MIN);
    pypipc_add_int(mod, "KEY_MAX", PIPC_SYSV_KEY_MAX);
    pypipc_add_int(mod, "SEMAPHORE_VALUE_MAX", pipc_sysv_sem_value_max());
    Py_INCREF(Py_True);
    if (PyModule_AddObject(mod, "SEMAPHORE_TIMEOUT_SUPPORTED", Py_True) < 0) Py_DECREF(Py_True);
    pypipc_add_int(mod, "PAGE_SIZE", pipc_page_size());
    pypipc_add_int(mod, "SHM_RDONLY", SHM_RDONLY);
    pypipc_add_int(mod, "SHM_RND", SHM_RND);
#ifdef SHM_HUGETLB
    pypipc_add_int(mod, "SHM_HUGETLB", SHM_HUGETLB);
#endif
#ifdef SHM_NORESERVE
    pypipc_add_int(mod, "SHM_NORESERVE", SHM_NORESERVE);
#endif
#ifdef SHM_REMAP
    pypipc_add_int(mod, "SHM_REMAP", SHM_REMAP);
#endif
#ifdef SHM_EXEC
    pypipc_add_int(mod, "SHM_EXEC", SHM_EXEC);   /* not in sysv_ipc: pipc's addition */
#endif
    PyModule_AddStringConstant(mod, "VERSION", PYSV_VERSION);
    PyModule_AddStringConstant(mod, "__version__", PYSV_VERSION);
    PyModule_AddStringConstant(mod, "__author__", "libpipc contributors");
    PyModule_AddStringConstant(mod, "__license__", "MIT");
    PyModule_AddStringConstant(mod, "__copyright__", "Copyright libpipc contributors");

    tp = pypipc_type_of(SWIGTYPE_p_pypipc_ssem);
    pypipc_finish_type(tp, readonly_members);
    pysv_install_setters(tp, sem_setters);
    tp = pypipc_type_of(SWIGTYPE_p_pypipc_sshm);
    pypipc_finish_type(tp, readonly_members);
    pysv_install_setters(tp, shm_setters);
    tp = pypipc_type_of(SWIGTYPE_p_pypipc_smq);
    pypipc_finish_type(tp, readonly_members);
    pysv_install_setters(tp, mq_setters);
    pypipc_set_method_docs(SwigMethods, pysv_module_docs);
    pypipc_set_type_docs(pypipc_type_of(SWIGTYPE_p_pypipc_ssem), pysv_sem_docs);
    pypipc_set_type_docs(pypipc_type_of(SWIGTYPE_p_pypipc_sshm), pysv_shm_docs);
    pypipc_set_type_docs(pypipc_type_of(SWIGTYPE_p_pypipc_smq), pysv_mq_docs);
    PyModule_AddStringConstant(mod, "__doc__",
        "System V semaphores, shared memory and message queues: a drop-in for sysv_ipc 1.2.");
    if (PyDict_DelItemString(d, "__all__") < 0) PyErr_Clear();
  }
%}
