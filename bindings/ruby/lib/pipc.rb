# frozen_string_literal: true

# libpipc for Ruby: POSIX and System V semaphores, shared memory and message queues,
# shared by name or key with C, Python and Go programs on the same machine.
#
#   require "pipc"
#   Pipc::Posix::Semaphore.open(nil, flags: Pipc::Posix::O_CREX, initial_value: 1) do |lock|
#     lock.synchronize { ... }
#   end
#
# Pipc::Mutex and Pipc::ConditionVariable are a robust lock and a condition variable that
# processes share, which tell the next owner when an owner died holding the lock.
# Pipc::Channel is a message channel in shared memory, many times faster than a queue.
# Pipc.objects lists the objects of the machine and who holds them (Pipc::Object).
# Pipc::Posix and Pipc::SysV hold the classes; errors derive from Pipc::Error (or, for
# bad arguments, from ArgumentError: Pipc::InvalidArgumentError).
module Pipc
end

require_relative "pipc/errors"
require "pipc/lowlevel"     # the SWIG extension (Pipc::Lowlevel); it reads the errors above
require_relative "pipc/handle"
require_relative "pipc/posix"
require_relative "pipc/sysv"
require_relative "pipc/inventory"
require_relative "pipc/mutex"
require_relative "pipc/channel"

module Pipc
  # The version of the libpipc library loaded, "MAJOR.MINOR.PATCH" (its pipc_version()).
  VERSION = Lowlevel::LIBRARY_VERSION.freeze
end
