package pipc_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
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
	case "mutex-hold": // locks, marks an update in progress, and holds until killed
		err = holdUntilKilled(arg)
	case "cond-take": // takes one token, waiting on the condition variable for it
		err = takeToken(arg)
	case "chan-produce", "chan-consume":
		err = channelChild(role, arg)
	case "mq-consume":
		err = queueConsumer(arg)
	default:
		err = errors.New("unknown role " + role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// childCommand is this test binary run as another process in role (see runChild).
func childCommand(role, arg string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PIPC_GO_CHILD="+role, "PIPC_GO_ARG="+arg)
	return cmd
}

// child runs role in another process and returns its combined output and error.
func child(t *testing.T, role, arg string) (string, error) {
	t.Helper()
	out, err := childCommand(role, arg).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// A runningChild is a child process that runs beside the test.
type runningChild struct {
	cmd    *exec.Cmd
	lines  chan string   // its standard output, line by line
	done   chan struct{} // closed when it has ended, with err set
	err    error         // how it ended
	stderr strings.Builder
}

// startChild starts role in another process, which is killed (if it still runs) and
// reaped after t. Its standard input stays open until then.
func startChild(t *testing.T, role, arg string) *runningChild {
	t.Helper()
	c := &runningChild{cmd: childCommand(role, arg), lines: make(chan string, 16), done: make(chan struct{})}
	c.cmd.Stderr = &c.stderr
	stdin, err := c.cmd.StdinPipe()
	var stdout io.Reader
	if err == nil {
		stdout, err = c.cmd.StdoutPipe()
	}
	if err == nil {
		err = c.cmd.Start()
	}
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			c.lines <- scanner.Text()
		}
		close(c.lines)
		c.err = c.cmd.Wait() // after the output is read, as Wait closes the pipe
		close(c.done)
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		stdin.Close()
		c.wait(t)
	})
	return c
}

// line is the child's next line of output; it fails t if none comes within long.
func (c *runningChild) line(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			t.Fatalf("the child ended without a line: %v: %s", c.wait(t), c.stderr.String())
		}
		return l
	case <-time.After(long):
		t.Fatalf("no line from the child within %v", long)
	}
	return ""
}

// wait is how the child ended; it fails t if it does not end within long.
func (c *runningChild) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-c.done:
		return c.err
	case <-time.After(long):
		t.Fatalf("the child did not end within %v", long)
	}
	return nil
}

// kill ends the child with SIGKILL, and returns once it is gone.
func (c *runningChild) kill(t *testing.T) {
	t.Helper()
	c.cmd.Process.Signal(syscall.SIGKILL)
	if err := c.wait(t); err == nil {
		t.Fatal("the child exited by itself before SIGKILL")
	}
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
