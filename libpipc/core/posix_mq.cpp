#include "core/posix_mq.hpp"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <new>

#include "core/deadline.hpp"
#include "core/mq_limits.hpp"
#include "core/mq_notify.hpp"
#include "core/open_object.hpp"
#include "core/system.hpp"
#include "core/waits.hpp"

namespace pipc::core {

posix_mq::~posix_mq() {
  mq_notify_forget(*this);
  mq_close(mqd);  // also drops this process's registration made through mqd
}

namespace {

int oflags_for(uint32_t access) {
  if (access == PIPC_READ) return O_RDONLY;
  if (access == PIPC_WRITE) return O_WRONLY;
  return O_RDWR;
}

int wait_failed(const char *function, const posix_mq &mq, int err) {
  if (err == EINTR) return fail(PIPC_EINTR, EINTR, "%s: interrupted by a signal", function);
  if (err == EBADF) {
    return fail(PIPC_EACCES, EBADF, "%s: \"%s\" was not opened for this direction", function,
                mq.name.c_str());
  }
  errno = err;
  return os_fail(function, mq.name.c_str());
}

// Waits up to the deadline for EVENTS on the queue's descriptor, or for its close.
// PIPC_OK when ready, else PIPC_ETIMEDOUT, PIPC_EINTR or PIPC_EBADHANDLE.
int wait_ready(posix_mq &mq, const deadline &until, short events, const char *function) {
  switch (wait_descriptor(mq, mq.mqd, events, until)) {
    case woken::again: return PIPC_OK;
    case woken::closed:
      return closed_while_waiting(function);
    case woken::timed_out: return fail(PIPC_ETIMEDOUT, ETIMEDOUT, "%s: timed out", function);
    case woken::interrupted: return wait_failed(function, mq, EINTR);
    case woken::failed: break;
  }
  return os_fail(function, mq.name.c_str());
}

// Makes the handle for descriptor MQD. On failure the descriptor is closed and a
// queue this open created is unlinked.
int make_handle(pipc_mq **out, mqd_t mqd, const std::string &name, bool created, uint32_t access,
                const mq_attr &attr, bool blocking, const char *function) {
  posix_mq *object = new (std::nothrow)
      posix_mq(mqd, name, created, access, attr.mq_maxmsg, attr.mq_msgsize, blocking);
  const int rc = object != nullptr
                     ? publish(out, object, function)
                     : fail(PIPC_ENOMEM, ENOMEM, "%s: no memory for the handle", function);
  if (rc != PIPC_OK) {
    if (created) ::mq_unlink(name.c_str());
    if (object != nullptr) {
      delete object;  // closes the descriptor
    } else {
      ::mq_close(mqd);
    }
  }
  return rc;
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
    return mq_open_failed(opened.name, custom ? &attr : nullptr);
  }
  mq_attr actual{};
  if (::mq_getattr(mqd, &actual) != 0) {
    const int rc = os_fail("mq_getattr", opened.name.c_str());
    if (opened.created) ::mq_unlink(opened.name.c_str());
    ::mq_close(mqd);
    return rc;
  }
  return make_handle(out, mqd, opened.name, opened.created, opts.access, actual,
                     !(opts.flags & PIPC_NONBLOCK), "pipc_mq_open");
}

int mq_dup(pipc_mq **out, const posix_mq &mq) {
  const int fd = fcntl(mq.mqd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return os_fail("pipc_mq_dup: fcntl(F_DUPFD_CLOEXEC)", mq.name.c_str());
  mq_attr attr{};
  attr.mq_maxmsg = mq.max_messages;
  attr.mq_msgsize = mq.max_message_size;
  return make_handle(out, fd, mq.name, false, mq.access, attr,
                     mq.blocking.load(std::memory_order_relaxed), "pipc_mq_dup");
}

// Both directions try once on the non-blocking descriptor, within the call's reader
// section; to wait, they trade that for a pin and wait in ppoll (waits.hpp), which
// a signal handler always interrupts (a blocking mq_send or mq_receive is silently
// restarted under SA_RESTART), and which close ends.
int mq_send(call<pipc_mq> &q, const char *data, size_t len, unsigned priority,
            int64_t timeout_ns) {
  static const char fn[] = "pipc_mq_send";
  posix_mq &mq = *q;  // stays valid after q.pin()
  // An empty message may come with NULL data, but glibc declares the pointer non-null.
  if (data == nullptr) data = "";
  if (::mq_send(mq.mqd, data, len, priority) == 0) return PIPC_OK;
  if (errno != EAGAIN) return wait_failed(fn, mq, errno);
  if (timeout_ns == 0 || !mq.blocking.load(std::memory_order_relaxed)) {
    return fail(PIPC_EAGAIN, EAGAIN, "pipc_mq_send: the queue is full");
  }
  const pinned<posix_mq> held = q.pin();
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
  posix_mq &mq = *q;  // stays valid after q.pin()
  unsigned priority = 0;
  ssize_t n = ::mq_receive(mq.mqd, buf, cap, &priority);
  if (n < 0 && errno == EAGAIN) {
    if (timeout_ns == 0 || !mq.blocking.load(std::memory_order_relaxed)) {
      return fail(PIPC_EAGAIN, EAGAIN, "pipc_mq_receive: the queue is empty");
    }
    const pinned<posix_mq> held = q.pin();
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

int mq_current_messages(int64_t *out, const posix_mq &mq) {
  mq_attr attr{};
  if (::mq_getattr(mq.mqd, &attr) != 0) return os_fail("mq_getattr", mq.name.c_str());
  *out = attr.mq_curmsgs;
  return PIPC_OK;
}

}  // namespace pipc::core
