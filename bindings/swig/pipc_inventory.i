/* The inventory (include/pipc/inventory.h) for every binding: the walk, done once here.
 *
 * pipc_binding_inventory_take runs the whole walk — open, every object, its holders, the
 * unseen count, close — into a snapshot the binding owns, so that a binding can take it
 * without its interpreter's lock (the walk reads /proc) and convert it afterwards with the
 * lock held. The field tables below say, once for all bindings, which fields an object and
 * a holder have, in which order, of which type, and when a field is unknown (Python None,
 * Ruby nil; Go reads the same order and keeps the `known` bits). */
%{
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pipc.h>
#include <pipc/inventory.h>

typedef struct pipc_binding_inventory {
  pipc_object *objects;  /* name: an owned copy */
  size_t count;
  size_t *first_holder;  /* per object: its holders are holders[first_holder[i]] onwards */
  pipc_holder *holders;  /* command: an owned copy */
  size_t holder_total;
  uint32_t unseen;       /* processes the holder scan could not look into */
} pipc_binding_inventory;

static void pipc_binding_inventory_free(pipc_binding_inventory *inv) {
  size_t i;
  for (i = 0; i < inv->count; ++i) free((char *)inv->objects[i].name);
  for (i = 0; i < inv->holder_total; ++i) free((char *)inv->holders[i].command);
  free(inv->objects);
  free(inv->first_holder);
  free(inv->holders);
  memset(inv, 0, sizeof *inv);
}

/* Grows *P (of *CAP elements of SIZE bytes) to hold NEED; 0 or -1 without memory. */
static int pipc_binding_grow(void **p, size_t *cap, size_t need, size_t size) {
  size_t n = *cap ? *cap : 16;
  void *q;
  if (need <= *cap) return 0;
  while (n < need) n *= 2;
  q = realloc(*p, n * size);
  if (!q) return -1;
  *p = q;
  *cap = n;
  return 0;
}

static char *pipc_binding_strdup(const char *s) {
  size_t n = strlen(s ? s : "") + 1;
  char *c = (char *)malloc(n);
  if (c) memcpy(c, s ? s : "", n);
  return c;
}

/* What a binding's "every kind" (no kinds given) asks for: PIPC_KIND_ALL, and where the
 * mqueue filesystem is not mounted (PIPC_ENOTSUP for PIPC_KIND_MQ), all but POSIX queues.
 * Asking for PIPC_KIND_MQ itself there still fails. */
#define PIPC_BINDING_KINDS_AVAILABLE 0u

/* The objects of KINDS (a PIPC_KIND_* mask, or PIPC_BINDING_KINDS_AVAILABLE), with their
 * holders when HOLDERS, into *INV (zeroed first). PIPC_OK, or the walk's status
 * (pipc_last_message tells more), or PIPC_ENOMEM; *INV is empty then. Runs no binding
 * code: may run without the interpreter's lock. */
static int pipc_binding_inventory_take(pipc_binding_inventory *inv, uint32_t kinds, int holders) {
  pipc_objects *walk = NULL;
  const pipc_object *o;
  const pipc_holder *h;
  size_t cap = 0, hcap = 0, fcap = 0;
  uint32_t j;
  int st;
  memset(inv, 0, sizeof *inv);
  if (kinds == PIPC_BINDING_KINDS_AVAILABLE) {
    st = pipc_objects_open(&walk, PIPC_KIND_ALL, holders ? PIPC_INVENTORY_HOLDERS : 0);
    if (st == PIPC_ENOTSUP)
      st = pipc_objects_open(&walk, PIPC_KIND_ALL & ~PIPC_KIND_MQ, holders ? PIPC_INVENTORY_HOLDERS : 0);
  } else {
    st = pipc_objects_open(&walk, kinds, holders ? PIPC_INVENTORY_HOLDERS : 0);
  }
  if (st < 0) return st;
  for (;;) {
    st = pipc_objects_next(&o, walk);
    if (st < 0 || !o) break;
    if (pipc_binding_grow((void **)&inv->objects, &cap, inv->count + 1, sizeof *inv->objects) < 0 ||
        pipc_binding_grow((void **)&inv->first_holder, &fcap, inv->count + 1, sizeof (size_t)) < 0)
      goto nomem;
    inv->objects[inv->count] = *o;
    if (!(inv->objects[inv->count].name = pipc_binding_strdup(o->name))) goto nomem;
    inv->first_holder[inv->count] = inv->holder_total;
    ++inv->count;
    if (!(o->known & PIPC_KNOWN_HOLDERS)) {
      inv->objects[inv->count - 1].holder_count = 0;
      continue;
    }
    for (j = 0; j < o->holder_count; ++j) {
      st = pipc_objects_holder(&h, walk, j);
      if (st < 0) goto failed;
      if (pipc_binding_grow((void **)&inv->holders, &hcap, inv->holder_total + 1,
                            sizeof *inv->holders) < 0)
        goto nomem;
      inv->holders[inv->holder_total] = *h;
      if (!(inv->holders[inv->holder_total].command = pipc_binding_strdup(h->command))) goto nomem;
      ++inv->holder_total;
    }
  }
  if (st >= 0) st = pipc_objects_unseen(&inv->unseen, walk);
  if (st < 0) goto failed;
  pipc_objects_close(walk);
  return PIPC_OK;
nomem:
  st = PIPC_ENOMEM;
failed:
  pipc_objects_close(walk);
  /* a copy that failed half-way is not in the count: its name pointer may be anything */
  pipc_binding_inventory_free(inv);
  return st;
}

/* ---- the fields ---- */

typedef enum pipc_binding_field_type {
  PIPC_FIELD_SYMBOL, /* a name from a fixed set (s; its number in i): pipc_kind_name,
                        pipc_libpipc_type_name */
  PIPC_FIELD_STR,    /* text */
  PIPC_FIELD_INT,    /* a signed integer */
  PIPC_FIELD_UINT,   /* an unsigned integer */
  PIPC_FIELD_BOOL,
  PIPC_FIELD_TIME,   /* nanoseconds since the epoch; 0 is unknown */
  PIPC_FIELD_HOW     /* PIPC_HOLD_* bits: pipc_binding_hold_names */
} pipc_binding_field_type;

/* Beside the PIPC_KNOWN_* bits, when a field has a value: always, for POSIX objects only
 * (name, device, inode), for System V objects only (key, id), when non-zero (times). */
#define PIPC_FIELD_ALWAYS  0x80000000u
#define PIPC_FIELD_POSIX   0x40000000u
#define PIPC_FIELD_SYSV    0x20000000u
#define PIPC_FIELD_NONZERO 0x10000000u

typedef struct pipc_binding_field {
  const char *name;
  pipc_binding_field_type type;
  uint32_t known;    /* PIPC_KNOWN_* or PIPC_FIELD_* bits: has a value if one is set */
} pipc_binding_field;

%}
/* An object's fields, in the order every binding's Object has them (also constants of the
 * generated module: the Go package indexes with them). */
%inline %{
enum {
  PIPC_OBJ_KIND, PIPC_OBJ_NAME, PIPC_OBJ_KEY, PIPC_OBJ_ID, PIPC_OBJ_UID, PIPC_OBJ_GID,
  PIPC_OBJ_CUID, PIPC_OBJ_CGID, PIPC_OBJ_MODE, PIPC_OBJ_REMOVED, PIPC_OBJ_SEMAPHORES,
  PIPC_OBJ_SIZE, PIPC_OBJ_VALUE, PIPC_OBJ_MESSAGES, PIPC_OBJ_MAX_MESSAGES,
  PIPC_OBJ_MAX_MESSAGE_SIZE, PIPC_OBJ_MAX_BYTES, PIPC_OBJ_ATTACHES, PIPC_OBJ_CREATOR_PID,
  PIPC_OBJ_LAST_PID, PIPC_OBJ_CHANGED, PIPC_OBJ_MODIFIED, PIPC_OBJ_OPERATED,
  PIPC_OBJ_DEVICE, PIPC_OBJ_INODE, PIPC_OBJ_HOLDER_COUNT, PIPC_OBJ_LIBPIPC_TYPE,
  PIPC_OBJ_FIELDS
};
/* A holder's fields, in the order every binding's Holder has them. */
enum { PIPC_HOLDER_PID, PIPC_HOLDER_HOW, PIPC_HOLDER_UID, PIPC_HOLDER_COMMAND, PIPC_HOLDER_FIELDS };
%}
%{
static const pipc_binding_field pipc_binding_object_fields[PIPC_OBJ_FIELDS] = {
  {"kind", PIPC_FIELD_SYMBOL, PIPC_FIELD_ALWAYS},
  {"name", PIPC_FIELD_STR, PIPC_FIELD_POSIX},
  {"key", PIPC_FIELD_INT, PIPC_FIELD_SYSV},
  {"id", PIPC_FIELD_INT, PIPC_FIELD_SYSV},
  {"uid", PIPC_FIELD_UINT, PIPC_FIELD_ALWAYS},
  {"gid", PIPC_FIELD_UINT, PIPC_FIELD_ALWAYS},
  {"cuid", PIPC_FIELD_UINT, PIPC_KNOWN_CREATOR},
  {"cgid", PIPC_FIELD_UINT, PIPC_KNOWN_CREATOR},
  {"mode", PIPC_FIELD_UINT, PIPC_FIELD_ALWAYS},
  {"removed", PIPC_FIELD_BOOL, PIPC_FIELD_ALWAYS},
  {"semaphores", PIPC_FIELD_UINT, PIPC_FIELD_ALWAYS},
  {"size", PIPC_FIELD_UINT, PIPC_FIELD_ALWAYS},
  {"value", PIPC_FIELD_INT, PIPC_KNOWN_VALUE},
  {"messages", PIPC_FIELD_UINT, PIPC_KNOWN_MESSAGES},
  {"max_messages", PIPC_FIELD_UINT, PIPC_KNOWN_QUEUE_LIMITS},
  {"max_message_size", PIPC_FIELD_UINT, PIPC_KNOWN_QUEUE_LIMITS},
  {"max_bytes", PIPC_FIELD_UINT, PIPC_KNOWN_MAX_BYTES},
  {"attaches", PIPC_FIELD_UINT, PIPC_KNOWN_ATTACHES},
  {"creator_pid", PIPC_FIELD_INT, PIPC_KNOWN_CREATOR_PID},
  {"last_pid", PIPC_FIELD_INT, PIPC_KNOWN_LAST_PID},
  {"changed", PIPC_FIELD_TIME, PIPC_FIELD_NONZERO},
  {"modified", PIPC_FIELD_TIME, PIPC_FIELD_NONZERO},
  {"operated", PIPC_FIELD_TIME, PIPC_FIELD_NONZERO},
  {"device", PIPC_FIELD_UINT, PIPC_FIELD_POSIX},
  {"inode", PIPC_FIELD_UINT, PIPC_FIELD_POSIX},
  {"holder_count", PIPC_FIELD_UINT, PIPC_KNOWN_HOLDERS},
  {"libpipc_type", PIPC_FIELD_SYMBOL, PIPC_KNOWN_LIBPIPC},
};

static const pipc_binding_field pipc_binding_holder_fields[PIPC_HOLDER_FIELDS] = {
  {"pid", PIPC_FIELD_INT, PIPC_FIELD_ALWAYS},
  {"how", PIPC_FIELD_HOW, PIPC_FIELD_ALWAYS},
  {"uid", PIPC_FIELD_UINT, PIPC_FIELD_ALWAYS},
  {"command", PIPC_FIELD_STR, PIPC_FIELD_ALWAYS},
};

/* The ways of holding, by name, in bit order. */
#define PIPC_HOLD_NAMES 5
static const struct { uint32_t bit; const char *name; } pipc_binding_hold_names[PIPC_HOLD_NAMES] = {
  {PIPC_HOLD_FD, "fd"}, {PIPC_HOLD_MAP, "map"}, {PIPC_HOLD_ATTACH, "attach"},
  {PIPC_HOLD_LAST_OP, "last_op"}, {PIPC_HOLD_CREATOR, "creator"},
};

/* One field's value: ints in i (UINT fields fit: sizes and counts stay below 2^63), STR and
 * SYMBOL in s. KNOWN is 0 for a field without a value. */
typedef struct pipc_binding_value {
  int known;
  int64_t i;
  const char *s;
} pipc_binding_value;

static int pipc_binding_has(uint32_t known, uint32_t kind, uint32_t field_known, int64_t i) {
  if (field_known & PIPC_FIELD_ALWAYS) return 1;
  if ((field_known & PIPC_FIELD_POSIX) && (kind & PIPC_KIND_POSIX)) return 1;
  if ((field_known & PIPC_FIELD_SYSV) && (kind & PIPC_KIND_SYSV)) return 1;
  if (field_known & PIPC_FIELD_NONZERO) return i != 0;
  return (known & field_known) != 0;
}

/* Field F (PIPC_OBJ_*) of O. */
static pipc_binding_value pipc_binding_object_value(const pipc_object *o, int f) {
  pipc_binding_value v = {1, 0, NULL};
  switch (f) {
    case PIPC_OBJ_KIND: v.s = pipc_kind_name(o->kind); v.i = o->kind; break;
    case PIPC_OBJ_NAME: v.s = o->name; break;
    case PIPC_OBJ_KEY: v.i = o->key; break;
    case PIPC_OBJ_ID: v.i = o->id; break;
    case PIPC_OBJ_UID: v.i = o->uid; break;
    case PIPC_OBJ_GID: v.i = o->gid; break;
    case PIPC_OBJ_CUID: v.i = o->cuid; break;
    case PIPC_OBJ_CGID: v.i = o->cgid; break;
    case PIPC_OBJ_MODE: v.i = o->mode; break;
    case PIPC_OBJ_REMOVED: v.i = (o->state & PIPC_STATE_REMOVED) != 0; break;
    case PIPC_OBJ_SEMAPHORES: v.i = o->semaphores; break;
    case PIPC_OBJ_SIZE: v.i = (int64_t)o->size; break;
    case PIPC_OBJ_VALUE: v.i = o->value; break;
    case PIPC_OBJ_MESSAGES: v.i = (int64_t)o->messages; break;
    case PIPC_OBJ_MAX_MESSAGES: v.i = (int64_t)o->max_messages; break;
    case PIPC_OBJ_MAX_MESSAGE_SIZE: v.i = (int64_t)o->max_message_size; break;
    case PIPC_OBJ_MAX_BYTES: v.i = (int64_t)o->max_bytes; break;
    case PIPC_OBJ_ATTACHES: v.i = (int64_t)o->attaches; break;
    case PIPC_OBJ_CREATOR_PID: v.i = o->creator_pid; break;
    case PIPC_OBJ_LAST_PID: v.i = o->last_pid; break;
    case PIPC_OBJ_CHANGED: v.i = o->changed_ns; break;
    case PIPC_OBJ_MODIFIED: v.i = o->modified_ns; break;
    case PIPC_OBJ_OPERATED: v.i = o->operated_ns; break;
    case PIPC_OBJ_DEVICE: v.i = (int64_t)o->device; break;
    case PIPC_OBJ_INODE: v.i = (int64_t)o->inode; break;
    case PIPC_OBJ_HOLDER_COUNT: v.i = o->holder_count; break;
    case PIPC_OBJ_LIBPIPC_TYPE:
      v.s = pipc_libpipc_type_name(o->libpipc_type);
      v.i = o->libpipc_type;
      break;
    default: v.known = 0; return v;
  }
  v.known = pipc_binding_has(o->known, o->kind, pipc_binding_object_fields[f].known, v.i);
  return v;
}

/* Field F (PIPC_HOLDER_*) of H. */
static pipc_binding_value pipc_binding_holder_value(const pipc_holder *h, int f) {
  pipc_binding_value v = {1, 0, NULL};
  switch (f) {
    case PIPC_HOLDER_PID: v.i = h->pid; break;
    case PIPC_HOLDER_HOW: v.i = h->how; break;
    case PIPC_HOLDER_UID: v.i = h->uid; break;
    case PIPC_HOLDER_COMMAND: v.s = h->command; break;
    default: v.known = 0; break;
  }
  return v;
}

/* ---- arguments ---- */

/* The kind bit of a kind's name ("sem", ..., "sysv_mq"; also "posix", "sysv" and "all"
 * for several), or 0. */
static uint32_t pipc_binding_kind_of(const char *name) {
  uint32_t bit;
  if (strcmp(name, "posix") == 0) return PIPC_KIND_POSIX;
  if (strcmp(name, "sysv") == 0) return PIPC_KIND_SYSV;
  if (strcmp(name, "all") == 0) return PIPC_KIND_ALL;
  for (bit = 1; bit & PIPC_KIND_ALL; bit <<= 1) {
    const char *n = pipc_kind_name(bit);
    if (n && strcmp(n, name) == 0) return bit;
  }
  return 0;
}
%}
