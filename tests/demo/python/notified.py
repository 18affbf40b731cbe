"""Queue notification, in Python: creates the queue, asks for a call of a function on a new
thread when the queue turns non-empty, and receives COUNT messages, re-arming the
notification before each.    notified.py QUEUE COUNT"""
import sys
import threading

from pipc import posix_ipc

name, count = sys.argv[1], int(sys.argv[2])
queue = posix_ipc.MessageQueue(name, posix_ipc.O_CREX, max_messages=4, max_message_size=128)
arrived = threading.Event()
try:
    for _ in range(count):
        arrived.clear()
        queue.request_notification((lambda event: event.set(), arrived))
        print("waiting for a notification on %s" % name, flush=True)
        if not arrived.wait(30):
            sys.exit("no notification within 30 s")
        message, priority = queue.receive(timeout=5)
        print('notified: "%s" (priority %d)' % (message.decode(), priority), flush=True)
finally:
    queue.unlink()
    queue.close()
