package pipc_test

import (
	"bufio"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/cbench"
	"libpipc.dev/pipc/internal/raw"
)

// Each BenchmarkX has a BenchmarkCX: the same operations through the C API in a C loop;
// BenchmarkCgoX makes them with one bare cgo call each through the raw layer
// (tools/go_bench.py prints the ratios).

func BenchmarkSemaphorePair(b *testing.B) {
	s, err := pipc.OpenSemaphore("", nil)
	if err != nil {
		b.Fatal(err)
	}
	s.Unlink()
	defer s.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if s.Release() != nil || s.Acquire(-1) != nil {
			b.Fatal("pair failed")
		}
	}
}

func BenchmarkCSemaphorePair(b *testing.B) {
	if err := cbench.SemPairs(b.N); err != nil {
		b.Fatal(err)
	}
}

// The floor: the raw layer's cgo calls, with none of the binding's guards.
func BenchmarkCgoSemaphorePair(b *testing.B) {
	out := make([]uintptr, 1)
	if raw.Pgo_sem_open(out, "", uint(raw.PIPC_CREX), 0600, 0) < 0 {
		b.Fatal("open failed")
	}
	s := out[0]
	defer raw.Pipc_sem_close(s)
	raw.Pipc_sem_unlink(s)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if raw.Pipc_sem_release(s) != 0 || raw.Pipc_sem_acquire(s, raw.PGO_FOREVER) != 0 {
			b.Fatal("pair failed")
		}
	}
}

func openBenchQueue(b *testing.B) *pipc.MessageQueue {
	q, err := pipc.OpenMessageQueue("", &pipc.MessageQueueOptions{MaxMessages: 1, MaxMessageSize: 16})
	if err != nil {
		b.Fatal(err)
	}
	q.Unlink()
	return q
}

// Send + ReceiveInto of 16 bytes.
func BenchmarkMessageQueuePair(b *testing.B) {
	q := openBenchQueue(b)
	defer q.Close()
	msg, buf := make([]byte, 16), make([]byte, 16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if q.Send(msg, 0, -1) != nil {
			b.Fatal("send failed")
		}
		if _, _, err := q.ReceiveInto(buf, -1); err != nil {
			b.Fatal(err)
		}
	}
}

// Send + Receive (a new slice per message) of 16 bytes.
func BenchmarkMessageQueuePairAlloc(b *testing.B) {
	q := openBenchQueue(b)
	defer q.Close()
	msg := make([]byte, 16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if q.Send(msg, 0, -1) != nil {
			b.Fatal("send failed")
		}
		if _, _, err := q.Receive(-1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCMessageQueuePair(b *testing.B) {
	if err := cbench.MQPairs(b.N); err != nil {
		b.Fatal(err)
	}
}

// The floor: the raw layer's cgo calls, with none of the binding's guards.
func BenchmarkCgoMessageQueuePair(b *testing.B) {
	out := make([]uintptr, 1)
	access := uint(raw.PIPC_READ | raw.PIPC_WRITE)
	if raw.Pgo_mq_open(out, "", uint(raw.PIPC_CREX), 0600, access, 1, 16) < 0 {
		b.Fatal("open failed")
	}
	q := out[0]
	defer raw.Pipc_mq_close(q)
	raw.Pipc_mq_unlink(q)
	msg, buf := make([]byte, 16), make([]byte, 16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if raw.Pipc_mq_send(q, msg, 0, raw.PGO_FOREVER) != 0 ||
			raw.Pgo_mq_receive(q, buf, raw.PGO_FOREVER) < 0 {
			b.Fatal("pair failed")
		}
	}
}

func benchSegment(b *testing.B) (*pipc.SharedMemory, []byte) {
	m, err := pipc.OpenSharedMemory("", &pipc.SharedMemoryOptions{Size: 4096})
	if err != nil {
		b.Fatal(err)
	}
	m.Unlink()
	b.SetBytes(4096)
	return m, make([]byte, 4096)
}

// WriteAt of 4 KiB (io.WriterAt, safe against a concurrent Close).
func BenchmarkSharedMemoryCopy4K(b *testing.B) {
	m, src := benchSegment(b)
	defer m.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.WriteAt(src, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// copy into Bytes() of 4 KiB.
func BenchmarkSharedMemoryCopy4KBytes(b *testing.B) {
	m, src := benchSegment(b)
	defer m.Close()
	dst := m.Bytes()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(dst, src)
	}
}

func BenchmarkCSharedMemoryCopy4K(b *testing.B) {
	m, src := benchSegment(b)
	defer m.Close()
	b.ResetTimer()
	cbench.Copy(m.Bytes(), src, b.N)
}

// Uncontended Lock + Unlock: each wires the goroutine to its thread and unwires it.
func BenchmarkMutexPair(b *testing.B) {
	m, err := pipc.OpenMutex("", nil)
	if err != nil {
		b.Fatal(err)
	}
	m.Unlink()
	defer m.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if m.Lock() != nil || m.Unlock() != nil {
			b.Fatal("pair failed")
		}
	}
}

func BenchmarkCMutexPair(b *testing.B) {
	if err := cbench.MutexPairs(b.N); err != nil {
		b.Fatal(err)
	}
}

// The floor: the raw layer's cgo calls, with none of the binding's guards; the
// goroutine is wired to its thread for the whole loop, so that lock and unlock run on
// one thread.
func BenchmarkCgoMutexPair(b *testing.B) {
	out := make([]uintptr, 1)
	if raw.Pgo_mutex_open(out, "", uint(raw.PIPC_CREX), 0600) < 0 {
		b.Fatal("open failed")
	}
	m := out[0]
	defer raw.Pipc_mutex_close(m)
	raw.Pipc_mutex_unlink(m)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if raw.Pipc_mutex_lock(m, raw.PGO_FOREVER) != 0 || raw.Pipc_mutex_unlock(m) != 0 {
			b.Fatal("pair failed")
		}
	}
}

// For comparison only: sync.Mutex, which no other process can share.
func BenchmarkSyncMutexPair(b *testing.B) {
	var m sync.Mutex
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m.Lock()
		m.Unlock()
	}
}

// A stream of b.N 64-byte messages from this process to a child process, which
// receives each into one buffer: the time per message of the whole stream (a
// channel's goal: at least 3x the POSIX queue's messages per second; tools/go_bench.py
// prints the ratio).
func BenchmarkStream64Channel(b *testing.B) {
	c, err := pipc.OpenChannel("", &pipc.ChannelOptions{MaxMessageSize: 64}) // 64 slots
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	defer c.Unlink() // also if the child fails to open it
	stream(b, "chan-consume", c.Name(), func(msg []byte) error { return c.Send(msg, -1) })
}

// The same stream through a POSIX queue of 10 messages (Linux's default msg_max, which
// only a privileged process can raise).
func BenchmarkStream64MessageQueue(b *testing.B) {
	q, err := pipc.OpenMessageQueue("", &pipc.MessageQueueOptions{MaxMessages: 10, MaxMessageSize: 64,
		Access: pipc.WriteOnly})
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	defer q.Unlink()
	stream(b, "mq-consume", q.Name(), func(msg []byte) error { return q.Send(msg, 0, -1) })
}

// stream starts a child in role that receives b.N messages from the object name, and
// sends them through send once the child is ready; it stops the clock when the child
// says it has them all.
func stream(b *testing.B, role, name string, send func([]byte) error) {
	cmd := childCommand(role, fmt.Sprintf("%s %d 0", name, b.N))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		b.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill() // when the stream fails
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		b.Fatalf("the child did not start: %s", stderr.String())
	}
	msg := make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := send(msg); err != nil {
			b.Fatal(err)
		}
	}
	if !lines.Scan() || lines.Text() != "done" {
		b.Fatalf("the child did not receive the stream: %s", stderr.String())
	}
	b.StopTimer()
}
