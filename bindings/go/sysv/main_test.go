package sysv_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"libpipc.dev/pipc/internal/testmain"
	"libpipc.dev/pipc/sysv"
)

// long bounds every wait that must end early: a test fails rather than hangs.
const long = 10 * time.Second

// The ids of the objects the tests made, by /proc/sysvipc table, checked for after the
// run: every test removes what it made, also when it fails.
var (
	madeMu sync.Mutex
	made   = map[string][]int{}
)

func track(table string, id int) {
	madeMu.Lock()
	made[table] = append(made[table], id)
	madeMu.Unlock()
}

// live lists the ids in /proc/sysvipc/TABLE.
func live(table string) map[int]bool {
	ids := map[int]bool{}
	f, err := os.Open("/proc/sysvipc/" + table)
	if err != nil {
		return ids
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 1 {
			if id, err := strconv.Atoi(fields[1]); err == nil {
				ids[id] = true
			}
		}
	}
	return ids
}

func TestMain(m *testing.M) {
	testmain.Run(m, runChild, func() (left []string) {
		for table, ids := range made {
			now := live(table)
			for _, id := range ids {
				if now[id] {
					left = append(left, fmt.Sprintf("%s id %d", table, id))
				}
			}
		}
		return left
	})
}

var create = sysv.Options{Create: true, Exclusive: true}

func newSemaphore(t *testing.T, value int) *sysv.Semaphore {
	t.Helper()
	s, err := sysv.OpenSemaphore(sysv.KeyRandom, &sysv.SemaphoreOptions{Options: create, InitialValue: value})
	if err != nil {
		t.Fatal(err)
	}
	track("sem", s.ID())
	t.Cleanup(func() {
		sysv.RemoveSemaphore(s.ID())
		s.Close()
	})
	return s
}

func newSharedMemory(t *testing.T, opts sysv.SharedMemoryOptions) *sysv.SharedMemory {
	t.Helper()
	opts.Options = create
	m, err := sysv.OpenSharedMemory(sysv.KeyRandom, &opts)
	if err != nil {
		t.Fatal(err)
	}
	track("shm", m.ID())
	t.Cleanup(func() {
		sysv.RemoveSharedMemory(m.ID())
		m.Close()
	})
	return m
}

func newMessageQueue(t *testing.T, maxBytes int64) *sysv.MessageQueue {
	t.Helper()
	q, err := sysv.OpenMessageQueue(sysv.KeyRandom, &sysv.MessageQueueOptions{Options: create, MaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	track("msg", q.ID())
	t.Cleanup(func() {
		sysv.RemoveMessageQueue(q.ID())
		q.Close()
	})
	return q
}

// runChild is this test binary run as another process (see child).
func runChild(role, arg string) int {
	key, _ := strconv.ParseInt(arg, 10, 64)
	var err error
	switch role {
	case "sem-release":
		var s *sysv.Semaphore
		if s, err = sysv.OpenSemaphore(sysv.Key(key), nil); err == nil {
			err = s.ReleaseN(2)
			s.Close()
		}
	case "sem-release-undo":
		var s *sysv.Semaphore
		if s, err = sysv.OpenSemaphore(sysv.Key(key), nil); err == nil {
			if err = s.SetUndo(true); err == nil {
				err = s.ReleaseN(5)
			}
			if v, _ := s.Value(); err == nil && v != 7 {
				err = fmt.Errorf("value %d in the child", v)
			}
			s.Close()
		}
	case "mq-send":
		var q *sysv.MessageQueue
		if q, err = sysv.OpenMessageQueue(sysv.Key(key), nil); err == nil {
			err = q.Send([]byte("from the child"), 42, long)
			q.Close()
		}
	case "shm-use-after-detach":
		var m *sysv.SharedMemory
		if m, err = sysv.OpenSharedMemory(sysv.Key(key), nil); err == nil {
			if err = m.Attach(false); err == nil {
				b := m.Bytes()
				m.Detach()
				b[0] = 1 // must fault
				err = fmt.Errorf("wrote through a detached attachment")
			}
		}
	default:
		err = fmt.Errorf("unknown role %s", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func child(t *testing.T, role string, key sysv.Key) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PIPC_GO_CHILD="+role, fmt.Sprintf("PIPC_GO_ARG=%d", key))
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
