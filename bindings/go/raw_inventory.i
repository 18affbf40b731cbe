/* raw_inventory.i: the inventory for the Go package (inventory.go). The walk and the
 * field order are the shared interface's (pipc_inventory.i): Go takes a snapshot, reads
 * each object as PIPC_OBJ_FIELDS int64s (indexed by raw.PIPC_OBJ_*) followed by its
 * `known` bits and the index of its first holder, and its strings one by one; then frees
 * the snapshot. */
%include "pipc_inventory.i"

PGO_HANDLE(pipc_binding_inventory)

%constant int PGO_OBJECT_FIELDS = PIPC_OBJ_FIELDS + 2;
%typemap(gotype) int64_t *object_fields, int64_t *holder_fields "[]int64"
%typemap(in) int64_t *object_fields %{
  if ($input.len < PIPC_OBJ_FIELDS + 2) { _swig_gopanic("raw: object slice too short"); }
  $1 = (int64_t *)$input.array;
%}
%typemap(in) int64_t *holder_fields %{
  if ($input.len < PIPC_HOLDER_FIELDS) { _swig_gopanic("raw: holder slice too short"); }
  $1 = (int64_t *)$input.array;
%}
%typemap(out) int pgo_inventory_unseen %{ $result = $1; %}

%inline %{
/* The snapshot of KINDS (0: every kind the machine offers); the result is its objects' count. */
static pgo_rc pgo_inventory_take(pipc_binding_inventory **out, uint32_t kinds, int holders) {
  pipc_binding_inventory *inv = (pipc_binding_inventory *)malloc(sizeof *inv);
  int st;
  if (!inv) return PIPC_ENOMEM;
  st = pipc_binding_inventory_take(inv, kinds, holders);
  if (st < 0) { free(inv); return st; }
  *out = inv;
  return (int64_t)inv->count;
}

static void pgo_inventory_free(pipc_binding_inventory *inv) {
  if (!inv) return;
  pipc_binding_inventory_free(inv);
  free(inv);
}

static int pgo_inventory_unseen(pipc_binding_inventory *inv) { return (int)inv->unseen; }

/* Object INDEX's numbers: the fields (a field without a value is 0), its known bits, the
 * index of its first holder. */
static void pgo_inventory_object(int64_t *object_fields, pipc_binding_inventory *inv, uint64_t index) {
  const pipc_object *o = &inv->objects[index];
  int f;
  for (f = 0; f < PIPC_OBJ_FIELDS; ++f) {
    pipc_binding_value v = pipc_binding_object_value(o, f);
    object_fields[f] = v.known ? v.i : 0;
  }
  object_fields[PIPC_OBJ_FIELDS] = o->known;
  object_fields[PIPC_OBJ_FIELDS + 1] = (int64_t)inv->first_holder[index];
}

static const char *pgo_inventory_name(pipc_binding_inventory *inv, uint64_t index) {
  return inv->objects[index].name;
}

/* Holder INDEX (of all the snapshot's holders): pid, how, uid. */
static void pgo_inventory_holder(int64_t *holder_fields, pipc_binding_inventory *inv, uint64_t index) {
  const pipc_holder *h = &inv->holders[index];
  int f;
  for (f = 0; f < PIPC_HOLDER_FIELDS; ++f) holder_fields[f] = pipc_binding_holder_value(h, f).i;
}

static const char *pgo_inventory_command(pipc_binding_inventory *inv, uint64_t index) {
  return inv->holders[index].command;
}
%}
