package pipc

import (
	"io/fs"
	"strconv"
	"strings"
	"time"

	"libpipc.dev/pipc/internal/errs"
	"libpipc.dev/pipc/internal/raw"
)

// Kind is a set of kinds of IPC object, as bits: KindSem|KindShm selects both.
type Kind uint32

// The kinds of object Objects lists, and the sets of them.
const (
	KindSem     Kind = Kind(raw.PIPC_KIND_SEM)      // POSIX named semaphore
	KindShm     Kind = Kind(raw.PIPC_KIND_SHM)      // POSIX shared memory
	KindMQ      Kind = Kind(raw.PIPC_KIND_MQ)       // POSIX message queue
	KindSysVSem Kind = Kind(raw.PIPC_KIND_SYSV_SEM) // System V semaphore set
	KindSysVShm Kind = Kind(raw.PIPC_KIND_SYSV_SHM) // System V shared memory segment
	KindSysVMQ  Kind = Kind(raw.PIPC_KIND_SYSV_MQ)  // System V message queue
	KindPOSIX   Kind = KindSem | KindShm | KindMQ
	KindSysV    Kind = KindSysVSem | KindSysVShm | KindSysVMQ
	KindAll     Kind = KindPOSIX | KindSysV
)

// String is the kind's short name ("sem", "shm", "mq", "sysv_sem", "sysv_shm",
// "sysv_mq"), or the names of a set joined by "|".
func (k Kind) String() string {
	var names []string
	for bit := Kind(1); bit&KindAll != 0; bit <<= 1 {
		if k&bit != 0 {
			names = append(names, raw.Pipc_kind_name(uint(bit)))
		}
	}
	if rest := k &^ KindAll; rest != 0 || len(names) == 0 {
		names = append(names, "Kind("+strconv.FormatUint(uint64(rest), 10)+")")
	}
	return strings.Join(names, "|")
}

// Known tells which of an Object's optional fields hold a value: the others are 0.
type Known uint32

// The bits of Object.Known.
const (
	KnownValue       Known = Known(raw.PIPC_KNOWN_VALUE)        // Value
	KnownMessages    Known = Known(raw.PIPC_KNOWN_MESSAGES)     // Messages
	KnownQueueLimits Known = Known(raw.PIPC_KNOWN_QUEUE_LIMITS) // MaxMessages, MaxMessageSize
	KnownMaxBytes    Known = Known(raw.PIPC_KNOWN_MAX_BYTES)    // MaxBytes
	KnownCreator     Known = Known(raw.PIPC_KNOWN_CREATOR)      // CUID, CGID
	KnownCreatorPID  Known = Known(raw.PIPC_KNOWN_CREATOR_PID)  // CreatorPID
	KnownLastPID     Known = Known(raw.PIPC_KNOWN_LAST_PID)     // LastPID
	KnownAttaches    Known = Known(raw.PIPC_KNOWN_ATTACHES)     // Attaches
	KnownHolders     Known = Known(raw.PIPC_KNOWN_HOLDERS)      // Holders
	KnownLibpipc     Known = Known(raw.PIPC_KNOWN_LIBPIPC)      // LibpipcType
)

// Has reports whether every bit of b is set in k.
func (k Known) Has(b Known) bool { return k&b == b }

// String names the known fields' groups, joined by "|": "value", "messages",
// "queue_limits", "max_bytes", "creator", "creator_pid", "last_pid", "attaches",
// "holders", "libpipc".
func (k Known) String() string {
	var names []string
	for i, name := range []string{"value", "messages", "queue_limits", "max_bytes", "creator",
		"creator_pid", "last_pid", "attaches", "holders", "libpipc"} {
		if k&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, "|")
}

// LibpipcType is which of libpipc's own objects a shared memory segment holds.
type LibpipcType uint32

// The values of Object.LibpipcType (with KnownLibpipc).
const (
	LibpipcMutex   LibpipcType = LibpipcType(raw.PIPC_LIBPIPC_MUTEX)   // a Mutex
	LibpipcCond    LibpipcType = LibpipcType(raw.PIPC_LIBPIPC_COND)    // a Cond
	LibpipcChannel LibpipcType = LibpipcType(raw.PIPC_LIBPIPC_CHANNEL) // a Channel
)

// String is the type's short name ("mutex", "cond", "channel"), or
// "LibpipcType(N)" for another value.
func (t LibpipcType) String() string {
	if name := raw.Pipc_libpipc_type_name(uint(t)); name != "" {
		return name
	}
	return "LibpipcType(" + strconv.FormatUint(uint64(t), 10) + ")"
}

// Hold is the set of ways a process holds an object.
type Hold uint32

// The bits of Holder.How.
const (
	HoldFD      Hold = Hold(raw.PIPC_HOLD_FD)      // an open file descriptor
	HoldMap     Hold = Hold(raw.PIPC_HOLD_MAP)     // a mapping
	HoldAttach  Hold = Hold(raw.PIPC_HOLD_ATTACH)  // a System V attachment
	HoldLastOp  Hold = Hold(raw.PIPC_HOLD_LAST_OP) // made the last System V operation, and is alive
	HoldCreator Hold = Hold(raw.PIPC_HOLD_CREATOR) // created the System V segment, and is alive
)

// String names the ways, joined by "|": "fd", "map", "attach", "last_op", "creator".
func (h Hold) String() string {
	var names []string
	for i, name := range []string{"fd", "map", "attach", "last_op", "creator"} {
		if h&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, "|")
}

// Holder is a process that holds an object.
type Holder struct {
	PID     int    // the process
	How     Hold   // the ways it holds the object
	UID     uint32 // the process's real user id
	Command string // its command line, arguments joined by spaces; "" if unreadable
}

// Object is one IPC object as the OS describes it. A field another kind has not, or
// that Known says is not known, is zero. Shared memory that holds one of libpipc's own
// objects (a Mutex, Cond or Channel) is KindShm with KnownLibpipc and LibpipcType saying
// which; a channel also has Messages, MaxMessages (its slots) and MaxMessageSize.
type Object struct {
	Kind Kind        // a single kind
	Name string      // POSIX: "/NAME"
	Key  int64       // System V: the key (0 is IPC_PRIVATE)
	ID   int64       // System V: the kernel's id
	UID  uint32      // the owner's user id
	GID  uint32      // the owner's group id
	CUID uint32      // System V: the creator's user id (KnownCreator)
	CGID uint32      // System V: the creator's group id (KnownCreator)
	Mode fs.FileMode // the permission bits
	// Removed: a System V segment marked for removal, alive until its last detach.
	Removed bool
	// Semaphores: a System V set's semaphores; 1 for a POSIX semaphore; else 0.
	Semaphores     uint32
	Size           uint64 // shared memory: bytes; queues: bytes of the messages queued
	Value          int64  // a semaphore's value (a System V set's first) (KnownValue)
	Messages       uint64 // a queue's or channel's messages (KnownMessages)
	MaxMessages    uint64 // a POSIX queue's or channel's capacity (KnownQueueLimits)
	MaxMessageSize uint64 // a POSIX queue's or channel's message size limit (KnownQueueLimits)
	MaxBytes       uint64 // a System V queue's capacity in bytes (KnownMaxBytes)
	Attaches       uint64 // a System V segment's attachments (KnownAttaches)
	CreatorPID     int    // System V shared memory: the creating process (KnownCreatorPID)
	LastPID        int    // System V: the process of the last operation (KnownLastPID)
	// Changed is the last change of owner, mode or size; Modified the last
	// modification (POSIX); Operated the last operation (System V). Zero: never or
	// unknown. The kernel keeps System V times in whole seconds.
	Changed, Modified, Operated time.Time
	Device, Inode               uint64      // POSIX: the file's
	Known                       Known       // which optional fields hold a value
	Holders                     []Holder    // with holders (KnownHolders): the processes holding it
	LibpipcType                 LibpipcType // shared memory: the libpipc object in it (KnownLibpipc)
}

// Objects lists the IPC objects of kinds on this machine (its IPC namespace), in kind
// order and then by name or id. kinds 0 is every kind the machine offers (POSIX queues
// only where the mqueue filesystem is mounted). With holders it also finds the
// processes that hold each object (one pass over /proc); unseen is then how many
// processes it could not look into (another user's, without CAP_SYS_PTRACE), whose
// holds are not listed.
//
// Errors: ErrInvalid for kinds outside KindAll, ErrUnsupported for KindMQ where the
// mqueue filesystem is not mounted, ErrPermission, or an *Error.
func Objects(kinds Kind, holders bool) (objects []Object, unseen int, err error) {
	const op = "objects"
	if kinds&^KindAll != 0 {
		return nil, 0, errs.Invalid(op, "unknown kind bits "+kinds.String())
	}
	h := 0
	if holders {
		h = 1
	}
	inv := make([]uintptr, 1)
	n, err := errs.Call(op, func() int { return raw.Pgo_inventory_take(inv, uint(kinds), h) })
	if err != nil {
		return nil, 0, err
	}
	defer raw.Pgo_inventory_free(inv[0])
	objects = make([]Object, n)
	f := make([]int64, raw.PGO_OBJECT_FIELDS)
	hf := make([]int64, raw.PIPC_HOLDER_FIELDS)
	for i := range objects {
		raw.Pgo_inventory_object(f, inv[0], uint64(i))
		o := &objects[i]
		*o = Object{
			Kind: Kind(f[raw.PIPC_OBJ_KIND]), Key: f[raw.PIPC_OBJ_KEY], ID: f[raw.PIPC_OBJ_ID],
			UID: uint32(f[raw.PIPC_OBJ_UID]), GID: uint32(f[raw.PIPC_OBJ_GID]),
			CUID: uint32(f[raw.PIPC_OBJ_CUID]), CGID: uint32(f[raw.PIPC_OBJ_CGID]),
			Mode: fs.FileMode(f[raw.PIPC_OBJ_MODE]) & fs.ModePerm, Removed: f[raw.PIPC_OBJ_REMOVED] != 0,
			Semaphores: uint32(f[raw.PIPC_OBJ_SEMAPHORES]), Size: uint64(f[raw.PIPC_OBJ_SIZE]),
			Value: f[raw.PIPC_OBJ_VALUE], Messages: uint64(f[raw.PIPC_OBJ_MESSAGES]),
			MaxMessages:    uint64(f[raw.PIPC_OBJ_MAX_MESSAGES]),
			MaxMessageSize: uint64(f[raw.PIPC_OBJ_MAX_MESSAGE_SIZE]),
			MaxBytes:       uint64(f[raw.PIPC_OBJ_MAX_BYTES]), Attaches: uint64(f[raw.PIPC_OBJ_ATTACHES]),
			CreatorPID: int(f[raw.PIPC_OBJ_CREATOR_PID]), LastPID: int(f[raw.PIPC_OBJ_LAST_PID]),
			Changed: unixTime(f[raw.PIPC_OBJ_CHANGED]), Modified: unixTime(f[raw.PIPC_OBJ_MODIFIED]),
			Operated: unixTime(f[raw.PIPC_OBJ_OPERATED]),
			Device:   uint64(f[raw.PIPC_OBJ_DEVICE]), Inode: uint64(f[raw.PIPC_OBJ_INODE]),
			Known: Known(f[raw.PIPC_OBJ_FIELDS]), LibpipcType: LibpipcType(f[raw.PIPC_OBJ_LIBPIPC_TYPE]),
		}
		if o.Kind&KindPOSIX != 0 {
			o.Name = raw.Pgo_inventory_name(inv[0], uint64(i))
		}
		if o.Known.Has(KnownHolders) {
			first := f[raw.PIPC_OBJ_FIELDS+1]
			o.Holders = make([]Holder, f[raw.PIPC_OBJ_HOLDER_COUNT])
			for j := range o.Holders {
				index := uint64(first) + uint64(j)
				raw.Pgo_inventory_holder(hf, inv[0], index)
				o.Holders[j] = Holder{PID: int(hf[raw.PIPC_HOLDER_PID]), How: Hold(hf[raw.PIPC_HOLDER_HOW]),
					UID: uint32(hf[raw.PIPC_HOLDER_UID]), Command: raw.Pgo_inventory_command(inv[0], index)}
			}
		}
	}
	return objects, raw.Pgo_inventory_unseen(inv[0]), nil
}

// unixTime is the time of ns nanoseconds since the epoch; the zero Time for 0.
func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}
