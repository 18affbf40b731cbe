# frozen_string_literal: true

# The semaphore holder, in Ruby: a synchronize block holds the semaphore (released however
# the block ends) while it adds 1 to the counter in shared memory, slowly enough that an
# unguarded increment would lose updates.    holder.rb SEMAPHORE COUNTER ROUNDS
require "pipc"

Posix = Pipc::Posix

rounds = Integer(ARGV[2], exception: false)
unless ARGV.size == 3 && rounds&.positive?
  warn "usage: #{File.basename($PROGRAM_NAME)} SEMAPHORE COUNTER ROUNDS"
  exit 2
end
sem_name, counter_name = ARGV
$stdout.sync = true

Posix::Semaphore.open(sem_name) do |semaphore|
  Posix::SharedMemory.open(counter_name) do |memory|
    rounds.times do
      semaphore.synchronize do
        seen = memory.read(8).unpack1("Q<")
        sleep 0.001   # widens the window another process would race into
        memory.write([seen + 1].pack("Q<"))
        puts "Ruby holds the semaphore: counter #{seen} -> #{seen + 1}"
      end
    end
  end
end
