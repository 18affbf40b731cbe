"""Sends one message to the existing queue: the other side of the notification demo.
    sender.py QUEUE TEXT PRIORITY"""
import sys

from pipc import posix_ipc

queue = posix_ipc.MessageQueue(sys.argv[1])
queue.send(sys.argv[2], timeout=0, priority=int(sys.argv[3]))
queue.close()
