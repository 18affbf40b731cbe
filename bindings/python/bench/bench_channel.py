#!/usr/bin/env python3
"""pipc.Channel against posix_ipc.MessageQueue: messages per second from one Python process
to another (issue 16's goal: at least 5x posix_ipc's MessageQueue for 64 B messages).

The reference posix_ipc is imported as bench_python.py imports it (this interpreter's
sys.path plus $PIPC_BENCH_REFERENCE_PATH); without it, pipc.posix_ipc (its drop-in
replacement) stands in as the reference, and the header says so. pipc.posix_ipc's
MessageQueue is measured beside it either way.

    PYTHONPATH=build/bindings/python V/bin/python bindings/python/bench/bench_channel.py

A case is a producer process that sends N messages as fast as it can, after this process
tells it to start, and this process receiving them (bytes out; the queue's (bytes,
priority) tuple). Each round runs every case once, in an order that rotates each round;
the figures are the medians over the rounds. ratio = messages per second / the reference
MessageQueue's (above 1.00: faster). Queues have the most messages the system allows a
queue (/proc/sys/fs/mqueue/msg_max, 10 by default); channels are shown at 8 slots (close to
that), 64 (the default) and 1024, and spinning 20 us before they sleep (set on both sides).
--quick runs one short round: a check that every case works, not a measurement.
Exit status: 0, 1 when a case failed.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench_python import import_reference  # noqa: E402  (the reference, found as there)

SIZE = 64

# The producer: opens the object by name (a channel: spinning as this process's handle
# does), says ready, waits for the word, sends N messages.
CHILD = r'''
import importlib, sys
kind, modname, name, n, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
mod = importlib.import_module(modname)
obj = mod.Channel(name) if kind == "channel" else mod.MessageQueue(name)
if kind == "channel":
    obj.spin = int(sys.argv[6])
send, message = obj.send, b"x" * size
print("ready", flush=True)
sys.stdin.readline()
for _ in range(n):
    send(message)
obj.close()
'''


def module_top(mod):
    """The sys.path entry MOD was imported from."""
    top = os.path.abspath(mod.__file__)
    for _ in range(mod.__name__.count('.') + 1):
        top = os.path.dirname(top)
    return top


class Case:
    """One line of the table: KIND 'channel' (mod: pipc.channel) or 'mq' (mod: a posix_ipc)."""

    def __init__(self, label, kind, mod, spin=0, **options):
        self.label, self.kind, self.mod, self.options = label, kind, mod, options
        self.spin = spin        # ns a channel's waits spin before they sleep, on both sides
        self.rates = []

    def make(self):
        if self.kind == 'channel':
            obj = self.mod.Channel(None, max_message_size=SIZE, **self.options)
            obj.spin = self.spin
            return obj, obj.receive
        obj = self.mod.MessageQueue(None, self.mod.O_CREX, max_message_size=SIZE, **self.options)
        return obj, obj.receive

    def run(self, n):
        """Messages per second of one run of N messages."""
        obj, receive = self.make()
        proc = None
        try:
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(
                [module_top(self.mod)] + [p for p in sys.path if p]))
            proc = subprocess.Popen([sys.executable, '-c', CHILD, self.kind, self.mod.__name__,
                                     obj.name, str(n), str(SIZE), str(self.spin)], env=env,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            if proc.stdout.readline() != 'ready\n':
                raise RuntimeError('the producer did not start (exit %s)' % proc.wait())
            proc.stdin.write('go\n')
            proc.stdin.flush()
            started = time.perf_counter()
            for _ in range(n):
                receive(30)
            elapsed = time.perf_counter() - started
            if proc.wait(30) != 0:
                raise RuntimeError('the producer exited with %d' % proc.returncode)
            return n / elapsed
        finally:
            if proc is not None:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                proc.stdin.close()
                proc.stdout.close()
            obj.unlink()
            obj.close()


def msg_max():
    try:
        with open('/proc/sys/fs/mqueue/msg_max') as f:
            return int(f.read())
    except OSError:
        return 10


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true', help='one short round: check, not measure')
    parser.add_argument('--rounds', type=int, help='rounds (default 5, quick 1)')
    parser.add_argument('-n', type=int, help='messages per run (default 100000, quick 2000)')
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 5)
    n = args.n or (2000 if args.quick else 100000)

    from pipc import channel
    from pipc import posix_ipc as pipc_posix
    extra = os.environ.get('PIPC_BENCH_REFERENCE_PATH')
    if extra:
        sys.path.extend(p for p in extra.split(os.pathsep) if p)
    try:
        reference, which = import_reference('posix_ipc'), 'the reference posix_ipc'
    except ImportError as e:
        reference, which = pipc_posix, ('pipc.posix_ipc (the reference posix_ipc is not '
                                        'importable: %s)' % e)
    slots = min(msg_max(), 1 << 16)
    cases = [Case('%s.MessageQueue (%d messages)' % (reference.__name__, slots), 'mq',
                  reference, max_messages=slots)]
    if reference is not pipc_posix:
        cases.append(Case('pipc.posix_ipc.MessageQueue (%d messages)' % slots, 'mq', pipc_posix,
                          max_messages=slots))
    for k in (8, 64, 1024):
        cases.append(Case('pipc.Channel (%d slots)' % k, 'channel', channel, slots=k))
    # A small channel makes both sides sleep and wake each other for nearly every message;
    # spinning (on both sides: sender and receiver on different cores) avoids that.
    for k in (8, 64):
        cases.append(Case('pipc.Channel (%d slots, both sides spin 20 us)' % k, 'channel',
                          channel, spin=20000, slots=k))

    print('python %s; reference MessageQueue: %s%s' % (
        sys.version.split()[0], which,
        ' %s from %s' % (reference.VERSION, os.path.dirname(reference.__file__))
        if reference is not pipc_posix else ''))
    print('%d B messages, one producer process -> this process; %d messages per run, %d '
          'rounds, medians; %d CPUs usable%s' % (SIZE, n, rounds, len(os.sched_getaffinity(0)),
                                                 '; QUICK: not a measurement' if args.quick else ''))
    failed = set()
    for r in range(rounds):
        order = cases[r % len(cases):] + cases[:r % len(cases)]
        for case in order:
            if case in failed:
                continue
            try:
                case.rates.append(case.run(n))
            except Exception as e:
                failed.add(case)
                print('%s FAILED: %s: %s' % (case.label, type(e).__name__, e), flush=True)
    base = statistics.median(cases[0].rates) if cases[0].rates else None
    width = max(len(c.label) for c in cases)
    print('%-*s %14s %10s %8s' % (width, 'case', 'messages/s', 'ns/message', 'ratio'))
    for case in cases:
        if not case.rates:
            print('%-*s %14s' % (width, case.label, 'failed'))
            continue
        rate = statistics.median(case.rates)
        print('%-*s %14.0f %10.0f %8s' % (width, case.label, rate, 1e9 / rate,
                                          '%.2f' % (rate / base) if base else 'n/a'))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
