# frozen_string_literal: true

# Pipc's Ruby hot paths against the C API, in one run: semaphore release+acquire, POSIX
# queue send+receive of 16 B, a 4 KiB shared memory write, and an uncontended robust
# mutex lock+unlock. The C figures come from tests/bench's bench_c_api (its "pipc"
# column) and from bench/shm_write.c. Then, informative: Pipc::Mutex#synchronize against
# Ruby's own ::Mutex#synchronize, both uncontended (a process-local lock, which no crash
# can leave locked for others).
# Usage: bench_ruby.rb BENCH_C_API SHM_WRITE_BENCH [--quick]
require "pipc"
require "open3"

quick = ARGV.delete("--quick")
bench_c_api, shm_write = ARGV
abort "usage: bench_ruby.rb BENCH_C_API SHM_WRITE_BENCH [--quick]" unless bench_c_api && shm_write
ROUNDS = quick ? 1 : 9
ROUND_SECONDS = quick ? 0.01 : 0.25
BATCH = 1000

def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

# Median ns per operation of ROUNDS rounds of about ROUND_SECONDS, BATCH ops per call.
def measure
  yield # warm up
  times = Array.new(ROUNDS) do
    calls = 0
    start = now
    loop do
      yield
      calls += 1
      break if now - start >= ROUND_SECONDS
    end
    (now - start) * 1e9 / (calls * BATCH)
  end
  times.sort[times.size / 2]
end

def c_figure(command, pattern)
  out, status = Open3.capture2(*command)
  abort "#{command.first} failed" unless status.success?
  line = out.lines.find { |l| l.start_with?(pattern) } or abort "no '#{pattern}' line from #{command.first}"
  line.delete_prefix(pattern).split.map(&:to_f)
end

flags = Pipc::Posix::O_CREX
sem = Pipc::Posix::Semaphore.new(nil, flags: flags)
queue = Pipc::Posix::MessageQueue.new(nil, flags: flags, max_messages: 10, max_message_size: 8192) # as bench_c_api
memory = Pipc::Posix::SharedMemory.new(nil, flags: flags, size: 4096)
mutex = Pipc::Mutex.new
[sem, queue, memory, mutex].each(&:unlink)
ruby_mutex = ::Mutex.new
message = "x" * 16
page = "x" * 4096
q = quick ? ["--quick"] : []

# name => [the Ruby loop (BATCH operations), the C figure, the target ratio]
CASES = {
  "sem release+acquire" => [lambda do
    i = 0
    while i < BATCH
      sem.release
      sem.acquire
      i += 1
    end
  end, -> { c_figure([bench_c_api, *q, "sem release+acquire"], "sem release+acquire")[1] }, 10.0],
  "mq send+receive 16 B" => [lambda do
    i = 0
    while i < BATCH
      queue.send(message)
      queue.receive
      i += 1
    end
  end, -> { c_figure([bench_c_api, *q, "mq send+receive 16 B"], "mq send+receive 16 B")[1] }, 1.3],
  "shm write 4 KiB" => [lambda do
    i = 0
    while i < BATCH
      memory.write(page)
      i += 1
    end
  end, -> { c_figure([shm_write, *q], "shm write 4 KiB")[0] }, nil],
  "mutex lock+unlock" => [lambda do
    i = 0
    while i < BATCH
      mutex.lock
      mutex.unlock
      i += 1
    end
  end, -> { c_figure([bench_c_api, *q, "mutex lock+unlock"], "mutex lock+unlock")[1] }, nil],
}.freeze

# Ruby and C take turns (REPEATS times each) so that both see the same machine load;
# each side's figure is the median of its turns.
REPEATS = quick ? 1 : 3
puts "libpipc #{RUBY_DESCRIPTION.split.first(2).join(' ')} vs C: median ns per operation " \
     "(#{REPEATS} alternating turn(s) of #{ROUNDS} round(s) per side)"
puts format("%-24s %10s %10s %8s %8s", "case", "ruby", "c", "ratio", "target")
CASES.each do |name, (ruby_loop, c_side, target)|
  ruby_ns = []
  c_ns = []
  REPEATS.times do
    ruby_ns << measure(&ruby_loop)
    c_ns << c_side.call
  end
  r = ruby_ns.sort[ruby_ns.size / 2]
  c = c_ns.sort[c_ns.size / 2]
  puts format("%-24s %10.1f %10.1f %8.2f %8s", name, r, c, r / c, target ? format("<= %.1f", target) : "-")
end

# BATCH blocks run under LOCK
synchronize_loop = lambda do |lock|
  lambda do
    i = 0
    while i < BATCH
      lock.synchronize { i += 1 }
    end
  end
end
pipc_loop = synchronize_loop.call(mutex)
ruby_loop = synchronize_loop.call(ruby_mutex)
pipc_ns = []
ruby_ns = []
REPEATS.times do
  pipc_ns << measure(&pipc_loop)
  ruby_ns << measure(&ruby_loop)
end
pipc_sync = pipc_ns.sort[pipc_ns.size / 2]
ruby_sync = ruby_ns.sort[ruby_ns.size / 2]
puts
puts "uncontended synchronize { }, median ns per block (informative)"
puts format("%-24s %10s %10s %8s", "case", "Pipc", "::Mutex", "ratio")
puts format("%-24s %10.1f %10.1f %8.2f", "synchronize", pipc_sync, ruby_sync, pipc_sync / ruby_sync)
[sem, queue, memory, mutex].each(&:close)
