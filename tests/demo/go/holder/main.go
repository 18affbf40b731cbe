// The semaphore holder, in Go: holds the semaphore from Acquire to a deferred Release
// (released however the function returns) while it adds 1 to the counter in shared
// memory, slowly enough that an unguarded increment would lose updates.
//
//	holder SEMAPHORE COUNTER ROUNDS
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"time"

	"libpipc.dev/pipc"
)

func main() {
	rounds, err := strconv.Atoi(os.Args[len(os.Args)-1])
	if len(os.Args) != 4 || err != nil || rounds <= 0 {
		fmt.Fprintf(os.Stderr, "usage: %s SEMAPHORE COUNTER ROUNDS\n", os.Args[0])
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], rounds); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(semName, counterName string, rounds int) error {
	semaphore, err := pipc.OpenSemaphore(semName, nil)
	if err != nil {
		return err
	}
	defer semaphore.Close()
	memory, err := pipc.OpenSharedMemory(counterName, nil)
	if err != nil {
		return err
	}
	defer memory.Close()
	counter := memory.Bytes()
	if len(counter) < 8 {
		return fmt.Errorf("%s is too small for the counter", counterName)
	}
	for i := 0; i < rounds; i++ {
		if err := increment(semaphore, counter[:8]); err != nil {
			return err
		}
	}
	return nil
}

// increment adds 1 to the little-endian counter while holding the semaphore.
func increment(semaphore *pipc.Semaphore, counter []byte) error {
	if err := semaphore.Acquire(-1); err != nil {
		return err
	}
	defer semaphore.Release()
	seen := binary.LittleEndian.Uint64(counter)
	time.Sleep(time.Millisecond) // widens the window another process would race into
	binary.LittleEndian.PutUint64(counter, seen+1)
	fmt.Printf("Go holds the semaphore: counter %d -> %d\n", seen, seen+1)
	return nil
}
