// Sends one message to the existing queue: the other side of the notification demo.
//
//	sender QUEUE TEXT PRIORITY
package main

import (
	"fmt"
	"os"
	"strconv"

	"libpipc.dev/pipc"
)

func main() {
	priority, err := strconv.ParseUint(os.Args[len(os.Args)-1], 10, 32)
	if len(os.Args) != 4 || err != nil {
		fmt.Fprintf(os.Stderr, "usage: %s QUEUE TEXT PRIORITY\n", os.Args[0])
		os.Exit(2)
	}
	if err := send(os.Args[1], os.Args[2], uint(priority)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func send(name, text string, priority uint) error {
	queue, err := pipc.OpenMessageQueue(name, nil)
	if err != nil {
		return err
	}
	defer queue.Close()
	return queue.Send([]byte(text), priority, 0)
}
