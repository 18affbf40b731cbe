// The reader of the exchange demonstration, in Go: opens the writer's segment and
// semaphores by name, waits for "ready", prints the greeting, answers in the segment and
// signals "done".
//
//	exchange_reader SHM READY DONE
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
	memory, err := pipc.OpenSharedMemory(shmName, nil)
	if err != nil {
		return err
	}
	defer memory.Close()
	ready, err := pipc.OpenSemaphore(readyName, nil)
	if err != nil {
		return err
	}
	defer ready.Close()
	done, err := pipc.OpenSemaphore(doneName, nil)
	if err != nil {
		return err
	}
	defer done.Close()

	view := memory.Bytes()
	if len(view) < answerAt+1024 {
		return fmt.Errorf("%s is too small for the exchange", shmName)
	}
	if err := ready.Acquire(30 * time.Second); err != nil {
		return fmt.Errorf("waiting for the writer: %w", err)
	}
	greeting, _, _ := bytes.Cut(view[:answerAt], []byte{0})
	fmt.Printf("read \"%s\"\n", greeting)
	answer := fmt.Sprintf("hello back from Go (pid %d)", os.Getpid())
	copy(view[answerAt:], answer+"\x00")
	return done.Release()
}
