package pipc

import (
	"context"
	"io/fs"
	"math"
	"runtime"
	"time"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/handle"
	"libpipc.dev/pipc/internal/raw"
)

// SemaphoreOptions are OpenSemaphore's options; the zero value opens an existing
// semaphore.
type SemaphoreOptions struct {
	OpenFlags
	Mode         fs.FileMode // a new semaphore's permission bits; 0: 0600
	InitialValue int         // a new semaphore's value, 0 .. SemaphoreValueMax()
}

// Semaphore is a POSIX named semaphore.
type Semaphore struct {
	h       handle.Handle
	name    string
	created bool
}

// OpenSemaphore opens the semaphore name, or creates it as opts says (nil: open an
// existing one). The name "" creates a semaphore with a random unused name.
func OpenSemaphore(name string, opts *SemaphoreOptions) (*Semaphore, error) {
	const op = "open semaphore"
	var o SemaphoreOptions
	if opts != nil {
		o = *opts
	}
	mode, err := modeBits(op, o.Mode)
	if err != nil {
		return nil, err
	}
	if o.InitialValue < 0 || o.InitialValue > math.MaxUint32 {
		return nil, errs.Invalid(op, "initial value out of range")
	}
	out := make([]uintptr, 1)
	if _, err := errs.Call(op, func() int {
		return raw.Pgo_sem_open(out, name, o.flags(name), mode, uint(o.InitialValue))
	}); err != nil {
		return nil, err
	}
	s := &Semaphore{
		name:    raw.Pipc_sem_name(out[0]),
		created: raw.Pipc_sem_created(out[0]) == 1,
	}
	s.h.Init(out[0], raw.Pipc_sem_close, raw.Pipc_sem_dup)
	runtime.SetFinalizer(s, (*Semaphore).Close)
	return s, nil
}

// Name is the semaphore's name.
func (s *Semaphore) Name() string { return s.name }

// Created reports whether this open created the semaphore.
func (s *Semaphore) Created() bool { return s.created }

// Acquire decrements the value, waiting up to timeout (negative: without limit, 0: try
// once) while it is 0. ErrBusy when it would block, ErrTimeout when the time ran out,
// ErrClosed when Close ends the wait.
func (s *Semaphore) Acquire(timeout time.Duration) error {
	_, err := s.h.Wait("semaphore acquire", timeout, raw.Pipc_sem_acquire)
	return err
}

// AcquireContext is Acquire that waits until ctx is done (then it returns an error
// matching ctx.Err()) or its deadline passes (context.DeadlineExceeded, also ErrTimeout).
func (s *Semaphore) AcquireContext(ctx context.Context) error {
	_, err := s.h.WaitContext(ctx, "semaphore acquire", raw.Pipc_sem_acquire)
	return err
}

// Release increments the value; ErrInvalid past SemaphoreValueMax().
func (s *Semaphore) Release() error {
	_, err := s.h.Call("semaphore release", raw.Pipc_sem_release)
	return err
}

// Value is the current value (ErrUnsupported where the OS cannot tell).
func (s *Semaphore) Value() (int, error) {
	v := make([]int32, 1)
	_, err := s.h.Call("semaphore value", func(p uintptr) int { return raw.Pipc_sem_value(v, p) })
	return int(v[0]), err
}

// Unlink removes the name; the semaphore lives on until every handle is closed.
func (s *Semaphore) Unlink() error {
	_, err := s.h.Call("unlink semaphore", raw.Pipc_sem_unlink)
	return err
}

// Close releases the handle (never unlinks) and ends the calls waiting on it, which
// return ErrClosed; other handles to the semaphore are unaffected. Idempotent.
func (s *Semaphore) Close() error {
	s.h.Close()
	return nil
}

// UnlinkSemaphore removes the semaphore name.
func UnlinkSemaphore(name string) error {
	return unlinkName("unlink semaphore", name, raw.Pipc_sem_unlink_name)
}

func unlinkName(op, name string, f func(string) int) error {
	if name == "" {
		return errs.Invalid(op, "empty name")
	}
	_, err := errs.Call(op, func() int { return f(name) })
	return err
}
