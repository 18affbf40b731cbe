#!/usr/bin/env bash
# The long fuzz run: every target (or those named) for RUNS executions (default ten
# million), each in a private IPC and mount namespace of its own (isolated.sh),
# JOBS at a time (default: one per CPU). Prints per target the executions, the
# seconds, exec/s and the coverage (cov) and features (ft) reached.
#
#   tests/fuzz/run_long.sh BUILD_DIR [TARGET...]    (BUILD_DIR configured with -Dfuzz=true)
#
# Inputs that add coverage go to BUILD_DIR/tests/fuzz/corpus/TARGET, crashes to
# BUILD_DIR/tests/fuzz/TARGET-crash-*, each run's output to .../long-TARGET.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ "$#" -ge 1 ] || { echo "usage: $0 BUILD_DIR [TARGET...]" >&2; exit 2; }
out=$(cd "$1" && pwd)/tests/fuzz
shift
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(names options payloads keys ranges)
runs=${RUNS:-10000000}
jobs=${JOBS:-$(nproc)}

ninja -C "$out/../.." "${targets[@]/#/tests/fuzz/fuzz_}" >/dev/null

run_one() {
  local target=$1 start end
  start=$(date +%s.%N)
  "$here/isolated.sh" "$out/fuzz_$target" -runs="$runs" -print_final_stats=1 \
    -create_missing_dirs=1 -artifact_prefix="$out/$target-" \
    "$out/corpus/$target" "$here/corpus/$target" >"$out/long-$target.log" 2>&1 || true
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", e - s }' >"$out/long-$target.seconds"
}

for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  echo "started $target ($runs executions)"
  run_one "$target" &
done
wait

status=0
printf '%-10s %12s %8s %8s %6s %7s  %s\n' target executions seconds exec/s cov ft result
for target in "${targets[@]}"; do
  log=$out/long-$target.log
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  seconds=$(cat "$out/long-$target.seconds")
  rate=$(awk -v n="${executed:-0}" -v s="$seconds" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  result=ok
  if ! grep -q '^Done [0-9]* runs' "$log"; then
    result="FAILED: see $log"
    status=1
  fi
  printf '%-10s %12s %8s %8s %6s %7s  %s\n' "$target" "${executed:-?}" "$seconds" "$rate" \
    "${cov:-?}" "${ft:-?}" "$result"
done
exit $status
