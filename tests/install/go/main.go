// A Go program against the installed module libpipc.dev/pipc (go.mod points a replace
// directive at it): a semaphore with a random name, created, used and removed.
package main

import (
	"fmt"
	"os"

	"libpipc.dev/pipc"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	sem, err := pipc.OpenSemaphore("", &pipc.SemaphoreOptions{OpenFlags: pipc.OpenFlags{Create: true, Exclusive: true}})
	if err != nil {
		return err
	}
	defer sem.Close()
	if err := sem.Unlink(); err != nil {
		return err
	}
	if err := sem.Release(); err != nil {
		return err
	}
	if err := sem.Acquire(0); err != nil {
		return err
	}
	fmt.Println("Go: libpipc.dev/pipc works")
	return nil
}
