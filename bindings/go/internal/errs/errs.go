// Package errs holds the error values of package pipc and its sysv package, and turns
// the raw layer's results into them.
package errs

import (
	"io/fs"
	"syscall"

	"libpipc.dev/pipc/internal/raw"
)

// Status is a libpipc status (pipc_status): 0 or negative, stable forever.
type Status int

// The statuses (include/pipc/errors.h).
var (
	StatusError       = Status(raw.PIPC_ERROR)
	StatusInvalid     = Status(raw.PIPC_EINVAL)
	StatusNotExist    = Status(raw.PIPC_ENOENT)
	StatusExist       = Status(raw.PIPC_EEXIST)
	StatusPermission  = Status(raw.PIPC_EACCES)
	StatusWouldBlock  = Status(raw.PIPC_EAGAIN)
	StatusTimeout     = Status(raw.PIPC_ETIMEDOUT)
	StatusInterrupted = Status(raw.PIPC_EINTR)
	StatusMsgSize     = Status(raw.PIPC_EMSGSIZE)
	StatusRange       = Status(raw.PIPC_ERANGE)
	StatusClosed      = Status(raw.PIPC_EBADHANDLE)
	StatusUnsupported = Status(raw.PIPC_ENOTSUP)
	StatusLimit       = Status(raw.PIPC_ELIMIT)
	StatusNoMemory    = Status(raw.PIPC_ENOMEM)
	StatusNotAttached = Status(raw.PIPC_ENOTATTACHED)

	StatusOwnerDead      = Status(raw.PIPC_EOWNERDEAD)
	StatusNotRecoverable = Status(raw.PIPC_ENOTRECOVERABLE)
)

// String is libpipc's text for the status (pipc_strerror).
func (s Status) String() string { return raw.Pipc_strerror(int(s)) }

// Error is every error the packages return: the operation, libpipc's status, the OS
// errno behind it (0 if none) and libpipc's detail message (which call, which name,
// which limit), all taken from the one native call that failed. Err is the cause when
// it is not libpipc's: ctx.Err() for a call that its Context ended (nil otherwise).
type Error struct {
	Op      string        // the operation: the package's function or method
	Status  Status        // libpipc's status
	Errno   syscall.Errno // the OS errno, 0 if none
	Message string        // libpipc's detail message
	Err     error         // the cause when it is not libpipc's (ctx.Err()), else nil
}

// Error is "pipc: Op: " and the status's text with the detail message, or, when Err is
// set, the detail message (if any) and Err's text.
func (e *Error) Error() string {
	if e.Err != nil {
		s := "pipc: " + e.Op + ": "
		if e.Message != "" {
			s += e.Message + ": "
		}
		return s + e.Err.Error()
	}
	s := "pipc: " + e.Op + ": " + e.Status.String()
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap gives Err if set (errors.Is(err, context.Canceled) works), else the OS errno
// (errors.Is(err, syscall.EMFILE) works).
func (e *Error) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	if e.Errno == 0 {
		return nil
	}
	return e.Errno
}

// Timeout reports whether the wait timed out (as net.Error and os.ErrDeadlineExceeded do).
func (e *Error) Timeout() bool { return e.Status == StatusTimeout }

// Is matches the package's sentinels and the io/fs errors of the same meaning.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotExist, fs.ErrNotExist:
		return e.Status == StatusNotExist
	case ErrExist, fs.ErrExist:
		return e.Status == StatusExist
	case ErrPermission, fs.ErrPermission:
		return e.Status == StatusPermission
	case ErrBusy:
		return e.Status == StatusWouldBlock || e.Status == StatusTimeout
	case ErrTimeout:
		return e.Status == StatusTimeout
	case ErrClosed, fs.ErrClosed:
		return e.Status == StatusClosed
	case ErrInvalid, fs.ErrInvalid:
		return e.Status == StatusInvalid || e.Status == StatusMsgSize || e.Status == StatusRange
	case ErrUnsupported:
		return e.Status == StatusUnsupported
	case ErrNotAttached:
		return e.Status == StatusNotAttached
	case ErrOwnerDead:
		return e.Status == StatusOwnerDead
	case ErrNotRecoverable:
		return e.Status == StatusNotRecoverable
	}
	return false
}

// sentinel is a class of errors; it unwraps to the wider class it belongs to.
type sentinel struct {
	text  string
	wider error
}

func (s *sentinel) Error() string { return s.text }
func (s *sentinel) Unwrap() error { return s.wider }

// The classes of DESIGN.md's table. ErrTimeout is a kind of ErrBusy: errors.Is(err,
// ErrBusy) holds for both "would block" and "timed out".
var (
	ErrNotExist    error = &sentinel{"pipc: object does not exist", fs.ErrNotExist}
	ErrExist       error = &sentinel{"pipc: object already exists", fs.ErrExist}
	ErrPermission  error = &sentinel{"pipc: permission denied", fs.ErrPermission}
	ErrBusy        error = &sentinel{"pipc: busy", nil}
	ErrTimeout     error = &sentinel{"pipc: timed out", ErrBusy}
	ErrClosed      error = &sentinel{"pipc: closed", fs.ErrClosed}
	ErrInvalid     error = &sentinel{"pipc: invalid argument", fs.ErrInvalid}
	ErrUnsupported error = &sentinel{"pipc: not supported on this platform", nil}
	ErrNotAttached error = &sentinel{"pipc: not attached", nil}

	ErrOwnerDead      error = &sentinel{"pipc: locked, but the previous owner died holding the lock", nil}
	ErrNotRecoverable error = &sentinel{"pipc: the lock can never be taken again", nil}
)

// Invalid is the error for a bad argument found before any native call.
func Invalid(op, message string) error {
	return &Error{Op: op, Status: StatusInvalid, Message: message}
}

// Closed is the error for a call on a closed object.
func Closed(op string) error {
	return &Error{Op: op, Status: StatusClosed, Message: "the object is closed"}
}

// FromErrno is the error for an OS call the Go side made itself (mmap).
func FromErrno(op string, err error) error {
	errno, _ := err.(syscall.Errno)
	return &Error{Op: op, Status: StatusError, Errno: errno, Message: err.Error()}
}
