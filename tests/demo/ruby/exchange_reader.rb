# frozen_string_literal: true

# The reader of the exchange demonstration, in Ruby: opens the writer's segment and
# semaphores by name, waits for "ready", prints the greeting, answers in the segment and
# signals "done".    exchange_reader.rb SHM READY DONE
require "pipc"

Posix = Pipc::Posix
ANSWER_AT = 1024

unless ARGV.size == 3
  warn "usage: #{File.basename($PROGRAM_NAME)} SHM READY DONE"
  exit 2
end
shm_name, ready_name, done_name = ARGV

Posix::SharedMemory.open(shm_name) do |memory|
  Posix::Semaphore.open(ready_name) do |ready|
    Posix::Semaphore.open(done_name) do |done|
      ready.acquire(timeout: 30)
      puts %(read "#{memory.read(ANSWER_AT).unpack1('Z*')}")
      memory.write("hello back from Ruby (pid #{Process.pid})\0", ANSWER_AT)
      done.release
    end
  end
end
