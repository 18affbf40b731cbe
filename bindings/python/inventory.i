/* pipc._inventory: the low-level half of pipc.inventory (pipc/inventory.py makes the
 * dataclasses). The walk and the fields are the shared interface's (pipc_inventory.i);
 * here they become Python values: a snapshot is taken with the GIL released, then each
 * object becomes a tuple in the order of OBJECT_FIELDS, followed by its holders (a tuple
 * of tuples in the order of HOLDER_FIELDS, or None when holders were not asked for). */
%module(package="pipc") _inventory

%include "pipc_python.i"
/* the field indices are the C side's (and Go's): Python reads the names */
%rename("$ignore", %$isenumitem, regexmatch$name="^PIPC_(OBJ|HOLDER)_") "";
%include "pipc_inventory.i"

%{
static PyObject *pypipc_inv_str(const char *s) {
  /* names and command lines are bytes to the OS: undecodable ones keep their bytes */
  return PyUnicode_DecodeFSDefault(s ? s : "");
}

static PyObject *pypipc_inv_value(pipc_binding_field_type type, pipc_binding_value v) {
  PyObject *set, *s;
  int i;
  if (!v.known) Py_RETURN_NONE;
  switch (type) {
    case PIPC_FIELD_SYMBOL: return PyUnicode_FromString(v.s ? v.s : "");
    case PIPC_FIELD_STR: return pypipc_inv_str(v.s);
    case PIPC_FIELD_INT: return PyLong_FromLongLong(v.i);
    case PIPC_FIELD_UINT: return PyLong_FromUnsignedLongLong((uint64_t)v.i);
    case PIPC_FIELD_BOOL: return PyBool_FromLong(v.i != 0);
    case PIPC_FIELD_TIME: return PyFloat_FromDouble((double)v.i / 1e9);
    case PIPC_FIELD_HOW:
      set = PyFrozenSet_New(NULL);
      for (i = 0; set && i < PIPC_HOLD_NAMES; ++i) {
        if (!((uint32_t)v.i & pipc_binding_hold_names[i].bit)) continue;
        s = PyUnicode_FromString(pipc_binding_hold_names[i].name);
        if (!s || PySet_Add(set, s) < 0) Py_CLEAR(set);
        Py_XDECREF(s);
      }
      return set;
  }
  Py_RETURN_NONE;
}

static PyObject *pypipc_inv_holder(const pipc_holder *h) {
  PyObject *t = PyTuple_New(PIPC_HOLDER_FIELDS), *x;
  int f;
  for (f = 0; t && f < PIPC_HOLDER_FIELDS; ++f) {
    x = pypipc_inv_value(pipc_binding_holder_fields[f].type, pipc_binding_holder_value(h, f));
    if (!x) Py_CLEAR(t);
    else PyTuple_SET_ITEM(t, f, x);
  }
  return t;
}

static PyObject *pypipc_inv_object(const pipc_binding_inventory *inv, size_t i) {
  const pipc_object *o = &inv->objects[i];
  PyObject *t = PyTuple_New(PIPC_OBJ_FIELDS + 1), *x, *hs;
  size_t j;
  int f;
  for (f = 0; t && f < PIPC_OBJ_FIELDS; ++f) {
    x = pypipc_inv_value(pipc_binding_object_fields[f].type, pipc_binding_object_value(o, f));
    if (!x) Py_CLEAR(t);
    else PyTuple_SET_ITEM(t, f, x);
  }
  if (!t) return NULL;
  if (!(o->known & PIPC_KNOWN_HOLDERS)) {
    Py_INCREF(Py_None);
    PyTuple_SET_ITEM(t, PIPC_OBJ_FIELDS, Py_None);
    return t;
  }
  hs = PyTuple_New((Py_ssize_t)o->holder_count);
  for (j = 0; hs && j < o->holder_count; ++j) {
    x = pypipc_inv_holder(&inv->holders[inv->first_holder[i] + j]);
    if (!x) Py_CLEAR(hs);
    else PyTuple_SET_ITEM(hs, (Py_ssize_t)j, x);
  }
  if (!hs) { Py_DECREF(t); return NULL; }
  PyTuple_SET_ITEM(t, PIPC_OBJ_FIELDS, hs);
  return t;
}

static int pypipc_inv_uint32(PyObject *o, const char *what, uint32_t *out) {
  int overflow = 0;
  long long v;
  if (!PyLong_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s must be an int", what);
    return -1;
  }
  v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (v == -1 && PyErr_Occurred()) return -1;
  if (overflow || v < 0 || v > UINT32_MAX) {
    PyErr_Format(PyExc_ValueError, "%s is out of range", what);
    return -1;
  }
  *out = (uint32_t)v;
  return 0;
}
%}

%native(take) PyObject *pypipc_inv_take(PyObject *self, PyObject *args);
%native(kind_of) PyObject *pypipc_inv_kind_of(PyObject *self, PyObject *args);
%native(sysv_exists) PyObject *pypipc_inv_sysv_exists(PyObject *self, PyObject *args);

%{
/* take(kinds, holders) -> (objects, unseen): kinds a PIPC_KIND_* mask, 0 for every kind
 * the machine offers. */
static PyObject *pypipc_inv_take(PyObject *self, PyObject *args) {
  PyObject *kinds_o, *holders_o, *list = NULL, *x;
  pipc_binding_inventory inv;
  uint32_t kinds;
  int holders, st;
  size_t i;
  (void)self;
  if (!PyArg_UnpackTuple(args, "take", 2, 2, &kinds_o, &holders_o)) return NULL;
  if (pypipc_inv_uint32(kinds_o, "kinds", &kinds) < 0) return NULL;
  if ((holders = PyObject_IsTrue(holders_o)) < 0) return NULL;
  Py_BEGIN_ALLOW_THREADS
  st = pipc_binding_inventory_take(&inv, kinds, holders);
  Py_END_ALLOW_THREADS
  if (st < 0) { pypipc_raise(st); return NULL; }
  list = PyList_New((Py_ssize_t)inv.count);
  for (i = 0; list && i < inv.count; ++i) {
    x = pypipc_inv_object(&inv, i);
    if (!x) Py_CLEAR(list);
    else PyList_SET_ITEM(list, (Py_ssize_t)i, x);
  }
  x = list ? Py_BuildValue("(NI)", list, (unsigned)inv.unseen) : NULL;
  pipc_binding_inventory_free(&inv);
  return x;
}

/* kind_of(name) -> the kind bits of a kind's name ("sem", ..., "posix", "sysv", "all"), 0 if none */
static PyObject *pypipc_inv_kind_of(PyObject *self, PyObject *args) {
  const char *name;
  (void)self;
  if (!PyArg_ParseTuple(args, "s:kind_of", &name)) return NULL;
  return PyLong_FromUnsignedLong(pipc_binding_kind_of(name));
}

/* sysv_exists(key, kind) -> bool; kind a single System V kind bit */
static PyObject *pypipc_inv_sysv_exists(PyObject *self, PyObject *args) {
  PyObject *key_o, *kind_o;
  uint32_t kind;
  long long key;
  int overflow = 0, rc;
  (void)self;
  if (!PyArg_UnpackTuple(args, "sysv_exists", 2, 2, &key_o, &kind_o)) return NULL;
  if (!PyLong_Check(key_o)) {
    PyErr_SetString(PyExc_TypeError, "key must be an int");
    return NULL;
  }
  key = PyLong_AsLongLongAndOverflow(key_o, &overflow);
  if (key == -1 && PyErr_Occurred()) return NULL;
  if (overflow) {
    PyErr_SetString(PyExc_ValueError, "key is out of range");
    return NULL;
  }
  if (pypipc_inv_uint32(kind_o, "kind", &kind) < 0) return NULL;
  rc = pipc_sysv_exists((int64_t)key, kind);
  if (rc < 0) { pypipc_raise(rc); return NULL; }
  return PyBool_FromLong(rc);
}

static PyObject *pypipc_inv_names(const pipc_binding_field *fields, int n) {
  PyObject *t = PyTuple_New(n), *s;
  int i;
  for (i = 0; t && i < n; ++i) {
    if (!(s = PyUnicode_FromString(fields[i].name))) Py_CLEAR(t);
    else PyTuple_SET_ITEM(t, i, s);
  }
  return t;
}
%}

%init %{
  {
    static const char modname[] = "pipc.inventory";
    PyObject *kinds;
    uint32_t bit;
    pypipc_Error = pypipc_add_exc(m, modname, "Error", NULL, "Base class of pipc.inventory's errors");
    pypipc_SignalError = pypipc_add_exc(m, modname, "SignalError", pypipc_Error,
                                        "The walk was interrupted by a signal");
    pypipc_PermissionsError = pypipc_add_exc(m, modname, "PermissionsError", pypipc_Error,
                                             "Permission to look was denied");
    pypipc_ExistentialError = pypipc_add_exc(m, modname, "ExistentialError", pypipc_Error,
                                             "An object was missing");
    pypipc_BusyError = pypipc_add_exc(m, modname, "BusyError", pypipc_Error,
                                      "The call would have had to wait");
    if (!pypipc_Error || !pypipc_SignalError || !pypipc_PermissionsError ||
        !pypipc_ExistentialError || !pypipc_BusyError)
      return NULL;
    PyModule_AddObject(m, "OBJECT_FIELDS", pypipc_inv_names(pipc_binding_object_fields, PIPC_OBJ_FIELDS));
    PyModule_AddObject(m, "HOLDER_FIELDS", pypipc_inv_names(pipc_binding_holder_fields, PIPC_HOLDER_FIELDS));
    /* the six kinds' names, in kind order */
    kinds = PyTuple_New(6);
    for (bit = 1; kinds && bit & PIPC_KIND_ALL; bit <<= 1) {
      PyObject *s = PyUnicode_FromString(pipc_kind_name(bit) ? pipc_kind_name(bit) : "?");
      if (!s) { Py_CLEAR(kinds); break; }
      PyTuple_SET_ITEM(kinds, __builtin_ctz(bit), s);
    }
    PyModule_AddObject(m, "KINDS", kinds);
    if (PyErr_Occurred()) return NULL;
    /* SWIG's __all__ lists its own names: pipc.inventory says what is public */
    if (PyDict_DelItemString(d, "__all__") < 0) PyErr_Clear();
  }
%}
