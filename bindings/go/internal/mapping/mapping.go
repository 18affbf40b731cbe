// Package mapping maps shared memory for package pipc and retires mappings so that a
// []byte kept past its unmapping faults instead of reaching memory mapped later.
package mapping

import (
	"syscall"
	"unsafe"
)

// Map maps size bytes of fd from offset 0, shared, read-only or read-write.
func Map(fd int, size int64, readOnly bool) ([]byte, error) {
	prot := syscall.PROT_READ
	if !readOnly {
		prot |= syscall.PROT_WRITE
	}
	addr, _, e := syscall.Syscall6(syscall.SYS_MMAP, 0, uintptr(size), uintptr(prot),
		syscall.MAP_SHARED, uintptr(fd), 0)
	if e != 0 {
		return nil, e
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(addr)), int(size)), nil
}

// Retire replaces the mapping under b, in one step, with an inaccessible reservation
// of the same addresses: the shared memory is released, and any later use of b (or a
// slice of it) faults at once. The addresses stay reserved (no memory, only address
// space), so no later mapping can appear under b for it to corrupt silently.
func Retire(b []byte) {
	if len(b) == 0 {
		return
	}
	// Cannot fail for a range this package mapped: MAP_FIXED over our own pages.
	syscall.Syscall6(syscall.SYS_MMAP, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)),
		syscall.PROT_NONE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS|syscall.MAP_FIXED|syscall.MAP_NORESERVE,
		^uintptr(0), 0)
}
