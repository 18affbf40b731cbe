#include "core/posix_mq.hpp"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <new>

#include "core/deadline.hpp"
#include "core/mq_notify.hpp"
#include "core/open_object.hpp"
#include "core/system.hpp"

pipc_mq::~pipc_mq() {
  pipc::core::mq_notify_forget(*this);
  mq_close(mqd);  // also drops this process's registration made through mqd
}

namespace pipc::core {
namespace {

int oflags_for(uint32_t access) {
  if (access == PIPC_READ) return O_RDONLY;
  if (access == PIPC_WRITE) return O_WRONLY;
  return O_RDWR;
}

// mq_open's EINVAL on create usually means a /proc/sys/fs/mqueue limit.
int open_failed(const std::string &name, const mq_attr *attr) {
  const int err = errno;
  if (err == EINVAL && attr != nullptr) {
    const int64_t msg_max = mq_limit_max_messages();
    const int64_t size_max = mq_limit_max_message_size();
    if (attr->mq_maxmsg > msg_max || attr->mq_msgsize > size_max) {
      return fail(PIPC_ELIMIT, err,
                  "mq_open on \"%s\": %ld messages of %ld bytes exceeds /proc/sys/fs/mqueue/"
                  "msg_max (%lld) or msgsize_max (%lld)",
                  name.c_str(), attr->mq_maxmsg, attr->mq_msgsize,
                  static_cast<long long>(msg_max), static_cast<long long>(size_max));
    }
  }
  if (err == EMFILE) {
    return fail(PIPC_ELIMIT, err,
                "mq_open on \"%s\": the queue would exceed RLIMIT_MSGQUEUE (ulimit -q) or the "
                "process has RLIMIT_NOFILE descriptors open", name.c_str());
  }
  if (err == ENOSPC) {
    return fail(PIPC_ELIMIT, err,
                "mq_open on \"%s\": /proc/sys/fs/mqueue/queues_max (%lld) queues exist",
                name.c_str(), static_cast<long long>(mq_limit_queues()));
  }
  return os_fail("mq_open", name.c_str());
}

int wait_failed(const char *function, const pipc_mq &mq, int err) {
  if (err == EINTR) return fail(PIPC_EINTR, EINTR, "%s: interrupted by a signal", function);
  if (err == EBADF) {
    return fail(PIPC_EACCES, EBADF, "%s: \"%s\" was not opened for this direction", function,
                mq.name.c_str());
  }
  errno = err;
  return os_fail(function, mq.name.c_str());
}

// Waits up to the deadline for EVENTS on the queue's descriptor.
// PIPC_OK when ready, else PIPC_ETIMEDOUT or PIPC_EINTR.
int wait_ready(const pipc_mq &mq, const deadline &until, short events, const char *function) {
  pollfd pfd{mq.mqd, events, 0};
  const timespec left = until.remaining();
  const int n = ppoll(&pfd, 1, until.forever() ? nullptr : &left, nullptr);
  if (n > 0) return PIPC_OK;
  if (n == 0) return fail(PIPC_ETIMEDOUT, ETIMEDOUT, "%s: timed out", function);
  return wait_failed(function, mq, errno);
}

}  // namespace

int mq_open(pipc_mq **out, const char *name, const pipc_mq_options &opts) {
  mq_attr attr{};
  const bool custom = opts.max_messages != 0 || opts.max_message_size != 0;
  if (custom) {
    attr.mq_maxmsg = opts.max_messages != 0 ? opts.max_messages : mq_default_max_messages();
    attr.mq_msgsize =
        opts.max_message_size != 0 ? opts.max_message_size : mq_default_max_message_size();
  }
  // The descriptor never blocks: pipc waits itself (see mq_send), and PIPC_NONBLOCK
  // only sets the handle's blocking flag.
  const int base = oflags_for(opts.access) | O_NONBLOCK;
  mqd_t mqd = -1;
  const open_result opened = open_object(name, opts.flags, [&](const char *n, open_mode mode) {
    mqd = mode == open_mode::create_exclusive
              ? ::mq_open(n, base | O_CREAT | O_EXCL, static_cast<mode_t>(opts.mode),
                          custom ? &attr : nullptr)
              : ::mq_open(n, base);
    return mqd == -1 ? errno : 0;
  });
  if (opened.err != 0) {
    errno = opened.err;
    return open_failed(opened.name, custom ? &attr : nullptr);
  }
  mq_attr actual{};
  int rc = PIPC_OK;
  if (::mq_getattr(mqd, &actual) != 0) rc = os_fail("mq_getattr", opened.name.c_str());
  pipc_mq *handle = nullptr;
  if (rc == PIPC_OK) {
    handle = new (std::nothrow) pipc_mq(mqd, opened.name, opened.created, opts.access,
                                        actual.mq_maxmsg, actual.mq_msgsize,
                                        !(opts.flags & PIPC_NONBLOCK));
    if (handle == nullptr) rc = fail(PIPC_ENOMEM, ENOMEM, "pipc_mq_open: no memory for the handle");
  }
  if (rc != PIPC_OK) {
    if (opened.created) ::mq_unlink(opened.name.c_str());
    ::mq_close(mqd);
    return rc;
  }
  *out = handle;
  return PIPC_OK;
}

// Both directions try once on the non-blocking descriptor, within the call's reader
// section; to wait, they trade that for a pin and wait in ppoll, which a signal
// always interrupts (a blocking mq_send or mq_receive is silently restarted under
// SA_RESTART) and which measures the timeout on CLOCK_MONOTONIC.
int mq_send(call<pipc_mq> &q, const char *data, size_t len, unsigned priority,
            int64_t timeout_ns) {
  static const char fn[] = "pipc_mq_send";
  pipc_mq &mq = *q;  // stays valid after q.pin()
  // An empty message may come with NULL data, but glibc declares the pointer non-null.
  if (data == nullptr) data = "";
  if (::mq_send(mq.mqd, data, len, priority) == 0) return PIPC_OK;
  if (errno != EAGAIN) return wait_failed(fn, mq, errno);
  if (timeout_ns == 0 || !mq.blocking.load(std::memory_order_relaxed)) {
    return fail(PIPC_EAGAIN, EAGAIN, "pipc_mq_send: the queue is full");
  }
  const pinned<pipc_mq> held = q.pin();
  const deadline until(timeout_ns);
  for (;;) {
    const int rc = wait_ready(mq, until, POLLOUT, fn);
    if (rc != PIPC_OK) return rc;
    if (::mq_send(mq.mqd, data, len, priority) == 0) return PIPC_OK;
    if (errno != EAGAIN) return wait_failed(fn, mq, errno);
    // Another sender took the room first: wait again with the time left.
  }
}

int mq_receive(size_t *len_out, unsigned *priority_out, call<pipc_mq> &q, char *buf, size_t cap,
               int64_t timeout_ns) {
  static const char fn[] = "pipc_mq_receive";
  pipc_mq &mq = *q;  // stays valid after q.pin()
  unsigned priority = 0;
  ssize_t n = ::mq_receive(mq.mqd, buf, cap, &priority);
  if (n < 0 && errno == EAGAIN) {
    if (timeout_ns == 0 || !mq.blocking.load(std::memory_order_relaxed)) {
      return fail(PIPC_EAGAIN, EAGAIN, "pipc_mq_receive: the queue is empty");
    }
    const pinned<pipc_mq> held = q.pin();
    const deadline until(timeout_ns);
    do {  // again while another receiver takes the message first
      const int rc = wait_ready(mq, until, POLLIN, fn);
      if (rc != PIPC_OK) return rc;
      n = ::mq_receive(mq.mqd, buf, cap, &priority);
    } while (n < 0 && errno == EAGAIN);
  }
  if (n < 0) return wait_failed(fn, mq, errno);
  *len_out = static_cast<size_t>(n);
  if (priority_out != nullptr) *priority_out = priority;
  return PIPC_OK;
}

int mq_current_messages(int64_t *out, pipc_mq &mq) {
  mq_attr attr{};
  if (::mq_getattr(mq.mqd, &attr) != 0) return os_fail("mq_getattr", mq.name.c_str());
  *out = attr.mq_curmsgs;
  return PIPC_OK;
}

}  // namespace pipc::core
