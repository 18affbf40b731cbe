package sysv_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/testmain"
	"libpipc.dev/pipc/sysv"
)

// A waitCase is one call that blocks. open makes an object where the call blocks, and
// returns the call on a second handle to it (for timeout, or through ctx when ctx is
// not nil), that handle's Close, and unchanged, which checks through the first handle
// that the object is as it was before the call.
type waitCase struct {
	name string
	open func(t *testing.T) (wait func(ctx context.Context, timeout time.Duration) error,
		close func() error, unchanged func(t *testing.T))
}

// keep fails t on err, else closes h after the test.
func keep(t *testing.T, h interface{ Close() error }, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
}

// semaphoreCase is a wait on a semaphore of value initial.
func semaphoreCase(name string, initial int, call func(s *sysv.Semaphore, ctx context.Context, timeout time.Duration) error) waitCase {
	return waitCase{name, func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		s := newSemaphore(t, initial)
		w, err := sysv.OpenSemaphoreID(s.ID())
		keep(t, w, err)
		return func(ctx context.Context, timeout time.Duration) error { return call(w, ctx, timeout) },
			w.Close, func(t *testing.T) {
				if v := value(t, s); v != initial {
					t.Fatalf("value %d after the call, was %d", v, initial)
				}
				if s.ReleaseN(2) != nil || s.AcquireN(2+initial, 0) != nil {
					t.Fatal("the semaphore no longer works")
				}
			}
	}}
}

// receiveCase is a wait on an empty queue.
func receiveCase(name string, call func(q *sysv.MessageQueue, ctx context.Context, timeout time.Duration) error) waitCase {
	return waitCase{name, func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		q := newMessageQueue(t, 0)
		w, err := sysv.OpenMessageQueueID(q.ID())
		keep(t, w, err)
		return func(ctx context.Context, timeout time.Duration) error { return call(w, ctx, timeout) },
			w.Close, func(t *testing.T) {
				if n, err := q.CurrentMessages(); n != 0 || err != nil {
					t.Fatalf("%d messages (%v)", n, err)
				}
				if err := q.Send([]byte("after"), 1, 0); err != nil {
					t.Fatal(err)
				}
				if msg, _, err := q.Receive(0, 0); err != nil || string(msg) != "after" {
					t.Fatalf("got %q (%v)", msg, err)
				}
			}
	}}
}

var waitCases = []waitCase{
	semaphoreCase("semaphore acquire", 0, func(s *sysv.Semaphore, ctx context.Context, timeout time.Duration) error {
		if ctx != nil {
			return s.AcquireContext(ctx)
		}
		return s.Acquire(timeout)
	}),
	semaphoreCase("semaphore acquire n", 1, func(s *sysv.Semaphore, ctx context.Context, timeout time.Duration) error {
		if ctx != nil {
			return s.AcquireNContext(ctx, 2)
		}
		return s.AcquireN(2, timeout)
	}),
	semaphoreCase("semaphore wait zero", 1, func(s *sysv.Semaphore, ctx context.Context, timeout time.Duration) error {
		if ctx != nil {
			return s.WaitZeroContext(ctx)
		}
		return s.WaitZero(timeout)
	}),
	receiveCase("queue receive", func(q *sysv.MessageQueue, ctx context.Context, timeout time.Duration) (err error) {
		if ctx != nil {
			_, _, err = q.ReceiveContext(ctx, 0)
		} else {
			_, _, err = q.Receive(0, timeout)
		}
		return err
	}),
	receiveCase("queue receive into", func(q *sysv.MessageQueue, ctx context.Context, timeout time.Duration) (err error) {
		buf := make([]byte, 16)
		if ctx != nil {
			_, _, err = q.ReceiveIntoContext(ctx, buf, 0)
		} else {
			_, _, err = q.ReceiveInto(buf, 0, timeout)
		}
		return err
	}),
	receiveCase("queue receive truncated", func(q *sysv.MessageQueue, ctx context.Context, timeout time.Duration) (err error) {
		buf := make([]byte, 2)
		if ctx != nil {
			_, _, err = q.ReceiveTruncatedContext(ctx, buf, 0)
		} else {
			_, _, err = q.ReceiveTruncated(buf, 0, timeout)
		}
		return err
	}),
	{"queue send", func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		q := newMessageQueue(t, 8)
		if err := q.Send([]byte("12345678"), 3, 0); err != nil { // full
			t.Fatal(err)
		}
		w, err := sysv.OpenMessageQueueID(q.ID())
		keep(t, w, err)
		return func(ctx context.Context, timeout time.Duration) error {
				if ctx != nil {
					return w.SendContext(ctx, []byte("x"), 1)
				}
				return w.Send([]byte("x"), 1, timeout)
			}, w.Close, func(t *testing.T) {
				msg, typ, err := q.Receive(0, 0)
				if err != nil || string(msg) != "12345678" || typ != 3 {
					t.Fatalf("the queue holds %q %d (%v)", msg, typ, err)
				}
				if _, _, err := q.Receive(0, 0); !errors.Is(err, pipc.ErrBusy) {
					t.Fatalf("a second message was queued: %v", err)
				}
			}
	}},
}

// The ways a test waits: without limit, bounded, through a Context.
var waitKinds = []struct {
	name    string
	timeout time.Duration
	ctx     bool
}{{"forever", -1, false}, {"bounded", long, false}, {"context", 0, true}}

// Close ends every call blocked on the handle (the C library promises 50 ms for
// semaphores, at once for queues) with ErrClosed, and leaves the object alone for its
// other handles.
func TestCloseEndsWaits(t *testing.T) {
	for _, c := range waitCases {
		for _, k := range waitKinds {
			c, k := c, k
			t.Run(c.name+"/"+k.name, func(t *testing.T) {
				wait, closeIt, unchanged := c.open(t)
				var ctx context.Context
				if k.ctx {
					var cancel context.CancelFunc
					ctx, cancel = context.WithCancel(context.Background())
					defer cancel()
				}
				result := testmain.Blocked(t, func() error { return wait(ctx, k.timeout) })
				start := time.Now()
				closeIt()
				err := testmain.Ended(t, "Close", result, start, time.Second)
				if !errors.Is(err, pipc.ErrClosed) {
					t.Fatalf("got %v, want ErrClosed", err)
				}
				unchanged(t)
				if err := wait(ctx, 0); !errors.Is(err, pipc.ErrClosed) {
					t.Fatalf("a call after Close: %v", err)
				}
			})
		}
	}
}
