package pipc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/testmain"
)

// The calls that block, for the tests that end them (see testmain.WaitCase).
var waitCases = []testmain.WaitCase{
	{Name: "semaphore acquire", Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		s := newSemaphore(t, 0)
		w, err := pipc.OpenSemaphore(s.Name(), nil)
		testmain.Keep(t, w, err)
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
	{Name: "queue receive", Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		q := newMessageQueue(t, small())
		w, err := pipc.OpenMessageQueue(q.Name(), nil)
		testmain.Keep(t, w, err)
		return func(ctx context.Context, timeout time.Duration) (err error) {
			if ctx != nil {
				_, _, err = w.ReceiveContext(ctx)
			} else {
				_, _, err = w.Receive(timeout)
			}
			return err
		}, w.Close, queueUnchanged(q)
	}},
	{Name: "queue receive into", Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		q := newMessageQueue(t, small())
		w, err := pipc.OpenMessageQueue(q.Name(), nil)
		testmain.Keep(t, w, err)
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
	{Name: "queue send", Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		q := newMessageQueue(t, pipc.MessageQueueOptions{MaxMessages: 1, MaxMessageSize: 8})
		if err := q.Send([]byte("first"), 3, 0); err != nil {
			t.Fatal(err)
		}
		w, err := pipc.OpenMessageQueue(q.Name(), nil)
		testmain.Keep(t, w, err)
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
	{Name: "mutex lock", Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		m := newMutex(t, nil)
		holdMutex(t, m)
		w, err := pipc.OpenMutex(m.Name(), nil)
		testmain.Keep(t, w, err)
		return func(ctx context.Context, timeout time.Duration) error {
				if ctx != nil {
					return w.LockContext(ctx)
				}
				return w.LockTimeout(timeout)
			}, w.Close, func(t *testing.T) {
				if !lockedElsewhere(t, m) {
					t.Fatal("the holder lost the lock")
				}
			}
	}},
	{Name: "condition wait", Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		m, c := newMutex(t, nil), newCond(t)
		w, err := pipc.OpenCond(c.Name(), nil)
		testmain.Keep(t, w, err)
		return func(ctx context.Context, timeout time.Duration) error {
				if err := m.Lock(); err != nil {
					return err
				}
				defer m.Unlock() // held again after the wait, whatever ended it
				if ctx != nil {
					return w.WaitContext(ctx, m)
				}
				if woken, err := w.WaitTimeout(m, timeout); woken || err != nil {
					return err
				}
				return pipc.ErrBusy // timed out
			}, w.Close, func(t *testing.T) {
				if lockedElsewhere(t, m) || c.Signal() != nil {
					t.Fatal("the mutex is held, or the condition variable broken")
				}
			}
	}},
	{Name: "channel receive", Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		c := newChannel(t, pipc.ChannelOptions{Slots: 2, MaxMessageSize: 16})
		w := openChannel(t, c)
		return func(ctx context.Context, timeout time.Duration) (err error) {
			if ctx != nil {
				_, err = w.ReceiveContext(ctx)
			} else {
				_, err = w.Receive(timeout)
			}
			return err
		}, w.Close, channelUnchanged(c)
	}},
	{Name: "channel receive into", Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		c := newChannel(t, pipc.ChannelOptions{Slots: 2, MaxMessageSize: 16})
		w := openChannel(t, c)
		buf := make([]byte, 16)
		return func(ctx context.Context, timeout time.Duration) (err error) {
			if ctx != nil {
				_, err = w.ReceiveIntoContext(ctx, buf)
			} else {
				_, err = w.ReceiveInto(buf, timeout)
			}
			return err
		}, w.Close, channelUnchanged(c)
	}},
	{Name: "channel send", Open: func(t *testing.T) (func(context.Context, time.Duration) error, func() error, func(*testing.T)) {
		c := newChannel(t, pipc.ChannelOptions{Slots: 2, MaxMessageSize: 16})
		for _, m := range []string{"first", "second"} {
			if err := c.Send([]byte(m), 0); err != nil {
				t.Fatal(err)
			}
		}
		w := openChannel(t, c)
		return func(ctx context.Context, timeout time.Duration) error {
				if ctx != nil {
					return w.SendContext(ctx, []byte("third"))
				}
				return w.Send([]byte("third"), timeout)
			}, w.Close, func(t *testing.T) {
				for _, m := range []string{"first", "second"} {
					if msg, err := c.Receive(0); err != nil || string(msg) != m {
						t.Fatalf("the channel holds %q (%v), not %q", msg, err, m)
					}
				}
				channelUnchanged(c)(t)
			}
	}},
}

// channelUnchanged checks that c is empty and still carries messages.
func channelUnchanged(c *pipc.Channel) func(*testing.T) {
	return func(t *testing.T) {
		if a, err := c.Attributes(); a.Messages != 0 || err != nil {
			t.Fatalf("%d messages (%v)", a.Messages, err)
		}
		if err := c.Send([]byte("after"), 0); err != nil {
			t.Fatal(err)
		}
		if msg, err := c.Receive(0); err != nil || string(msg) != "after" {
			t.Fatalf("got %q (%v)", msg, err)
		}
	}
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

// Close ends every call blocked on the handle with ErrClosed, and leaves the object
// alone for its other handles.
func TestCloseEndsWaits(t *testing.T) { testmain.CloseEndsWaits(t, waitCases) }
