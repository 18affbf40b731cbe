package sysv

import (
	"context"
	"math"
	"runtime"
	"time"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/raw"
)

// SemaphoreOptions are OpenSemaphore's options; the zero value opens an existing one.
type SemaphoreOptions struct {
	Options
	InitialValue int // a new semaphore's value, 0 .. SemaphoreValueMax()
	// SetValue sets a new semaphore's value with SETVAL, leaving its last-operation
	// time 0 until the first operation (as sysv_ipc does).
	SetValue bool
}

// SemaphoreStat are the kernel's fields of a semaphore.
type SemaphoreStat struct {
	Perm
	OTime          time.Time // last operation; zero if none yet
	CTime          time.Time // last change by semctl
	LastPID        int       // process of the last operation
	WaitingNonzero int       // processes waiting for the value to increase
	WaitingZero    int       // processes waiting for the value to become 0
}

// Semaphore is a System V semaphore (a set of one).
type Semaphore struct{ object }

var semaphoreFamily = &family{
	noun: "semaphore", close: raw.Pipc_sysv_sem_close, dup: raw.Pipc_sysv_sem_dup, id: raw.Pipc_sysv_sem_id,
	key: raw.Pipc_sysv_sem_key, created: raw.Pipc_sysv_sem_created,
	remove:  raw.Pipc_sysv_sem_remove,
	setPerm: raw.Pipc_sysv_sem_set_perm, stat: raw.Pgo_sysv_sem_stat,
}

// SemaphoreValueMax is the highest value a semaphore may hold (SEMVMX).
func SemaphoreValueMax() int64 { return raw.Pipc_sysv_sem_value_max() }

// OpenSemaphore opens the semaphore with key, or creates it as opts says (nil: open an
// existing one). Opening an existing semaphore never changes its value.
func OpenSemaphore(key Key, opts *SemaphoreOptions) (*Semaphore, error) {
	const op = "open semaphore"
	var o SemaphoreOptions
	if opts != nil {
		o = *opts
	}
	flags, mode, err := o.bits(op)
	if err != nil {
		return nil, err
	}
	if o.SetValue {
		flags |= uint(raw.PIPC_SYSV_SEM_SETVAL)
	}
	if o.InitialValue < 0 || o.InitialValue > math.MaxUint32 {
		return nil, errs.Invalid(op, "initial value out of range")
	}
	out := make([]uintptr, 1)
	if _, err := errs.Call(op, func() int {
		return raw.Pgo_sysv_sem_open(out, int64(key), flags, mode, uint(o.InitialValue))
	}); err != nil {
		return nil, err
	}
	return newSemaphore(op, out[0])
}

// OpenSemaphoreID opens the existing semaphore with this id.
func OpenSemaphoreID(id int) (*Semaphore, error) {
	const op = "open semaphore id"
	p, err := openID(op, id, raw.Pipc_sysv_sem_open_id)
	if err != nil {
		return nil, err
	}
	return newSemaphore(op, p)
}

func newSemaphore(op string, p uintptr) (*Semaphore, error) {
	s := &Semaphore{}
	if err := s.open(semaphoreFamily, op, p); err != nil {
		return nil, err
	}
	runtime.SetFinalizer(s, (*Semaphore).Close)
	return s, nil
}

// RemoveSemaphore removes the semaphore with this id.
func RemoveSemaphore(id int) error {
	return removeID("remove semaphore", id, raw.Pipc_sysv_sem_remove_id)
}

func delta(op string, n int) (uint, error) {
	if n < 1 || int64(n) > SemaphoreValueMax() {
		return 0, errs.Invalid(op, "delta out of range")
	}
	return uint(n), nil
}

// Acquire subtracts 1, waiting up to timeout (negative: without limit, 0: try once).
func (s *Semaphore) Acquire(timeout time.Duration) error { return s.AcquireN(1, timeout) }

// AcquireContext is Acquire that waits until ctx is done (then it returns an error
// matching ctx.Err()) or its deadline passes (context.DeadlineExceeded, also
// pipc.ErrTimeout).
func (s *Semaphore) AcquireContext(ctx context.Context) error { return s.AcquireNContext(ctx, 1) }

// AcquireN subtracts n (>= 1), waiting up to timeout until the value allows it.
// pipc.ErrClosed when Close ends the wait.
func (s *Semaphore) AcquireN(n int, timeout time.Duration) error {
	const op = "semaphore acquire"
	d, err := delta(op, n)
	if err != nil {
		return err
	}
	_, err = s.h.Wait(op, timeout, func(p uintptr, ns int64) int { return raw.Pipc_sysv_sem_acquire(p, d, ns) })
	return err
}

// AcquireNContext is AcquireN that waits until ctx is done or its deadline passes.
func (s *Semaphore) AcquireNContext(ctx context.Context, n int) error {
	const op = "semaphore acquire"
	d, err := delta(op, n)
	if err != nil {
		return err
	}
	_, err = s.h.WaitContext(ctx, op, func(p uintptr, ns int64) int { return raw.Pipc_sysv_sem_acquire(p, d, ns) })
	return err
}

// Release adds 1.
func (s *Semaphore) Release() error { return s.ReleaseN(1) }

// ReleaseN adds n (>= 1); pipc.ErrInvalid past SemaphoreValueMax().
func (s *Semaphore) ReleaseN(n int) error {
	const op = "semaphore release"
	d, err := delta(op, n)
	if err != nil {
		return err
	}
	_, err = s.h.Call(op, func(p uintptr) int { return raw.Pipc_sysv_sem_release(p, d) })
	return err
}

// WaitZero waits up to timeout until the value is 0. pipc.ErrClosed when Close ends
// the wait.
func (s *Semaphore) WaitZero(timeout time.Duration) error {
	_, err := s.h.Wait("semaphore wait zero", timeout, raw.Pipc_sysv_sem_wait_zero)
	return err
}

// WaitZeroContext is WaitZero that waits until ctx is done or its deadline passes.
func (s *Semaphore) WaitZeroContext(ctx context.Context) error {
	_, err := s.h.WaitContext(ctx, "semaphore wait zero", raw.Pipc_sysv_sem_wait_zero)
	return err
}

func (s *Semaphore) flag(op string, f func([]int32, uintptr) int) (bool, error) {
	v := make([]int32, 1)
	_, err := s.h.Call(op, func(p uintptr) int { return f(v, p) })
	return v[0] == 1, err
}

func (s *Semaphore) setFlag(op string, f func(uintptr, int) int, on bool) error {
	v := 0
	if on {
		v = 1
	}
	_, err := s.h.Call(op, func(p uintptr) int { return f(p, v) })
	return err
}

// Undo reports the handle's SEM_UNDO setting (off by default): when on, the kernel
// reverts this process's acquires and releases through the handle when it exits.
func (s *Semaphore) Undo() (bool, error) { return s.flag("semaphore undo", raw.Pipc_sysv_sem_undo) }

// SetUndo sets the handle's SEM_UNDO setting.
func (s *Semaphore) SetUndo(on bool) error {
	return s.setFlag("semaphore set undo", raw.Pipc_sysv_sem_set_undo, on)
}

// Blocking reports the handle's blocking setting (on by default; off: every timeout
// acts as 0).
func (s *Semaphore) Blocking() (bool, error) {
	return s.flag("semaphore blocking", raw.Pipc_sysv_sem_blocking)
}

// SetBlocking sets the handle's blocking setting.
func (s *Semaphore) SetBlocking(on bool) error {
	return s.setFlag("semaphore set blocking", raw.Pipc_sysv_sem_set_blocking, on)
}

// Value is the current value.
func (s *Semaphore) Value() (int, error) {
	v := make([]int32, 1)
	_, err := s.h.Call("semaphore value", func(p uintptr) int { return raw.Pipc_sysv_sem_value(v, p) })
	return int(v[0]), err
}

// SetValue sets the value (0 .. SemaphoreValueMax()), clearing every process's undo
// adjustment for it.
func (s *Semaphore) SetValue(value int) error {
	_, err := s.h.Call("semaphore set value", func(p uintptr) int {
		return raw.Pipc_sysv_sem_set_value(p, int64(value))
	})
	return err
}

// Stat reads the kernel's fields.
func (s *Semaphore) Stat() (SemaphoreStat, error) {
	f, err := s.statFields()
	if err != nil {
		return SemaphoreStat{}, err
	}
	return SemaphoreStat{perm(f), unixTime(f[6]), unixTime(f[7]), int(f[8]), int(f[9]), int(f[10])}, nil
}
