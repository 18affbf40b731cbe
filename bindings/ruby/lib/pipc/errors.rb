# frozen_string_literal: true

module Pipc
  # What every libpipc exception carries: the pipc status (a negative Integer, as in
  # pipc.h), the OS errno behind it (0 if none) and, in the message, libpipc's detail.
  module ErrorDetail
    # The pipc status, a negative Integer (PIPC_* in pipc.h).
    attr_reader :status
    # The OS errno behind the error, 0 if none.
    attr_reader :errno
  end

  # Base class of the errors of IPC objects (DESIGN.md, "Status classes").
  class Error < StandardError
    include ErrorDetail
  end

  # The object does not exist, already exists, was removed, or was closed.
  class ExistentialError < Error; end
  # Permission denied, or the object was not opened for this (read-only, write-only).
  class PermissionsError < Error; end
  # The call would block (timeout 0, non-blocking mode) or its timeout expired.
  class BusyError < Error; end
  # A wait was interrupted by a signal (waits normally run the handlers and resume).
  class SignalError < Error; end
  # System V shared memory: the object is not attached.
  class NotAttachedError < Error; end
  # Pipc::Mutex: the lock was taken, but its previous owner (a thread or a process) died
  # holding it, so the state it guards may be half-changed. The thread that got this
  # error holds the lock: it repairs the state, calls Pipc::Mutex#consistent, then
  # Pipc::Mutex#unlock (an unlock without #consistent makes the lock unusable for good:
  # NotRecoverableError).
  class OwnerDeadError < Error; end
  # Pipc::Mutex: the lock was released after its owner's death without being marked
  # consistent, and can never be taken again (unlink it and make a new one).
  class NotRecoverableError < Error; end

  # A bad argument that only libpipc could judge: a bad name, a size or a value out of
  # range, a message longer than the queue allows.
  class InvalidArgumentError < ArgumentError
    include ErrorDetail
  end

  # The platform lacks the operation.
  class UnsupportedError < NotImplementedError
    include ErrorDetail
  end
end
