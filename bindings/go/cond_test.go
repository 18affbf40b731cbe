package pipc_test

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/testmain"
)

// A tokenRig is what the condition variable tests share with their child processes: a
// mutex, a condition variable and, in shared memory guarded by the mutex, a number of
// tokens (offset 0) and of waiters for one (offset 8).
type tokenRig struct {
	m   *pipc.Mutex
	c   *pipc.Cond
	shm *pipc.SharedMemory
}

const tokens, waiters = 0, 8

func (r tokenRig) get(field int) uint64 { return binary.LittleEndian.Uint64(r.shm.Bytes()[field:]) }

func (r tokenRig) add(field int, n int64) {
	binary.LittleEndian.PutUint64(r.shm.Bytes()[field:], r.get(field)+uint64(n))
}

// names is the rig as a child's argument.
func (r tokenRig) names() string { return r.m.Name() + " " + r.c.Name() + " " + r.shm.Name() }

// takeToken is the child role cond-take: with the rig named by arg, it counts itself
// as a waiter (and broadcasts that), waits until there is a token, and takes it.
func takeToken(arg string) error {
	names := strings.Fields(arg)
	m, err := pipc.OpenMutex(names[0], nil)
	if err != nil {
		return err
	}
	c, err := pipc.OpenCond(names[1], nil)
	if err != nil {
		return err
	}
	shm, err := pipc.OpenSharedMemory(names[2], nil)
	if err != nil {
		return err
	}
	r := tokenRig{m, c, shm}
	if err := m.Lock(); err != nil {
		return err
	}
	r.add(waiters, 1)
	if err := c.Broadcast(); err != nil {
		return err
	}
	for r.get(tokens) == 0 {
		if err := c.Wait(m); err != nil {
			return err
		}
	}
	r.add(tokens, -1)
	r.add(waiters, -1)
	return m.Unlock()
}

func newTokenRig(t *testing.T) tokenRig {
	return tokenRig{newMutex(t, nil), newCond(t), newSharedMemory(t, 4096)}
}

// await waits on the rig's condition variable, its mutex held, until done says so.
func (r tokenRig) await(t *testing.T, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(long)
	for !done() {
		if _, err := r.c.WaitTimeout(r.m, time.Until(deadline)); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the condition did not come within %v", long)
		}
	}
}

// takers starts n child processes that wait for a token each, and returns once all of
// them wait, with the rig's mutex held.
func (r tokenRig) takers(t *testing.T, n int) []*runningChild {
	t.Helper()
	children := make([]*runningChild, n)
	for i := range children {
		children[i] = startChild(t, "cond-take", r.names())
	}
	mustLock(t, r.m)
	r.await(t, func() bool { return r.get(waiters) == uint64(n) })
	return children
}

// ended waits for the first of children to end, checks that it succeeded, and
// returns the others.
func ended(t *testing.T, children []*runningChild) []*runningChild {
	t.Helper()
	first, stop := make(chan int, len(children)), make(chan struct{})
	defer close(stop)
	for i, c := range children {
		go func(i int, c *runningChild) {
			select {
			case <-c.done:
				first <- i
			case <-stop:
			}
		}(i, c)
	}
	select {
	case i := <-first:
		if c := children[i]; c.err != nil {
			t.Fatalf("a child failed: %v: %s", c.err, c.stderr.String())
		}
		return append(children[:i:i], children[i+1:]...)
	case <-time.After(long):
		t.Fatalf("no child ended within %v", long)
	}
	return nil
}

// Signal wakes one waiter in another process; one token at a time, each goes to one
// of the two waiting processes.
func TestCondSignalAcrossProcesses(t *testing.T) {
	r := newTokenRig(t)
	children := r.takers(t, 2)
	for round := 0; round < 2; round++ {
		r.add(tokens, 1)
		if err := r.c.Signal(); err != nil {
			t.Fatal(err)
		}
		mustUnlock(t, r.m)
		children = ended(t, children)
		mustLock(t, r.m)
		if r.get(tokens) != 0 || r.get(waiters) != uint64(1-round) {
			t.Fatalf("round %d: %d tokens, %d waiters", round, r.get(tokens), r.get(waiters))
		}
	}
	mustUnlock(t, r.m)
}

// Broadcast wakes every waiting process: three tokens, three processes, one broadcast.
func TestCondBroadcastAcrossProcesses(t *testing.T) {
	r := newTokenRig(t)
	children := r.takers(t, 3)
	r.add(tokens, 3)
	if err := r.c.Broadcast(); err != nil {
		t.Fatal(err)
	}
	mustUnlock(t, r.m)
	for len(children) > 0 {
		children = ended(t, children)
	}
	mustLock(t, r.m)
	defer mustUnlock(t, r.m)
	if r.get(tokens) != 0 || r.get(waiters) != 0 {
		t.Fatalf("%d tokens, %d waiters", r.get(tokens), r.get(waiters))
	}
}

// A timed wait that nothing wakes returns false, with the mutex held again; a wait
// without the mutex is refused.
func TestCondWaitTimeout(t *testing.T) {
	m, c := newMutex(t, nil), newCond(t)
	if _, err := c.WaitTimeout(m, time.Second); !errors.Is(err, pipc.ErrPermission) {
		t.Fatalf("wait without the mutex: %v", err)
	}
	mustLock(t, m)
	for _, timeout := range []time.Duration{0, 30 * time.Millisecond} {
		start := time.Now()
		woken, err := c.WaitTimeout(m, timeout)
		if elapsed := time.Since(start); woken || err != nil || elapsed < timeout {
			t.Fatalf("timeout %v: woken %v, %v after %v", timeout, woken, err, elapsed)
		}
		if !lockedElsewhere(t, m) {
			t.Fatal("the mutex is not held after the wait")
		}
	}
	mustUnlock(t, m)
}

// A wait, plain or through a Context, ends at a signal from another goroutine.
func TestCondWaitWoken(t *testing.T) {
	m, c := newMutex(t, nil), newCond(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waits := map[string]func() error{
		"Wait":        func() error { return c.Wait(m) },
		"WaitContext": func() error { return c.WaitContext(ctx, m) },
		"WaitTimeout": func() error {
			woken, err := c.WaitTimeout(m, long)
			if !woken && err == nil {
				return pipc.ErrTimeout
			}
			return err
		},
	}
	for name, wait := range waits {
		var signalled int32 // atomic: the race detector does not see the C lock
		result := make(chan error)
		go func() {
			err := m.Lock()
			for err == nil && atomic.LoadInt32(&signalled) == 0 {
				err = wait()
			}
			if err == nil {
				err = m.Unlock()
			}
			result <- err
		}()
		mustLock(t, m)
		atomic.StoreInt32(&signalled, 1)
		c.Signal()
		mustUnlock(t, m)
		if err := <-result; err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// Signals to the thread of a waiting goroutine end its waits like spurious wakeups: a
// loop on its condition waits on until the condition comes, or up to its deadline.
func TestCondWaitUnderSignals(t *testing.T) {
	m, c := newMutex(t, nil), newCond(t)
	var ready int32 // atomic: the race detector does not see the C lock
	waitUnderSignals(t, func(timeout time.Duration) error {
		if err := m.Lock(); err != nil {
			return err
		}
		defer m.Unlock()
		deadline := time.Now().Add(timeout)
		for atomic.LoadInt32(&ready) == 0 {
			left := time.Until(deadline)
			if timeout < 0 {
				left = -1
			} else if left <= 0 {
				return pipc.ErrTimeout
			}
			if _, err := c.WaitTimeout(m, left); err != nil {
				return err
			}
		}
		return nil
	}, func() {
		mustLock(t, m)
		atomic.StoreInt32(&ready, 1)
		c.Broadcast()
		mustUnlock(t, m)
	})
}

// Close of the mutex's handle ends a wait on it with ErrClosed, without the lock.
func TestCondWaitEndsAtMutexClose(t *testing.T) {
	m, c := newMutex(t, nil), newCond(t)
	w, err := pipc.OpenMutex(m.Name(), nil)
	testmain.Keep(t, w, err)
	result := testmain.Blocked(t, func() error {
		if err := w.Lock(); err != nil {
			return err
		}
		return c.Wait(w)
	})
	start := time.Now()
	w.Close()
	if err := testmain.Ended(t, "Close", result, start, time.Second); !errors.Is(err, pipc.ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
	if lockedElsewhere(t, m) {
		t.Fatal("the mutex is held after its handle was closed during the wait")
	}
}

// When the mutex's owner dies while a wait is signalled, the wait returns with the
// mutex held and ErrOwnerDead, or with the Recover hook run.
func TestCondWaitOwnerDead(t *testing.T) {
	c := newCond(t)
	repairs := 0
	plain := newMutex(t, nil)
	hooked := newMutex(t, &pipc.MutexOptions{Recover: func() error { repairs++; return nil }})
	for _, m := range []*pipc.Mutex{plain, hooked} {
		var signalled int32
		mustLock(t, m)
		died := make(chan error, 1)
		go func() { // takes the mutex once the wait below releases it, signals, and dies
			died <- dieHolding(m, func() {
				atomic.StoreInt32(&signalled, 1)
				c.Signal()
			})
		}()
		var err error
		for err == nil && atomic.LoadInt32(&signalled) == 0 {
			var woken bool
			if woken, err = c.WaitTimeout(m, long); !woken && err == nil {
				t.Fatalf("no signal within %v", long)
			}
		}
		if e := <-died; e != nil {
			t.Fatal(e)
		}
		if m == plain {
			if !errors.Is(err, pipc.ErrOwnerDead) {
				t.Fatalf("want ErrOwnerDead, got %v", err)
			}
			if err := m.Consistent(); err != nil {
				t.Fatal(err)
			}
		} else if err != nil || repairs != 1 {
			t.Fatalf("with Recover: %v, repaired %d times", err, repairs)
		}
		mustUnlock(t, m)
	}
}
