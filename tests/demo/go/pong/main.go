// The pong side of the message-queue ping-pong, in Go: waits for pings with epoll (the
// syscall package's) on the queue's descriptor, as one would among other descriptors,
// and answers each on the pong queue.
//
//	pong PING_QUEUE PONG_QUEUE ROUNDS
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
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
	ping, err := pipc.OpenMessageQueue(pingName, nil)
	if err != nil {
		return err
	}
	defer ping.Close()
	pong, err := pipc.OpenMessageQueue(pongName, nil)
	if err != nil {
		return err
	}
	defer pong.Close()
	fd, err := ping.Fd()
	if err != nil {
		return err
	}
	epoll, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return fmt.Errorf("epoll_create1: %w", err)
	}
	defer syscall.Close(epoll)
	readable := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	if err := syscall.EpollCtl(epoll, syscall.EPOLL_CTL_ADD, fd, &readable); err != nil {
		return fmt.Errorf("epoll_ctl: %w", err)
	}

	for i := 1; i <= rounds; i++ {
		if err := waitReadable(epoll, 30*time.Second); err != nil {
			return err
		}
		message, _, err := ping.Receive(0)
		if err != nil {
			return err
		}
		fmt.Printf("epoll says the queue is readable: \"%s\"\n", message)
		if err := pong.Send([]byte(fmt.Sprintf("pong %d from Go", i)), 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// waitReadable waits up to limit for epoll to report the (one) descriptor ready.
func waitReadable(epoll int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	events := make([]syscall.EpollEvent, 1)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("epoll_wait: no ping within %v", limit)
		}
		n, err := syscall.EpollWait(epoll, events, int(left.Milliseconds())+1)
		switch {
		case err == syscall.EINTR: // a signal to the process ended the wait: wait on
		case err != nil:
			return fmt.Errorf("epoll_wait: %w", err)
		case n == 1:
			return nil
		}
	}
}
