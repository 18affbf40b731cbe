// Entry points: POSIX message queues.
#include <cerrno>
#include <new>

#include "api/entry.hpp"
#include "core/deadline.hpp"
#include "core/mq_notify.hpp"
#include "core/names.hpp"
#include "core/options.hpp"
#include "core/posix_mq.hpp"
#include "core/system.hpp"

using pipc::core::call;

namespace {

int check_mq_options(const pipc_mq_options &options, const char *fn) {
  const int rc = pipc::core::check_open_options(fn, options.version, PIPC_MQ_OPTIONS_VERSION,
                                                options.flags, PIPC_CREX | PIPC_NONBLOCK,
                                                options.mode);
  if (rc != PIPC_OK) return rc;
  if (options.access == 0 || (options.access & ~PIPC_READ_WRITE)) {
    return pipc::core::invalid("%s: access 0x%x must be PIPC_READ, PIPC_WRITE or both", fn,
                               options.access);
  }
  if (options.max_messages < 0 || options.max_message_size < 0) {
    return pipc::core::out_of_range("%s: max_messages %lld and max_message_size %lld must be >= 0",
                                    fn, static_cast<long long>(options.max_messages),
                                    static_cast<long long>(options.max_message_size));
  }
  return PIPC_OK;
}

int not_opened_for(const pipc::core::posix_mq &mq, const char *fn, const char *direction) {
  return pipc::core::fail(PIPC_EACCES, EBADF, "%s: \"%s\" was not opened for %s", fn,
                          mq.name.c_str(), direction);
}

}  // namespace

extern "C" {

PIPC_API void pipc_mq_options_init(pipc_mq_options *opts) {
  if (opts != nullptr) *opts = PIPC_MQ_OPTIONS_INIT;
}

PIPC_API int pipc_mq_open(pipc_mq **out, const char *name, const pipc_mq_options *opts) {
  return pipc::api::open_entry("pipc_mq_open", out, name, opts,
                               pipc_mq_options PIPC_MQ_OPTIONS_INIT, pipc::core::check_mq_name,
                               check_mq_options, pipc::core::mq_open);
}

PIPC_API int pipc_mq_close(pipc_mq *mq) { return pipc::core::close_handle(mq, "pipc_mq_close"); }

PIPC_API int pipc_mq_dup(pipc_mq **out, pipc_mq *mq) {
  return pipc::api::dup_entry("pipc_mq_dup", out, mq, pipc::core::mq_dup);
}

PIPC_API int pipc_mq_send(pipc_mq *mq, const void *data, size_t len, unsigned priority,
                          int64_t timeout_ns) {
  static const char fn[] = "pipc_mq_send";
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle(fn);
  if (data == nullptr && len != 0) return pipc::core::invalid("%s: data is NULL", fn);
  if (pipc::core::timeout_invalid(timeout_ns)) return pipc::core::check_timeout(timeout_ns, fn);
  if (priority > pipc::core::mq_priority_max()) {
    return pipc::core::out_of_range("%s: priority %u exceeds the maximum %lld", fn, priority,
                                    static_cast<long long>(pipc::core::mq_priority_max()));
  }
  if (len > static_cast<uint64_t>(q->max_message_size)) {
    return pipc::core::fail(PIPC_EMSGSIZE, EMSGSIZE,
                            "%s: message of %zu bytes exceeds max_message_size %lld of \"%s\"", fn,
                            len, static_cast<long long>(q->max_message_size), q->name.c_str());
  }
  if (!(q->access & PIPC_WRITE)) return not_opened_for(*q, fn, "writing");
  return pipc::core::mq_send(q, static_cast<const char *>(data), len, priority, timeout_ns);
}

PIPC_API int pipc_mq_receive(size_t *len_out, unsigned *priority_out, pipc_mq *mq, void *buf,
                             size_t cap, int64_t timeout_ns) {
  static const char fn[] = "pipc_mq_receive";
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle(fn);
  if (len_out == nullptr || buf == nullptr) {
    return pipc::core::invalid("%s: len_out and buf must not be NULL", fn);
  }
  if (pipc::core::timeout_invalid(timeout_ns)) return pipc::core::check_timeout(timeout_ns, fn);
  if (cap < static_cast<uint64_t>(q->max_message_size)) {
    return pipc::core::fail(PIPC_EMSGSIZE, EMSGSIZE,
                            "%s: buffer of %zu bytes is smaller than max_message_size %lld of \"%s\"",
                            fn, cap, static_cast<long long>(q->max_message_size), q->name.c_str());
  }
  if (!(q->access & PIPC_READ)) return not_opened_for(*q, fn, "reading");
  return pipc::core::mq_receive(len_out, priority_out, q, static_cast<char *>(buf), cap,
                                timeout_ns);
}

PIPC_API int pipc_mq_blocking(int *blocking_out, pipc_mq *mq) {
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_mq_blocking");
  if (blocking_out == nullptr) return pipc::core::invalid("pipc_mq_blocking: blocking_out is NULL");
  *blocking_out = q->blocking.load(std::memory_order_relaxed) ? 1 : 0;
  return PIPC_OK;
}

PIPC_API int pipc_mq_set_blocking(pipc_mq *mq, int blocking) {
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_mq_set_blocking");
  q->blocking.store(blocking != 0, std::memory_order_relaxed);
  return PIPC_OK;
}

PIPC_API int pipc_mq_max_messages(int64_t *out, pipc_mq *mq) {
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_mq_max_messages");
  if (out == nullptr) return pipc::core::invalid("pipc_mq_max_messages: out is NULL");
  *out = q->max_messages;
  return PIPC_OK;
}

PIPC_API int pipc_mq_max_message_size(int64_t *out, pipc_mq *mq) {
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_mq_max_message_size");
  if (out == nullptr) return pipc::core::invalid("pipc_mq_max_message_size: out is NULL");
  *out = q->max_message_size;
  return PIPC_OK;
}

PIPC_API int pipc_mq_current_messages(int64_t *out, pipc_mq *mq) {
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_mq_current_messages");
  if (out == nullptr) return pipc::core::invalid("pipc_mq_current_messages: out is NULL");
  return pipc::core::mq_current_messages(out, *q);
}

PIPC_API int pipc_mq_fd(int *fd_out, pipc_mq *mq) {
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_mq_fd");
  if (fd_out == nullptr) return pipc::core::invalid("pipc_mq_fd: fd_out is NULL");
  *fd_out = q->mqd;
  return PIPC_OK;
}

PIPC_API int pipc_mq_notify_signal(pipc_mq *mq, int signo) {
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_mq_notify_signal");
  return pipc::core::mq_notify_signal(*q, signo);
}

PIPC_API int pipc_mq_notify_callback(pipc_mq *mq, pipc_mq_notify_fn fn, void *arg) {
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_mq_notify_callback");
  try {
    return pipc::core::mq_notify_callback(*q, fn, arg);
  } catch (const std::bad_alloc &) {
    return pipc::core::fail(PIPC_ENOMEM, ENOMEM, "pipc_mq_notify_callback: out of memory");
  }
}

PIPC_API int pipc_mq_notify_cancel(pipc_mq *mq) {
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_mq_notify_cancel");
  return pipc::core::mq_notify_cancel(*q);
}

PIPC_API const char *pipc_mq_name(pipc_mq *mq) {
  call<pipc_mq> q(mq);
  return q ? q->name.c_str() : nullptr;
}

PIPC_API int pipc_mq_created(pipc_mq *mq) {
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_mq_created");
  return q->created ? 1 : 0;
}

PIPC_API int pipc_mq_unlink(pipc_mq *mq) {
  call<pipc_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_mq_unlink");
  if (mq_unlink(q->name.c_str()) == 0) return PIPC_OK;
  return pipc::core::os_fail("mq_unlink", q->name.c_str());
}

PIPC_API int pipc_mq_unlink_name(const char *name) {
  return pipc::api::unlink_entry("pipc_mq_unlink_name", name, pipc::core::check_mq_name,
                                 mq_unlink, "mq_unlink");
}

}  // extern "C"
