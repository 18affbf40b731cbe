#!/bin/sh
# Fails unless the shared library $1 exports only pipc_* functions (plus the
# version nodes of its linker script, LIBPIPC_*).
set -eu
lib=$1
symbols=$(nm -D --defined-only "$lib" | awk '{print $3}')
[ -n "$symbols" ] || { echo "no exported symbols in $lib"; exit 1; }
stray=$(printf '%s\n' "$symbols" | grep -v -e '^pipc_' -e '^LIBPIPC_' || true)
if [ -n "$stray" ]; then
  echo "exported symbols outside pipc_*:"
  printf '%s\n' "$stray"
  exit 1
fi
echo "$(printf '%s\n' "$symbols" | grep -c '^pipc_') pipc_* symbols exported, nothing else"
