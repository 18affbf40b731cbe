// The ping side of the message-queue ping-pong, in Go: creates the two queues, sends
// ROUNDS pings and waits for each pong, then removes both.
//
//	ping PING_QUEUE PONG_QUEUE ROUNDS
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"libpipc.dev/pipc"
)

func main() {
	rounds, err := strconv.Atoi(os.Args[len(os.Args)-1])
	if len(os.Args) != 4 || err != nil || rounds <= 0 {
		fmt.Fprintf(os.Stderr, "usage: %s PING_QUEUE PONG_QUEUE ROUNDS\n", os.Args[0])
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], rounds); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(pingName, pongName string, rounds int) error {
	opts := &pipc.MessageQueueOptions{OpenFlags: pipc.OpenFlags{Create: true, Exclusive: true},
		MaxMessages: 4, MaxMessageSize: 128}
	ping, err := pipc.OpenMessageQueue(pingName, opts)
	if err != nil {
		return err
	}
	defer ping.Close()
	defer ping.Unlink() // removes what this process made, whatever happens
	pong, err := pipc.OpenMessageQueue(pongName, opts)
	if err != nil {
		return err
	}
	defer pong.Close()
	defer pong.Unlink()

	fmt.Printf("queues %s and %s are ready\n", pingName, pongName)
	for i := 1; i <= rounds; i++ {
		if err := ping.Send([]byte(fmt.Sprintf("ping %d from Go", i)), 0, 30*time.Second); err != nil {
			return err
		}
		answer, _, err := pong.Receive(30 * time.Second)
		if err != nil {
			return fmt.Errorf("waiting for a pong: %w", err)
		}
		fmt.Printf("sent ping %d, got \"%s\"\n", i, answer)
	}
	return nil
}
