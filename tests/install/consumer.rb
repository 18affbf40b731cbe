# frozen_string_literal: true

# A Ruby program against the installed pipc library: a semaphore with a random name,
# created, used and removed.
require "pipc"

Pipc::Posix::Semaphore.open(nil, flags: Pipc::Posix::O_CREX) do |sem|
  sem.unlink
  sem.release
  sem.acquire(timeout: 0)
end
puts "Ruby: pipc from #{$LOADED_FEATURES.grep(%r{/pipc\.rb\z}).first}"
