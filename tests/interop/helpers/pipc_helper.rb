# frozen_string_literal: true

# The Ruby side of the interop suite: Pipc::Posix, Pipc::SysV, Pipc::Mutex,
# Pipc::ConditionVariable and Pipc::Channel driven by the line protocol of tests/interop/PROTOCOL.md (commands on stdin, one reply line each on stdout).
require "pipc"

PAYLOAD_SIZE = 44

CLASSES = {
  "sem" => Pipc::Posix::Semaphore, "shm" => Pipc::Posix::SharedMemory,
  "mq" => Pipc::Posix::MessageQueue, "sysv_sem" => Pipc::SysV::Semaphore,
  "sysv_shm" => Pipc::SysV::SharedMemory, "sysv_mq" => Pipc::SysV::MessageQueue,
  "mutex" => Pipc::Mutex, "cond" => Pipc::ConditionVariable, "channel" => Pipc::Channel
}.freeze

# The commands on a held object, by the kind's family (its name without "sysv_").
FAMILY_COMMANDS = {
  "sem" => %w[release acquire value], "shm" => %w[write read], "mq" => %w[send receive],
  "mutex" => %w[lock unlock consistent], "cond" => %w[lock unlock consistent wait signal broadcast],
  "channel" => %w[send receive]
}.freeze

def decimal(text) = Integer(text, 10)

def seconds(ms) = decimal(ms) / 1000.0

def hexed(data) = data.empty? ? "-" : data.unpack1("H*")

def unhexed(text)
  return "".b if text == "-"
  raise ArgumentError, "not hex bytes: #{text.inspect}" unless text&.match?(/\A(\h\h)+\z/)

  [text].pack("H*")
end

def fnv1a(data)
  data.each_byte.reduce(2_166_136_261) { |hash, byte| ((hash ^ byte) * 16_777_619) & 0xFFFFFFFF }
end

def stress_payload(producer, seq)
  head = [producer, seq].pack("L<L<")
  filler = Array.new(32) { |k| (producer * 31 + seq * 7 + k * 13) % 256 }.pack("C*")
  head + filler + [fnv1a(head + filler)].pack("L<")
end

# "PRODUCER:SEQ" of a valid stress payload, else "bad".
def stress_entry(data)
  return "bad" unless data.bytesize == PAYLOAD_SIZE

  producer, seq = data.unpack("L<L<")
  data == stress_payload(producer, seq) ? "#{producer}:#{seq}" : "bad"
end

# The constructor's keywords that the protocol's ARGS give when creating, by kind.
CREATE_ARGS = {
  "sem" => %i[initial_value], "shm" => %i[size], "mq" => %i[max_messages max_message_size],
  "sysv_sem" => %i[initial_value], "sysv_shm" => %i[size], "sysv_mq" => [], "mutex" => [], "cond" => [],
  "channel" => %i[slots max_message_size]
}.freeze
# The kinds whose ARGS may be left out (the class's defaults then apply).
OPTIONAL_CREATE_ARGS = %w[channel].freeze

# The keyword arguments that create KIND exclusively from ARGS.
def create_options(kind, args)
  keywords = CREATE_ARGS.fetch(kind)
  if args.size < keywords.size && !OPTIONAL_CREATE_ARGS.include?(kind)
    raise ArgumentError, "creating #{kind} takes: #{keywords.join(' ')}"
  end

  keywords.first(args.size).zip(args.map { |a| decimal(a) }).to_h
          .merge(flags: kind.start_with?("sysv_") ? Pipc::SysV::IPC_CREX : Pipc::Posix::O_CREX)
end

# The one object a helper holds, and the commands on it.
class Held
  attr_reader :commands

  def initialize(kind, name, create, args)
    klass = CLASSES.fetch(kind) { raise ArgumentError, "unknown kind #{kind.inspect}" }
    @posix = !kind.start_with?("sysv_")
    @channel = kind == "channel"
    @commands = FAMILY_COMMANDS.fetch(kind.delete_prefix("sysv_")) + %w[remove]
    options = create ? create_options(kind, args) : {}
    @obj = klass.new(@posix ? name : decimal(name), **options)
    attach if kind == "sysv_shm"
    @mutex = @obj if kind == "mutex"
    @mutex = open_mutex("#{name}-m", options) if kind == "cond"
    @objects = [@obj, @mutex].uniq.compact   # what remove and close act on
  end

  def release = @obj.release
  def acquire(ms) = @obj.acquire(timeout: seconds(ms))
  def value = @obj.value
  def write(offset, hex) = @obj.write(unhexed(hex), decimal(offset))
  def read(offset, length) = hexed(@obj.read(decimal(length), decimal(offset)))

  def send(tag, hex)
    return @obj.send(unhexed(hex)) if @channel   # a channel has no priority or type: TAG is ignored

    @posix ? @obj.send(unhexed(hex), priority: decimal(tag)) : @obj.send(unhexed(hex), type: decimal(tag))
  end

  def receive(ms)
    return "0 #{hexed(@obj.receive(timeout: seconds(ms)))}" if @channel

    data, tag = @obj.receive(timeout: seconds(ms))
    "#{tag} #{hexed(data)}"
  end

  def lock(ms) = locked { @mutex.lock(timeout: seconds(ms)) }
  def unlock = @mutex.unlock
  def consistent = @mutex.consistent
  def wait(ms) = locked { @obj.wait(@mutex, seconds(ms)) }

  def signal = @obj.signal
  def broadcast = @obj.broadcast

  def remove = @posix ? @objects.each(&:unlink) : @obj.remove
  def close = @objects.each(&:close)

  private

  # The reply word of a call that takes the mutex (the block: true, or false when the
  # time ran out): none, or "ownerdead" when its previous owner died (it is held then).
  def locked
    yield or raise Pipc::BusyError, "timed out"
    nil
  rescue Pipc::OwnerDeadError
    "ownerdead"
  end

  # A cond helper's mutex, opened (or created) with its condition variable.
  def open_mutex(name, options)
    Pipc::Mutex.new(name, **options)
  rescue Exception # rubocop:disable Lint/RescueException
    @obj.unlink unless options.empty?
    @obj.close
    raise
  end

  def attach
    @obj.attach
  rescue Exception # rubocop:disable Lint/RescueException
    @obj.close
    raise
  end
end

def open_queue(kind, name, &block)
  case kind
  when "mq" then Pipc::Posix::MessageQueue.open(name, &block)
  when "sysv_mq" then Pipc::SysV::MessageQueue.open(decimal(name), &block)
  when "channel" then Pipc::Channel.open(name, &block)
  else raise ArgumentError, "not a queue kind: #{kind.inspect}"
  end
end

def produce(kind, name, count, producer)
  open_queue(kind, name) do |queue|
    decimal(count).times do |i|
      payload = stress_payload(decimal(producer), i)
      case kind
      when "mq" then queue.send(payload, priority: 0)
      when "sysv_mq" then queue.send(payload, type: 1)
      else queue.send(payload)
      end
    end
  end
end

def consume(kind, name, count, ms)
  timeout = seconds(ms)
  open_queue(kind, name) do |queue|
    receive = kind == "channel" ? -> { queue.receive(timeout: timeout) } : -> { queue.receive(timeout: timeout).first }
    Array.new(decimal(count)) { stress_entry(receive.call) }.join(",")
  end
end

def shm_u64(memory, offset) = memory.read(8, offset).unpack1("Q<")

def add_one(memory, offset) = memory.write([shm_u64(memory, offset) + 1].pack("Q<"), offset)

def count(sem_name, shm_name, times)
  Pipc::Posix::Semaphore.open(sem_name) do |sem|
    Pipc::Posix::SharedMemory.open(shm_name) do |memory|
      decimal(times).times do
        sem.synchronize { add_one(memory, 0) }
      end
    end
  end
end

# The slots of lockcount's shared memory: the counter, then one per worker.
LOCKCOUNT_WORKERS = 64

def lockcount(mutex_name, shm_name, worker, count, die_at)
  worker = decimal(worker)
  raise ArgumentError, "WORKER must be from 0 to #{LOCKCOUNT_WORKERS - 1}" unless (0...LOCKCOUNT_WORKERS).cover?(worker)

  die_at = decimal(die_at)
  deaths = 0
  Pipc::Posix::SharedMemory.open(shm_name) do |memory|
    repair = lambda do
      deaths += 1
      total = (0...LOCKCOUNT_WORKERS).sum { |w| shm_u64(memory, 8 + 8 * w) }
      memory.write([total].pack("Q<"), 0)
    end
    Pipc::Mutex.open(mutex_name, recover: repair) do |mutex|
      decimal(count).times do |i|
        mutex.lock
        add_one(memory, 8 + 8 * worker)
        if i == die_at
          puts "ok holding"
          sleep     # until the driver's SIGKILL
        end
        add_one(memory, 0)
        mutex.unlock
      end
    end
  end
  deaths
end

# The commands whose reply is "ok WORDS...", WORDS being what the command returns (no
# WORDS for nil).
ANSWERING = %w[value read receive consume lock wait lockcount].freeze

# Runs one command on HELD (nil when no object is open); its value.
def run(held, verb, args)
  case verb
  when "produce" then produce(*args)
  when "consume" then consume(*args)
  when "count" then count(*args)
  when "lockcount" then lockcount(*args)
  else
    unless held&.commands&.include?(verb)
      raise ArgumentError, "unknown command or no object for it: #{verb}"
    end

    held.public_send(verb, *args)
  end
end

def main
  $stdout.sync = true
  $stdin.binmode   # bytes that are not UTF-8 make an error reply, not a failed split
  held = nil
  $stdin.each_line do |line|
    verb, *args = line.split
    next unless verb

    answer = begin
      case verb
      when "open"
        held&.close
        held = nil
        raise ArgumentError, "CREATE must be 0 or 1" unless %w[0 1].include?(args[2])

        held = Held.new(args[0], args[1], args[2] == "1", args[3..])
        "ok"
      when "close"
        held&.close
        held = nil
        "ok"
      else
        value = run(held, verb, args)
        ANSWERING.include?(verb) && !value.nil? ? "ok #{value}" : "ok"
      end
    rescue Pipc::BusyError
      "busy"
    rescue StandardError, NotImplementedError => e # every failure is a reply: the driver reads it
      "error #{e.class.name.split('::').last} #{e.message.tr("\n", ' ')}"
    end
    puts answer
  end
ensure
  held&.close
end

main
