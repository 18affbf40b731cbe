// Entry points: System V message queues.
#include <sys/msg.h>

#include <limits>

#include "api/entry.hpp"
#include "core/deadline.hpp"
#include "core/sysv.hpp"
#include "core/sysv_mq.hpp"

using pipc::core::call;
using pipc::core::sysv_mq_max_bytes_limit;

namespace {

int check_mq_options(const pipc_sysv_mq_options &options, const char *fn) {
  const int rc =
      pipc::core::check_sysv_options(fn, options.version, options.flags, PIPC_CREX, options.mode);
  if (rc != PIPC_OK) return rc;
  if (options.max_bytes > sysv_mq_max_bytes_limit) {
    return pipc::core::out_of_range("%s: max_bytes %llu exceeds %llu", fn,
                                    static_cast<unsigned long long>(options.max_bytes),
                                    static_cast<unsigned long long>(sysv_mq_max_bytes_limit));
  }
  return PIPC_OK;
}

// The queue's id, or PIPC_EBADHANDLE.
int id_of(pipc_sysv_mq *mq, const char *fn) {
  call<pipc_sysv_mq> q(mq);
  return q ? q->id : pipc::core::bad_handle(fn);
}

// msgsnd and msgrcv take the type as a long; receive negates a negative one.
bool fits_long(int64_t type) { return static_cast<long>(type) == type; }

// IPC_STAT of MQ into DS, for the functions that report one of its fields in *OUT.
template <class Out>
int stat_for(msqid_ds &ds, Out *out, pipc_sysv_mq *mq, const char *fn) {
  call<pipc_sysv_mq> q(mq);
  if (!q) return pipc::core::bad_handle(fn);
  if (out == nullptr) return pipc::core::invalid("%s: out is NULL", fn);
  return pipc::core::sysv_mq_stat(ds, *q, fn);
}

}  // namespace

extern "C" {

PIPC_API void pipc_sysv_mq_options_init(pipc_sysv_mq_options *opts) {
  if (opts != nullptr) *opts = PIPC_SYSV_MQ_OPTIONS_INIT;
}

PIPC_API int pipc_sysv_mq_open(pipc_sysv_mq **out, int64_t key, const pipc_sysv_mq_options *opts) {
  return pipc::api::sysv_open_entry("pipc_sysv_mq_open", out, key, opts,
                                    pipc_sysv_mq_options PIPC_SYSV_MQ_OPTIONS_INIT,
                                    check_mq_options, pipc::core::sysv_mq_open);
}

PIPC_API int pipc_sysv_mq_open_id(pipc_sysv_mq **out, int64_t id) {
  return pipc::api::sysv_open_id_entry("pipc_sysv_mq_open_id", out, id,
                                       pipc::core::sysv_mq_open_id);
}

PIPC_API int pipc_sysv_mq_close(pipc_sysv_mq *mq) {
  return pipc::core::close_handle(mq, "pipc_sysv_mq_close");
}

PIPC_API int pipc_sysv_mq_dup(pipc_sysv_mq **out, pipc_sysv_mq *mq) {
  return pipc::api::dup_entry("pipc_sysv_mq_dup", out, mq, pipc::core::sysv_mq_dup);
}

PIPC_API int pipc_sysv_mq_send(pipc_sysv_mq *mq, const void *data, size_t len, int64_t type,
                               int64_t timeout_ns) {
  static const char fn[] = "pipc_sysv_mq_send";
  call<pipc_sysv_mq> q(mq);
  if (!q) return pipc::core::bad_handle(fn);
  if (data == nullptr && len != 0) return pipc::core::invalid("%s: data is NULL", fn);
  if (type < 1 || !fits_long(type)) {
    return pipc::core::out_of_range("%s: type %lld is not between 1 and %ld", fn,
                                    static_cast<long long>(type), std::numeric_limits<long>::max());
  }
  if (pipc::core::timeout_invalid(timeout_ns)) return pipc::core::check_timeout(timeout_ns, fn);
  return pipc::core::sysv_mq_send(q, data, len, static_cast<long>(type), timeout_ns);
}

PIPC_API int pipc_sysv_mq_receive(size_t *len_out, int64_t *type_out, pipc_sysv_mq *mq, void *buf,
                                  size_t cap, int64_t type, uint32_t flags, int64_t timeout_ns) {
  static const char fn[] = "pipc_sysv_mq_receive";
  call<pipc_sysv_mq> q(mq);
  if (!q) return pipc::core::bad_handle(fn);
  if (len_out == nullptr) return pipc::core::invalid("%s: len_out is NULL", fn);
  if (buf == nullptr && cap != 0) return pipc::core::invalid("%s: buf is NULL", fn);
  if (flags & ~PIPC_SYSV_MSG_TRUNCATE) {
    return pipc::core::invalid("%s: unknown flags 0x%x (allowed: PIPC_SYSV_MSG_TRUNCATE)", fn,
                               flags & ~PIPC_SYSV_MSG_TRUNCATE);
  }
  if (!fits_long(type) || type == std::numeric_limits<long>::min()) {
    return pipc::core::out_of_range("%s: type %lld is not between %ld and %ld", fn,
                                    static_cast<long long>(type), -std::numeric_limits<long>::max(),
                                    std::numeric_limits<long>::max());
  }
  if (pipc::core::timeout_invalid(timeout_ns)) return pipc::core::check_timeout(timeout_ns, fn);
  return pipc::core::sysv_mq_receive(len_out, type_out, q, buf, cap, static_cast<long>(type),
                                     (flags & PIPC_SYSV_MSG_TRUNCATE) != 0, timeout_ns);
}

PIPC_API int pipc_sysv_mq_current_messages(uint64_t *out, pipc_sysv_mq *mq) {
  msqid_ds ds{};
  const int rc = stat_for(ds, out, mq, "pipc_sysv_mq_current_messages");
  if (rc == PIPC_OK) *out = ds.msg_qnum;
  return rc;
}

PIPC_API int pipc_sysv_mq_max_bytes(uint64_t *out, pipc_sysv_mq *mq) {
  msqid_ds ds{};
  const int rc = stat_for(ds, out, mq, "pipc_sysv_mq_max_bytes");
  if (rc == PIPC_OK) *out = ds.msg_qbytes;
  return rc;
}

PIPC_API int pipc_sysv_mq_set_max_bytes(pipc_sysv_mq *mq, uint64_t max_bytes) {
  static const char fn[] = "pipc_sysv_mq_set_max_bytes";
  call<pipc_sysv_mq> q(mq);
  if (!q) return pipc::core::bad_handle(fn);
  if (max_bytes == 0 || max_bytes > sysv_mq_max_bytes_limit) {
    return pipc::core::out_of_range("%s: max_bytes %llu is not between 1 and %llu", fn,
                                    static_cast<unsigned long long>(max_bytes),
                                    static_cast<unsigned long long>(sysv_mq_max_bytes_limit));
  }
  return pipc::core::sysv_mq_set_max_bytes(*q, max_bytes, fn);
}

PIPC_API int64_t pipc_sysv_mq_message_size_max(void) {
  return pipc::core::sysv_mq_message_size_max();
}

PIPC_API int64_t pipc_sysv_mq_default_max_bytes(void) {
  return pipc::core::sysv_mq_default_max_bytes();
}

PIPC_API int pipc_sysv_mq_stat_get(pipc_sysv_mq_stat *out, pipc_sysv_mq *mq) {
  msqid_ds ds{};
  const int rc = stat_for(ds, out, mq, "pipc_sysv_mq_stat_get");
  if (rc != PIPC_OK) return rc;
  pipc_sysv_mq_stat st{};
  pipc::core::fill_perm(st.perm, ds.msg_perm);
  st.current_messages = ds.msg_qnum;
  st.current_bytes = ds.__msg_cbytes;
  st.max_bytes = ds.msg_qbytes;
  st.stime = ds.msg_stime;
  st.rtime = ds.msg_rtime;
  st.ctime = ds.msg_ctime;
  st.last_send_pid = ds.msg_lspid;
  st.last_receive_pid = ds.msg_lrpid;
  *out = st;
  return PIPC_OK;
}

PIPC_API int pipc_sysv_mq_set_perm(pipc_sysv_mq *mq, int64_t uid, int64_t gid, int64_t mode) {
  static const char fn[] = "pipc_sysv_mq_set_perm";
  call<pipc_sysv_mq> q(mq);
  if (!q) return pipc::core::bad_handle(fn);
  return pipc::core::sysv_mq_set_perm(*q, uid, gid, mode, fn);
}

PIPC_API int pipc_sysv_mq_id(pipc_sysv_mq *mq) { return id_of(mq, "pipc_sysv_mq_id"); }

PIPC_API int pipc_sysv_mq_key(int64_t *key_out, pipc_sysv_mq *mq) {
  call<pipc_sysv_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_sysv_mq_key");
  if (key_out == nullptr) return pipc::core::invalid("pipc_sysv_mq_key: key_out is NULL");
  *key_out = q->key;
  return PIPC_OK;
}

PIPC_API int pipc_sysv_mq_created(pipc_sysv_mq *mq) {
  call<pipc_sysv_mq> q(mq);
  if (!q) return pipc::core::bad_handle("pipc_sysv_mq_created");
  return q->created ? 1 : 0;
}

PIPC_API int pipc_sysv_mq_remove(pipc_sysv_mq *mq) {
  static const char fn[] = "pipc_sysv_mq_remove";
  call<pipc_sysv_mq> q(mq);
  if (!q) return pipc::core::bad_handle(fn);
  if (msgctl(q->id, IPC_RMID, nullptr) == 0) return PIPC_OK;
  return pipc::core::sysv_fail(fn, "msgctl(IPC_RMID)", *q);
}

PIPC_API int pipc_sysv_mq_remove_id(int64_t id) {
  static const char fn[] = "pipc_sysv_mq_remove_id";
  const int rc = pipc::core::check_id(id, fn);
  if (rc != PIPC_OK) return rc;
  if (msgctl(static_cast<int>(id), IPC_RMID, nullptr) == 0) return PIPC_OK;
  return pipc::core::sysv_id_fail(fn, "msgctl(IPC_RMID)", static_cast<int>(id));
}

}  // extern "C"
