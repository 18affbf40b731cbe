package sysv_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/handle"
	"libpipc.dev/pipc/internal/testmain"
)

func isCanceled(t *testing.T, err error) {
	t.Helper()
	var e *pipc.Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &e) || e.Op == "" ||
		errors.Is(err, pipc.ErrClosed) || errors.Is(err, pipc.ErrBusy) {
		t.Fatalf("got %v, want a *pipc.Error matching context.Canceled only", err)
	}
}

func isDeadline(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, pipc.ErrTimeout) {
		t.Fatalf("got %v, want context.DeadlineExceeded and pipc.ErrTimeout", err)
	}
}

// Cancelling the Context ends each blocked call at once with ctx.Err(); the object is
// unchanged, and the handle stays open.
func TestContextCancelEndsWaits(t *testing.T) {
	for _, c := range waitCases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			wait, _, unchanged := c.open(t)
			ctx, cancel := context.WithCancel(context.Background())
			result := testmain.Blocked(t, func() error { return wait(ctx, 0) })
			start := time.Now()
			cancel()
			isCanceled(t, testmain.Ended(t, "cancel", result, start, time.Second))
			if err := wait(nil, 0); !errors.Is(err, pipc.ErrBusy) {
				t.Fatalf("the handle after a cancelled call: %v", err)
			}
			unchanged(t)
		})
	}
}

// A deadline is the call's timeout: context.DeadlineExceeded (and ErrTimeout), when
// the deadline has passed, not before.
func TestContextDeadline(t *testing.T) {
	const timeout = 100 * time.Millisecond
	for _, c := range waitCases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			wait, _, unchanged := c.open(t)
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			start := time.Now()
			err := wait(ctx, 0)
			elapsed := time.Since(start)
			t.Logf("returned %v after %v", err, elapsed)
			isDeadline(t, err)
			if elapsed < timeout || elapsed > long {
				t.Fatalf("returned after %v, for a deadline %v away", elapsed, timeout)
			}
			unchanged(t)
		})
	}
}

// A Context already done ends the call at once, before it takes anything, even what
// is there to take.
func TestContextAlreadyDone(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	s, zero := newSemaphore(t, 1), newSemaphore(t, 0)
	q := newMessageQueue(t, 0)
	q.Send([]byte("queued"), 5, 0)
	for _, ctx := range []context.Context{cancelled, expired} {
		check := isCanceled
		if ctx == expired {
			check = isDeadline
		}
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
	const n = 32
	s, nonzero := newSemaphore(t, 0), newSemaphore(t, 1)
	q := newMessageQueue(t, 0)
	goroutines := runtime.NumGoroutine()
	fds, fdsOK := testmain.Descriptors()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := 0; i < n; i++ {
		wg.Add(3)
		go func() { defer wg.Done(); errs <- s.AcquireContext(ctx) }()
		go func() { defer wg.Done(); errs <- nonzero.WaitZeroContext(ctx) }()
		go func() { defer wg.Done(); _, _, err := q.ReceiveContext(ctx, 0); errs <- err }()
	}
	deadline := time.Now().Add(long)
	for handle.Waits() != 3*n { // every call is past its first try
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d calls began to wait", handle.Waits(), 3*n)
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	cancel()
	wg.Wait()
	t.Logf("%d calls ended %v after the cancel", 3*n, time.Since(start))
	close(errs)
	for err := range errs {
		isCanceled(t, err)
	}
	if d := handle.Waits(); d != 0 {
		t.Fatalf("%d Context waits left", d)
	}
	if now, _ := testmain.Descriptors(); fdsOK && now != fds {
		t.Fatalf("%d descriptors open, %d before", now, fds)
	}
	for runtime.NumGoroutine() > goroutines {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before", runtime.NumGoroutine(), goroutines)
		}
		time.Sleep(time.Millisecond)
	}
}
