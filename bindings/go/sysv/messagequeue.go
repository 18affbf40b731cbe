package sysv

import (
	"context"
	"runtime"
	"sync"
	"time"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/raw"
)

// MessageQueueOptions are OpenMessageQueue's options; the zero value opens an existing
// queue.
type MessageQueueOptions struct {
	Options
	MaxBytes int64 // a new queue's capacity in bytes; 0: DefaultMaxBytes()
}

// MessageQueueStat are the kernel's fields of a queue.
type MessageQueueStat struct {
	Perm
	CurrentMessages int64     // messages in the queue
	CurrentBytes    int64     // bytes of those messages
	MaxBytes        int64     // capacity in bytes (settable)
	STime           time.Time // last send; zero if none
	RTime           time.Time // last receive
	CTime           time.Time // last change
	LastSendPID     int       // process of the last send
	LastReceivePID  int       // process of the last receive
}

// MessageQueue is a System V message queue.
type MessageQueue struct {
	object
	scratch sync.Pool // *[]byte of MessageSizeMax(), for Receive
}

var messageQueueFamily = &family{
	noun: "message queue", close: raw.Pipc_sysv_mq_close, dup: raw.Pipc_sysv_mq_dup, id: raw.Pipc_sysv_mq_id,
	key: raw.Pipc_sysv_mq_key, created: raw.Pipc_sysv_mq_created,
	remove:  raw.Pipc_sysv_mq_remove,
	setPerm: raw.Pipc_sysv_mq_set_perm, stat: raw.Pgo_sysv_mq_stat,
}

// MessageSizeMax is the longest message the system takes (/proc/sys/kernel/msgmax).
func MessageSizeMax() int64 { return raw.Pipc_sysv_mq_message_size_max() }

// DefaultMaxBytes is a new queue's default capacity (/proc/sys/kernel/msgmnb).
func DefaultMaxBytes() int64 { return raw.Pipc_sysv_mq_default_max_bytes() }

// OpenMessageQueue opens the queue with key, or creates it as opts says (nil: open an
// existing one).
func OpenMessageQueue(key Key, opts *MessageQueueOptions) (*MessageQueue, error) {
	const op = "open message queue"
	var o MessageQueueOptions
	if opts != nil {
		o = *opts
	}
	flags, mode, err := o.bits(op)
	if err != nil {
		return nil, err
	}
	if o.MaxBytes < 0 {
		return nil, errs.Invalid(op, "negative max bytes")
	}
	out := make([]uintptr, 1)
	if _, err := errs.Call(op, func() int {
		return raw.Pgo_sysv_mq_open(out, int64(key), flags, mode, uint64(o.MaxBytes))
	}); err != nil {
		return nil, err
	}
	return newMessageQueue(op, out[0])
}

// OpenMessageQueueID opens the existing queue with this id.
func OpenMessageQueueID(id int) (*MessageQueue, error) {
	const op = "open message queue id"
	p, err := openID(op, id, raw.Pipc_sysv_mq_open_id)
	if err != nil {
		return nil, err
	}
	return newMessageQueue(op, p)
}

func newMessageQueue(op string, p uintptr) (*MessageQueue, error) {
	q := &MessageQueue{}
	if err := q.open(messageQueueFamily, op, p); err != nil {
		return nil, err
	}
	q.scratch.New = func() interface{} { b := make([]byte, MessageSizeMax()); return &b }
	runtime.SetFinalizer(q, (*MessageQueue).Close)
	return q, nil
}

// RemoveMessageQueue removes the queue with this id and its messages.
func RemoveMessageQueue(id int) error {
	return removeID("remove message queue", id, raw.Pipc_sysv_mq_remove_id)
}

// Send queues msg with type mtype (>= 1), waiting up to timeout (negative: without
// limit; 0: not at all, pipc.ErrBusy) while the queue is full. pipc.ErrClosed when
// Close ends the wait.
func (q *MessageQueue) Send(msg []byte, mtype int64, timeout time.Duration) error {
	_, err := q.h.Wait("message queue send", timeout, func(p uintptr, ns int64) int {
		return raw.Pipc_sysv_mq_send(p, msg, mtype, ns)
	})
	return err
}

// SendContext is Send that waits until ctx is done (then it returns an error matching
// ctx.Err()) or its deadline passes (context.DeadlineExceeded, also pipc.ErrTimeout).
func (q *MessageQueue) SendContext(ctx context.Context, msg []byte, mtype int64) error {
	_, err := q.h.WaitContext(ctx, "message queue send", func(p uintptr, ns int64) int {
		return raw.Pipc_sysv_mq_send(p, msg, mtype, ns)
	})
	return err
}

// ReceiveInto receives the message mtype selects (0: the first; > 0: the first of that
// type; < 0: the first of the lowest type <= -mtype) into buf, waiting up to timeout
// for one. A message longer than buf gives pipc.ErrInvalid and stays queued.
// pipc.ErrClosed when Close ends the wait.
func (q *MessageQueue) ReceiveInto(buf []byte, mtype int64, timeout time.Duration) (n int, typ int64, err error) {
	return q.receive(buf, mtype, 0, waitFor{timeout: timeout})
}

// ReceiveIntoContext is ReceiveInto that waits until ctx is done or its deadline passes.
func (q *MessageQueue) ReceiveIntoContext(ctx context.Context, buf []byte, mtype int64) (n int, typ int64, err error) {
	return q.receive(buf, mtype, 0, waitFor{ctx: ctx, byContext: true})
}

// ReceiveTruncated is ReceiveInto that takes a message longer than buf too, cut to
// len(buf) (MSG_NOERROR): the rest of it is lost.
func (q *MessageQueue) ReceiveTruncated(buf []byte, mtype int64, timeout time.Duration) (n int, typ int64, err error) {
	return q.receive(buf, mtype, uint(raw.PIPC_SYSV_MSG_TRUNCATE), waitFor{timeout: timeout})
}

// ReceiveTruncatedContext is ReceiveTruncated that waits until ctx is done or its
// deadline passes.
func (q *MessageQueue) ReceiveTruncatedContext(ctx context.Context, buf []byte, mtype int64) (n int, typ int64, err error) {
	return q.receive(buf, mtype, uint(raw.PIPC_SYSV_MSG_TRUNCATE), waitFor{ctx: ctx, byContext: true})
}

// waitFor is how long a receive waits: up to timeout, or as ctx says (the Context
// variants).
type waitFor struct {
	ctx       context.Context
	timeout   time.Duration
	byContext bool
}

func (q *MessageQueue) receive(buf []byte, mtype int64, flags uint, w waitFor) (int, int64, error) {
	const op = "message queue receive"
	t := make([]int64, 1)
	f := func(p uintptr, ns int64) int { return raw.Pgo_sysv_mq_receive(t, p, buf, mtype, flags, ns) }
	var n int
	var err error
	if w.byContext {
		n, err = q.h.WaitContext(w.ctx, op, f)
	} else {
		n, err = q.h.Wait(op, w.timeout, f)
	}
	return n, t[0], err
}

// Receive is ReceiveInto with a buffer for the longest message, returning a copy.
func (q *MessageQueue) Receive(mtype int64, timeout time.Duration) (msg []byte, typ int64, err error) {
	return q.receiveCopy(mtype, waitFor{timeout: timeout})
}

// ReceiveContext is Receive that waits until ctx is done (then it returns an error
// matching ctx.Err()) or its deadline passes (context.DeadlineExceeded, also
// pipc.ErrTimeout).
func (q *MessageQueue) ReceiveContext(ctx context.Context, mtype int64) (msg []byte, typ int64, err error) {
	return q.receiveCopy(mtype, waitFor{ctx: ctx, byContext: true})
}

func (q *MessageQueue) receiveCopy(mtype int64, w waitFor) (msg []byte, typ int64, err error) {
	scratch := q.scratch.Get().(*[]byte)
	n, typ, err := q.receive(*scratch, mtype, 0, w)
	if err == nil {
		msg = append([]byte(nil), (*scratch)[:n]...)
	}
	q.scratch.Put(scratch)
	return msg, typ, err
}

// CurrentMessages is the number of messages queued now.
func (q *MessageQueue) CurrentMessages() (int64, error) {
	v := make([]uint64, 1)
	_, err := q.h.Call("message queue current messages", func(p uintptr) int {
		return raw.Pipc_sysv_mq_current_messages(v, p)
	})
	return int64(v[0]), err
}

// MaxBytes is the queue's capacity in bytes.
func (q *MessageQueue) MaxBytes() (int64, error) {
	v := make([]uint64, 1)
	_, err := q.h.Call("message queue max bytes", func(p uintptr) int { return raw.Pipc_sysv_mq_max_bytes(v, p) })
	return int64(v[0]), err
}

// SetMaxBytes sets the capacity (1 .. 2^31-1; above the system's msgmnb it needs
// CAP_SYS_RESOURCE, else pipc.ErrPermission).
func (q *MessageQueue) SetMaxBytes(n int64) error {
	const op = "message queue set max bytes"
	if n < 0 {
		return errs.Invalid(op, "negative max bytes")
	}
	_, err := q.h.Call(op, func(p uintptr) int { return raw.Pipc_sysv_mq_set_max_bytes(p, uint64(n)) })
	return err
}

// Stat reads the kernel's fields.
func (q *MessageQueue) Stat() (MessageQueueStat, error) {
	f, err := q.statFields()
	if err != nil {
		return MessageQueueStat{}, err
	}
	return MessageQueueStat{perm(f), f[6], f[7], f[8], unixTime(f[9]), unixTime(f[10]),
		unixTime(f[11]), int(f[12]), int(f[13])}, nil
}
