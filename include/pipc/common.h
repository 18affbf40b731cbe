/* libpipc: declarations shared by every family — export macro, flags, timeouts, capabilities. */
#ifndef PIPC_COMMON_H
#define PIPC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(PIPC_STATIC)
#  define PIPC_API
#elif defined(__GNUC__)
#  define PIPC_API __attribute__((visibility("default")))
#else
#  define PIPC_API
#endif

#ifdef __cplusplus
#  define PIPC_BEGIN_DECLS extern "C" {
#  define PIPC_END_DECLS }
#else
#  define PIPC_BEGIN_DECLS
#  define PIPC_END_DECLS
#endif

PIPC_BEGIN_DECLS

/* Open flags: pipc's own values, not the OS's O_* bits. */
#define PIPC_CREAT    0x1u  /* create the object if it does not exist */
#define PIPC_EXCL     0x2u  /* with PIPC_CREAT: fail with PIPC_EEXIST if it exists */
#define PIPC_CREX     (PIPC_CREAT | PIPC_EXCL)
#define PIPC_TRUNC    0x4u  /* shared memory: truncate an existing segment to size 0 first */
#define PIPC_NONBLOCK 0x8u  /* message queue: start in non-blocking mode */

/* Access bits for shared memory and message queue handles. */
#define PIPC_READ  0x1u
#define PIPC_WRITE 0x2u
#define PIPC_READ_WRITE (PIPC_READ | PIPC_WRITE)

/* Timeouts are relative, in nanoseconds, and kept as a deadline on CLOCK_MONOTONIC: a
 * change of the wall clock never moves it, and a process stopped and continued (SIGSTOP,
 * SIGCONT) that passed its deadline meanwhile returns at once.
 * PIPC_FOREVER waits without limit; 0 tries once; > 0 bounds the wait.
 *
 * Signals: a handler installed without SA_RESTART that runs during a wait ends it with
 * PIPC_EINTR. A handler installed with SA_RESTART resumes an unbounded POSIX semaphore wait
 * (as it resumes sem_wait); every other wait returns PIPC_EINTR after it too, since the
 * kernel restarts none of their calls. Treat PIPC_EINTR as "run your handlers, then call
 * again with the time left".
 *
 * Handles: a handle is a number, not an address. After pipc_X_close(h) returns, every call
 * with h, from any thread and forever, returns PIPC_EBADHANDLE (a second close too), and no
 * later open makes h valid again. A call racing the close either completes or gets
 * PIPC_EBADHANDLE. Closing a handle ends every call blocked on it in this process with
 * PIPC_EBADHANDLE, at once. The object itself, and the other handles to it, are left as they
 * were: close never unlinks, and changes nothing another process sees.
 * pipc_X_dup(&copy, h) opens a second handle to h's object, with a close of its own. */
#define PIPC_FOREVER ((int64_t)-1)
/* The same as PIPC_FOREVER (once a separate mode for POSIX semaphore waits; kept so that
 * callers that pass it keep working). */
#define PIPC_FOREVER_RESTARTABLE ((int64_t)-2)

/* Default permission bits of new objects (as posix_ipc and sysv_ipc). */
#define PIPC_DEFAULT_MODE 0600u

/* 1 if this build and the running system offer FEATURE, else 0. Known features:
 * "posix_sem", "sem_timedwait", "sem_clockwait", "sem_getvalue", "posix_shm",
 * "posix_mq", "mq_notify", "sysv". Unknown names (and NULL) give 0. */
PIPC_API int pipc_has(const char *feature);

/* Run-time constants, read from the running system when called. */
PIPC_API int64_t pipc_page_size(void);
PIPC_API int64_t pipc_sem_value_max(void);
PIPC_API int64_t pipc_mq_priority_max(void);          /* highest valid priority */
PIPC_API int64_t pipc_mq_default_max_messages(void);  /* /proc/sys/fs/mqueue/msg_default */
PIPC_API int64_t pipc_mq_default_max_message_size(void); /* .../msgsize_default */
PIPC_API int64_t pipc_mq_limit_max_messages(void);    /* .../msg_max */
PIPC_API int64_t pipc_mq_limit_max_message_size(void); /* .../msgsize_max */
PIPC_API int64_t pipc_mq_limit_queues(void);          /* .../queues_max */
PIPC_API int pipc_signal_min(void);                   /* SIGRTMIN as the C library sees it */
PIPC_API int pipc_signal_max(void);                   /* SIGRTMAX */

PIPC_END_DECLS

#endif
