// Package handle holds the C handle of a Go object (a Semaphore, a MessageQueue, ...).
//
// The C library makes a handle safe to use around its close by itself: a handle is a
// number, not an address, and after pipc_X_close(h) every call with h (a second close
// included) returns PIPC_EBADHANDLE, from any thread, forever; a call racing the close
// either completes or gets PIPC_EBADHANDLE; and the close ends every call blocked on h
// with PIPC_EBADHANDLE. So a call passes the handle straight to C, and errs turns
// PIPC_EBADHANDLE into ErrClosed. Close swaps the handle to 0 and closes it, once; a
// later call passes 0, which C refuses as it refuses every closed handle.
//
// What stays the Go side's to do: keep the Go object reachable for the length of each
// call (its finalizer closes it, which would end the call), and guard the memory that
// Go itself maps (package mapping; shared memory keeps its own lock for that).
package handle

import (
	"runtime"
	"sync/atomic"
	"time"

	"libpipc.dev/pipc/internal/errs"
)

// Handle is a C handle (pipc_sem *, ...) and what its Go object needs to close it.
// It lives inside that object (not behind a pointer of its own), so a call that holds
// the Handle holds the object, and the object's finalizer cannot run during the call.
type Handle struct {
	p      uintptr           // the C handle; 0 once Close took it (atomic)
	closed chan struct{}     // closed by that Close: ends the Context waits' duplicates
	closeC func(uintptr) int // pipc_X_close
	dupC   func([]uintptr, uintptr) int
}

// Init sets a new handle: the open C handle p, its family's close and, for the
// families whose Context waits run on a duplicate (WaitContext), its dup.
func (h *Handle) Init(p uintptr, closeC func(uintptr) int, dupC func([]uintptr, uintptr) int) {
	h.p, h.closed, h.closeC, h.dupC = p, make(chan struct{}), closeC, dupC
}

// Get is the C handle, or 0 after Close.
func (h *Handle) Get() uintptr { return atomic.LoadUintptr(&h.p) }

// Close closes the C handle, which ends the calls blocked on it; only the first Close
// does, and reports true.
func (h *Handle) Close() bool {
	p := atomic.SwapUintptr(&h.p, 0)
	if p == 0 {
		return false
	}
	h.closeC(p)
	close(h.closed)
	return true
}

// Call runs one native call f on the handle and checks its result (see errs.Check).
// After Close the handle is 0, which the C library refuses like any closed handle
// (PIPC_EBADHANDLE: ErrClosed), so the call needs no check of its own.
func (h *Handle) Call(op string, f func(p uintptr) int) (int, error) {
	r := f(atomic.LoadUintptr(&h.p))
	runtime.KeepAlive(h) // and so the object around h: its finalizer would close p
	return r, errs.Check(op, r)
}

// Wait runs a native call f on the handle that may block up to timeout (see
// errs.Wait). A Close ends it with ErrClosed.
func (h *Handle) Wait(op string, timeout time.Duration, f func(p uintptr, ns int64) int) (int, error) {
	if timeout > 0 {
		return h.waitBounded(op, timeout, f)
	}
	r := f(atomic.LoadUintptr(&h.p), errs.Timeout(timeout))
	runtime.KeepAlive(h)
	if r >= 0 {
		return r, nil
	}
	return h.failed(op, timeout, f, r)
}

// failed is Wait's result r < 0 (timeout <= 0): the error, or, when a signal
// interrupted the wait, the result of the wait made again.
//
//go:noinline
func (h *Handle) failed(op string, timeout time.Duration, f func(p uintptr, ns int64) int, r int) (int, error) {
	if err := errs.Check(op, r); !errs.Interrupted(err) {
		return r, err
	}
	return h.waitBounded(op, timeout, f)
}

// waitBounded is Wait for a timeout that errs.Wait must keep across interruptions
// (timeout > 0), or for a wait made again.
//
//go:noinline
func (h *Handle) waitBounded(op string, timeout time.Duration, f func(p uintptr, ns int64) int) (int, error) {
	r, err := errs.Wait(op, atomic.LoadUintptr(&h.p), timeout, f)
	runtime.KeepAlive(h)
	return r, err
}
