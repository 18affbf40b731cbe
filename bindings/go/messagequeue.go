package pipc

import (
	"context"
	"io/fs"
	"math"
	"runtime"
	"sync"
	"time"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/handle"
	"libpipc.dev/pipc/internal/raw"
)

// MessageQueueOptions are OpenMessageQueue's options; the zero value opens an existing
// queue for reading and writing, in blocking mode.
type MessageQueueOptions struct {
	OpenFlags
	Mode           fs.FileMode // a new queue's permission bits; 0: 0600
	Access         Access      // which ends this handle uses: ReadWrite, ReadOnly, WriteOnly
	MaxMessages    int64       // a new queue's capacity; 0: DefaultMaxMessages()
	MaxMessageSize int64       // a new queue's message size; 0: DefaultMaxMessageSize()
	NonBlocking    bool        // start in non-blocking mode (see SetBlocking)
}

// MessageQueue is a POSIX message queue.
type MessageQueue struct {
	h              handle.Handle
	name           string
	created        bool
	maxMessageSize int64     // fixed when the queue was created
	scratch        sync.Pool // *[]byte of maxMessageSize, for Receive

	notifyMu    sync.Mutex
	notifyToken uintptr // the pending NotifyFunc registration, 0 if none
}

// OpenMessageQueue opens the queue name, or creates it as opts says (nil: open an
// existing one). The name "" creates a queue with a random unused name.
func OpenMessageQueue(name string, opts *MessageQueueOptions) (*MessageQueue, error) {
	const op = "open message queue"
	var o MessageQueueOptions
	if opts != nil {
		o = *opts
	}
	mode, err := modeBits(op, o.Mode)
	if err != nil {
		return nil, err
	}
	access, err := o.Access.bits(op)
	if err != nil {
		return nil, err
	}
	if o.MaxMessages < 0 || o.MaxMessageSize < 0 {
		return nil, errs.Invalid(op, "negative queue attribute")
	}
	flags := o.flags(name)
	if o.NonBlocking {
		flags |= uint(raw.PIPC_NONBLOCK)
	}
	out := make([]uintptr, 1)
	if _, err := errs.Call(op, func() int {
		return raw.Pgo_mq_open(out, name, flags, mode, access, o.MaxMessages, o.MaxMessageSize)
	}); err != nil {
		return nil, err
	}
	q := &MessageQueue{
		name:    raw.Pipc_mq_name(out[0]),
		created: raw.Pipc_mq_created(out[0]) == 1,
	}
	q.h.Init(out[0], raw.Pipc_mq_close, nil) // no duplicates: the Context waits poll (see ready)
	if q.maxMessageSize, err = q.MaxMessageSize(); err != nil {
		q.h.Close()
		return nil, err
	}
	size := q.maxMessageSize // not q: a queue reachable from itself would never be finalized
	q.scratch.New = func() interface{} { b := make([]byte, size); return &b }
	runtime.SetFinalizer(q, (*MessageQueue).Close)
	return q, nil
}

// Name is the queue's name.
func (q *MessageQueue) Name() string { return q.name }

// Created reports whether this open created the queue.
func (q *MessageQueue) Created() bool { return q.created }

// Send queues msg with priority (0 .. MessagePriorityMax()), waiting up to timeout for
// room (negative: without limit; 0: not at all, ErrBusy if full). ErrClosed when Close
// ends the wait.
func (q *MessageQueue) Send(msg []byte, priority uint, timeout time.Duration) error {
	const op = "message queue send"
	if priority > math.MaxUint32 { // the C API takes an unsigned int: refuse, never truncate
		return errs.Invalid(op, "priority out of range")
	}
	_, err := q.h.Wait(op, timeout, func(p uintptr, ns int64) int {
		return raw.Pipc_mq_send(p, msg, priority, ns)
	})
	return err
}

// SendContext is Send that waits until ctx is done (then it returns an error matching
// ctx.Err()) or its deadline passes (context.DeadlineExceeded, also ErrTimeout).
func (q *MessageQueue) SendContext(ctx context.Context, msg []byte, priority uint) error {
	const op = "message queue send"
	if priority > math.MaxUint32 {
		return errs.Invalid(op, "priority out of range")
	}
	_, err := q.h.WaitReadyContext(ctx, op, q.ready(pollOut), func(p uintptr, ns int64) int {
		return raw.Pipc_mq_send(p, msg, priority, ns)
	})
	return err
}

// ReceiveInto receives the oldest message of the highest priority into buf, which must
// hold MaxMessageSize() bytes (else ErrInvalid), waiting up to timeout for one.
// ErrClosed when Close ends the wait.
func (q *MessageQueue) ReceiveInto(buf []byte, timeout time.Duration) (n int, priority uint, err error) {
	r, err := q.h.Wait("message queue receive", timeout, func(p uintptr, ns int64) int {
		return raw.Pgo_mq_receive(p, buf, ns)
	})
	return r & 0xffffffff, uint(r >> 32), err
}

// ReceiveIntoContext is ReceiveInto that waits until ctx is done (then it returns an
// error matching ctx.Err()) or its deadline passes (context.DeadlineExceeded, also
// ErrTimeout).
func (q *MessageQueue) ReceiveIntoContext(ctx context.Context, buf []byte) (n int, priority uint, err error) {
	r, err := q.h.WaitReadyContext(ctx, "message queue receive", q.ready(pollIn), func(p uintptr, ns int64) int {
		return raw.Pgo_mq_receive(p, buf, ns)
	})
	return r & 0xffffffff, uint(r >> 32), err
}

// Receive receives the oldest message of the highest priority, waiting up to timeout
// for one, and returns a copy of it.
func (q *MessageQueue) Receive(timeout time.Duration) (msg []byte, priority uint, err error) {
	return q.receive(func(buf []byte) (int, uint, error) { return q.ReceiveInto(buf, timeout) })
}

// ReceiveContext is Receive that waits until ctx is done (then it returns an error
// matching ctx.Err()) or its deadline passes (context.DeadlineExceeded, also ErrTimeout).
func (q *MessageQueue) ReceiveContext(ctx context.Context) (msg []byte, priority uint, err error) {
	return q.receive(func(buf []byte) (int, uint, error) { return q.ReceiveIntoContext(ctx, buf) })
}

// receive runs into on a scratch buffer of the queue's message size and returns a copy
// of what it received.
func (q *MessageQueue) receive(into func([]byte) (int, uint, error)) (msg []byte, priority uint, err error) {
	scratch := q.scratch.Get().(*[]byte)
	n, priority, err := into(*scratch)
	if err == nil {
		msg = append([]byte(nil), (*scratch)[:n]...)
	}
	q.scratch.Put(scratch)
	return msg, priority, err
}

const (
	pollIn  = 0x1 // POLLIN: a message is queued
	pollOut = 0x4 // POLLOUT: there is room
)

// ready is what the Context variants wait for on the queue's descriptor: events. They
// wait on the descriptor itself, not on a duplicate handle whose close would end this
// process's notification registration (see handle.WaitReadyContext).
func (q *MessageQueue) ready(events int16) handle.Ready {
	return func(p uintptr) (int, int16, bool, error) {
		v := make([]int32, 2)
		err := errs.Check("message queue wait", raw.Pipc_mq_blocking(v[:1], p))
		if err == nil {
			err = errs.Check("message queue wait", raw.Pipc_mq_fd(v[1:], p))
		}
		return int(v[1]), events, v[0] == 1, err
	}
}

// Blocking reports the handle's blocking flag (false: every timeout acts as 0).
func (q *MessageQueue) Blocking() (bool, error) {
	v := make([]int32, 1)
	_, err := q.h.Call("message queue blocking", func(p uintptr) int { return raw.Pipc_mq_blocking(v, p) })
	return v[0] == 1, err
}

// SetBlocking sets the handle's blocking flag.
func (q *MessageQueue) SetBlocking(blocking bool) error {
	v := 0
	if blocking {
		v = 1
	}
	_, err := q.h.Call("message queue set blocking", func(p uintptr) int { return raw.Pipc_mq_set_blocking(p, v) })
	return err
}

func (q *MessageQueue) attribute(op string, f func([]int64, uintptr) int) (int64, error) {
	v := make([]int64, 1)
	_, err := q.h.Call(op, func(p uintptr) int { return f(v, p) })
	return v[0], err
}

// MaxMessages is the queue's capacity.
func (q *MessageQueue) MaxMessages() (int64, error) {
	return q.attribute("message queue max messages", raw.Pipc_mq_max_messages)
}

// MaxMessageSize is the largest message the queue takes.
func (q *MessageQueue) MaxMessageSize() (int64, error) {
	return q.attribute("message queue max message size", raw.Pipc_mq_max_message_size)
}

// CurrentMessages is the number of messages queued now.
func (q *MessageQueue) CurrentMessages() (int64, error) {
	return q.attribute("message queue current messages", raw.Pipc_mq_current_messages)
}

// Fd is the queue's descriptor, for poll, select or epoll (readable: a message is
// queued; writable: there is room). Owned by the queue, always non-blocking: leave its
// flags alone and do not close it.
func (q *MessageQueue) Fd() (int, error) {
	fd := make([]int32, 1)
	_, err := q.h.Call("message queue fd", func(p uintptr) int { return raw.Pipc_mq_fd(fd, p) })
	return int(fd[0]), err
}

// Unlink removes the name; the queue lives on until every handle is closed.
func (q *MessageQueue) Unlink() error {
	_, err := q.h.Call("unlink message queue", raw.Pipc_mq_unlink)
	return err
}

// Close closes the handle (never unlinks) and ends the calls waiting on it, which
// return ErrClosed; other handles to the queue are unaffected. The kernel drops this
// process's notification registration for the queue. Idempotent.
func (q *MessageQueue) Close() error {
	if q.h.Close() {
		q.forgetNotify()
	}
	return nil
}

// UnlinkMessageQueue removes the queue name.
func UnlinkMessageQueue(name string) error {
	return unlinkName("unlink message queue", name, raw.Pipc_mq_unlink_name)
}
