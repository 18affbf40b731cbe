#!/bin/sh
# Fails when the built library $2 breaks the ABI recorded in $1 (an abidw dump of a
# release): a removed or changed function, or a changed type that a function reaches.
# Added functions pass, and so do the changes that the abigail suppression file $3
# (grown_at_end.suppr) describes: exactly those the headers call compatible, a versioned
# struct that the library hands out growing at its end (pipc_object; 0.1.0's dump
# predates it, so its growth is checked against the dumps of 0.2.0 on). abidiff's exit
# code is a bit set: 1 error, 2 usage error, 4 ABI change, 8 incompatible change.
# Additions set only 4, but so does a changed type that a function reaches (an options
# struct member's type, say), which abidiff does not call incompatible; so a 4 passes
# only when a second run that leaves additions out finds nothing.
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
suppressions=$3
# No default suppressions: nothing is hidden that this project did not decide to hide
# (in $suppressions).
# Only the interfaces the library exports count; the handles are opaque, so the types
# they reach are exactly the public headers' ones.
compare() {
  abidiff --no-default-suppression --exported-interfaces-only --fail-no-debug-info \
    "$@" "$baseline" "$lib"
}
incompatible() {
  echo "$lib is not ABI-compatible with $baseline: $1"
  exit 1
}
report=$(compare --suppressions "$suppressions")
rc=$?
if [ "$rc" -ne 0 ]; then
  printf '%s\n' "$report"
  [ "$rc" -eq 4 ] || incompatible "abidiff exit code $rc (bits: 1 error, 2 usage, 4 change, 8 incompatible change)"
  compare --suppressions "$suppressions" --no-added-syms >/dev/null ||
    incompatible "a changed function or type (abidiff exit code 4 without the additions)"
fi
# A suppressed type's report goes whole: with the appended member, libabigail (2.2) also
# hides changes to the members it had (one moved, retyped or renamed). Those fail: the
# same comparison without the suppressions, a line per change, must show none.
members=$(compare --leaf-changes-only | grep -E 'data member (change|deletion)')
if [ -n "$members" ]; then
  compare --leaf-changes-only
  incompatible "members of a struct changed, beyond members appended at its end"
fi
echo "ABI of $lib: compatible with $baseline (additions, and the growth $suppressions allows)"
exit 0
