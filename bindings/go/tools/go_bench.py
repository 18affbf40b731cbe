"""Builds the package's test binary once, runs its benchmarks ROUNDS times (every
benchmark once per round, each in a process of its own so that none inherits another's
heap or threads; Go and C alternate, so drift of the machine affects both alike), and
prints each Go benchmark's median time per operation over the median of
its counterparts from the same run: BenchmarkCX (the operations in a C loop) and, where
there is one, BenchmarkCgoX (one bare cgo call per operation, no binding: the least a
Go program can pay) and BenchmarkSyncX (the Go standard library's in-process
equivalent, for information). Then the ratios between Go benchmarks that RATIOS
names: how many times the first one's messages per second the second's are.

usage: go_bench.py ROUNDS GO [go test build flags...]   (run in the package's directory)"""
import os
import re
import statistics
import subprocess
import sys
import tempfile

LINE = re.compile(r"^Benchmark(\w+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op")

# The targets of the issue: Go over C, at most.
TARGETS = {"SemaphorePair": 10.0, "MessageQueuePair": 1.3}

# Go against Go: (faster, slower, goal) -- slower's ns per operation over faster's, at least goal.
RATIOS = [("Stream64Channel", "Stream64MessageQueue", 3.0)]  # issue 16: a channel >= 3x the queue


def run(binary, *args):
    return subprocess.run([binary, *args], stdout=subprocess.PIPE, text=True, check=True).stdout


def run_rounds(binary, rounds):
    benchmarks = run(binary, "-test.list", "^Benchmark").split()
    runs = {}
    for i in range(rounds):
        print(f"--- round {i + 1} of {rounds}", flush=True)
        for benchmark in benchmarks:
            out = run(binary, "-test.run", "^$", "-test.bench", f"^{benchmark}$", "-test.benchmem")
            for m in filter(None, map(LINE.match, out.splitlines())):
                print(m.string, flush=True)
                runs.setdefault(m.group(1), []).append(float(m.group(2)))
    return {name: statistics.median(values) for name, values in runs.items()}


def report(ns):
    print("\nGo / C, median ns per operation (same run):")
    for name, go_ns in ns.items():
        c_ns = ns.get("C" + name)
        if name.startswith(("C", "Cgo", "Sync")) or not c_ns:
            continue
        ratio = go_ns / c_ns
        target = TARGETS.get(name)
        verdict = "" if target is None else f"  (target <= {target}x: {'met' if ratio <= target else 'MISSED'})"
        print(f"  {name:28} Go {go_ns:10.1f}  C {c_ns:10.1f}  ratio {ratio:5.2f}x{verdict}")
        cgo_ns = ns.get("Cgo" + name)
        if cgo_ns:
            print(f"  {'':28} bare cgo {cgo_ns:4.1f} ({cgo_ns / c_ns:5.2f}x C); "
                  f"the binding adds {go_ns - cgo_ns:.1f} ns ({go_ns / cgo_ns:4.2f}x bare cgo)")
        sync_ns = ns.get("Sync" + name)
        if sync_ns:
            print(f"  {'':28} in-process Go sync {sync_ns:4.1f} ({go_ns / sync_ns:5.1f}x that)")
    for fast, slow, goal in RATIOS:
        if fast in ns and slow in ns:
            ratio = ns[slow] / ns[fast]
            print(f"\n{fast} against {slow}, median ns per message (same run):\n"
                  f"  {ns[fast]:.1f} against {ns[slow]:.1f}: {ratio:.2f}x the messages per second"
                  f"  (goal >= {goal}x: {'met' if ratio >= goal else 'MISSED'})")


def main():
    rounds, go, build_flags = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "bench.test")
        subprocess.run([go, "test", "-c", "-o", binary, *build_flags, "."], check=True)
        version = subprocess.run([go, "env", "GOVERSION"], stdout=subprocess.PIPE, text=True)
        print(f"{version.stdout.strip()}, {rounds} rounds", flush=True)
        report(run_rounds(binary, rounds))


if __name__ == "__main__":
    main()
