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

// UserSignalMin and UserSignalMax bound the real-time signals the C library leaves to
// programs (SIGRTMIN..SIGRTMAX as it sees them), for NotifySignal.
func UserSignalMin() syscall.Signal { return syscall.Signal(raw.Pipc_signal_min()) }
func UserSignalMax() syscall.Signal { return syscall.Signal(raw.Pipc_signal_max()) }

// The system's message queue defaults and limits (/proc/sys/fs/mqueue).
func DefaultMaxMessages() int64    { return raw.Pipc_mq_default_max_messages() }
func DefaultMaxMessageSize() int64 { return raw.Pipc_mq_default_max_message_size() }
func LimitMaxMessages() int64      { return raw.Pipc_mq_limit_max_messages() }
func LimitMaxMessageSize() int64   { return raw.Pipc_mq_limit_max_message_size() }
