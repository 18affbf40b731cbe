// The writer of the exchange demonstration, in Go: creates a shared memory segment and
// two semaphores, writes a greeting, signals "ready", waits for "done", prints the
// reader's answer, and removes the three objects.
//
//	exchange_writer SHM READY DONE
package main

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"libpipc.dev/pipc"
)

const answerAt = 1024

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintf(os.Stderr, "usage: %s SHM READY DONE\n", os.Args[0])
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(shmName, readyName, doneName string) error {
	create := pipc.OpenFlags{Create: true, Exclusive: true}
	memory, err := pipc.OpenSharedMemory(shmName, &pipc.SharedMemoryOptions{OpenFlags: create, Size: 4096})
	if err != nil {
		return err
	}
	defer memory.Close()
	defer memory.Unlink() // removes what this process made, whatever happens
	ready, err := pipc.OpenSemaphore(readyName, &pipc.SemaphoreOptions{OpenFlags: create})
	if err != nil {
		return err
	}
	defer ready.Close()
	defer ready.Unlink()
	done, err := pipc.OpenSemaphore(doneName, &pipc.SemaphoreOptions{OpenFlags: create})
	if err != nil {
		return err
	}
	defer done.Close()
	defer done.Unlink()

	view := memory.Bytes() // zero-copy: the segment itself
	greeting := fmt.Sprintf("hello from Go (pid %d)", os.Getpid())
	copy(view, greeting+"\x00")
	fmt.Printf("wrote \"%s\" into %s\n", greeting, shmName)
	if err := ready.Release(); err != nil {
		return err
	}
	if err := done.Acquire(30 * time.Second); err != nil {
		return fmt.Errorf("waiting for the reader: %w", err)
	}
	answer, _, _ := bytes.Cut(view[answerAt:answerAt+1024], []byte{0})
	fmt.Printf("the reader answered \"%s\"\n", answer)
	return nil
}
