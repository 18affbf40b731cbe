package pipc

import (
	"io"
	"io/fs"
	"runtime"
	"sync"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/handle"
	"libpipc.dev/pipc/internal/mapping"
	"libpipc.dev/pipc/internal/raw"
)

// SharedMemoryOptions are OpenSharedMemory's options; the zero value opens an existing
// segment read-write, leaving its size alone.
type SharedMemoryOptions struct {
	OpenFlags
	Truncate bool        // empty an existing segment first
	Mode     fs.FileMode // a new segment's permission bits; 0: 0600
	Size     int64       // > 0: (re)size the segment to this; 0: leave it as it is
	ReadOnly bool        // a read-only handle and mapping (it never resizes)
	// Reserve allocates the segment's pages whenever this handle sizes it (at open and at
	// every Resize), so that a /dev/shm without room fails there with a limit *Error
	// (StatusLimit) instead of a SIGBUS when a page that cannot be had is first touched.
	Reserve bool
}

// SharedMemory is a POSIX shared memory segment, mapped into this process.
//
// Bytes is the mapping. Like syscall.Mmap's, it is valid until Close or Resize: after
// either, the old slice's memory is an inaccessible reservation, so a use of it faults
// (the program crashes: no silent corruption, never another mapping's memory). ReadAt
// and WriteAt are safe at any time: after Close they return ErrClosed. Keep the
// SharedMemory reachable while its slice is in use (runtime.KeepAlive): the finalizer
// of an unreachable one closes it. A segment that another process shrinks below this
// mapping faults on access to the lost pages.
type SharedMemory struct {
	h        handle.Handle
	name     string
	created  bool
	readOnly bool

	// mu guards the mapping: Resize and Close retire it (package mapping), and ReadAt and
	// WriteAt copy from and into it. The C library keeps the handle safe by itself; the
	// mapping is Go's own, made from the descriptor, and no C call knows of it.
	mu     sync.RWMutex
	data   []byte
	closed bool
}

// OpenSharedMemory opens the segment name, or creates it as opts says (nil: open an
// existing one). The name "" creates a segment with a random unused name. The whole
// segment is mapped (none if its size is 0).
func OpenSharedMemory(name string, opts *SharedMemoryOptions) (*SharedMemory, error) {
	const op = "open shared memory"
	var o SharedMemoryOptions
	if opts != nil {
		o = *opts
	}
	mode, err := modeBits(op, o.Mode)
	if err != nil {
		return nil, err
	}
	if o.Size < 0 {
		return nil, errs.Invalid(op, "negative size")
	}
	flags := o.flags(name)
	if o.Truncate {
		flags |= uint(raw.PIPC_TRUNC)
	}
	if o.Reserve {
		flags |= uint(raw.PIPC_SHM_RESERVE)
	}
	access := ReadWrite
	if o.ReadOnly {
		access = ReadOnly
	}
	bits, _ := access.bits(op)
	out := make([]uintptr, 1)
	if _, err := errs.Call(op, func() int {
		return raw.Pgo_shm_open(out, name, flags, mode, bits, uint64(o.Size))
	}); err != nil {
		return nil, err
	}
	m := &SharedMemory{
		name:     raw.Pipc_shm_name(out[0]),
		created:  raw.Pipc_shm_created(out[0]) == 1,
		readOnly: o.ReadOnly,
	}
	m.h.Init(out[0], raw.Pipc_shm_close, nil)
	if err := m.remap(op); err != nil {
		m.h.Close()
		return nil, err
	}
	runtime.SetFinalizer(m, (*SharedMemory).Close)
	return m, nil
}

// remap maps the segment at its current size, retiring the old mapping. Needs mu held
// for writing (or no other goroutine yet).
func (m *SharedMemory) remap(op string) error {
	size, err := m.Size()
	if err != nil {
		return err
	}
	fd, err := m.Fd()
	if err != nil {
		return err
	}
	mapping.Retire(m.data)
	m.data = nil
	if size == 0 {
		return nil
	}
	data, err := mapping.Map(fd, size, m.readOnly)
	if err != nil {
		return errs.FromErrno(op, err)
	}
	m.data = data
	return nil
}

// Name is the segment's name.
func (m *SharedMemory) Name() string { return m.name }

// Created reports whether this open created the segment.
func (m *SharedMemory) Created() bool { return m.created }

// ReadOnly reports whether the handle (and mapping) is read-only.
func (m *SharedMemory) ReadOnly() bool { return m.readOnly }

// Bytes is the mapping of the whole segment (nil for size 0); see SharedMemory for how
// long it stays valid. Nil after Close.
func (m *SharedMemory) Bytes() []byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.data
}

// Fd is the segment's descriptor, owned by the handle (ErrClosed after CloseFd).
func (m *SharedMemory) Fd() (int, error) {
	fd := make([]int32, 1)
	_, err := m.h.Call("shared memory fd", func(p uintptr) int { return raw.Pipc_shm_fd(fd, p) })
	return int(fd[0]), err
}

// CloseFd closes the descriptor only; the mapping stays usable.
func (m *SharedMemory) CloseFd() error {
	_, err := m.h.Call("shared memory close fd", raw.Pipc_shm_close_fd)
	return err
}

// Size is the segment's current size, as the OS reports it now.
func (m *SharedMemory) Size() (int64, error) {
	size := make([]uint64, 1)
	_, err := m.h.Call("shared memory size", func(p uintptr) int { return raw.Pipc_shm_size(size, p) })
	return int64(size[0]), err
}

// Resize sets the segment's size and maps it anew (ErrPermission on a read-only handle).
func (m *SharedMemory) Resize(size int64) error {
	const op = "shared memory resize"
	if size < 0 {
		return errs.Invalid(op, "negative size")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errs.Closed(op)
	}
	if _, err := m.h.Call(op, func(p uintptr) int { return raw.Pipc_shm_resize(p, uint64(size)) }); err != nil {
		return err
	}
	return m.remap(op)
}

// ReadAt implements io.ReaderAt over the mapping.
func (m *SharedMemory) ReadAt(b []byte, off int64) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return 0, errs.Closed("shared memory read")
	}
	if off < 0 {
		return 0, errs.Invalid("shared memory read", "negative offset")
	}
	if off >= int64(len(m.data)) {
		return 0, io.EOF
	}
	n := copy(b, m.data[off:])
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// WriteAt implements io.WriterAt over the mapping; writing past its end writes what
// fits and returns io.ErrShortWrite.
func (m *SharedMemory) WriteAt(b []byte, off int64) (int, error) {
	const op = "shared memory write"
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return 0, errs.Closed(op)
	}
	if m.readOnly {
		return 0, &errs.Error{Op: op, Status: errs.StatusPermission, Message: "read-only handle"}
	}
	if off < 0 || off > int64(len(m.data)) {
		return 0, errs.Invalid(op, "offset outside the segment")
	}
	n := copy(m.data[off:], b)
	if n < len(b) {
		return n, io.ErrShortWrite
	}
	return n, nil
}

// Unlink removes the name; the segment lives on while mapped or open.
func (m *SharedMemory) Unlink() error {
	_, err := m.h.Call("unlink shared memory", raw.Pipc_shm_unlink)
	return err
}

// Close unmaps the segment (see SharedMemory) and closes the handle; never unlinks.
// Idempotent; waits only for ReadAt and WriteAt calls in flight.
func (m *SharedMemory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		mapping.Retire(m.data)
		m.data = nil
		m.h.Close()
	}
	return nil
}

// UnlinkSharedMemory removes the segment name.
func UnlinkSharedMemory(name string) error {
	return unlinkName("unlink shared memory", name, raw.Pipc_shm_unlink_name)
}
