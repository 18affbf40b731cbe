package sysv_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/sysv"
)

func TestFtok(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(path, nil, 0600); err != nil {
		t.Fatal(err)
	}
	k1, err1 := sysv.Ftok(path, 1)
	k2, err2 := sysv.Ftok(path, 2)
	again, _ := sysv.Ftok(path, 1)
	if err1 != nil || err2 != nil || k1 == k2 || k1 != again || k1 == sysv.IPCPrivate {
		t.Fatalf("keys %d %d %d: %v %v", k1, k2, again, err1, err2)
	}
	if _, err := sysv.Ftok(filepath.Join(t.TempDir(), "missing"), 1); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("missing path: %v", err)
	}
	if _, err := sysv.Ftok("", 1); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("empty path: %v", err)
	}
}

// The key range is key_t's: one past either end is refused before the kernel is asked,
// either end itself is a key like any other.
func TestKeyRange(t *testing.T) {
	if sysv.KeyMin != math.MinInt32 || sysv.KeyMax != math.MaxInt32 {
		t.Fatalf("keys %d..%d", sysv.KeyMin, sysv.KeyMax)
	}
	for _, key := range []sysv.Key{sysv.KeyMin - 1, sysv.KeyMax + 1} {
		if _, err := sysv.OpenSemaphore(key, nil); !errors.Is(err, pipc.ErrInvalid) {
			t.Errorf("key %d: %v", key, err)
		}
	}
	for _, key := range []sysv.Key{sysv.KeyMin, sysv.KeyMax} {
		s, err := sysv.OpenSemaphore(key, nil)
		if err == nil {
			s.Close() // someone else's semaphore: the key was taken, and so accepted
		} else if !errors.Is(err, pipc.ErrNotExist) {
			t.Errorf("key %d: %v", key, err)
		}
	}
}

func TestKeysAndIDs(t *testing.T) {
	s := newSemaphore(t, 0)
	if s.Key() == sysv.IPCPrivate || s.Key() == sysv.KeyRandom || s.ID() < 0 || !s.Created() {
		t.Fatalf("key %d id %d", s.Key(), s.ID())
	}
	// by key: the same semaphore; exclusive: ErrExist
	byKey, err := sysv.OpenSemaphore(s.Key(), nil)
	if err != nil || byKey.ID() != s.ID() || byKey.Created() {
		t.Fatal(err)
	}
	byKey.Close()
	if _, err := sysv.OpenSemaphore(s.Key(), &sysv.SemaphoreOptions{Options: create}); !errors.Is(err, pipc.ErrExist) {
		t.Fatalf("exclusive: %v", err)
	}
	// by id
	byID, err := sysv.OpenSemaphoreID(s.ID())
	if err != nil || byID.Key() != s.Key() {
		t.Fatal(err)
	}
	byID.Close()
	// IPC_PRIVATE: a new object every time
	p, err := sysv.OpenSemaphore(sysv.IPCPrivate, &sysv.SemaphoreOptions{Options: sysv.Options{Create: true}})
	if err != nil {
		t.Fatal(err)
	}
	track("sem", p.ID())
	defer sysv.RemoveSemaphore(p.ID())
	defer p.Close()
	if p.ID() == s.ID() || p.Key() != sysv.IPCPrivate {
		t.Fatal("IPC_PRIVATE")
	}
	// errors
	if _, err := sysv.OpenSemaphore(sysv.Key(1)<<40, nil); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("key out of range: %v", err)
	}
	if _, err := sysv.OpenSemaphoreID(-1); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("negative id: %v", err)
	}
	if err := sysv.RemoveSemaphore(-1); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("negative id: %v", err)
	}
	if _, err := sysv.OpenSemaphore(sysv.KeyRandom, &sysv.SemaphoreOptions{Options: sysv.Options{Create: true, Mode: 01000}}); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("mode: %v", err)
	}
}
