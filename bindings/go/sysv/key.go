package sysv

import (
	"io/fs"
	"time"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/raw"
)

// Key finds a System V object: a value from KeyMin to KeyMax (others give
// pipc.ErrInvalid).
type Key int64

var (
	// KeyMin and KeyMax bound the keys (the kernel's key_t).
	KeyMin = Key(raw.PGO_SYSV_KEY_MIN)
	KeyMax = Key(raw.PGO_SYSV_KEY_MAX) // see KeyMin
	// IPCPrivate creates a new object that no key finds (reach it by its id).
	IPCPrivate = Key(raw.PGO_IPC_PRIVATE)
	// KeyRandom, with Create, creates an object under a random unused key (read it
	// back with Key()). It implies Exclusive.
	KeyRandom = Key(raw.PGO_KEY_RANDOM)
)

// Ftok is the key ftok(3) makes of path (which must exist) and the low 8 bits of id.
func Ftok(path string, id int) (Key, error) {
	const op = "ftok"
	if path == "" {
		return 0, errs.Invalid(op, "empty path")
	}
	key := make([]int64, 1)
	_, err := errs.Call(op, func() int { return raw.Pipc_ftok(key, path, id) })
	return Key(key[0]), err
}

// Options are the open options of every System V object.
type Options struct {
	Create    bool        // create the object if no object has the key
	Exclusive bool        // with Create: fail with pipc.ErrExist if one has
	Mode      fs.FileMode // a new object's permission bits (0777 at most); 0: 0600.
	// Opening an existing object, Mode is the access asked for (0400: read only).
}

func (o Options) bits(op string) (flags, mode uint, err error) {
	if o.Create {
		flags |= uint(raw.PIPC_CREAT)
	}
	if o.Exclusive {
		flags |= uint(raw.PIPC_EXCL)
	}
	switch {
	case o.Mode == 0:
		mode = uint(raw.PIPC_DEFAULT_MODE)
	case o.Mode&^fs.ModePerm != 0:
		return 0, 0, errs.Invalid(op, "mode has bits other than permission bits")
	default:
		mode = uint(o.Mode)
	}
	return flags, mode, nil
}

// Perm are the owner and permission fields of every System V object.
type Perm struct {
	Key  Key         // IPCPrivate once removed while still in use
	UID  uint32      // owner (settable)
	GID  uint32      // owner's group (settable)
	CUID uint32      // creator
	CGID uint32      // creator's group
	Mode fs.FileMode // permission bits (settable)
}

func perm(f []int64) Perm {
	return Perm{Key(f[0]), uint32(f[1]), uint32(f[2]), uint32(f[3]), uint32(f[4]), fs.FileMode(f[5])}
}

// unixTime is a stat time: the zero time.Time for "never".
func unixTime(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}
