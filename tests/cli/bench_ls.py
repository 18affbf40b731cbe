#!/usr/bin/env python3
"""Benchmark (not a test): pipc ls --holders over 10,000 objects of the six kinds and 500
processes holding some of them, beside lsipc (util-linux) and ls -l /dev/shm.

Runs itself in a private IPC and mount namespace (root: unshare --ipc --mount) with its
own /dev/shm and /dev/mqueue, raises the namespace's limits (kernel.msgmni, kernel.sem,
kernel.shmmni, fs.mqueue.queues_max) there, and prints the median of several runs.
Usage: bench_ls.py --pipc PIPC --holder CLI_HOLDER [--objects N] [--processes N] [--runs N]"""
import argparse
import os
import statistics
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--pipc", required=True)
parser.add_argument("--holder", required=True, help="cli_holder; bench_make is beside it")
parser.add_argument("--objects", type=int, default=10000)
parser.add_argument("--processes", type=int, default=500)
parser.add_argument("--runs", type=int, default=5)
args = parser.parse_args()


def isolate():
    if os.environ.get("PIPC_BENCH_ISOLATED") == "1":
        return True
    if subprocess.run(["unshare", "--ipc", "--mount", "true"], capture_output=True).returncode != 0:
        print("bench_ls.py: no private IPC namespace (needs root): running on the machine's namespace")
        return False
    script = ('mkdir -p /dev/mqueue && mount -t tmpfs -o size=512m,mode=1777 pipc-bench /dev/shm && '
              'mount -t mqueue pipc-bench /dev/mqueue && PIPC_BENCH_ISOLATED=1 exec "$@"')
    os.execvp("unshare", ["unshare", "--ipc", "--mount", "--propagation", "private", "--",
                          "sh", "-eu", "-c", script, "sh", sys.executable, *sys.argv])


def raise_limits(n):
    per_kind = n // 6 + 16
    for path, value in [("/proc/sys/kernel/msgmni", per_kind),
                        ("/proc/sys/kernel/shmmni", per_kind),
                        ("/proc/sys/kernel/sem", f"250 {per_kind * 250} 32 {per_kind}"),
                        ("/proc/sys/fs/mqueue/queues_max", per_kind)]:
        try:
            with open(path, "w") as f:
                f.write(str(value))
        except OSError as e:
            print(f"could not raise {path}: {e}")
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_MSGQUEUE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (OSError, ValueError) as e:
        print(f"could not raise RLIMIT_MSGQUEUE: {e}")


def median_seconds(argv, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.decode()}")
    return statistics.median(times), r.stdout.decode().count("\n")


def main():
    isolated = isolate()
    if isolated:
        raise_limits(args.objects)
    make = os.path.join(os.path.dirname(args.holder), "bench_make")
    p = subprocess.Popen([make, str(args.objects), str(args.processes)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    try:
        line = p.stdout.readline().decode().split()
        if not line or line[0] != "ready":
            raise SystemExit("bench_make failed")
        made = int(line[1])
        print(f"objects: {made} (of {args.objects} asked), holding processes: {args.processes}, "
              f"isolated: {isolated}, runs: {args.runs} (median)")
        results = [
            ("pipc ls --holders", [args.pipc, "ls", "--holders"]),
            ("pipc ls", [args.pipc, "ls"]),
            ("pipc ls --holders --json", [args.pipc, "ls", "--holders", "--json"]),
            ("lsipc -m; lsipc -q; lsipc -s", ["sh", "-c", "lsipc -m; lsipc -q; lsipc -s"]),
            ("ls -l /dev/shm", ["ls", "-l", "/dev/shm"]),
        ]
        for label, argv in results:
            seconds, lines = median_seconds(argv, args.runs)
            print(f"{label:32s} {seconds * 1000:8.1f} ms  ({lines} lines)")
    finally:
        p.stdin.close()
        p.wait()


if __name__ == "__main__":
    main()
