#!/usr/bin/env python3
"""The cross-language interop suite: one kernel object, two or more languages.

For each object kind (POSIX semaphore, shared memory, message queue; System V semaphore,
shared memory, message queue) and each ordered pair of languages, a helper process in the
first language creates the object, a helper in the second opens it by name or key, the two
exchange data both ways, and the creator removes it. The robust mutex and the condition
variable join the same way (a lock handed over, an owner killed holding it, a signal and a
broadcast across), for same-language pairs too: a lock belongs to a thread of a process,
so a process of the same language is as foreign to it as any other. Then the stress cases:
producers and consumers of every language on one POSIX queue and on one System V queue, a
counter in shared memory under a semaphore incremented by every language, and one under a
robust mutex whose holder is killed in the middle.

The helpers speak the line protocol of PROTOCOL.md; this driver scripts every exchange.
A language given as "missing:REASON" has its cells skipped, never passed.

    run_interop.py --lang c=PATH --lang python='PYTHON SCRIPT' ... [--junit FILE] [-k TEXT]

Exit status: 0 when nothing failed, 1 otherwise.
"""
import argparse
import collections
import os
import random
import select
import shlex
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

REPLY_TIMEOUT = 60.0     # generous: a reply normally takes milliseconds
STRESS_TIMEOUT = 600.0
LABELS = {"sem": "POSIX semaphore", "shm": "POSIX shared memory", "mq": "POSIX message queue",
          "sysv_sem": "System V semaphore", "sysv_shm": "System V shared memory",
          "sysv_mq": "System V message queue", "channel": "channel"}


class CellFailed(Exception):
    pass


class Helper:
    """One helper process and its conversation."""

    def __init__(self, lang, command):
        self.lang = lang
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.pending = b""
        self.killed = False

    def fileno(self):   # for select
        return self.proc.stdout.fileno()

    def send(self, line):
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise CellFailed("%s helper exited (%s)" % (self.lang, self.stderr()))

    def read_some(self):
        chunk = os.read(self.fileno(), 1 << 16)
        if not chunk:
            raise CellFailed("%s helper exited (%s)" % (self.lang, self.stderr()))
        self.pending += chunk

    def reply(self, timeout=REPLY_TIMEOUT):
        first_to_reply([self], timeout)
        line, _, self.pending = self.pending.partition(b"\n")
        return line.decode()

    def ask(self, line, timeout=REPLY_TIMEOUT):
        self.send(line)
        return self.reply(timeout)

    def expect(self, line, wanted="ok", timeout=REPLY_TIMEOUT):
        self.send(line)
        return self.answer(line, wanted, timeout)

    def answer(self, line, wanted="ok", timeout=REPLY_TIMEOUT):
        """The reply to LINE, sent before, which must be WANTED ("error": any error)."""
        got = self.reply(timeout)
        if got != wanted and not (wanted == "error" and got.startswith("error ")):
            raise CellFailed("%s: %r gave %r, expected %r" % (self.lang, line, got, wanted))
        return got

    def kill(self):
        """Ends the helper with SIGKILL, as a crash at any instruction would (so a helper's
        command must run the helper itself, not a wrapper process)."""
        self.proc.kill()   # SIGKILL
        self.proc.wait()
        self.killed = True

    def stderr(self):
        self.stop()
        return self.proc.stderr.read().decode(errors="replace").strip()[-2000:] or "no output"

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def first_to_reply(helpers, timeout=REPLY_TIMEOUT):
    """The first of HELPERS to have a whole reply line waiting, which it leaves unread."""
    end = time.monotonic() + timeout
    while True:
        for helper in helpers:
            if b"\n" in helper.pending:
                return helper
        left = end - time.monotonic()
        ready = select.select(helpers, [], [], left)[0] if left > 0 else []
        if not ready:
            raise CellFailed("%s helper gave no reply within %.0f s" % (
                " or ".join(h.lang for h in helpers), timeout))
        for helper in ready:
            helper.read_some()


def random_name():
    return "/pipc_interop_%016x" % random.getrandbits(64)


def random_key():
    return str(random.randint(0x10000000, 0x7FFFFFFF))


def random_bytes(n):
    data = bytearray(random.getrandbits(8) for _ in range(n))
    data[0], data[-1] = 0, 0xFF   # the edges of a byte's range travel too
    return bytes(data)


# ---- the six exchanges: CREATOR made the object, OPENER opened it -----------------------

def exchange_semaphore(creator, opener):
    opener.expect("release")
    creator.expect("acquire 10000")          # the opener's release reached the creator
    creator.expect("release")
    opener.expect("acquire 10000")           # and back
    creator.expect("value", "ok 0")
    creator.expect("release")
    opener.expect("value", "ok 1")


def exchange_memory(creator, opener):
    there, back = random_bytes(512), random_bytes(300)
    creator.expect("write 0 " + there.hex())
    opener.expect("read 0 %d" % len(there), "ok " + there.hex())
    opener.expect("write 1000 " + back.hex())
    creator.expect("read 1000 %d" % len(back), "ok " + back.hex())


def exchange_queue(creator, opener, posix):
    low, high, back = random_bytes(40), random_bytes(200), random_bytes(100)
    creator.expect("send 1 " + low.hex())
    creator.expect("send 5 " + high.hex())
    if posix:   # the highest priority first
        opener.expect("receive 10000", "ok 5 " + high.hex())
        opener.expect("receive 10000", "ok 1 " + low.hex())
    else:       # type 0: the first in the queue, with its type
        opener.expect("receive 10000", "ok 1 " + low.hex())
        opener.expect("receive 10000", "ok 5 " + high.hex())
    opener.expect("send 3 " + back.hex())
    creator.expect("receive 10000", "ok 3 " + back.hex())
    opener.expect("receive 0", "busy")       # nothing else was queued


def exchange_channel(creator, opener):
    first, second, back = random_bytes(40), random_bytes(200), random_bytes(100)
    creator.expect("send 0 " + first.hex())
    creator.expect("send 0 " + second.hex())
    opener.expect("receive 10000", "ok 0 " + first.hex())    # in the order sent
    opener.expect("receive 10000", "ok 0 " + second.hex())
    opener.expect("send 0 " + back.hex())
    creator.expect("receive 10000", "ok 0 " + back.hex())
    opener.expect("receive 0", "busy")       # nothing else was sent


def exchange_mutex(creator, opener):
    for holder, taker in ((creator, opener), (opener, creator)):
        holder.expect("lock 10000")
        taker.expect("lock 0", "busy")
        taker.expect("unlock", "error")      # only the holder may unlock
        taker.send("lock 10000")             # waits for the holder, or finds the lock free
        holder.expect("unlock")
        taker.answer("lock 10000")
        taker.expect("unlock")


def exchange_owner_death(creator, opener):
    creator.expect("lock 10000")
    creator.kill()
    opener.expect("lock 10000", "ok ownerdead")
    opener.expect("consistent")
    opener.expect("unlock")
    opener.expect("lock 0")                  # consistent again: an ordinary lock
    opener.expect("unlock")


def exchange_signal(creator, opener):
    creator.expect("lock 10000")
    creator.send("wait 10000")
    opener.expect("lock 10000")              # free once the creator waits: no lost signal
    opener.expect("signal")
    opener.expect("unlock")
    creator.answer("wait 10000")
    opener.expect("lock 0", "busy")          # the woken waiter holds the mutex again
    creator.expect("unlock")


def exchange_broadcast(creator, opener, twin):
    waiters = [creator, twin]                # two processes of the creator's language
    for waiter in waiters:
        waiter.expect("lock 10000")          # the twin's: once the creator waits
        waiter.send("wait 10000")
    opener.expect("lock 10000")              # once both wait
    opener.expect("broadcast")
    opener.expect("unlock")
    while waiters:                           # each wakes holding the mutex, in either order
        waiter = first_to_reply(waiters)
        waiter.answer("wait 10000")
        waiter.expect("unlock")
        waiters.remove(waiter)


# What a matrix cell does: its label, the kind, what the creator's open adds, the exchange
# run(creator, opener, *twins), and how many more helpers of the creator's language (twins)
# open the object too.
Exchange = collections.namedtuple("Exchange", "label kind create_args run twins", defaults=[0])


EXCHANGES = [
    Exchange(LABELS["sem"], "sem", "0", exchange_semaphore),
    Exchange(LABELS["shm"], "shm", "4096", exchange_memory),
    Exchange(LABELS["mq"], "mq", "8 256", lambda c, o: exchange_queue(c, o, True)),
    Exchange(LABELS["sysv_sem"], "sysv_sem", "0", exchange_semaphore),
    Exchange(LABELS["sysv_shm"], "sysv_shm", "4096", exchange_memory),
    Exchange(LABELS["sysv_mq"], "sysv_mq", "", lambda c, o: exchange_queue(c, o, False)),
    Exchange(LABELS["channel"], "channel", "8 256", exchange_channel),
    Exchange("robust mutex, handed over", "mutex", "", exchange_mutex),
    Exchange("robust mutex, owner killed holding it", "mutex", "", exchange_owner_death),
    Exchange("condition variable, signal", "cond", "", exchange_signal),
    Exchange("condition variable, broadcast to two waiters", "cond", "", exchange_broadcast,
             twins=1),
]
LOCK_KINDS = ("mutex", "cond")


def objects(kind, name):
    """The objects a helper holding KIND NAME holds: a cond has its mutex NAME-m too."""
    return [(kind, name), ("mutex", name + "-m")] if kind == "cond" else [(kind, name)]


def cell(langs, exchange, first, second, remover):
    kind = exchange.kind
    name = random_key() if kind.startswith("sysv_") else random_name()
    creator = Helper(first, langs[first])
    opener = Helper(second, langs[second])
    twins = [Helper(first, langs[first]) for _ in range(exchange.twins)]
    helpers = [creator, opener] + twins
    try:
        creator.expect(("open %s %s 1 %s" % (kind, name, exchange.create_args)).strip())
        for helper in [opener] + twins:
            helper.expect("open %s %s 0" % (kind, name))
        exchange.run(creator, opener, *twins)
        (opener if creator.killed else creator).expect("remove")
        for helper in helpers:
            if not helper.killed:
                helper.expect("close")
        for part in objects(kind, name):
            gone = opener.ask("open %s %s 0" % part)
            if not gone.startswith("error"):
                raise CellFailed("%s %s is still there after remove: %r" % (part + (gone,)))
    finally:
        for helper in helpers:
            helper.stop()
        remover.remove(kind, name)


class Remover:
    """Removes whatever a failed cell left behind, through the C helper."""

    def __init__(self, command):
        self.command = command

    def remove(self, kind, name):
        helper = Helper("cleanup", self.command)
        try:
            for part in objects(kind, name):   # a cond made half-way left its mutex
                if helper.ask("open %s %s 0" % part) == "ok":
                    helper.ask("remove")
        except CellFailed:
            pass
        finally:
            helper.stop()


# ---- stress ---------------------------------------------------------------------------------

# The stress queues and what their creator's open adds.
QUEUE_CREATE_ARGS = {"mq": "10 64", "sysv_mq": "", "channel": "64 64"}


def stress_queue(langs, kind, remover, per_producer):
    name = random_key() if kind == "sysv_mq" else random_name()
    setup = Helper("c", langs["c"])
    helpers = []
    try:
        setup.expect(("open %s %s 1 %s" % (kind, name, QUEUE_CREATE_ARGS[kind])).strip())
        producers = [Helper(lang, cmd) for lang, cmd in langs.items()]
        consumers = [Helper(lang, cmd) for lang, cmd in langs.items()]
        helpers = producers + consumers
        total = per_producer * len(producers)
        shares = [total // len(consumers) + (i < total % len(consumers)) for i in range(len(consumers))]
        start = time.monotonic()
        for i, p in enumerate(producers):
            p.send("produce %s %s %d %d" % (kind, name, per_producer, i))
        for c, share in zip(consumers, shares):
            c.send("consume %s %s %d 60000" % (kind, name, share))
        for p in producers:
            if p.reply(STRESS_TIMEOUT) != "ok":
                raise CellFailed("%s producer failed" % p.lang)
        seen = []
        for c in consumers:
            got = c.reply(STRESS_TIMEOUT)
            if not got.startswith("ok "):
                raise CellFailed("%s consumer: %r" % (c.lang, got))
            seen += got[3:].split(",")
        elapsed = time.monotonic() - start
        expected = {"%d:%d" % (p, s) for p in range(len(producers)) for s in range(per_producer)}
        bad = seen.count("bad")
        lost = expected - set(seen)
        duplicated = len(seen) - len(set(seen))
        if bad or lost or duplicated:
            raise CellFailed("%d corrupted, %d lost, %d duplicated of %d" %
                             (bad, len(lost), duplicated, total))
        setup.expect("receive 0", "busy")   # nothing more than was sent
        setup.expect("remove")
        return "%d messages from %d producers to %d consumers (%s), none lost, duplicated or " \
               "corrupted, in %.2f s (%.0f messages/s)" % (
                   total, len(producers), len(consumers), ", ".join(langs), elapsed,
                   total / elapsed)
    finally:
        for h in helpers + [setup]:
            h.stop()
        remover.remove(kind, name)


def stress_counter(langs, remover, per_language):
    sem, shm = random_name(), random_name()
    setup = Helper("c", langs["c"])
    workers = []
    try:
        setup.expect("open sem %s 1 1" % sem)
        setup.expect("close")
        setup.expect("open shm %s 1 4096" % shm)
        workers = [Helper(lang, cmd) for lang, cmd in langs.items()]
        start = time.monotonic()
        for w in workers:
            w.send("count %s %s %d" % (sem, shm, per_language))
        for w in workers:
            if w.reply(STRESS_TIMEOUT) != "ok":
                raise CellFailed("%s counter failed" % w.lang)
        elapsed = time.monotonic() - start
        total = per_language * len(workers)
        got = setup.ask("read 0 8")
        value = int.from_bytes(bytes.fromhex(got[3:]), "little") if got.startswith("ok ") else None
        if value != total:
            raise CellFailed("the counter is %r, expected %d" % (value, total))
        return "%d increments by %d languages (%s) ended at exactly %d, in %.2f s" % (
            total, len(workers), ", ".join(langs), total, elapsed)
    finally:
        for h in workers + [setup]:
            h.stop()
        remover.remove("sem", sem)
        remover.remove("shm", shm)


def stress_lock_counter(langs, remover, per_worker):
    mutex, shm = random_name(), random_name()
    setup = Helper("c", langs["c"])
    workers = []
    try:
        setup.expect("open mutex %s 1" % mutex)
        setup.expect("close")
        setup.expect("open shm %s 1 4096" % shm)
        workers = [Helper(lang, cmd) for lang, cmd in langs.items() for _ in range(2)]
        # The victim dies holding the lock at DIE_AT. The late worker starts only once it
        # holds it, so that someone is sure to lock after the death, however fast the
        # others finish.
        victim, late = random.sample(workers, 2)
        die_at = random.randrange(per_worker // 4, per_worker * 3 // 4 + 1)
        commands = {worker: "lockcount %s %s %d %d %d" % (mutex, shm, w, per_worker,
                                                           die_at if worker is victim else -1)
                    for w, worker in enumerate(workers)}
        start = time.monotonic()
        for worker in workers:
            if worker is not late:
                worker.send(commands[worker])
        victim.answer(commands[victim], "ok holding", STRESS_TIMEOUT)
        late.send(commands[late])
        victim.kill()
        owner_dead = {}
        for worker in workers:
            if worker is not victim:
                got = worker.reply(STRESS_TIMEOUT)
                if not got.startswith("ok ") or not got[3:].isdigit():
                    raise CellFailed("%s: %r gave %r" % (worker.lang, commands[worker], got))
                owner_dead[worker] = int(got[3:])
        elapsed = time.monotonic() - start
        got = setup.ask("read 0 %d" % (8 * (1 + len(workers))))
        if not got.startswith("ok "):
            raise CellFailed("reading the counter gave %r" % got)
        raw = bytes.fromhex(got[3:])
        counter, *slots = (int.from_bytes(raw[i:i + 8], "little") for i in range(0, len(raw), 8))
        expected = [die_at + 1 if worker is victim else per_worker for worker in workers]
        told = [worker.lang for worker, n in owner_dead.items() for _ in range(n)]
        if counter != sum(expected) or slots != expected or len(told) != 1:
            raise CellFailed("a %s worker killed holding the lock at its increment %d: counter %d, "
                             "slots %s, expected %d and %s; owner-dead seen by %s" % (
                                 victim.lang, die_at + 1, counter, slots, sum(expected),
                                 expected, told or "nobody"))
        return "%d workers (%s), a %s worker killed holding the lock at its increment %d, " \
               "owner-dead seen by a %s worker, counter repaired: exactly %d, in %.2f s" % (
                   len(workers), ", ".join(langs), victim.lang, die_at + 1, told[0],
                   counter, elapsed)
    finally:
        for h in workers + [setup]:
            h.stop()
        remover.remove("mutex", mutex)
        remover.remove("shm", shm)


# ---- running and reporting -------------------------------------------------------------------

def run_case(results, name, missing, body):
    start = time.monotonic()
    if missing:
        results.append((name, "skipped", "missing: " + "; ".join(missing), 0.0))
        print("SKIP  %s (%s)" % (name, "; ".join(missing)), flush=True)
        return
    try:
        detail = body() or ""
        results.append((name, "passed", detail, time.monotonic() - start))
        print("ok    %s %s" % (name, detail), flush=True)
    except Exception as e:  # a cell's failure is reported, and the next cell runs
        results.append((name, "failed", "%s: %s" % (type(e).__name__, e), time.monotonic() - start))
        print("FAIL  %s: %s" % (name, e), flush=True)


def write_junit(path, results):
    suite = ET.Element("testsuite", name="interop", tests=str(len(results)),
                       failures=str(sum(r[1] == "failed" for r in results)),
                       skipped=str(sum(r[1] == "skipped" for r in results)))
    for name, outcome, detail, seconds in results:
        case = ET.SubElement(suite, "testcase", classname="interop", name=name,
                             time="%.3f" % seconds)
        if outcome == "failed":
            ET.SubElement(case, "failure", message=detail)
        elif outcome == "skipped":
            ET.SubElement(case, "skipped", message=detail)
        elif detail:
            ET.SubElement(case, "system-out").text = detail
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", action="append", default=[], metavar="NAME=COMMAND",
                        help="a language's helper command, or NAME=missing:REASON")
    parser.add_argument("--junit", help="write the cases to this junit XML file")
    parser.add_argument("-k", dest="select", default="", help="only cases containing this text")
    parser.add_argument("--messages", type=int, default=5000, help="stress messages per producer")
    args = parser.parse_args()
    langs, missing = {}, {}
    for spec in args.lang:
        lang, _, command = spec.partition("=")
        if command.startswith("missing:"):
            missing[lang] = command[len("missing:"):]
        else:
            langs[lang] = shlex.split(command)
    if "c" not in langs:
        parser.error("the C helper is required (it also cleans up)")
    remover = Remover(langs["c"])
    everyone = list(langs) + list(missing)
    results = []

    def absent(*wanted):
        return ["%s: %s" % (lang, missing[lang]) for lang in dict.fromkeys(wanted)
                if lang in missing]

    for exchange in EXCHANGES:
        for first in everyone:
            for second in everyone:
                name = "%s: %s creates, %s opens" % (exchange.label, first, second)
                if first == second and exchange.kind not in LOCK_KINDS:
                    continue
                if args.select not in name:
                    continue
                run_case(results, name, absent(first, second),
                         lambda exchange=exchange, first=first, second=second:
                         cell(langs, exchange, first, second, remover))
    for kind in QUEUE_CREATE_ARGS:
        name = "stress: %s, every language producing and consuming" % LABELS[kind]
        if args.select in name:
            run_case(results, name, [],
                     lambda kind=kind: stress_queue(langs, kind, remover, args.messages))
    name = "stress: counter in POSIX shared memory under a POSIX semaphore"
    if args.select in name:
        run_case(results, name, [], lambda: stress_counter(langs, remover, args.messages))
    name = "stress: counter in POSIX shared memory under a robust mutex, its holder killed"
    if args.select in name:
        run_case(results, name, [], lambda: stress_lock_counter(langs, remover, args.messages))
    if missing:
        print("stress cases ran without: " + ", ".join(missing))

    counts = {o: sum(r[1] == o for r in results) for o in ("passed", "failed", "skipped")}
    cells = [r for r in results if not r[0].startswith("stress")]
    print("matrix: %d cells: %d passed, %d failed, %d skipped" % (
        len(cells), sum(r[1] == "passed" for r in cells), sum(r[1] == "failed" for r in cells),
        sum(r[1] == "skipped" for r in cells)))
    print("%d passed, %d failed, %d skipped" % (counts["passed"], counts["failed"], counts["skipped"]))
    if args.junit:
        write_junit(args.junit, results)
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
