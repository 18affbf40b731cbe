package raw

import (
	"sync/atomic"
	"unsafe"
)

// failure mirrors raw.i's pgo_failure.
type failure struct {
	state   int32
	length  int32
	status  int64
	errnum  int64
	message [PGO_MESSAGE_MAX]byte
}

// lowestRecord is below every record's address and above every status (mmap_min_addr).
const lowestRecord = 1 << 16

// Failure reads what a failed call put in the record its result r (< 0) names, and
// frees the record: it must be called exactly once for every negative result.
func Failure(r int) (status int, errno int, message string) {
	if r > -lowestRecord { // no memory for a record: the bare status
		return r, 0, ""
	}
	record := uintptr(-r)
	f := (*failure)(unsafe.Pointer(record))
	// Atomic, like the store that freed the record last: the claim between them is C's,
	// which the race detector does not see.
	state := atomic.LoadInt32(&f.state)
	status, errno, message = int(f.status), int(f.errnum), string(f.message[:f.length])
	if state == int32(PGO_HEAP) {
		Pgo_failure_free(uint(record))
	} else {
		atomic.StoreInt32(&f.state, int32(PGO_FREE))
	}
	return status, errno, message
}
