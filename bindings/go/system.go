package pipc

import (
	"syscall"

	"libpipc.dev/pipc/internal/raw"
)

// Version is the version of the libpipc library loaded, "MAJOR.MINOR.PATCH".
func Version() string { return raw.Pipc_version() }

// Has reports whether this build and system offer a feature: "posix_sem",
// "sem_timedwait", "sem_clockwait", "sem_getvalue", "posix_shm", "posix_mq",
// "mq_notify", "sysv".
func Has(feature string) bool { return raw.Pipc_has(feature) == 1 }

// PageSize is the system's page size.
func PageSize() int64 { return raw.Pipc_page_size() }

// SemaphoreValueMax is the highest value a POSIX semaphore may hold.
func SemaphoreValueMax() int64 { return raw.Pipc_sem_value_max() }

// MessagePriorityMax is the highest priority a message may have.
func MessagePriorityMax() int64 { return raw.Pipc_mq_priority_max() }

// UserSignalMin is the lowest real-time signal the C library leaves to programs
// (SIGRTMIN as it sees it), for NotifySignal.
func UserSignalMin() syscall.Signal { return syscall.Signal(raw.Pipc_signal_min()) }

// UserSignalMax is the highest real-time signal the C library leaves to programs
// (SIGRTMAX as it sees it).
func UserSignalMax() syscall.Signal { return syscall.Signal(raw.Pipc_signal_max()) }

// DefaultMaxMessages is the system's default capacity of a new message queue, in
// messages (/proc/sys/fs/mqueue/msg_default).
func DefaultMaxMessages() int64 { return raw.Pipc_mq_default_max_messages() }

// DefaultMaxMessageSize is the system's default longest message of a new queue, in
// bytes (/proc/sys/fs/mqueue/msgsize_default).
func DefaultMaxMessageSize() int64 { return raw.Pipc_mq_default_max_message_size() }

// LimitMaxMessages is the most messages a queue may be created to hold without
// privilege (/proc/sys/fs/mqueue/msg_max).
func LimitMaxMessages() int64 { return raw.Pipc_mq_limit_max_messages() }

// LimitMaxMessageSize is the longest message a queue may be created to take without
// privilege (/proc/sys/fs/mqueue/msgsize_max).
func LimitMaxMessageSize() int64 { return raw.Pipc_mq_limit_max_message_size() }
