package pipc

import "libpipc.dev/pipc/internal/errs"

// Error is every error this package and sysv return: Op, the libpipc Status, the OS
// Errno behind it (0 if none; Unwrap returns it) and libpipc's detail Message, all
// captured by the native call that failed.
type Error = errs.Error

// Status is a libpipc status code (pipc_status); String gives libpipc's text.
type Status = errs.Status

// Error classes for errors.Is, after DESIGN.md's table:
//
//	ErrNotExist       PIPC_ENOENT                     (also matches fs.ErrNotExist)
//	ErrExist          PIPC_EEXIST                     (fs.ErrExist)
//	ErrPermission     PIPC_EACCES                     (fs.ErrPermission)
//	ErrBusy           PIPC_EAGAIN or PIPC_ETIMEDOUT   would block, or timed out
//	ErrTimeout        PIPC_ETIMEDOUT                  a kind of ErrBusy: errors.Is(ErrTimeout, ErrBusy)
//	ErrClosed         PIPC_EBADHANDLE, a closed object (fs.ErrClosed)
//	ErrInvalid        PIPC_EINVAL, PIPC_EMSGSIZE, PIPC_ERANGE, bad arguments (fs.ErrInvalid)
//	ErrUnsupported    PIPC_ENOTSUP
//	ErrNotAttached    PIPC_ENOTATTACHED               (System V shared memory)
//	ErrOwnerDead      PIPC_EOWNERDEAD                 a Mutex: locked, but its previous owner died
//	ErrNotRecoverable PIPC_ENOTRECOVERABLE            a Mutex that can never be locked again
//
// An error matching ErrOwnerDead never means failure to lock: the caller holds the lock,
// and the state it guards may be half-changed. Repair it, call Mutex.Consistent, then
// Unlock (or set MutexOptions.Recover to have that done). Unlocking without Consistent
// leaves the mutex ErrNotRecoverable for every process.
//
// PIPC_EINTR never reaches the caller: the wait is retried with the time left. Limits,
// memory and other OS errors (PIPC_ELIMIT, PIPC_ENOMEM, PIPC_ERROR) match no class; their
// *Error carries the Errno, and the Message names the limit.
//
// A call that its Context ended returns an *Error whose Err is ctx.Err(), so that
// errors.Is(err, context.Canceled) or errors.Is(err, context.DeadlineExceeded) holds. A
// deadline has StatusTimeout (it matches ErrTimeout and ErrBusy too), a cancellation
// StatusInterrupted (it matches no class above).
var (
	ErrNotExist    = errs.ErrNotExist
	ErrExist       = errs.ErrExist
	ErrPermission  = errs.ErrPermission
	ErrBusy        = errs.ErrBusy
	ErrTimeout     = errs.ErrTimeout
	ErrClosed      = errs.ErrClosed
	ErrInvalid     = errs.ErrInvalid
	ErrUnsupported = errs.ErrUnsupported
	ErrNotAttached = errs.ErrNotAttached

	ErrOwnerDead      = errs.ErrOwnerDead
	ErrNotRecoverable = errs.ErrNotRecoverable
)

// The statuses, for an *Error's Status field.
var (
	StatusError       = errs.StatusError
	StatusInvalid     = errs.StatusInvalid
	StatusNotExist    = errs.StatusNotExist
	StatusExist       = errs.StatusExist
	StatusPermission  = errs.StatusPermission
	StatusWouldBlock  = errs.StatusWouldBlock
	StatusTimeout     = errs.StatusTimeout
	StatusInterrupted = errs.StatusInterrupted // only for a call that its Context cancelled
	StatusMsgSize     = errs.StatusMsgSize
	StatusRange       = errs.StatusRange
	StatusClosed      = errs.StatusClosed
	StatusUnsupported = errs.StatusUnsupported
	StatusLimit       = errs.StatusLimit
	StatusNoMemory    = errs.StatusNoMemory
	StatusNotAttached = errs.StatusNotAttached

	StatusOwnerDead      = errs.StatusOwnerDead
	StatusNotRecoverable = errs.StatusNotRecoverable
)
