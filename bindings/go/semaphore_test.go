package pipc_test

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/testmain"
)

func value(t *testing.T, s *pipc.Semaphore) int {
	t.Helper()
	v, err := s.Value()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSemaphoreBasics(t *testing.T) {
	s := newSemaphore(t, 2)
	if !strings.HasPrefix(s.Name(), "/") || !s.Created() || value(t, s) != 2 {
		t.Fatalf("name %q created %v value %d", s.Name(), s.Created(), value(t, s))
	}
	if err := s.Acquire(0); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(); err != nil || value(t, s) != 3 {
		t.Fatalf("value %d, %v", value(t, s), err)
	}
	// The same semaphore by name, from a second handle.
	s2, err := pipc.OpenSemaphore(s.Name(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.Created() || value(t, s2) != 3 {
		t.Fatalf("second handle: created %v value %d", s2.Created(), value(t, s2))
	}
	// Create without Exclusive opens the existing one.
	s3, err := pipc.OpenSemaphore(s.Name(), &pipc.SemaphoreOptions{OpenFlags: pipc.OpenFlags{Create: true}, InitialValue: 9})
	if err != nil || s3.Created() || value(t, s3) != 3 {
		t.Fatalf("create-or-open: %v", err)
	}
	s3.Close()
}

func TestSemaphoreNamedCreateAndUnlink(t *testing.T) {
	name := testName()
	t.Cleanup(func() { pipc.UnlinkSemaphore(name) }) // if the test fails before it does
	track("/dev/shm/sem." + name[1:])
	s, err := pipc.OpenSemaphore(name, &pipc.SemaphoreOptions{OpenFlags: pipc.OpenFlags{Create: true, Exclusive: true}, Mode: 0640})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st, err := os.Stat("/dev/shm/sem." + name[1:]); err == nil && st.Mode().Perm() != 0640 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
	if err := s.Unlink(); err != nil {
		t.Fatal(err)
	}
	if _, err := pipc.OpenSemaphore(name, nil); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("after Unlink: %v", err)
	}
	if err := s.Release(); err != nil || value(t, s) != 1 {
		t.Fatal("an unlinked semaphore lives on while open")
	}
	// by name
	s2, err := pipc.OpenSemaphore(name, &pipc.SemaphoreOptions{OpenFlags: pipc.OpenFlags{Create: true}})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if err := pipc.UnlinkSemaphore(name); err != nil {
		t.Fatal(err)
	}
	if err := pipc.UnlinkSemaphore(name); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("second unlink: %v", err)
	}
}

func TestSemaphoreWaitWokenByRelease(t *testing.T) {
	s := newSemaphore(t, 0)
	done := make(chan struct{})
	var err error
	go func() {
		err = s.Acquire(-1)
		close(done)
	}()
	if e := s.Release(); e != nil {
		t.Fatal(e)
	}
	within(t, "acquire", done)
	if err != nil {
		t.Fatal(err)
	}
}

// Signals sent to the very thread that waits, and handled by the Go runtime (which
// installs its handlers with SA_RESTART), neither end a wait without limit with an
// error nor get lost, and a release still ends it. A timed wait that the signals
// interrupt keeps its deadline.
func TestSemaphoreWaitUnderSignals(t *testing.T) {
	s := newSemaphore(t, 0)
	waitUnderSignals(t, s.Acquire, func() { s.Release() })
}

// waitUnderSignals checks that wait (up to a timeout, as Acquire), interrupted by
// signals, still times out with ErrTimeout when it should, and without limit waits
// until release.
func waitUnderSignals(t *testing.T, wait func(timeout time.Duration) error, release func()) {
	t.Helper()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	// waitOn runs wait(timeout) on a thread of its own and tells its thread id.
	waitOn := func(timeout time.Duration) (tid int, result chan error) {
		tids, result := make(chan int), make(chan error, 1)
		go func() {
			runtime.LockOSThread() // the wait keeps to this thread: the signals reach it
			defer runtime.UnlockOSThread()
			tids <- syscall.Gettid()
			result <- wait(timeout)
		}()
		return <-tids, result
	}
	foreverTid, forever := waitOn(-1)
	start := time.Now()
	timedTid, timed := waitOn(300 * time.Millisecond)
	for i := 0; i < 20; i++ {
		for _, tid := range []int{foreverTid, timedTid} {
			syscall.Tgkill(os.Getpid(), tid, syscall.SIGUSR1)
			select {
			case <-sigs:
			case <-time.After(long):
				t.Fatal("signal not delivered")
			}
		}
	}
	var err error
	select {
	case err = <-timed:
	case <-time.After(long):
		t.Fatal("the timed wait did not end")
	}
	if !errors.Is(err, pipc.ErrTimeout) || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("timed wait under signals: %v after %v", err, time.Since(start))
	}
	select {
	case err := <-forever:
		t.Fatalf("the wait without limit ended without a release: %v", err)
	default:
	}
	release()
	select {
	case err := <-forever:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(long):
		t.Fatal("the release did not end the wait")
	}
}

// Close racing calls that are about to wait, or waiting: every one ends with
// ErrClosed (none is left waiting), and the semaphore is unchanged.
func TestSemaphoreCloseRacingWaits(t *testing.T) {
	s := newSemaphore(t, 0)
	for round := 0; round < 20; round++ {
		s2, err := pipc.OpenSemaphore(s.Name(), nil)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 8)
		for i := 0; i < cap(done); i++ {
			go func(i int) {
				if i%2 == 0 {
					done <- s2.Acquire(-1)
				} else {
					done <- s2.AcquireContext(context.Background())
				}
			}(i)
		}
		s2.Close()
		for i := 0; i < cap(done); i++ {
			select {
			case err := <-done:
				if !errors.Is(err, pipc.ErrClosed) {
					t.Fatalf("round %d: %v", round, err)
				}
			case <-time.After(long):
				t.Fatalf("round %d: a wait did not end", round)
			}
		}
	}
	if v := value(t, s); v != 0 {
		t.Fatalf("value %d", v)
	}
}

// A wait keeps its object alive: the object's finalizer (which closes it, and so would
// end the wait) cannot run while a call on it is in progress, even when nothing else
// refers to the object any more.
func TestSemaphoreWaitKeepsObjectAlive(t *testing.T) {
	s := newSemaphore(t, 0)
	for _, viaContext := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		result := testmain.Blocked(t, func() error {
			w, err := pipc.OpenSemaphore(s.Name(), nil)
			if err != nil {
				return err
			}
			if viaContext {
				return w.AcquireContext(ctx) // w is not used after this call begins
			}
			return w.Acquire(-1)
		})
		// Finalizers run in order of their objects' collection, on one goroutine: once
		// an object dropped now is finalized, a collectable w would have been too.
		finalized := make(chan struct{})
		func() {
			marker := new([16]byte)
			runtime.SetFinalizer(marker, func(*[16]byte) { close(finalized) })
		}()
		for i := 0; i < 3; i++ {
			runtime.GC()
		}
		within(t, "the marker's finalizer", finalized)
		runtime.GC()
		start := time.Now()
		if err := s.Release(); err != nil {
			t.Fatal(err)
		}
		if err := testmain.Ended(t, "release", result, start, long); err != nil {
			t.Fatalf("context %v: the wait ended with %v: its object was finalized during the call", viaContext, err)
		}
		cancel()
	}
}

func TestSemaphoreConcurrentClose(t *testing.T) {
	s := newSemaphore(t, 0)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(2)
		go func() { defer wg.Done(); s.Close() }()
		go func() {
			defer wg.Done()
			if err := s.Release(); err != nil && !errors.Is(err, pipc.ErrClosed) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := s.Release(); !errors.Is(err, pipc.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// A finalizer closes an unreachable semaphore, and never unlinks it.
func TestSemaphoreFinalizerDoesNotUnlink(t *testing.T) {
	name := newSemaphore(t, 0).Name()
	func() {
		s, err := pipc.OpenSemaphore(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.Release()
	}()
	for i := 0; i < 5; i++ {
		runtime.GC()
	}
	s, err := pipc.OpenSemaphore(name, nil)
	if err != nil {
		t.Fatalf("the finalizer unlinked it: %v", err)
	}
	s.Close()
}
