package pipc_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"

	"libpipc.dev/pipc"
)

func TestSharedMemoryBasics(t *testing.T) {
	m := newSharedMemory(t, 4096)
	if size, err := m.Size(); err != nil || size != 4096 || len(m.Bytes()) != 4096 || !m.Created() || m.ReadOnly() {
		t.Fatalf("size %d (%v), mapping %d", size, err, len(m.Bytes()))
	}
	if n, err := m.WriteAt([]byte("hello"), 10); n != 5 || err != nil {
		t.Fatal(n, err)
	}
	if !bytes.Equal(m.Bytes()[10:15], []byte("hello")) {
		t.Fatal("WriteAt did not write into the mapping")
	}
	m.Bytes()[20] = 'x'
	// A second handle sees the same memory.
	m2, err := pipc.OpenSharedMemory(m.Name(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	buf := make([]byte, 11)
	if n, err := m2.ReadAt(buf, 10); n != 11 || err != nil || string(buf[:5]) != "hello" || buf[10] != 'x' {
		t.Fatalf("%d %v %q", n, err, buf)
	}
	// io.ReaderAt / io.WriterAt at the end.
	var _ io.ReaderAt = m
	var _ io.WriterAt = m
	if n, err := m.ReadAt(buf, 4090); n != 6 || err != io.EOF {
		t.Fatalf("read past the end: %d %v", n, err)
	}
	if n, err := m.WriteAt(buf, 4090); n != 6 || err != io.ErrShortWrite {
		t.Fatalf("write past the end: %d %v", n, err)
	}
	if _, err := m.ReadAt(buf, -1); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("negative offset: %v", err)
	}
}

func TestSharedMemoryResize(t *testing.T) {
	m := newSharedMemory(t, 4096)
	m.WriteAt([]byte("keep"), 0)
	if err := m.Resize(3 * 4096); err != nil {
		t.Fatal(err)
	}
	if size, _ := m.Size(); size != 3*4096 || len(m.Bytes()) != 3*4096 || string(m.Bytes()[:4]) != "keep" {
		t.Fatalf("size %d mapping %d", size, len(m.Bytes()))
	}
	if err := m.Resize(-1); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatal(err)
	}
}

// Semaphore /X is the file /dev/shm/sem.X: opened as shared memory and resized, it made
// the semaphore's next user die of SIGBUS. libpipc refuses such names (posix_ipc does not).
func TestSharedMemoryRefusesSemaphoreFiles(t *testing.T) {
	s := newSemaphore(t, 1)
	file := "/sem." + strings.TrimPrefix(s.Name(), "/")
	if _, err := pipc.OpenSharedMemory(file, &pipc.SharedMemoryOptions{Size: 4096}); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("open: %v", err)
	}
	if err := pipc.UnlinkSharedMemory(file); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("unlink: %v", err)
	}
	if err := s.Release(); err != nil {
		t.Fatal(err)
	}
}

// Reserve allocates the pages up front, so a segment /dev/shm cannot hold fails at once.
func TestSharedMemoryReserve(t *testing.T) {
	name := testName()
	track("/dev/shm" + name)
	m, err := pipc.OpenSharedMemory(name, &pipc.SharedMemoryOptions{
		OpenFlags: pipc.OpenFlags{Create: true, Exclusive: true}, Size: 1 << 16, Reserve: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pipc.UnlinkSharedMemory(name)
	defer m.Close()
	allocated := func() int64 {
		fd, _ := m.Fd()
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			t.Fatal(err)
		}
		return st.Blocks * 512
	}
	if allocated() < 1<<16 {
		t.Fatalf("%d bytes allocated", allocated())
	}
	if err := m.Resize(1 << 17); err != nil || allocated() < 1<<17 {
		t.Fatalf("resize: %v, %d bytes allocated", err, allocated())
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &fs); err != nil || fs.Blocks == 0 {
		t.Skipf("/dev/shm has no size to exceed (%v)", err)
	}
	beyond := int64(fs.Blocks)*fs.Bsize + 4096
	err = m.Resize(beyond)
	if e := asError(t, err); e.Status != pipc.StatusLimit || e.Errno != syscall.ENOSPC ||
		!strings.Contains(e.Message, "/dev/shm") {
		t.Fatalf("resize past /dev/shm: %v", err)
	}
	if size, _ := m.Size(); size != 1<<17 {
		t.Fatalf("the failed resize left the size %d", size)
	}
	other := testName()
	track("/dev/shm" + other)
	_, err = pipc.OpenSharedMemory(other, &pipc.SharedMemoryOptions{
		OpenFlags: pipc.OpenFlags{Create: true}, Size: beyond, Reserve: true})
	if e := asError(t, err); e.Status != pipc.StatusLimit {
		t.Fatalf("open past /dev/shm: %v", err)
	}
}

func TestSharedMemoryReadOnly(t *testing.T) {
	m := newSharedMemory(t, 4096)
	m.WriteAt([]byte("data"), 0)
	r, err := pipc.OpenSharedMemory(m.Name(), &pipc.SharedMemoryOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.ReadOnly() || string(r.Bytes()[:4]) != "data" {
		t.Fatal("read-only handle")
	}
	if _, err := r.WriteAt([]byte("x"), 0); !errors.Is(err, pipc.ErrPermission) {
		t.Fatalf("write: %v", err)
	}
	if err := r.Resize(8192); !errors.Is(err, pipc.ErrPermission) {
		t.Fatalf("resize: %v", err)
	}
}

func TestSharedMemoryFdAndTruncate(t *testing.T) {
	m := newSharedMemory(t, 4096)
	fd, err := m.Fd()
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil || st.Size != 4096 {
		t.Fatalf("fstat: %v size %d", err, st.Size)
	}
	if err := m.CloseFd(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fd(); !errors.Is(err, pipc.ErrClosed) {
		t.Fatalf("Fd after CloseFd: %v", err)
	}
	m.WriteAt([]byte("still mapped"), 0) // the mapping outlives the descriptor
	if string(m.Bytes()[:5]) != "still" {
		t.Fatal("mapping after CloseFd")
	}
	tr, err := pipc.OpenSharedMemory(m.Name(), &pipc.SharedMemoryOptions{Truncate: true, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if size, _ := tr.Size(); size != 100 || tr.Bytes()[0] != 0 {
		t.Fatalf("truncated: size %d first byte %d", size, tr.Bytes()[0])
	}
}

func TestSharedMemoryUnlink(t *testing.T) {
	m := newSharedMemory(t, 0)
	if m.Bytes() != nil {
		t.Fatal("a segment of size 0 has no mapping")
	}
	if err := m.Unlink(); err != nil {
		t.Fatal(err)
	}
	if _, err := pipc.OpenSharedMemory(m.Name(), nil); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatal(err)
	}
	name := testName()
	t.Cleanup(func() { pipc.UnlinkSharedMemory(name) }) // if the test fails before it does
	track("/dev/shm" + name)
	n, err := pipc.OpenSharedMemory(name, &pipc.SharedMemoryOptions{OpenFlags: pipc.OpenFlags{Create: true}, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	if err := pipc.UnlinkSharedMemory(name); err != nil {
		t.Fatal(err)
	}
}

// ReadAt and WriteAt racing Close: each either works or reports ErrClosed.
func TestSharedMemoryCloseUnderUse(t *testing.T) {
	m := newSharedMemory(t, 4096)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 4096)
			for {
				if _, err := m.ReadAt(buf, 0); err != nil {
					if !errors.Is(err, pipc.ErrClosed) {
						t.Error(err)
					}
					return
				}
				if _, err := m.WriteAt(buf, 0); err != nil && !errors.Is(err, pipc.ErrClosed) {
					t.Error(err)
					return
				}
			}
		}()
	}
	m.Close()
	wg.Wait()
	if m.Bytes() != nil {
		t.Fatal("Bytes after Close")
	}
}
