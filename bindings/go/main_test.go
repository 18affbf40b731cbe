package pipc_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/testmain"
)

// long bounds every wait that must end early: a test fails rather than hangs.
const long = 10 * time.Second

// The objects the tests made, checked for after the run: every test removes what it
// made, also when it fails.
var (
	madeMu sync.Mutex
	made   []string // paths under /dev/shm and /dev/mqueue
)

func track(path string) {
	madeMu.Lock()
	made = append(made, path)
	madeMu.Unlock()
}

func TestMain(m *testing.M) {
	testmain.Run(m, runChild, func() (left []string) {
		for _, p := range made {
			if _, err := os.Stat(p); err == nil {
				left = append(left, p)
			}
		}
		return left
	})
}

// newSemaphore creates a semaphore with a random name, closed and unlinked after t.
func newSemaphore(t *testing.T, value int) *pipc.Semaphore {
	t.Helper()
	s, err := pipc.OpenSemaphore("", &pipc.SemaphoreOptions{InitialValue: value})
	if err != nil {
		t.Fatal(err)
	}
	track("/dev/shm/sem." + strings.TrimPrefix(s.Name(), "/"))
	t.Cleanup(func() {
		s.Close()
		pipc.UnlinkSemaphore(s.Name())
	})
	return s
}

func newSharedMemory(t *testing.T, size int64) *pipc.SharedMemory {
	t.Helper()
	m, err := pipc.OpenSharedMemory("", &pipc.SharedMemoryOptions{Size: size})
	if err != nil {
		t.Fatal(err)
	}
	track("/dev/shm" + m.Name())
	t.Cleanup(func() {
		m.Close()
		pipc.UnlinkSharedMemory(m.Name())
	})
	return m
}

func newMessageQueue(t *testing.T, opts pipc.MessageQueueOptions) *pipc.MessageQueue {
	t.Helper()
	q, err := pipc.OpenMessageQueue("", &opts)
	if err != nil {
		t.Fatal(err)
	}
	track("/dev/mqueue" + q.Name())
	t.Cleanup(func() {
		q.Close()
		pipc.UnlinkMessageQueue(q.Name())
	})
	return q
}

// newMutex creates a mutex with a random name, closed and unlinked after t.
func newMutex(t *testing.T, opts *pipc.MutexOptions) *pipc.Mutex {
	t.Helper()
	m, err := pipc.OpenMutex("", opts)
	return keepLockObject(t, m, err, pipc.UnlinkMutex)
}

// newCond creates a condition variable with a random name, closed and unlinked after t.
func newCond(t *testing.T) *pipc.Cond {
	t.Helper()
	c, err := pipc.OpenCond("", nil)
	return keepLockObject(t, c, err, pipc.UnlinkCond)
}

// keepLockObject fails t on err, or else returns obj, a new mutex or condition
// variable (a segment in /dev/shm), which it closes and unlinks after t.
func keepLockObject[T interface {
	Name() string
	Close() error
}](t *testing.T, obj T, err error, unlink func(string) error) T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	track("/dev/shm" + obj.Name())
	t.Cleanup(func() {
		obj.Close()
		unlink(obj.Name())
	})
	return obj
}

// within fails t unless done is closed within long.
func within(t *testing.T, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(long):
		t.Fatalf("%s did not happen within %v", what, long)
	}
}

// testName is a random object name of the tests' own.
func testName() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "/pipc_go_test_" + hex.EncodeToString(b)
}
