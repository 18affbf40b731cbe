package pipc

import (
	"io/fs"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/raw"
)

// OpenFlags are the ways of opening shared by every object.
type OpenFlags struct {
	Create    bool // create the object if it does not exist
	Exclusive bool // with Create: fail with ErrExist if it exists
}

// flags are pipc's bits for o; a random name ("") always creates.
func (o OpenFlags) flags(name string) uint {
	var f uint
	if o.Create || name == "" {
		f |= uint(raw.PIPC_CREAT)
	}
	if o.Exclusive {
		f |= uint(raw.PIPC_EXCL)
	}
	return f
}

// modeBits are a new object's permission bits: 0 means the default, 0600.
func modeBits(op string, m fs.FileMode) (uint, error) {
	if m == 0 {
		return uint(raw.PIPC_DEFAULT_MODE), nil
	}
	if m&^fs.ModePerm != 0 {
		return 0, errs.Invalid(op, "mode has bits other than permission bits")
	}
	return uint(m), nil
}

// Access says which ends of an object a handle may use.
type Access int

const (
	ReadWrite Access = iota // both ends (the default)
	ReadOnly                // receive or read only
	WriteOnly               // send only
)

func (a Access) bits(op string) (uint, error) {
	switch a {
	case ReadWrite:
		return uint(raw.PIPC_READ | raw.PIPC_WRITE), nil
	case ReadOnly:
		return uint(raw.PIPC_READ), nil
	case WriteOnly:
		return uint(raw.PIPC_WRITE), nil
	}
	return 0, errs.Invalid(op, "unknown access")
}
