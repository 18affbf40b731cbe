/* channel.i — shared-memory message channels for Pipc::Channel (lib/pipc/channel.rb gives
 * it its public name and keyword constructor).
 *
 * send, receive and receive_into are one libpipc call each when they need not wait: tried
 * with the GVL held (timeout 0), and only when the channel is full or empty, waited for
 * without the GVL (rbpipc_wait: Thread#kill, Thread#raise, Ctrl-C and close from another
 * thread end the wait). The zero-copy forms of the C API (reserve/commit, peek/release)
 * are not offered: a slot held across Ruby code would outlive a raise or a Thread#kill. */

%{
#include <pipc/channel.h>
#include <ruby/encoding.h>

static ID rbpipc_id_locked_p;

typedef struct rbpipc_channel {
  rbpipc_obj o;
  size_t max_message_size;   /* the channel's, read at open */
  uint32_t slots;
  uint32_t spin_ns;          /* what spin= last set (0: sleep at once) */
  char *scratch;             /* receive's buffer for the try made with the GVL held */
} rbpipc_channel;

static int rbpipc_channel_close_h(void *h) { return pipc_channel_close((pipc_channel *)h); }

struct rbpipc_chsend { const char *data; size_t len; };
static int rbpipc_channel_send_op(void *h, void *ctx, int64_t t) {
  struct rbpipc_chsend *c = (struct rbpipc_chsend *)ctx;
  return pipc_channel_send((pipc_channel *)h, c->data, c->len, t);
}
struct rbpipc_chrecv { char *buf; size_t cap; size_t len; };
static int rbpipc_channel_recv_op(void *h, void *ctx, int64_t t) {
  struct rbpipc_chrecv *c = (struct rbpipc_chrecv *)ctx;
  return pipc_channel_receive(&c->len, (pipc_channel *)h, c->buf, c->cap, t);
}

NORETURN(static void rbpipc_channel_too_long(size_t len, size_t max, const char *what));
/* InvalidArgumentError (PIPC_EMSGSIZE) for a message of LEN bytes against MAX */
static void rbpipc_channel_too_long(size_t len, size_t max, const char *what) {
  char detail[160];
  snprintf(detail, sizeof detail, "the message is %zu bytes; %s %zu", len, what, max);
  rbpipc_raise_detail(PIPC_EMSGSIZE, EMSGSIZE, detail);
}

/* The wait of receive_into, with the buffer BUF (a String or an IO::Buffer) kept from
 * being resized or freed by other threads meanwhile (rb_ensure unlocks it). */
struct rbpipc_chwait { rbpipc_obj *o; struct rbpipc_chrecv *c; int64_t timeout; int rc; VALUE buf; };
static VALUE rbpipc_channel_wait_body(VALUE p) {
  struct rbpipc_chwait *w = (struct rbpipc_chwait *)p;
  w->rc = rbpipc_wait(w->o, rbpipc_channel_recv_op, w->c, w->timeout);
  return Qnil;
}
static VALUE rbpipc_channel_unlock_str(VALUE s) { return rb_str_unlocktmp(s); }
static VALUE rbpipc_channel_unlock_buffer(VALUE b) { return rb_io_buffer_unlock(b); }
%}

%rename(Channel) rbpipc_channel;
%rename("created?") rbpipc_channel::created;
%rename("closed?") rbpipc_channel::closed;
%rename("spin=") rbpipc_channel::set_spin;
RBPIPC_SELF(rbpipc_channel)
typedef struct rbpipc_channel {} rbpipc_channel;

%extend rbpipc_channel {
  rbpipc_channel(VALUE name, VALUE flags, VALUE mode, VALUE slots, VALUE max_message_size) {
    pipc_channel_options opts = PIPC_CHANNEL_OPTIONS_INIT;
    pipc_channel_attributes attrs;
    const char *cname = rbpipc_name(name);
    rbpipc_channel *ch;
    int rc;
    opts.flags = rbpipc_flags(flags, PIPC_CREX);
    opts.mode = rbpipc_mode(mode);
    opts.slots = (uint32_t)rbpipc_int(slots, "slots", 0, UINT32_MAX);
    opts.max_message_size = (uint32_t)rbpipc_int(max_message_size, "max_message_size", 0, UINT32_MAX);
    ch = ZALLOC(rbpipc_channel);
    ch->o.close_fn = rbpipc_channel_close_h;
    rc = pipc_channel_open((pipc_channel **)&ch->o.h, cname, &opts);
    /* an existing channel keeps its own sizes: read them */
    if (rc >= 0 && (rc = pipc_channel_attributes_get(&attrs, (pipc_channel *)ch->o.h)) < 0)
      pipc_channel_close((pipc_channel *)ch->o.h);
    if (rc < 0) { xfree(ch); rbpipc_raise(rc); }
    ch->max_message_size = attrs.max_message_size;
    ch->slots = attrs.slots;
    ch->scratch = (char *)malloc(ch->max_message_size ? ch->max_message_size : 1);
    if (!ch->scratch) { pipc_channel_close((pipc_channel *)ch->o.h); xfree(ch); rb_memerror(); }
    return ch;
  }
  ~rbpipc_channel() {
    rbpipc_free(&$self->o);
    free($self->scratch);
    xfree($self);
  }

  /* send(data, timeout: nil) */
  VALUE send(VALUE data, VALUE kw) {
    VALUE t;
    struct rbpipc_chsend c;
    int64_t timeout;
    int rc;
    pipc_channel *h = (pipc_channel *)rbpipc_h(&$self->o);
    rbpipc_bytes(data, &c.data, &c.len);
    rbpipc_kwargs(kw, 1, rbpipc_kw_timeout, &t);
    timeout = rbpipc_timeout(t);
    rc = pipc_channel_send(h, c.data, c.len, 0);
    if (rc == PIPC_EAGAIN && timeout != 0) {
      /* a frozen copy shares the bytes: they stay put while other threads run */
      VALUE frozen = rb_str_new_frozen(data);
      c.data = RSTRING_PTR(frozen);
      rc = rbpipc_wait(&$self->o, rbpipc_channel_send_op, &c, timeout);
      RB_GC_GUARD(frozen);
    }
    if (rc == PIPC_EMSGSIZE) rbpipc_channel_too_long(c.len, $self->max_message_size, "the channel's max_message_size is");
    return rbpipc_check(rc);
  }

  /* receive(timeout: nil) -> String (ASCII-8BIT) */
  VALUE receive(VALUE kw) {
    VALUE t, s;
    struct rbpipc_chrecv c;
    int64_t timeout;
    int rc;
    pipc_channel *h = (pipc_channel *)rbpipc_h(&$self->o);
    rbpipc_kwargs(kw, 1, rbpipc_kw_timeout, &t);
    timeout = rbpipc_timeout(t);
    c.buf = $self->scratch; c.cap = $self->max_message_size; c.len = 0;
    rc = pipc_channel_receive(&c.len, h, c.buf, c.cap, 0);
    if (rc >= 0) return rb_str_new(c.buf, (long)c.len);
    if (rc != PIPC_EAGAIN || timeout == 0) rbpipc_raise(rc);
    /* waiting: into a String of our own (other threads may use the scratch buffer) */
    s = rbpipc_recv_buffer(c.cap);
    c.buf = RSTRING_PTR(s);
    rbpipc_check(rbpipc_wait(&$self->o, rbpipc_channel_recv_op, &c, timeout));
    return rbpipc_recv_done(s, c.len);
  }

  /* receive_into(buffer, timeout: nil) -> Integer: a String becomes the message (binary,
   * its capacity grown to max_message_size first); an IO::Buffer gets it at offset 0 */
  VALUE receive_into(VALUE buffer, VALUE kw) {
    VALUE t;
    struct rbpipc_chrecv c;
    struct rbpipc_chwait w;
    int64_t timeout;
    int rc, is_str;
    void *base;
    pipc_channel *h = (pipc_channel *)rbpipc_h(&$self->o);
    rbpipc_kwargs(kw, 1, rbpipc_kw_timeout, &t);
    timeout = rbpipc_timeout(t);
    is_str = RB_TYPE_P(buffer, T_STRING);
    if (is_str) {
      long len = RSTRING_LEN(buffer);
      size_t max = $self->max_message_size;
      rb_str_modify_expand(buffer, (size_t)len < max ? (long)(max - (size_t)len) : 0);
      c.buf = RSTRING_PTR(buffer);
      c.cap = max;
    } else if (rb_obj_is_kind_of(buffer, rb_cIOBuffer)) {
      rb_io_buffer_get_bytes_for_writing(buffer, &base, &c.cap);   /* raises when read-only */
      c.buf = (char *)base;
    } else {
      rb_raise(rb_eTypeError, "the buffer must be a String or an IO::Buffer, not %"PRIsVALUE,
               rb_obj_class(buffer));
    }
    c.len = 0;
    rc = pipc_channel_receive(&c.len, h, c.buf, c.cap, 0);
    if (rc == PIPC_EAGAIN && timeout != 0) {
      /* locked for the wait: another thread can neither resize nor free the bytes */
      w.o = &$self->o; w.c = &c; w.timeout = timeout; w.rc = 0; w.buf = buffer;
      if (is_str) {
        rb_str_locktmp(buffer);
        rb_ensure(rbpipc_channel_wait_body, (VALUE)&w, rbpipc_channel_unlock_str, buffer);
      } else if (RTEST(rb_funcall(buffer, rbpipc_id_locked_p, 0))) {
        /* locked by someone else, who may unlock it meanwhile: wait into a String of our
         * own, then copy into the buffer as it is then */
        VALUE s = rbpipc_recv_buffer(c.cap);
        c.buf = RSTRING_PTR(s);
        rbpipc_channel_wait_body((VALUE)&w);
        if (w.rc >= 0) {
          size_t size;
          rb_io_buffer_get_bytes_for_writing(buffer, &base, &size);
          if (c.len > size) {
            char detail[200];
            snprintf(detail, sizeof detail, "the buffer shrank to %zu bytes during the wait, and "
                     "the message of %zu bytes it received is lost", size, c.len);
            rbpipc_raise_detail(PIPC_EMSGSIZE, EMSGSIZE, detail);
          }
          if (c.len) memcpy(base, c.buf, c.len);
        }
        RB_GC_GUARD(s);
      } else {
        rb_io_buffer_lock(buffer);
        rb_ensure(rbpipc_channel_wait_body, (VALUE)&w, rbpipc_channel_unlock_buffer, buffer);
      }
      rc = w.rc;
    }
    if (rc == PIPC_EMSGSIZE) rbpipc_channel_too_long(c.len, c.cap, "the buffer holds");
    rbpipc_check(rc);
    if (is_str) {
      rb_str_set_len(buffer, (long)c.len);
      rb_enc_associate(buffer, rb_ascii8bit_encoding());
      ENC_CODERANGE_CLEAR(buffer);   /* new bytes: what was known of the old ones is void */
    }
    RB_GC_GUARD(buffer);
    return SIZET2NUM(c.len);
  }

  VALUE slots() { rbpipc_h(&$self->o); return UINT2NUM($self->slots); }
  VALUE max_message_size() { rbpipc_h(&$self->o); return SIZET2NUM($self->max_message_size); }
  VALUE messages() {
    pipc_channel_attributes a;
    rbpipc_check(pipc_channel_attributes_get(&a, (pipc_channel *)rbpipc_h(&$self->o)));
    return UINT2NUM(a.messages);
  }
  VALUE spin() { rbpipc_h(&$self->o); return UINT2NUM($self->spin_ns); }
  /* spin = nanoseconds (an Integer, 0 to 1000000: the core refuses more) */
  VALUE set_spin(VALUE ns) {
    pipc_channel *h = (pipc_channel *)rbpipc_h(&$self->o);
    uint32_t n = (uint32_t)rbpipc_int(ns, "spin", 0, UINT32_MAX);
    rbpipc_check(pipc_channel_set_spin(h, n));
    $self->spin_ns = n;
    return ns;
  }
  VALUE name() { return rb_str_new_cstr(pipc_channel_name((pipc_channel *)rbpipc_h(&$self->o))); }
  VALUE created() { return rbpipc_bool(pipc_channel_created((pipc_channel *)rbpipc_h(&$self->o))); }
  VALUE unlink() { return rbpipc_check(pipc_channel_unlink((pipc_channel *)rbpipc_h(&$self->o))); }
  VALUE close() { return rbpipc_close(&$self->o); }
  VALUE closed() { return $self->o.h ? Qfalse : Qtrue; }
}

%inline %{
static VALUE channel_unlink_name(VALUE name) { return rbpipc_unlink_name(name, pipc_channel_unlink_name); }
%}

%init %{
  rbpipc_id_locked_p = rb_intern("locked?");
%}
