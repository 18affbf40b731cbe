package sysv

import (
	"runtime"
	"sync"
	"time"
	"unsafe"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/mapping"
	"libpipc.dev/pipc/internal/raw"
)

// SharedMemoryOptions are OpenSharedMemory's options; the zero value opens an existing
// segment of any size.
type SharedMemoryOptions struct {
	Options
	Size      int64 // a new segment's size (0: the page size); an existing one must be at least this big
	FillByte  byte  // every byte of a new segment
	HugeTLB   bool  // SHM_HUGETLB: a new segment of huge pages
	NoReserve bool  // SHM_NORESERVE: reserve no swap for a new segment
}

// SharedMemoryStat are the kernel's fields of a segment.
type SharedMemoryStat struct {
	Perm
	Size        int64     // bytes
	AttachCount int       // attachments in every process
	ATime       time.Time // last attach; zero if none
	DTime       time.Time // last detach
	CTime       time.Time // last change
	CreatorPID  int       // process that created the segment
	LastPID     int       // process of the last attach or detach
}

// SharedMemory is a System V shared memory segment. A new handle is not attached.
//
// Bytes is the attachment. It is valid until Detach, Close or another Attach: after
// those the old slice's memory is an inaccessible reservation, so a use of it faults
// (the program crashes; it never reaches memory mapped later). ReadAt and WriteAt are
// safe at any time. Keep the SharedMemory reachable while its slice is in use
// (runtime.KeepAlive): the finalizer of an unreachable one closes it.
type SharedMemory struct {
	object
	mu   sync.RWMutex // guards data against Attach, Detach and Close
	data []byte
}

var sharedMemoryFamily = &family{
	noun: "shared memory", close: raw.Pipc_sysv_shm_close, id: raw.Pipc_sysv_shm_id,
	key: raw.Pipc_sysv_shm_key, created: raw.Pipc_sysv_shm_created,
	remove:  raw.Pipc_sysv_shm_remove,
	setPerm: raw.Pipc_sysv_shm_set_perm, stat: raw.Pgo_sysv_shm_stat,
}

// OpenSharedMemory opens the segment with key, or creates it as opts says (nil: open
// an existing one).
func OpenSharedMemory(key Key, opts *SharedMemoryOptions) (*SharedMemory, error) {
	const op = "open shared memory"
	var o SharedMemoryOptions
	if opts != nil {
		o = *opts
	}
	flags, mode, err := o.bits(op)
	if err != nil {
		return nil, err
	}
	if o.Size < 0 {
		return nil, errs.Invalid(op, "negative size")
	}
	if o.HugeTLB {
		flags |= uint(raw.PIPC_SHM_HUGETLB)
	}
	if o.NoReserve {
		flags |= uint(raw.PIPC_SHM_NORESERVE)
	}
	out := make([]uintptr, 1)
	if _, err := errs.Call(op, func() int {
		return raw.Pgo_sysv_shm_open(out, int64(key), flags, mode, uint64(o.Size), uint(o.FillByte))
	}); err != nil {
		return nil, err
	}
	return newSharedMemory(op, out[0])
}

// OpenSharedMemoryID opens the existing segment with this id.
func OpenSharedMemoryID(id int) (*SharedMemory, error) {
	const op = "open shared memory id"
	p, err := openID(op, id, raw.Pipc_sysv_shm_open_id)
	if err != nil {
		return nil, err
	}
	return newSharedMemory(op, p)
}

func newSharedMemory(op string, p uintptr) (*SharedMemory, error) {
	m := &SharedMemory{}
	if err := m.open(sharedMemoryFamily, op, p); err != nil {
		return nil, err
	}
	runtime.SetFinalizer(m, (*SharedMemory).Close)
	return m, nil
}

// RemoveSharedMemory marks the segment with this id for removal.
func RemoveSharedMemory(id int) error {
	return removeID("remove shared memory", id, raw.Pipc_sysv_shm_remove_id)
}

// Attach attaches the segment where the kernel chooses, read-only or not, replacing
// the handle's attachment if it has one.
func (m *SharedMemory) Attach(readOnly bool) error {
	return m.AttachAt(0, AttachFlags{ReadOnly: readOnly})
}

// AttachFlags are AttachAt's options, shmat(2)'s flags.
type AttachFlags struct {
	ReadOnly bool // SHM_RDONLY: writes fault (WriteAt: ErrPermission)
	Round    bool // SHM_RND: round the address down to SHMLBA
	Remap    bool // SHM_REMAP: replace whatever is mapped at the address
	Exec     bool // SHM_EXEC: executable attachment
}

func (f AttachFlags) bits() uint {
	var bits uint
	for _, flag := range []struct {
		set bool
		bit uint
	}{{f.ReadOnly, raw.PIPC_SHM_ATTACH_READ_ONLY}, {f.Round, raw.PIPC_SHM_ATTACH_ROUND},
		{f.Remap, raw.PIPC_SHM_ATTACH_REMAP}, {f.Exec, raw.PIPC_SHM_ATTACH_EXEC}} {
		if flag.set {
			bits |= flag.bit
		}
	}
	return bits
}

// AttachAt attaches the segment at address (0: where the kernel chooses), replacing the
// handle's attachment if it has one. An address that is already mapped needs Remap
// (a detached attachment's addresses stay reserved: see SharedMemory).
func (m *SharedMemory) AttachAt(address uintptr, flags AttachFlags) error {
	const op = "shared memory attach"
	m.mu.Lock()
	defer m.mu.Unlock()
	m.retire()
	if _, err := m.h.Call(op, func(p uintptr) int {
		return raw.Pipc_sysv_shm_attach(p, address, flags.bits())
	}); err != nil {
		return err
	}
	size, err := m.Size()
	if err == nil {
		addr := make([]unsafe.Pointer, 1)
		if _, err = m.h.Call(op, func(p uintptr) int { return raw.Pipc_sysv_shm_address(addr, p) }); err == nil {
			m.data = unsafe.Slice((*byte)(addr[0]), int(size))
			return nil
		}
	}
	m.h.Call(op, raw.Pipc_sysv_shm_detach)
	return err
}

// retire replaces the attachment (if any) with a reservation, then detaches the
// handle: the kernel counts the detach when the attachment's pages go, and the C
// detach that follows finds nothing left to unmap (its error is expected). mu is held.
func (m *SharedMemory) retire() {
	if m.data == nil {
		return
	}
	mapping.Retire(m.data)
	m.data = nil
	m.h.Call("shared memory detach", raw.Pipc_sysv_shm_detach)
}

// Detach ends the attachment (pipc.ErrNotAttached if there is none).
func (m *SharedMemory) Detach() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data == nil {
		_, err := m.h.Call("shared memory detach", raw.Pipc_sysv_shm_detach)
		return err
	}
	m.retire()
	return nil
}

// Attached reports whether the handle is attached.
func (m *SharedMemory) Attached() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.data != nil
}

// ReadOnly reports whether the attachment is read-only.
func (m *SharedMemory) ReadOnly() bool {
	r, _ := m.h.Call("shared memory read only", raw.Pipc_sysv_shm_read_only)
	return r == 1
}

// Bytes is the attachment (nil when not attached); see SharedMemory for how long it
// stays valid.
func (m *SharedMemory) Bytes() []byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.data
}

// ReadAt implements io.ReaderAt: reads len(b) bytes at off, all or nothing
// (pipc.ErrInvalid past the end, pipc.ErrNotAttached when not attached).
func (m *SharedMemory) ReadAt(b []byte, off int64) (int, error) {
	const op = "shared memory read"
	if off < 0 {
		return 0, errs.Invalid(op, "negative offset")
	}
	m.mu.RLock()
	_, err := m.h.Call(op, func(p uintptr) int { return raw.Pipc_sysv_shm_read(p, uint64(off), b) })
	m.mu.RUnlock()
	if err != nil {
		return 0, err
	}
	return len(b), nil
}

// WriteAt implements io.WriterAt: writes b at off, all or nothing (pipc.ErrPermission
// through a read-only attachment).
func (m *SharedMemory) WriteAt(b []byte, off int64) (int, error) {
	const op = "shared memory write"
	if off < 0 {
		return 0, errs.Invalid(op, "negative offset")
	}
	m.mu.RLock()
	_, err := m.h.Call(op, func(p uintptr) int { return raw.Pipc_sysv_shm_write(p, uint64(off), b) })
	m.mu.RUnlock()
	if err != nil {
		return 0, err
	}
	return len(b), nil
}

// Size is the segment's size (fixed at creation).
func (m *SharedMemory) Size() (int64, error) {
	v := make([]uint64, 1)
	_, err := m.h.Call("shared memory size", func(p uintptr) int { return raw.Pipc_sysv_shm_size(v, p) })
	return int64(v[0]), err
}

// Stat reads the kernel's fields.
func (m *SharedMemory) Stat() (SharedMemoryStat, error) {
	f, err := m.statFields()
	if err != nil {
		return SharedMemoryStat{}, err
	}
	return SharedMemoryStat{perm(f), f[6], int(f[7]), unixTime(f[8]), unixTime(f[9]),
		unixTime(f[10]), int(f[11]), int(f[12])}, nil
}

// Close detaches (see SharedMemory) and releases the handle; never removes the
// segment. Idempotent.
func (m *SharedMemory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.retire()
	return m.object.Close()
}
