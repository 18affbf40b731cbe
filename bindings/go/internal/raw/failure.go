package raw

import "unsafe"

// failure mirrors raw.i's pgo_failure.
type failure struct {
	status  int64
	errnum  int64
	message *byte
}

// Failure reads the record that a failed call's result r (< 0) names. The caller's
// goroutine must still be locked to the OS thread that made the call (see raw.i).
func Failure(r int) (status int, errno int, message string) {
	f := (*failure)(unsafe.Pointer(uintptr(-r)))
	n := 0
	for p := f.message; p != nil && *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0; n++ {
	}
	if n > 0 {
		message = string(unsafe.Slice(f.message, n))
	}
	return int(f.status), int(f.errnum), message
}
