#!/usr/bin/env python3
"""Runs a demonstration of one kernel object shared by programs in different languages.

    python3 tests/demo/run_demo.py exchange [WRITER [READER]]    (default: c python)

exchange: a writer creates a shared memory segment and two semaphores, writes a greeting
and signals; a reader in another language opens them by name, reads, answers, signals back;
the writer prints the answer and removes everything.

Languages: c, python. Run from the repository root after `meson compile -C build`
(--build DIR for another build directory). Exit status 0 when every program succeeded.
"""
import argparse
import os
import random
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
LANGUAGES = ("c", "python")
DEMOS = {"exchange": (("writer", "exchange_writer"), ("reader", "exchange_reader"))}


def command(lang, program, build):
    """The command and extra environment that run PROGRAM written in LANG."""
    if lang == "c":
        return [os.path.join(build, "tests", "demo", "pipc-demo-" + program.replace("_", "-"))], {}
    if lang == "python":
        return ([sys.executable, os.path.join(HERE, "python", program + ".py")],
                {"PYTHONPATH": os.path.join(build, "bindings", "python")})
    raise SystemExit("unknown language %r (known: %s)" % (lang, ", ".join(LANGUAGES)))


def start(lang, role, program, args, build):
    argv, extra = command(lang, program, build)
    env = dict(os.environ, **extra)
    proc = subprocess.Popen(argv + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, text=True)
    proc.label = "[%s %s]" % (lang, role)
    return proc


def relay(proc, first_line=None):
    """Prints the program's output with its label; FIRST_LINE (an Event) is set once it has
    printed its first line, or ended."""
    for line in proc.stdout:
        print(proc.label, line.rstrip(), flush=True)
        if first_line:
            first_line.set()
    if first_line:
        first_line.set()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("demo", choices=sorted(DEMOS))
    parser.add_argument("languages", nargs="*", help="the writer's and the reader's")
    parser.add_argument("--build", default="build", help="the meson build directory")
    args = parser.parse_args()
    if len(args.languages) > 2:
        parser.error("at most two languages")
    first, second = args.languages + ["c", "python"][len(args.languages):]
    tag = "%08x" % random.getrandbits(32)
    names = ["/pipc_demo_%s_%s" % (tag, what) for what in ("memory", "ready", "done")]
    (first_role, first_program), (second_role, second_program) = DEMOS[args.demo]
    writer = start(first, first_role, first_program, names, args.build)
    ready = threading.Event()
    relays = [threading.Thread(target=relay, args=(writer, ready))]
    relays[0].start()
    ready.wait(60)              # the objects exist once the writer has said something
    reader = start(second, second_role, second_program, names, args.build)
    relays.append(threading.Thread(target=relay, args=(reader,)))
    relays[1].start()
    status = 0
    for proc in (reader, writer):
        try:
            status |= proc.wait(timeout=60) != 0
        except subprocess.TimeoutExpired:
            proc.kill()
            status = 1
    for t in relays:
        t.join()
    return status


if __name__ == "__main__":
    sys.exit(main())
