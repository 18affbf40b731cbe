// Queue notification, in Go: creates the queue, asks for a call of a function (on a new
// goroutine) when the queue turns non-empty, and receives COUNT messages, re-arming the
// notification before each.
//
//	notified QUEUE COUNT
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"libpipc.dev/pipc"
)

func main() {
	count, err := strconv.Atoi(os.Args[len(os.Args)-1])
	if len(os.Args) != 3 || err != nil || count <= 0 {
		fmt.Fprintf(os.Stderr, "usage: %s QUEUE COUNT\n", os.Args[0])
		os.Exit(2)
	}
	if err := run(os.Args[1], count); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(name string, count int) error {
	queue, err := pipc.OpenMessageQueue(name, &pipc.MessageQueueOptions{
		OpenFlags: pipc.OpenFlags{Create: true, Exclusive: true}, MaxMessages: 4, MaxMessageSize: 128})
	if err != nil {
		return err
	}
	defer queue.Close()
	defer queue.Unlink() // removes what this process made, whatever happens

	arrived := make(chan struct{}, 1) // room for the one notification armed at a time
	for i := 0; i < count; i++ {
		if err := queue.NotifyFunc(func() { arrived <- struct{}{} }); err != nil {
			return err
		}
		fmt.Printf("waiting for a notification on %s\n", name)
		select {
		case <-arrived:
		case <-time.After(30 * time.Second):
			return errors.New("no notification within 30 s")
		}
		message, priority, err := queue.Receive(5 * time.Second)
		if err != nil {
			return err
		}
		fmt.Printf("notified: \"%s\" (priority %d)\n", message, priority)
	}
	return nil
}
