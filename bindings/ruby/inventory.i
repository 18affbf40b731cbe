/* inventory.i — the inventory for Pipc.objects and Pipc::SysV.exists? (lib/pipc/inventory.rb
 * makes the Structs). The walk and the fields are the shared interface's (pipc_inventory.i):
 * the snapshot is taken without the GVL, then each object becomes an Array in the order
 * of INVENTORY_OBJECT_FIELDS followed by its holders (Arrays in the order of
 * INVENTORY_HOLDER_FIELDS, or nil when holders were not asked for). */
%include "pipc_inventory.i"

%{
static VALUE rbpipc_inv_str(const char *s) {
  return rb_external_str_new_cstr(s ? s : "");   /* names and commands: the OS's bytes */
}

static VALUE rbpipc_inv_value(pipc_binding_field_type type, pipc_binding_value v) {
  VALUE how;
  int i;
  if (!v.known) return Qnil;
  switch (type) {
    case PIPC_FIELD_SYMBOL: return ID2SYM(rb_intern(v.s ? v.s : "unknown"));
    case PIPC_FIELD_STR: return rbpipc_inv_str(v.s);
    case PIPC_FIELD_INT: return LL2NUM(v.i);
    case PIPC_FIELD_UINT: return ULL2NUM((uint64_t)v.i);
    case PIPC_FIELD_BOOL: return v.i ? Qtrue : Qfalse;
    case PIPC_FIELD_TIME: return rb_time_nano_new(v.i / 1000000000, v.i % 1000000000);
    case PIPC_FIELD_HOW:
      how = rb_ary_new();
      for (i = 0; i < PIPC_HOLD_NAMES; ++i)
        if ((uint32_t)v.i & pipc_binding_hold_names[i].bit)
          rb_ary_push(how, ID2SYM(rb_intern(pipc_binding_hold_names[i].name)));
      return how;
  }
  return Qnil;
}

static VALUE rbpipc_inv_object(const pipc_binding_inventory *inv, size_t i) {
  const pipc_object *o = &inv->objects[i];
  VALUE a = rb_ary_new_capa(PIPC_OBJ_FIELDS + 1), hs, h;
  size_t j;
  int f;
  for (f = 0; f < PIPC_OBJ_FIELDS; ++f)
    rb_ary_push(a, rbpipc_inv_value(pipc_binding_object_fields[f].type, pipc_binding_object_value(o, f)));
  if (!(o->known & PIPC_KNOWN_HOLDERS)) return rb_ary_push(a, Qnil);
  hs = rb_ary_new_capa((long)o->holder_count);
  for (j = 0; j < o->holder_count; ++j) {
    const pipc_holder *ph = &inv->holders[inv->first_holder[i] + j];
    h = rb_ary_new_capa(PIPC_HOLDER_FIELDS);
    for (f = 0; f < PIPC_HOLDER_FIELDS; ++f)
      rb_ary_push(h, rbpipc_inv_value(pipc_binding_holder_fields[f].type, pipc_binding_holder_value(ph, f)));
    rb_ary_push(hs, h);
  }
  return rb_ary_push(a, hs);
}

struct rbpipc_inv_call { pipc_binding_inventory inv; uint32_t kinds; int holders; int rc; };
static void *rbpipc_inv_take_nogvl(void *p) {
  struct rbpipc_inv_call *c = (struct rbpipc_inv_call *)p;
  c->rc = pipc_binding_inventory_take(&c->inv, c->kinds, c->holders);
  return NULL;
}

/* Converts the snapshot (with the GVL); the ensure part frees it even when Ruby raises. */
static VALUE rbpipc_inv_convert(VALUE p) {
  struct rbpipc_inv_call *c = (struct rbpipc_inv_call *)p;
  VALUE list = rb_ary_new_capa((long)c->inv.count);
  size_t i;
  for (i = 0; i < c->inv.count; ++i) rb_ary_push(list, rbpipc_inv_object(&c->inv, i));
  return rb_assoc_new(list, UINT2NUM(c->inv.unseen));
}
static VALUE rbpipc_inv_free(VALUE p) {
  pipc_binding_inventory_free(&((struct rbpipc_inv_call *)p)->inv);
  return Qnil;
}

static VALUE rbpipc_inv_names(const pipc_binding_field *fields, int n) {
  VALUE a = rb_ary_new_capa(n);
  int i;
  for (i = 0; i < n; ++i) rb_ary_push(a, ID2SYM(rb_intern(fields[i].name)));
  return rb_ary_freeze(a);
}
%}

%inline %{
/* [objects, unseen]: KINDS a mask of kind bits (0: every kind the machine offers) */
static VALUE inventory_take(VALUE kinds, VALUE holders) {
  struct rbpipc_inv_call c;
  c.kinds = (uint32_t)rbpipc_int(kinds, "kinds", 0, PIPC_KIND_ALL);
  c.holders = RTEST(holders);
  rb_thread_call_without_gvl(rbpipc_inv_take_nogvl, &c, NULL, NULL);
  if (c.rc < 0) rbpipc_raise(c.rc);
  return rb_ensure(rbpipc_inv_convert, (VALUE)&c, rbpipc_inv_free, (VALUE)&c);
}
/* the kind bits of a kind's name ("sem", ..., "posix", "sysv", "all"), 0 if none */
static VALUE inventory_kind_of(VALUE name) {
  if (RB_TYPE_P(name, T_SYMBOL)) name = rb_sym2str(name);
  if (!RB_TYPE_P(name, T_STRING))
    rb_raise(rb_eTypeError, "a kind must be a Symbol or String, not %"PRIsVALUE, rb_obj_class(name));
  return UINT2NUM(pipc_binding_kind_of(StringValueCStr(name)));
}
static VALUE inventory_sysv_exists(VALUE key, VALUE kind) {
  int64_t k = (int64_t)rbpipc_int(key, "key", INT64_MIN, INT64_MAX);
  return rbpipc_bool(pipc_sysv_exists(k, (uint32_t)rbpipc_int(kind, "kind", 0, UINT32_MAX)));
}
%}

%init %{
  rb_define_const(mLowlevel, "INVENTORY_OBJECT_FIELDS",
                  rbpipc_inv_names(pipc_binding_object_fields, PIPC_OBJ_FIELDS));
  rb_define_const(mLowlevel, "INVENTORY_HOLDER_FIELDS",
                  rbpipc_inv_names(pipc_binding_holder_fields, PIPC_HOLDER_FIELDS));
  {
    VALUE kinds = rb_ary_new();
    uint32_t bit;
    for (bit = 1; bit & PIPC_KIND_ALL; bit <<= 1)
      rb_ary_push(kinds, ID2SYM(rb_intern(pipc_kind_name(bit) ? pipc_kind_name(bit) : "unknown")));
    rb_define_const(mLowlevel, "INVENTORY_KINDS", rb_ary_freeze(kinds));
  }
%}
