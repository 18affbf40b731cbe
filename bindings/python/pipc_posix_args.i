/* pipc_posix_args.i — the arguments pipc.posix_ipc and pipc.sync take alike: integers,
 * POSIX names (str or bytes, posix_ipc's rules), the O_* flags (the OS's values, as
 * posix_ipc), and unlinking by name. Included after pipc_python.i. */
%{
#include <fcntl.h>

/* An integer argument: TypeError unless it is an integer (or has __index__), ValueError
 * outside [LO, HI]. O == NULL (not given) yields DFLT. */
static int pypipc_int_arg(PyObject *o, const char *what, long long lo, long long hi,
                          long long dflt, long long *out) {
  long long v;
  int overflow = 0;
  if (!o) { *out = dflt; return 0; }
  v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (overflow || v < lo || v > hi) {
    PyErr_Format(PyExc_ValueError, "%s must be an integer from %lld to %lld", what, lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

/* A name: None (pipc picks a random unused one), or a str (encoded with the
 * file system encoding, as the reference does) or bytes, without NUL. *C_OUT gets a
 * PyMem copy for pipc, given a leading '/' when it has none (glibc treats "x" and "/x"
 * alike; pipc wants the '/'); *PY_OUT the str the name attribute shows. */
static int pypipc_name_arg(PyObject *o, char **c_out, PyObject **py_out) {
  PyObject *bytes = NULL, *py = NULL;
  const char *s;
  Py_ssize_t n;
  char *c;
  *c_out = NULL; *py_out = NULL;
  if (o == Py_None) return 0;
  if (PyUnicode_Check(o)) {
    if (!PyUnicode_FSConverter(o, &bytes)) return -1;   /* ValueError for an embedded NUL */
    Py_INCREF(o); py = o;
  } else if (PyBytes_Check(o)) {
    Py_INCREF(o); bytes = o;
    if (memchr(PyBytes_AS_STRING(o), 0, (size_t)PyBytes_GET_SIZE(o))) {
      Py_DECREF(bytes);
      PyErr_SetString(PyExc_ValueError, "embedded null byte");
      return -1;
    }
    py = PyUnicode_DecodeFSDefaultAndSize(PyBytes_AS_STRING(o), PyBytes_GET_SIZE(o));
    if (!py) { Py_DECREF(bytes); return -1; }
  } else {
    PyErr_SetString(PyExc_TypeError, "Name must be None or a string");
    return -1;
  }
  s = PyBytes_AS_STRING(bytes);
  n = PyBytes_GET_SIZE(bytes);
  c = (char *)PyMem_Malloc((size_t)n + 2);
  if (!c) { Py_DECREF(bytes); Py_DECREF(py); PyErr_NoMemory(); return -1; }
  if (s[0] == '/') memcpy(c, s, (size_t)n + 1);
  else { c[0] = '/'; memcpy(c + 1, s, (size_t)n + 1); }
  Py_DECREF(bytes);
  *c_out = c; *py_out = py;
  return 0;
}

/* A PyMem copy of the name pipc chose (name=None); NULL with MemoryError. */
static char *pypipc_name_copy(const char *name) {
  size_t n = strlen(name);
  char *c = (char *)PyMem_Malloc(n + 1);
  if (!c) { PyErr_NoMemory(); return NULL; }
  memcpy(c, name, n + 1);
  return c;
}

/* The name attribute (a new reference, or NULL): the str given to the constructor, or one
 * made from CNAME when first asked for (most objects with a random name never show it,
 * and creating them is a hot path). */
static PyObject *pypipc_name_obj(PyObject **name, const char *cname) {
  if (!*name && !(*name = PyUnicode_DecodeFSDefault(cname))) return NULL;
  Py_INCREF(*name);
  return *name;
}

/* The O_* flags (the OS's values) as pipc's PIPC_* flags. */
static uint32_t pypipc_posix_flags(long long f) {
  uint32_t r = 0;
  if (f & O_CREAT) r |= PIPC_CREAT;
  if (f & O_EXCL) r |= PIPC_EXCL;
  if (f & O_TRUNC) r |= PIPC_TRUNC;
  return r;
}

/* The flags' constants both modules have (the OS's values, as the reference). */
static void pypipc_add_open_flags(PyObject *m) {
  pypipc_add_int(m, "O_CREAT", O_CREAT);
  pypipc_add_int(m, "O_EXCL", O_EXCL);
  pypipc_add_int(m, "O_CREX", O_CREAT | O_EXCL);
}

/* module functions: unlink by name (str or bytes) */
static int pypipc_unlink_by_name(PyObject *name, int (*unlink_fn)(const char *)) {
  char *c;
  PyObject *py;
  int rc;
  if (name == Py_None) { PyErr_SetString(PyExc_TypeError, "name must be a string"); return PYPIPC_PYERR; }
  if (pypipc_name_arg(name, &c, &py) < 0) return PYPIPC_PYERR;
  Py_DECREF(py);
  rc = unlink_fn(c);
  PyMem_Free(c);
  return rc;
}
%}
