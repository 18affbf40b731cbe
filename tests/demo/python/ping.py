"""The ping side of the message-queue ping-pong, in Python: creates the two queues, sends
ROUNDS pings and waits for each pong, then removes both.    ping.py PING PONG ROUNDS"""
import sys

from pipc import posix_ipc

ping_name, pong_name, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
ping = posix_ipc.MessageQueue(ping_name, posix_ipc.O_CREX, max_messages=4, max_message_size=128)
pong = posix_ipc.MessageQueue(pong_name, posix_ipc.O_CREX, max_messages=4, max_message_size=128)
try:
    print("queues %s and %s are ready" % (ping_name, pong_name), flush=True)
    for i in range(1, rounds + 1):
        ping.send("ping %d from Python" % i, timeout=30)
        answer, _ = pong.receive(timeout=30)
        print('sent ping %d, got "%s"' % (i, answer.decode()))
finally:
    ping.unlink()
    pong.unlink()
    ping.close()
    pong.close()
