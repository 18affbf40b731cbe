package pipc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/testmain"
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

var waitCases = []waitCase{
	{"semaphore acquire", func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		s := newSemaphore(t, 0)
		w, err := pipc.OpenSemaphore(s.Name(), nil)
		keep(t, w, err)
		return func(ctx context.Context, timeout time.Duration) error {
				if ctx != nil {
					return w.AcquireContext(ctx)
				}
				return w.Acquire(timeout)
			}, w.Close, func(t *testing.T) {
				if v := value(t, s); v != 0 {
					t.Fatalf("value %d after the call", v)
				}
				if s.Release() != nil || s.Acquire(0) != nil {
					t.Fatal("the semaphore no longer works")
				}
			}
	}},
	{"queue receive", func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		q := newMessageQueue(t, small())
		w, err := pipc.OpenMessageQueue(q.Name(), nil)
		keep(t, w, err)
		return func(ctx context.Context, timeout time.Duration) (err error) {
			if ctx != nil {
				_, _, err = w.ReceiveContext(ctx)
			} else {
				_, _, err = w.Receive(timeout)
			}
			return err
		}, w.Close, queueUnchanged(q)
	}},
	{"queue receive into", func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		q := newMessageQueue(t, small())
		w, err := pipc.OpenMessageQueue(q.Name(), nil)
		keep(t, w, err)
		buf := make([]byte, 64)
		return func(ctx context.Context, timeout time.Duration) (err error) {
			if ctx != nil {
				_, _, err = w.ReceiveIntoContext(ctx, buf)
			} else {
				_, _, err = w.ReceiveInto(buf, timeout)
			}
			return err
		}, w.Close, queueUnchanged(q)
	}},
	{"queue send", func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		q := newMessageQueue(t, pipc.MessageQueueOptions{MaxMessages: 1, MaxMessageSize: 8})
		if err := q.Send([]byte("first"), 3, 0); err != nil {
			t.Fatal(err)
		}
		w, err := pipc.OpenMessageQueue(q.Name(), nil)
		keep(t, w, err)
		return func(ctx context.Context, timeout time.Duration) error {
				if ctx != nil {
					return w.SendContext(ctx, []byte("second"), 1)
				}
				return w.Send([]byte("second"), 1, timeout)
			}, w.Close, func(t *testing.T) {
				msg, prio, err := q.Receive(0)
				if err != nil || string(msg) != "first" || prio != 3 {
					t.Fatalf("the queue holds %q %d (%v)", msg, prio, err)
				}
				if _, _, err := q.Receive(0); !errors.Is(err, pipc.ErrBusy) {
					t.Fatalf("a second message was queued: %v", err)
				}
			}
	}},
}

// queueUnchanged checks that q is still empty and still carries messages.
func queueUnchanged(q *pipc.MessageQueue) func(*testing.T) {
	return func(t *testing.T) {
		if n, err := q.CurrentMessages(); n != 0 || err != nil {
			t.Fatalf("%d messages (%v)", n, err)
		}
		if err := q.Send([]byte("after"), 0, 0); err != nil {
			t.Fatal(err)
		}
		if msg, _, err := q.Receive(0); err != nil || string(msg) != "after" {
			t.Fatalf("got %q (%v)", msg, err)
		}
	}
}

// The ways a test waits: without limit, bounded, through a Context.
var waitKinds = []struct {
	name    string
	timeout time.Duration
	ctx     bool
}{{"forever", -1, false}, {"bounded", long, false}, {"context", 0, true}}

// Close ends every call blocked on the handle, at once (the C library promises 50 ms),
// with ErrClosed, and leaves the object alone for its other handles.
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
