package sysv_test

import (
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/sysv"
)

func TestSharedMemoryAttachReadWrite(t *testing.T) {
	m := newSharedMemory(t, sysv.SharedMemoryOptions{Size: 5000, FillByte: 0xab})
	if size, err := m.Size(); size != 5000 || err != nil || m.Attached() || m.Bytes() != nil {
		t.Fatalf("size %d %v attached %v", size, err, m.Attached())
	}
	if _, err := m.ReadAt(make([]byte, 1), 0); !errors.Is(err, pipc.ErrNotAttached) {
		t.Fatalf("read while not attached: %v", err)
	}
	if err := m.Attach(false); err != nil {
		t.Fatal(err)
	}
	b := m.Bytes()
	if len(b) != 5000 || b[0] != 0xab || b[4999] != 0xab || m.ReadOnly() {
		t.Fatalf("attachment: %d bytes, fill %x", len(b), b[0])
	}
	var _ io.ReaderAt = m
	var _ io.WriterAt = m
	if n, err := m.WriteAt([]byte("hello"), 4995); n != 5 || err != nil {
		t.Fatal(n, err)
	}
	buf := make([]byte, 5)
	if n, err := m.ReadAt(buf, 4995); n != 5 || err != nil || string(buf) != "hello" || string(b[4995:]) != "hello" {
		t.Fatalf("%d %v %q", n, err, buf)
	}
	if _, err := m.ReadAt(buf, 4996); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("read past the end: %v", err)
	}
	if _, err := m.WriteAt(buf, -1); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("negative offset: %v", err)
	}
	// A second handle, by id, read-only.
	r, err := sysv.OpenSharedMemoryID(m.ID())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Attach(true); err != nil {
		t.Fatal(err)
	}
	if !r.ReadOnly() || string(r.Bytes()[4995:]) != "hello" {
		t.Fatal("read-only attachment")
	}
	if _, err := r.WriteAt(buf, 0); !errors.Is(err, pipc.ErrPermission) {
		t.Fatalf("write through a read-only attachment: %v", err)
	}
	if st, _ := m.Stat(); st.AttachCount != 2 {
		t.Fatalf("attach count %d", st.AttachCount)
	}
	if err := r.Detach(); err != nil || r.Attached() {
		t.Fatal(err)
	}
	if err := r.Detach(); !errors.Is(err, pipc.ErrNotAttached) {
		t.Fatalf("second detach: %v", err)
	}
	if st, _ := m.Stat(); st.AttachCount != 1 || st.DTime.IsZero() {
		t.Fatalf("after detach: %+v", st)
	}
}

func TestSharedMemoryAttachAtAnAddress(t *testing.T) {
	m := newSharedMemory(t, sysv.SharedMemoryOptions{Size: 4096})
	if err := m.Attach(false); err != nil {
		t.Fatal(err)
	}
	copy(m.Bytes(), "kept")
	at := uintptr(unsafe.Pointer(&m.Bytes()[0]))
	// The detached attachment's addresses stay reserved: without Remap the kernel refuses.
	if err := m.AttachAt(at, sysv.AttachFlags{}); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("attach over a reservation without Remap: %v", err)
	}
	// Rounded down to SHMLBA (a page) and mapped over the reservation, read-only.
	if err := m.AttachAt(at+1, sysv.AttachFlags{Round: true, Remap: true, ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	b := m.Bytes()
	if got := uintptr(unsafe.Pointer(&b[0])); got != at || string(b[:4]) != "kept" || !m.ReadOnly() {
		t.Fatalf("attached at %#x (want %#x), %q, read-only %v", got, at, b[:4], m.ReadOnly())
	}
	if _, err := m.WriteAt([]byte("x"), 0); !errors.Is(err, pipc.ErrPermission) {
		t.Fatalf("write through a read-only attachment: %v", err)
	}
	if err := m.AttachAt(0, sysv.AttachFlags{Exec: true}); err != nil {
		t.Fatalf("executable attachment: %v", err)
	}
	if string(m.Bytes()[:4]) != "kept" {
		t.Fatal("the executable attachment shows other data")
	}
}

func TestSharedMemoryNoReserve(t *testing.T) {
	m := newSharedMemory(t, sysv.SharedMemoryOptions{Size: 1 << 20, NoReserve: true})
	if err := m.Attach(false); err != nil {
		t.Fatal(err)
	}
	if _, err := m.WriteAt([]byte("x"), 1<<20-1); err != nil {
		t.Fatal(err)
	}
}

func TestSharedMemoryStat(t *testing.T) {
	m := newSharedMemory(t, sysv.SharedMemoryOptions{Size: 100})
	m.Attach(false)
	st, err := m.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Key != m.Key() || st.Size != 100 || st.AttachCount != 1 || st.CreatorPID != os.Getpid() ||
		st.LastPID != os.Getpid() || st.ATime.IsZero() || st.UID != uint32(os.Getuid()) || st.Mode != 0600 {
		t.Fatalf("%+v", st)
	}
	if err := m.SetMode(0604); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.Stat(); st.Mode != 0604 {
		t.Fatalf("mode %v", st.Mode)
	}
}

func TestSharedMemoryRemove(t *testing.T) {
	m := newSharedMemory(t, sysv.SharedMemoryOptions{})
	if size, _ := m.Size(); size != int64(os.Getpagesize()) {
		t.Fatalf("default size %d", size)
	}
	m.Attach(false)
	if err := m.Remove(); err != nil {
		t.Fatal(err)
	}
	// Attachments keep working until the last goes; no key finds it.
	if _, err := m.WriteAt([]byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := sysv.OpenSharedMemory(m.Key(), nil); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("by key after Remove: %v", err)
	}
	n := newSharedMemory(t, sysv.SharedMemoryOptions{})
	if err := sysv.RemoveSharedMemory(n.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := sysv.OpenSharedMemoryID(n.ID()); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("by id after RemoveSharedMemory: %v", err)
	}
	if _, err := sysv.OpenSharedMemory(sysv.KeyRandom, &sysv.SharedMemoryOptions{Size: -1, Options: create}); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatal(err)
	}
}

// An attachment's []byte used after Detach faults; it never reaches memory mapped later.
func TestSharedMemoryBytesAfterDetachFaults(t *testing.T) {
	m := newSharedMemory(t, sysv.SharedMemoryOptions{Size: 4096})
	out, err := child(t, "shm-use-after-detach", m.Key())
	if err == nil {
		t.Fatalf("the child wrote through a detached attachment: %s", out)
	}
	if !strings.Contains(out, "fault") && !strings.Contains(out, "SEGV") {
		t.Fatalf("the child failed, but not with a fault: %v: %s", err, out)
	}
	if st, _ := m.Stat(); st.AttachCount != 0 {
		t.Fatalf("attach count %d after the child", st.AttachCount)
	}
}

// ReadAt, WriteAt and Attach racing Detach and Close: each works or reports an error.
func TestSharedMemoryDetachUnderUse(t *testing.T) {
	m := newSharedMemory(t, sysv.SharedMemoryOptions{Size: 4096})
	m.Attach(false)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 4096)
			for i := 0; i < 2000; i++ {
				_, err := m.ReadAt(buf, 0)
				if errors.Is(err, pipc.ErrClosed) {
					return
				}
				if err != nil && !errors.Is(err, pipc.ErrNotAttached) {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := 0; i < 50; i++ {
		m.Detach()
		m.Attach(i%2 == 0)
	}
	m.Close()
	wg.Wait()
}
