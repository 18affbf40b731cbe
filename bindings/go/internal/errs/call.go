package errs

import (
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

// Timeout is the native timeout for d: negative waits without limit, 0 tries once.
//
// "Without limit" is PIPC_FOREVER_RESTARTABLE: the Go runtime installs every signal
// handler with SA_RESTART and never signals a thread that is in a cgo call to preempt
// it, so a POSIX semaphore wait is a plain sem_wait that the kernel resumes after a
// signal, arming no timer. (A Go program cannot interrupt a goroutine anyway: a wait
// ends when the object is released, receives, is removed, or the time runs out.)
func Timeout(d time.Duration) int64 {
	if d < 0 {
		return raw.PGO_FOREVER_RESTARTABLE
	}
	return int64(d)
}

// Interrupted reports whether err is PIPC_EINTR: a signal handler without SA_RESTART
// (or any handler, during a timed wait) ended the wait.
func Interrupted(err error) bool {
	e, ok := err.(*Error)
	return ok && e.Status == StatusInterrupted
}

// Retry repeats an interrupted wait (DESIGN: Go retries) with the time that remains of
// timeout, counted from start; call(ns) runs the native call and checks it.
func Retry(timeout time.Duration, start time.Time, call func(ns int64) (int, error)) (int, error) {
	for {
		ns := Timeout(timeout)
		if timeout >= 0 {
			if ns = int64(timeout - time.Since(start)); ns < 0 {
				ns = 0 // one last try, as a timeout of 0 makes
			}
		}
		r, err := call(ns)
		if !Interrupted(err) {
			return r, err
		}
	}
}
