package sysv_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/sysv"
)

func TestMessageQueueTypes(t *testing.T) {
	q := newMessageQueue(t, 0)
	for _, m := range []struct {
		text string
		typ  int64
	}{{"a5", 5}, {"b2", 2}, {"c9", 9}, {"d2", 2}, {"e7", 7}} {
		if err := q.Send([]byte(m.text), m.typ, 0); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := q.CurrentMessages(); n != 5 {
		t.Fatalf("current %d", n)
	}
	for _, want := range []struct {
		sel  int64
		text string
		typ  int64
	}{
		{0, "a5", 5},  // the first
		{9, "c9", 9},  // the first of type 9
		{-6, "b2", 2}, // the lowest type <= 6
		{-6, "d2", 2},
		{-6, "", 0}, // none left <= 6: busy
	} {
		msg, typ, err := q.Receive(want.sel, 0)
		if want.text == "" {
			if !errors.Is(err, pipc.ErrBusy) {
				t.Fatalf("type %d: %v", want.sel, err)
			}
			continue
		}
		if err != nil || string(msg) != want.text || typ != want.typ {
			t.Fatalf("type %d: got %q %d %v, want %q %d", want.sel, msg, typ, err, want.text, want.typ)
		}
	}
	buf := make([]byte, 2)
	if n, typ, err := q.ReceiveInto(buf, 0, 0); err != nil || string(buf[:n]) != "e7" || typ != 7 {
		t.Fatalf("ReceiveInto: %q %d %v", buf[:n], typ, err)
	}
}

func TestMessageQueueErrors(t *testing.T) {
	q := newMessageQueue(t, 64)
	if err := q.Send([]byte("x"), 0, 0); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("type 0: %v", err)
	}
	if err := q.Send(make([]byte, 65), 1, time.Second); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("longer than the queue: %v", err)
	}
	q.Send([]byte("long message"), 1, 0)
	if _, _, err := q.ReceiveInto(make([]byte, 4), 0, 0); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("buffer too small: %v", err)
	}
	if n, _ := q.CurrentMessages(); n != 1 {
		t.Fatal("the message must stay queued")
	}
	cut := make([]byte, 4)
	if n, typ, err := q.ReceiveTruncated(cut, 0, 0); n != 4 || typ != 1 || err != nil || string(cut) != "long" {
		t.Fatalf("truncated: %d %d %v %q", n, typ, err, cut)
	}
	if n, _ := q.CurrentMessages(); n != 0 {
		t.Fatal("a truncated message is taken")
	}
	if _, _, err := q.Receive(2, 20*time.Millisecond); !errors.Is(err, pipc.ErrTimeout) {
		t.Fatalf("no such type, 20ms: %v", err)
	}
	// full
	q.Send(make([]byte, 64), 1, 0)
	if err := q.Send([]byte("x"), 1, 0); !errors.Is(err, pipc.ErrBusy) {
		t.Fatalf("full: %v", err)
	}
}

func TestMessageQueueMaxBytesAndStat(t *testing.T) {
	q := newMessageQueue(t, 1000)
	if max, err := q.MaxBytes(); max != 1000 || err != nil {
		t.Fatal(max, err)
	}
	if err := q.SetMaxBytes(500); err != nil {
		t.Fatal(err)
	}
	if max, _ := q.MaxBytes(); max != 500 {
		t.Fatal(max)
	}
	if err := q.SetMaxBytes(-1); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatal(err)
	}
	q.Send([]byte("12345"), 3, 0)
	st, err := q.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Key != q.Key() || st.CurrentMessages != 1 || st.CurrentBytes != 5 || st.MaxBytes != 500 ||
		st.LastSendPID != os.Getpid() || st.LastReceivePID != 0 || st.STime.IsZero() || !st.RTime.IsZero() ||
		st.Mode != 0600 || st.CUID != uint32(os.Getuid()) {
		t.Fatalf("%+v", st)
	}
	if err := q.SetMode(0620); err != nil {
		t.Fatal(err)
	}
	if st, _ := q.Stat(); st.Mode != 0620 {
		t.Fatal(st.Mode)
	}
	if sysv.MessageSizeMax() <= 0 || sysv.DefaultMaxBytes() <= 0 {
		t.Fatal("system limits")
	}
}

func TestMessageQueueRemoveWakesReceiver(t *testing.T) {
	q := newMessageQueue(t, 0)
	done := make(chan error, 1)
	go func() { _, _, err := q.Receive(0, -1); done <- err }()
	if err := sysv.RemoveMessageQueue(q.ID()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, pipc.ErrNotExist) {
			t.Fatalf("the receiver got %v", err)
		}
	case <-time.After(long):
		t.Fatal("Remove did not wake the receiver")
	}
}

func TestMessageQueueCrossProcess(t *testing.T) {
	q := newMessageQueue(t, 0)
	if out, err := child(t, "mq-send", q.Key()); err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	msg, typ, err := q.Receive(42, long)
	if err != nil || string(msg) != "from the child" || typ != 42 {
		t.Fatalf("%q %d %v", msg, typ, err)
	}
	byID, err := sysv.OpenMessageQueueID(q.ID())
	if err != nil || byID.Key() != q.Key() {
		t.Fatal(err)
	}
	byID.Close()
	if err := byID.Send([]byte("x"), 1, 0); !errors.Is(err, pipc.ErrClosed) {
		t.Fatal(err)
	}
}
