package pipc

import (
	"syscall"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/raw"
)

// Notifications come when the queue goes from empty to non-empty: one per
// registration, registered again to be told again. One process at a time may be
// registered on a queue; while another is (or this one already is), registering gives
// ErrBusy.

// NotifyFunc runs f on a new goroutine at the next notification.
func (q *MessageQueue) NotifyFunc(f func()) error {
	const op = "message queue notify"
	if f == nil {
		return errs.Invalid(op, "nil function")
	}
	q.notifyMu.Lock()
	defer q.notifyMu.Unlock()
	token := raw.NotifyRegister(f)
	if _, err := q.h.Call(op, func(p uintptr) int { return raw.Pgo_mq_notify(p, uint(token)) }); err != nil {
		raw.NotifyForget(token)
		return err
	}
	raw.NotifyForget(q.notifyToken) // an earlier registration that has fired
	q.notifyToken = token
	return nil
}

// NotifySignal sends this process sig at the next notification; receive it with
// os/signal's Notify, which must be in place first (an unhandled signal's default
// action, such as ending the process, applies otherwise).
func (q *MessageQueue) NotifySignal(sig syscall.Signal) error {
	_, err := q.h.Call("message queue notify signal", func(p uintptr) int {
		return raw.Pipc_mq_notify_signal(p, int(sig))
	})
	return err
}

// CancelNotify cancels this process's registration on the queue, if any.
func (q *MessageQueue) CancelNotify() error {
	_, err := q.h.Call("message queue cancel notify", raw.Pipc_mq_notify_cancel)
	if err == nil {
		q.forgetNotify()
	}
	return err
}

func (q *MessageQueue) forgetNotify() {
	q.notifyMu.Lock()
	raw.NotifyForget(q.notifyToken)
	q.notifyToken = 0
	q.notifyMu.Unlock()
}
