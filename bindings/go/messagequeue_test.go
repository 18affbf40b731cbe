package pipc_test

import (
	"errors"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/testmain"
)

func small() pipc.MessageQueueOptions {
	return pipc.MessageQueueOptions{MaxMessages: 4, MaxMessageSize: 64}
}

func TestMessageQueueAttributes(t *testing.T) {
	q := newMessageQueue(t, small())
	max, err1 := q.MaxMessages()
	size, err2 := q.MaxMessageSize()
	cur, err3 := q.CurrentMessages()
	if max != 4 || size != 64 || cur != 0 || err1 != nil || err2 != nil || err3 != nil || !q.Created() {
		t.Fatalf("max %d size %d current %d", max, size, cur)
	}
	q.Send([]byte("a"), 0, 0)
	if cur, _ := q.CurrentMessages(); cur != 1 {
		t.Fatalf("current %d", cur)
	}
}

func TestMessageQueueSendReceive(t *testing.T) {
	q := newMessageQueue(t, small())
	for i, m := range []string{"low", "high", "mid", "low2"} {
		prio := []uint{1, 9, 5, 1}[i]
		if err := q.Send([]byte(m), prio, -1); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []struct {
		msg  string
		prio uint
	}{{"high", 9}, {"mid", 5}, {"low", 1}} {
		msg, prio, err := q.Receive(-1)
		if err != nil || string(msg) != want.msg || prio != want.prio {
			t.Fatalf("got %q %d %v, want %q %d", msg, prio, err, want.msg, want.prio)
		}
	}
	buf := make([]byte, 64)
	n, prio, err := q.ReceiveInto(buf, 0)
	if err != nil || string(buf[:n]) != "low2" || prio != 1 {
		t.Fatalf("ReceiveInto: %q %d %v", buf[:n], prio, err)
	}
	if _, _, err := q.ReceiveInto(make([]byte, 63), 0); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("buffer below the message size: %v", err)
	}
	if err := q.Send(make([]byte, 65), 0, 0); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("message too long: %v", err)
	}
	if err := q.Send(nil, uint(pipc.MessagePriorityMax())+1, 0); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("priority too high: %v", err)
	}
	// Beyond 32 bits: refused, not truncated to a valid priority (1<<32 + 5 would be 5).
	if err := q.Send(nil, 1<<32+5, 0); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("priority 2^32+5: %v", err)
	}
}

func TestMessageQueueFullAndEmpty(t *testing.T) {
	q := newMessageQueue(t, pipc.MessageQueueOptions{MaxMessages: 1, MaxMessageSize: 8})
	if _, _, err := q.Receive(0); !errors.Is(err, pipc.ErrBusy) || errors.Is(err, pipc.ErrTimeout) {
		t.Fatalf("empty, timeout 0: %v", err)
	}
	if _, _, err := q.Receive(20 * time.Millisecond); !errors.Is(err, pipc.ErrTimeout) {
		t.Fatalf("empty, 20ms: %v", err)
	}
	q.Send([]byte("x"), 0, 0)
	if err := q.Send([]byte("y"), 0, 0); !errors.Is(err, pipc.ErrBusy) {
		t.Fatalf("full, timeout 0: %v", err)
	}
	if err := q.Send([]byte("y"), 0, 20*time.Millisecond); !errors.Is(err, pipc.ErrTimeout) {
		t.Fatalf("full, 20ms: %v", err)
	}
}

func TestMessageQueueBlockingFlag(t *testing.T) {
	q := newMessageQueue(t, pipc.MessageQueueOptions{NonBlocking: true})
	if b, err := q.Blocking(); b || err != nil {
		t.Fatalf("NonBlocking: %v %v", b, err)
	}
	if _, _, err := q.Receive(-1); !errors.Is(err, pipc.ErrBusy) {
		t.Fatalf("non-blocking receive: %v", err)
	}
	if err := q.SetBlocking(true); err != nil {
		t.Fatal(err)
	}
	if b, _ := q.Blocking(); !b {
		t.Fatal("SetBlocking(true)")
	}
}

func TestMessageQueueAccess(t *testing.T) {
	q := newMessageQueue(t, small())
	w, err := pipc.OpenMessageQueue(q.Name(), &pipc.MessageQueueOptions{Access: pipc.WriteOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, err := pipc.OpenMessageQueue(q.Name(), &pipc.MessageQueueOptions{Access: pipc.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, _, err := w.Receive(0); !errors.Is(err, pipc.ErrPermission) {
		t.Fatalf("receive on a write end: %v", err)
	}
	if err := r.Send([]byte("x"), 0, 0); !errors.Is(err, pipc.ErrPermission) {
		t.Fatalf("send on a read end: %v", err)
	}
	if err := w.Send([]byte("x"), 0, 0); err != nil {
		t.Fatal(err)
	}
	if msg, _, err := r.Receive(0); err != nil || string(msg) != "x" {
		t.Fatal(msg, err)
	}
}

// The descriptor works with a poller: readable once a message is queued.
func TestMessageQueueFd(t *testing.T) {
	q := newMessageQueue(t, small())
	fd, err := q.Fd()
	if err != nil || fd < 0 {
		t.Fatal(fd, err)
	}
	readable := func(timeout time.Duration) bool {
		var set syscall.FdSet
		set.Bits[fd/64] |= 1 << (uint(fd) % 64)
		tv := syscall.NsecToTimeval(int64(timeout))
		n, err := syscall.Select(fd+1, &set, nil, nil, &tv)
		if err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	if readable(0) {
		t.Fatal("an empty queue is readable")
	}
	q.Send([]byte("x"), 0, 0)
	if !readable(long) {
		t.Fatal("a queue with a message is not readable")
	}
}

func TestMessageQueueUnlink(t *testing.T) {
	q := newMessageQueue(t, small())
	if err := q.Unlink(); err != nil {
		t.Fatal(err)
	}
	if _, err := pipc.OpenMessageQueue(q.Name(), nil); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatal(err)
	}
	name := testName()
	t.Cleanup(func() { pipc.UnlinkMessageQueue(name) }) // if the test fails before it does
	track("/dev/mqueue" + name)
	n, err := pipc.OpenMessageQueue(name, &pipc.MessageQueueOptions{OpenFlags: pipc.OpenFlags{Create: true}})
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	if err := pipc.UnlinkMessageQueue(name); err != nil {
		t.Fatal(err)
	}
	if err := pipc.UnlinkMessageQueue(name); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatal(err)
	}
}

func TestMessageQueueNotifyFunc(t *testing.T) {
	q := newMessageQueue(t, small())
	fired := make(chan struct{})
	if err := q.NotifyFunc(func() { close(fired) }); err != nil {
		t.Fatal(err)
	}
	if err := q.NotifyFunc(func() {}); !errors.Is(err, pipc.ErrBusy) {
		t.Fatalf("a second registration: %v", err)
	}
	q.Send([]byte("x"), 0, 0)
	within(t, "notification", fired)
	// One shot: registering again works; cancelled, a new registration works too.
	if err := q.NotifyFunc(func() {}); err != nil {
		t.Fatal(err)
	}
	if err := q.CancelNotify(); err != nil {
		t.Fatal(err)
	}
	if err := q.NotifyFunc(func() {}); err != nil {
		t.Fatalf("after CancelNotify: %v", err)
	}
	if err := q.NotifyFunc(nil); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatal(err)
	}
}

func TestMessageQueueNotifySignal(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	q := newMessageQueue(t, small())
	if err := q.NotifySignal(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	q.Send([]byte("x"), 0, 0)
	select {
	case <-sigs:
	case <-time.After(long):
		t.Fatal("no signal")
	}
}

// A finalizer closes an unreachable queue (its descriptor goes), and never unlinks it.
func TestMessageQueueFinalizerCloses(t *testing.T) {
	q := newMessageQueue(t, small())
	before, ok := testmain.Descriptors()
	if !ok {
		t.Skip("no /proc/self/fd")
	}
	func() {
		o, err := pipc.OpenMessageQueue(q.Name(), nil)
		if err != nil {
			t.Fatal(err)
		}
		o.Receive(0) // used once: its scratch buffer made
	}()
	for deadline := time.Now().Add(long); ; time.Sleep(time.Millisecond) {
		runtime.GC()
		if n, _ := testmain.Descriptors(); n == before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the unreachable queue was never closed")
		}
	}
	if err := q.Send([]byte("still there"), 0, 0); err != nil {
		t.Fatal(err)
	}
}
