// The Go side of the interop suite: packages pipc and pipc/sysv driven by the line
// protocol of tests/interop/PROTOCOL.md (commands on stdin, one reply line each on
// stdout).
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/sysv"
)

const payloadSize = 44

// usageError is a command the helper cannot run as given.
type usageError string

func (e usageError) Error() string { return string(e) }

// The binding's error classes, for the CLASS word of an error reply.
var classes = []struct {
	err  error
	name string
}{
	{pipc.ErrNotExist, "ErrNotExist"}, {pipc.ErrExist, "ErrExist"},
	{pipc.ErrPermission, "ErrPermission"}, {pipc.ErrClosed, "ErrClosed"},
	{pipc.ErrInvalid, "ErrInvalid"}, {pipc.ErrUnsupported, "ErrUnsupported"},
	{pipc.ErrNotAttached, "ErrNotAttached"}, {pipc.ErrOwnerDead, "ErrOwnerDead"},
	{pipc.ErrNotRecoverable, "ErrNotRecoverable"},
}

// answer is the reply line for a command's result and error.
func answer(result string, err error) string {
	var usage usageError
	switch {
	case err == nil:
		return "ok" + result
	case errors.Is(err, pipc.ErrBusy): // would block, or timed out
		return "busy"
	case errors.As(err, &usage):
		return "error usage " + err.Error()
	}
	class := "Error"
	for _, c := range classes {
		if errors.Is(err, c.err) {
			class = c.name
			break
		}
	}
	return "error " + class + " " + strings.ReplaceAll(err.Error(), "\n", " ")
}

// ---- arguments ----------------------------------------------------------------------

func number(text string, min, max int64) (int64, error) {
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < min || n > max {
		return 0, usageError(fmt.Sprintf("%q is not a number from %d to %d", text, min, max))
	}
	return n, nil
}

func timeout(ms string) (time.Duration, error) {
	n, err := number(ms, 0, math.MaxInt64/int64(time.Millisecond))
	return time.Duration(n) * time.Millisecond, err
}

func unhex(text string) ([]byte, error) {
	if text == "-" {
		return nil, nil
	}
	data, err := hex.DecodeString(text)
	if err != nil {
		return nil, usageError("bad hex: " + err.Error())
	}
	return data, nil
}

func hexed(data []byte) string {
	if len(data) == 0 {
		return "-"
	}
	return hex.EncodeToString(data)
}

// need checks that a command has at least n arguments.
func need(args []string, n int) error {
	if len(args) < n {
		return usageError(fmt.Sprintf("%d arguments needed, %d given", n, len(args)))
	}
	return nil
}

// ---- the object ---------------------------------------------------------------------

// The commands' views of the six kinds: POSIX and System V objects share the first
// two; the queues differ enough to need an adapter each.
type semaphore interface {
	Acquire(time.Duration) error
	Release() error
	Value() (int, error)
}

type memory interface {
	io.ReaderAt
	io.WriterAt
	Size() (int64, error)
}

type queue interface {
	io.Closer
	send(tag int64, msg []byte) error
	receive(timeout time.Duration) (tag int64, msg []byte, err error)
}

type posixQueue struct{ *pipc.MessageQueue }

func (q posixQueue) send(tag int64, msg []byte) error {
	if tag < 0 || tag > pipc.MessagePriorityMax() {
		return usageError("priority out of range")
	}
	return q.Send(msg, uint(tag), -1)
}

func (q posixQueue) receive(timeout time.Duration) (int64, []byte, error) {
	msg, priority, err := q.Receive(timeout)
	return int64(priority), msg, err
}

// channel is a channel as a queue: TAG is ignored on send, and 0 on receive.
type channel struct{ *pipc.Channel }

func (c channel) send(_ int64, msg []byte) error { return c.Send(msg, -1) }

func (c channel) receive(timeout time.Duration) (int64, []byte, error) {
	msg, err := c.Receive(timeout)
	return 0, msg, err
}

type sysvQueue struct{ *sysv.MessageQueue }

func (q sysvQueue) send(tag int64, msg []byte) error { return q.Send(msg, tag, -1) }

func (q sysvQueue) receive(timeout time.Duration) (int64, []byte, error) {
	msg, typ, err := q.Receive(0, timeout) // type 0: the first message
	return typ, msg, err
}

func sysvKey(text string) (sysv.Key, error) {
	key, err := number(text, math.MinInt32, math.MaxInt32)
	return sysv.Key(key), err
}

// open opens (or with create, creates exclusively) the object KIND NAME; args are the
// creation arguments of PROTOCOL.md.
func open(kind, name string, create bool, args []string) (io.Closer, error) {
	var n [2]int64 // the numeric arguments, 0 when not creating
	wanted, known := map[string]int{"sem": 1, "shm": 1, "mq": 2, "sysv_sem": 1, "sysv_shm": 1,
		"sysv_mq": 0, "mutex": 0, "cond": 0, "channel": 0}[kind]
	if !known {
		return nil, usageError("unknown kind " + kind)
	}
	if create && kind == "channel" && len(args) > 0 { // [SLOTS MAXSIZE]: both or neither
		wanted = 2
	}
	if create {
		if err := need(args, wanted); err != nil {
			return nil, err
		}
		for i := 0; i < wanted; i++ {
			var err error
			if n[i], err = number(args[i], 0, math.MaxInt64); err != nil {
				return nil, err
			}
		}
	}
	posix := pipc.OpenFlags{Create: create, Exclusive: create}
	options := sysv.Options{Create: create, Exclusive: create}
	switch kind {
	case "sem":
		return pipc.OpenSemaphore(name, &pipc.SemaphoreOptions{OpenFlags: posix, InitialValue: int(n[0])})
	case "shm":
		return pipc.OpenSharedMemory(name, &pipc.SharedMemoryOptions{OpenFlags: posix, Size: n[0]})
	case "mq":
		q, err := pipc.OpenMessageQueue(name, &pipc.MessageQueueOptions{
			OpenFlags: posix, MaxMessages: n[0], MaxMessageSize: n[1]})
		if err != nil {
			return nil, err
		}
		return posixQueue{q}, nil
	case "mutex":
		return pipc.OpenMutex(name, &pipc.MutexOptions{OpenFlags: posix})
	case "cond":
		return openCond(name, posix)
	case "channel":
		if n[0] > math.MaxInt32 || n[1] > math.MaxInt32 {
			return nil, usageError("channel size out of range")
		}
		c, err := pipc.OpenChannel(name, &pipc.ChannelOptions{
			OpenFlags: posix, Slots: int(n[0]), MaxMessageSize: int(n[1])})
		if err != nil {
			return nil, err
		}
		return channel{c}, nil
	}
	key, err := sysvKey(name)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "sysv_sem":
		return sysv.OpenSemaphore(key, &sysv.SemaphoreOptions{
			Options: options, InitialValue: int(n[0]), SetValue: true})
	case "sysv_shm":
		m, err := sysv.OpenSharedMemory(key, &sysv.SharedMemoryOptions{Options: options, Size: n[0]})
		if err != nil {
			return nil, err
		}
		if err := m.Attach(false); err != nil {
			m.Close()
			return nil, err
		}
		return m, nil
	default: // sysv_mq
		q, err := sysv.OpenMessageQueue(key, &sysv.MessageQueueOptions{Options: options})
		if err != nil {
			return nil, err
		}
		return sysvQueue{q}, nil
	}
}

// condPair is a cond helper's object: the condition variable NAME and the mutex
// NAME-m.
type condPair struct {
	*pipc.Cond
	m *pipc.Mutex
}

func openCond(name string, flags pipc.OpenFlags) (io.Closer, error) {
	c, err := pipc.OpenCond(name, &pipc.CondOptions{OpenFlags: flags})
	if err != nil {
		return nil, err
	}
	m, err := pipc.OpenMutex(name+"-m", &pipc.MutexOptions{OpenFlags: flags})
	if err != nil {
		if c.Created() { // the pair is made together, or not at all
			c.Unlink()
		}
		c.Close()
		return nil, err
	}
	return condPair{c, m}, nil
}

func (p condPair) Close() error {
	p.m.Close()
	return p.Cond.Close()
}

// Unlink removes both names.
func (p condPair) Unlink() error {
	err := p.Cond.Unlink()
	if err2 := p.m.Unlink(); err == nil {
		err = err2
	}
	return err
}

// mutexOf is the mutex of a mutex or cond object, or nil.
func mutexOf(obj io.Closer) *pipc.Mutex {
	switch o := obj.(type) {
	case *pipc.Mutex:
		return o
	case condPair:
		return o.m
	}
	return nil
}

// ownerDead is the reply's suffix for a lock (or a wait's relock) that returned err:
// " ownerdead" with a nil error when the lock was taken from a dead owner.
func ownerDead(err error) (string, error) {
	if errors.Is(err, pipc.ErrOwnerDead) {
		return " ownerdead", nil
	}
	return "", err
}

// within checks that LENGTH bytes at OFFSET lie inside the segment, so that a write
// beyond it changes nothing (as in the C and Python helpers).
func within(m memory, offset, length int64) error {
	size, err := m.Size()
	if err != nil {
		return err
	}
	if offset > size || length > size-offset {
		return usageError("beyond the segment")
	}
	return nil
}

// command runs VERB on the held object obj.
func command(obj io.Closer, verb string, args []string) (string, error) {
	s, isSemaphore := obj.(semaphore)
	m, isMemory := obj.(memory)
	q, isQueue := obj.(queue)
	mutex := mutexOf(obj)
	c, isCond := obj.(condPair)
	switch {
	case verb == "release" && isSemaphore:
		return "", s.Release()
	case verb == "acquire" && isSemaphore:
		if err := need(args, 1); err != nil {
			return "", err
		}
		t, err := timeout(args[0])
		if err != nil {
			return "", err
		}
		return "", s.Acquire(t)
	case verb == "value" && isSemaphore:
		v, err := s.Value()
		return fmt.Sprintf(" %d", v), err
	case verb == "write" && isMemory:
		if err := need(args, 2); err != nil {
			return "", err
		}
		offset, err := number(args[0], 0, math.MaxInt64)
		if err != nil {
			return "", err
		}
		data, err := unhex(args[1])
		if err == nil {
			err = within(m, offset, int64(len(data)))
		}
		if err != nil {
			return "", err
		}
		_, err = m.WriteAt(data, offset)
		return "", err
	case verb == "read" && isMemory:
		if err := need(args, 2); err != nil {
			return "", err
		}
		offset, err := number(args[0], 0, math.MaxInt64)
		if err != nil {
			return "", err
		}
		length, err := number(args[1], 0, math.MaxInt64)
		if err == nil {
			err = within(m, offset, length)
		}
		if err != nil {
			return "", err
		}
		data := make([]byte, length)
		if n, err := m.ReadAt(data, offset); n < len(data) { // io.EOF with a full read is fine
			return "", err
		}
		return " " + hexed(data), nil
	case verb == "send" && isQueue:
		if err := need(args, 2); err != nil {
			return "", err
		}
		tag, err := number(args[0], 0, math.MaxInt64)
		if err != nil {
			return "", err
		}
		data, err := unhex(args[1])
		if err != nil {
			return "", err
		}
		return "", q.send(tag, data)
	case verb == "receive" && isQueue:
		if err := need(args, 1); err != nil {
			return "", err
		}
		t, err := timeout(args[0])
		if err != nil {
			return "", err
		}
		tag, data, err := q.receive(t)
		return fmt.Sprintf(" %d %s", tag, hexed(data)), err
	case verb == "lock" && mutex != nil:
		if err := need(args, 1); err != nil {
			return "", err
		}
		t, err := timeout(args[0])
		if err != nil {
			return "", err
		}
		return ownerDead(mutex.LockTimeout(t))
	case verb == "unlock" && mutex != nil:
		return "", mutex.Unlock()
	case verb == "consistent" && mutex != nil:
		return "", mutex.Consistent()
	case verb == "wait" && isCond:
		if err := need(args, 1); err != nil {
			return "", err
		}
		t, err := timeout(args[0])
		if err != nil {
			return "", err
		}
		woken, err := c.WaitTimeout(c.m, t)
		if !woken && err == nil {
			return "", pipc.ErrTimeout // busy
		}
		return ownerDead(err)
	case verb == "signal" && isCond:
		return "", c.Signal()
	case verb == "broadcast" && isCond:
		return "", c.Broadcast()
	case verb == "remove":
		return "", remove(obj)
	}
	return "", usageError("unknown command or no object for it: " + verb)
}

// remove unlinks a POSIX object or removes a System V one.
func remove(obj io.Closer) error {
	switch o := obj.(type) {
	case interface{ Unlink() error }:
		return o.Unlink()
	case interface{ Remove() error }:
		return o.Remove()
	}
	return usageError("nothing to remove")
}

// ---- stress -------------------------------------------------------------------------

// stressPayload is the stress payload of (producer, seq) of PROTOCOL.md.
func stressPayload(producer, seq uint32) []byte {
	p := make([]byte, payloadSize)
	binary.LittleEndian.PutUint32(p[0:], producer)
	binary.LittleEndian.PutUint32(p[4:], seq)
	for k := uint32(0); k < 32; k++ {
		p[8+k] = byte(producer*31 + seq*7 + k*13) // mod 256, as uint32 wraps at a multiple of it
	}
	h := fnv.New32a()
	h.Write(p[:40])
	binary.LittleEndian.PutUint32(p[40:], h.Sum32())
	return p
}

// stressEntry is the consume reply's entry for msg: "PRODUCER:SEQ", or "bad".
func stressEntry(msg []byte) string {
	if len(msg) != payloadSize {
		return "bad"
	}
	producer, seq := binary.LittleEndian.Uint32(msg[0:]), binary.LittleEndian.Uint32(msg[4:])
	if string(msg) != string(stressPayload(producer, seq)) {
		return "bad"
	}
	return fmt.Sprintf("%d:%d", producer, seq)
}

// openQueue opens the existing queue of KIND mq, sysv_mq or channel.
func openQueue(kind, name string) (queue, error) {
	if kind != "mq" && kind != "sysv_mq" && kind != "channel" {
		return nil, usageError("not a queue kind: " + kind)
	}
	obj, err := open(kind, name, false, nil)
	if err != nil {
		return nil, err
	}
	return obj.(queue), nil
}

func produce(args []string) (string, error) {
	if err := need(args, 4); err != nil {
		return "", err
	}
	n, err := number(args[2], 0, math.MaxInt32)
	if err != nil {
		return "", err
	}
	producer, err := number(args[3], 0, math.MaxInt32)
	if err != nil {
		return "", err
	}
	q, err := openQueue(args[0], args[1])
	if err != nil {
		return "", err
	}
	defer q.Close()
	tag := int64(0) // POSIX priority 0
	if args[0] == "sysv_mq" {
		tag = 1 // System V type 1
	}
	for i := int64(0); i < n; i++ {
		if err := q.send(tag, stressPayload(uint32(producer), uint32(i))); err != nil {
			return "", err
		}
	}
	return "", nil
}

func consume(args []string) (string, error) {
	if err := need(args, 4); err != nil {
		return "", err
	}
	n, err := number(args[2], 1, math.MaxInt32)
	if err != nil {
		return "", err
	}
	t, err := timeout(args[3])
	if err != nil {
		return "", err
	}
	q, err := openQueue(args[0], args[1])
	if err != nil {
		return "", err
	}
	defer q.Close()
	entries := make([]string, 0, n)
	for i := int64(0); i < n; i++ {
		_, msg, err := q.receive(t)
		if err != nil {
			return "", err
		}
		entries = append(entries, stressEntry(msg))
	}
	return " " + strings.Join(entries, ","), nil
}

func count(args []string) (string, error) {
	if err := need(args, 3); err != nil {
		return "", err
	}
	times, err := number(args[2], 0, math.MaxInt32)
	if err != nil {
		return "", err
	}
	sem, err := pipc.OpenSemaphore(args[0], nil)
	if err != nil {
		return "", err
	}
	defer sem.Close()
	shm, err := pipc.OpenSharedMemory(args[1], nil)
	if err != nil {
		return "", err
	}
	defer shm.Close()
	counter := shm.Bytes()
	if len(counter) < 8 {
		return "", usageError("the segment is smaller than the counter")
	}
	for i := int64(0); i < times; i++ {
		if err := increment(sem, counter); err != nil {
			return "", err
		}
	}
	return "", nil
}

// increment adds 1 to the little-endian counter while holding sem.
func increment(sem *pipc.Semaphore, counter []byte) error {
	if err := sem.Acquire(-1); err != nil {
		return err
	}
	defer sem.Release()
	binary.LittleEndian.PutUint64(counter, binary.LittleEndian.Uint64(counter)+1)
	return nil
}

// lockcount is the stress command of PROTOCOL.md: COUNT increments of a counter in
// shared memory under a mutex, repairing the counter after a dead owner (through the
// mutex's Recover hook), and holding the mutex for ever at iteration DIE_AT.
func lockcount(args []string) (string, error) {
	const slots = 64
	if err := need(args, 5); err != nil {
		return "", err
	}
	worker, err := number(args[2], 0, slots-1)
	if err != nil {
		return "", err
	}
	times, err := number(args[3], 0, math.MaxInt32)
	if err != nil {
		return "", err
	}
	dieAt, err := number(args[4], -1, math.MaxInt32)
	if err != nil {
		return "", err
	}
	shm, err := pipc.OpenSharedMemory(args[1], nil)
	if err != nil {
		return "", err
	}
	defer shm.Close()
	words := shm.Bytes()
	if len(words) < 8+8*slots {
		return "", usageError("the segment is smaller than the counter and its slots")
	}
	word := func(i int64) []byte { return words[8*i : 8*i+8] }
	add := func(i int64) { binary.LittleEndian.PutUint64(word(i), binary.LittleEndian.Uint64(word(i))+1) }
	deaths := 0
	m, err := pipc.OpenMutex(args[0], &pipc.MutexOptions{Recover: func() error {
		deaths++
		sum := uint64(0)
		for w := int64(1); w <= slots; w++ {
			sum += binary.LittleEndian.Uint64(word(w))
		}
		binary.LittleEndian.PutUint64(word(0), sum)
		return nil
	}})
	if err != nil {
		return "", err
	}
	defer m.Close()
	for i := int64(0); i < times; i++ {
		if err := m.Lock(); err != nil {
			return "", err
		}
		add(1 + worker)
		if i == dieAt {
			fmt.Println("ok holding")
			for { // holding the mutex until the driver kills the process
				time.Sleep(time.Hour)
			}
		}
		add(0)
		if err := m.Unlock(); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf(" %d", deaths), nil
}

// ---- the loop -----------------------------------------------------------------------

// helper holds the one object of PROTOCOL.md (nil: none).
type helper struct{ held io.Closer }

func (h *helper) close() {
	if h.held != nil {
		h.held.Close()
		h.held = nil
	}
}

func (h *helper) run(verb string, args []string) (string, error) {
	switch verb {
	case "open":
		h.close()
		if err := need(args, 3); err != nil {
			return "", err
		}
		if args[2] != "0" && args[2] != "1" {
			return "", usageError("CREATE is 0 or 1")
		}
		obj, err := open(args[0], args[1], args[2] == "1", args[3:])
		if err != nil {
			return "", err // held stays nil, not a typed nil pointer
		}
		h.held = obj
		return "", nil
	case "close":
		h.close()
		return "", nil
	case "produce":
		return produce(args)
	case "consume":
		return consume(args)
	case "count":
		return count(args)
	case "lockcount":
		return lockcount(args)
	}
	if h.held == nil {
		return "", usageError("unknown command or no object for it: " + verb)
	}
	return command(h.held, verb, args)
}

// main runs every command on the main goroutine, so that a mutex a command locks is
// unlocked by the thread that holds it: Mutex.Lock wires the goroutine to its thread
// until Unlock.
func main() {
	var h helper
	in := bufio.NewReader(os.Stdin)
	for {
		line, err := in.ReadString('\n') // no length limit: hex lines can be long
		if words := strings.Fields(line); len(words) > 0 {
			fmt.Println(answer(h.run(words[0], words[1:])))
		}
		if err != nil { // end of input
			break
		}
	}
	h.close()
}
