package pipc_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/testmain"
)

// newChannel creates a channel with a random name, closed and unlinked after t.
func newChannel(t *testing.T, opts pipc.ChannelOptions) *pipc.Channel {
	t.Helper()
	c, err := pipc.OpenChannel("", &opts)
	return keepLockObject(t, c, err, pipc.UnlinkChannel) // a segment in /dev/shm, as a mutex
}

// openChannel opens another handle to c's channel, closed after t.
func openChannel(t *testing.T, c *pipc.Channel) *pipc.Channel {
	t.Helper()
	o, err := pipc.OpenChannel(c.Name(), nil)
	testmain.Keep(t, o, err)
	return o
}

// payload is message seq of producer: 16 to 63 bytes, each made from both numbers, so
// that a torn, mixed or misplaced message shows.
func payload(producer, seq uint32) []byte {
	p := make([]byte, 16+seq%48)
	binary.LittleEndian.PutUint32(p[0:], producer)
	binary.LittleEndian.PutUint32(p[4:], seq)
	for k := 8; k < len(p); k++ {
		p[k] = byte(producer*31 + seq*7 + uint32(k)*13)
	}
	return p
}

// fromPayload is the producer and sequence number of msg, or ok false when msg is not
// a payload.
func fromPayload(msg []byte) (producer, seq uint32, ok bool) {
	if len(msg) < 8 {
		return 0, 0, false
	}
	producer, seq = binary.LittleEndian.Uint32(msg[0:]), binary.LittleEndian.Uint32(msg[4:])
	return producer, seq, bytes.Equal(msg, payload(producer, seq))
}

func attributes(t *testing.T, c *pipc.Channel) pipc.ChannelAttributes {
	t.Helper()
	a, err := c.Attributes()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestChannelOpen(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 8, MaxMessageSize: 100})
	if !strings.HasPrefix(c.Name(), "/") || !c.Created() {
		t.Fatalf("name %q, created %v", c.Name(), c.Created())
	}
	if a := attributes(t, c); a != (pipc.ChannelAttributes{Slots: 8, MaxMessageSize: 100}) {
		t.Fatalf("attributes %+v", a)
	}
	// Another open finds the channel as it was made, whatever its options say.
	o, err := pipc.OpenChannel(c.Name(), &pipc.ChannelOptions{OpenFlags: pipc.OpenFlags{Create: true},
		Slots: 2, MaxMessageSize: 7})
	testmain.Keep(t, o, err)
	if o.Created() || o.Name() != c.Name() {
		t.Fatalf("created %v, name %q", o.Created(), o.Name())
	}
	if err := o.Send([]byte("hello"), 0); err != nil {
		t.Fatal(err)
	}
	if a := attributes(t, c); a != (pipc.ChannelAttributes{Slots: 8, MaxMessageSize: 100, Messages: 1}) {
		t.Fatalf("attributes %+v", a)
	}
	if msg, err := c.Receive(0); err != nil || string(msg) != "hello" {
		t.Fatalf("got %q, %v", msg, err)
	}
	// The defaults of the C library: 64 slots of 1024 bytes.
	d := newChannel(t, pipc.ChannelOptions{})
	if a := attributes(t, d); a != (pipc.ChannelAttributes{Slots: 64, MaxMessageSize: 1024}) {
		t.Fatalf("default attributes %+v", a)
	}
	_, err = pipc.OpenChannel(c.Name(), &pipc.ChannelOptions{OpenFlags: pipc.OpenFlags{Create: true, Exclusive: true}})
	if !errors.Is(err, pipc.ErrExist) {
		t.Fatalf("exclusive open of an existing channel: %v", err)
	}
	if _, err := pipc.OpenChannel(testName(), nil); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("open of a missing channel: %v", err)
	}
}

// Sizes the C library refuses, and those the Go side refuses before it: ErrInvalid,
// and nothing is created.
func TestChannelBadOptions(t *testing.T) {
	for _, o := range []pipc.ChannelOptions{
		{Slots: 3}, {Slots: 1 << 17}, {Slots: -1}, {Slots: 1 << 33},
		{MaxMessageSize: 16<<20 + 1}, {MaxMessageSize: -1}, {Mode: os.ModeDir},
	} {
		name := testName()
		o.Create = true
		c, err := pipc.OpenChannel(name, &o)
		if err == nil {
			c.Close()
			pipc.UnlinkChannel(name)
			t.Fatalf("%+v: opened", o)
		}
		if !errors.Is(err, pipc.ErrInvalid) {
			t.Fatalf("%+v: %v", o, err)
		}
		if _, err := os.Stat("/dev/shm" + name); err == nil {
			pipc.UnlinkChannel(name)
			t.Fatalf("%+v: the segment was made", o)
		}
	}
}

// A channel of 4 slots takes 4 messages, then is full until one is received; empty, a
// receive waits. A try (timeout 0) says ErrBusy, a bounded wait ErrTimeout, after the
// time.
func TestChannelFullEmpty(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 4, MaxMessageSize: 16})
	wait := 30 * time.Millisecond
	start := time.Now()
	if _, err := c.Receive(wait); !errors.Is(err, pipc.ErrTimeout) || time.Since(start) < wait {
		t.Fatalf("empty, bounded: %v after %v", err, time.Since(start))
	}
	if _, err := c.ReceiveInto(make([]byte, 16), 0); !errors.Is(err, pipc.ErrBusy) || errors.Is(err, pipc.ErrTimeout) {
		t.Fatalf("empty, try: %v", err)
	}
	for i := 0; i < 4; i++ {
		if err := c.Send([]byte{byte(i)}, 0); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if err := c.Send([]byte{4}, 0); !errors.Is(err, pipc.ErrBusy) || errors.Is(err, pipc.ErrTimeout) {
		t.Fatalf("full, try: %v", err)
	}
	start = time.Now()
	if err := c.Send([]byte{4}, wait); !errors.Is(err, pipc.ErrTimeout) || time.Since(start) < wait {
		t.Fatalf("full, bounded: %v after %v", err, time.Since(start))
	}
	var e *pipc.Error
	if err := c.Send([]byte{4}, wait); !errors.As(err, &e) || !e.Timeout() || e.Status != pipc.StatusTimeout {
		t.Fatalf("full, bounded: %#v", err)
	}
	if a := attributes(t, c); a.Messages != 4 {
		t.Fatalf("%d messages", a.Messages)
	}
	// A sender waiting without limit goes on when a slot is freed.
	sent := testmain.Blocked(t, func() error { return c.Send([]byte{4}, -1) })
	start = time.Now()
	if msg, err := c.Receive(0); err != nil || !bytes.Equal(msg, []byte{0}) {
		t.Fatalf("got %v, %v", msg, err)
	}
	if err := testmain.Ended(t, "receive", sent, start, long); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		if msg, err := c.Receive(0); err != nil || !bytes.Equal(msg, []byte{byte(i)}) {
			t.Fatalf("message %d: got %v, %v", i, msg, err)
		}
	}
	// A receiver waiting without limit goes on when a message comes.
	received := make(chan []byte, 1)
	result := testmain.Blocked(t, func() error {
		msg, err := c.Receive(-1)
		received <- msg
		return err
	})
	start = time.Now()
	if err := c.Send([]byte("late"), 0); err != nil {
		t.Fatal(err)
	}
	if err := testmain.Ended(t, "send", result, start, long); err != nil || string(<-received) != "late" {
		t.Fatal(err)
	}
	// An empty message is a message.
	if err := c.Send(nil, 0); err != nil {
		t.Fatal(err)
	}
	if msg, err := c.Receive(0); err != nil || msg == nil || len(msg) != 0 {
		t.Fatalf("empty message: %v, %v", msg, err)
	}
}

// A channel holds as many messages as it has slots, the smallest ones too, and no more:
// one more send finds it full, and nothing is overwritten.
func TestChannelCapacity(t *testing.T) {
	for _, slots := range []int{1, 2, 8} {
		c := newChannel(t, pipc.ChannelOptions{Slots: slots, MaxMessageSize: 8})
		for round := 0; round < 3; round++ {
			for i := 0; i < slots; i++ {
				if err := c.Send([]byte{byte(round), byte(i)}, 0); err != nil {
					t.Fatalf("%d slots, round %d: send %d: %v", slots, round, i, err)
				}
			}
			if err := c.Send([]byte("extra"), 0); !errors.Is(err, pipc.ErrBusy) {
				t.Errorf("%d slots, round %d: a send into the full channel returned %v", slots, round, err)
			}
			if a := attributes(t, c); a.Messages != slots {
				t.Errorf("%d slots, round %d: %d messages", slots, round, a.Messages)
			}
			for i := 0; i < slots; i++ {
				if msg, err := c.Receive(0); err != nil || !bytes.Equal(msg, []byte{byte(round), byte(i)}) {
					t.Fatalf("%d slots, round %d: message %d: got %q, %v", slots, round, i, msg, err)
				}
			}
			if msg, err := c.Receive(0); !errors.Is(err, pipc.ErrBusy) {
				t.Fatalf("%d slots, round %d: a message too many: %q, %v", slots, round, msg, err)
			}
		}
	}
}

// Messages come out in the order they went in, whole, through a channel smaller than
// the stream, between goroutines.
func TestChannelOrder(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 8, MaxMessageSize: 64})
	r := openChannel(t, c)
	const n = 5000
	done := make(chan error, 1)
	go func() {
		for i := uint32(0); i < n; i++ {
			if err := c.Send(payload(1, i), long); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	buf := make([]byte, 64)
	for i := uint32(0); i < n; i++ {
		k, err := r.ReceiveInto(buf, long)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if p, seq, ok := fromPayload(buf[:k]); !ok || p != 1 || seq != i {
			t.Fatalf("message %d: got %x", i, buf[:k])
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if a := attributes(t, c); a.Messages != 0 {
		t.Fatalf("%d messages left", a.Messages)
	}
}

// Several sending and receiving goroutines, on one handle and on several: every
// message arrives once, whole, and each sender's in its order.
func TestChannelManyGoroutines(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 16, MaxMessageSize: 64})
	const producers, consumers, each = 4, 3, 2000
	var wg sync.WaitGroup
	errc := make(chan error, producers+consumers)
	for p := 0; p < producers; p++ {
		h := c
		if p%2 == 1 {
			h = openChannel(t, c)
		}
		wg.Add(1)
		go func(h *pipc.Channel, p uint32) {
			defer wg.Done()
			for i := uint32(0); i < each; i++ {
				if err := h.Send(payload(p, i), long); err != nil {
					errc <- err
					return
				}
			}
		}(h, uint32(p))
	}
	got := make([][]uint32, consumers) // each consumer's sequence numbers, producer by producer
	var received sync.WaitGroup
	var total sync.Mutex
	left := producers * each
	for k := 0; k < consumers; k++ {
		h := openChannel(t, c)
		received.Add(1)
		go func(h *pipc.Channel, k int) {
			defer received.Done()
			last := map[uint32]int64{}
			buf := make([]byte, 64)
			for {
				total.Lock()
				if left == 0 {
					total.Unlock()
					return
				}
				left--
				total.Unlock()
				n, err := h.ReceiveInto(buf, long)
				if err != nil {
					errc <- err
					return
				}
				p, seq, ok := fromPayload(buf[:n])
				if !ok {
					errc <- fmt.Errorf("a bad message %x", buf[:n])
					return
				}
				if prev, seen := last[p]; seen && int64(seq) <= prev {
					errc <- fmt.Errorf("producer %d: %d after %d", p, seq, prev)
					return
				}
				last[p] = int64(seq)
				got[k] = append(got[k], p<<16|seq)
			}
		}(h, k)
	}
	wg.Wait()
	received.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	seen := map[uint32]bool{}
	for _, g := range got {
		for _, m := range g {
			if seen[m] {
				t.Fatalf("message %d:%d twice", m>>16, m&0xffff)
			}
			seen[m] = true
		}
	}
	if len(seen) != producers*each {
		t.Fatalf("%d messages of %d", len(seen), producers*each)
	}
}

// A message larger than the channel's maximum is refused (ErrInvalid, StatusMsgSize);
// one larger than the receiver's buffer stays in the channel for a larger one.
func TestChannelMessageSize(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 2, MaxMessageSize: 32})
	var e *pipc.Error
	err := c.Send(make([]byte, 33), 0)
	if !errors.Is(err, pipc.ErrInvalid) || !errors.As(err, &e) || e.Status != pipc.StatusMsgSize {
		t.Fatalf("send of 33 bytes: %v", err)
	}
	if a := attributes(t, c); a.Messages != 0 {
		t.Fatalf("%d messages", a.Messages)
	}
	full := bytes.Repeat([]byte{0xa5}, 32)
	if err := c.Send(full, 0); err != nil {
		t.Fatal(err)
	}
	n, err := c.ReceiveInto(make([]byte, 31), 0)
	if !errors.Is(err, pipc.ErrInvalid) || !errors.As(err, &e) || e.Status != pipc.StatusMsgSize || n != 0 {
		t.Fatalf("receive into 31 bytes: %d, %v", n, err)
	}
	if msg, err := c.Receive(0); err != nil || !bytes.Equal(msg, full) {
		t.Fatalf("the message did not stay: %x, %v", msg, err)
	}
}

// Calls after Close fail with ErrClosed; Close is idempotent and leaves the channel to
// its other handles; Unlink removes the name, not the channel.
func TestChannelCloseUnlink(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 2, MaxMessageSize: 8})
	o := openChannel(t, c)
	if err := o.Close(); err != nil || o.Close() != nil {
		t.Fatal("Close failed")
	}
	ctx := context.Background()
	for what, err := range map[string]error{
		"send":                 o.Send([]byte("x"), 0),
		"send context":         o.SendContext(ctx, []byte("x")),
		"receive":              second(o.Receive(0)),
		"receive into":         second(o.ReceiveInto(make([]byte, 8), -1)),
		"receive context":      second(o.ReceiveContext(ctx)),
		"receive into context": second(o.ReceiveIntoContext(ctx, make([]byte, 8))),
		"attributes":           second(o.Attributes()),
		"set spin":             o.SetSpin(time.Microsecond),
		"unlink":               o.Unlink(),
	} {
		if !errors.Is(err, pipc.ErrClosed) {
			t.Errorf("%s after Close: %v", what, err)
		}
	}
	if err := c.Send([]byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Unlink(); err != nil {
		t.Fatal(err)
	}
	if _, err := pipc.OpenChannel(c.Name(), nil); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("open after Unlink: %v", err)
	}
	if msg, err := c.Receive(0); err != nil || string(msg) != "x" {
		t.Fatalf("after Unlink: %q, %v", msg, err)
	}
	if err := pipc.UnlinkChannel(c.Name()); !errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("second unlink: %v", err)
	}
	if err := pipc.UnlinkChannel(""); !errors.Is(err, pipc.ErrInvalid) {
		t.Fatalf("unlink of \"\": %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestChannelSpin(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 2, MaxMessageSize: 8})
	for _, d := range []time.Duration{-1, time.Millisecond + 1, 1 << 40} {
		if err := c.SetSpin(d); !errors.Is(err, pipc.ErrInvalid) {
			t.Fatalf("spin %v: %v", d, err)
		}
	}
	if err := c.SetSpin(time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := c.SetSpin(20 * time.Microsecond); err != nil {
		t.Fatal(err)
	}
	// A spinning wait still ends on time, and still takes what comes.
	start := time.Now()
	if _, err := c.Receive(10 * time.Millisecond); !errors.Is(err, pipc.ErrTimeout) || time.Since(start) < 10*time.Millisecond {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	result := testmain.Blocked(t, func() error { _, err := c.ReceiveContext(ctx); return err })
	start = time.Now()
	c2 := openChannel(t, c)
	c2.Send([]byte("spun"), 0)
	if err := testmain.Ended(t, "send", result, start, long); err != nil {
		t.Fatal(err)
	}
	if err := c.SetSpin(0); err != nil {
		t.Fatal(err)
	}
}

// closureAllocations is what a call that waits allocates for its closure: nothing from
// Go 1.21 on, one on the heap with older compilers (Debian 12's Go 1.19), whose escape
// analysis does not see that Handle.Wait's slow paths keep no reference to it.
func closureAllocations() float64 {
	var minor int
	if _, err := fmt.Sscanf(runtime.Version(), "go1.%d", &minor); err == nil && minor < 21 {
		return 1
	}
	return 0
}

// Send and ReceiveInto allocate nothing: the message goes from the caller's slice to a
// slot, and from a slot to the caller's slice, in one native call each.
func TestChannelNoAllocations(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 2, MaxMessageSize: 64})
	msg, buf := make([]byte, 64), make([]byte, 64)
	for _, timeout := range []time.Duration{0, -1, long} {
		allocs := testing.AllocsPerRun(1000, func() {
			if c.Send(msg, timeout) != nil {
				t.Fatal("send failed")
			}
			if n, err := c.ReceiveInto(buf, timeout); err != nil || n != 64 {
				t.Fatal("receive failed")
			}
		})
		if allocs > 2*closureAllocations() {
			t.Fatalf("timeout %v: %v allocations per Send+ReceiveInto", timeout, allocs)
		}
	}
	// Receive allocates the message it returns, and that only.
	allocs := testing.AllocsPerRun(1000, func() {
		c.Send(msg[:10], 0)
		if m, err := c.Receive(0); err != nil || len(m) != 10 {
			t.Fatal("receive failed")
		}
	})
	if allocs > 1+2*closureAllocations() {
		t.Fatalf("%v allocations per Send+Receive", allocs)
	}
}

// ---- across processes -----------------------------------------------------------------

// channelChild is a channel role of this test binary run as another process
// (runChild): arg is "NAME COUNT PRODUCER".
//   - chan-produce sends COUNT payloads of PRODUCER (COUNT -1: until killed), waiting
//     as long as it takes for room, and prints "ready" first;
//   - chan-consume receives COUNT messages into one buffer after printing "ready", then
//     prints "done" (for the benchmarks).
func channelChild(role, arg string) error {
	words := strings.Fields(arg)
	if len(words) != 3 {
		return fmt.Errorf("bad argument %q", arg)
	}
	count, err1 := strconv.ParseInt(words[1], 10, 64)
	producer, err2 := strconv.ParseUint(words[2], 10, 32)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("bad argument %q", arg)
	}
	c, err := pipc.OpenChannel(words[0], nil)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Println("ready")
	switch role {
	case "chan-produce":
		for i := int64(0); count < 0 || i < count; i++ {
			if err := c.Send(payload(uint32(producer), uint32(i)), -1); err != nil {
				return err
			}
		}
	case "chan-consume":
		buf := make([]byte, 64<<10)
		for i := int64(0); i < count; i++ {
			if _, err := c.ReceiveInto(buf, -1); err != nil {
				return err
			}
		}
		fmt.Println("done")
	}
	return nil
}

// Two processes: the child sends 10000 messages, this process receives them all, in
// order and whole.
func TestChannelCrossProcess(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 16, MaxMessageSize: 64})
	const n = 10000
	child := startChild(t, "chan-produce", fmt.Sprintf("%s %d 7", c.Name(), n))
	if l := child.line(t); l != "ready" {
		t.Fatalf("child: %q", l)
	}
	buf := make([]byte, 64)
	for i := uint32(0); i < n; i++ {
		k, err := c.ReceiveInto(buf, long)
		if err != nil {
			t.Fatalf("message %d: %v (%s)", i, err, child.stderr.String())
		}
		if p, seq, ok := fromPayload(buf[:k]); !ok || p != 7 || seq != i {
			t.Fatalf("message %d: got %x", i, buf[:k])
		}
	}
	if err := child.wait(t); err != nil {
		t.Fatalf("child: %v: %s", err, child.stderr.String())
	}
	if _, err := c.Receive(0); !errors.Is(err, pipc.ErrBusy) {
		t.Fatalf("a message too many: %v", err)
	}
}

// A producer process killed with SIGKILL in the middle of its stream never wedges the
// channel: the consumer receives the rest of what it sent, in order and whole, and then
// the messages of a new producer, round after round. In even rounds the kill comes
// while this process keeps receiving (the child most likely in the middle of a send);
// in odd ones, with the channel full and the child waiting for room.
func TestChannelProducerKilled(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 8, MaxMessageSize: 64})
	rounds := 10
	if testing.Short() {
		rounds = 2
	}
	for round := 0; round < rounds; round++ {
		producer := uint32(100 + round)
		child := startChild(t, "chan-produce", fmt.Sprintf("%s -1 %d", c.Name(), producer))
		if l := child.line(t); l != "ready" {
			t.Fatalf("child: %q", l)
		}
		var next uint32 // the next sequence number due (atomic: read while receiving)
		receive := func(buf []byte, timeout time.Duration) error {
			k, err := c.ReceiveInto(buf, timeout)
			if err != nil {
				return err
			}
			if p, seq, ok := fromPayload(buf[:k]); !ok || p != producer || seq != atomic.LoadUint32(&next) {
				return fmt.Errorf("message %d: got %x", atomic.LoadUint32(&next), buf[:k])
			}
			atomic.AddUint32(&next, 1)
			return nil
		}
		stop := uint32(500 + 97*round)
		killed, received := make(chan struct{}), make(chan error, 1)
		go func() { // receives until the child is killed and the channel empty
			buf := make([]byte, 64)
			for {
				select {
				case <-killed:
					for {
						if err := receive(buf, 0); err != nil {
							if errors.Is(err, pipc.ErrBusy) {
								err = nil
							}
							received <- err
							return
						}
					}
				default:
				}
				if round%2 == 1 && atomic.LoadUint32(&next) >= stop {
					<-killed // the child fills the channel meanwhile
					continue
				}
				if err := receive(buf, 10*time.Millisecond); err != nil && !errors.Is(err, pipc.ErrTimeout) {
					received <- err
					return
				}
			}
		}()
		for deadline := time.Now().Add(long); atomic.LoadUint32(&next) < stop; {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d messages of %d within %v", round, atomic.LoadUint32(&next), stop, long)
			}
			runtime.Gosched()
		}
		if round%2 == 1 {
			for deadline := time.Now().Add(long); attributes(t, c).Messages < 8; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("round %d: the child did not fill the channel", round)
				}
			}
		}
		child.kill(t)
		close(killed)
		if err := <-received; err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		t.Logf("round %d: %d messages, the producer killed", round, next)
		// A producer in this process fills the channel and empties it twice over.
		buf := make([]byte, 64)
		for i := uint32(0); i < 16; i++ {
			if err := c.Send(payload(1, i), long); err != nil {
				t.Fatalf("round %d: send %d after the kill: %v", round, i, err)
			}
			if i%8 == 7 {
				for j := i - 7; j <= i; j++ {
					k, err := c.ReceiveInto(buf, long)
					if p, seq, ok := fromPayload(buf[:k]); err != nil || !ok || p != 1 || seq != j {
						t.Fatalf("round %d: after the kill: got %x, %v", round, buf[:k], err)
					}
				}
			}
		}
	}
	if a := attributes(t, c); a.Messages != 0 {
		t.Fatalf("%d messages left", a.Messages)
	}
}

// queueConsumer is the mq-consume role (runChild) of the stream benchmarks: arg is
// "NAME COUNT 0"; it prints "ready", receives COUNT messages into one buffer, and
// prints "done".
func queueConsumer(arg string) error {
	var name string
	var count int64
	if _, err := fmt.Sscanf(arg, "%s %d", &name, &count); err != nil {
		return err
	}
	q, err := pipc.OpenMessageQueue(name, &pipc.MessageQueueOptions{Access: pipc.ReadOnly})
	if err != nil {
		return err
	}
	defer q.Close()
	size, err := q.MaxMessageSize()
	if err != nil {
		return err
	}
	buf := make([]byte, size)
	fmt.Println("ready")
	for i := int64(0); i < count; i++ {
		if _, _, err := q.ReceiveInto(buf, -1); err != nil {
			return err
		}
	}
	fmt.Println("done")
	return nil
}

// A cancellation racing a send: the receive either takes the message and succeeds, or
// leaves it in the channel and returns context.Canceled; never both or neither.
func TestChannelContextCancelRacesSend(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 1, MaxMessageSize: 8})
	for i := 0; i < 200; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		received := make(chan error, 1)
		go func() { _, err := c.ReceiveContext(ctx); received <- err }()
		go cancel()
		if err := c.Send([]byte("x"), long); err != nil {
			t.Fatal(err)
		}
		err := <-received
		want := 0
		if err != nil {
			testmain.IsCanceled(t, err)
			want = 1
		}
		if a := attributes(t, c); a.Messages != want {
			t.Fatalf("round %d: the receive returned %v, and %d messages are in the channel", i, err, a.Messages)
		}
		if want == 1 {
			c.Receive(0)
		}
	}
}

// mapped reports whether this process maps the segment of the channel name.
func mapped(t *testing.T, name string) bool {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skip("no /proc/self/maps")
	}
	return strings.Contains(string(b), "/dev/shm"+name+"\n") || strings.Contains(string(b), "/dev/shm"+name+" (deleted)")
}

// A finalizer closes an unreachable channel (its segment is unmapped), and never
// unlinks it.
func TestChannelFinalizerCloses(t *testing.T) {
	name := testName()
	track("/dev/shm" + name)
	t.Cleanup(func() { pipc.UnlinkChannel(name) })
	func() {
		c, err := pipc.OpenChannel(name, &pipc.ChannelOptions{OpenFlags: pipc.OpenFlags{Create: true, Exclusive: true},
			Slots: 2, MaxMessageSize: 8})
		if err != nil {
			t.Fatal(err)
		}
		c.Receive(0) // used once: its scratch buffer made
		c.SendContext(context.Background(), []byte("x"))
	}()
	if !mapped(t, name) {
		t.Fatal("the channel's segment is not among the mappings")
	}
	for deadline := time.Now().Add(long); mapped(t, name); time.Sleep(time.Millisecond) {
		runtime.GC()
		if time.Now().After(deadline) {
			t.Fatal("the unreachable channel was never closed")
		}
	}
	c, err := pipc.OpenChannel(name, nil)
	testmain.Keep(t, c, err)
	if msg, err := c.Receive(0); err != nil || string(msg) != "x" {
		t.Fatalf("got %q, %v", msg, err)
	}
}

// Signals to the thread of a waiting receive or send: a timed one keeps its deadline,
// and one without limit waits on until a message (a free slot) comes.
func TestChannelWaitUnderSignals(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 2, MaxMessageSize: 8})
	waitUnderSignals(t, func(timeout time.Duration) error {
		_, err := c.Receive(timeout)
		return err
	}, func() { c.Send([]byte("x"), 0) })
	c.Send([]byte("1"), 0)
	c.Send([]byte("2"), 0)
	waitUnderSignals(t, func(timeout time.Duration) error {
		return c.Send([]byte("3"), timeout)
	}, func() { c.Receive(0) })
	for _, want := range []string{"2", "3"} {
		if msg, err := c.Receive(0); err != nil || string(msg) != want {
			t.Fatalf("got %q, %v; want %q", msg, err, want)
		}
	}
}

// Close racing calls that are about to wait, or waiting: every one ends with
// ErrClosed (none is left waiting), and the channel is unchanged.
func TestChannelCloseRacingWaits(t *testing.T) {
	c := newChannel(t, pipc.ChannelOptions{Slots: 2, MaxMessageSize: 8})
	for round := 0; round < 20; round++ {
		c2, err := pipc.OpenChannel(c.Name(), nil)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 8)
		for i := 0; i < cap(done); i++ {
			go func(i int) {
				var err error
				switch i % 3 {
				case 0:
					_, err = c2.Receive(-1)
				case 1:
					_, err = c2.ReceiveInto(make([]byte, 8), long)
				default:
					_, err = c2.ReceiveContext(context.Background())
				}
				done <- err
			}(i)
		}
		c2.Close()
		for i := 0; i < cap(done); i++ {
			select {
			case err := <-done:
				if !errors.Is(err, pipc.ErrClosed) {
					t.Fatalf("round %d: %v", round, err)
				}
			case <-time.After(long):
				t.Fatalf("round %d: a call did not end", round)
			}
		}
	}
	channelUnchanged(c)(t)
}
