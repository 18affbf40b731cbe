package pipc_test

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"libpipc.dev/pipc"
)

func asError(t *testing.T, err error) *pipc.Error {
	t.Helper()
	var e *pipc.Error
	if !errors.As(err, &e) {
		t.Fatalf("%v (%T) is not a *pipc.Error", err, err)
	}
	return e
}

// Every status belongs to exactly the classes of the table in errors.go, also those no
// test can provoke on Linux (PIPC_ENOTSUP).
func TestStatusClasses(t *testing.T) {
	classes := map[string]error{
		"ErrNotExist": pipc.ErrNotExist, "ErrExist": pipc.ErrExist,
		"ErrPermission": pipc.ErrPermission, "ErrBusy": pipc.ErrBusy,
		"ErrTimeout": pipc.ErrTimeout, "ErrClosed": pipc.ErrClosed,
		"ErrInvalid": pipc.ErrInvalid, "ErrUnsupported": pipc.ErrUnsupported,
		"ErrNotAttached": pipc.ErrNotAttached, "fs.ErrNotExist": fs.ErrNotExist,
		"fs.ErrExist": fs.ErrExist, "fs.ErrPermission": fs.ErrPermission,
		"fs.ErrClosed": fs.ErrClosed, "fs.ErrInvalid": fs.ErrInvalid,
		"ErrOwnerDead": pipc.ErrOwnerDead, "ErrNotRecoverable": pipc.ErrNotRecoverable,
	}
	for status, want := range map[pipc.Status]string{
		pipc.StatusNotExist:    "ErrNotExist fs.ErrNotExist",
		pipc.StatusExist:       "ErrExist fs.ErrExist",
		pipc.StatusPermission:  "ErrPermission fs.ErrPermission",
		pipc.StatusWouldBlock:  "ErrBusy",
		pipc.StatusTimeout:     "ErrBusy ErrTimeout",
		pipc.StatusClosed:      "ErrClosed fs.ErrClosed",
		pipc.StatusInvalid:     "ErrInvalid fs.ErrInvalid",
		pipc.StatusMsgSize:     "ErrInvalid fs.ErrInvalid",
		pipc.StatusRange:       "ErrInvalid fs.ErrInvalid",
		pipc.StatusUnsupported: "ErrUnsupported",
		pipc.StatusNotAttached: "ErrNotAttached",
		pipc.StatusLimit:       "",
		pipc.StatusNoMemory:    "",
		pipc.StatusError:       "",

		pipc.StatusOwnerDead:      "ErrOwnerDead",
		pipc.StatusNotRecoverable: "ErrNotRecoverable",
	} {
		err := error(&pipc.Error{Op: "test", Status: status})
		var got []string
		for name, class := range classes {
			if errors.Is(err, class) {
				got = append(got, name)
			}
		}
		sort.Strings(got)
		if strings.Join(got, " ") != want {
			t.Errorf("%v is %q, want %q", status, strings.Join(got, " "), want)
		}
	}
}

func TestErrNotExist(t *testing.T) {
	_, err := pipc.OpenSemaphore("/pipc_go_test_missing_x", nil)
	if !errors.Is(err, pipc.ErrNotExist) || !errors.Is(err, fs.ErrNotExist) || errors.Is(err, pipc.ErrExist) {
		t.Fatalf("want ErrNotExist, got %v", err)
	}
	e := asError(t, err)
	if e.Status != pipc.StatusNotExist || e.Errno != syscall.ENOENT || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("status %d errno %v", e.Status, e.Errno)
	}
	if !strings.Contains(e.Message, "/pipc_go_test_missing_x") || !strings.Contains(err.Error(), e.Message) {
		t.Fatalf("the detail does not name the object: %q / %q", e.Message, err)
	}
}

func TestErrExist(t *testing.T) {
	s := newSemaphore(t, 0)
	_, err := pipc.OpenSemaphore(s.Name(), &pipc.SemaphoreOptions{
		OpenFlags: pipc.OpenFlags{Create: true, Exclusive: true}})
	if !errors.Is(err, pipc.ErrExist) || !errors.Is(err, fs.ErrExist) || errors.Is(err, pipc.ErrNotExist) {
		t.Fatalf("want ErrExist, got %v", err)
	}
}

func TestErrBusyAndErrTimeout(t *testing.T) {
	if !errors.Is(pipc.ErrTimeout, pipc.ErrBusy) || errors.Is(pipc.ErrBusy, pipc.ErrTimeout) {
		t.Fatal("ErrTimeout must be a kind of ErrBusy, not the reverse")
	}
	s := newSemaphore(t, 0)
	err := s.Acquire(0)
	if !errors.Is(err, pipc.ErrBusy) || errors.Is(err, pipc.ErrTimeout) || asError(t, err).Timeout() {
		t.Fatalf("timeout 0: want ErrBusy only, got %v", err)
	}
	start := time.Now()
	err = s.Acquire(30 * time.Millisecond)
	if !errors.Is(err, pipc.ErrTimeout) || !errors.Is(err, pipc.ErrBusy) || !asError(t, err).Timeout() {
		t.Fatalf("want ErrTimeout, got %v", err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("timed out after %v, before the 30ms timeout", d)
	}
}

func TestErrClosed(t *testing.T) {
	s := newSemaphore(t, 1)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for _, err := range []error{s.Acquire(0), s.Release(), s.Unlink()} {
		if !errors.Is(err, pipc.ErrClosed) || !errors.Is(err, fs.ErrClosed) {
			t.Fatalf("want ErrClosed, got %v", err)
		}
	}
	if _, err := s.Value(); !errors.Is(err, pipc.ErrClosed) {
		t.Fatalf("want ErrClosed, got %v", err)
	}
}

func TestErrInvalid(t *testing.T) {
	create := pipc.OpenFlags{Create: true, Exclusive: true}
	cases := map[string]error{}
	_, cases["no slash"] = pipc.OpenSemaphore("noslash", &pipc.SemaphoreOptions{OpenFlags: create})
	_, cases["two slashes"] = pipc.OpenSemaphore("/a/b", &pipc.SemaphoreOptions{OpenFlags: create})
	_, cases["mode bits"] = pipc.OpenSemaphore("", &pipc.SemaphoreOptions{Mode: fs.ModeDir | 0600})
	_, cases["negative value"] = pipc.OpenSemaphore("", &pipc.SemaphoreOptions{InitialValue: -1})
	_, cases["value too big"] = pipc.OpenSemaphore("", &pipc.SemaphoreOptions{InitialValue: int(pipc.SemaphoreValueMax()) + 1})
	_, cases["negative size"] = pipc.OpenSharedMemory("", &pipc.SharedMemoryOptions{Size: -1})
	_, cases["negative max messages"] = pipc.OpenMessageQueue("", &pipc.MessageQueueOptions{MaxMessages: -1})
	_, cases["unknown access"] = pipc.OpenMessageQueue("", &pipc.MessageQueueOptions{Access: 7})
	cases["unlink empty name"] = pipc.UnlinkSemaphore("")
	s := newSemaphore(t, int(pipc.SemaphoreValueMax()))
	cases["release past max"] = s.Release()
	for what, err := range cases {
		if !errors.Is(err, pipc.ErrInvalid) || !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%s: want ErrInvalid, got %v", what, err)
		}
		asError(t, err)
	}
}

// A limit error carries the errno and names the limit.
func TestLimitError(t *testing.T) {
	_, err := pipc.OpenMessageQueue("", &pipc.MessageQueueOptions{MaxMessages: 1 << 30})
	e := asError(t, err)
	if e.Status != pipc.StatusLimit && e.Status != pipc.StatusInvalid {
		t.Fatalf("want a limit error, got %v", err)
	}
	if !strings.Contains(e.Message, "msg_max") {
		t.Fatalf("the message does not name the limit: %v", err)
	}
}

// Goroutines move between OS threads, and libpipc keeps the detail per thread: many
// failing at once must each get their own call's message. (More Ps than CPUs make the
// goroutines change threads often: with the detail read from a per-thread record after
// the call, rather than handed over by the call, this fails.)
func TestErrorDetailsDoNotMix(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(16))
	var wg sync.WaitGroup
	errc := make(chan error, 64)
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			name := fmt.Sprintf("/pipc_go_test_missing_%d", g)
			for i := 0; i < 1000; i++ {
				runtime.Gosched()
				_, err := pipc.OpenSemaphore(name, nil)
				var e *pipc.Error
				if !errors.As(err, &e) || !strings.Contains(e.Message, `"`+name+`"`) {
					errc <- fmt.Errorf("goroutine %d got %v", g, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
}
