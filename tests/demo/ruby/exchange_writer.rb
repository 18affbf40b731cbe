# frozen_string_literal: true

# The writer of the exchange demonstration, in Ruby: creates a shared memory segment and
# two semaphores, writes a greeting, signals "ready", waits for "done", prints the reader's
# answer, and removes the three objects.    exchange_writer.rb SHM READY DONE
require "pipc"

Posix = Pipc::Posix
ANSWER_AT = 1024

unless ARGV.size == 3
  warn "usage: #{File.basename($PROGRAM_NAME)} SHM READY DONE"
  exit 2
end
shm_name, ready_name, done_name = ARGV
$stdout.sync = true   # the launcher starts the reader when it sees the first line

# Each block closes its object; each ensure removes it, whatever happened.
Posix::SharedMemory.open(shm_name, flags: Posix::O_CREX, size: 4096) do |memory|
  Posix::Semaphore.open(ready_name, flags: Posix::O_CREX) do |ready|
    Posix::Semaphore.open(done_name, flags: Posix::O_CREX) do |done|
      greeting = "hello from Ruby (pid #{Process.pid})"
      memory.write("#{greeting}\0")
      puts %(wrote "#{greeting}" into #{shm_name})
      ready.release
      done.acquire(timeout: 30)
      puts %(the reader answered "#{memory.read(1024, ANSWER_AT).unpack1('Z*')}")
    ensure
      done.unlink
    end
  ensure
    ready.unlink
  end
ensure
  memory.unlink
end
