// Entry points: channels.
#include <sys/mman.h>

#include <cerrno>

#include "api/entry.hpp"
#include "core/channel.hpp"
#include "core/deadline.hpp"
#include "core/names.hpp"
#include "core/options.hpp"
#include "core/segment_handles.hpp"

using pipc::core::call;

namespace {

int check_channel_options(const pipc_channel_options &options, const char *fn) {
  return pipc::core::check_open_options(fn, options.version, PIPC_CHANNEL_OPTIONS_VERSION,
                                        options.flags, PIPC_CREX, options.mode);
}

}  // namespace

extern "C" {

PIPC_API void pipc_channel_options_init(pipc_channel_options *opts) {
  if (opts != nullptr) *opts = PIPC_CHANNEL_OPTIONS_INIT;
}

PIPC_API int pipc_channel_open(pipc_channel **out, const char *name,
                               const pipc_channel_options *opts) {
  return pipc::api::open_entry("pipc_channel_open", out, name, opts,
                               pipc_channel_options PIPC_CHANNEL_OPTIONS_INIT,
                               pipc::core::check_shm_name, check_channel_options,
                               pipc::core::channel_open);
}

PIPC_API int pipc_channel_dup(pipc_channel **out, pipc_channel *channel) {
  return pipc::api::dup_entry("pipc_channel_dup", out, channel, pipc::core::channel_dup);
}

PIPC_API int pipc_channel_close(pipc_channel *channel) {
  {
    call<pipc_channel> c(channel);
    if (c) pipc::core::channel_drop_holds(*c);
  }
  return pipc::core::close_handle(channel, "pipc_channel_close");
}

PIPC_API int pipc_channel_send(pipc_channel *channel, const void *data, size_t len,
                               int64_t timeout_ns) {
  return pipc::core::channel_send(channel, data, len, timeout_ns);
}

PIPC_API int pipc_channel_receive(size_t *len_out, pipc_channel *channel, void *buf, size_t cap,
                                  int64_t timeout_ns) {
  return pipc::core::channel_receive(len_out, channel, buf, cap, timeout_ns);
}

PIPC_API int pipc_channel_reserve(void **slot_out, pipc_channel *channel, int64_t timeout_ns) {
  return pipc::core::channel_reserve(slot_out, channel, timeout_ns);
}

PIPC_API int pipc_channel_commit(pipc_channel *channel, size_t len) {
  return pipc::core::channel_commit(channel, len, true);
}

PIPC_API int pipc_channel_cancel(pipc_channel *channel) {
  return pipc::core::channel_commit(channel, 0, false);
}

PIPC_API int pipc_channel_peek(const void **data_out, size_t *len_out, pipc_channel *channel,
                               int64_t timeout_ns) {
  return pipc::core::channel_peek(data_out, len_out, channel, timeout_ns);
}

PIPC_API int pipc_channel_release(pipc_channel *channel) {
  return pipc::core::channel_release(channel);
}

PIPC_API int pipc_channel_attributes_get(pipc_channel_attributes *out, pipc_channel *channel) {
  constexpr char fn[] = "pipc_channel_attributes_get";
  if (out == nullptr) return pipc::core::invalid("%s: out is NULL", fn);
  call<pipc_channel> c(channel);
  if (!c) return pipc::core::bad_handle(fn);
  pipc::core::channel_control *control = c->control();
  const uint64_t head = control->head.load(std::memory_order_acquire);
  const uint64_t tail = control->tail.load(std::memory_order_acquire);
  out->slots = control->slots;
  out->max_message_size = control->max_message_size;
  out->messages = static_cast<uint32_t>(tail > head ? std::min<uint64_t>(tail - head, control->slots) : 0);
  return PIPC_OK;
}

PIPC_API int pipc_channel_set_spin(pipc_channel *channel, uint32_t spin_ns) {
  constexpr char fn[] = "pipc_channel_set_spin";
  call<pipc_channel> c(channel);
  if (!c) return pipc::core::bad_handle(fn);
  constexpr uint32_t longest = 1000000;
  if (spin_ns > longest) {
    return pipc::core::fail(PIPC_ERANGE, ERANGE, "%s: %u ns is more than %u", fn, spin_ns, longest);
  }
  c->spin_ns.store(spin_ns, std::memory_order_relaxed);
  return PIPC_OK;
}

PIPC_API const char *pipc_channel_name(pipc_channel *channel) {
  call<pipc_channel> c(channel);
  return c ? c->name.c_str() : nullptr;
}

PIPC_API int pipc_channel_created(pipc_channel *channel) {
  call<pipc_channel> c(channel);
  if (!c) return pipc::core::bad_handle("pipc_channel_created");
  return c->created ? 1 : 0;
}

PIPC_API int pipc_channel_unlink(pipc_channel *channel) {
  return pipc::core::unlink_segment(channel, "pipc_channel_unlink");
}

PIPC_API int pipc_channel_unlink_name(const char *name) {
  return pipc::api::unlink_entry("pipc_channel_unlink_name", name, pipc::core::check_shm_name,
                                 shm_unlink, "shm_unlink");
}

}  // extern "C"
