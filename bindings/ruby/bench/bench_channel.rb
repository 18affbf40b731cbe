# frozen_string_literal: true

# Pipc::Channel against the binding's own Pipc::Posix::MessageQueue: 64 B messages from
# one Ruby producer process to one Ruby consumer process (this one), messages per second.
# Issue 16's goal for Ruby: the channel moves at least 3x the queue's messages.
#
# The queue has 10 slots (the kernel's default msg_max, which only CAP_SYS_RESOURCE
# raises); the channel is measured with its default 64 slots and with 8 (<= the queue's),
# and, informative, with both sides spinning 20 us before they sleep (spin=).
# Each case runs REPEATS times, the cases taking turns so that all see the same machine
# load; a run is timed from the consumer's first message to its last. Figures: medians.
# Beside the rates, the CPU time both processes spent per message (each timing its own
# loop): the machine's other load moves it much less than the wall-clock rates.
# Usage: bench_channel.rb [--quick]   (the producer: bench_channel.rb --produce KIND NAME COUNT SPIN_NS)
require "pipc"

SIZE = 64

def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
def cpu_now = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)

def open_object(kind, name, create: false, slots: nil)
  flags = create ? Pipc::Posix::O_CREX : 0
  if kind == "mq"
    Pipc::Posix::MessageQueue.new(name, flags: flags, max_messages: 10, max_message_size: SIZE)
  else
    Pipc::Channel.new(name, flags: flags, slots: slots || 64, max_message_size: SIZE)
  end
end

if ARGV.first == "--produce"
  _, kind, name, count, spin = ARGV
  obj = open_object(kind, name)
  obj.spin = Integer(spin) if kind == "channel"
  message = "m" * SIZE
  i = 0
  n = Integer(count)
  cpu = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)
  while i < n
    obj.send(message)
    i += 1
  end
  $stdout.puts Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID) - cpu   # for the consumer
  obj.close
  exit 0
end

quick = ARGV.delete("--quick")
COUNT = quick ? 2_000 : 200_000
REPEATS = quick ? 1 : 3
# the -I dirs this process loaded pipc from, for the producer
LIBS = $LOADED_FEATURES.grep(%r{/pipc(\.rb|/lowlevel\.[a-z]+)\z}).map { |f| File.dirname(f).delete_suffix("/pipc") }.uniq

# One run: [messages per second received from a producer process, CPU seconds of both
# processes per message].
def run(kind, slots: nil, into: false, spin: 0)
  obj = open_object(kind, nil, create: true, slots: slots)
  obj.spin = spin if kind == "channel"
  from_producer, to_consumer = IO.pipe
  pid = Process.spawn(RbConfig.ruby, *LIBS.flat_map { |l| ["-I", l] }, __FILE__, "--produce", kind, obj.name,
                      COUNT.to_s, spin.to_s, out: to_consumer)
  to_consumer.close
  buffer = +""
  first = into ? obj.receive_into(buffer, timeout: 30) : obj.receive(timeout: 30)
  first = first.first if kind == "mq"    # [data, priority]
  raise "bad message" unless (into ? buffer : first).bytesize == SIZE

  start = now
  cpu = cpu_now
  i = 1
  if into
    i += 1 while i < COUNT && obj.receive_into(buffer, timeout: 30)
  else
    i += 1 while i < COUNT && obj.receive(timeout: 30)
  end
  elapsed = now - start
  cpu = cpu_now - cpu
  producer_cpu = Float(from_producer.read)
  Process.wait(pid)
  pid = nil
  raise "the producer failed: #{$?.inspect}" unless $?.success?

  [(COUNT - 1) / elapsed, (cpu + producer_cpu) / COUNT]
ensure
  from_producer&.close
  if pid   # the run failed: the producer may wait for room for ever
    Process.kill(:KILL, pid)
    Process.wait(pid)
  end
  obj&.unlink
  obj&.close
end

CASES = {
  "posix mq (10 slots)" => -> { run("mq") },
  "channel (64 slots)" => -> { run("channel") },
  "channel (8 slots)" => -> { run("channel", slots: 8) },
  "channel receive_into (64)" => -> { run("channel", into: true) },
  "channel (64, spin 20 us)" => -> { run("channel", spin: 20_000) },
}.freeze

results = Hash.new { |h, k| h[k] = [] }
REPEATS.times { CASES.each { |name, job| results[name] << job.call } }
median = ->(values) { values.sort[values.size / 2] }
rates = results.transform_values { |v| median.call(v.map(&:first)) }
cpus = results.transform_values { |v| median.call(v.map(&:last)) }
base = rates.fetch("posix mq (10 slots)")
base_cpu = cpus.fetch("posix mq (10 slots)")
puts "#{RUBY_DESCRIPTION.split.first(2).join(' ')}: #{SIZE} B messages, one producer process -> one " \
     "consumer process, #{COUNT} messages, median of #{REPEATS} turn(s)"
puts format("%-28s %14s %8s %16s %8s", "case", "messages/s", "vs mq", "CPU ns/message", "vs mq")
rates.each_key do |name|
  puts format("%-28s %14.0f %7.1fx %16.0f %7.1fx", name, rates[name], rates[name] / base, cpus[name] * 1e9,
              base_cpu / cpus[name])
end
puts format("channel / posix mq: %.1fx the messages per second, %.1fx less CPU per message " \
            "(issue 16's goal for Ruby: >= 3x)", rates.fetch("channel (64 slots)") / base,
            base_cpu / cpus.fetch("channel (64 slots)"))
