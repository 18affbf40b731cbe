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

// semaphoreCase is a wait on a semaphore of value initial.
func semaphoreCase(name string, initial int, call func(s *sysv.Semaphore, ctx context.Context, timeout time.Duration) error) testmain.WaitCase {
	return testmain.WaitCase{Name: name, Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		s := newSemaphore(t, initial)
		w, err := sysv.OpenSemaphoreID(s.ID())
		testmain.Keep(t, w, err)
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
func receiveCase(name string, call func(q *sysv.MessageQueue, ctx context.Context, timeout time.Duration) error) testmain.WaitCase {
	return testmain.WaitCase{Name: name, Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		q := newMessageQueue(t, 0)
		w, err := sysv.OpenMessageQueueID(q.ID())
		testmain.Keep(t, w, err)
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

// The calls that block, for the tests that end them (see testmain.WaitCase).
var waitCases = []testmain.WaitCase{
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
	{Name: "queue send", Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		q := newMessageQueue(t, 8)
		if err := q.Send([]byte("12345678"), 3, 0); err != nil { // full
			t.Fatal(err)
		}
		w, err := sysv.OpenMessageQueueID(q.ID())
		testmain.Keep(t, w, err)
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

// Close ends every call blocked on the handle with ErrClosed, and leaves the object
// alone for its other handles.
func TestCloseEndsWaits(t *testing.T) { testmain.CloseEndsWaits(t, waitCases) }
