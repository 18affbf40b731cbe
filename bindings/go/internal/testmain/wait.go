package testmain

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Long bounds every wait in the tests that must end early: a test fails rather than
// hangs.
const Long = 10 * time.Second

// The system calls the C library waits in (x86-64 and arm64 numbers; futex_waitv for
// its mutexes and condition variables), and the futex operation of its waits:
// FUTEX_WAIT_BITSET on a shared word. The Go runtime's own
// futex waits are FUTEX_WAIT_PRIVATE, so a thread of Go's that sleeps for the runtime
// never looks like one waiting in the C library.
var waitCalls = map[string]map[int]bool{
	"amd64": {271: true, 220: true, 242: true, 243: true, 69: true, 70: true, 449: true}, // ppoll semtimedop mq_timed{send,receive} msg{snd,rcv} futex_waitv
	"arm64": {73: true, 192: true, 182: true, 183: true, 189: true, 188: true, 449: true},
}
var futexCall = map[string]int{"amd64": 202, "arm64": 98}

const futexWaitBitset = 9

// inWait reports whether thread tid of this process sleeps in a wait of the C library,
// or ok false when /proc does not tell.
func inWait(tid int) (waiting, ok bool) {
	b, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/syscall")
	if err != nil {
		return false, false
	}
	fields := strings.Fields(string(b))
	if len(fields) < 3 {
		return false, true // "running", or blocked outside a system call
	}
	nr, err1 := strconv.Atoi(fields[0])
	op, err2 := strconv.ParseInt(strings.TrimPrefix(fields[2], "0x"), 16, 64)
	if err1 != nil || err2 != nil {
		return false, true
	}
	if nr == futexCall[runtime.GOARCH] {
		return op&^256 == futexWaitBitset, true // 256: FUTEX_CLOCK_REALTIME
	}
	return waitCalls[runtime.GOARCH][nr], true
}

// Blocked starts call on a goroutine with a thread of its own and returns, with the
// channel its result comes on, once that thread sleeps in a wait of the C library (so
// that what the test does next meets a call that is really waiting). Where /proc does
// not tell, it gives the call 100 ms.
func Blocked(t testing.TB, call func() error) <-chan error {
	t.Helper()
	tids, result := make(chan int), make(chan error, 1)
	go func() {
		runtime.LockOSThread() // the call keeps to the thread whose state is read
		defer runtime.UnlockOSThread()
		tids <- syscall.Gettid()
		result <- call()
	}()
	tid := <-tids
	deadline := time.Now().Add(Long)
	for {
		waiting, ok := inWait(tid)
		if waiting {
			return result
		}
		if !ok {
			t.Log("/proc/self/task/TID/syscall is unreadable: giving the call 100 ms to block")
			time.Sleep(100 * time.Millisecond)
		}
		select {
		case err := <-result:
			t.Fatalf("the call returned without waiting: %v", err)
		default:
		}
		if !ok {
			return result
		}
		if time.Now().After(deadline) {
			t.Fatalf("the call did not block within %v", Long)
		}
		time.Sleep(time.Millisecond)
	}
}

// Ended is the result of a call that Blocked started and that something done at start
// ends: it fails t unless the call returns within limit, and logs how long it took.
func Ended(t testing.TB, what string, result <-chan error, start time.Time, limit time.Duration) error {
	t.Helper()
	select {
	case err := <-result:
		t.Logf("%s: the call returned %v after %v", what, err, time.Since(start))
		return err
	case <-time.After(limit - time.Since(start)):
		t.Fatalf("%s: the call did not return within %v", what, limit)
		return nil
	}
}

// Descriptors counts this process's descriptors (a POSIX queue's duplicate handle is
// one, a handle's wake eventfd another), less the C library's per-thread timerfds,
// which live as long as their thread (and the Go runtime keeps its threads); ok false
// without /proc.
func Descriptors() (n int, ok bool) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, false
	}
	for _, e := range entries {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && target != "anon_inode:[timerfd]" {
			n++
		}
	}
	return n, true
}
