package errs

import (
	"context"
	"errors"
	"syscall"
	"time"

	"libpipc.dev/pipc/internal/raw"
)

// Check turns a raw result into nil or an *Error: r is >= 0, or names the failure
// record that the failed call filled, which Check reads and frees (raw.Failure).
func Check(op string, r int) error {
	if r >= 0 {
		return nil
	}
	return failure(op, r)
}

// failure is apart from Check so that Check inlines into every call.
//
//go:noinline
func failure(op string, r int) error {
	status, errno, message := raw.Failure(r)
	return &Error{Op: op, Status: Status(status), Errno: syscall.Errno(errno), Message: message}
}

// Call runs one native call f and checks its result.
func Call(op string, f func() int) (int, error) {
	r := f()
	return r, Check(op, r)
}

// Timeout is the native timeout for d: negative waits without limit (PIPC_FOREVER),
// 0 tries once.
func Timeout(d time.Duration) int64 {
	if d < 0 {
		return raw.PGO_FOREVER
	}
	return int64(d)
}

// Wait runs the native wait f on handle p, for up to timeout, and checks its result.
// A wait that a signal interrupted (PIPC_EINTR: the C library resumes only POSIX
// semaphore waits after the Go runtime's SA_RESTART handlers) is retried with the
// time that remains (DESIGN: Go retries).
func Wait(op string, p uintptr, timeout time.Duration, f func(p uintptr, ns int64) int) (int, error) {
	var start time.Time // only a bounded wait needs it, to retry with the time left
	if timeout > 0 {
		start = time.Now()
	}
	r := f(p, Timeout(timeout))
	err := Check(op, r)
	if Interrupted(err) {
		return retry(op, p, timeout, start, f)
	}
	return r, err
}

// retry repeats an interrupted wait with the time that remains of timeout, counted
// from start.
func retry(op string, p uintptr, timeout time.Duration, start time.Time, f func(uintptr, int64) int) (int, error) {
	for {
		ns := Timeout(timeout)
		if timeout >= 0 {
			if ns = int64(timeout - time.Since(start)); ns < 0 {
				ns = 0 // one last try, as a timeout of 0 makes
			}
		}
		r := f(p, ns)
		if err := Check(op, r); !Interrupted(err) {
			return r, err
		}
	}
}

// Interrupted reports whether err is PIPC_EINTR from a native call: a signal handler
// ended the wait.
func Interrupted(err error) bool { return hasStatus(err, StatusInterrupted) }

// WouldBlock reports whether err is PIPC_EAGAIN from a native call.
func WouldBlock(err error) bool { return hasStatus(err, StatusWouldBlock) }

// TimedOut reports whether err is PIPC_ETIMEDOUT from a native call.
func TimedOut(err error) bool { return hasStatus(err, StatusTimeout) }

// OwnerDead reports whether err is PIPC_EOWNERDEAD from a native call: the lock was
// taken, and its previous owner had died holding it.
func OwnerDead(err error) bool { return hasStatus(err, StatusOwnerDead) }

// NotRecoverable reports whether err is PIPC_ENOTRECOVERABLE from a native call.
func NotRecoverable(err error) bool { return hasStatus(err, StatusNotRecoverable) }

// IsClosed reports whether err is PIPC_EBADHANDLE: the handle was closed.
func IsClosed(err error) bool { return hasStatus(err, StatusClosed) }

func hasStatus(err error, s Status) bool {
	e, ok := err.(*Error)
	return ok && e.Status == s && e.Err == nil
}

// Context is the error for a call that ctx ended: err is ctx.Err() (context.Canceled
// or context.DeadlineExceeded), which the *Error unwraps to. A deadline has the status
// of a timeout (ErrTimeout, a kind of ErrBusy, matches it), a cancellation that of an
// interrupted wait (StatusInterrupted; no class of the package matches it).
func Context(op string, err error) error {
	status := StatusInterrupted
	if errors.Is(err, context.DeadlineExceeded) {
		status = StatusTimeout
	}
	return &Error{Op: op, Status: status, Err: err}
}
