/* pipc.channel: libpipc's shared-memory message channel (pipc_channel_*) as Channel, bytes
 * in and bytes out, in the manner of queue.Queue between processes. A SWIG -builtin type:
 * send(), receive() and receive_into() are METH_FASTCALL methods installed in %init (SWIG's
 * keyword parsing would cost more than the channel), each one libpipc call tried with the
 * GIL held, which is released only when the call has to wait. receive() receives into a
 * buffer the object keeps and returns the message in a bytes of its own length: the one
 * allocation a call makes. pipc/__init__.py re-exports Channel as pipc.Channel. */
%module(package="pipc") channel

%include "pipc_python.i"
%include "pipc_posix_args.i"

%feature("kwargs");
%feature("kwargs", "0") *::close;
%feature("kwargs", "0") *::unlink;
%feature("kwargs", "0") *::__repr__;
%feature("python:slot", "tp_repr", functype="reprfunc") *::__repr__;

%{
#include <stdint.h>
#include <pipc/channel.h>

#define PYCHAN_MAX_SLOTS 65536
#define PYCHAN_MAX_MESSAGE (16 * 1024 * 1024)
#define PYCHAN_MAX_SPIN 1000000
/* receive(): a message up to this long (and at most half the buffer) is copied out of the
 * kept buffer; a longer one is returned in the buffer itself, shrunk to its length. */
#define PYCHAN_COPY_MAX 4096

typedef struct pychan {
  pipc_channel *h;                /* NULL once closed */
  PyObject *name;                 /* str (NULL until first shown) */
  char *cname;
  int created;
  uint32_t slots, max_message_size, spin;
  PyObject *spare;                /* a bytes of max_message_size that receive() reuses */
} pychan;

static pychan *pychan_of(PyObject *self) { return (pychan *)((SwigPyObject *)self)->ptr; }

/* The open channel of SELF, or NULL with ExistentialError (closed, or never initialised). */
static pipc_channel *pychan_handle(pychan *c) {
  if (c && c->h) return c->h;
  pypipc_raise(PYPIPC_CLOSED);
  return NULL;
}

/* ---- arguments ---- */

/* A METH_FASTCALL | METH_KEYWORDS call's arguments, by position or by name, into OUT (N
 * slots, NULL-initialised; NULL stays for an argument not given); the first REQUIRED are
 * required. */
static int pychan_args(const char *fn, PyObject *const *args, Py_ssize_t nargs,
                       PyObject *kwnames, const char *const *names, int n, int required,
                       PyObject **out) {
  Py_ssize_t i, keywords = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  int j;
  if (nargs > n) {
    PyErr_Format(PyExc_TypeError, "%s() takes at most %d arguments (%zd given)", fn, n, nargs);
    return -1;
  }
  for (i = 0; i < nargs; ++i) out[i] = args[i];
  for (i = 0; i < keywords; ++i) {
    PyObject *key = PyTuple_GET_ITEM(kwnames, i);
    for (j = 0; j < n && PyUnicode_CompareWithASCIIString(key, names[j]) != 0; ++j) {}
    if (j == n) {
      PyErr_Format(PyExc_TypeError, "'%U' is an invalid keyword argument for %s()", key, fn);
      return -1;
    }
    if (out[j]) {
      PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fn, names[j]);
      return -1;
    }
    out[j] = args[nargs + i];
  }
  for (j = 0; j < required; ++j) {
    if (!out[j]) {
      PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s' (pos %d)", fn,
                   names[j], j + 1);
      return -1;
    }
  }
  return 0;
}

/* Timeouts as queue.Queue's: None (or not given) waits without limit, 0 does not wait, a
 * positive int or float waits up to that many seconds (on CLOCK_MONOTONIC); a negative
 * number is a ValueError, anything else a TypeError. */
static int pychan_timeout_arg(PyObject *o, int64_t *out) {
  if (!o || o == Py_None) { *out = PIPC_BINDING_FOREVER; return 0; }
  if (PyLong_CheckExact(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (overflow < 0 || (!overflow && v < 0)) goto negative;
    *out = overflow ? PIPC_BINDING_FOREVER : pipc_timeout_from_whole_seconds(v);
    return 0;
  }
  if (PyNumber_Check(o) && !PyComplex_Check(o)) {
    double s = PyFloat_AsDouble(o);
    if (s == -1.0 && PyErr_Occurred()) {
      PyErr_Clear();                      /* a huge int: pypipc_timeout_from_py's */
      if (PyLong_Check(o) && PyObject_RichCompareBool(o, Py_False, Py_LT) == 1) goto negative;
    } else if (s < 0) {
      goto negative;
    }
  }
  return pypipc_timeout_from_py(o, out);
negative:
  PyErr_SetString(PyExc_ValueError, "the timeout must be None or a non-negative number");
  return -1;
}

/* ---- opening ---- */

static void pychan_free_fields(pychan *c) {
  if (c->h) pipc_channel_close(c->h);
  c->h = NULL;
  Py_CLEAR(c->name);
  Py_CLEAR(c->spare);
  PyMem_Free(c->cname);
  c->cname = NULL;
}

/* Channel(name=None, flags=0, mode=0o600, slots=64, max_message_size=1024) */
static void *pychan_open(PyObject *const *args) {
  long long fl, md, sl, ms;
  pipc_channel_options o;
  pipc_channel_attributes a;
  pychan *c;
  int rc;
  if (pypipc_int_arg(args[1], "flags", INT_MIN, INT_MAX, 0, &fl) < 0 ||
      pypipc_int_arg(args[2], "mode", INT_MIN, INT_MAX, 0600, &md) < 0 ||
      pypipc_int_arg(args[3], "slots", 1, PYCHAN_MAX_SLOTS, 64, &sl) < 0 ||
      pypipc_int_arg(args[4], "max_message_size", 1, PYCHAN_MAX_MESSAGE, 1024, &ms) < 0)
    return NULL;
  if (sl & (sl - 1)) {
    PyErr_Format(PyExc_ValueError, "slots must be a power of two from 1 to %d; it is %lld",
                 PYCHAN_MAX_SLOTS, sl);
    return NULL;
  }
  c = (pychan *)PyMem_Calloc(1, sizeof *c);
  if (!c) return PyErr_NoMemory();
  if (pypipc_name_arg(args[0] ? args[0] : Py_None, &c->cname, &c->name) < 0) goto fail;
  if (!c->cname) fl = O_CREAT | O_EXCL;     /* a new channel under a random name */
  if ((fl & O_EXCL) && !(fl & O_CREAT)) {
    PyErr_SetString(PyExc_ValueError, "O_EXCL must be combined with O_CREAT");
    goto fail;
  }
  pipc_channel_options_init(&o);
  o.flags = pypipc_posix_flags(fl) & PIPC_CREX;
  o.mode = (uint32_t)md & 07777u;
  o.slots = (uint32_t)sl;
  o.max_message_size = (uint32_t)ms;
  /* without the GIL: opening a channel whose creator has not finished making it waits for
   * that (up to a second, then BusyError) */
  Py_BEGIN_ALLOW_THREADS
  rc = pipc_channel_open(&c->h, c->cname, &o);
  Py_END_ALLOW_THREADS
  if (rc < 0) { pypipc_raise(rc); goto fail; }
  c->created = pipc_channel_created(c->h) == 1;
  if ((rc = pipc_channel_attributes_get(&a, c->h)) < 0) { pypipc_raise(rc); goto undo; }
  c->slots = a.slots;
  c->max_message_size = a.max_message_size;
  if (!c->cname && !(c->cname = pypipc_name_copy(pipc_channel_name(c->h)))) goto undo;
  return c;
undo:
  if (c->created) pipc_channel_unlink(c->h);
fail:
  pychan_free_fields(c);
  PyMem_Free(c);
  return NULL;
}

static int pychan_init(PyObject *self, PyObject *args, PyObject *kwargs) {
  static const char *const names[] = {"name", "flags", "mode", "slots", "max_message_size", NULL};
  return pypipc_init(self, args, kwargs, names, 0, pychan_open, SWIGTYPE_p_pychan);
}

/* ---- sending and receiving ---- */

struct pychan_send_ctx { pipc_channel *h; const void *data; size_t len; };
static int pychan_send_op(void *ctx, int64_t t) {
  struct pychan_send_ctx *s = (struct pychan_send_ctx *)ctx;
  return pipc_channel_send(s->h, s->data, s->len, t);
}

struct pychan_recv_ctx { pipc_channel *h; void *buf; size_t cap; size_t len; };
static int pychan_recv_op(void *ctx, int64_t t) {
  struct pychan_recv_ctx *r = (struct pychan_recv_ctx *)ctx;
  return pipc_channel_receive(&r->len, r->h, r->buf, r->cap, t);
}

/* send(data, timeout=None) */
static PyObject *pychan_send(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames) {
  static const char *const names[] = {"data", "timeout"};
  PyObject *a[2] = {NULL, NULL};
  pychan *c = pychan_of(self);
  struct pychan_send_ctx s;
  int64_t t = PIPC_BINDING_FOREVER;
  Py_buffer view;
  int have_view = 0, rc;
  if (!(s.h = pychan_handle(c))) return NULL;
  if (nargs == 1 && !kwnames) a[0] = args[0];
  else if (pychan_args("send", args, nargs, kwnames, names, 2, 1, a) < 0) return NULL;
  if (a[1] && pychan_timeout_arg(a[1], &t) < 0) return NULL;
  if (PyBytes_CheckExact(a[0])) {
    s.data = PyBytes_AS_STRING(a[0]);
    s.len = (size_t)PyBytes_GET_SIZE(a[0]);
  } else {
    if (PyObject_GetBuffer(a[0], &view, PyBUF_SIMPLE) < 0) return NULL;
    have_view = 1;
    s.data = view.buf;
    s.len = (size_t)view.len;
  }
  if (s.len > c->max_message_size) {
    PyErr_Format(PyExc_ValueError, "the message is %zu bytes, longer than the channel's "
                 "max_message_size (%u)", s.len, (unsigned)c->max_message_size);
    rc = PYPIPC_PYERR;
  } else {
    rc = pipc_channel_send(s.h, s.data, s.len, 0);
    if (rc == PIPC_EAGAIN && t != 0) rc = pypipc_block_on(pychan_send_op, &s, t);
  }
  if (have_view) PyBuffer_Release(&view);
  if (rc < 0) { pypipc_raise(rc); return NULL; }
  Py_RETURN_NONE;
}

/* receive(timeout=None) -> bytes */
static PyObject *pychan_receive(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames) {
  static const char *const names[] = {"timeout"};
  PyObject *a[1] = {NULL}, *b, *msg;
  pychan *c = pychan_of(self);
  struct pychan_recv_ctx r;
  int64_t t = PIPC_BINDING_FOREVER;
  int rc;
  if (!(r.h = pychan_handle(c))) return NULL;
  if (nargs || kwnames) {
    if (pychan_args("receive", args, nargs, kwnames, names, 1, 0, a) < 0 ||
        pychan_timeout_arg(a[0], &t) < 0)
      return NULL;
  }
  r.cap = c->max_message_size;
  b = c->spare;                 /* ours alone while we hold it: no other call can use it */
  c->spare = NULL;
  if (!b && !(b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)r.cap))) return NULL;
  r.buf = PyBytes_AS_STRING(b);
  r.len = 0;
  rc = pipc_channel_receive(&r.len, r.h, r.buf, r.cap, 0);
  if (rc == PIPC_EAGAIN && t != 0) rc = pypipc_block_on(pychan_recv_op, &r, t);
  if (rc < 0 || (r.len <= PYCHAN_COPY_MAX && r.len <= r.cap / 2)) {
    msg = rc < 0 ? NULL : PyBytes_FromStringAndSize((const char *)r.buf, (Py_ssize_t)r.len);
    if (!c->spare && c->h) c->spare = b;  /* kept, unless closed or another one is kept */
    else Py_DECREF(b);
    if (rc < 0) pypipc_raise(rc);
    return msg;
  }
  if ((size_t)PyBytes_GET_SIZE(b) != r.len && _PyBytes_Resize(&b, (Py_ssize_t)r.len) < 0)
    return NULL;
  return b;
}

/* receive_into(buffer, timeout=None) -> int */
static PyObject *pychan_receive_into(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                     PyObject *kwnames) {
  static const char *const names[] = {"buffer", "timeout"};
  PyObject *a[2] = {NULL, NULL};
  pychan *c = pychan_of(self);
  struct pychan_recv_ctx r;
  int64_t t = PIPC_BINDING_FOREVER;
  Py_buffer view;
  int rc;
  if (!(r.h = pychan_handle(c))) return NULL;
  if (nargs == 1 && !kwnames) a[0] = args[0];
  else if (pychan_args("receive_into", args, nargs, kwnames, names, 2, 1, a) < 0) return NULL;
  if (a[1] && pychan_timeout_arg(a[1], &t) < 0) return NULL;
  if (PyObject_GetBuffer(a[0], &view, PyBUF_WRITABLE) < 0) {
    if (PyErr_ExceptionMatches(PyExc_TypeError) || PyErr_ExceptionMatches(PyExc_BufferError)) {
      PyErr_Clear();           /* what getargs' "w*" says, for read-only memoryviews too */
      PyErr_Format(PyExc_TypeError, "receive_into() argument 'buffer' must be read-write "
                   "bytes-like object, not %.200s", Py_TYPE(a[0])->tp_name);
    }
    return NULL;
  }
  r.buf = view.buf;
  r.cap = (size_t)view.len;
  r.len = 0;
  rc = pipc_channel_receive(&r.len, r.h, r.buf, r.cap, 0);
  if (rc == PIPC_EAGAIN && t != 0) rc = pypipc_block_on(pychan_recv_op, &r, t);
  PyBuffer_Release(&view);
  if (rc == PIPC_EMSGSIZE) {
    PyErr_Format(PyExc_ValueError, "the next message is %zu bytes, longer than the buffer "
                 "(%zu bytes); it stays in the channel", r.len, r.cap);
    return NULL;
  }
  if (rc < 0) { pypipc_raise(rc); return NULL; }
  return PyLong_FromSize_t(r.len);
}

/* __enter__: the channel itself; __exit__: close() unless closed already */
static PyObject *pychan_enter(PyObject *self, PyObject *unused) {
  (void)unused;
  if (!pychan_handle(pychan_of(self))) return NULL;
  Py_INCREF(self);
  return self;
}

static int pychan_shut(pychan *c) {
  pipc_channel *h = c->h;
  if (!h) return PYPIPC_CLOSED;
  c->h = NULL;                  /* at once: a wait of another thread ends (EBADHANDLE) */
  Py_CLEAR(c->spare);
  return pipc_channel_close(h);
}

static PyObject *pychan_exit(PyObject *self, PyObject *args) {
  pychan *c = pychan_of(self);
  int rc;
  (void)args;
  if (c && c->h && (rc = pychan_shut(c)) < 0) { pypipc_raise(rc); return NULL; }
  Py_RETURN_NONE;
}

/* the spin property (ns): settable */
static PyObject *pychan_spin_get(PyObject *self, void *closure) {
  pychan *c = pychan_of(self);
  (void)closure;
  if (!pychan_handle(c)) return NULL;
  return PyLong_FromUnsignedLong(c->spin);
}

static int pychan_spin_set(PyObject *self, PyObject *value, void *closure) {
  pychan *c = pychan_of(self);
  long long ns;
  int rc;
  (void)closure;
  if (!value) {
    PyErr_SetString(PyExc_AttributeError, "cannot delete the spin attribute");
    return -1;
  }
  if (!pychan_handle(c)) return -1;
  if (!PyLong_Check(value) && !PyIndex_Check(value)) {
    PyErr_SetString(PyExc_TypeError, "spin must be an int (nanoseconds)");
    return -1;
  }
  if (pypipc_int_arg(value, "spin", 0, PYCHAN_MAX_SPIN, 0, &ns) < 0) return -1;
  if ((rc = pipc_channel_set_spin(c->h, (uint32_t)ns)) < 0) { pypipc_raise(rc); return -1; }
  c->spin = (uint32_t)ns;
  return 0;
}

static PyObject *pychan_repr(pychan *c) {
  PyObject *n = pypipc_name_obj(&c->name, c->cname), *r;
  if (!n) return NULL;
  r = PyUnicode_FromFormat("pipc.Channel(%R)", n);
  Py_DECREF(n);
  return r;
}
%}

/* ================= Channel ================= */
%rename(Channel) pychan;
%nodefaultctor pychan;
%feature("python:tp_init", "pychan_init") pychan;
PYPIPC_FAST_SELF(pychan)
typedef struct pychan {} pychan;

%extend pychan {
  ~pychan() {
    pychan_free_fields($self);
    PyMem_Free($self);
  }
  pypipc_rc close() { return pychan_shut($self); }
  pypipc_rc unlink() { return $self->h ? pipc_channel_unlink($self->h) : PYPIPC_CLOSED; }
  PyObject *__repr__() { return pychan_repr($self); }

  %immutable;
  PyObject *name;
  PyObject *created;
  PyObject *slots;
  PyObject *max_message_size;
  PyObject *messages;
  %mutable;
}

%{
static PyObject *pychan_name_get(pychan *c) { return pypipc_name_obj(&c->name, c->cname); }
static PyObject *pychan_created_get(pychan *c) { return PyBool_FromLong(c->created); }
static PyObject *pychan_slots_get(pychan *c) { return PyLong_FromUnsignedLong(c->slots); }
static PyObject *pychan_max_message_size_get(pychan *c) {
  return PyLong_FromUnsignedLong(c->max_message_size);
}
static PyObject *pychan_messages_get(pychan *c) {
  pipc_channel_attributes a;
  int rc;
  if (!pychan_handle(c)) return NULL;
  if ((rc = pipc_channel_attributes_get(&a, c->h)) < 0) { pypipc_raise(rc); return NULL; }
  return PyLong_FromUnsignedLong(a.messages);
}
%}

/* ================= module functions ================= */
%inline %{
static pypipc_rc unlink_channel(PyObject *name) {
  return pypipc_unlink_by_name(name, pipc_channel_unlink_name);
}
%}

/* ================= docstrings (pipc_python.i's pypipc_doc tables, set in %init) ========= */
%{
#define PYCHAN_TIMEOUT_DOC \
  "timeout: None waits without limit; 0 does not wait; a positive int or float waits up\n" \
  "to that many seconds, on the monotonic clock. BusyError when it would have to wait\n" \
  "(timeout 0) or the time ran out.\n"
#define PYCHAN_WAIT_DOC \
  "The GIL is released only while the call waits. A signal handler runs during the wait;\n" \
  "an exception it raises (KeyboardInterrupt, ...) ends the wait, otherwise the wait goes\n" \
  "on for the time that remains. close() of this object from another thread ends the wait\n" \
  "with ExistentialError."

static const pypipc_doc pychan_module_docs[] = {
  { "unlink_channel", "unlink_channel(name)\n--\n\n"
                      "Remove the channel NAME (str or bytes) from the system; processes that have\n"
                      "it open keep using it. Raises ExistentialError when there is none." },
  { NULL, NULL } };

static const pypipc_doc pychan_docs[] = {
  { "", "Channel(name=None, flags=0, mode=0o600, slots=64, max_message_size=1024)\n--\n\n"
        "A message channel in shared memory that processes (and threads) share: bytes in,\n"
        "bytes out, first in first out per sender, without a system call unless a side has\n"
        "to wait or wake the other. A process killed in the middle of a call never wedges\n"
        "it for the others.\n\n"
        "name: a str or bytes such as \"/jobs\" (a missing leading / is added), or None for\n"
        "a new channel under a random unused name (see the name attribute).\n"
        "flags: 0 opens an existing channel (ExistentialError if there is none); O_CREAT\n"
        "opens or creates it; O_CREX creates it (ExistentialError if it exists).\n"
        "mode: the permission bits of a channel this call creates.\n"
        "slots: a new channel's capacity in messages, a power of two from 1 to 65536.\n"
        "max_message_size: a new channel's largest message in bytes, 1 to 16 MiB.\n"
        "An existing channel keeps its own slots and max_message_size. Opening one whose\n"
        "creator has not finished making it waits for that up to a second (BusyError\n"
        "then); an object that is not a channel of this layout is a ValueError, untouched.\n\n"
        "`with Channel(...) as ch:` closes the channel at the end (it is not unlinked)." },
  { "send", "send($self, /, data, timeout=None)\n--\n\n"
            "Send DATA (bytes or any bytes-like object: the buffer protocol) as one message,\n"
            "waiting for a free slot while the channel is full.\n\n"
            PYCHAN_TIMEOUT_DOC
            "ValueError when DATA is longer than max_message_size.\n" PYCHAN_WAIT_DOC },
  { "receive", "receive($self, /, timeout=None)\n--\n\n"
               "Receive the next message and return it as bytes, waiting for one while the\n"
               "channel is empty.\n\n" PYCHAN_TIMEOUT_DOC PYCHAN_WAIT_DOC },
  { "receive_into", "receive_into($self, /, buffer, timeout=None)\n--\n\n"
                    "Receive the next message into BUFFER (a writable bytes-like object: bytearray,\n"
                    "memoryview, mmap, ...) and return its length in bytes. A message longer than\n"
                    "BUFFER stays in the channel: ValueError (receive it with a larger buffer).\n\n"
                    PYCHAN_TIMEOUT_DOC PYCHAN_WAIT_DOC },
  { "close", "close($self, /)\n--\n\n"
             "End this object's use of the channel (it stays in the system: see unlink()).\n"
             "Calls blocked on it in other threads end with ExistentialError, as every later\n"
             "call on this object does, a second close() included." },
  { "unlink", "unlink($self, /)\n--\n\n"
              "Remove the channel's name from the system; processes that have it open keep\n"
              "using it. The object stays open." },
  { "__enter__", "__enter__($self, /)\n--\n\nReturn the channel." },
  { "__exit__", "__exit__($self, /, exc_type=None, exc_value=None, traceback=None)\n--\n\n"
                "Close the channel (unless it is closed already)." },
  { "name", "The channel's name, as given or as chosen for name=None (read-only)." },
  { "created", "Whether this object created the channel (read-only)." },
  { "slots", "The channel's capacity in messages (read-only)." },
  { "max_message_size", "The channel's largest message in bytes (read-only)." },
  { "messages", "How many messages are in the channel now: a snapshot (read-only)." },
  { "spin", "How long this object's waits spin, in nanoseconds, re-reading the channel\n"
            "before they sleep (settable, 0 to 1000000; 0, the default, sleeps at once).\n"
            "Spinning trades a core's time for latency: it helps only when sender and\n"
            "receiver run on different cores." },
  { NULL, NULL } };

/* Adds the method DEF (documented in DOCS) to TP. */
static void pychan_add_method(PyTypeObject *tp, PyMethodDef *def, const pypipc_doc *docs) {
  PyObject *descr;
  def->ml_doc = pypipc_doc_of(docs, def->ml_name);
  descr = PyDescr_NewMethod(tp, def);
  if (!descr || PyDict_SetItemString(tp->tp_dict, def->ml_name, descr) < 0) PyErr_Clear();
  Py_XDECREF(descr);
}
%}

%init %{
  {
    PyObject *mod = m, *doc, *descr;
    PyTypeObject *tp = pypipc_type_of(SWIGTYPE_p_pychan);
    static PyMethodDef methods[] = {
      {"send", (PyCFunction)(void (*)(void))pychan_send, METH_FASTCALL | METH_KEYWORDS, NULL},
      {"receive", (PyCFunction)(void (*)(void))pychan_receive, METH_FASTCALL | METH_KEYWORDS, NULL},
      {"receive_into", (PyCFunction)(void (*)(void))pychan_receive_into,
       METH_FASTCALL | METH_KEYWORDS, NULL},
      {"__enter__", pychan_enter, METH_NOARGS, NULL},
      {"__exit__", pychan_exit, METH_VARARGS, NULL},
      {NULL, NULL, 0, NULL}};
    static PyGetSetDef spin = {"spin", pychan_spin_get, pychan_spin_set, NULL, NULL};
    PyMethodDef *md;
    pypipc_Error = pypipc_add_exc(mod, "pipc.channel", "Error", NULL,
                                  "Base class of this module's errors");
    pypipc_PermissionsError = pypipc_add_exc(mod, "pipc.channel", "PermissionsError", pypipc_Error,
        "Not permitted by the channel's mode");
    pypipc_ExistentialError = pypipc_add_exc(mod, "pipc.channel", "ExistentialError", pypipc_Error,
        "The channel does not exist, already exists, or this object was closed");
    pypipc_BusyError = pypipc_add_exc(mod, "pipc.channel", "BusyError", pypipc_Error,
        "The call would have had to wait (timeout 0), or its timeout ran out: the channel\n"
        "was full (send) or empty (receive); or the channel opened was never finished by\n"
        "its creator (slow, or dead)");
    if (!pypipc_Error || !pypipc_PermissionsError || !pypipc_ExistentialError ||
        !pypipc_BusyError || !tp)
      return NULL;
    pypipc_SignalError = pypipc_Error;    /* the waits here go on after a signal */
    doc = PyUnicode_FromString(
        "Message channels in shared memory that processes share (libpipc's pipc_channel):\n"
        "Channel, bytes in and bytes out, many times faster than a kernel message queue.\n"
        "pipc.Channel is this module's Channel.");
    if (!doc || PyDict_SetItemString(d, "__doc__", doc) < 0) { Py_XDECREF(doc); return NULL; }
    Py_DECREF(doc);
    pypipc_add_open_flags(mod);
    pypipc_finish_type(tp, NULL);
    pypipc_set_method_docs(SwigMethods, pychan_module_docs);
    pypipc_set_type_docs(tp, pychan_docs);
    for (md = methods; md->ml_name; ++md) pychan_add_method(tp, md, pychan_docs);
    spin.doc = pypipc_doc_of(pychan_docs, "spin");
    descr = PyDescr_NewGetSet(tp, &spin);
    if (!descr || PyDict_SetItemString(tp->tp_dict, "spin", descr) < 0) PyErr_Clear();
    Py_XDECREF(descr);
    PyType_Modified(tp);
    if (PyErr_Occurred()) return NULL;
    /* as pipc.sync, no __all__: "import *" sees every public name */
    if (PyDict_DelItemString(d, "__all__") < 0) PyErr_Clear();
  }
%}
