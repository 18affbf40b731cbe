package testmain

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/handle"
)

// A WaitCase is one call that blocks, for the tests that end such calls, which pipc and
// sysv share. Open makes an object where the call blocks and returns: the call on a
// second handle to it (waiting up to timeout, or through ctx when ctx is not nil), that
// handle's Close, and unchanged, which checks through the first handle that the object
// is as it was before the call.
type WaitCase struct {
	Name string // the subtest's name
	// Open makes the object and returns the three functions described above.
	Open func(t *testing.T) (wait func(ctx context.Context, timeout time.Duration) error,
		close func() error, unchanged func(t *testing.T))
}

// Keep fails t on err, else closes h after the test.
func Keep(t *testing.T, h interface{ Close() error }, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
}

// IsCanceled fails t unless err is an *Error for a cancelled call: it matches
// context.Canceled, and no class of the packages'.
func IsCanceled(t testing.TB, err error) {
	t.Helper()
	var e *errs.Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &e) || e.Op == "" ||
		errors.Is(err, errs.ErrClosed) || errors.Is(err, errs.ErrBusy) {
		t.Fatalf("got %v, want a *pipc.Error matching context.Canceled only", err)
	}
}

// IsDeadline fails t unless err is an *Error for a call whose deadline passed: it
// matches context.DeadlineExceeded and ErrTimeout.
func IsDeadline(t testing.TB, err error) {
	t.Helper()
	var e *errs.Error
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errs.ErrTimeout) ||
		!errors.As(err, &e) || !e.Timeout() || errors.Is(err, errs.ErrClosed) {
		t.Fatalf("got %v, want a *pipc.Error matching context.DeadlineExceeded and ErrTimeout", err)
	}
}

// CloseEndsWaits checks that Close ends each case's call, blocked without limit,
// bounded or through a Context, within 1 s (the C library promises 50 ms) with
// ErrClosed, leaves the object unchanged for its other handle, and that a call after
// Close fails with ErrClosed.
func CloseEndsWaits(t *testing.T, cases []WaitCase) {
	kinds := []struct {
		name    string
		timeout time.Duration
		ctx     bool
	}{{"forever", -1, false}, {"bounded", Long, false}, {"context", 0, true}}
	for _, c := range cases {
		for _, k := range kinds {
			c, k := c, k
			t.Run(c.Name+"/"+k.name, func(t *testing.T) {
				wait, closeIt, unchanged := c.Open(t)
				var ctx context.Context
				if k.ctx {
					var cancel context.CancelFunc
					ctx, cancel = context.WithCancel(context.Background())
					defer cancel()
				}
				result := Blocked(t, func() error { return wait(ctx, k.timeout) })
				start := time.Now()
				closeIt()
				if err := Ended(t, "Close", result, start, time.Second); !errors.Is(err, errs.ErrClosed) {
					t.Fatalf("got %v, want ErrClosed", err)
				}
				unchanged(t)
				if err := wait(ctx, 0); !errors.Is(err, errs.ErrClosed) {
					t.Fatalf("a call after Close: %v", err)
				}
			})
		}
	}
}

// CancelEndsWaits checks that cancelling the Context ends each case's call within
// 1 s with context.Canceled, and leaves the object unchanged and the handle open.
func CancelEndsWaits(t *testing.T, cases []WaitCase) {
	for _, c := range cases {
		c := c
		t.Run(c.Name, func(t *testing.T) {
			wait, _, unchanged := c.Open(t)
			ctx, cancel := context.WithCancel(context.Background())
			result := Blocked(t, func() error { return wait(ctx, 0) })
			start := time.Now()
			cancel()
			IsCanceled(t, Ended(t, "cancel", result, start, time.Second))
			if err := wait(nil, 0); !errors.Is(err, errs.ErrBusy) {
				t.Fatalf("the handle after a cancelled call: %v", err)
			}
			unchanged(t)
			if n := handle.Waits(); n != 0 {
				t.Fatalf("%d Context waits left", n)
			}
		})
	}
}

// DeadlineEndsWaits checks that a Context's deadline is each case's timeout: the call
// returns context.DeadlineExceeded (and ErrTimeout) when it has passed, not before,
// and leaves the object unchanged.
func DeadlineEndsWaits(t *testing.T, cases []WaitCase) {
	const timeout = 100 * time.Millisecond
	for _, c := range cases {
		c := c
		t.Run(c.Name, func(t *testing.T) {
			wait, _, unchanged := c.Open(t)
			start := time.Now() // before the deadline is set, so that it is at least timeout away
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			err := wait(ctx, 0)
			elapsed := time.Since(start)
			t.Logf("returned %v after %v", err, elapsed)
			IsDeadline(t, err)
			if elapsed < timeout || elapsed > Long {
				t.Fatalf("returned after %v, for a deadline %v away", elapsed, timeout)
			}
			unchanged(t)
		})
	}
}

// CancelMany starts n of each call with one Context, waits until all of them wait,
// cancels, and checks that each returned context.Canceled and that no watcher
// goroutine, duplicate handle or eventfd (nor their descriptors) is left.
func CancelMany(t *testing.T, n int, calls ...func(ctx context.Context) error) {
	goroutines := runtime.NumGoroutine()
	fds, fdsOK := Descriptors()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	results := make(chan error, n*len(calls))
	for i := 0; i < n; i++ {
		for _, call := range calls {
			call := call
			wg.Add(1)
			go func() { defer wg.Done(); results <- call(ctx) }()
		}
	}
	all := int64(n * len(calls))
	deadline := time.Now().Add(Long)
	for handle.Waits() != all { // every call is past its first try
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d calls began to wait", handle.Waits(), all)
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	cancel()
	wg.Wait()
	t.Logf("%d calls ended %v after the cancel", all, time.Since(start))
	close(results)
	for err := range results {
		IsCanceled(t, err)
	}
	if left := handle.Waits(); left != 0 {
		t.Fatalf("%d Context waits left", left)
	}
	if now, _ := Descriptors(); fdsOK && now != fds {
		t.Fatalf("%d descriptors open, %d before", now, fds)
	}
	for runtime.NumGoroutine() > goroutines {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before", runtime.NumGoroutine(), goroutines)
		}
		time.Sleep(time.Millisecond)
	}
}

// A DoneContext is a Context that is done already, and the check of the error that a
// call through it must return.
type DoneContext struct {
	Ctx   context.Context               // done already
	Check func(t testing.TB, err error) // fails t unless err is what Ctx must give
}

// DoneContexts are a cancelled Context and one whose deadline has passed.
func DoneContexts(t *testing.T) []DoneContext {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	t.Cleanup(cancel2)
	return []DoneContext{{cancelled, IsCanceled}, {expired, IsDeadline}}
}
