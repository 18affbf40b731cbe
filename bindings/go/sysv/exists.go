package sysv

import (
	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/raw"
)

// Exists reports whether a System V object of kind (pipc.KindSysVSem, KindSysVShm or
// KindSysVMQ) has key. Another kind, or a key outside KeyMin..KeyMax, is
// pipc.ErrInvalid.
func Exists(key Key, kind pipc.Kind) (bool, error) {
	r, err := errs.Call("exists", func() int { return raw.Pipc_sysv_exists(int64(key), uint(kind)) })
	return r == 1, err
}
