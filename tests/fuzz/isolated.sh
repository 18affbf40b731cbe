#!/bin/sh
# Runs a command (a fuzz target) in a private IPC and mount namespace with a fresh
# tmpfs on /dev/shm and the mqueue filesystem on /dev/mqueue: nothing it does can
# reach the machine's IPC objects, and nothing it makes outlives it (a namespace's
# objects go with its last process). The command sees PIPC_FUZZ_ISOLATED=1, which
# the targets verify and rely on (isolation.hpp).
#
# As root the namespaces are made directly, otherwise inside a user namespace.
# Where neither is permitted the command runs as it is, and the targets keep to
# names and keys of their own.
set -eu
[ "$#" -gt 0 ] || { echo "usage: $0 command [args...]" >&2; exit 2; }

if [ "${PIPC_FUZZ_ISOLATED:-}" != 1 ]; then
  for user_ns in "" "--user --map-root-user"; do
    # shellcheck disable=SC2086  # $user_ns is zero or two words
    if unshare $user_ns --ipc --mount true 2>/dev/null; then
      # shellcheck disable=SC2086,SC2016  # the inner script expands its own "$@"
      exec unshare $user_ns --ipc --mount --propagation private -- sh -eu -c '
        mkdir -p /dev/mqueue
        mount -t tmpfs -o size=256m,mode=1777 pipc-fuzz /dev/shm
        mount -t mqueue pipc-fuzz /dev/mqueue
        PIPC_FUZZ_ISOLATED=1 exec "$@"' isolated.sh "$@"
    fi
  done
  echo "isolated.sh: no private IPC namespace permitted here; running $1 without one" >&2
fi
exec "$@"
