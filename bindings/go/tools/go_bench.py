"""Runs `go test -bench ...` and prints, after its output, each Go benchmark's time per
operation over its C counterpart's from the same run: BenchmarkX and BenchmarkCX. With
-count=N each figure is the median of its N results.

usage: go_bench.py GO test [args...]"""
import re
import statistics
import subprocess
import sys

LINE = re.compile(r"^Benchmark(\w+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op")

# The targets of the issue: Go over C, at most.
TARGETS = {"SemaphorePair": 10.0, "MessageQueuePair": 1.3}


def main():
    proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True)
    sys.stdout.write(proc.stdout)
    runs = {}
    for m in filter(None, map(LINE.match, proc.stdout.splitlines())):
        runs.setdefault(m.group(1), []).append(float(m.group(2)))
    ns = {name: statistics.median(values) for name, values in runs.items()}
    print("\nGo / C, median ns per operation (same run):")
    for name, go_ns in ns.items():
        c_ns = ns.get("C" + name)
        if name.startswith("C") or not c_ns:
            continue
        ratio = go_ns / c_ns
        target = TARGETS.get(name.split("/")[0])
        verdict = "" if target is None else f"  (target <= {target}x: {'met' if ratio <= target else 'MISSED'})"
        print(f"  {name:28} Go {go_ns:10.1f}  C {c_ns:10.1f}  ratio {ratio:5.2f}x{verdict}")
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
