#!/bin/sh
# Fails unless test_closed_handles.cpp ($2) calls every function that the public
# headers (in $1) declare with a handle parameter (pipc_X *, not pipc_X **).
set -eu
headers=$1
test_source=$2
# One declaration per line, then the ones whose parameters include a handle.
declared=$(cat "$headers"/*.h | tr '\n' ' ' | sed 's/PIPC_API/\nPIPC_API/g' | sed 's/;.*//' |
  grep -E '^PIPC_API .*[(,] *pipc_(sem|shm|mq|sysv_sem|sysv_shm|sysv_mq|objects|mutex|cond|channel) \*[a-z_]+ *[,)]' |
  sed -E 's/^PIPC_API [^(]*[ *](pipc_[a-z_]+) *\(.*/\1/' | sort -u)
[ -n "$declared" ] || { echo "no handle functions found in $headers"; exit 1; }
missing=""
for fn in $declared; do
  grep -q "\"$fn\"" "$test_source" || missing="$missing $fn"
done
if [ -n "$missing" ]; then
  echo "not covered by $test_source:$missing"
  exit 1
fi
echo "$(echo "$declared" | wc -l) handle functions, each covered"
