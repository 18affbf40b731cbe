package sysv_test

import (
	"context"
	"errors"
	"testing"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/testmain"
)

// Cancelling the Context ends each blocked call at once with ctx.Err(); the object is
// unchanged, and the handle stays open.
func TestContextCancelEndsWaits(t *testing.T) { testmain.CancelEndsWaits(t, waitCases) }

// A deadline is the call's timeout: context.DeadlineExceeded (and ErrTimeout).
func TestContextDeadline(t *testing.T) { testmain.DeadlineEndsWaits(t, waitCases) }

// A Context already done ends the call at once, before it takes anything, even what
// is there to take.
func TestContextAlreadyDone(t *testing.T) {
	s, zero := newSemaphore(t, 1), newSemaphore(t, 0)
	q := newMessageQueue(t, 0)
	q.Send([]byte("queued"), 5, 0)
	for _, done := range testmain.DoneContexts(t) {
		ctx, check := done.Ctx, done.Check
		check(t, s.AcquireContext(ctx))
		check(t, zero.WaitZeroContext(ctx))
		_, _, err := q.ReceiveContext(ctx, 0)
		check(t, err)
		_, _, err = q.ReceiveIntoContext(ctx, make([]byte, 64), 0)
		check(t, err)
		check(t, q.SendContext(ctx, []byte("more"), 1))
	}
	if v := value(t, s); v != 1 {
		t.Fatalf("value %d", v)
	}
	if n, _ := q.CurrentMessages(); n != 1 {
		t.Fatalf("%d messages", n)
	}
	// A semaphore in non-blocking mode never waits, through a Context neither.
	live, cancel3 := context.WithCancel(context.Background())
	defer cancel3()
	zero.SetBlocking(false)
	if err := zero.AcquireContext(live); !errors.Is(err, pipc.ErrBusy) || errors.Is(err, pipc.ErrTimeout) {
		t.Fatalf("non-blocking semaphore: %v", err)
	}
	// Context.Background: the plain call.
	if err := s.AcquireContext(context.Background()); err != nil || value(t, s) != 0 {
		t.Fatalf("Background: %v", err)
	}
	if msg, typ, err := q.ReceiveContext(context.Background(), 0); err != nil || string(msg) != "queued" || typ != 5 {
		t.Fatalf("Background: %q %d %v", msg, typ, err)
	}
}

// Many calls cancelled at once: each returns context.Canceled, and neither a watcher
// goroutine nor a duplicate handle (nor a descriptor of its waits) remains.
func TestContextCancelManyLeavesNothing(t *testing.T) {
	s, nonzero := newSemaphore(t, 0), newSemaphore(t, 1)
	q := newMessageQueue(t, 0)
	testmain.CancelMany(t, 32, s.AcquireContext, nonzero.WaitZeroContext, func(ctx context.Context) error {
		_, _, err := q.ReceiveContext(ctx, 0)
		return err
	})
	if v, w := value(t, s), value(t, nonzero); v != 0 || w != 1 {
		t.Fatalf("values %d and %d", v, w)
	}
}
