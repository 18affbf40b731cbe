// Package handle holds the C handle of a Go object (a Semaphore, a MessageQueue, ...).
//
// The C library makes a handle safe to use around its close by itself: a handle is a
// number, not an address, and after pipc_X_close(h) every call with h (a second close
// included) returns PIPC_EBADHANDLE, from any thread, forever; a call racing the close
// either completes or gets PIPC_EBADHANDLE; and the close ends every call blocked on h
// with PIPC_EBADHANDLE. So a call passes the handle straight to C, and errs turns
// PIPC_EBADHANDLE into ErrClosed. Close swaps the handle to 0 and closes it, once.
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

// Init sets a new handle: the open C handle p, its family's close and (for the
// families that wait) dup.
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
func (h *Handle) Call(op string, f func(p uintptr) int) (int, error) {
	p := atomic.LoadUintptr(&h.p)
	if p == 0 {
		return 0, errs.Closed(op)
	}
	r := f(p)
	runtime.KeepAlive(h) // and so the object around h: its finalizer would close p
	return r, errs.Check(op, r)
}

// Wait runs a native call f on the handle that may block up to timeout (see
// errs.Wait). A Close ends it with ErrClosed.
func (h *Handle) Wait(op string, timeout time.Duration, f func(p uintptr, ns int64) int) (int, error) {
	p := atomic.LoadUintptr(&h.p)
	if p == 0 {
		return 0, errs.Closed(op)
	}
	r, err := errs.Wait(op, p, timeout, f)
	runtime.KeepAlive(h)
	return r, err
}
