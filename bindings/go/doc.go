// Package pipc is the Go binding of libpipc: POSIX named semaphores, shared memory and
// message queues that C, Python, Ruby and Go programs on one machine share by name.
// The System V objects are in the sysv subpackage.
//
// Names begin with "/" and contain no other "/"; the empty name "" creates an object
// with a random unused name (read it back with Name). Timeouts are time.Durations:
// negative waits without limit, 0 tries once, positive bounds the wait (measured on
// CLOCK_MONOTONIC). Every error is a *Error, usable with errors.Is (ErrNotExist,
// ErrExist, ErrPermission, ErrBusy, ErrTimeout, ErrClosed, ErrInvalid, ErrUnsupported,
// and the io/fs errors of the same meaning) and errors.As. No function panics on an
// ordinary error or a bad argument.
//
// Objects are safe for use by several goroutines. Close is idempotent; it never
// removes the object (Unlink does), and a finalizer closes an object that becomes
// unreachable, never unlinks it. A call blocked in one goroutine keeps the native
// handle alive while another goroutine closes it; the blocked call still ends only
// when its wait does (a release, a message, its timeout).
//
// Build: cgo (CGO_ENABLED=1) and pkg-config finding libpipc.pc.
package pipc
