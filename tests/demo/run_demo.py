#!/usr/bin/env python3
"""Demonstrations of kernel objects shared by programs in different languages.

    python3 tests/demo/run_demo.py DEMO [LANGUAGE...]

  exchange [WRITER READER]   shared memory + two semaphores: the writer creates them and
                             writes a greeting; the reader opens them by name, answers,
                             signals back (default: c python)
  pingpong [PING PONG]       two message queues; the pong side waits with select/epoll on
                             the queue's descriptor (default: c python)
  notify [WAITER SENDER]     the waiter is notified when its queue turns non-empty; the
                             sender runs once per notification (default: python c)
  scoped [LANGUAGE...]       each holds one semaphore in its scoped form (Python `with`,
                             Ruby `synchronize { }`, Go acquire then `defer release`)
                             around a slow increment of a shared counter, all at once;
                             the counter ends exact (default: every language built)

Languages: c, python, ruby, go. Run from the repository root after
`meson compile -C build` (--build DIR for another build directory). Exit status 0 when
every program succeeded.
"""
import argparse
import inspect
import os
import random
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
LANGUAGES = ("c", "python", "ruby", "go")
TIMEOUT = 60


class Demo:
    def __init__(self, build):
        self.build = build
        self.tag = "%08x" % random.getrandbits(32)
        self.procs = []

    def name(self, what):
        return "/pipc_demo_%s_%s" % (self.tag, what)

    def command(self, lang, program):
        """The command and extra environment that run PROGRAM written in LANG."""
        if lang == "c":
            exe = "pipc-demo-" + program.replace("_", "-")
            return [os.path.join(self.build, "tests", "demo", exe)], {}
        if lang == "python":
            return ([sys.executable, os.path.join(HERE, "python", program + ".py")],
                    {"PYTHONPATH": os.path.join(self.build, "bindings", "python")})
        if lang == "ruby":   # the built extension, then the Ruby layer of the sources
            libs = [os.path.join(self.build, "bindings", "ruby", "lib"),
                    os.path.join(HERE, "..", "..", "bindings", "ruby", "lib")]
            return (["ruby", "-I", libs[0], "-I", libs[1],
                     os.path.join(HERE, "ruby", program + ".rb")], {})
        if lang == "go":
            exe = "pipc-demo-go-" + program.replace("_", "-")
            return [os.path.join(self.build, "tests", "demo", exe)], {}
        raise SystemExit("unknown language %r (known: %s)" % (lang, ", ".join(LANGUAGES)))

    def built(self, lang):
        """Whether this build has LANG's programs (its binding may be disabled)."""
        probe = {"c": ("tests", "demo", "pipc-demo-holder"),
                 "python": ("bindings", "python", "pipc", "__init__.py"),
                 "ruby": ("bindings", "ruby", "lib", "pipc", "lowlevel.so"),
                 "go": ("tests", "demo", "pipc-demo-go-holder")}[lang]
        return os.path.exists(os.path.join(self.build, *probe))

    def start(self, lang, program, *args, on_line=None):
        """Starts PROGRAM in LANG; its output is printed with a label, and ON_LINE (if given)
        called with each line."""
        argv, extra = self.command(lang, program)
        proc = subprocess.Popen(argv + [str(a) for a in args], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=dict(os.environ, **extra),
                                text=True)
        label = "[%s %s]" % (lang, program)

        def relay():
            for line in proc.stdout:
                print(label, line.rstrip(), flush=True)
                if on_line:
                    on_line(line)
            if on_line:
                on_line(None)

        proc.relay = threading.Thread(target=relay)
        proc.relay.start()
        self.procs.append(proc)
        return proc

    def run(self, lang, program, *args):
        """Runs PROGRAM to its end; whether it succeeded."""
        proc = self.start(lang, program, *args)
        return self.finish(proc)

    def finish(self, proc):
        try:
            ok = proc.wait(timeout=TIMEOUT) == 0
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            ok = False
        proc.relay.join()
        return ok

    def first_line_of(self, lang, program, *args):
        """Starts PROGRAM and waits until it has printed a line (or ended)."""
        said = threading.Event()
        proc = self.start(lang, program, *args, on_line=lambda line: said.set())
        said.wait(TIMEOUT)
        return proc


def exchange(demo, writer="c", reader="python"):
    names = [demo.name("memory"), demo.name("ready"), demo.name("done")]
    first = demo.first_line_of(writer, "exchange_writer", *names)  # the objects exist now
    return demo.run(reader, "exchange_reader", *names) & demo.finish(first)


def pingpong(demo, ping="c", pong="python"):
    args = [demo.name("ping"), demo.name("pong"), 3]
    first = demo.first_line_of(ping, "ping", *args)
    return demo.run(pong, "pong", *args) & demo.finish(first)


def notify(demo, waiter="python", sender="c"):
    queue, count = demo.name("queue"), 3
    waiting = threading.Semaphore(0)
    proc = demo.start(waiter, "notified", queue, count,
                      on_line=lambda line: line and line.startswith("waiting") and waiting.release())
    ok = True
    for i in range(count):
        if not waiting.acquire(timeout=TIMEOUT):
            break
        ok &= demo.run(sender, "sender", queue, "message %d from %s" % (i + 1, sender), i)
    return demo.finish(proc) & ok


def scoped(demo, *langs):
    """The launcher makes the semaphore and the counter (through the interop suite's C
    helper, see tests/interop/PROTOCOL.md) and checks the total."""
    langs = langs or [lang for lang in LANGUAGES if demo.built(lang)]
    sem, counter, rounds = demo.name("semaphore"), demo.name("counter"), 5
    helper_path = os.path.join(demo.build, "tests", "interop", "pipc_interop_helper")
    helper = subprocess.Popen([helper_path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)

    def ask(line):
        helper.stdin.write(line + "\n")
        helper.stdin.flush()
        return helper.stdout.readline().strip()

    try:
        if ask("open sem %s 1 1" % sem) != "ok" or ask("open shm %s 1 4096" % counter) != "ok":
            return False
        procs = [demo.start(lang, "holder", sem, counter, rounds) for lang in langs]
        ok = all([demo.finish(p) for p in procs])
        total = int.from_bytes(bytes.fromhex(ask("read 0 8")[3:]), "little")
        print("the counter ended at %d; %d programs x %d rounds = %d" %
              (total, len(langs), rounds, len(langs) * rounds))
        return ok and total == len(langs) * rounds
    finally:
        ask("remove")
        ask("open sem %s 0" % sem)
        ask("remove")
        helper.stdin.close()
        helper.wait()


DEMOS = {"exchange": exchange, "pingpong": pingpong, "notify": notify, "scoped": scoped}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("demo", choices=sorted(DEMOS))
    parser.add_argument("languages", nargs="*", help="see above for each demo")
    parser.add_argument("--build", default="build", help="the meson build directory")
    args = parser.parse_args()
    demo = Demo(args.build)
    try:
        inspect.signature(DEMOS[args.demo]).bind(demo, *args.languages)
    except TypeError as e:
        parser.error("%s: %s" % (args.demo, e))
    return 0 if DEMOS[args.demo](demo, *args.languages) else 1


if __name__ == "__main__":
    sys.exit(main())
