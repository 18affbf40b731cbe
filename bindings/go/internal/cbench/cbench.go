// Package cbench is the C side of the benchmarks: the same operations as the Go
// benchmarks, in loops that run entirely in C (one cgo call per loop, not per
// operation), so that b.N operations cost what they cost a C program. Test code
// cannot use cgo itself, hence this package.
package cbench

/*
#cgo pkg-config: libpipc
#include <stdlib.h>
#include <string.h>
#include <pipc.h>

static int cb_sem_pairs(pipc_sem *s, long n) {
  for (long i = 0; i < n; ++i)
    if (pipc_sem_release(s) != 0 || pipc_sem_acquire(s, PIPC_FOREVER) != 0) return -1;
  return 0;
}

static int cb_mq_pairs(pipc_mq *q, long n, void *buf, size_t cap) {
  static const char msg[16] = "0123456789abcdef";
  size_t len;
  unsigned prio;
  for (long i = 0; i < n; ++i)
    if (pipc_mq_send(q, msg, sizeof msg, 0, PIPC_FOREVER) != 0 ||
        pipc_mq_receive(&len, &prio, q, buf, cap, PIPC_FOREVER) != 0) return -1;
  return 0;
}

static int cb_mutex_pairs(pipc_mutex *m, long n) {
  for (long i = 0; i < n; ++i)
    if (pipc_mutex_lock(m, PIPC_FOREVER) != 0 || pipc_mutex_unlock(m) != 0) return -1;
  return 0;
}

static void cb_copy(void *dst, const void *src, size_t len, long n) {
  for (long i = 0; i < n; ++i) {
    memcpy(dst, src, len);
    __asm__ volatile("" ::: "memory");  // every copy happens
  }
}

static pipc_sem *cb_sem_open(void) {
  pipc_sem *s = NULL;
  pipc_sem_options o = PIPC_SEM_OPTIONS_INIT;
  o.flags = PIPC_CREX;
  if (pipc_sem_open(&s, NULL, &o) != 0) return NULL;
  pipc_sem_unlink(s);
  return s;
}

static pipc_mutex *cb_mutex_open(void) {
  pipc_mutex *m = NULL;
  pipc_mutex_options o = PIPC_MUTEX_OPTIONS_INIT;
  o.flags = PIPC_CREX;
  if (pipc_mutex_open(&m, NULL, &o) != 0) return NULL;
  pipc_mutex_unlink(m);
  return m;
}

static pipc_mq *cb_mq_open(void) {
  pipc_mq *q = NULL;
  pipc_mq_options o = PIPC_MQ_OPTIONS_INIT;
  o.flags = PIPC_CREX;
  o.max_messages = 1;
  o.max_message_size = 16;
  if (pipc_mq_open(&q, NULL, &o) != 0) return NULL;
  pipc_mq_unlink(q);
  return q;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

var errSetup = errors.New("cbench: could not open a C object")

// SemPairs runs n pipc_sem_release + pipc_sem_acquire pairs on an unlinked semaphore.
func SemPairs(n int) error {
	s := C.cb_sem_open()
	if s == nil {
		return errSetup
	}
	defer C.pipc_sem_close(s)
	if C.cb_sem_pairs(s, C.long(n)) != 0 {
		return errors.New("cbench: semaphore pair failed")
	}
	return nil
}

// MQPairs runs n 16-byte pipc_mq_send + pipc_mq_receive pairs on an unlinked queue of
// one 16-byte message.
func MQPairs(n int) error {
	q := C.cb_mq_open()
	if q == nil {
		return errSetup
	}
	defer C.pipc_mq_close(q)
	buf := C.malloc(16)
	defer C.free(buf)
	if C.cb_mq_pairs(q, C.long(n), buf, 16) != 0 {
		return errors.New("cbench: message queue pair failed")
	}
	return nil
}

// MutexPairs runs n pipc_mutex_lock + pipc_mutex_unlock pairs on an unlinked mutex
// (uncontended), all on one thread: the one C call runs on.
func MutexPairs(n int) error {
	m := C.cb_mutex_open()
	if m == nil {
		return errSetup
	}
	defer C.pipc_mutex_close(m)
	if C.cb_mutex_pairs(m, C.long(n)) != 0 {
		return errors.New("cbench: mutex pair failed")
	}
	return nil
}

// Copy runs n memcpys of src into dst (len(src) bytes; both non-empty, dst from a
// mapping).
func Copy(dst, src []byte, n int) {
	C.cb_copy(unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[0]), C.size_t(len(src)), C.long(n))
}
