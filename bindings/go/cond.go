package pipc

import (
	"context"
	"io/fs"
	"runtime"
	"time"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/handle"
	"libpipc.dev/pipc/internal/raw"
)

// CondOptions are OpenCond's options; the zero value opens an existing condition
// variable.
type CondOptions struct {
	OpenFlags
	Mode fs.FileMode // a new condition variable's permission bits; 0: 0600
}

// Cond is a named condition variable shared between processes, in shared memory,
// waiting on CLOCK_MONOTONIC (pipc_cond(3)). It is an object of its own: any Mutex may
// guard it, as long as every waiter uses the same one at a time.
//
// A wait releases the mutex m, which the calling goroutine must hold (see Mutex), waits
// for a Signal or Broadcast from any process, and takes m again before it returns,
// whatever it returns: ErrOwnerDead when m's owner died holding it
// (MutexOptions.Recover runs then, as for Lock), or any other error except
// ErrPermission (the caller did not hold m), ErrNotRecoverable (m can never be locked
// again) and ErrClosed after Close of m (Close of c ends a wait with m held again).
// After ErrClosed the goroutine stays wired to its thread either way, as after Close of
// a Mutex it holds, until it ends. Wakeups may be spurious, and a signal handler that
// runs during a wait (the Go runtime's own, such as SIGCHLD's) ends it like one: wait
// in a loop on a condition.
type Cond struct {
	h       handle.Handle
	name    string
	created bool
}

// OpenCond opens the condition variable name, or creates it as opts says (nil: open
// an existing one). The name "" creates one with a random unused name. A condition
// variable is a shared memory segment of its own: /dev/shm/NAME on Linux.
func OpenCond(name string, opts *CondOptions) (*Cond, error) {
	var o CondOptions
	if opts != nil {
		o = *opts
	}
	p, err := openLockObject("open condition variable", name, o.OpenFlags, o.Mode, raw.Pgo_cond_open)
	if err != nil {
		return nil, err
	}
	c := &Cond{name: raw.Pipc_cond_name(p), created: raw.Pipc_cond_created(p) == 1}
	c.h.Init(p, raw.Pipc_cond_close, raw.Pipc_cond_dup)
	runtime.SetFinalizer(c, (*Cond).Close)
	return c, nil
}

// Name is the condition variable's name.
func (c *Cond) Name() string { return c.name }

// Created reports whether this open created the condition variable.
func (c *Cond) Created() bool { return c.created }

const condWait = "condition wait"

// Wait releases m, waits for a wakeup without limit and takes m again (see Cond).
// ErrClosed when Close of c or of m ended the wait.
func (c *Cond) Wait(m *Mutex) error {
	_, err := c.WaitTimeout(m, -1)
	return err
}

// WaitTimeout is Wait for up to timeout (negative: without limit, 0: release m and
// take it again at once). woken reports whether a wakeup, rather than the timeout,
// ended the wait; a timeout is not an error.
func (c *Cond) WaitTimeout(m *Mutex, timeout time.Duration) (woken bool, err error) {
	if m == nil {
		return false, errs.Invalid(condWait, "nil Mutex")
	}
	_, err = c.h.Wait(condWait, timeout, m.waitOn)
	runtime.KeepAlive(m)
	if errs.TimedOut(err) || errs.WouldBlock(err) {
		return false, nil
	}
	err = m.relocked(condWait, err)
	return err == nil, err
}

// WaitContext is Wait that waits until ctx is done or its deadline passes, and then
// returns an error matching ctx.Err() (a deadline also matches ErrTimeout), with m
// held again. The wait runs on a duplicate of c's handle that a goroutine closes when
// ctx is done; unlike the other Context calls, it does not try first (a try would
// release m, and a wakeup sent before the wait proper began would be lost).
func (c *Cond) WaitContext(ctx context.Context, m *Mutex) error {
	if m == nil {
		return errs.Invalid(condWait, "nil Mutex")
	}
	_, err := c.h.WaitContextUntried(ctx, condWait, m.waitOn)
	runtime.KeepAlive(m)
	return m.relocked(condWait, err)
}

// waitOn is the native condition wait on the condition variable handle p with m.
func (m *Mutex) waitOn(p uintptr, ns int64) int { return raw.Pgo_cond_wait(p, m.h.Get(), ns) }

// Signal wakes at least one waiter, in any process.
func (c *Cond) Signal() error {
	_, err := c.h.Call("condition signal", raw.Pipc_cond_signal)
	return err
}

// Broadcast wakes every waiter, in every process.
func (c *Cond) Broadcast() error {
	_, err := c.h.Call("condition broadcast", raw.Pipc_cond_broadcast)
	return err
}

// Unlink removes the name; the condition variable lives on until every handle is
// closed.
func (c *Cond) Unlink() error {
	_, err := c.h.Call("unlink condition variable", raw.Pipc_cond_unlink)
	return err
}

// Close releases the handle (never unlinks) and ends the waits on it, which return
// ErrClosed with their mutex held again; other handles are unaffected. Idempotent.
func (c *Cond) Close() error {
	c.h.Close()
	return nil
}

// UnlinkCond removes the condition variable name.
func UnlinkCond(name string) error {
	return unlinkName("unlink condition variable", name, raw.Pipc_cond_unlink_name)
}
