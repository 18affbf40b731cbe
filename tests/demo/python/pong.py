"""The pong side of the message-queue ping-pong, in Python: waits for pings with the
selectors module on the queue's descriptor, answers each.    pong.py PING PONG ROUNDS"""
import selectors
import sys

from pipc import posix_ipc

ping_name, pong_name, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
ping = posix_ipc.MessageQueue(ping_name)
pong = posix_ipc.MessageQueue(pong_name)
with selectors.DefaultSelector() as selector:   # epoll on Linux
    selector.register(ping.mqd, selectors.EVENT_READ)
    for i in range(1, rounds + 1):
        if not selector.select(timeout=30):
            sys.exit("no ping within 30 s")
        message, _ = ping.receive(timeout=0)
        print('%s says the queue is readable: "%s"' % (type(selector).__name__, message.decode()))
        pong.send("pong %d from Python" % i, timeout=0)
ping.close()
pong.close()
