/* pipc_python.i — what pipc.posix_ipc and pipc.sysv_ipc share.
 * Status -> exception, timeouts, GIL handling, read-only attribute patching. */

%include "pipc_errors.i"
%include "pipc_timeouts.i"

%{
#include <Python.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <pipc.h>

/* Status value meaning "a Python exception is already set". Never a pipc status. */
#define PYPIPC_PYERR INT_MIN
/* Status value meaning "this Python object's handle was closed" (pipc_errors.i). */
#define PYPIPC_CLOSED PIPC_BINDING_CLOSED

typedef int pypipc_rc;          /* %extend methods return this; out typemap raises */
typedef int64_t pypipc_timeout;
typedef const char *pypipc_optname; /* str or None */

/* Per-module exception classes (each .so has its own copies: pipc.posix_ipc.Error is not
 * pipc.sysv_ipc.Error, as with the reference modules). Created in %init. */
static PyObject *pypipc_Error, *pypipc_SignalError, *pypipc_PermissionsError,
                *pypipc_ExistentialError, *pypipc_BusyError, *pypipc_NotAttachedError;
/* pipc.sync's lock states (NULL elsewhere: the module's Error) */
static PyObject *pypipc_OwnerDeadError, *pypipc_NotRecoverableError;

static void pypipc_raise(int st) {
  PyObject *cls;
  const char *detail;
  if (st == PYPIPC_PYERR) return;              /* already set */
  if (st == PYPIPC_CLOSED) {
    PyErr_SetString(pypipc_ExistentialError, "The object has been closed");
    return;
  }
  switch (pipc_error_class_of(st)) {
    case PIPC_CLASS_EXISTENTIAL: cls = pypipc_ExistentialError; break;
    case PIPC_CLASS_PERMISSIONS: cls = pypipc_PermissionsError; break;
    case PIPC_CLASS_BUSY: cls = pypipc_BusyError; break;
    case PIPC_CLASS_SIGNAL: cls = pypipc_SignalError; break;
    case PIPC_CLASS_VALUE: cls = PyExc_ValueError; break;
    case PIPC_CLASS_UNSUPPORTED: cls = PyExc_NotImplementedError; break;
    case PIPC_CLASS_MEMORY: cls = PyExc_MemoryError; break;
    case PIPC_CLASS_NOT_ATTACHED:
      cls = pypipc_NotAttachedError ? pypipc_NotAttachedError : pypipc_Error;
      break;
    case PIPC_CLASS_OWNER_DEAD:
      cls = pypipc_OwnerDeadError ? pypipc_OwnerDeadError : pypipc_Error;
      break;
    case PIPC_CLASS_NOT_RECOVERABLE:
      cls = pypipc_NotRecoverableError ? pypipc_NotRecoverableError : pypipc_Error;
      break;
    default: cls = PyExc_OSError; break;
  }
  detail = pipc_last_message();                /* same thread, same native call */
  if (detail && *detail)
    PyErr_Format(cls, "%s: %s", pipc_strerror(st), detail);
  else
    PyErr_SetString(cls, pipc_strerror(st));
}

/* Timeouts as both references take them: None (forever), or an int or float >= 0 in seconds;
 * anything else, negative numbers included, is their TypeError. Kept on CLOCK_MONOTONIC. */
static int pypipc_timeout_from_py(PyObject *o, int64_t *out) {
  double s;
  if (o == Py_None) { *out = PIPC_BINDING_FOREVER; return 0; }
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (overflow > 0) { *out = PIPC_BINDING_FOREVER; return 0; }   /* v is -1 then */
    if (overflow < 0 || v < 0) goto bad;
    *out = pipc_timeout_from_whole_seconds(v);
    return 0;
  }
  if (PyFloat_Check(o)) {
    s = PyFloat_AS_DOUBLE(o);
  } else {
    if (!PyNumber_Check(o) || PyComplex_Check(o)) goto bad;
    s = PyFloat_AsDouble(o);
    if (s == -1.0 && PyErr_Occurred()) { PyErr_Clear(); goto bad; }
  }
  if (isnan(s)) { PyErr_SetString(PyExc_ValueError, "The timeout must not be NaN"); return -1; }
  if (s < 0) goto bad;
  *out = pipc_timeout_from_seconds(s);
  return 0;
bad:
  PyErr_SetString(PyExc_TypeError, "The timeout must be None or a non-negative number");
  return -1;
}

/* The blocking part of a call that already failed with PIPC_EAGAIN when tried with the GIL
 * held: OP runs with the GIL released. close() from another thread meanwhile ends the
 * wait: the call raises ExistentialError, as every later call on the closed object.
 * A signal ends the wait as in posix_ipc and sysv_ipc: the handlers run at once; if one
 * raised (KeyboardInterrupt, ...), that exception propagates, otherwise the call raises
 * SignalError. */
typedef int (*pypipc_op)(void *ctx, int64_t timeout_ns);
static int pypipc_block(pypipc_op op, void *ctx, int64_t timeout_ns) {
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = op(ctx, timeout_ns);
  Py_END_ALLOW_THREADS
  if (rc == PIPC_EINTR && PyErr_CheckSignals() < 0) return PYPIPC_PYERR;
  return pipc_binding_wait_status(rc);
}

/* pypipc_block as threading's waits end (PEP 475), for pipc's own modules (pipc.sync): a
 * signal whose handler raises ends the wait with that exception; after any other signal
 * the wait goes on for the time that remains (on CLOCK_MONOTONIC). */
static int64_t pypipc_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static int pypipc_block_on(pypipc_op op, void *ctx, int64_t timeout_ns) {
  const int64_t end = timeout_ns > 0 ? pypipc_monotonic_ns() + timeout_ns : 0;
  int rc;
  while ((rc = pypipc_block(op, ctx, timeout_ns)) == PIPC_EINTR) {
    if (timeout_ns > 0 && (timeout_ns = end - pypipc_monotonic_ns()) <= 0) timeout_ns = 0;
  }
  return rc;
}

/* Read-only attributes.
 * A getter-only attribute (%immutable in %extend) already gets a NULL setter from SWIG
 * -builtin, so CPython's getset_set says
 *   AttributeError: attribute 'key' of 'pipc.sysv_ipc.SharedMemory' objects is not writable
 * sysv_ipc's 'id' is a PyMemberDef READONLY member, whose text is "readonly attribute":
 * give the names listed that setter. */
static int pypipc_readonly_member_set(PyObject *self, PyObject *value, void *closure) {
  (void)self; (void)value; (void)closure;
  PyErr_SetString(PyExc_AttributeError, "readonly attribute");
  return -1;
}

static PyTypeObject *pypipc_type_of(swig_type_info *ti) {
  SwigPyClientData *cd = ti ? (SwigPyClientData *)ti->clientdata : NULL;
  return cd ? cd->pytype : NULL;
}

/* SWIG's own attributes, which the reference types do not have and which would let a
 * program give up ownership of a handle (disown(), thisown = 0) and leak it. */
static void pypipc_hide_swig_names(PyTypeObject *tp) {
  static const char *const own_names[] = { "this", "thisown" };
  static const char *const base_names[] = { "acquire", "append", "disown", "next", "own" };
  size_t i;
  for (i = 0; i < sizeof own_names / sizeof *own_names; ++i)
    if (PyDict_DelItemString(tp->tp_dict, own_names[i]) < 0) PyErr_Clear();
  if (tp->tp_base && tp->tp_base != &PyBaseObject_Type) {   /* SwigPyObject, ours alone */
    for (i = 0; i < sizeof base_names / sizeof *base_names; ++i)
      if (PyDict_DelItemString(tp->tp_base->tp_dict, base_names[i]) < 0) PyErr_Clear();
    PyType_Modified(tp->tp_base);
  }
}

/* Finish a -builtin type in %init:
 * - READONLY_MEMBERS (NULL-terminated) raise "readonly attribute" on assignment;
 * - no per-instance __dict__ (SWIG gives one), so obj.typo = 1 raises AttributeError
 *   as with the reference types;
 * - none of SWIG's own attributes. Runs before any instance exists. */
static void pypipc_finish_type(PyTypeObject *tp, const char *const *readonly_members) {
  PyGetSetDef *gs;
  const char *const *m;
  if (!tp) return;
  pypipc_hide_swig_names(tp);
  for (gs = tp->tp_getset; gs && gs->name; ++gs)
    for (m = readonly_members; m && *m; ++m)
      if (strcmp(gs->name, *m) == 0 && gs->set == NULL) gs->set = pypipc_readonly_member_set;
  if (tp->tp_dictoffset) {
    tp->tp_dictoffset = 0;
    if (PyDict_DelItemString(tp->tp_dict, "__dict__") < 0) PyErr_Clear();
    PyType_Modified(tp);
  }
}

/* Module exceptions, added to the module dict (and to __all__, which SWIG -builtin
 * defines, so that "from pipc.posix_ipc import *" sees them: BUILD-NOTES P2). */
static PyObject *pypipc_add_exc(PyObject *m, const char *modname, const char *name,
                                PyObject *base, const char *doc) {
  char full[128];
  PyObject *exc, *all;
  snprintf(full, sizeof full, "%s.%s", modname, name);
  exc = PyErr_NewExceptionWithDoc(full, doc, base, NULL);
  if (!exc) return NULL;
  Py_INCREF(exc);                               /* one ref kept in our static */
  if (PyModule_AddObject(m, name, exc) < 0) { Py_DECREF(exc); Py_DECREF(exc); return NULL; }
  all = PyObject_GetAttrString(m, "__all__");
  if (all) {
    PyObject *s = PyUnicode_FromString(name);
    if (s) { PyList_Append(all, s); Py_DECREF(s); }
    Py_DECREF(all);
  } else {
    PyErr_Clear();
  }
  return exc;
}

static int pypipc_add_int(PyObject *m, const char *name, long long v) {
  PyObject *o = PyLong_FromLongLong(v);
  if (!o || PyModule_AddObject(m, name, o) < 0) { Py_XDECREF(o); return -1; }
  return 0;
}
%}

/* ---- typemaps ---------------------------------------------------------------------- */

/* every %extend method that returns a status: None or an exception */
%typemap(out) pypipc_rc {
  if ($1 < 0) { pypipc_raise($1); SWIG_fail; }
  $result = SWIG_Py_Void();
}

/* timeout=None keyword argument */
%typemap(in) pypipc_timeout {
  if (pypipc_timeout_from_py($input, &$1) < 0) SWIG_fail;
}
%typemap(default) pypipc_timeout { $1 = PIPC_BINDING_FOREVER; }
%typemap(typecheck, precedence=SWIG_TYPECHECK_DOUBLE) pypipc_timeout {
  $1 = ($input == Py_None || PyNumber_Check($input)) ? 1 : 0;
}

/* `self` of a -builtin method: the method descriptor has already checked the type, so
 * skip SWIG_ConvertPtr and read the pointer out of the SwigPyObject directly. A NULL
 * pointer (an object whose __init__ never ran, or failed) reads as closed. */
%define PYPIPC_FAST_SELF(TYPE)
%typemap(in) struct TYPE *self, TYPE *self {  /* C: "struct T *self"; C++ (-c++): "T *self" */
  $1 = (TYPE *)((SwigPyObject *)$input)->ptr;
  if (!$1) { pypipc_raise(PYPIPC_CLOSED); SWIG_fail; }
}
%enddef

/* bytes-like (or str, UTF-8 encoded, as posix_ipc/sysv_ipc accept) input, view kept
 * until freearg (BUILD-NOTES P25). */
%typemap(in) (const void *data, size_t len) (Py_buffer view, int have_view = 0) {
  if (PyUnicode_Check($input)) {
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize($input, &n);
    if (!s) SWIG_fail;
    $1 = (void *)s; $2 = (size_t)n;
  } else {
    if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) < 0) SWIG_fail;
    have_view = 1; $1 = view.buf; $2 = (size_t)view.len;
  }
}
%typemap(freearg) (const void *data, size_t len) {
  if (have_view$argnum) PyBuffer_Release(&view$argnum);
}

/* name: str or None (None -> NULL, a random name) */
%typemap(in) pypipc_optname {
  if ($input == Py_None) $1 = NULL;
  else if (PyUnicode_Check($input)) { $1 = (char *)PyUnicode_AsUTF8($input); if (!$1) SWIG_fail; }
  else { PyErr_SetString(PyExc_TypeError, "name must be a str or None"); SWIG_fail; }
}

/* In a -builtin tp_init `self` is the object: a second __init__ is refused, as SWIG would
 * otherwise chain a second handle in SwigPyObject.next (and leak it). */
%{
static int pypipc_initialised(PyObject *self) {
  if (!((SwigPyObject *)self)->ptr) return 0;
  PyErr_SetString(PyExc_RuntimeError, "object already initialised");
  return 1;
}
%}

/* The classes' constructors are their tp_init (%feature("python:tp_init")). */
%{
/* The constructors' arguments, taken as the reference's PyArg_ParseTupleAndKeywords("O|...")
 * takes them (with its messages) but without interpreting a format: creating an object is
 * on the hot path of create->unlink loops. NAMES ends with NULL and its first REQUIRED (0
 * or 1) are required; OUT (one slot per name, NULL-initialised) gets each argument given. */
static int pypipc_init_args(PyObject *args, PyObject *kwargs, const char *const *names,
                            int required, PyObject **out) {
  Py_ssize_t max = 0, given = PyTuple_GET_SIZE(args);
  Py_ssize_t keywords = kwargs ? PyDict_GET_SIZE(kwargs) : 0;
  Py_ssize_t i, pos = 0, twice = -1;
  PyObject *key, *value, *stray = NULL;
  while (names[max]) ++max;
  if (given + keywords > max) {
    PyErr_Format(PyExc_TypeError, "function takes at most %zd %sarguments (%zd given)", max,
                 given ? "" : "keyword ", given + keywords);
    return -1;
  }
  for (i = 0; i < given; ++i) out[i] = PyTuple_GET_ITEM(args, i);
  while (keywords && PyDict_Next(kwargs, &pos, &key, &value)) {
    for (i = 0; i < max; ++i) {
      if (PyUnicode_Check(key) && PyUnicode_CompareWithASCIIString(key, names[i]) == 0) break;
    }
    if (i == max) { if (!stray) stray = key; continue; }
    if (i < given) { if (twice < 0 || i < twice) twice = i; continue; }
    out[i] = value;
  }
  /* in CPython's order: a missing argument, one given twice, a stray keyword */
  if (required && !out[0]) {
    PyErr_Format(PyExc_TypeError, "function missing required argument '%s' (pos 1)", names[0]);
  } else if (twice >= 0) {
    PyErr_Format(PyExc_TypeError, "argument for function given by name ('%s') and position (%zd)",
                 names[twice], twice + 1);
  } else if (stray && !PyUnicode_Check(stray)) {
    PyErr_SetString(PyExc_TypeError, "keywords must be strings");
  } else if (stray) {
    PyErr_Format(PyExc_TypeError, "'%U' is an invalid keyword argument for this function", stray);
  } else {
    return 0;
  }
  return -1;
}

/* tp_init of the classes: OPEN makes the object from the parsed arguments (NULL with
 * the Python error set); NAMES and REQUIRED as for pypipc_init_args. */
typedef void *(*pypipc_open_fn)(PyObject *const *args);
static int pypipc_init(PyObject *self, PyObject *args, PyObject *kwargs, const char *const *names,
                       int required, pypipc_open_fn open, swig_type_info *type) {
  PyObject *argv[8] = {NULL};   /* the most any class takes: posix_ipc's MessageQueue, 7 */
  void *made;
  if (pypipc_initialised(self)) return -1;
  if (pypipc_init_args(args, kwargs, names, required, argv) < 0 || !(made = open(argv))) return -1;
  return SWIG_Python_NewPointerObj(self, made, type, SWIG_BUILTIN_INIT) == Py_None ? -1 : 0;
}

%}

/* Docstrings with text signatures ("name(args)\n--\n\n" first, for inspect.signature and
 * help), from a table per type or module set in %init: SWIG's %feature("docstring") puts a
 * newline before the text, which hides the signature. */
%{
typedef struct pypipc_doc { const char *name; const char *doc; } pypipc_doc;

static const char *pypipc_doc_of(const pypipc_doc *docs, const char *name) {
  for (; docs->name; ++docs)
    if (strcmp(docs->name, name) == 0) return docs->doc;
  return NULL;
}
static void pypipc_set_method_docs(PyMethodDef *md, const pypipc_doc *docs) {
  const char *doc;
  for (; md && md->ml_name; ++md)
    if ((doc = pypipc_doc_of(docs, md->ml_name))) md->ml_doc = doc;
}
/* the type's doc ("" in DOCS), its methods' and its attributes' */
static void pypipc_set_type_docs(PyTypeObject *tp, const pypipc_doc *docs) {
  PyGetSetDef *gs;
  const char *doc;
  PyObject *s;
  if (!tp) return;
  pypipc_set_method_docs(tp->tp_methods, docs);
  for (gs = tp->tp_getset; gs && gs->name; ++gs)
    if ((doc = pypipc_doc_of(docs, gs->name))) gs->doc = doc;
  if ((doc = pypipc_doc_of(docs, ""))) {
    tp->tp_doc = doc;   /* __text_signature__ reads it; __doc__ was copied at PyType_Ready */
    s = PyUnicode_FromString(strstr(doc, "\n--\n\n") + 5);
    if (s) { PyDict_SetItemString(tp->tp_dict, "__doc__", s); Py_DECREF(s); }
    PyErr_Clear();
    PyType_Modified(tp);
  }
}
%}

/* The version of the libpipc library loaded, for pipc.__version__ (pipc/__init__.py). */
%init %{
  if (PyModule_AddStringConstant(m, "_libpipc_version", pipc_version()) < 0) return NULL;
%}

/* Free-threaded Python (3.13t): these modules rely on the GIL to guard their objects, and
 * say so, so that the interpreter keeps the GIL enabled while they are loaded. */
%init %{
#ifdef Py_GIL_DISABLED
  PyUnstable_Module_SetGIL(m, Py_MOD_GIL_USED);
#endif
%}
