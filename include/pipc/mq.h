/* libpipc: POSIX message queues. */
#ifndef PIPC_MQ_H
#define PIPC_MQ_H

#include "pipc/common.h"

PIPC_BEGIN_DECLS

typedef struct pipc_mq pipc_mq;

#define PIPC_MQ_OPTIONS_VERSION 1u

typedef struct pipc_mq_options {
  uint32_t version;         /* PIPC_MQ_OPTIONS_VERSION */
  uint32_t flags;           /* PIPC_CREAT, PIPC_EXCL, PIPC_NONBLOCK */
  uint32_t mode;            /* permission bits of a new queue */
  uint32_t access;          /* PIPC_READ, PIPC_WRITE or both */
  int64_t max_messages;     /* new queue's capacity; 0: pipc_mq_default_max_messages() */
  int64_t max_message_size; /* new queue's message size; 0: pipc_mq_default_max_message_size() */
} pipc_mq_options;

#define PIPC_MQ_OPTIONS_INIT { PIPC_MQ_OPTIONS_VERSION, 0u, PIPC_DEFAULT_MODE, PIPC_READ_WRITE, 0, 0 }

PIPC_API void pipc_mq_options_init(pipc_mq_options *opts);

/* Opens (or creates) the queue NAME; a NULL name creates one with a random name. */
PIPC_API int pipc_mq_open(pipc_mq **out, const char *name, const pipc_mq_options *opts);

/* Opens another handle to the queue of MQ (a duplicate of its descriptor), with the same
 * access and blocking mode, also after the name was unlinked. Closing it, as closing any
 * handle of the queue, drops this process's notification registration (see pipc_mq_close). */
PIPC_API int pipc_mq_dup(pipc_mq **out, pipc_mq *mq);

/* Ends the calls blocked on the handle (PIPC_EBADHANDLE) and closes its descriptor. The
 * kernel then drops this process's notification registration for the queue, whichever of
 * the process's handles made it. */
PIPC_API int pipc_mq_close(pipc_mq *mq);

/* Sends LEN bytes with PRIORITY (0 .. pipc_mq_priority_max()), waiting up to timeout_ns
 * for room. In non-blocking mode every timeout acts as 0. */
PIPC_API int pipc_mq_send(pipc_mq *mq, const void *data, size_t len, unsigned priority,
                          int64_t timeout_ns);

/* Receives the oldest message of the highest priority into BUF, whose capacity must be at
 * least the queue's max message size (else PIPC_EMSGSIZE). priority_out may be NULL. */
PIPC_API int pipc_mq_receive(size_t *len_out, unsigned *priority_out, pipc_mq *mq, void *buf,
                             size_t cap, int64_t timeout_ns);

/* The per-handle blocking flag (1 blocking, the default; 0 non-blocking, as if every
 * timeout were 0). */
PIPC_API int pipc_mq_blocking(int *blocking_out, pipc_mq *mq);
PIPC_API int pipc_mq_set_blocking(pipc_mq *mq, int blocking);

/* Attributes: fixed at creation (max_*) and current. */
PIPC_API int pipc_mq_max_messages(int64_t *out, pipc_mq *mq);
PIPC_API int pipc_mq_max_message_size(int64_t *out, pipc_mq *mq);
PIPC_API int pipc_mq_current_messages(int64_t *out, pipc_mq *mq);

/* The descriptor, for poll/select/epoll; owned by the handle. It is always in
 * non-blocking mode (pipc waits in poll itself): leave its flags as they are. */
PIPC_API int pipc_mq_fd(int *fd_out, pipc_mq *mq);

/* Notification when the queue goes from empty to non-empty: one shot per registration,
 * re-armed by registering again. One process at a time may be registered on a queue:
 * while another is (or this handle already is), registering gives PIPC_EAGAIN. */
PIPC_API int pipc_mq_notify_signal(pipc_mq *mq, int signo);

typedef void (*pipc_mq_notify_fn)(void *arg);

/* Runs FN(ARG) once, on a new thread, when the queue becomes non-empty. */
PIPC_API int pipc_mq_notify_callback(pipc_mq *mq, pipc_mq_notify_fn fn, void *arg);

/* Cancels this process's registration for the queue (made through any handle); succeeds
 * when none is pending. */
PIPC_API int pipc_mq_notify_cancel(pipc_mq *mq);

/* The queue's name, owned by the handle and valid until it is closed; NULL for a bad handle. */
PIPC_API const char *pipc_mq_name(pipc_mq *mq);
PIPC_API int pipc_mq_created(pipc_mq *mq);

PIPC_API int pipc_mq_unlink(pipc_mq *mq);
PIPC_API int pipc_mq_unlink_name(const char *name);

PIPC_END_DECLS

#endif
