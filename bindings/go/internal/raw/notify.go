package raw

import "C"

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// Notification callbacks by token: pipc runs pgoNotifyTrampoline(token) on a thread of
// its own, which may outlive the registration (CancelNotify, Close), so a token is
// looked up, never trusted.
var (
	notifyFuncs sync.Map // uintptr -> func()
	notifyNext  uintptr
)

// NotifyRegister keeps f until its notification fires or NotifyForget(token).
func NotifyRegister(f func()) uintptr {
	token := atomic.AddUintptr(&notifyNext, 1)
	notifyFuncs.Store(token, f)
	return token
}

// NotifyForget drops a registration whose notification will not (or did not) fire.
func NotifyForget(token uintptr) { notifyFuncs.Delete(token) }

//export pgoNotifyTrampoline
func pgoNotifyTrampoline(arg unsafe.Pointer) {
	if f, ok := notifyFuncs.LoadAndDelete(uintptr(arg)); ok {
		go f.(func())()
	}
}
