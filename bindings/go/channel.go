package pipc

import (
	"context"
	"io/fs"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/handle"
	"libpipc.dev/pipc/internal/raw"
)

// ChannelOptions are OpenChannel's options; the zero value opens an existing channel.
// Slots and MaxMessageSize apply only to a channel this open creates: an existing one
// keeps its own (see Channel.Attributes).
type ChannelOptions struct {
	OpenFlags
	Mode           fs.FileMode // a new channel's permission bits; 0: 0600
	Slots          int         // a new channel's capacity in messages, a power of two from 1 to 65536; 0: 64
	MaxMessageSize int         // a new channel's largest message in bytes, 1 to 16 MiB; 0: 1024
}

// ChannelAttributes are a channel's fixed sizes and its current number of messages.
type ChannelAttributes struct {
	Slots          int // capacity in messages
	MaxMessageSize int // the largest message in bytes
	Messages       int // messages in the channel now (a snapshot)
}

// Channel is a message channel in shared memory (pipc_channel(3)): a ring of
// fixed-size slots in a POSIX shared memory segment of its own (/dev/shm/NAME on
// Linux) that any number of processes, in any language, send to and receive from at
// once. Messages keep their order per sender and are never torn, lost or delivered
// twice. Sending and receiving make no system call unless a call must wait (waiters
// sleep on futexes in the segment) or wake a waiter, which makes a channel many times
// faster than a MessageQueue. A process killed in the middle of a call, even by
// SIGKILL, never wedges the channel for the others.
//
// Every Send and ReceiveInto is one native call that allocates nothing: the message is
// copied from the caller's slice into a slot, or from a slot into the caller's slice.
// Receive allocates the slice it returns. The C library's zero-copy forms (a slot
// written or read in place) are not offered in Go: a slice over a slot could outlive
// the slot, and the mapping itself once the channel is closed; and a Close on another
// goroutine, which runs on another thread, would leave the slot held by the thread
// that reserved it, for as long as that thread lives.
type Channel struct {
	h       handle.Handle
	name    string
	created bool
	spin    *uint32   // the SetSpin value, for the duplicates of the Context waits (atomic)
	scratch sync.Pool // *[]byte of the channel's MaxMessageSize, for Receive
}

// OpenChannel opens the channel name, or creates it as opts says (nil: open an
// existing one). The name "" creates a channel with a random unused name.
func OpenChannel(name string, opts *ChannelOptions) (*Channel, error) {
	const op = "open channel"
	var o ChannelOptions
	if opts != nil {
		o = *opts
	}
	mode, err := modeBits(op, o.Mode)
	if err != nil {
		return nil, err
	}
	if o.Slots < 0 || o.Slots > math.MaxUint32 || o.MaxMessageSize < 0 || o.MaxMessageSize > math.MaxUint32 {
		return nil, errs.Invalid(op, "channel size out of range")
	}
	out := make([]uintptr, 1)
	if _, err := errs.Call(op, func() int {
		return raw.Pgo_channel_open(out, name, o.flags(name), mode, uint(o.Slots), uint(o.MaxMessageSize))
	}); err != nil {
		return nil, err
	}
	c := &Channel{
		name:    raw.Pipc_channel_name(out[0]),
		created: raw.Pipc_channel_created(out[0]) == 1,
		spin:    new(uint32),
	}
	c.h.Init(out[0], raw.Pipc_channel_close, channelDup(c.spin))
	a, err := c.Attributes()
	if err != nil {
		c.h.Close()
		return nil, err
	}
	size := a.MaxMessageSize // the closure holds no c: see channelDup
	c.scratch.New = func() interface{} { b := make([]byte, size); return &b }
	runtime.SetFinalizer(c, (*Channel).Close)
	return c, nil
}

// channelDup is the dup function of a channel's handle: it opens the duplicate that a
// Context wait waits on, spinning as *spin says. (It holds spin, not the Channel: a
// Channel reachable from its own handle would be a cycle, which its finalizer would
// keep from ever being collected.)
func channelDup(spin *uint32) func(out []uintptr, p uintptr) int {
	return func(out []uintptr, p uintptr) int {
		r := raw.Pipc_channel_dup(out, p)
		if ns := atomic.LoadUint32(spin); r >= 0 && ns != 0 {
			raw.Pipc_channel_set_spin(out[0], uint(ns)) // a value the C library took already
		}
		return r
	}
}

// Name is the channel's name.
func (c *Channel) Name() string { return c.name }

// Created reports whether this open created the channel.
func (c *Channel) Created() bool { return c.created }

// Send sends data, at most MaxMessageSize bytes (else ErrInvalid, with StatusMsgSize),
// waiting up to timeout for a free slot (negative: without limit; 0: not at all,
// ErrBusy if the channel is full; positive: ErrTimeout when the time runs out).
// ErrClosed when Close ends the wait.
func (c *Channel) Send(data []byte, timeout time.Duration) error {
	_, err := c.h.Wait("channel send", timeout, func(p uintptr, ns int64) int {
		return raw.Pipc_channel_send(p, data, ns)
	})
	return err
}

// SendContext is Send that waits until ctx is done (then it returns an error matching
// ctx.Err(), having sent nothing) or its deadline passes (context.DeadlineExceeded,
// also ErrTimeout).
func (c *Channel) SendContext(ctx context.Context, data []byte) error {
	_, err := c.h.WaitContext(ctx, "channel send", func(p uintptr, ns int64) int {
		return raw.Pipc_channel_send(p, data, ns)
	})
	return err
}

// ReceiveInto receives the next message into buf and returns its length, waiting up
// to timeout for one (negative: without limit; 0: not at all, ErrBusy if the channel
// is empty; positive: ErrTimeout when the time runs out). A message longer than buf
// stays in the channel: ErrInvalid, with StatusMsgSize (a buf of MaxMessageSize bytes
// holds every message). ErrClosed when Close ends the wait.
func (c *Channel) ReceiveInto(buf []byte, timeout time.Duration) (n int, err error) {
	n, err = c.h.Wait("channel receive", timeout, func(p uintptr, ns int64) int {
		return raw.Pgo_channel_receive(p, buf, ns)
	})
	return length(n, err)
}

// length is a receive's result n, or 0 after an error (whose result names a failure
// record, not a length).
func length(n int, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ReceiveIntoContext is ReceiveInto that waits until ctx is done (then it returns an
// error matching ctx.Err(), having received nothing) or its deadline passes
// (context.DeadlineExceeded, also ErrTimeout).
func (c *Channel) ReceiveIntoContext(ctx context.Context, buf []byte) (n int, err error) {
	return length(c.h.WaitContext(ctx, "channel receive", func(p uintptr, ns int64) int {
		return raw.Pgo_channel_receive(p, buf, ns)
	}))
}

// Receive receives the next message, waiting up to timeout for one as ReceiveInto
// does, and returns it in a new slice.
func (c *Channel) Receive(timeout time.Duration) ([]byte, error) {
	return c.receive(func(buf []byte) (int, error) { return c.ReceiveInto(buf, timeout) })
}

// ReceiveContext is Receive that waits until ctx is done (then it returns an error
// matching ctx.Err(), having received nothing) or its deadline passes
// (context.DeadlineExceeded, also ErrTimeout).
func (c *Channel) ReceiveContext(ctx context.Context) ([]byte, error) {
	return c.receive(func(buf []byte) (int, error) { return c.ReceiveIntoContext(ctx, buf) })
}

// receive runs into on a scratch buffer of the channel's message size and returns a
// copy of what it received.
func (c *Channel) receive(into func([]byte) (int, error)) (msg []byte, err error) {
	scratch := c.scratch.Get().(*[]byte)
	n, err := into(*scratch)
	if err == nil {
		msg = append(make([]byte, 0, n), (*scratch)[:n]...)
	}
	c.scratch.Put(scratch)
	return msg, err
}

// Attributes are the channel's capacity, message size and current number of messages.
func (c *Channel) Attributes() (ChannelAttributes, error) {
	v := make([]int64, 3)
	_, err := c.h.Call("channel attributes", func(p uintptr) int { return raw.Pgo_channel_attributes(v, p) })
	return ChannelAttributes{Slots: int(v[0]), MaxMessageSize: int(v[1]), Messages: int(v[2])}, err
}

// SetSpin sets how long this handle's waits spin, re-reading the channel without a
// system call, before they sleep: 0 (the default) sleeps at once; at most a
// millisecond (else ErrInvalid). Spinning trades a core's time for latency; it helps
// only when sender and receiver run on different cores.
func (c *Channel) SetSpin(d time.Duration) error {
	const op = "channel set spin"
	if d < 0 || d > math.MaxUint32 {
		return errs.Invalid(op, "spin out of range")
	}
	_, err := c.h.Call(op, func(p uintptr) int { return raw.Pipc_channel_set_spin(p, uint(d)) })
	if err == nil {
		atomic.StoreUint32(c.spin, uint32(d))
	}
	return err
}

// Unlink removes the name; the channel lives on until every handle is closed.
func (c *Channel) Unlink() error {
	_, err := c.h.Call("unlink channel", raw.Pipc_channel_unlink)
	return err
}

// Close closes the handle (never unlinks) and ends the calls waiting on it, which
// return ErrClosed having sent or received nothing; other handles to the channel are
// unaffected. Idempotent.
func (c *Channel) Close() error {
	c.h.Close()
	return nil
}

// UnlinkChannel removes the channel name.
func UnlinkChannel(name string) error {
	return unlinkName("unlink channel", name, raw.Pipc_channel_unlink_name)
}
