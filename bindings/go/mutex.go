package pipc

import (
	"context"
	"errors"
	"io/fs"
	"runtime"
	"sync"
	"time"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/handle"
	"libpipc.dev/pipc/internal/raw"
)

// MutexOptions are OpenMutex's options; the zero value opens an existing mutex.
type MutexOptions struct {
	OpenFlags
	Mode fs.FileMode // a new mutex's permission bits; 0: 0600

	// Recover, if set, repairs what the mutex guards when a lock through this handle
	// finds that the previous owner died holding it. It runs with the lock held, on
	// the goroutine that locked; when it returns nil the mutex is marked consistent
	// and the lock call succeeds as if nothing had happened. When it returns an error,
	// the lock call returns an *Error that matches ErrOwnerDead and wraps that error,
	// with the lock held and the mutex not marked consistent (see Mutex.Consistent). A
	// panic in Recover leaves the lock call with the lock held.
	Recover func() error
}

// Mutex is a named robust mutex shared between processes: a pthread mutex in shared
// memory, process-shared, robust and error-checking (pipc_mutex(3)). Any process that
// opens the name, in any language, shares it; when its owner dies holding it (a
// process killed, even by SIGKILL, or a thread ending), the next Lock acquires it with
// ErrOwnerDead instead of waiting forever.
//
// The lock belongs to an OS thread, not a goroutine, and goroutines move between
// threads; so a successful Lock (also one with ErrOwnerDead) wires the calling
// goroutine to its thread (runtime.LockOSThread), and a successful Unlock unwires it.
// Unlike sync.Mutex, Unlock must run on the goroutine that locked: from any other
// goroutine it fails with ErrPermission and the lock stays held. A relock by the owner
// fails with ErrInvalid instead of deadlocking. A goroutine that ends holding the lock
// ends its thread with it (the Go runtime's rule for a wired goroutine): the next
// locker, in this process or another, gets ErrOwnerDead.
//
// Close does not unlock: a lock the caller holds stays held by its thread (unlock it
// through another Mutex of the same name, or let the goroutine end).
type Mutex struct {
	h       handle.Handle
	name    string
	created bool
	recover func() error
}

// OpenMutex opens the mutex name, or creates it as opts says (nil: open an existing
// one). The name "" creates a mutex with a random unused name. A mutex is a shared
// memory segment of its own: /dev/shm/NAME on Linux. ErrUnsupported where the C
// library does not keep robust mutexes as glibc does.
func OpenMutex(name string, opts *MutexOptions) (*Mutex, error) {
	var o MutexOptions
	if opts != nil {
		o = *opts
	}
	p, err := openLockObject("open mutex", name, o.OpenFlags, o.Mode, raw.Pgo_mutex_open)
	if err != nil {
		return nil, err
	}
	m := &Mutex{
		name:    raw.Pipc_mutex_name(p),
		created: raw.Pipc_mutex_created(p) == 1,
		recover: o.Recover,
	}
	m.h.Init(p, raw.Pipc_mutex_close, raw.Pipc_mutex_dup)
	runtime.SetFinalizer(m, (*Mutex).Close)
	return m, nil
}

// openLockObject opens a mutex or a condition variable, whose opens take the same
// options, and returns the C handle.
func openLockObject(op, name string, flags OpenFlags, mode fs.FileMode,
	open func(out []uintptr, name string, flags, mode uint) int) (uintptr, error) {
	bits, err := modeBits(op, mode)
	if err != nil {
		return 0, err
	}
	out := make([]uintptr, 1)
	_, err = errs.Call(op, func() int { return open(out, name, flags.flags(name), bits) })
	return out[0], err
}

// Name is the mutex's name.
func (m *Mutex) Name() string { return m.name }

// Created reports whether this open created the mutex.
func (m *Mutex) Created() bool { return m.created }

// Lock locks the mutex, waiting as long as it takes. ErrOwnerDead: it is locked, but
// its previous owner died holding it (see MutexOptions.Recover); ErrNotRecoverable: it
// can never be locked again; ErrInvalid: the caller holds it already; ErrClosed: Close
// ended the wait. Only a nil error or one matching ErrOwnerDead leaves it locked.
func (m *Mutex) Lock() error { return m.LockTimeout(-1) }

// TryLock locks the mutex if no one holds it, without waiting. locked reports whether
// the caller holds the lock now: also true with an error matching ErrOwnerDead.
func (m *Mutex) TryLock() (locked bool, err error) {
	err = m.LockTimeout(0)
	if errs.WouldBlock(err) {
		return false, nil
	}
	return err == nil || errors.Is(err, ErrOwnerDead), err
}

// LockTimeout is Lock that waits up to timeout (negative: without limit, 0: try once):
// ErrBusy when a try finds it locked, ErrTimeout when the time runs out.
func (m *Mutex) LockTimeout(timeout time.Duration) error {
	const op = "mutex lock"
	runtime.LockOSThread() // before the call: the lock is taken by this thread
	_, err := m.h.Wait(op, timeout, raw.Pipc_mutex_lock)
	return m.locked(op, err)
}

// LockContext is Lock that waits until ctx is done (then it returns an error matching
// ctx.Err(), without the lock) or its deadline passes (context.DeadlineExceeded, also
// ErrTimeout). The wait runs on a duplicate handle that a goroutine closes when ctx is
// done, as for Semaphore.AcquireContext.
func (m *Mutex) LockContext(ctx context.Context) error {
	const op = "mutex lock"
	runtime.LockOSThread()
	_, err := m.h.WaitContext(ctx, op, raw.Pipc_mutex_lock)
	return m.locked(op, err)
}

// locked finishes a lock call, begun with the goroutine wired to its thread, that
// returned err: the goroutine stays wired while the lock is held, and an owner's death
// goes to the recovery hook.
func (m *Mutex) locked(op string, err error) error {
	if err == nil || errs.OwnerDead(err) {
		return m.relocked(op, err)
	}
	runtime.UnlockOSThread()
	return err
}

// relocked finishes a call that left the lock held, its result err being nil or
// PIPC_EOWNERDEAD, or, after a condition wait, any error: a condition wait retakes the
// lock whatever it returns, except when the mutex turned out not recoverable, or
// its handle was closed (PIPC_EBADHANDLE, which a close of the condition variable's
// handle returns too, with the lock held: so the goroutine stays wired then).
func (m *Mutex) relocked(op string, err error) error {
	switch {
	case errs.OwnerDead(err) && m.recover != nil:
		return m.repair(op, err)
	case errs.NotRecoverable(err):
		runtime.UnlockOSThread() // the caller no longer holds it
	}
	return err
}

// repair runs the recovery hook after the lock call op found the owner dead (dead),
// and marks the mutex consistent if the hook succeeded.
func (m *Mutex) repair(op string, dead error) error {
	err := m.recover()
	if err == nil {
		if err = m.Consistent(); err == nil {
			return nil
		}
	}
	d := dead.(*Error)
	return &Error{Op: op, Status: d.Status, Errno: d.Errno, Err: err,
		Message: "the previous owner died holding the lock, which is held but not recovered"}
}

// Unlock unlocks the mutex, which the calling goroutine must hold (ErrPermission if
// it does not, also when another goroutine does), and unwires the goroutine from its
// thread. After ErrOwnerDead, unlocking without Consistent first makes the mutex
// unusable: every later Lock, in every process, fails with ErrNotRecoverable.
func (m *Mutex) Unlock() error {
	if _, err := m.h.Call("mutex unlock", raw.Pipc_mutex_unlock); err != nil {
		return err
	}
	runtime.UnlockOSThread()
	return nil
}

// Consistent marks the state the mutex guards as repaired after a lock returned
// ErrOwnerDead, so that the next Unlock leaves the mutex usable; ErrInvalid when the
// caller does not hold it after an owner's death.
func (m *Mutex) Consistent() error {
	_, err := m.h.Call("mutex consistent", raw.Pipc_mutex_consistent)
	return err
}

// Locker is the mutex as a sync.Locker, for code that takes one (such as sync.Cond,
// within this process). A sync.Locker cannot return an error, so its Lock and Unlock
// panic with the error where Lock and Unlock return one — after an owner's death too,
// unless MutexOptions.Recover repaired it (the lock is then held when Lock panics).
// The goroutine rule of Unlock holds for it as well.
func (m *Mutex) Locker() sync.Locker { return locker{m} }

type locker struct{ m *Mutex }

func (l locker) Lock() {
	if err := l.m.Lock(); err != nil {
		panic(err)
	}
}

func (l locker) Unlock() {
	if err := l.m.Unlock(); err != nil {
		panic(err)
	}
}

// Unlink removes the name; the mutex lives on until every handle is closed.
func (m *Mutex) Unlink() error {
	_, err := m.h.Call("unlink mutex", raw.Pipc_mutex_unlink)
	return err
}

// Close releases the handle (it never unlocks and never unlinks) and ends the Lock
// calls waiting on it, which return ErrClosed; other handles to the mutex are
// unaffected. Idempotent.
func (m *Mutex) Close() error {
	m.h.Close()
	return nil
}

// UnlinkMutex removes the mutex name.
func UnlinkMutex(name string) error {
	return unlinkName("unlink mutex", name, raw.Pipc_mutex_unlink_name)
}
