package sysv_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/sysv"
)

func value(t *testing.T, s *sysv.Semaphore) int {
	t.Helper()
	v, err := s.Value()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSemaphoreDeltasAndValue(t *testing.T) {
	s := newSemaphore(t, 5)
	if value(t, s) != 5 {
		t.Fatal("initial value")
	}
	if err := s.AcquireN(3, 0); err != nil || value(t, s) != 2 {
		t.Fatal(err)
	}
	if err := s.AcquireN(3, 0); !errors.Is(err, pipc.ErrBusy) {
		t.Fatalf("acquire 3 of 2: %v", err)
	}
	if err := s.AcquireN(3, 20*time.Millisecond); !errors.Is(err, pipc.ErrTimeout) {
		t.Fatalf("acquire 3 of 2, 20ms: %v", err)
	}
	if err := s.ReleaseN(4); err != nil || value(t, s) != 6 {
		t.Fatal(err)
	}
	if s.Acquire(0) != nil || s.Release() != nil || value(t, s) != 6 {
		t.Fatal("Acquire/Release")
	}
	if err := s.SetValue(1); err != nil || value(t, s) != 1 {
		t.Fatal(err)
	}
	for _, err := range []error{s.AcquireN(0, 0), s.ReleaseN(-1), s.SetValue(-1),
		s.ReleaseN(int(sysv.SemaphoreValueMax()))} {
		if !errors.Is(err, pipc.ErrInvalid) {
			t.Fatalf("want ErrInvalid, got %v", err)
		}
	}
}

func TestSemaphoreWaitZero(t *testing.T) {
	s := newSemaphore(t, 2)
	if err := s.WaitZero(0); !errors.Is(err, pipc.ErrBusy) {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.WaitZero(-1) }()
	s.AcquireN(2, 0)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(long):
		t.Fatal("WaitZero did not end at 0")
	}
}

func TestSemaphoreFlags(t *testing.T) {
	s := newSemaphore(t, 0)
	if u, err := s.Undo(); u || err != nil {
		t.Fatal("undo is off by default")
	}
	if b, err := s.Blocking(); !b || err != nil {
		t.Fatal("blocking is on by default")
	}
	if err := s.SetUndo(true); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.Undo(); !u {
		t.Fatal("SetUndo")
	}
	if err := s.SetBlocking(false); err != nil {
		t.Fatal(err)
	}
	if err := s.Acquire(-1); !errors.Is(err, pipc.ErrBusy) {
		t.Fatalf("non-blocking acquire: %v", err)
	}
}

// SEM_UNDO: the kernel reverts a process's operations through an undo handle when it
// exits, and keeps the others.
func TestSemaphoreUndoAcrossProcess(t *testing.T) {
	s := newSemaphore(t, 0)
	if out, err := child(t, "sem-release", s.Key()); err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	if value(t, s) != 2 {
		t.Fatalf("value %d after a release without undo", value(t, s))
	}
	if out, err := child(t, "sem-release-undo", s.Key()); err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	if value(t, s) != 2 {
		t.Fatalf("value %d after a release with undo, its process gone", value(t, s))
	}
}

func TestSemaphoreStat(t *testing.T) {
	s := newSemaphore(t, 1)
	if err := s.Acquire(0); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Key != s.Key() || st.UID != uint32(os.Getuid()) || st.CUID != uint32(os.Getuid()) ||
		st.Mode != 0600 || st.LastPID != os.Getpid() || st.OTime.IsZero() || st.CTime.IsZero() ||
		st.WaitingNonzero != 0 || st.WaitingZero != 0 {
		t.Fatalf("%+v", st)
	}
	if err := s.SetMode(0640); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUID(uint32(os.Getuid())); err != nil {
		t.Fatal(err)
	}
	if err := s.SetGID(uint32(os.Getgid())); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stat(); st.Mode != 0640 || st.GID != uint32(os.Getgid()) {
		t.Fatalf("after SetMode: %+v", st)
	}
	if err := s.SetMode(01777); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatal(err)
	}
	// A waiter shows in the stat fields.
	done := make(chan error, 1)
	go func() { done <- s.Acquire(-1) }()
	deadline := time.Now().Add(long)
	for st, _ = s.Stat(); st.WaitingNonzero != 1; st, _ = s.Stat() {
		if time.Now().After(deadline) {
			t.Fatal("the waiter never showed")
		}
	}
	s.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSemaphoreSetValueOption(t *testing.T) {
	s, err := sysv.OpenSemaphore(sysv.KeyRandom, &sysv.SemaphoreOptions{Options: create, InitialValue: 3, SetValue: true})
	if err != nil {
		t.Fatal(err)
	}
	track("sem", s.ID())
	defer sysv.RemoveSemaphore(s.ID())
	defer s.Close()
	if st, _ := s.Stat(); !st.OTime.IsZero() || value(t, s) != 3 {
		t.Fatalf("SETVAL: otime %v value %d", st.OTime, value(t, s))
	}
}

// Remove wakes a blocked waiter with ErrNotExist.
func TestSemaphoreRemoveWakesWaiter(t *testing.T) {
	s := newSemaphore(t, 0)
	done := make(chan error, 1)
	go func() { done <- s.Acquire(-1) }()
	deadline := time.Now().Add(long)
	for st, _ := s.Stat(); st.WaitingNonzero != 1; st, _ = s.Stat() {
		if time.Now().After(deadline) {
			t.Fatal("the waiter never showed")
		}
	}
	if err := s.Remove(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, pipc.ErrNotExist) {
			t.Fatalf("the waiter got %v", err)
		}
	case <-time.After(long):
		t.Fatal("Remove did not wake the waiter")
	}
	if _, err := s.Value(); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("after Remove: %v", err)
	}
}

func TestSemaphoreCrossProcess(t *testing.T) {
	s := newSemaphore(t, 0)
	done := make(chan error, 1)
	go func() { done <- s.AcquireN(2, long) }()
	if out, err := child(t, "sem-release", s.Key()); err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSemaphoreClosed(t *testing.T) {
	s := newSemaphore(t, 0)
	s.Close()
	s.Close()
	if err := s.Release(); !errors.Is(err, pipc.ErrClosed) {
		t.Fatal(err)
	}
	if _, err := s.Stat(); !errors.Is(err, pipc.ErrClosed) {
		t.Fatal(err)
	}
}
