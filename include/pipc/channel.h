/* libpipc: channels, message queues in shared memory. */
#ifndef PIPC_CHANNEL_H
#define PIPC_CHANNEL_H

#include "pipc/common.h"

PIPC_BEGIN_DECLS

/* A channel is a ring of fixed-size slots in a POSIX shared memory segment of its own
 * (NAME as for pipc_shm_open), behind the versioned header of pipc_mutex(3). Any number
 * of processes and threads may send and receive at once; messages keep their order per
 * sender, and none is torn, lost or delivered twice. Sending and receiving make no system
 * call unless a thread must wait or be woken: waiters sleep on futexes in the segment
 * (optionally after a bounded spin, pipc_channel_set_spin), and a sender or receiver
 * wakes one only when one waits. A process killed in the middle of any call, zero-copy
 * ones included, never wedges the channel: the slot it held is found (the kernel's robust
 * futex list marks it) and refilled or delivered by the next process that needs it. Waits
 * end with PIPC_EINTR when a signal handler installed without SA_RESTART runs, and with
 * PIPC_EBADHANDLE at once when their handle is closed; timeouts are kept on
 * CLOCK_MONOTONIC. None of these functions is async-signal-safe. */
typedef struct pipc_channel pipc_channel;

#define PIPC_CHANNEL_OPTIONS_VERSION 1u

typedef struct pipc_channel_options {
  uint32_t version;          /* PIPC_CHANNEL_OPTIONS_VERSION */
  uint32_t flags;            /* PIPC_CREAT, PIPC_EXCL */
  uint32_t mode;             /* permission bits of a new channel */
  uint32_t slots;            /* a new channel's capacity in messages: a power of two, 1 .. 65536 */
  uint32_t max_message_size; /* a new channel's largest message in bytes: 1 .. 16 MiB */
} pipc_channel_options;

#define PIPC_CHANNEL_OPTIONS_INIT { PIPC_CHANNEL_OPTIONS_VERSION, 0u, PIPC_DEFAULT_MODE, 64u, 1024u }

PIPC_API void pipc_channel_options_init(pipc_channel_options *opts);

/* Opens (or creates, per opts->flags) the channel NAME; a NULL name creates one with a
 * random unused name. An existing channel keeps its own slots and message size (see
 * pipc_channel_attributes). NULL opts means PIPC_CHANNEL_OPTIONS_INIT. */
PIPC_API int pipc_channel_open(pipc_channel **out, const char *name,
                               const pipc_channel_options *opts);

/* Opens another handle to the channel of CHANNEL, also after its name was unlinked. */
PIPC_API int pipc_channel_dup(pipc_channel **out, pipc_channel *channel);

/* Ends the calls blocked on the handle (PIPC_EBADHANDLE) and releases it; NULL is a no-op.
 * A slot the handle holds for a zero-copy call of the calling thread is given back
 * unused: a reserved slot unsent, a peeked message left for the next receiver. One held
 * by another thread stays held (its commit, cancel or release then gets PIPC_EBADHANDLE)
 * until that thread ends, as if it had died. Never unlinks. */
PIPC_API int pipc_channel_close(pipc_channel *channel);

/* Sends LEN bytes (at most the channel's max_message_size, else PIPC_EMSGSIZE), waiting
 * up to timeout_ns (PIPC_FOREVER, 0, or > 0) for a free slot: PIPC_EAGAIN when a try finds
 * the channel full, PIPC_ETIMEDOUT when the time runs out. */
PIPC_API int pipc_channel_send(pipc_channel *channel, const void *data, size_t len,
                               int64_t timeout_ns);

/* Receives the next message into BUF, waiting up to timeout_ns for one; its length in
 * *len_out. A message longer than CAP stays in the channel: PIPC_EMSGSIZE, with its
 * length in *len_out. */
PIPC_API int pipc_channel_receive(size_t *len_out, pipc_channel *channel, void *buf, size_t cap,
                                  int64_t timeout_ns);

/* Zero-copy sending: takes a free slot (waiting as pipc_channel_send does) and gives its
 * max_message_size bytes in *slot_out to write in place; pipc_channel_commit(LEN) then
 * sends the first LEN bytes, or pipc_channel_cancel gives the slot back unsent. A handle
 * holds at most one reserved slot (PIPC_EINVAL for a second), and the thread that
 * reserved it must commit or cancel it (PIPC_EACCES for another). */
PIPC_API int pipc_channel_reserve(void **slot_out, pipc_channel *channel, int64_t timeout_ns);
PIPC_API int pipc_channel_commit(pipc_channel *channel, size_t len);
PIPC_API int pipc_channel_cancel(pipc_channel *channel);

/* Zero-copy receiving: takes the next message (waiting as pipc_channel_receive does) and
 * gives its bytes in place, valid until pipc_channel_release, which frees the slot. The
 * same rules as for reserve hold: one peeked message per handle, released by its thread. */
PIPC_API int pipc_channel_peek(const void **data_out, size_t *len_out, pipc_channel *channel,
                               int64_t timeout_ns);
PIPC_API int pipc_channel_release(pipc_channel *channel);

typedef struct pipc_channel_attributes {
  uint32_t slots;            /* capacity in messages */
  uint32_t max_message_size; /* bytes */
  uint32_t messages;         /* messages in the channel now (a snapshot) */
} pipc_channel_attributes;

PIPC_API int pipc_channel_attributes_get(pipc_channel_attributes *out, pipc_channel *channel);

/* How long this handle's waits spin (re-reading the channel, no system call) before they
 * sleep: 0, the default, sleeps at once; at most 1000000 (1 ms). Spinning trades a core's
 * time for latency; it helps only when sender and receiver run on different cores. */
PIPC_API int pipc_channel_set_spin(pipc_channel *channel, uint32_t spin_ns);

PIPC_API const char *pipc_channel_name(pipc_channel *channel);
PIPC_API int pipc_channel_created(pipc_channel *channel);
PIPC_API int pipc_channel_unlink(pipc_channel *channel);
PIPC_API int pipc_channel_unlink_name(const char *name);

PIPC_END_DECLS

#endif
