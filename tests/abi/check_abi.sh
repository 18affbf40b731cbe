#!/bin/sh
# Fails when the built library $2 breaks the ABI recorded in $1 (an abidw dump of a
# release): a removed or changed function, or a changed type that a function reaches.
# Added functions pass. abidiff's exit code is a bit set: 1 error, 2 usage error,
# 4 ABI change, 8 incompatible change. Additions set only 4, but so does a changed
# type that a function reaches (an options struct member's type, say), which abidiff
# does not call incompatible; so a 4 passes only when a second run that leaves
# additions out finds nothing.
#
# A release's dump is made from its debugoptimized build, without anything that differs
# between machines (paths, source locations, DT_NEEDED):
#   abidw --no-corpus-path --no-comp-dir-path --no-elf-needed --no-show-locs \
#     --type-id-style hash --exported-interfaces-only \
#     --out-file tests/abi/libpipc-X.Y.0.abi build/libpipc/libpipc.so.0
# (--headers-dir is left out: with a dump without locations it makes abidiff take the
# public structs for private ones and filter their changes away.)
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
