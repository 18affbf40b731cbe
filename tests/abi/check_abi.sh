#!/bin/sh
# Fails when the built library $2 breaks the ABI recorded in $1 (an abidw dump of a
# release): a removed or changed function, or a changed type that a function reaches.
# Added functions pass. abidiff's exit code is a bit set: 1 error, 2 usage error,
# 4 ABI change, 8 incompatible change. Additions set only 4, and so do compatible-
# looking changes of a function's types (a field of an options struct changing type),
# so a 4 is judged by a second run that leaves additions out: only then is it 0.
set -u
if ! command -v abidiff >/dev/null 2>&1; then
  echo "abidiff not found: the ABI check needs Debian's abigail-tools"
  exit 77
fi
baseline=$1
lib=$2
# No default suppressions: nothing is hidden that this project did not decide to hide.
# Only the interfaces the library exports count; the handles are opaque, so the types
# they reach are exactly the public headers' ones.
compare() {
  abidiff --no-default-suppression --exported-interfaces-only --fail-no-debug-info \
    "$@" "$baseline" "$lib"
}
report=$(compare)
rc=$?
if [ "$rc" -eq 0 ]; then
  echo "ABI of $lib matches $baseline"
  exit 0
fi
if [ "$rc" -eq 4 ]; then
  compare --no-added-syms >/dev/null
  if [ $? -eq 0 ]; then
    printf '%s\n' "$report"
    echo "only additions to the ABI of $baseline: compatible"
    exit 0
  fi
fi
printf '%s\n' "$report"
echo "abidiff exit code $rc: $lib is not ABI-compatible with $baseline" \
  "(bits: 1 error, 2 usage, 4 change, 8 incompatible change)"
exit 1
