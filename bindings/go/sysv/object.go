package sysv

import (
	"io/fs"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/handle"
	"libpipc.dev/pipc/internal/raw"
)

// family is one kind of System V object's C functions.
type family struct {
	noun    string
	close   func(uintptr) int
	dup     func([]uintptr, uintptr) int // nil for shared memory, which never waits
	id      func(uintptr) int
	key     func([]int64, uintptr) int
	created func(uintptr) int
	remove  func(uintptr) int
	setPerm func(uintptr, int64, int64, int64) int
	stat    func([]int64, uintptr) int
}

// object is what the three kinds share: the handle and what open fixed.
type object struct {
	h       handle.Handle
	fam     *family
	id      int
	key     Key
	created bool
}

// open finishes an open: p is the new C handle.
func (o *object) open(fam *family, op string, p uintptr) error {
	o.fam = fam
	o.h.Init(p, fam.close, fam.dup)
	key := make([]int64, 1)
	_, err := errs.Call(op, func() int { return fam.key(key, p) })
	if err == nil {
		o.id, err = errs.Call(op, func() int { return fam.id(p) })
	}
	if err != nil {
		o.h.Close()
		return err
	}
	o.key = Key(key[0])
	o.created = fam.created(p) == 1
	return nil
}

// ID is the kernel's id of the object.
func (o *object) ID() int { return o.id }

// Key is the key the object was opened with (the random one for KeyRandom).
func (o *object) Key() Key { return o.key }

// Created reports whether this open created the object.
func (o *object) Created() bool { return o.created }

// Remove removes the object now, for every process.
func (o *object) Remove() error {
	_, err := o.h.Call("remove "+o.fam.noun, o.fam.remove)
	return err
}

// Close releases the handle and ends the calls waiting on it, which return
// pipc.ErrClosed; never removes the object, and other handles to it are unaffected.
// Idempotent.
func (o *object) Close() error {
	o.h.Close()
	return nil
}

func (o *object) setPerm(uid, gid, mode int64) error {
	_, err := o.h.Call("set "+o.fam.noun+" permissions", func(p uintptr) int {
		return o.fam.setPerm(p, uid, gid, mode)
	})
	return err
}

// SetUID sets the owner's user id (IPC_SET).
func (o *object) SetUID(uid uint32) error {
	return o.setPerm(int64(uid), raw.PGO_SYSV_KEEP, raw.PGO_SYSV_KEEP)
}

// SetGID sets the owner's group id.
func (o *object) SetGID(gid uint32) error {
	return o.setPerm(raw.PGO_SYSV_KEEP, int64(gid), raw.PGO_SYSV_KEEP)
}

// SetMode sets the permission bits (0777 at most).
func (o *object) SetMode(mode fs.FileMode) error {
	if mode&^fs.ModePerm != 0 {
		return errs.Invalid("set "+o.fam.noun+" permissions", "mode has bits other than permission bits")
	}
	return o.setPerm(raw.PGO_SYSV_KEEP, raw.PGO_SYSV_KEEP, int64(mode))
}

// statFields reads the kernel's stat fields (raw.i's pgo_sysv_*_stat layout).
func (o *object) statFields() ([]int64, error) {
	f := make([]int64, raw.PGO_STAT_FIELDS)
	_, err := o.h.Call(o.fam.noun+" stat", func(p uintptr) int { return o.fam.stat(f, p) })
	return f, err
}

// openID opens the object with this id.
func openID(op string, id int, f func([]uintptr, int64) int) (uintptr, error) {
	if id < 0 {
		return 0, errs.Invalid(op, "negative id")
	}
	out := make([]uintptr, 1)
	_, err := errs.Call(op, func() int { return f(out, int64(id)) })
	return out[0], err
}

func removeID(op string, id int, f func(int64) int) error {
	if id < 0 {
		return errs.Invalid(op, "negative id")
	}
	_, err := errs.Call(op, func() int { return f(int64(id)) })
	return err
}
