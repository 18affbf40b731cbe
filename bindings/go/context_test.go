package pipc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/handle"
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
	s := newSemaphore(t, 1)
	q := newMessageQueue(t, small())
	q.Send([]byte("queued"), 0, 0)
	m, c := newMutex(t, nil), newCond(t)
	ch := newChannel(t, pipc.ChannelOptions{Slots: 1, MaxMessageSize: 16})
	ch.Send([]byte("queued"), 0)
	for _, done := range testmain.DoneContexts(t) {
		ctx, check := done.Ctx, done.Check
		check(t, s.AcquireContext(ctx))
		check(t, m.LockContext(ctx))
		mustLock(t, m)
		check(t, c.WaitContext(ctx, m))
		mustUnlock(t, m) // the wait never released it
		_, _, err := q.ReceiveContext(ctx)
		check(t, err)
		_, _, err = q.ReceiveIntoContext(ctx, make([]byte, 64))
		check(t, err)
		check(t, q.SendContext(ctx, []byte("more"), 0))
		_, err = ch.ReceiveContext(ctx)
		check(t, err)
		_, err = ch.ReceiveIntoContext(ctx, make([]byte, 16))
		check(t, err)
		check(t, ch.SendContext(ctx, []byte("more")))
	}
	if a := attributes(t, ch); a.Messages != 1 {
		t.Fatalf("%d messages in the channel", a.Messages)
	}
	if v := value(t, s); v != 1 {
		t.Fatalf("value %d", v)
	}
	if n, _ := q.CurrentMessages(); n != 1 {
		t.Fatalf("%d messages", n)
	}
	if lockedElsewhere(t, m) {
		t.Fatal("locked")
	}
}

// A Context that is never done (Background) makes the plain call; a wait through a
// live one ends as a plain wait does, when what it waits for comes.
func TestContextCompletes(t *testing.T) {
	s := newSemaphore(t, 1)
	if err := s.AcquireContext(context.Background()); err != nil || value(t, s) != 0 {
		t.Fatalf("Background: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	result := testmain.Blocked(t, func() error { return s.AcquireContext(ctx) })
	s2, err := pipc.OpenSemaphore(s.Name(), nil)
	testmain.Keep(t, s2, err)
	start := time.Now()
	s2.Release()
	if err := testmain.Ended(t, "release", result, start, long); err != nil || value(t, s) != 0 {
		t.Fatalf("%v, value %d", err, value(t, s))
	}
	q := newMessageQueue(t, small())
	received := make(chan []byte, 1)
	result = testmain.Blocked(t, func() error {
		msg, _, err := q.ReceiveContext(ctx)
		received <- msg
		return err
	})
	start = time.Now()
	q.Send([]byte("hello"), 0, 0)
	if err := testmain.Ended(t, "send", result, start, long); err != nil || string(<-received) != "hello" {
		t.Fatal(err)
	}
	// A queue in non-blocking mode never waits, through a Context neither.
	nb := newMessageQueue(t, pipc.MessageQueueOptions{NonBlocking: true})
	if _, _, err := nb.ReceiveContext(ctx); !errors.Is(err, pipc.ErrBusy) || errors.Is(err, pipc.ErrTimeout) {
		t.Fatalf("non-blocking queue: %v", err)
	}
	// A nil Context is a bad argument, not a panic.
	if err := s.AcquireContext(nil); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("nil Context: %v", err)
	}
	if n := handle.Waits(); n != 0 {
		t.Fatalf("%d Context waits left", n)
	}
}

// A cancellation racing a release (a message): the call either takes the value (the
// message) and succeeds, or leaves it and returns context.Canceled; never both or
// neither.
func TestContextCancelRacesRelease(t *testing.T) {
	s := newSemaphore(t, 0)
	q := newMessageQueue(t, small())
	for i := 0; i < 200; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		acquired, received := make(chan error, 1), make(chan error, 1)
		go func() { acquired <- s.AcquireContext(ctx) }()
		go func() { _, _, err := q.ReceiveContext(ctx); received <- err }()
		go cancel()
		s.Release()
		q.Send([]byte("x"), 0, 0)
		err := <-acquired
		want := 0
		if err != nil {
			testmain.IsCanceled(t, err)
			want = 1
		}
		if v := value(t, s); v != want {
			t.Fatalf("round %d: the acquire returned %v, and the value is %d", i, err, v)
		}
		if want == 1 {
			s.Acquire(0)
		}
		err = <-received
		wantMessages := int64(0)
		if err != nil {
			testmain.IsCanceled(t, err)
			wantMessages = 1
		}
		if n, _ := q.CurrentMessages(); n != wantMessages {
			t.Fatalf("round %d: the receive returned %v, and %d messages are queued", i, err, n)
		}
		if wantMessages == 1 {
			q.Receive(0)
		}
	}
}

// Many calls cancelled at once (waiting for a semaphore, a message, a mutex held
// elsewhere and a condition): each returns context.Canceled, and neither a watcher
// goroutine nor a duplicate handle or eventfd (nor their descriptors) remains.
func TestContextCancelManyLeavesNothing(t *testing.T) {
	s := newSemaphore(t, 0)
	q := newMessageQueue(t, small())
	held, m, c := newMutex(t, nil), newMutex(t, nil), newCond(t)
	holdMutex(t, held)
	ch := newChannel(t, pipc.ChannelOptions{Slots: 1, MaxMessageSize: 8})
	testmain.CancelMany(t, 32, s.AcquireContext, func(ctx context.Context) error {
		_, _, err := q.ReceiveContext(ctx)
		return err
	}, func(ctx context.Context) error {
		_, err := ch.ReceiveContext(ctx)
		return err
	}, held.LockContext, func(ctx context.Context) error {
		if err := m.Lock(); err != nil {
			return err
		}
		defer m.Unlock() // held again after the wait
		return c.WaitContext(ctx, m)
	})
	if v := value(t, s); v != 0 {
		t.Fatalf("value %d", v)
	}
}

// A Context wait on a queue leaves this process's notification registration alone
// (the kernel drops it when the process closes any descriptor of the queue, so the
// wait must not close one).
func TestContextKeepsNotification(t *testing.T) {
	q := newMessageQueue(t, small())
	fired := make(chan struct{})
	if err := q.NotifyFunc(func() { close(fired) }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	result := testmain.Blocked(t, func() error { _, _, err := q.ReceiveContext(ctx); return err })
	start := time.Now()
	cancel()
	testmain.IsCanceled(t, testmain.Ended(t, "cancel", result, start, time.Second))
	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	_, _, err := q.ReceiveContext(short)
	testmain.IsDeadline(t, err)
	if err := q.NotifyFunc(func() {}); !errors.Is(err, pipc.ErrBusy) {
		t.Fatalf("the registration is gone: a new one got %v", err)
	}
	q.Send([]byte("x"), 0, 0)
	within(t, "notification", fired)
}
