// Package handle guards a C handle against use after its close: a call holds the
// handle from Enter to Leave, and the C close runs when the handle is closed and no
// call holds it any more, exactly once. Close never waits for a call in flight (one
// may be blocked without limit), and the C library lets such a call finish safely.
package handle

import (
	"sync/atomic"
	"time"

	"libpipc.dev/pipc/internal/errs"
)

const (
	closed   = 1 // Close was called
	released = 2 // the C close ran
	oneCall  = 4 // each call in flight adds this
)

// Handle is a C handle (pipc_sem *, ...) and the state of its Go owner.
type Handle struct {
	ptr   uintptr
	state int64
	close func(uintptr)
}

// New wraps an open C handle; closeC releases it (pipc_X_close).
func New(ptr uintptr, closeC func(uintptr)) *Handle {
	return &Handle{ptr: ptr, close: closeC}
}

// Enter holds the handle for one call; false once Close was called.
func (h *Handle) Enter() (uintptr, bool) {
	if atomic.AddInt64(&h.state, oneCall)&closed != 0 {
		h.Leave()
		return 0, false
	}
	return h.ptr, true
}

// Leave ends a call that Enter began.
func (h *Handle) Leave() {
	if atomic.AddInt64(&h.state, -oneCall) == closed {
		h.release()
	}
}

// Close marks the handle closed; the C close runs now, or when the last call in flight
// leaves. It reports whether this was the first Close.
func (h *Handle) Close() bool {
	for {
		old := atomic.LoadInt64(&h.state)
		if old&closed != 0 {
			return false
		}
		if atomic.CompareAndSwapInt64(&h.state, old, old|closed) {
			if old == 0 {
				h.release()
			}
			return true
		}
	}
}

// Closed reports whether Close was called.
func (h *Handle) Closed() bool { return atomic.LoadInt64(&h.state)&closed != 0 }

// release is apart from Leave so that Leave inlines into every call.
//
//go:noinline
func (h *Handle) release() {
	if atomic.CompareAndSwapInt64(&h.state, closed, closed|released) {
		h.close(h.ptr)
	}
}

// Call runs one native call f on the handle and checks its result (see errs.Check).
func (h *Handle) Call(op string, f func(p uintptr) int) (int, error) {
	p, ok := h.Enter()
	if !ok {
		return 0, errs.Closed(op)
	}
	r := f(p)
	err := errs.Check(op, r)
	h.Leave()
	return r, err
}

// Wait runs a native call f on the handle that may block up to timeout (see
// errs.Timeout), retrying it when a signal interrupts it (errs.Retry).
func (h *Handle) Wait(op string, timeout time.Duration, f func(p uintptr, ns int64) int) (int, error) {
	p, ok := h.Enter()
	if !ok {
		return 0, errs.Closed(op)
	}
	var start time.Time // only a bounded wait needs it, to retry with the time left
	if timeout > 0 {
		start = time.Now()
	}
	r := f(p, errs.Timeout(timeout))
	err := errs.Check(op, r)
	if errs.Interrupted(err) {
		r, err = errs.Retry(timeout, start, func(ns int64) (int, error) {
			return errs.Call(op, func() int { return f(p, ns) })
		})
	}
	h.Leave()
	return r, err
}
