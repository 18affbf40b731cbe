#!/usr/bin/env python3
"""Runs every example program of the documentation against a build tree.

    run_examples.py --source SRC --build BUILD [--cc CC --libpipc LIB] [--python PY]
                    [--ruby RUBY] [--go GO] [--junit FILE] [--shared-namespace] [FILE.md ...]

meson test `examples` (suite `examples`, tests/examples/meson.build) runs it. The pages are
found when it runs, not listed in meson: SRC/README.md and every SRC/docs/*.md (docs/man/
holds man pages, not Markdown, and is not read). FILE.md arguments replace that list.

Rules for authors of README.md and docs/*.md
--------------------------------------------
* A fenced code block whose info string starts with `c`, `python`, `ruby` or `go` is a
  complete program, and this test runs it. Anything else is not run: use ```sh for
  commands, ```text for output, ```meson, ```toml and so on for other files. A fragment
  that cannot stand alone does not belong in a c/python/ruby/go block: make it a program.
* A program exits with status 0 within 60 seconds, on a machine with the Quick start's
  packages, run by root or not.
* It cleans up after itself: every object it creates (POSIX name, System V key) is
  unlinked or removed before it exits, also when it runs a second time. Each program
  runs twice here, and any IPC object left in /dev/shm, /dev/mqueue or the System V
  tables fails it. Use names and keys that no one else would (`/pipc-example-...`,
  a key from pipc's ftok of a file the program makes, or a random key), so that a run
  on a busy machine meets nobody else's objects.
* C: compiled as `cc -std=c99 -Wall -Wextra -pedantic -Werror` with the build tree's
  include dirs, linked with `-lpipc` from the build tree (what `pkg-config libpipc` gives
  an installed copy): `#include <pipc.h>` and standard C only; no POSIX headers unless the
  program defines _POSIX_C_SOURCE itself.
  Python: run by the build's Python with the build tree's `pipc` package.
  Ruby: run with `-I` on the build tree's extension and bindings/ruby/lib.
  Go: `package main`, built as main.go of a module that requires libpipc.dev/pipc
  (replaced by bindings/go, with the build's overlay: what `go test` of the binding uses).
* Programs that work together: put `<!-- example: with-next -->` on the line before a
  block (blank lines between are allowed) to run it at the same time as the next
  runnable block of the same page; chain it to make a group of three or more. The group
  starts in page order, without waiting between programs, and passes when every program
  in it exits 0. So each side must cope with being first: open with create on both
  sides, and let the side that finishes last (the consumer) unlink. A group in a
  language the build lacks is not run.
* No other `<!-- example: ... -->` marker exists; a misspelt one fails the test.

A language is run when its option is given; meson gives the option only for bindings
that are built, so an example in a language the build lacks is not run (and says so in
the log), never run and skipped.

Where it may (root, or user namespaces), the test runs in a private IPC and mount
namespace with a /dev/shm and a /dev/mqueue of its own, so the leftover check is exact
and nothing reaches the machine's objects. Elsewhere it compares the machine's objects
before and after each run (meson runs it with no other test beside it), and removes
what a failing example left under a /pipc-example name (System V objects it only
reports: one made by someone else meanwhile cannot be told apart).
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

LANGUAGES = ("c", "python", "ruby", "go")
RUN_TIMEOUT = 60        # seconds for one program (a group: for all of it)
BUILD_TIMEOUT = 300     # seconds to compile one program
RUNS = 2                # every example runs twice: a second run meets what the first left
SANDBOX_FLAG = "PIPC_EXAMPLES_IN_NAMESPACE"
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)")
MARKER = re.compile(r"^\s*<!--\s*example:\s*(.*?)\s*-->\s*$")
MARKERS = ("with-next",)


class Block:
    def __init__(self, page, line, lang, code, marker):
        self.page, self.line, self.lang, self.code, self.marker = page, line, lang, code, marker

    def where(self):
        return "%s:%d" % (self.page, self.line)


def blocks_of(path, label):
    """The c/python/ruby/go blocks of the Markdown file PATH, in order."""
    found = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    last_text = ""   # the last non-blank line outside a block, for the marker
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            if lines[i].strip():
                last_text = lines[i]
            i += 1
            continue
        indent, fence, info = m.group(1), m.group(2), m.group(3).lower()
        start = i
        body = []
        i += 1
        while i < len(lines):
            close = lines[i].strip()
            if close.startswith(fence[0] * len(fence)) and set(close) == {fence[0]}:
                break
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        marker = MARKER.match(last_text)
        last_text = ""
        if info in LANGUAGES:
            found.append(Block(label, start + 1, info, "\n".join(body) + "\n",
                               marker.group(1) if marker else None))
    return found


def units_of(blocks):
    """Groups blocks into units: a block alone, or a with-next chain."""
    units, current = [], []
    for block in blocks:
        if block.marker is not None and block.marker not in MARKERS:
            raise SystemExit("%s: unknown marker <!-- example: %s --> (known: %s)"
                             % (block.where(), block.marker, ", ".join(MARKERS)))
        current.append(block)
        if block.marker != "with-next":
            units.append(current)
            current = []
    if current:
        raise SystemExit("%s: <!-- example: with-next --> but no runnable block follows"
                         % current[-1].where())
    return units


# ---- IPC objects ----------------------------------------------------------------------

def ipc_objects():
    """Every IPC object this process can see: {description: how to remove it}."""
    found = {}
    for directory in ("/dev/shm", "/dev/mqueue"):
        if os.path.isdir(directory):
            for name in os.listdir(directory):
                found[os.path.join(directory, name)] = ("unlink", os.path.join(directory, name))
    for table, flag in (("sem", "-s"), ("shm", "-m"), ("msg", "-q")):
        try:
            rows = open("/proc/sysvipc/" + table).read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            key, ident = row.split()[:2]
            found["System V %s key %s id %s" % (table, key, ident)] = ("ipcrm", flag, ident)
    return found


def remove_objects(objects, private):
    """Removes what an example left. In the machine's own namespace, only POSIX objects
    named as the rules say (another test may have made the rest)."""
    for description, how in objects.items():
        if not private and not (how[0] == "unlink" and
                                os.path.basename(how[1]).startswith("pipc-example")):
            continue
        try:
            if how[0] == "unlink":
                os.unlink(how[1])
            else:
                subprocess.run(["ipcrm", how[1], how[2]], capture_output=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            pass


def ipc_namespace():
    return os.readlink("/proc/self/ns/ipc")


def enter_namespace(allowed):
    """Re-runs this script in a private IPC and mount namespace where that is allowed;
    returns whether it runs in one (False: the machine's own objects are in view)."""
    parent = os.environ.get(SANDBOX_FLAG)
    if parent:
        if parent == ipc_namespace():   # the flag came from outside: mount nothing here
            raise SystemExit("%s is set, but this is no new IPC namespace" % SANDBOX_FLAG)
        for fstype, target, options in (("tmpfs", "/dev/shm", ["-o", "size=64m,mode=1777"]),
                                        ("mqueue", "/dev/mqueue", [])):
            if os.path.isdir(target):
                done = subprocess.run(["mount", "-t", fstype] + options + ["pipc-examples", target],
                                      capture_output=True, text=True)
                if done.returncode != 0:
                    print("note: could not mount a private %s: %s" % (target, done.stderr.strip()))
        return True
    unshare = shutil.which("unshare")
    if allowed and unshare and subprocess.run(
            [unshare, "--ipc", "--mount", "--propagation", "private", "true"],
            capture_output=True).returncode == 0:
        os.environ[SANDBOX_FLAG] = ipc_namespace()
        os.execv(unshare, [unshare, "--ipc", "--mount", "--propagation", "private",
                           sys.executable] + sys.argv)
    print("note: no private IPC namespace (unshare not permitted or not asked for): the "
          "leftover check compares the machine's objects")
    return False


# ---- building and running -------------------------------------------------------------

class Runner:
    def __init__(self, args, work):
        self.args, self.work = args, work
        self.env = dict(os.environ)
        # What builds (the compilers, go build) runs without an ASan preload; the
        # programs keep it, since they load an instrumented libpipc.
        self.build_env = {k: v for k, v in self.env.items() if k != "LD_PRELOAD"}
        self.counter = 0

    def run_build(self, argv, cwd=None, env=None):
        done = subprocess.run(argv, cwd=cwd, env=env or self.build_env, capture_output=True,
                              text=True, timeout=BUILD_TIMEOUT)
        if done.returncode != 0:
            raise Failure("build failed: %s\n%s%s" % (" ".join(map(shlex.quote, argv)),
                                                      done.stdout, done.stderr))

    def prepare(self, block):
        """Writes and compiles BLOCK: the command that runs it."""
        self.counter += 1
        d = os.path.join(self.work, "%03d-%s" % (self.counter, block.lang))
        os.makedirs(d)
        a = self.args
        if block.lang == "c":
            src, exe = os.path.join(d, "example.c"), os.path.join(d, "example")
            open(src, "w").write(block.code)
            libdir = os.path.dirname(os.path.abspath(a.libpipc))
            self.run_build(shlex.split(a.cc) + [
                "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror",
                "-I", os.path.join(a.source, "include"), "-I", os.path.join(a.build, "include"),
                src, "-o", exe, "-L" + libdir, "-lpipc", "-Wl,-rpath," + libdir])
            return [exe]
        if block.lang == "python":
            src = os.path.join(d, "example.py")
            open(src, "w").write(block.code)
            return [a.python, src]
        if block.lang == "ruby":
            src = os.path.join(d, "example.rb")
            open(src, "w").write(block.code)
            return shlex.split(a.ruby) + [
                "-I", os.path.join(a.build, "bindings", "ruby", "lib"),
                "-I", os.path.join(a.source, "bindings", "ruby", "lib"), src]
        if block.lang == "go":
            open(os.path.join(d, "main.go"), "w").write(block.code)
            open(os.path.join(d, "go.mod"), "w").write(
                "module example.com/pipcexample\n\ngo 1.19\n\nrequire libpipc.dev/pipc v0.0.0\n\n"
                "replace libpipc.dev/pipc => %s\n" % os.path.join(a.source, "bindings", "go"))
            exe = os.path.join(d, "example")
            self.run_build([a.go, "build", "-o", exe, "."], cwd=d)
            return [exe]
        raise AssertionError(block.lang)

    def run_group(self, commands):
        """Starts every command at once; returns a failure text or None."""
        env = dict(self.env, PYTHONPATH=os.path.join(self.args.build, "bindings", "python"))
        procs = []
        for command in commands:
            out = tempfile.TemporaryFile(mode="w+")
            procs.append((subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, env=env,
                                           start_new_session=True, cwd=self.work), out))
        deadline = time.monotonic() + RUN_TIMEOUT
        problems = []
        for proc, out in procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                problems.append("timed out after %d s" % RUN_TIMEOUT)
                for p, _ in procs:
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                proc.wait()
        report = []
        for (proc, out), command in zip(procs, commands):
            out.seek(0)
            text = out.read()
            report.append("$ %s  (exit %s)\n%s" % (os.path.basename(command[-1]), proc.returncode, text))
            if proc.returncode != 0:
                problems.append("%s exited with %s" % (os.path.basename(command[-1]), proc.returncode))
        return ("; ".join(problems), "\n".join(report)) if problems else (None, "\n".join(report))


class Failure(Exception):
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", required=True)
    parser.add_argument("--build", required=True)
    parser.add_argument("--cc", help="the C compiler command (enables c blocks)")
    parser.add_argument("--libpipc", help="the built libpipc.so (with --cc)")
    parser.add_argument("--python", help="the Python interpreter (enables python blocks)")
    parser.add_argument("--ruby", help="the Ruby interpreter (enables ruby blocks)")
    parser.add_argument("--go", help="the go command (enables go blocks)")
    parser.add_argument("--junit", help="write each example's result here (junit XML)")
    parser.add_argument("--shared-namespace", action="store_true",
                        help="run in this IPC namespace even where a private one is allowed")
    parser.add_argument("pages", nargs="*", help="Markdown files (default: README.md, docs/*.md)")
    args = parser.parse_args()
    args.source, args.build = os.path.abspath(args.source), os.path.abspath(args.build)
    enabled = {lang for lang in LANGUAGES if getattr(args, "cc" if lang == "c" else lang)}

    pages = [os.path.abspath(p) for p in args.pages]
    if not pages:
        pages = [os.path.join(args.source, "README.md")]
        docs = os.path.join(args.source, "docs")
        if os.path.isdir(docs):
            pages += sorted(os.path.join(docs, n) for n in os.listdir(docs) if n.endswith(".md"))
    units = []
    for page in pages:
        units += units_of(blocks_of(page, os.path.relpath(page, args.source)))

    private = enter_namespace(not args.shared_namespace)
    results = []   # (name, failure text or None, log)
    not_built = {}
    ran = {lang: 0 for lang in LANGUAGES}
    with tempfile.TemporaryDirectory(prefix="pipc-examples-") as work:
        runner = Runner(args, work)
        for unit in units:
            langs = [b.lang for b in unit]
            name = " + ".join("%s (%s)" % (b.where(), b.lang) for b in unit)
            missing = sorted(set(langs) - enabled)
            if missing:
                for lang in missing:
                    not_built[lang] = not_built.get(lang, 0) + 1
                print("not run (binding not built: %s): %s" % (", ".join(missing), name))
                continue
            failure, log = None, ""
            try:
                commands = [runner.prepare(b) for b in unit]
                for attempt in range(1, RUNS + 1):
                    before = ipc_objects()
                    failure, log = runner.run_group(commands)
                    after = ipc_objects()
                    left = {k: v for k, v in after.items() if k not in before}
                    if left:
                        remove_objects(left, private)
                        failure = ((failure + "; ") if failure else "") + \
                            "left behind: " + ", ".join(sorted(left))
                    if failure:
                        failure = "run %d: %s" % (attempt, failure)
                        break
            except (Failure, subprocess.SubprocessError, OSError) as error:
                failure = str(error)
            for lang in langs:
                ran[lang] += 1
            results.append((name, failure, log))
            print("%s %s" % ("FAIL" if failure else "ok  ", name))
            if failure:
                print("     " + failure.replace("\n", "\n     "))
                print("     " + log.replace("\n", "\n     "))

    if args.junit:
        suite = ET.Element("testsuite", name="examples", tests=str(len(results)),
                           failures=str(sum(1 for r in results if r[1])))
        for name, failure, log in results:
            case = ET.SubElement(suite, "testcase", classname="examples", name=name)
            if failure:
                ET.SubElement(case, "failure", message=failure.split("\n")[0]).text = log
        root = ET.Element("testsuites")
        root.append(suite)
        ET.ElementTree(root).write(args.junit, encoding="unicode")

    failed = sum(1 for r in results if r[1])
    print("blocks run per language: " + ", ".join("%s %d" % (l, ran[l]) for l in LANGUAGES) +
          ("; not built: " + ", ".join("%s %d" % kv for kv in sorted(not_built.items()))
           if not_built else "") + ("" if private else " (shared IPC namespace)"))
    print("examples: %d passed, %d failed" % (len(results) - failed, failed))
    if not results:
        print("no example ran")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
