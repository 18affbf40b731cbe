/* pipc.posix_ipc: a drop-in for the posix_ipc 1.3 module (Semaphore, SharedMemory,
 * MessageQueue, unlink_*, the constants and exceptions), as SWIG -builtin types whose
 * methods are written with %extend: one libpipc call per hot-path method, no Python frame.
 *
 * What the reference does is the specification: its keyword names, defaults, flag values
 * (the OS's O_* numbers, translated to pipc's flags here), exception classes and messages.
 * Where it would crash or misbehave (a name with NUL, a queue collected with a pending
 * thread notification, a read-only open with a size deleting the segment) this module
 * raises or behaves instead. Beyond the reference: SharedMemory.close(), the buffer
 * protocol (memoryview(shm) is a zero-copy view of a mapping of the whole segment) and the
 * flag O_RESERVE. Unlike the reference, shared memory names beginning with "/sem." (glibc's
 * semaphore files) are refused with ValueError, as libpipc refuses them. */
%module(package="pipc") posix_ipc

%include "pipc_python.i"
%include "pipc_posix_args.i"

/* keyword arguments for every wrapped function, method and constructor */
%feature("kwargs");
/* ... but not where there is nothing to name: those stay METH_NOARGS */
%feature("kwargs", "0") *::release;
%feature("kwargs", "0") *::close;
%feature("kwargs", "0") *::close_fd;
%feature("kwargs", "0") *::unlink;
%feature("kwargs", "0") *::fileno;
%feature("kwargs", "0") *::__enter__;
%feature("kwargs", "0") *::__str__;
%feature("kwargs", "0") *::__repr__;
/* __str__/__repr__ written with %extend become the type's tp_str/tp_repr slots */
%feature("python:slot", "tp_str", functype="reprfunc") *::__str__;
%feature("python:slot", "tp_repr", functype="reprfunc") *::__repr__;

%{
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>

/* The version of posix_ipc whose API this module implements (VERSION, __version__). */
#define PYPIPC_POSIX_IPC_VERSION "1.3.2"

/* SharedMemory's O_RESERVE (pipc's PIPC_SHM_RESERVE): a bit that no O_* flag of Linux
 * uses, since flags take the OS's O_* values as in the reference. */
#define PYPIPC_O_RESERVE 0x40000000

/* Values read from the running system at import (see %init). */
static unsigned long long pypipc_prio_max = 31;
static long long pypipc_mq_msgs_default = 10;
static long long pypipc_mq_size_default = 8192;

/* ---------------- arguments ---------------- */

/* A message priority: an integer from 0 to QUEUE_PRIORITY_MAX. */
typedef unsigned int pypipc_prio;
static int pypipc_prio_from_py(PyObject *o, unsigned int *out) {
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (overflow || v < 0 || (unsigned long long)v > pypipc_prio_max) {
    PyErr_Format(PyExc_ValueError,
                 "The priority must be a positive number no greater than QUEUE_PRIORITY_MAX (%llu)",
                 pypipc_prio_max);
    return -1;
  }
  *out = (unsigned int)v;
  return 0;
}

/* The checks every constructor of the reference makes on flags and name. */
static int pypipc_check_flags(long long flags, int name_is_none) {
  if (!(flags & O_CREAT) && (flags & O_EXCL)) {
    PyErr_SetString(PyExc_ValueError, "O_EXCL must be combined with O_CREAT");
    return -1;
  }
  if (name_is_none && (flags & O_EXCL) != O_EXCL) {
    PyErr_SetString(PyExc_ValueError, "Name can only be None if O_EXCL is set");
    return -1;
  }
  return 0;
}

static PyObject *pypipc_repr_mode(const char *fmt_head, PyObject **name, const char *cname,
                                  long mode, const char *tail) {
  char buf[256];
  PyObject *n = pypipc_name_obj(name, cname), *r;
  if (!n) return NULL;
  snprintf(buf, sizeof buf, "mode=0%lo%s", (unsigned long)mode & 0xffffffffUL, tail ? tail : "");
  r = PyUnicode_FromFormat("%s(\"%U\", %s)", fmt_head, n, buf);
  Py_DECREF(n);
  return r;
}

/* Waiting without the GIL (pypipc_block): another thread may close the object meanwhile.
 * close() closes the handle at once, which ends the wait (the core's promise), and the
 * waiting call raises ExistentialError. A handle is a number that a closed one never
 * matches again, so a call that read it before the close is refused, never misled. */

/* ================= Semaphore ================= */
typedef struct pypipc_psem {
  pipc_sem *h;          /* NULL once closed */
  long mode;
  PyObject *name;       /* str (NULL until first shown), kept after close() as in the reference */
  char *cname;
} pypipc_psem;

static int pypipc_sem_op(void *ctx, int64_t t) { return pipc_sem_acquire((pipc_sem *)ctx, t); }

/* acquire with the GIL held first; release it only to wait */
static int pypipc_psem_wait_acquire(pypipc_psem *s, int64_t timeout) {
  int rc;
  pipc_sem *h = s->h;
  if (!h) return PYPIPC_CLOSED;
  rc = pipc_sem_acquire(h, 0);
  if (rc != PIPC_EAGAIN || timeout == 0) return rc;
  return pypipc_block(pypipc_sem_op, h, timeout);
}

/* ================= SharedMemory ================= */
typedef struct pypipc_pshm {
  pipc_shm *h;          /* NULL once close()d */
  int fd_closed;        /* close_fd() ran: the handle has no descriptor */
  long mode;
  int read_only;
  PyObject *name;
  char *cname;          /* what unlink() removes */
  void *map;            /* the mapping memoryviews export (NULL: none) */
  size_t map_len;
  Py_ssize_t exports;   /* buffer views alive */
} pypipc_pshm;

static char pypipc_empty_buffer[1];

static pypipc_pshm *pypipc_pshm_of(PyObject *o) {
  return (pypipc_pshm *)((SwigPyObject *)o)->ptr;
}

/* memoryview(shm): a view of the whole segment, mapped (again, if its size changed) when
 * no view is alive. Read-only handles give read-only views. */
static int pypipc_pshm_getbuffer(PyObject *o, Py_buffer *view, int flags) {
  pypipc_pshm *m = pypipc_pshm_of(o);
  if (!m || !m->h) {
    view->obj = NULL;
    PyErr_SetString(pypipc_ExistentialError, "The shared memory has been closed");
    return -1;
  }
  if (m->exports == 0) {
    uint64_t size = 0;
    int rc = pipc_shm_size(&size, m->h);
    if (rc == PIPC_EBADHANDLE && m->map) {
      size = m->map_len;                 /* descriptor closed: the mapping stays usable */
    } else if (rc == PIPC_EBADHANDLE) {
      view->obj = NULL;
      PyErr_SetString(pypipc_ExistentialError,
                      "The descriptor was closed before the segment was mapped");
      return -1;
    } else if (rc < 0) {
      view->obj = NULL; pypipc_raise(rc); return -1;
    }
    if (size > (uint64_t)PY_SSIZE_T_MAX) {
      view->obj = NULL;
      PyErr_SetString(PyExc_OverflowError, "the segment is larger than a memoryview can be");
      return -1;
    }
    if (!m->map || size != m->map_len) {
      void *addr = NULL;
      if (m->map) { pipc_shm_unmap(m->h, m->map); m->map = NULL; m->map_len = 0; }
      if (size) {
        rc = pipc_shm_map(&addr, m->h, 0, size, m->read_only ? PIPC_MAP_READ_ONLY : 0);
        if (rc < 0) { view->obj = NULL; pypipc_raise(rc); return -1; }
        m->map = addr; m->map_len = (size_t)size;
      }
    }
  }
  if (PyBuffer_FillInfo(view, o, m->map ? m->map : (void *)pypipc_empty_buffer,
                        (Py_ssize_t)m->map_len, m->read_only, flags) < 0)
    return -1;
  m->exports++;
  return 0;
}

static void pypipc_pshm_releasebuffer(PyObject *o, Py_buffer *view) {
  pypipc_pshm *m = pypipc_pshm_of(o);
  (void)view;
  if (m && m->exports > 0) m->exports--;
}

/* ================= MessageQueue ================= */
typedef struct pypipc_pmq {
  pipc_mq *h;             /* NULL once closed */
  long mode;
  long long max_messages, max_message_size;
  int can_read, can_write;
  PyObject *name;
  char *cname;            /* what unlink() removes */
  PyObject *spare;        /* a receive buffer (bytes of max_message_size) to reuse */
  unsigned long long notify_id;   /* our thread-notification entry, 0: none */
} pypipc_pmq;

struct pypipc_send_ctx { pipc_mq *h; const void *d; size_t n; unsigned prio; };
static int pypipc_send_op(void *ctx, int64_t t) {
  struct pypipc_send_ctx *c = (struct pypipc_send_ctx *)ctx;
  return pipc_mq_send(c->h, c->d, c->n, c->prio, t);
}
struct pypipc_recv_ctx { pipc_mq *h; void *buf; size_t cap; size_t n; unsigned prio; };
static int pypipc_recv_op(void *ctx, int64_t t) {
  struct pypipc_recv_ctx *c = (struct pypipc_recv_ctx *)ctx;
  return pipc_mq_receive(&c->n, &c->prio, c->h, c->buf, c->cap, t);
}

static PyObject *pypipc_msg_tuple(PyObject *bytes, unsigned prio) {
  PyObject *t, *p;
  if (!bytes) return NULL;
  p = PyLong_FromUnsignedLong(prio);
  t = p ? PyTuple_New(2) : NULL;
  if (!t) { Py_DECREF(bytes); Py_XDECREF(p); return NULL; }
  PyTuple_SET_ITEM(t, 0, bytes);
  PyTuple_SET_ITEM(t, 1, p);
  return t;
}

/* Finishes a receive into B (a bytes of the queue's max_message_size): a message of up to
 * PYPIPC_COPY_MAX bytes (and at most half the buffer) is copied out and B kept as the
 * queue's spare buffer; a larger one is returned in B itself, shrunk to its length. */
#define PYPIPC_COPY_MAX 4096
static PyObject *pypipc_pmq_received(pypipc_pmq *q, PyObject *b, int rc,
                                     struct pypipc_recv_ctx *c) {
  PyObject *msg;
  if (rc < 0 || (c->n <= PYPIPC_COPY_MAX && c->n <= c->cap / 2)) {
    msg = rc < 0 ? NULL : PyBytes_FromStringAndSize((const char *)c->buf, (Py_ssize_t)c->n);
    if (!q->spare && q->h) q->spare = b;   /* keep it, unless closed or another is kept */
    else Py_DECREF(b);
    if (rc < 0) { pypipc_raise(rc); return NULL; }
    return pypipc_msg_tuple(msg, c->prio);
  }
  if ((size_t)PyBytes_GET_SIZE(b) != c->n && _PyBytes_Resize(&b, (Py_ssize_t)c->n) < 0) return NULL;
  return pypipc_msg_tuple(b, c->prio);
}

/* ---- thread notifications ----
 * pipc calls pypipc_notify_fire(id) on a thread of its own when the queue becomes
 * non-empty. The function and its parameter live in pypipc_notify_table under that id,
 * guarded by the GIL, so they stay alive until the notification fires or is cancelled
 * (request_notification, close, or the queue being collected); a notification whose
 * entry is gone calls nothing. */
static PyObject *pypipc_notify_table;      /* {id: (function, param)} */
static unsigned long long pypipc_notify_last;

static void pypipc_notify_drop(unsigned long long id) {   /* GIL held */
  PyObject *k, *v, *et, *ev, *tb;
  if (!id || !pypipc_notify_table) return;
  PyErr_Fetch(&et, &ev, &tb);
  k = PyLong_FromUnsignedLongLong(id);
  v = k ? PyDict_GetItemWithError(pypipc_notify_table, k) : NULL;
  if (v) {
    Py_INCREF(v);
    if (PyDict_DelItem(pypipc_notify_table, k) < 0) PyErr_Clear();
    Py_DECREF(v);
  }
  Py_XDECREF(k);
  PyErr_Clear();
  PyErr_Restore(et, ev, tb);
}

static int pypipc_finalizing(void) {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing();
#else
  return _Py_IsFinalizing();
#endif
}

static void pypipc_notify_fire(void *arg) {               /* pipc's notification thread */
  unsigned long long id = (unsigned long long)(uintptr_t)arg;
  PyGILState_STATE g;
  PyObject *k, *entry;
  if (pypipc_finalizing()) return;
  g = PyGILState_Ensure();
  k = PyLong_FromUnsignedLongLong(id);
  entry = (k && pypipc_notify_table) ? PyDict_GetItemWithError(pypipc_notify_table, k) : NULL;
  if (entry) {
    PyObject *r;
    Py_INCREF(entry);
    if (PyDict_DelItem(pypipc_notify_table, k) < 0) PyErr_Clear();
    r = PyObject_CallOneArg(PyTuple_GET_ITEM(entry, 0), PyTuple_GET_ITEM(entry, 1));
    if (r) Py_DECREF(r);
    else PyErr_WriteUnraisable(PyTuple_GET_ITEM(entry, 0));
    Py_DECREF(entry);
  }
  Py_XDECREF(k);
  if (PyErr_Occurred()) PyErr_WriteUnraisable(NULL);
  PyGILState_Release(g);
}

/* Cancels this queue's registration (if the process has one through it). */
static void pypipc_pmq_cancel(pypipc_pmq *q) {
  if (q->h) pipc_mq_notify_cancel(q->h);   /* only fails when nothing is registered */
  pypipc_notify_drop(q->notify_id);
  q->notify_id = 0;
}
%}

/* the Python object itself, for __enter__ (in a -builtin wrapper `self` is the object) */
%typemap(in, numinputs=0) PyObject *pyself { $1 = self; }

/* timeout=None: posix_ipc's rules (above) */
/* priority=0 */
%typemap(in) pypipc_prio { if (pypipc_prio_from_py($input, &$1) < 0) SWIG_fail; }
%typemap(default) pypipc_prio { $1 = 0; }

%apply (const void *data, size_t len) { (const void *message, size_t message_len) };

/* ================= Semaphore ================= */
%rename(Semaphore) pypipc_psem;
%nodefaultctor pypipc_psem;
%feature("python:tp_init", "pypipc_psem_init") pypipc_psem;
PYPIPC_FAST_SELF(pypipc_psem)
typedef struct pypipc_psem {} pypipc_psem;

%{
/* Semaphore(name, flags=0, mode=0o600, initial_value=0) */
static void *pypipc_psem_open(PyObject *const *args) {
  PyObject *name = args[0], *flags = args[1], *mode = args[2], *initial_value = args[3];
  pypipc_psem *s;
  pipc_sem_options o = PIPC_SEM_OPTIONS_INIT;
  long long fl, md, iv;
  char *cname = NULL;
  PyObject *pyname = NULL;
  int rc;
  if (pypipc_int_arg(flags, "flags", INT_MIN, INT_MAX, 0, &fl) < 0 ||
      pypipc_int_arg(mode, "mode", INT_MIN, INT_MAX, 0600, &md) < 0 ||
      pypipc_int_arg(initial_value, "initial_value", 0, UINT_MAX, 0, &iv) < 0 ||
      pypipc_name_arg(name, &cname, &pyname) < 0)
    return NULL;
  if (pypipc_check_flags(fl, name == Py_None) < 0) goto fail;
  o.flags = pypipc_posix_flags(fl) & PIPC_CREX;      /* sem_open ignores O_TRUNC */
  o.mode = (uint32_t)md & 07777u;
  o.initial_value = (uint32_t)iv;
  s = (pypipc_psem *)PyMem_Calloc(1, sizeof *s);
  if (!s) { PyErr_NoMemory(); goto fail; }
  rc = pipc_sem_open(&s->h, cname, &o);
  if (rc < 0) { PyMem_Free(s); pypipc_raise(rc); goto fail; }
  if (!pyname && !(cname = pypipc_name_copy(pipc_sem_name(s->h)))) {
    pipc_sem_unlink(s->h); pipc_sem_close(s->h); PyMem_Free(s); goto fail;
  }
  s->name = pyname;
  s->cname = cname;
  s->mode = (long)md;
  return s;
fail:
  PyMem_Free(cname);
  Py_XDECREF(pyname);
  return NULL;
}
static int pypipc_psem_init(PyObject *self, PyObject *args, PyObject *kwargs) {
  static const char *const names[] = {"name", "flags", "mode", "initial_value", NULL};
  return pypipc_init(self, args, kwargs, names, 1, pypipc_psem_open, SWIGTYPE_p_pypipc_psem);
}
%}

%extend pypipc_psem {
  ~pypipc_psem() {
    pipc_sem_close($self->h);
    Py_XDECREF($self->name);
    PyMem_Free($self->cname);
    PyMem_Free($self);
  }

  /* acquire(timeout=None) */
  pypipc_rc acquire(pypipc_timeout timeout) { return pypipc_psem_wait_acquire($self, timeout); }
  pypipc_rc release() {
    if (!$self->h) return PYPIPC_CLOSED;
    return pipc_sem_release($self->h);
  }
  pypipc_rc close() {
    pipc_sem *h = $self->h;
    if (!h) return PYPIPC_CLOSED;
    $self->h = NULL;
    return pipc_sem_close(h);   /* ends the waits of other threads on it */
  }
  pypipc_rc unlink() {
    if (!$self->h) return PYPIPC_CLOSED;
    return pipc_sem_unlink($self->h);
  }

  /* context manager: acquire on entry (waiting as long as it takes), release on exit */
  PyObject *__enter__(PyObject *pyself) {
    int rc = pypipc_psem_wait_acquire($self, PIPC_BINDING_FOREVER);
    if (rc < 0) { pypipc_raise(rc); return NULL; }
    Py_INCREF(pyself);
    return pyself;
  }
  pypipc_rc __exit__(PyObject *exc_type = NULL, PyObject *exc_value = NULL,
                     PyObject *traceback = NULL) {
    if (!$self->h) return PYPIPC_CLOSED;
    return pipc_sem_release($self->h);
  }

  PyObject *__str__() { return pypipc_name_obj(&$self->name, $self->cname); }
  PyObject *__repr__() {
    return pypipc_repr_mode("posix_ipc.Semaphore", &$self->name, $self->cname, $self->mode, NULL);
  }

  /* read-only attributes (getter only) */
  %immutable;
  PyObject *name;
  PyObject *value;
  long mode;
  %mutable;
}

%{
static PyObject *pypipc_psem_name_get(pypipc_psem *s) { return pypipc_name_obj(&s->name, s->cname); }
static PyObject *pypipc_psem_value_get(pypipc_psem *s) {
  int v, rc;
  if (!s->h) { PyErr_SetString(pypipc_ExistentialError, "The semaphore has been closed"); return NULL; }
  rc = pipc_sem_value(&v, s->h);
  if (rc == PIPC_ENOTSUP) {
    PyErr_SetString(PyExc_AttributeError, "this platform has no sem_getvalue(): no Semaphore.value");
    return NULL;
  }
  if (rc < 0) { pypipc_raise(rc); return NULL; }
  return PyLong_FromLong(v);
}
static long pypipc_psem_mode_get(pypipc_psem *s) { return s->mode; }
%}

/* ================= SharedMemory ================= */
%rename(SharedMemory) pypipc_pshm;
%nodefaultctor pypipc_pshm;
%feature("python:tp_init", "pypipc_pshm_init") pypipc_pshm;
PYPIPC_FAST_SELF(pypipc_pshm)
%feature("python:bf_getbuffer", "pypipc_pshm_getbuffer") pypipc_pshm;
%feature("python:bf_releasebuffer", "pypipc_pshm_releasebuffer") pypipc_pshm;
typedef struct pypipc_pshm {} pypipc_pshm;

%{
/* SharedMemory(name, flags=0, mode=0o600, size=0, read_only=False) */
static void *pypipc_pshm_open(PyObject *const *args) {
  PyObject *name = args[0], *flags = args[1], *mode = args[2], *size = args[3],
           *read_only = args[4];
  pypipc_pshm *m;
  pipc_shm_options o = PIPC_SHM_OPTIONS_INIT;
  long long fl, md, sz;
  int ro = 0, rc;
  char *cname = NULL;
  PyObject *pyname = NULL;
  if (pypipc_int_arg(flags, "flags", INT_MIN, UINT_MAX, 0, &fl) < 0 ||
      pypipc_int_arg(mode, "mode", INT_MIN, INT_MAX, 0600, &md) < 0 ||
      pypipc_int_arg(size, "size", 0, LLONG_MAX, 0, &sz) < 0)
    return NULL;
  if (read_only && (ro = PyObject_IsTrue(read_only)) < 0) return NULL;
  if (pypipc_name_arg(name, &cname, &pyname) < 0) return NULL;
  if (pypipc_check_flags(fl, name == Py_None) < 0) goto fail;
  o.flags = pypipc_posix_flags(fl);
  if (fl & PYPIPC_O_RESERVE) o.flags |= PIPC_SHM_RESERVE;
  o.mode = (uint32_t)md & 07777u;
  o.access = ro ? PIPC_READ : PIPC_READ_WRITE;
  /* A read-only handle cannot size the segment: open it as it is and compare, so that
   * a size that differs is the reference's ValueError and never changes, truncates or
   * removes a segment that was there before. */
  o.size = ro ? 0 : (uint64_t)sz;
  m = (pypipc_pshm *)PyMem_Calloc(1, sizeof *m);
  if (!m) { PyErr_NoMemory(); goto fail; }
  rc = pipc_shm_open(&m->h, cname, &o);
  if (rc < 0) { PyMem_Free(m); pypipc_raise(rc); goto fail; }
  if (ro && sz) {
    uint64_t actual = 0;
    rc = pipc_shm_size(&actual, m->h);
    if (rc < 0 || actual != (uint64_t)sz) {
      if (rc < 0) pypipc_raise(rc);
      else PyErr_Format(PyExc_ValueError,
                        "The size is invalid or the memory is read-only: a read-only handle "
                        "cannot make the segment of %llu bytes %llu bytes",
                        (unsigned long long)actual, (unsigned long long)sz);
      if (pipc_shm_created(m->h) == 1) pipc_shm_unlink(m->h);   /* only what we made */
      pipc_shm_close(m->h); PyMem_Free(m); goto fail;
    }
  }
  if (!pyname && !(cname = pypipc_name_copy(pipc_shm_name(m->h)))) {
    pipc_shm_unlink(m->h); pipc_shm_close(m->h); PyMem_Free(m); goto fail;
  }
  m->name = pyname;
  m->cname = cname;
  m->mode = (long)md;
  m->read_only = ro;
  return m;
fail:
  PyMem_Free(cname);
  Py_XDECREF(pyname);
  return NULL;
}
static int pypipc_pshm_init(PyObject *self, PyObject *args, PyObject *kwargs) {
  static const char *const names[] = {"name", "flags", "mode", "size", "read_only", NULL};
  return pypipc_init(self, args, kwargs, names, 1, pypipc_pshm_open, SWIGTYPE_p_pypipc_pshm);
}
%}

%extend pypipc_pshm {
  ~pypipc_pshm() {
    if ($self->h) {
      if ($self->map) pipc_shm_unmap($self->h, $self->map);
      /* As in posix_ipc, collecting the object does not close a descriptor the program
       * has not closed (close_fd() is documented as os.close(fd), so the number may
       * already belong to another file); close() or close_fd() releases it. */
      if ($self->fd_closed) pipc_shm_close($self->h);
    }
    Py_XDECREF($self->name);
    PyMem_Free($self->cname);
    PyMem_Free($self);
  }

  /* close_fd(): closes the descriptor only (mappings and memoryviews stay valid) */
  pypipc_rc close_fd() {
    if (!$self->h || $self->fd_closed) return PIPC_OK;   /* already closed */
    $self->fd_closed = 1;
    return pipc_shm_close_fd($self->h);
  }
  /* close(): closes the descriptor and unmaps; BufferError while a memoryview is alive */
  pypipc_rc close() {
    int rc;
    if (!$self->h) return PIPC_OK;
    if ($self->exports > 0) {
      PyErr_Format(PyExc_BufferError,
                   "cannot close %s: %zd memoryview(s) of the segment are still alive",
                   $self->cname, $self->exports);
      return PYPIPC_PYERR;
    }
    rc = pipc_shm_close($self->h);
    $self->h = NULL; $self->map = NULL; $self->map_len = 0;
    return rc;
  }
  pypipc_rc unlink() { return pipc_shm_unlink_name($self->cname); }
  int fileno() {
    int fd;
    if (!$self->h || $self->fd_closed || pipc_shm_fd(&fd, $self->h) < 0) return -1;
    return fd;
  }

  PyObject *__str__() { return pypipc_name_obj(&$self->name, $self->cname); }
  PyObject *__repr__() {
    return pypipc_repr_mode("posix_ipc.SharedMemory", &$self->name, $self->cname, $self->mode, NULL);
  }

  %immutable;
  PyObject *name;
  int fd;
  PyObject *size;
  long mode;
  %mutable;
}

%{
static PyObject *pypipc_pshm_name_get(pypipc_pshm *m) { return pypipc_name_obj(&m->name, m->cname); }
static int pypipc_pshm_fd_get(pypipc_pshm *m) { return pypipc_pshm_fileno(m); }
static PyObject *pypipc_pshm_size_get(pypipc_pshm *m) {
  uint64_t size;
  int rc;
  if (!m->h) { PyErr_SetString(pypipc_ExistentialError, "The segment does not exist"); return NULL; }
  rc = pipc_shm_size(&size, m->h);
  if (rc == PIPC_EBADHANDLE) { PyErr_SetString(pypipc_ExistentialError, "The segment does not exist"); return NULL; }
  if (rc < 0) { pypipc_raise(rc); return NULL; }
  return PyLong_FromUnsignedLongLong(size);
}
static long pypipc_pshm_mode_get(pypipc_pshm *m) { return m->mode; }
%}

/* ================= MessageQueue ================= */
%rename(MessageQueue) pypipc_pmq;
%nodefaultctor pypipc_pmq;
%feature("python:tp_init", "pypipc_pmq_init") pypipc_pmq;
PYPIPC_FAST_SELF(pypipc_pmq)
typedef struct pypipc_pmq {} pypipc_pmq;

%{
/* MessageQueue(name, flags=0, mode=0o600, max_messages=QUEUE_MESSAGES_MAX_DEFAULT,
 *              max_message_size=QUEUE_MESSAGE_SIZE_MAX_DEFAULT, read=True, write=True) */
static void *pypipc_pmq_open(PyObject *const *args) {
  PyObject *name = args[0], *flags = args[1], *mode = args[2], *max_messages = args[3],
           *max_message_size = args[4], *read = args[5], *write = args[6];
  pypipc_pmq *q;
  pipc_mq_options o = PIPC_MQ_OPTIONS_INIT;
  long long fl, md, mm, ms;
  int rd = 1, wr = 1, rc;
  int64_t v;
  char *cname = NULL;
  PyObject *pyname = NULL;
  if (pypipc_int_arg(flags, "flags", INT_MIN, UINT_MAX, 0, &fl) < 0 ||
      pypipc_int_arg(mode, "mode", INT_MIN, INT_MAX, 0600, &md) < 0 ||
      pypipc_int_arg(max_messages, "max_messages", LONG_MIN, LONG_MAX, pypipc_mq_msgs_default, &mm) < 0 ||
      pypipc_int_arg(max_message_size, "max_message_size", LONG_MIN, LONG_MAX, pypipc_mq_size_default, &ms) < 0)
    return NULL;
  if (read && (rd = PyObject_IsTrue(read)) < 0) return NULL;
  if (write && (wr = PyObject_IsTrue(write)) < 0) return NULL;
  if (pypipc_name_arg(name, &cname, &pyname) < 0) return NULL;
  if (pypipc_check_flags(fl, name == Py_None) < 0) goto fail;
  if (!rd && !wr) {
    PyErr_SetString(PyExc_ValueError, "At least one of read or write must be True");
    goto fail;
  }
  if ((fl & O_CREAT) && (mm <= 0 || ms <= 0)) {
    PyErr_Format(PyExc_ValueError, "Invalid parameter(s): max_messages (%lld) and "
                 "max_message_size (%lld) must be > 0", mm, ms);
    goto fail;
  }
  o.flags = pypipc_posix_flags(fl) & ~PIPC_TRUNC;
  if (fl & O_NONBLOCK) o.flags |= PIPC_NONBLOCK;
  o.mode = (uint32_t)md & 07777u;
  o.access = (rd ? PIPC_READ : 0) | (wr ? PIPC_WRITE : 0);
  o.max_messages = mm;
  o.max_message_size = ms;
  q = (pypipc_pmq *)PyMem_Calloc(1, sizeof *q);
  if (!q) { PyErr_NoMemory(); goto fail; }
  rc = pipc_mq_open(&q->h, cname, &o);
  if (rc == PIPC_ELIMIT && pipc_last_errno() == EINVAL) {
    /* the reference's ValueError: more or larger messages than the system allows */
    PyErr_Format(PyExc_ValueError, "Invalid parameter(s): %s", pipc_last_message());
    PyMem_Free(q); goto fail;
  }
  if (rc < 0) { PyMem_Free(q); pypipc_raise(rc); goto fail; }
  if ((rc = pipc_mq_max_message_size(&v, q->h)) >= 0) {
    q->max_message_size = v;
    rc = pipc_mq_max_messages(&v, q->h);
    q->max_messages = v;
  }
  if (rc >= 0 && !pyname && !(cname = pypipc_name_copy(pipc_mq_name(q->h)))) {
    pipc_mq_unlink(q->h); pipc_mq_close(q->h); PyMem_Free(q); goto fail;
  }
  if (rc < 0) { pypipc_raise(rc); pipc_mq_close(q->h); PyMem_Free(q); goto fail; }
  q->name = pyname;
  q->cname = cname;
  q->mode = (long)md;
  q->can_read = rd;
  q->can_write = wr;
  return q;
fail:
  PyMem_Free(cname);
  Py_XDECREF(pyname);
  return NULL;
}
static int pypipc_pmq_init(PyObject *self, PyObject *args, PyObject *kwargs) {
  static const char *const names[] = {"name", "flags", "mode", "max_messages", "max_message_size", "read", "write", NULL};
  return pypipc_init(self, args, kwargs, names, 1, pypipc_pmq_open, SWIGTYPE_p_pypipc_pmq);
}
%}

%extend pypipc_pmq {
  ~pypipc_pmq() {
    /* closing drops a pending notification: the kernel forgets the registration, pipc
     * its entry, and we the function and parameter */
    pipc_mq_close($self->h);
    pypipc_notify_drop($self->notify_id);
    Py_XDECREF($self->name);
    PyMem_Free($self->cname);
    Py_XDECREF($self->spare);
    PyMem_Free($self);
  }

  /* send(message, timeout=None, priority=0): try with the GIL held, wait without it */
  pypipc_rc send(const void *message, size_t message_len, pypipc_timeout timeout,
                 pypipc_prio priority) {
    struct pypipc_send_ctx c;
    int rc;
    pipc_mq *h = $self->h;
    if (!h) return PYPIPC_CLOSED;
    if (!$self->can_write) {
      PyErr_SetString(pypipc_PermissionsError, "The queue is not open for writing");
      return PYPIPC_PYERR;
    }
    if ((long long)message_len > $self->max_message_size) {
      PyErr_Format(PyExc_ValueError, "The message must be no longer than %lld bytes "
                   "(max_message_size); it is %zu", $self->max_message_size, message_len);
      return PYPIPC_PYERR;
    }
    rc = pipc_mq_send(h, message, message_len, priority, 0);
    if (rc != PIPC_EAGAIN || timeout == 0) return rc;
    c.h = h; c.d = message; c.n = message_len; c.prio = priority;
    return pypipc_block(pypipc_send_op, &c, timeout);
  }

  /* receive(timeout=None) -> (bytes, priority). The message is received into a bytes
   * object of max_message_size: a large message is returned in it (shrunk), a small one
   * is copied out and the buffer kept for the next receive. */
  PyObject *receive(pypipc_timeout timeout) {
    struct pypipc_recv_ctx c;
    PyObject *b;
    size_t cap = (size_t)$self->max_message_size;
    int rc;
    pipc_mq *h = $self->h;
    if (!h) { pypipc_raise(PYPIPC_CLOSED); return NULL; }
    if (!$self->can_read) {
      PyErr_SetString(pypipc_PermissionsError, "The queue is not open for reading");
      return NULL;
    }
    b = $self->spare;             /* ours alone while we hold it: no other call can use it */
    $self->spare = NULL;
    if (!b && !(b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)cap))) return NULL;
    c.h = h; c.buf = PyBytes_AS_STRING(b); c.cap = cap; c.n = 0; c.prio = 0;
    rc = pipc_mq_receive(&c.n, &c.prio, h, c.buf, cap, 0);
    if (rc == PIPC_EAGAIN && timeout != 0) rc = pypipc_block(pypipc_recv_op, &c, timeout);
    return pypipc_pmq_received($self, b, rc, &c);
  }

  /* request_notification(notification=None): None cancels; an int is a signal number;
   * (function, param) calls function(param) on a new thread. */
  pypipc_rc request_notification(PyObject *notification = NULL) {
    PyObject *fn = NULL, *param = NULL, *entry, *key;
    long long signo = 0;
    unsigned long long id;
    int rc, ok = 1;
    if (!$self->h) return PYPIPC_CLOSED;
    if (!notification || notification == Py_None) {
      /* cancel */
    } else if (PyLong_Check(notification)) {
      int overflow = 0;
      signo = PyLong_AsLongLongAndOverflow(notification, &overflow);
      if (signo == -1 && PyErr_Occurred()) return PYPIPC_PYERR;
      if (overflow || signo < INT_MIN || signo > INT_MAX) {
        PyErr_Format(PyExc_ValueError, "%S is not a signal number", notification);
        return PYPIPC_PYERR;
      }
    } else if (PyTuple_Check(notification) && PyTuple_GET_SIZE(notification) == 2) {
      fn = PyTuple_GET_ITEM(notification, 0);
      param = PyTuple_GET_ITEM(notification, 1);
      if (!PyCallable_Check(fn)) ok = 0;
    } else {
      ok = 0;
    }
    if (!ok) {
      PyErr_SetString(PyExc_ValueError,
                      "The notification must be None, an integer, or a tuple of (function, parameter)");
      return PYPIPC_PYERR;
    }
    pypipc_pmq_cancel($self);
    if (!notification || notification == Py_None) return PIPC_OK;
    if (!fn) return pipc_mq_notify_signal($self->h, (int)signo);
    entry = PyTuple_Pack(2, fn, param);
    if (!entry) return PYPIPC_PYERR;
    id = ++pypipc_notify_last;
    key = PyLong_FromUnsignedLongLong(id);
    if (!key || PyDict_SetItem(pypipc_notify_table, key, entry) < 0) {
      Py_XDECREF(key); Py_DECREF(entry); return PYPIPC_PYERR;
    }
    Py_DECREF(key); Py_DECREF(entry);
    $self->notify_id = id;
    rc = pipc_mq_notify_callback($self->h, pypipc_notify_fire, (void *)(uintptr_t)id);
    if (rc < 0) { pypipc_notify_drop(id); $self->notify_id = 0; }
    return rc;
  }

  pypipc_rc close() {
    pipc_mq *h = $self->h;
    if (!h) return PYPIPC_CLOSED;
    pypipc_notify_drop($self->notify_id);   /* the close drops the registration */
    $self->notify_id = 0;
    $self->h = NULL;
    Py_CLEAR($self->spare);
    return pipc_mq_close(h);    /* ends the waits of other threads on it */
  }
  pypipc_rc unlink() { return pipc_mq_unlink_name($self->cname); }
  int fileno() {
    int fd;
    if (!$self->h || pipc_mq_fd(&fd, $self->h) < 0) return -1;
    return fd;
  }

  PyObject *__str__() { return pypipc_name_obj(&$self->name, $self->cname); }
  PyObject *__repr__() {
    char tail[160];
    snprintf(tail, sizeof tail, ", max_message_size=%lld, max_messages=%lld, read=%s, write=%s",
             $self->max_message_size, $self->max_messages, $self->can_read ? "True" : "False",
             $self->can_write ? "True" : "False");
    return pypipc_repr_mode("posix_ipc.MessageQueue", &$self->name, $self->cname, $self->mode, tail);
  }

  %immutable;
  PyObject *name;
  int mqd;
  PyObject *block;      /* settable: its setter is installed in %init */
  long long max_messages;
  long long max_message_size;
  PyObject *current_messages;
  long mode;
  %mutable;
}

%{
static PyObject *pypipc_pmq_name_get(pypipc_pmq *q) { return pypipc_name_obj(&q->name, q->cname); }
static int pypipc_pmq_mqd_get(pypipc_pmq *q) { return pypipc_pmq_fileno(q); }
static PyObject *pypipc_pmq_block_get(pypipc_pmq *q) {
  int b, rc;
  if (!q->h) { PyErr_SetString(pypipc_ExistentialError, "The queue does not exist"); return NULL; }
  rc = pipc_mq_blocking(&b, q->h);
  if (rc < 0) { pypipc_raise(rc); return NULL; }
  return PyBool_FromLong(b);
}
static int pypipc_pmq_block_setter(PyObject *o, PyObject *value, void *closure) {
  pypipc_pmq *q = (pypipc_pmq *)((SwigPyObject *)o)->ptr;
  int b, rc;
  (void)closure;
  if (!value) { PyErr_SetString(PyExc_AttributeError, "cannot delete the block attribute"); return -1; }
  if (!q || !q->h) { PyErr_SetString(pypipc_ExistentialError, "The queue does not exist"); return -1; }
  if ((b = PyObject_IsTrue(value)) < 0) return -1;
  rc = pipc_mq_set_blocking(q->h, b);
  if (rc < 0) { pypipc_raise(rc); return -1; }
  return 0;
}
static long long pypipc_pmq_max_messages_get(pypipc_pmq *q) { return q->max_messages; }
static long long pypipc_pmq_max_message_size_get(pypipc_pmq *q) { return q->max_message_size; }
static PyObject *pypipc_pmq_current_messages_get(pypipc_pmq *q) {
  int64_t v;
  int rc;
  if (!q->h) { PyErr_SetString(pypipc_ExistentialError, "The queue does not exist"); return NULL; }
  rc = pipc_mq_current_messages(&v, q->h);
  if (rc < 0) { pypipc_raise(rc); return NULL; }
  return PyLong_FromLongLong(v);
}
static long pypipc_pmq_mode_get(pypipc_pmq *q) { return q->mode; }

%}

/* ================= module functions ================= */
%inline %{
static pypipc_rc unlink_semaphore(PyObject *name) { return pypipc_unlink_by_name(name, pipc_sem_unlink_name); }
static pypipc_rc unlink_shared_memory(PyObject *name) { return pypipc_unlink_by_name(name, pipc_shm_unlink_name); }
static pypipc_rc unlink_message_queue(PyObject *name) { return pypipc_unlink_by_name(name, pipc_mq_unlink_name); }
%}

/* ================= docstrings (pipc_python.i's pypipc_doc tables, set in %init) ========= */
%{
#define PYPIPC_TIMEOUT_DOC \
  "timeout: None waits without limit; 0 does not wait; a positive int or float waits up to\n" \
  "that many seconds, on the monotonic clock (changing the system time neither stretches nor\n" \
  "cuts the wait); a negative number raises TypeError.\n"
#define PYPIPC_WAIT_END_DOC \
  "close() from another thread ends the wait at once with ExistentialError. A signal ends\n" \
  "it: an exception its handler raises (KeyboardInterrupt, ...) propagates, otherwise\n" \
  "SignalError is raised."

static const pypipc_doc pypipc_posix_module_docs[] = {
  { "unlink_semaphore", "unlink_semaphore(name)\n--\n\n"
                        "Remove the semaphore NAME (str or bytes) from the system. Processes that\n"
                        "have it open keep using it; it is destroyed when the last one closes it.\n"
                        "Raises ExistentialError when there is none, PermissionsError when the\n"
                        "caller may not remove it." },
  { "unlink_shared_memory", "unlink_shared_memory(name)\n--\n\n"
                            "Remove the shared memory segment NAME (str or bytes); existing\n"
                            "descriptors and mappings stay valid until they are closed. Raises\n"
                            "ExistentialError when there is none, ValueError for a name beginning\n"
                            "with /sem. (glibc's semaphore files)." },
  { "unlink_message_queue", "unlink_message_queue(name)\n--\n\n"
                            "Remove the message queue NAME (str or bytes); processes that have it\n"
                            "open keep using it until they close it. Raises ExistentialError when\n"
                            "there is none." },
  { NULL, NULL } };

static const pypipc_doc pypipc_psem_docs[] = {
  { "", "Semaphore(name, flags=0, mode=0o600, initial_value=0)\n--\n\n"
        "A POSIX named semaphore.\n\n"
        "name: a str or bytes such as \"/jobs\" (a missing leading / is added), or None\n"
        "with O_CREX for a new semaphore under a random unused name (see the name attribute).\n"
        "flags: 0 opens an existing semaphore (ExistentialError if there is none); O_CREAT\n"
        "opens or creates it; O_CREX creates it (ExistentialError if it exists).\n"
        "mode, initial_value: the permission bits and value of a semaphore this call creates.\n\n"
        "Used as a context manager it acquires on entry and releases on exit. Raises\n"
        "ValueError for a name libpipc refuses or an initial_value beyond SEMAPHORE_VALUE_MAX,\n"
        "PermissionsError when the mode does not allow the caller in." },
  { "acquire", "acquire($self, /, timeout=None)\n--\n\n"
               "Wait until the value is above 0, then decrement it.\n\n"
               PYPIPC_TIMEOUT_DOC
               "Raises BusyError when the value stays 0 (timeout 0, or the timeout expired).\n"
               PYPIPC_WAIT_END_DOC },
  { "release", "release($self, /)\n--\n\n"
               "Increment the value, waking one waiter. Raises ValueError when the value is\n"
               "already SEMAPHORE_VALUE_MAX." },
  { "close", "close($self, /)\n--\n\n"
             "End this object's use of the semaphore (it stays in the system: see unlink()).\n"
             "Calls blocked on it in other threads end at once with ExistentialError, as every\n"
             "later call on this object does, a second close() included." },
  { "unlink", "unlink($self, /)\n--\n\n"
              "Remove the semaphore's name from the system; processes that have it open keep\n"
              "using it, and it is destroyed when the last one closes it. The object stays open." },
  { "__enter__", "__enter__($self, /)\n--\n\nAcquire the semaphore, waiting as long as it takes." },
  { "__exit__", "__exit__($self, /, exc_type=None, exc_value=None, traceback=None)\n--\n\n"
                "Release the semaphore." },
  { "name", "The semaphore's name, as given or as chosen for name=None (read-only)." },
  { "value", "The current value (read-only). AttributeError where the platform cannot read it\n"
             "(SEMAPHORE_VALUE_SUPPORTED is False); ExistentialError once closed." },
  { "mode", "The permission bits given to the constructor (read-only)." },
  { NULL, NULL } };

static const pypipc_doc pypipc_pshm_docs[] = {
  { "", "SharedMemory(name, flags=0, mode=0o600, size=0, read_only=False)\n--\n\n"
        "A POSIX shared memory segment.\n\n"
        "name and flags as for Semaphore; O_TRUNC empties an existing segment first, and\n"
        "O_RESERVE (beyond posix_ipc) allocates its pages at once, so that a full /dev/shm\n"
        "raises OSError here rather than SIGBUS at the first touch.\n"
        "size: when > 0, the segment is made that size. read_only: open for reading only; a\n"
        "size that differs from the segment's then raises ValueError and changes nothing.\n\n"
        "Map it with mmap.mmap(shm.fd, shm.size), or use memoryview(shm), a zero-copy view of\n"
        "the whole segment (read-only for a read-only object). Differs from posix_ipc: names\n"
        "beginning with /sem. (glibc's semaphore files) raise ValueError." },
  { "close_fd", "close_fd($self, /)\n--\n\n"
                "Close the descriptor (as os.close(shm.fd)); mappings and memoryviews stay valid.\n"
                "Does nothing when it is already closed." },
  { "close", "close($self, /)\n--\n\n"
             "Close the descriptor and unmap the memoryview mapping (beyond posix_ipc). Raises\n"
             "BufferError while a memoryview of the segment is alive; does nothing once closed." },
  { "unlink", "unlink($self, /)\n--\n\n"
              "Remove the segment's name from the system; descriptors and mappings stay valid\n"
              "until they are closed. Raises ExistentialError when it is already gone." },
  { "fileno", "fileno($self, /)\n--\n\n"
              "Return the descriptor (the fd attribute), -1 once it is closed." },
  { "name", "The segment's name, as given or as chosen for name=None (read-only)." },
  { "fd", "The segment's file descriptor, -1 once closed (read-only)." },
  { "size", "The segment's current size in bytes (read-only). ExistentialError once closed." },
  { "mode", "The permission bits given to the constructor (read-only)." },
  { NULL, NULL } };

static const pypipc_doc pypipc_pmq_docs[] = {
  { "", "MessageQueue(name, flags=0, mode=0o600, max_messages=QUEUE_MESSAGES_MAX_DEFAULT, "
        "max_message_size=QUEUE_MESSAGE_SIZE_MAX_DEFAULT, read=True, write=True)\n--\n\n"
        "A POSIX message queue.\n\n"
        "name and flags as for Semaphore; O_NONBLOCK starts with block False.\n"
        "max_messages, max_message_size: the capacity of a queue this call creates (ValueError\n"
        "beyond the system's limits, /proc/sys/fs/mqueue). read, write: which ends this object\n"
        "opens (at least one).\n\n"
        "fileno() gives a descriptor for select, poll and epoll." },
  { "send", "send($self, /, message, timeout=None, priority=0)\n--\n\n"
            "Queue MESSAGE (a bytes-like object, or a str encoded as UTF-8) with PRIORITY, from\n"
            "0 to QUEUE_PRIORITY_MAX (higher ones are received first).\n\n"
            "When the queue is full:\n"
            PYPIPC_TIMEOUT_DOC
            "With block False the call never waits. Raises BusyError when there is no room in\n"
            "time, ValueError for a message longer than max_message_size or a bad priority,\n"
            "PermissionsError when the object was opened without write.\n"
            PYPIPC_WAIT_END_DOC },
  { "receive", "receive($self, /, timeout=None)\n--\n\n"
               "Take the oldest message of the highest priority and return (message, priority),\n"
               "message as bytes.\n\n"
               "When the queue is empty:\n"
               PYPIPC_TIMEOUT_DOC
               "With block False the call never waits. Raises BusyError when no message comes\n"
               "in time, PermissionsError when the object was opened without read.\n"
               PYPIPC_WAIT_END_DOC },
  { "request_notification", "request_notification($self, /, notification=None)\n--\n\n"
                            "Ask to be told once when the queue goes from empty to non-empty.\n\n"
                            "notification: an int sends that signal to this process; a tuple\n"
                            "(function, param) calls function(param) on a new thread; None cancels\n"
                            "this process's request. One process at a time may ask: another's\n"
                            "request raises BusyError. A request lasts for one notification, and\n"
                            "close() cancels it." },
  { "close", "close($self, /)\n--\n\n"
             "Close this object's descriptor (the queue stays in the system: see unlink()).\n"
             "Calls blocked on it in other threads end at once with ExistentialError, as every\n"
             "later call on this object does, a second close() included." },
  { "unlink", "unlink($self, /)\n--\n\n"
              "Remove the queue's name from the system; processes that have it open keep\n"
              "using it until they close it." },
  { "fileno", "fileno($self, /)\n--\n\n"
              "Return the queue's descriptor (the mqd attribute), -1 once closed." },
  { "name", "The queue's name, as given or as chosen for name=None (read-only)." },
  { "mqd", "The queue's descriptor, -1 once closed (read-only)." },
  { "block", "Whether send() and receive() wait; settable. False: they raise BusyError at\n"
             "once when they would wait." },
  { "max_messages", "How many messages the queue holds at most (read-only)." },
  { "max_message_size", "The longest message the queue takes, in bytes (read-only)." },
  { "current_messages", "How many messages the queue holds now (read-only)." },
  { "mode", "The permission bits given to the constructor (read-only)." },
  { NULL, NULL } };
%}

%init %{
  {
    static const char *const sem_members[] = { "name", "mode", NULL };
    static const char *const shm_members[] = { "name", "fd", "mode", NULL };
    static const char *const mq_members[] = { "name", "max_messages", "max_message_size", "mode", NULL };
    PyObject *mod = m;
    PyTypeObject *tp;
    PyGetSetDef *gs;
    int64_t v;

    pypipc_Error = pypipc_add_exc(mod, "pipc.posix_ipc", "Error", NULL,
                                  "Base class of this module's errors");
    pypipc_SignalError = pypipc_add_exc(mod, "pipc.posix_ipc", "SignalError", pypipc_Error,
                                        "A wait was interrupted by a signal");
    pypipc_PermissionsError = pypipc_add_exc(mod, "pipc.posix_ipc", "PermissionsError", pypipc_Error,
                                             "The object's permissions do not allow this");
    pypipc_ExistentialError = pypipc_add_exc(mod, "pipc.posix_ipc", "ExistentialError", pypipc_Error,
                                             "The object does not exist, already exists, or was closed");
    pypipc_BusyError = pypipc_add_exc(mod, "pipc.posix_ipc", "BusyError", pypipc_Error,
                                      "The call would have to wait, or its timeout expired");
    if (!pypipc_Error || !pypipc_SignalError || !pypipc_PermissionsError ||
        !pypipc_ExistentialError || !pypipc_BusyError)
      return NULL;

    {
      PyObject *doc = PyUnicode_FromString(
          "POSIX semaphores, shared memory and message queues: the posix_ipc 1.3 API on libpipc.");
      if (!doc || PyDict_SetItemString(d, "__doc__", doc) < 0) { Py_XDECREF(doc); return NULL; }
      Py_DECREF(doc);
    }
    pypipc_notify_table = PyDict_New();
    if (!pypipc_notify_table) return NULL;

    /* the OS's flag values, as the reference */
    pypipc_add_open_flags(mod);
    pypipc_add_int(mod, "O_TRUNC", O_TRUNC);
    pypipc_add_int(mod, "O_RDONLY", O_RDONLY);
    pypipc_add_int(mod, "O_WRONLY", O_WRONLY);
    pypipc_add_int(mod, "O_RDWR", O_RDWR);
    pypipc_add_int(mod, "O_NONBLOCK", O_NONBLOCK);
    /* beyond the reference: SharedMemory allocates its pages at once */
    pypipc_add_int(mod, "O_RESERVE", PYPIPC_O_RESERVE);
    /* read from the running system (the reference fixes them when it is built) */
    pypipc_add_int(mod, "PAGE_SIZE", pipc_page_size());
    pypipc_add_int(mod, "SEMAPHORE_VALUE_MAX", pipc_sem_value_max());
    PyModule_AddObject(mod, "SEMAPHORE_TIMEOUT_SUPPORTED", PyBool_FromLong(pipc_has("sem_timedwait")));
    PyModule_AddObject(mod, "SEMAPHORE_VALUE_SUPPORTED", PyBool_FromLong(pipc_has("sem_getvalue")));
    PyModule_AddObject(mod, "MESSAGE_QUEUES_SUPPORTED", PyBool_FromLong(pipc_has("posix_mq")));
    /* a new queue's defaults: the kernel's own (/proc/sys/fs/mqueue/msg_default and
     * msgsize_default), which never exceed the limits a queue may be created with */
    v = pipc_mq_default_max_messages();
    if (v > 0) pypipc_mq_msgs_default = v;
    v = pipc_mq_default_max_message_size();
    if (v > 0) pypipc_mq_size_default = v;
    pypipc_add_int(mod, "QUEUE_MESSAGES_MAX_DEFAULT", pypipc_mq_msgs_default);
    pypipc_add_int(mod, "QUEUE_MESSAGE_SIZE_MAX_DEFAULT", pypipc_mq_size_default);
    v = pipc_mq_priority_max();
    if (v >= 0) pypipc_prio_max = (unsigned long long)v;
    pypipc_add_int(mod, "QUEUE_PRIORITY_MAX", (long long)pypipc_prio_max);
    pypipc_add_int(mod, "USER_SIGNAL_MIN", pipc_signal_min());
    pypipc_add_int(mod, "USER_SIGNAL_MAX", pipc_signal_max());
    PyModule_AddStringConstant(mod, "VERSION", PYPIPC_POSIX_IPC_VERSION);
    PyModule_AddStringConstant(mod, "__version__", PYPIPC_POSIX_IPC_VERSION);

    pypipc_finish_type(pypipc_type_of(SWIGTYPE_p_pypipc_psem), sem_members);
    pypipc_finish_type(pypipc_type_of(SWIGTYPE_p_pypipc_pshm), shm_members);
    tp = pypipc_type_of(SWIGTYPE_p_pypipc_pmq);
    pypipc_finish_type(tp, mq_members);
    for (gs = tp ? tp->tp_getset : NULL; gs && gs->name; ++gs)
      if (strcmp(gs->name, "block") == 0) gs->set = pypipc_pmq_block_setter;
    if (tp) PyType_Modified(tp);
    pypipc_set_method_docs(SwigMethods, pypipc_posix_module_docs);
    pypipc_set_type_docs(pypipc_type_of(SWIGTYPE_p_pypipc_psem), pypipc_psem_docs);
    pypipc_set_type_docs(pypipc_type_of(SWIGTYPE_p_pypipc_pshm), pypipc_pshm_docs);
    pypipc_set_type_docs(tp, pypipc_pmq_docs);
    if (PyErr_Occurred()) return NULL;
#ifdef Py_GIL_DISABLED
    /* free-threaded builds: this module relies on the GIL (per-object state, the
     * notification table), so it asks for it */
    PyUnstable_Module_SetGIL(mod, Py_MOD_GIL_USED);
#endif
    /* the reference module has no __all__: let "import *" see every public name */
    if (PyDict_DelItemString(d, "__all__") < 0) PyErr_Clear();
  }
%}
