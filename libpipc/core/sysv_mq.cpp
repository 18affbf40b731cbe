#include "core/sysv_mq.hpp"

#include <sys/mman.h>
#include <sys/msg.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>

#include "core/deadline.hpp"
#include "core/error.hpp"
#include "core/system.hpp"
#include "core/tls.hpp"
#include "core/waits.hpp"

namespace pipc::core {
namespace {

constexpr char msgmax_path[] = "/proc/sys/kernel/msgmax";
constexpr char msgmnb_path[] = "/proc/sys/kernel/msgmnb";
constexpr char send_fn[] = "pipc_sysv_mq_send";
constexpr char receive_fn[] = "pipc_sysv_mq_receive";

// What one IPC_NOWAIT try gives when the queue is full (send) or holds no
// matching message (receive); never a pipc_status.
constexpr int would_block = 1;

// ---- This thread's message buffer ----------------------------------------------

// msgsnd and msgrcv want the message as a long mtype followed by the text: it is
// built (and received) in a buffer of the thread's, grown on demand and reused,
// so that send and receive allocate nothing once warm.
struct thread_buffer {
  char *data;   // text_offset + size bytes, or NULL
  size_t size;  // room for text
  bool lent;    // to a call in progress
};

__thread thread_buffer tls_buffer PIPC_TLS_HOT;

// Frees the thread's buffer when the thread exits.
struct free_at_thread_exit {
  ~free_at_thread_exit() {
    std::free(tls_buffer.data);
    tls_buffer.data = nullptr;
    tls_buffer.size = 0;
  }
};

// Lends the thread's buffer to one call. A call from a signal handler that
// interrupted another call gets a buffer of its own, so that it cannot overwrite
// the message the interrupted call is working on; it is mapped rather than
// allocated, since the interrupted call may be inside malloc or free.
class message_buffer {
 public:
  message_buffer() : nested_(tls_buffer.lent) {
    tls_buffer.lent = true;
    // A handler that runs before `lent` is set borrows the buffer and gives it
    // back in full; one that runs after it sees the buffer lent and takes its
    // own. Either way the copies below are current.
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (!nested_) {
      data_ = tls_buffer.data;
      size_ = tls_buffer.size;
    }
  }
  ~message_buffer() {
    if (nested_) {
      if (data_ != nullptr) munmap(data_, bytes_for(size_));
      return;
    }
    tls_buffer.data = data_;
    tls_buffer.size = size_;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    tls_buffer.lent = false;
  }
  message_buffer(const message_buffer &) = delete;
  message_buffer &operator=(const message_buffer &) = delete;

  size_t room() const { return size_; }
  bool fits(size_t len) const { return data_ != nullptr && len <= size_; }
  // Room for LEN bytes of text; false when out of memory.
  bool reserve(size_t len) { return fits(len) || grow(len); }

  // The kernel's layout (a long type, then the text) placed so that the text is
  // cache-line aligned: copies of a few KiB to or from a misaligned text run at
  // half speed (rep movsb).
  void *message() const { return data_ + text_offset - sizeof(long); }
  char *text() const { return data_ + text_offset; }
  long type() const {
    long type = 0;
    std::memcpy(&type, message(), sizeof type);
    return type;
  }
  void set_type(long type) { std::memcpy(message(), &type, sizeof type); }

 private:
  bool grow(size_t len) __attribute__((noinline)) {
    if (len > SIZE_MAX / 2 - text_offset) return false;
    const size_t size = std::max(len, std::min(2 * size_, SIZE_MAX / 2 - text_offset));
    // Its contents are not needed: each call writes its own.
    if (nested_) {
      void *data = mmap(nullptr, bytes_for(size), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (data == MAP_FAILED) return false;
      if (data_ != nullptr) munmap(data_, bytes_for(size_));
      data_ = static_cast<char *>(data);
      size_ = size;
      return true;
    }
    char *data = static_cast<char *>(std::aligned_alloc(text_offset, bytes_for(size)));
    if (data == nullptr) return false;
    std::free(data_);
    data_ = data;
    size_ = size;
    static thread_local free_at_thread_exit release;  // registered on first use
    (void)release;
    return true;
  }

  static constexpr size_t text_offset = 64;

  // The bytes of a buffer with room for SIZE bytes of text: a multiple of the
  // alignment, as aligned_alloc wants.
  static size_t bytes_for(size_t size) {
    return (text_offset + size + text_offset - 1) / text_offset * text_offset;
  }

  const bool nested_;
  char *data_ = nullptr;
  size_t size_ = 0;
};

int no_memory(const char *function, size_t len) {
  return fail(PIPC_ENOMEM, ENOMEM, "%s: no memory for a message buffer of %zu bytes", function,
              len);
}

// ---- Waiting -------------------------------------------------------------------

// System V has no timed msgsnd or msgrcv, and no wait that close could end. A wait
// repeats TRY (one IPC_NOWAIT attempt, giving would_block while it cannot succeed)
// after sleeps that grow from 100 us to close_check_ns, never past the deadline: a
// waiter stays off the CPU (an idle one wakes 20 times a second), and takes a
// message at most that long after it came. The sleeps are descriptor waits
// (waits.hpp), so close ends them at once and a stop does not stretch them; the
// thread's signals stay blocked between them, so a signal that arrives during a
// try ends the next sleep instead of going unnoticed.
template <class Try>
int wait_polling(sysv_mq &mq, const char *function, int64_t timeout_ns, Try try_once) {
  constexpr int64_t first_pause_ns = 100 * 1000;
  const deadline end(timeout_ns);
  const signals_held held;
  for (int64_t pause = first_pause_ns;; pause = std::min(2 * pause, close_check_ns)) {
    switch (wait_descriptor(mq, -1, 0, end.sooner(pause), held.original())) {
      case woken::closed: return closed_while_waiting(function);
      case woken::interrupted:
        return fail(PIPC_EINTR, EINTR, "%s: id %d: interrupted by a signal", function, mq.id);
      case woken::failed: return os_fail(function, nullptr);
      case woken::again:
      case woken::timed_out: break;
    }
    const int rc = try_once();
    if (rc != would_block) return rc;
    if (end.passed()) {
      return fail(PIPC_ETIMEDOUT, ETIMEDOUT, "%s: id %d: timed out after %lld ns", function,
                  mq.id, static_cast<long long>(timeout_ns));
    }
  }
}

// ---- Send ----------------------------------------------------------------------

// PIPC_EMSGSIZE when LEN exceeds msgmax (read now), else PIPC_OK. Keeps errno.
int check_message_size(size_t len, int id) {
  const int err = errno;
  const int64_t max = sysv_mq_message_size_max();
  errno = err;
  if (len <= static_cast<uint64_t>(max)) return PIPC_OK;
  return fail(PIPC_EMSGSIZE, EMSGSIZE, "%s: id %d: a message of %zu bytes exceeds %s (%lld)",
              send_fn, id, len, msgmax_path, static_cast<long long>(max));
}

// The status of a failed msgsnd (errno intact).
int send_failed(size_t len, int id) {
  if (errno == EAGAIN) return would_block;  // IPC_NOWAIT on a full queue
  // EINVAL: a message longer than msgmax, or (the arguments being valid) a removed queue.
  if (errno == EINVAL) {
    const int rc = check_message_size(len, id);
    if (rc != PIPC_OK) return rc;
  }
  return sysv_id_fail(send_fn, "msgsnd", id);
}

int send_once(int id, const message_buffer &m, size_t len, int flags) {
  if (::msgsnd(id, m.message(), len, flags) == 0) return PIPC_OK;
  return send_failed(len, id);
}

// A message longer than the queue's max_bytes never fits: PIPC_EMSGSIZE rather
// than a wait without end.
int check_fits(size_t len, int id) {
  msqid_ds ds{};
  if (::msgctl(id, IPC_STAT, &ds) != 0) return sysv_id_fail(send_fn, "msgctl(IPC_STAT)", id);
  if (len <= ds.msg_qbytes) return PIPC_OK;
  return fail(PIPC_EMSGSIZE, EMSGSIZE,
              "%s: id %d: a message of %zu bytes never fits in the queue's max_bytes (%llu)",
              send_fn, id, len, static_cast<unsigned long long>(ds.msg_qbytes));
}

// The part of a send after the first try found the queue full.
int send_wait(call<pipc_sysv_mq> &q, const message_buffer &m, size_t len, int64_t timeout_ns) {
  const int id = q->id;
  if (timeout_ns == 0) {
    return fail(PIPC_EAGAIN, EAGAIN, "%s: id %d: the queue is full", send_fn, id);
  }
  const int rc = check_fits(len, id);
  if (rc != PIPC_OK) return rc;
  const pinned<sysv_mq> mq = q.pin();
  return wait_polling(*mq, send_fn, timeout_ns, [&] { return send_once(id, m, len, IPC_NOWAIT); });
}

// ---- Receive -------------------------------------------------------------------

struct receive_request {
  int id;
  char *buf;
  size_t cap;
  long type;
  bool truncate;
};

// The status of a failed msgrcv (errno intact) that asked for up to CAP bytes.
int receive_failed(const receive_request &r) {
  switch (errno) {
    case ENOMSG: return would_block;  // IPC_NOWAIT and no matching message
    case E2BIG:
      return fail(PIPC_EMSGSIZE, E2BIG,
                  "%s: id %d: the message is longer than cap (%zu bytes) and stays queued "
                  "(PIPC_SYSV_MSG_TRUNCATE cuts it)",
                  receive_fn, r.id, r.cap);
    default: return sysv_id_fail(receive_fn, "msgrcv", r.id);
  }
}

// One receive into M, copied out on success: PIPC_OK, would_block or a failure.
int receive_once(size_t *len_out, int64_t *type_out, const receive_request &r,
                 message_buffer &m, int flags) {
  // Asks for what the buffer holds (or the usual msgmax) when CAP is more: a
  // longer message then gives E2BIG, stays queued, and is asked for again with
  // room for it, up to CAP. Only a request for CAP itself may truncate.
  constexpr size_t usual_msgmax = 8192;
  size_t want = std::min(r.cap, std::max(m.room(), usual_msgmax));
  for (;;) {
    if (!m.reserve(want)) return no_memory(receive_fn, want);
    const bool whole = want == r.cap;
    const int noerror = whole && r.truncate ? MSG_NOERROR : 0;
    const ssize_t n = ::msgrcv(r.id, m.message(), want, r.type, flags | noerror);
    if (n >= 0) {
      if (n > 0) std::memcpy(r.buf, m.text(), static_cast<size_t>(n));
      *len_out = static_cast<size_t>(n);
      if (type_out != nullptr) *type_out = m.type();
      return PIPC_OK;
    }
    if (errno != E2BIG || whole) return receive_failed(r);
    const size_t limit = static_cast<size_t>(sysv_mq_message_size_max());
    want = want > r.cap / 2 ? r.cap : std::min(r.cap, std::max(2 * want, limit));
  }
}

// ---- Control -------------------------------------------------------------------

// Makes the handle for queue ID (see adopt_sysv).
template <class Setup>
int make_handle(pipc_sysv_mq **out, int id, int64_t key, bool created, const char *function,
                Setup setup) {
  return adopt_sysv(out, new (std::nothrow) sysv_mq(id, key, created), id, created, function,
                    setup, [](int removed) { ::msgctl(removed, IPC_RMID, nullptr); });
}

// msgctl on MQ, the shape sysv_update wants.
auto msgctl_of(const sysv_mq &mq) {
  return [id = mq.id](int cmd, msqid_ds *ds) { return ::msgctl(id, cmd, ds); };
}

}  // namespace

int64_t sysv_mq_message_size_max() noexcept { return read_proc_integer(msgmax_path, 8192); }

int64_t sysv_mq_default_max_bytes() noexcept { return read_proc_integer(msgmnb_path, 16384); }

int sysv_mq_open(pipc_sysv_mq **out, int64_t key, const pipc_sysv_mq_options &opts) {
  static const char fn[] = "pipc_sysv_mq_open";
  const sysv_open_result r = sysv_open(key, opts.flags, [&](key_t k, int ipc_flags) {
    return ::msgget(k, ipc_flags | static_cast<int>(opts.mode));
  });
  if (r.err == ENOSPC) {
    return fail(PIPC_ELIMIT, ENOSPC, "%s: msgget on key 0x%08x: the system's limit of queues "
                "/proc/sys/kernel/msgmni (%lld) is reached", fn, static_cast<unsigned>(r.key),
                static_cast<long long>(read_proc_integer("/proc/sys/kernel/msgmni", 32000)));
  }
  if (r.err != 0) {
    errno = r.err;
    return sysv_key_fail("pipc_sysv_mq_open: msgget", r.key);
  }
  return make_handle(out, r.id, r.key, r.created, fn, [&](const sysv_mq &mq) {
    // max_bytes is for a new queue only: an existing one keeps its own.
    return r.created && opts.max_bytes != 0 ? sysv_mq_set_max_bytes(mq, opts.max_bytes, fn)
                                            : PIPC_OK;
  });
}

int sysv_mq_open_id(pipc_sysv_mq **out, int id) {
  msqid_ds ds{};
  if (::msgctl(id, IPC_STAT, &ds) != 0) {
    return sysv_id_fail("pipc_sysv_mq_open_id", "msgctl(IPC_STAT)", id);
  }
  return make_handle(out, id, ds.msg_perm.__key, false, "pipc_sysv_mq_open_id",
                     nothing_to_set_up);
}

int sysv_mq_dup(pipc_sysv_mq **out, const sysv_mq &mq) {
  return make_handle(out, mq.id, mq.key, false, "pipc_sysv_mq_dup",
                     nothing_to_set_up);
}

int sysv_mq_send(call<pipc_sysv_mq> &q, const void *data, size_t len, long type,
                 int64_t timeout_ns) noexcept {
  const int id = q->id;
  message_buffer m;
  if (__builtin_expect(!m.fits(len), 0)) {
    // Checked before the buffer grows, so that an absurd length allocates nothing.
    const int rc = check_message_size(len, id);
    if (rc != PIPC_OK) return rc;
    if (!m.reserve(len)) return no_memory(send_fn, len);
  }
  m.set_type(type);
  if (len != 0) std::memcpy(m.text(), data, len);
  if (::msgsnd(id, m.message(), len, IPC_NOWAIT) == 0) return PIPC_OK;
  const int rc = send_failed(len, id);
  return rc == would_block ? send_wait(q, m, len, timeout_ns) : rc;
}

int sysv_mq_receive(size_t *len_out, int64_t *type_out, call<pipc_sysv_mq> &q, void *buf,
                    size_t cap, long type, bool truncate, int64_t timeout_ns) noexcept {
  const receive_request r{q->id, static_cast<char *>(buf), cap, type, truncate};
  message_buffer m;
  const int rc = receive_once(len_out, type_out, r, m, IPC_NOWAIT);
  if (rc != would_block) return rc;
  if (timeout_ns == 0) {
    return fail(PIPC_EAGAIN, ENOMSG, "%s: id %d: no message of type %ld is queued", receive_fn,
                r.id, type);
  }
  const pinned<sysv_mq> mq = q.pin();
  return wait_polling(*mq, receive_fn, timeout_ns,
                      [&] { return receive_once(len_out, type_out, r, m, IPC_NOWAIT); });
}

int sysv_mq_stat(msqid_ds &out, const sysv_mq &mq, const char *function) noexcept {
  if (::msgctl(mq.id, IPC_STAT, &out) == 0) return PIPC_OK;
  return sysv_fail(function, "msgctl(IPC_STAT)", mq);
}

int sysv_mq_set_max_bytes(const sysv_mq &mq, uint64_t max_bytes,
                          const char *function) noexcept {
  const int rc = sysv_update<msqid_ds>(mq, function, msgctl_of(mq), [&](msqid_ds &ds) {
    ds.msg_qbytes = static_cast<msglen_t>(max_bytes);
    return PIPC_OK;
  });
  // IPC_SET gives EPERM to a process that is not the owner or creator, and to one
  // without CAP_SYS_RESOURCE that raises max_bytes above msgmnb.
  if (rc != PIPC_EACCES || last_errno() != EPERM) return rc;
  const int64_t msgmnb = sysv_mq_default_max_bytes();
  if (max_bytes <= static_cast<uint64_t>(msgmnb)) return rc;
  return fail(PIPC_EACCES, EPERM,
              "%s: key 0x%08x id %d: raising max_bytes to %llu, above %s (%lld), needs "
              "CAP_SYS_RESOURCE",
              function, static_cast<unsigned>(mq.key), mq.id,
              static_cast<unsigned long long>(max_bytes), msgmnb_path,
              static_cast<long long>(msgmnb));
}

int sysv_mq_set_perm(const sysv_mq &mq, int64_t uid, int64_t gid, int64_t mode,
                     const char *function) noexcept {
  return sysv_set_perm(mq, uid, gid, mode, function, msgctl_of(mq), &msqid_ds::msg_perm);
}

}  // namespace pipc::core
