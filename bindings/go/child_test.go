package pipc_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"libpipc.dev/pipc"
)

// runChild is this test binary run as another process (see startChild).
func runChild(role, arg string) int {
	var err error
	switch role {
	case "sem-release":
		var s *pipc.Semaphore
		if s, err = pipc.OpenSemaphore(arg, nil); err == nil {
			err = s.Release()
			s.Close()
		}
	case "mq-send":
		var q *pipc.MessageQueue
		if q, err = pipc.OpenMessageQueue(arg, &pipc.MessageQueueOptions{Access: pipc.WriteOnly}); err == nil {
			err = q.Send([]byte("from "+fmt.Sprint(os.Getpid())), 7, time.Second)
			q.Close()
		}
	case "shm-write":
		var m *pipc.SharedMemory
		if m, err = pipc.OpenSharedMemory(arg, nil); err == nil {
			_, err = m.WriteAt([]byte("child was here"), 100)
			m.Close()
		}
	case "shm-use-after-close":
		var m *pipc.SharedMemory
		if m, err = pipc.OpenSharedMemory(arg, nil); err == nil {
			b := m.Bytes()
			m.Close()
			b[0] = 1 // must fault
			err = errors.New("wrote through a closed mapping")
		}
	case "shm-hold": // holds the segment (mapped) until stdin ends: for the inventory
		var m *pipc.SharedMemory
		if m, err = pipc.OpenSharedMemory(arg, nil); err == nil {
			fmt.Println("ready")
			_, err = io.Copy(io.Discard, os.Stdin)
			m.Close()
		}
	default:
		err = errors.New("unknown role " + role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// child runs role in another process and returns its combined output and error.
func child(t *testing.T, role, arg string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PIPC_GO_CHILD="+role, "PIPC_GO_ARG="+arg)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func TestCrossProcessSemaphore(t *testing.T) {
	s := newSemaphore(t, 0)
	if out, err := child(t, "sem-release", s.Name()); err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	if err := s.Acquire(long); err != nil {
		t.Fatalf("the child's release did not arrive: %v", err)
	}
}

func TestCrossProcessMessageQueue(t *testing.T) {
	q := newMessageQueue(t, pipc.MessageQueueOptions{})
	done := make(chan struct{})
	var msg []byte
	var prio uint
	var err error
	go func() {
		msg, prio, err = q.Receive(long) // blocked before the child sends, or not: either works
		close(done)
	}()
	if out, err := child(t, "mq-send", q.Name()); err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	within(t, "receive", done)
	if err != nil || !strings.HasPrefix(string(msg), "from ") || prio != 7 {
		t.Fatalf("got %q priority %d, %v", msg, prio, err)
	}
}

func TestCrossProcessSharedMemory(t *testing.T) {
	m := newSharedMemory(t, 4096)
	if out, err := child(t, "shm-write", m.Name()); err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	if got := string(m.Bytes()[100:114]); got != "child was here" {
		t.Fatalf("mapping holds %q", got)
	}
}

// A mapping's []byte used after Close faults: the program crashes, it never writes
// into whatever might be mapped there later.
func TestSharedMemoryBytesAfterCloseFaults(t *testing.T) {
	m := newSharedMemory(t, 4096)
	out, err := child(t, "shm-use-after-close", m.Name())
	if err == nil {
		t.Fatalf("the child wrote through a closed mapping: %s", out)
	}
	if !strings.Contains(out, "fault") && !strings.Contains(out, "SEGV") {
		t.Fatalf("the child failed, but not with a fault: %v: %s", err, out)
	}
}
