package pipc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"libpipc.dev/pipc"
)

// holdMutex locks m on a goroutine of its own, which holds it until the returned
// release is called (at the latest after t).
func holdMutex(t *testing.T, m *pipc.Mutex) (release func()) {
	t.Helper()
	locked, unlock, done := make(chan error), make(chan struct{}), make(chan error)
	go func() {
		err := m.Lock()
		locked <- err
		if err == nil {
			<-unlock
			done <- m.Unlock()
		}
	}()
	if err := <-locked; err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(unlock)
			if err := <-done; err != nil {
				t.Errorf("the holder's unlock: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// dieHolding locks m on a goroutine wired to a thread of its own, runs then, and
// returns from the goroutine without unlocking: the Go runtime ends the thread, so the
// lock's owner is dead (once the thread is gone: a Lock then waits for it). It returns
// what Lock returned there.
func dieHolding(m *pipc.Mutex, then func()) error {
	var run func(result chan<- error)
	run = func(result chan<- error) {
		runtime.LockOSThread() // the goroutine's end ends the thread
		if syscall.Gettid() == os.Getpid() {
			// The main thread, which the Go runtime parks rather than ends: the lock
			// is taken on another thread (not this one, which this goroutine holds).
			inner := make(chan error)
			go run(inner)
			result <- <-inner
			runtime.UnlockOSThread()
			return
		}
		err := m.Lock()
		if err == nil && then != nil {
			then()
		}
		result <- err
	}
	result := make(chan error)
	go run(result)
	return <-result
}

// mustLock locks m and fails t on any error.
func mustLock(t *testing.T, m *pipc.Mutex) {
	t.Helper()
	if err := m.LockTimeout(long); err != nil {
		t.Fatal(err)
	}
}

func mustUnlock(t *testing.T, m *pipc.Mutex) {
	t.Helper()
	if err := m.Unlock(); err != nil {
		t.Fatal(err)
	}
}

// recovered marks m, which the caller holds after its owner died, consistent, unlocks
// it, and checks that it locks as before.
func recovered(t *testing.T, m *pipc.Mutex) {
	t.Helper()
	if err := m.Consistent(); err != nil {
		t.Fatal(err)
	}
	mustUnlock(t, m)
	mustLock(t, m)
	mustUnlock(t, m)
}

// lockedElsewhere reports whether another goroutine (so another thread) finds m
// locked.
func lockedElsewhere(t *testing.T, m *pipc.Mutex) bool {
	t.Helper()
	type result struct {
		locked bool
		err    error
	}
	results := make(chan result)
	go func() {
		locked, err := m.TryLock()
		if locked && err == nil {
			err = m.Unlock()
		}
		results <- result{locked, err}
	}()
	r := <-results
	if r.err != nil {
		t.Fatal(r.err)
	}
	return !r.locked
}

func TestMutexBasics(t *testing.T) {
	m := newMutex(t, nil)
	if !strings.HasPrefix(m.Name(), "/") || !m.Created() {
		t.Fatalf("name %q created %v", m.Name(), m.Created())
	}
	m2, err := pipc.OpenMutex(m.Name(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if m2.Created() || m2.Name() != m.Name() {
		t.Fatalf("second handle: created %v name %q", m2.Created(), m2.Name())
	}
	mustLock(t, m)
	if !lockedElsewhere(t, m2) {
		t.Fatal("a lock through one handle is not seen through the other")
	}
	mustUnlock(t, m)
	if lockedElsewhere(t, m2) {
		t.Fatal("still locked after Unlock")
	}
	// The lock is the thread's, not the handle's: unlock through the other handle.
	if locked, err := m2.TryLock(); !locked || err != nil {
		t.Fatalf("TryLock: %v %v", locked, err)
	}
	mustUnlock(t, m)
	if err := m.Lock(); err != nil {
		t.Fatal(err)
	}
	mustUnlock(t, m)
}

func TestMutexNamedCreateAndUnlink(t *testing.T) {
	name := testName()
	t.Cleanup(func() { pipc.UnlinkMutex(name) }) // if the test fails before it does
	track("/dev/shm" + name)
	create := pipc.OpenFlags{Create: true, Exclusive: true}
	m, err := pipc.OpenMutex(name, &pipc.MutexOptions{OpenFlags: create, Mode: 0640})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if st, err := os.Stat("/dev/shm" + name); err != nil || st.Mode().Perm() != 0640 {
		t.Fatalf("stat: %v", err)
	}
	if _, err := pipc.OpenMutex(name, &pipc.MutexOptions{OpenFlags: create}); !errors.Is(err, pipc.ErrExist) {
		t.Fatalf("exclusive create of an existing mutex: %v", err)
	}
	if err := m.Unlink(); err != nil {
		t.Fatal(err)
	}
	if _, err := pipc.OpenMutex(name, nil); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("after Unlink: %v", err)
	}
	mustLock(t, m) // an unlinked mutex lives on while open
	mustUnlock(t, m)
	if err := pipc.UnlinkMutex(name); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("second unlink: %v", err)
	}
}

// A relock by the owner is an error, not a deadlock; the lock stays held once.
func TestMutexRelockIsInvalid(t *testing.T) {
	m := newMutex(t, nil)
	mustLock(t, m)
	for _, err := range []error{m.Lock(), m.LockTimeout(0), m.LockContext(context.Background())} {
		if !errors.Is(err, pipc.ErrInvalid) {
			t.Fatalf("relock: %v", err)
		}
	}
	if locked, err := m.TryLock(); locked || !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("TryLock by the owner: %v %v", locked, err)
	}
	mustUnlock(t, m)
	if err := m.Unlock(); !errors.Is(err, pipc.ErrPermission) {
		t.Fatalf("a second unlock: %v", err)
	}
}

// Only the goroutine that locked can unlock.
func TestMutexUnlockByAnotherGoroutine(t *testing.T) {
	m := newMutex(t, nil)
	mustLock(t, m)
	result := make(chan error)
	go func() { result <- m.Unlock() }()
	if err := <-result; !errors.Is(err, pipc.ErrPermission) {
		t.Fatalf("unlock from another goroutine: %v", err)
	}
	if !lockedElsewhere(t, m) {
		t.Fatal("the refused unlock released the lock")
	}
	mustUnlock(t, m)
}

// Lock wires the goroutine to its thread: it can be rescheduled any number of times
// among busy goroutines and still unlock.
func TestMutexLockWiresThread(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	m := newMutex(t, nil)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					runtime.Gosched()
				}
			}
		}()
	}
	defer wg.Wait()
	defer close(stop)
	for round := 0; round < 20; round++ {
		mustLock(t, m)
		tid := syscall.Gettid()
		for i := 0; i < 100; i++ {
			runtime.Gosched()
			_ = make([]byte, 1024) // gives the scheduler work too
		}
		if now := syscall.Gettid(); now != tid {
			t.Fatalf("the goroutine moved from thread %d to %d while it held the lock", tid, now)
		}
		mustUnlock(t, m)
	}
}

func TestMutexTimeouts(t *testing.T) {
	m := newMutex(t, nil)
	holdMutex(t, m)
	if locked, err := m.TryLock(); locked || err != nil {
		t.Fatalf("TryLock of a held mutex: %v %v", locked, err)
	}
	if err := m.LockTimeout(0); !errors.Is(err, pipc.ErrBusy) || errors.Is(err, pipc.ErrTimeout) {
		t.Fatalf("timeout 0: want ErrBusy only, got %v", err)
	}
	start := time.Now()
	err := m.LockTimeout(30 * time.Millisecond)
	if elapsed := time.Since(start); !errors.Is(err, pipc.ErrTimeout) || elapsed < 30*time.Millisecond {
		t.Fatalf("timeout 30ms: %v after %v", err, elapsed)
	}
}

// Signals to the thread of a waiting Lock: a timed one keeps its deadline, and one
// without limit waits on until the holder unlocks.
func TestMutexLockUnderSignals(t *testing.T) {
	m := newMutex(t, nil)
	release := holdMutex(t, m)
	waitUnderSignals(t, func(timeout time.Duration) error {
		if err := m.LockTimeout(timeout); err != nil {
			return err
		}
		return m.Unlock()
	}, release)
}

// A lock waiting for the holder gets it when the holder unlocks.
func TestMutexLockWaitsForUnlock(t *testing.T) {
	m := newMutex(t, nil)
	release := holdMutex(t, m)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, lock := range []func() error{m.Lock, func() error { return m.LockContext(ctx) }} {
		result := make(chan error)
		go func() {
			err := lock()
			if err == nil {
				err = m.Unlock()
			}
			result <- err
		}()
		release()
		if err := <-result; err != nil {
			t.Fatal(err)
		}
		release = holdMutex(t, m)
	}
}

// A cancellation racing the holder's unlock: the lock either succeeds, and the caller
// holds it, or returns context.Canceled, and the caller does not; never both or
// neither.
func TestMutexContextCancelRacesUnlock(t *testing.T) {
	m := newMutex(t, nil)
	for i := 0; i < 100; i++ {
		release := holdMutex(t, m)
		ctx, cancel := context.WithCancel(context.Background())
		result := make(chan error)
		go func() {
			err := m.LockContext(ctx)
			switch {
			case err == nil:
				err = m.Unlock()
			case !errors.Is(err, context.Canceled):
			case !errors.Is(m.Unlock(), pipc.ErrPermission):
				err = errors.New("cancelled, yet holding the lock")
			default:
				err = nil
			}
			result <- err
		}()
		go cancel()
		release()
		if err := <-result; err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
}

// holdUntilKilled is the child role mutex-hold: it locks the mutex named first in arg,
// sets the first byte of the shared memory named second (an update in progress),
// says "locked", and waits for its end.
func holdUntilKilled(arg string) error {
	names := strings.Fields(arg)
	m, err := pipc.OpenMutex(names[0], nil)
	if err != nil {
		return err
	}
	shm, err := pipc.OpenSharedMemory(names[1], nil)
	if err != nil {
		return err
	}
	if err := m.Lock(); err != nil {
		return err
	}
	shm.Bytes()[0] = 1
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin) // until killed
	return errors.New("stdin ended before the kill")
}

// killedHolding has another process lock m, start an update of shm and die by
// SIGKILL.
func killedHolding(t *testing.T, m *pipc.Mutex, shm *pipc.SharedMemory) {
	t.Helper()
	c := startChild(t, "mutex-hold", m.Name()+" "+shm.Name())
	if l := c.line(t); l != "locked" {
		t.Fatalf("the child said %q", l)
	}
	c.kill(t)
}

// A process killed with SIGKILL while holding the lock: the next owner gets the lock
// with ErrOwnerDead, repairs, marks it consistent and unlocks; then all is as before.
func TestMutexOwnerKilled(t *testing.T) {
	m := newMutex(t, nil)
	shm := newSharedMemory(t, 4096)
	killedHolding(t, m, shm)
	err := m.LockTimeout(long)
	if !errors.Is(err, pipc.ErrOwnerDead) {
		t.Fatalf("want ErrOwnerDead, got %v", err)
	}
	if e := asError(t, err); e.Status != pipc.StatusOwnerDead || e.Errno != syscall.EOWNERDEAD ||
		!strings.Contains(e.Message, m.Name()) {
		t.Fatalf("%#v", e)
	}
	if !lockedElsewhere(t, m) {
		t.Fatal("ErrOwnerDead, but the lock is not held")
	}
	if shm.Bytes()[0] != 1 {
		t.Fatal("the child's update is not there")
	}
	shm.Bytes()[0] = 0 // the repair
	recovered(t, m)
	if err := m.Consistent(); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("Consistent with nothing to mark: %v", err)
	}
}

// The Recover hook repairs after an owner's death: Lock succeeds, and the mutex is
// consistent. The hook runs with the lock held, on the goroutine that locks.
func TestMutexRecoverHook(t *testing.T) {
	shm := newSharedMemory(t, 4096)
	var m *pipc.Mutex
	repairs, held, tid := 0, false, 0
	m = newMutex(t, &pipc.MutexOptions{Recover: func() error {
		repairs++
		held, tid = lockedElsewhere(t, m), syscall.Gettid()
		shm.Bytes()[0] = 0
		return nil
	}})
	killedHolding(t, m, shm)
	mustLock(t, m)
	if repairs != 1 || !held || tid != syscall.Gettid() || shm.Bytes()[0] != 0 {
		t.Fatalf("repaired %d times, held %v, on thread %d (%d)", repairs, held, tid, syscall.Gettid())
	}
	mustUnlock(t, m)
	mustLock(t, m)
	mustUnlock(t, m)
	if repairs != 1 {
		t.Fatal("the hook ran without an owner's death")
	}
}

// A Recover hook that fails leaves the lock held and not consistent: the error
// matches ErrOwnerDead and wraps the hook's error.
func TestMutexRecoverFails(t *testing.T) {
	broken := errors.New("cannot repair")
	m := newMutex(t, &pipc.MutexOptions{Recover: func() error { return broken }})
	if err := dieHolding(m, nil); err != nil {
		t.Fatal(err)
	}
	err := m.LockTimeout(long)
	if !errors.Is(err, pipc.ErrOwnerDead) || !errors.Is(err, broken) ||
		!strings.Contains(err.Error(), "cannot repair") || !strings.Contains(err.Error(), "owner died") {
		t.Fatalf("got %v", err)
	}
	if !lockedElsewhere(t, m) {
		t.Fatal("not held after the hook failed")
	}
	recovered(t, m)
}

// A thread that ends holding the lock (a goroutine that returns while wired to it) is
// a dead owner.
func TestMutexThreadExitOwnerDead(t *testing.T) {
	m := newMutex(t, nil)
	if err := dieHolding(m, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.LockTimeout(long); !errors.Is(err, pipc.ErrOwnerDead) {
		t.Fatalf("want ErrOwnerDead, got %v", err)
	}
	recovered(t, m)
}

// Unlocking after ErrOwnerDead without Consistent makes the mutex unusable, for every
// handle; TryLock reports an owner's death with the lock held.
func TestMutexNotRecoverable(t *testing.T) {
	m := newMutex(t, nil)
	killedHolding(t, m, newSharedMemory(t, 4096))
	if locked, err := m.TryLock(); !locked || !errors.Is(err, pipc.ErrOwnerDead) {
		t.Fatalf("TryLock after the owner died: %v %v", locked, err)
	}
	mustUnlock(t, m)
	m2, err := pipc.OpenMutex(m.Name(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, err := range []error{m.Lock(), m.LockTimeout(0), m.LockContext(ctx), m2.Lock()} {
		if !errors.Is(err, pipc.ErrNotRecoverable) {
			t.Fatalf("want ErrNotRecoverable, got %v", err)
		}
	}
	if locked, err := m.TryLock(); locked || !errors.Is(err, pipc.ErrNotRecoverable) {
		t.Fatalf("TryLock: %v %v", locked, err)
	}
}

// The Locker is a sync.Locker (sync.Cond takes it) that panics with the error.
func TestMutexLocker(t *testing.T) {
	m := newMutex(t, nil)
	l := m.Locker()
	cond := sync.NewCond(l)
	var ready int32 // atomic: the race detector does not see the C lock
	done := make(chan struct{})
	go func() {
		l.Lock()
		for atomic.LoadInt32(&ready) == 0 {
			cond.Wait()
		}
		l.Unlock()
		close(done)
	}()
	l.Lock()
	atomic.StoreInt32(&ready, 1)
	cond.Broadcast()
	l.Unlock()
	within(t, "sync.Cond on the Locker", done)

	panicked := func(f func()) (err error) {
		result := make(chan error)
		go func() {
			defer func() { result <- recover().(error) }()
			f()
		}()
		return <-result
	}
	l.Lock()
	if err := panicked(l.Unlock); !errors.Is(err, pipc.ErrPermission) {
		t.Fatalf("Unlock from another goroutine panicked with %v", err)
	}
	l.Unlock()
	m.Close()
	if err := panicked(l.Lock); !errors.Is(err, pipc.ErrClosed) {
		t.Fatalf("Lock of a closed mutex panicked with %v", err)
	}
}

// Close while holding leaves the lock held by the thread; another handle unlocks it.
func TestMutexCloseWhileHeld(t *testing.T) {
	m := newMutex(t, nil)
	m2, err := pipc.OpenMutex(m.Name(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	mustLock(t, m2)
	m2.Close()
	if !lockedElsewhere(t, m) {
		t.Fatal("Close unlocked")
	}
	if err := m2.Unlock(); !errors.Is(err, pipc.ErrClosed) {
		t.Fatalf("Unlock of a closed handle: %v", err)
	}
	mustUnlock(t, m)
}

func TestMutexClosedAndBadArguments(t *testing.T) {
	m := newMutex(t, nil)
	c := newCond(t)
	if m.Close() != nil || m.Close() != nil {
		t.Fatal("Close")
	}
	locked, tryErr := m.TryLock()
	for what, err := range map[string]error{
		"Lock": m.Lock(), "LockTimeout": m.LockTimeout(time.Second), "TryLock": tryErr,
		"LockContext": m.LockContext(context.Background()), "Unlock": m.Unlock(),
		"Consistent": m.Consistent(), "Unlink": m.Unlink(), "Wait": c.Wait(m),
	} {
		if !errors.Is(err, pipc.ErrClosed) {
			t.Errorf("%s after Close: %v", what, err)
		}
	}
	if locked {
		t.Error("TryLock of a closed mutex locked")
	}
	create := pipc.OpenFlags{Create: true, Exclusive: true}
	_, badName := pipc.OpenMutex("noslash", &pipc.MutexOptions{OpenFlags: create})
	_, badMode := pipc.OpenMutex("", &pipc.MutexOptions{Mode: 01000})
	_, badCondName := pipc.OpenCond("/a/b", &pipc.CondOptions{OpenFlags: create})
	_, badCondMode := pipc.OpenCond("", &pipc.CondOptions{Mode: fs.ModeDir | 0600})
	_, nilWaitTimeout := c.WaitTimeout(nil, 0)
	m2 := newMutex(t, nil)
	for what, err := range map[string]error{
		"bad name": badName, "bad mode": badMode, "bad condition name": badCondName,
		"bad condition mode": badCondMode, "unlink empty name": pipc.UnlinkMutex(""),
		"unlink empty condition name": pipc.UnlinkCond(""), "nil Context": m2.LockContext(nil),
		"Wait nil": c.Wait(nil), "WaitTimeout nil": nilWaitTimeout,
		"WaitContext nil":         c.WaitContext(context.Background(), nil),
		"WaitContext nil Context": c.WaitContext(nil, m2),
	} {
		if !errors.Is(err, pipc.ErrInvalid) {
			t.Errorf("%s: want ErrInvalid, got %v", what, err)
		}
	}
	if _, err := pipc.OpenMutex(testName(), nil); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("open of a missing mutex: %v", err)
	}
	if _, err := pipc.OpenCond(testName(), nil); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("open of a missing condition variable: %v", err)
	}
}
