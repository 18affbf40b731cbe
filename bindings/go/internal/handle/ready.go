package handle

import (
	"context"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"libpipc.dev/pipc/internal/errs"
)

// Ready tells a descriptor wait (WaitReadyContext) what to wait for on the open C
// handle p: its descriptor and the poll events that mean the call may succeed now. ok
// is false for a handle that never waits (non-blocking mode); err is the failure.
type Ready func(p uintptr) (fd int, events int16, ok bool, err error)

// WaitReadyContext is WaitContext for a handle whose object has a descriptor to poll,
// a POSIX queue, which must not close a duplicate: Linux drops the process's
// notification registration (mq_notify) for a queue when the process closes any
// descriptor of it. So the call polls the handle's own descriptor, beside an eventfd
// that a watcher goroutine writes when ctx is done or h is closed, and tries again
// (timeout 0) whenever the descriptor is ready. The watcher and the eventfd are gone
// when the call returns.
func (h *Handle) WaitReadyContext(ctx context.Context, op string, ready Ready, f func(p uintptr, ns int64) int) (int, error) {
	return h.waitContext(ctx, op, f, ready, true)
}

// pollFd is struct pollfd.
type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

const pollIn = 0x1

func (h *Handle) waitReady(ctx context.Context, done <-chan struct{}, op string,
	deadline time.Time, bounded bool, ready Ready, f func(p uintptr, ns int64) int) (int, error) {
	wake, _, e := syscall.RawSyscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if e != 0 {
		return 0, errs.FromErrno(op, e)
	}
	stop := h.watch(ctx, done, func() {
		var one [8]byte
		*(*uint64)(unsafe.Pointer(&one)) = 1 // an eventfd adds a uint64 in host order
		syscall.Write(int(wake), one[:])
	})
	r, woken, err := h.pollUntilReady(op, int(wake), deadline, bounded, ready, f)
	why := stop()
	syscall.Close(int(wake)) // after the watcher is gone: it writes wake
	runtime.KeepAlive(h)
	switch {
	case !woken:
		return r, err
	case why == errs.ErrClosed:
		return 0, errs.Closed(op)
	}
	return 0, errs.Context(op, why)
}

// pollUntilReady polls until the wake descriptor is written (woken), the deadline
// passes, or a try of f (timeout 0) does anything but find the handle not ready.
func (h *Handle) pollUntilReady(op string, wake int, deadline time.Time, bounded bool,
	ready Ready, f func(p uintptr, ns int64) int) (int, bool, error) {
	for {
		p := atomic.LoadUintptr(&h.p)
		if p == 0 {
			return 0, false, errs.Closed(op)
		}
		fd, events, ok, err := ready(p)
		if err != nil {
			return 0, false, err
		}
		if !ok { // a handle in non-blocking mode: its one try said so already
			return 0, false, &errs.Error{Op: op, Status: errs.StatusWouldBlock, Message: "the handle is in non-blocking mode"}
		}
		fds := [2]pollFd{{fd: int32(wake), events: pollIn}, {fd: int32(fd), events: events}}
		var timeout *syscall.Timespec
		if bounded {
			left := time.Until(deadline)
			if left <= 0 {
				return 0, false, errs.Context(op, context.DeadlineExceeded)
			}
			ts := syscall.NsecToTimespec(int64(left))
			timeout = &ts
		}
		_, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), 2,
			uintptr(unsafe.Pointer(timeout)), 0, 0, 0)
		if e != 0 && e != syscall.EINTR {
			return 0, false, errs.FromErrno(op, e)
		}
		if fds[0].revents != 0 {
			return 0, true, nil
		}
		if fds[1].revents == 0 { // a timeout (checked above, next time round) or a signal
			continue
		}
		if r, err := errs.Wait(op, p, 0, f); !errs.WouldBlock(err) {
			return r, false, err // else another process or handle took what was ready
		}
	}
}
