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
# Usage: bench_channel.rb [--quick]   (the producer: bench_channel.rb --produce KIND NAME COUNT SPIN_NS)
require "pipc"

SIZE = 64

def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

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
  while i < n
    obj.send(message)
    i += 1
  end
  obj.close
  exit 0
end

quick = ARGV.delete("--quick")
COUNT = quick ? 2_000 : 200_000
REPEATS = quick ? 1 : 3
# the -I dirs this process loaded pipc from, for the producer
LIBS = $LOADED_FEATURES.grep(%r{/pipc(\.rb|/lowlevel\.[a-z]+)\z}).map { |f| File.dirname(f).delete_suffix("/pipc") }.uniq

# One run: messages per second received from a producer process.
def run(kind, slots: nil, into: false, spin: 0)
  obj = open_object(kind, nil, create: true, slots: slots)
  obj.spin = spin if kind == "channel"
  pid = Process.spawn(RbConfig.ruby, *LIBS.flat_map { |l| ["-I", l] }, __FILE__, "--produce", kind, obj.name,
                      COUNT.to_s, spin.to_s)
  buffer = +""
  first = into ? obj.receive_into(buffer, timeout: 30) : obj.receive(timeout: 30)
  first = first.first if kind == "mq"    # [data, priority]
  raise "bad message" unless (into ? buffer : first).bytesize == SIZE

  start = now
  i = 1
  if into
    i += 1 while i < COUNT && obj.receive_into(buffer, timeout: 30)
  else
    i += 1 while i < COUNT && obj.receive(timeout: 30)
  end
  elapsed = now - start
  Process.wait(pid)
  pid = nil
  raise "the producer failed: #{$?.inspect}" unless $?.success?

  (COUNT - 1) / elapsed
ensure
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
median = results.transform_values { |v| v.sort[v.size / 2] }
base = median.fetch("posix mq (10 slots)")
puts "#{RUBY_DESCRIPTION.split.first(2).join(' ')}: #{SIZE} B messages, one producer process -> one " \
     "consumer process, #{COUNT} messages, median of #{REPEATS} turn(s)"
puts format("%-28s %14s %10s", "case", "messages/s", "vs mq")
median.each { |name, rate| puts format("%-28s %14.0f %9.1fx", name, rate, rate / base) }
ratio = median.fetch("channel (64 slots)") / base
puts format("channel / posix mq: %.1fx (issue 16's goal for Ruby: >= 3x)", ratio)
