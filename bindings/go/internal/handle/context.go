package handle

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"libpipc.dev/pipc/internal/errs"
)

// watchers counts the watcher goroutines of the Context waits in progress.
var watchers int64

// Waits is the number of Context waits in progress past their first try, each with a
// watcher goroutine and a duplicate handle or an eventfd (the tests check that none
// is left behind).
func Waits() int64 { return atomic.LoadInt64(&watchers) }

// watch starts a Context wait's watcher goroutine, which runs wake when ctx is done
// (done is ctx.Done()) or h is closed. stop ends the watcher, and returns, once it is
// gone, what it woke the wait for: ctx.Err(), ErrClosed, or nil if it did not.
func (h *Handle) watch(ctx context.Context, done <-chan struct{}, wake func()) (stop func() error) {
	atomic.AddInt64(&watchers, 1)
	quit, finished := make(chan struct{}), make(chan struct{})
	var why error
	go func() {
		defer close(finished)
		select {
		case <-quit:
			return
		case <-done:
			why = ctx.Err()
		case <-h.closed:
			why = errs.ErrClosed
		}
		wake()
	}()
	return func() error {
		close(quit)
		<-finished // why is set, and the watcher gone
		atomic.AddInt64(&watchers, -1)
		return why
	}
}

// WaitContext is Wait with ctx in place of a timeout: the wait ends when ctx is done
// (with ctx.Err(), see errs.Context), at ctx's deadline, or when h is closed
// (ErrClosed). A ctx that can never be done makes a plain Wait without limit; a nil
// ctx is ErrInvalid.
//
// No single call on a handle can be cancelled, but a handle can be closed: the wait
// runs on a duplicate of h (pipc_X_dup), which a watcher goroutine closes when ctx is
// done or h is closed; that ends the wait with PIPC_EBADHANDLE, reported as ctx.Err()
// or ErrClosed. The watcher is gone, and the duplicate closed, when WaitContext returns.
func (h *Handle) WaitContext(ctx context.Context, op string, f func(p uintptr, ns int64) int) (int, error) {
	return h.waitContext(ctx, op, f, nil, true)
}

// WaitContextUntried is WaitContext for a wait that must not be tried first, because
// a try has an effect of its own: a condition variable's try releases and retakes the
// mutex, and a signal sent in between would be lost to the wait that follows. The wait
// starts on the duplicate at once.
func (h *Handle) WaitContextUntried(ctx context.Context, op string, f func(p uintptr, ns int64) int) (int, error) {
	return h.waitContext(ctx, op, f, nil, false)
}

// waitContext waits on a duplicate, or with ready (not nil) on the descriptor; try
// makes a try (timeout 0) first.
func (h *Handle) waitContext(ctx context.Context, op string, f func(p uintptr, ns int64) int, ready Ready, try bool) (int, error) {
	if ctx == nil {
		return 0, errs.Invalid(op, "nil Context")
	}
	done := ctx.Done()
	if done == nil {
		return h.Wait(op, -1, f)
	}
	if err := ctx.Err(); err != nil {
		return 0, errs.Context(op, err)
	}
	deadline, bounded := ctx.Deadline()
	if bounded && !time.Now().Before(deadline) {
		return 0, errs.Context(op, context.DeadlineExceeded)
	}
	// A try first: a call that need not wait needs no duplicate and no watcher.
	if try {
		if r, err := h.Wait(op, 0, f); !errs.WouldBlock(err) {
			return r, err
		}
	}
	if ready != nil {
		return h.waitReady(ctx, done, op, deadline, bounded, ready, f)
	}
	return h.waitDuplicate(ctx, done, op, deadline, bounded, f)
}

func (h *Handle) waitDuplicate(ctx context.Context, done <-chan struct{}, op string,
	deadline time.Time, bounded bool, f func(p uintptr, ns int64) int) (int, error) {
	timeout := time.Duration(-1)
	if bounded {
		if timeout = time.Until(deadline); timeout <= 0 {
			return 0, errs.Context(op, context.DeadlineExceeded)
		}
	}
	p := atomic.LoadUintptr(&h.p)
	if p == 0 {
		return 0, errs.Closed(op)
	}
	out := make([]uintptr, 1)
	if err := errs.Check(op, h.dupC(out, p)); err != nil {
		return 0, err // PIPC_EBADHANDLE if h was closed meanwhile: ErrClosed
	}
	d := out[0]
	stop := h.watch(ctx, done, func() { h.closeC(d) })
	r, err := errs.Wait(op, d, timeout, f)
	why := stop()
	if why == nil {
		h.closeC(d)
	}
	runtime.KeepAlive(h)

	switch {
	case err == nil:
		return r, nil // it completed (also if the watcher closed the duplicate just after)
	case why != nil && why != errs.ErrClosed && errs.IsClosed(err):
		return 0, errs.Context(op, why)
	case bounded && errs.TimedOut(err):
		return 0, errs.Context(op, context.DeadlineExceeded)
	}
	return r, err
}
