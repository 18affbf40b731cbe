// Package pipc is the Go binding of libpipc: POSIX named semaphores, shared memory and
// message queues, robust named mutexes and condition variables (Mutex, Cond), and
// message channels in shared memory (Channel), that C, Python, Ruby and Go programs on
// one machine share by name. The System V objects are in the sysv subpackage.
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
// unreachable, never unlinks it (a call in progress keeps its object reachable).
// Close ends the calls that other goroutines have waiting on the object: they return
// ErrClosed at once (a semaphore wait on Linux before 5.16: within 50 ms), having taken
// or queued nothing. Only this object's handle is closed: the calls on other handles to
// the same semaphore or queue, in this process or another, wait on.
//
// Every call that can wait has a Context variant (AcquireContext, SendContext,
// ReceiveContext, ReceiveIntoContext, LockContext, Cond.WaitContext) that waits without
// limit until ctx is done, or until its deadline: it then returns an *Error that
// matches ctx.Err() with errors.Is (context.Canceled, or context.DeadlineExceeded,
// which also matches ErrTimeout), and has taken or queued nothing (Cond.WaitContext
// holds its mutex again). A ctx already done ends the call before it tries. A call
// that has to wait starts a goroutine that ends the wait when ctx is done: a
// semaphore, mutex, condition or channel wait runs on a duplicate of the handle, which
// that goroutine closes; a queue wait polls the queue's descriptor beside an eventfd,
// which it writes (closing a duplicate of a queue's descriptor would end this
// process's notification registration). Neither the goroutine nor the duplicate or
// eventfd outlives the call. A ctx that is never done (context.Background()) makes the
// plain call.
//
// A Mutex survives its owner: when the owner dies holding it (a process killed, even
// by SIGKILL, or a thread ending), the next Lock takes it with ErrOwnerDead, or runs
// MutexOptions.Recover. Its lock belongs to an OS thread, so Lock wires the calling
// goroutine to its thread until Unlock, which must run on that goroutine (see Mutex).
//
// A Channel carries messages between processes through shared memory: a send or
// receive makes no system call unless it must wait or wake a waiter, so it moves many
// times more messages per second than a MessageQueue, and a process killed in the
// middle of one never wedges the channel. Send and ReceiveInto are one native call
// each and allocate nothing.
//
// Build: cgo (CGO_ENABLED=1) and pkg-config finding libpipc.pc.
package pipc
