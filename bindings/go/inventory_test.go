package pipc_test

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"sort"
	"testing"
	"time"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/sysv"
)

// sysvCreate are the options of a new System V object under a random key.
var sysvCreate = sysv.Options{Create: true, Exclusive: true}

// find is the one object of kind named name (POSIX) or with key (System V).
func find(t *testing.T, objects []pipc.Object, kind pipc.Kind, name string, key int64) pipc.Object {
	t.Helper()
	var found []pipc.Object
	for _, o := range objects {
		if o.Kind == kind && (name == "" || o.Name == name) && (name != "" || o.Key == key) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%v %q %d: found %+v", kind, name, key, found)
	}
	return found[0]
}

func newSysV(t *testing.T) (*sysv.Semaphore, *sysv.SharedMemory, *sysv.MessageQueue) {
	t.Helper()
	s, err := sysv.OpenSemaphore(sysv.KeyRandom, &sysv.SemaphoreOptions{Options: sysvCreate, InitialValue: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysv.RemoveSemaphore(s.ID()); s.Close() })
	opts := sysvCreate
	opts.Mode = 0644
	m, err := sysv.OpenSharedMemory(sysv.KeyRandom, &sysv.SharedMemoryOptions{Options: opts, Size: 8192})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysv.RemoveSharedMemory(m.ID()); m.Close() })
	q, err := sysv.OpenMessageQueue(sysv.KeyRandom, &sysv.MessageQueueOptions{Options: sysvCreate})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysv.RemoveMessageQueue(q.ID()); q.Close() })
	return s, m, q
}

func TestObjectsOfEachKind(t *testing.T) {
	before := time.Now().Add(-time.Second)
	sem := newSemaphore(t, 3)
	shm := newSharedMemory(t, 4096)
	mq := newMessageQueue(t, pipc.MessageQueueOptions{MaxMessages: 4, MaxMessageSize: 64})
	if err := mq.Send([]byte("hello"), 1, 0); err != nil {
		t.Fatal(err)
	}
	ssem, sshm, smq := newSysV(t)
	if err := smq.Send([]byte("12345"), 7, 0); err != nil {
		t.Fatal(err)
	}
	objects, unseen, err := pipc.Objects(0, false)
	if err != nil || unseen != 0 {
		t.Fatal(unseen, err)
	}

	o := find(t, objects, pipc.KindSem, sem.Name(), 0)
	if o.Mode != 0600 || o.Value != 3 || !o.Known.Has(pipc.KnownValue) || o.Semaphores != 1 ||
		o.Key != 0 || o.UID != uint32(os.Geteuid()) || o.Inode == 0 {
		t.Errorf("semaphore %+v", o)
	}
	o = find(t, objects, pipc.KindShm, shm.Name(), 0)
	if o.Size != 4096 || o.Known.Has(pipc.KnownValue) || o.Modified.Before(before) {
		t.Errorf("shared memory %+v", o)
	}
	o = find(t, objects, pipc.KindMQ, mq.Name(), 0)
	if o.Messages != 1 || o.Size != 5 || o.MaxMessages != 4 || o.MaxMessageSize != 64 ||
		!o.Known.Has(pipc.KnownMessages|pipc.KnownQueueLimits) || o.Known.Has(pipc.KnownMaxBytes) {
		t.Errorf("queue %+v", o)
	}
	o = find(t, objects, pipc.KindSysVSem, "", int64(ssem.Key()))
	if o.ID != int64(ssem.ID()) || o.Value != 2 || o.Semaphores != 1 || o.Name != "" ||
		!o.Known.Has(pipc.KnownCreator) || o.CUID != uint32(os.Geteuid()) {
		t.Errorf("System V semaphore %+v", o)
	}
	o = find(t, objects, pipc.KindSysVShm, "", int64(sshm.Key()))
	if o.ID != int64(sshm.ID()) || o.Mode != fs.FileMode(0644) || o.Size != 8192 || o.Attaches != 0 ||
		o.CreatorPID != os.Getpid() || o.Removed || o.Changed.Before(before) {
		t.Errorf("System V shared memory %+v", o)
	}
	maxBytes, err := smq.MaxBytes()
	o = find(t, objects, pipc.KindSysVMQ, "", int64(smq.Key()))
	if err != nil || o.ID != int64(smq.ID()) || o.Messages != 1 || o.Size != 5 ||
		o.MaxBytes != uint64(maxBytes) || o.LastPID != os.Getpid() || o.Known.Has(pipc.KnownQueueLimits) {
		t.Errorf("System V queue %+v (max bytes %d, %v)", o, maxBytes, err)
	}
	for _, o := range objects {
		if o.Holders != nil || o.Known.Has(pipc.KnownHolders) {
			t.Errorf("holders without asking: %+v", o)
		}
	}
	if !sort.SliceIsSorted(objects, func(i, j int) bool { return objects[i].Kind < objects[j].Kind }) {
		t.Error("not in kind order")
	}
}

func TestObjectsKindFilter(t *testing.T) {
	sem := newSemaphore(t, 0)
	newSharedMemory(t, 1)
	ssem, _, _ := newSysV(t)
	for _, c := range []struct {
		kinds pipc.Kind
		want  func(pipc.Object) bool
	}{
		{pipc.KindSem, func(o pipc.Object) bool { return o.Name == sem.Name() }},
		{pipc.KindSem | pipc.KindShm, func(o pipc.Object) bool { return o.Name == sem.Name() }},
		{pipc.KindSysV, func(o pipc.Object) bool { return o.Key == int64(ssem.Key()) }},
	} {
		objects, _, err := pipc.Objects(c.kinds, false)
		if err != nil {
			t.Fatal(err)
		}
		seen := false
		for _, o := range objects {
			if o.Kind&c.kinds == 0 {
				t.Errorf("%v listed asking for %v", o.Kind, c.kinds)
			}
			seen = seen || c.want(o)
		}
		if !seen {
			t.Errorf("%v: ours not listed", c.kinds)
		}
	}
	if s := (pipc.KindSem | pipc.KindSysVMQ).String(); s != "sem|sysv_mq" {
		t.Errorf("Kind.String %q", s)
	}
}

// Shared memory that holds a libpipc mutex, condition variable or channel is KindShm and
// says which; a channel also its messages and limits; other shared memory says nothing.
func TestObjectsLibpipcTypes(t *testing.T) {
	mutex, cond := newMutex(t, nil), newCond(t)
	channel := newChannel(t, pipc.ChannelOptions{Slots: 16, MaxMessageSize: 64})
	for _, m := range []string{"one", "two", "three"} {
		if err := channel.Send([]byte(m), 0); err != nil {
			t.Fatal(err)
		}
	}
	plain := newSharedMemory(t, 4096)
	objects, _, err := pipc.Objects(pipc.KindShm, false)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		known                             pipc.Known
		libpipcType                       pipc.LibpipcType
		messages, maxMessages, maxMsgSize uint64
	}
	queue := pipc.KnownMessages | pipc.KnownQueueLimits
	for name, w := range map[string]want{
		mutex.Name():   {pipc.KnownLibpipc, pipc.LibpipcMutex, 0, 0, 0},
		cond.Name():    {pipc.KnownLibpipc, pipc.LibpipcCond, 0, 0, 0},
		channel.Name(): {pipc.KnownLibpipc | queue, pipc.LibpipcChannel, 3, 16, 64},
		plain.Name():   {0, 0, 0, 0, 0},
	} {
		o := find(t, objects, pipc.KindShm, name, 0)
		got := want{o.Known & (pipc.KnownLibpipc | queue), o.LibpipcType, o.Messages, o.MaxMessages, o.MaxMessageSize}
		if got != w {
			t.Errorf("%s: %+v, want %+v", name, got, w)
		}
	}
	for typ, s := range map[pipc.LibpipcType]string{pipc.LibpipcMutex: "mutex", pipc.LibpipcCond: "cond",
		pipc.LibpipcChannel: "channel", 9: "LibpipcType(9)"} {
		if typ.String() != s {
			t.Errorf("LibpipcType.String %q, want %q", typ.String(), s)
		}
	}
	if s := (pipc.KnownHolders | pipc.KnownLibpipc).String(); s != "holders|libpipc" {
		t.Errorf("Known.String %q", s)
	}
}

func holdersOf(o pipc.Object, pid int) []pipc.Holder {
	var hs []pipc.Holder
	for _, h := range o.Holders {
		if h.PID == pid {
			hs = append(hs, h)
		}
	}
	return hs
}

func TestObjectsHoldersThisProcess(t *testing.T) {
	shm := newSharedMemory(t, 4096) // mapped by the open
	_, sshm, _ := newSysV(t)
	if err := sshm.Attach(false); err != nil {
		t.Fatal(err)
	}
	objects, unseen, err := pipc.Objects(pipc.KindShm|pipc.KindSysVShm, true)
	if err != nil || unseen < 0 {
		t.Fatal(unseen, err)
	}
	o := find(t, objects, pipc.KindShm, shm.Name(), 0)
	mine := holdersOf(o, os.Getpid())
	if !o.Known.Has(pipc.KnownHolders) || len(mine) != 1 || mine[0].How&pipc.HoldMap == 0 ||
		mine[0].UID != uint32(os.Getuid()) || mine[0].Command == "" || len(o.Holders) == 0 {
		t.Errorf("POSIX shared memory holders %+v", o.Holders)
	}
	o = find(t, objects, pipc.KindSysVShm, "", int64(sshm.Key()))
	if mine = holdersOf(o, os.Getpid()); len(mine) != 1 || mine[0].How&pipc.HoldAttach == 0 {
		t.Errorf("System V shared memory holders %+v", o.Holders)
	}
}

func TestObjectsHoldersChild(t *testing.T) {
	shm := newSharedMemory(t, 4096)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PIPC_GO_CHILD=shm-hold", "PIPC_GO_ARG="+shm.Name())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close() // the child ends at EOF
		if err := cmd.Wait(); err != nil {
			t.Error("child:", err)
		}
	}()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("child said %q (%v)", line, err)
	}
	objects, _, err := pipc.Objects(pipc.KindShm, true)
	if err != nil {
		t.Fatal(err)
	}
	o := find(t, objects, pipc.KindShm, shm.Name(), 0)
	if theirs := holdersOf(o, cmd.Process.Pid); len(theirs) != 1 || theirs[0].How&pipc.HoldMap == 0 {
		t.Errorf("child %d not a holder: %+v", cmd.Process.Pid, o.Holders)
	}
}

func TestSysVExists(t *testing.T) {
	ssem, _, smq := newSysV(t)
	for _, c := range []struct {
		key  sysv.Key
		kind pipc.Kind
		want bool
	}{{ssem.Key(), pipc.KindSysVSem, true}, {smq.Key(), pipc.KindSysVMQ, true}, {ssem.Key(), pipc.KindSysVShm, false}} {
		if got, err := sysv.Exists(c.key, c.kind); got != c.want || err != nil {
			t.Errorf("Exists(%d, %v) = %v, %v", c.key, c.kind, got, err)
		}
	}
	if err := sysv.RemoveSemaphore(ssem.ID()); err != nil {
		t.Fatal(err)
	}
	if got, err := sysv.Exists(ssem.Key(), pipc.KindSysVSem); got || err != nil {
		t.Errorf("removed: %v, %v", got, err)
	}
}

func TestObjectsBadArguments(t *testing.T) {
	if _, _, err := pipc.Objects(pipc.Kind(0x100), false); !errors.Is(err, pipc.ErrInvalid) {
		t.Errorf("unknown kind bits: %v", err)
	}
	for _, c := range []struct {
		key  sysv.Key
		kind pipc.Kind
	}{{1234, pipc.KindSem}, {1234, pipc.KindSysV}, {1 << 40, pipc.KindSysVSem}} {
		if _, err := sysv.Exists(c.key, c.kind); !errors.Is(err, pipc.ErrInvalid) {
			t.Errorf("Exists(%d, %v): %v", c.key, c.kind, err)
		}
	}
}
