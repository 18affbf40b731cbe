# frozen_string_literal: true

# Random-call fuzzing of Pipc::Posix, Pipc::SysV, Pipc::Mutex, Pipc::ConditionVariable and
# Pipc::Channel (and the Pipc::Lowlevel classes and functions under them): one batch, in this process.
#
# bindings/fuzz/run_fuzz.py runs one child per batch, in a private IPC namespace:
#   ruby fuzz_calls.rb --seed S --calls N --log FILE [--skip-known] [--shared-ipc]
#   ruby fuzz_calls.rb --replay FILE --log FILE [--skip-known]   # runs a log again
#
# Each statement is a call on something public: constructors (new, open with a block,
# open_id, allocate, the Lowlevel ones) with random positional and keyword arguments,
# methods of live, closed, removed and uninitialized objects (setters and block forms
# included), module functions, IO::Buffer views; with arguments of every Ruby type. It is
# written to the log before it runs, so the log is a Ruby program that says what crashed
# and that --replay runs again (the protocol and the checks are bindings/python/tests/
# fuzz_calls.py's: see bindings/fuzz/run_fuzz.py).
#
# An exception of a class in ALLOWED is validation at work; any other (NoMethodError,
# KeyError, SystemStackError, ...) is a failure. Calls that may wait run under
# Timeout.timeout(ALARM_S), which ends a wait with Thread#raise as Ctrl-C would. At the end
# every object a call made visible is closed and removed, so that what the batch leaves in
# the namespace is a leak.
require "json"
require "optparse"
require "timeout"
require "pipc"

Warning[:experimental] = false   # IO::Buffer
# Loads UTF-16LE's library now: a batch may use up the descriptors before it is first
# needed, and then the value "é".encode("UTF-16LE") itself fails to build.
"".encode("UTF-16LE")
Thread.report_on_exception = false

ALARM_S = 0.002
MAX_SLOTS = 48
PREFIX = "/pipcfz"

# ---- what statements use ---------------------------------------------------------------

class FuzzRaised < StandardError; end
class FuzzAlarm < StandardError; end

# An object whose implicit conversions (to_int, to_str, to_path, to_ary, to_hash, call, ...)
# give VALUE, or raise it when it is an exception class.
class Odd
  def initialize(value) = @value = value

  def give
    raise @value, "from an odd object" if @value.is_a?(Class) && @value <= Exception

    @value
  end

  %i[to_int to_str to_path to_ary to_hash to_proc call to_sym coerce hash ==].each do |m|
    define_method(m) { |*_| give }
  end
  def respond_to_missing?(*) = true
  def method_missing(*) = give
  def inspect = "Odd(#{@value.inspect})"
end

# One conversion only.
def fz_int(value) = Odd.new(value).tap { |o| o.singleton_class.undef_method(:to_str, :to_path) }
def fz_str(value) = Odd.new(value).tap { |o| o.singleton_class.undef_method(:to_int, :to_path) }
def fz_path(value) = Odd.new(value).tap { |o| o.singleton_class.undef_method(:to_int, :to_str) }

FZ_PIPE = IO.pipe   # the only descriptor notify_fd may be given (it writes a byte to it)
# Views that were sliced, kept for the batch: Ruby 3.1's IO::Buffer reads a slice's source
# (its view) when the slice is freed, and a view swept in the same collection, its slot
# reused meanwhile, makes that read abort the interpreter: a Ruby bug, not pipc's.
FZ_SLICED = []
$notes = []

def fz_note(*args) = ($notes << args.size if $notes.size < 1000)

# Notes an object a block form hands over (it is closed after the block, its name gone).
def fz_track(obj) = $batch&.track(obj)

# ---- the modules' surface --------------------------------------------------------------

P = Pipc::Posix
S = Pipc::SysV
L = Pipc::Lowlevel
FAMILIES = {
  L::PosixSemaphore => :posix_sem, L::PosixSharedMemory => :posix_shm, L::PosixMessageQueue => :posix_mq,
  L::SysVSemaphore => :sysv_sem, L::SysVSharedMemory => :sysv_shm, L::SysVMessageQueue => :sysv_mq,
  L::Mutex => :mutex, L::ConditionVariable => :cond, L::Channel => :channel,
}.freeze
PUBLIC_CLASS = {
  posix_sem: "P::Semaphore", posix_shm: "P::SharedMemory", posix_mq: "P::MessageQueue",
  sysv_sem: "S::Semaphore", sysv_shm: "S::SharedMemory", sysv_mq: "S::MessageQueue",
  mutex: "Pipc::Mutex", cond: "Pipc::ConditionVariable", channel: "Pipc::Channel",
}.freeze

def family_of(value)
  FAMILIES.each { |cls, family| return family if value.is_a?(cls) }
  return :view_posix if value.is_a?(IO::Buffer) && value.instance_variable_get(:@owner).nil?
  return :view_sysv if value.is_a?(IO::Buffer)

  :other
rescue StandardError, NoMethodError
  :other
end

# Parameters: [name, kind of value, :pos or :key]. The constructors' first parameter is the
# name or key; Lowlevel constructors take every parameter by position.
CONSTRUCTORS = {
  posix_sem: [[:name, :name, :pos], [:flags, :posix_flags, :key], [:mode, :mode, :key],
              [:initial_value, :sem_value, :key]],
  posix_shm: [[:name, :name, :pos], [:flags, :posix_flags, :key], [:mode, :mode, :key], [:size, :size, :key],
              [:read_only, :boolish, :key]],
  posix_mq: [[:name, :name, :pos], [:flags, :posix_flags, :key], [:mode, :mode, :key],
             [:max_messages, :mq_count, :key], [:max_message_size, :mq_size, :key], [:read, :boolish, :key],
             [:write, :boolish, :key]],
  sysv_sem: [[:key, :key, :pos], [:flags, :sysv_flags, :key], [:mode, :mode, :key],
             [:initial_value, :sem_value, :key]],
  sysv_shm: [[:key, :key, :pos], [:flags, :shm_flags, :key], [:mode, :mode, :key], [:size, :size, :key],
             [:fill_byte, :fill, :key]],
  sysv_mq: [[:key, :key, :pos], [:flags, :sysv_flags, :key], [:mode, :mode, :key], [:max_bytes, :max_bytes, :key]],
  mutex: [[:name, :laid_out_name, :pos], [:flags, :posix_flags, :key], [:mode, :mode, :key],
          [:recover, :recover, :key]],
  cond: [[:name, :laid_out_name, :pos], [:flags, :posix_flags, :key], [:mode, :mode, :key]],
  channel: [[:name, :laid_out_name, :pos], [:flags, :posix_flags, :key], [:mode, :mode, :key], [:slots, :slots, :key],
            [:max_message_size, :mq_size, :key]],
}.freeze
LOWLEVEL_EXTRA = { sysv_sem: [[:id, :ipc_id, :pos]], sysv_shm: [[:id, :ipc_id, :pos]],
                   sysv_mq: [[:id, :ipc_id, :pos]] }.freeze
WAIT = [[:timeout, :timeout, :key]].freeze
METHODS = {   # the methods with parameters; the others take none
  acquire: { posix_sem: WAIT, sysv_sem: WAIT + [[:delta, :delta, :key]] },
  synchronize: { posix_sem: WAIT, sysv_sem: WAIT + [[:delta, :delta, :key]], mutex: WAIT + [[:recover, :recover, :key]] },
  lock: { mutex: WAIT },
  wait: { cond: [[:mutex, :mutex, :pos], [:timeout, :timeout, :pos]] },
  release: { sysv_sem: [[:delta, :delta, :key]] },
  wait_for_zero: { sysv_sem: WAIT },
  read: { any: [[:length, :count, :pos], [:offset, :count, :pos]] },
  write: { any: [[:data, :data, :pos], [:offset, :count, :pos]] },
  resize: { any: [[:size, :size, :pos]] },
  send: { posix_mq: [[:data, :data, :pos]] + WAIT + [[:priority, :priority, :key]],
          sysv_mq: [[:data, :data, :pos], [:type, :mq_type, :key]] + WAIT, channel: [[:data, :data, :pos]] + WAIT },
  receive: { posix_mq: WAIT, sysv_mq: [[:type, :mq_type, :key]] + WAIT + [[:truncate, :boolish, :key]],
             channel: WAIT },
  receive_into: { channel: [[:buffer, :buffer, :pos]] + WAIT },
  request_notification: { any: [[:signal, :signal, :pos]] },
  notify_signal: { any: [[:signal, :signal, :pos]] },
  notify_fd: { any: [[:fd, :fd, :pos]] },
  attach: { any: [[:address, :address, :key], [:flags, :attach_flags, :key], [:read_only, :boolish, :key]] },
  set_perm: { any: [[:uid, :owner_id, :pos], [:gid, :owner_id, :pos], [:mode, :mode, :pos]] },
}.freeze
SETTERS = { "value=": :sem_value, "undo=": :boolish, "block=": :boolish, "mode=": :mode, "uid=": :owner_id,
            "gid=": :owner_id, "max_bytes=": :max_bytes, "max_size=": :max_bytes, "size=": :size,
            "recover=": :recover, "spin=": :spin }.freeze
WAITING = %i[acquire synchronize wait_for_zero send receive receive_into lock wait].freeze
# Calls that end an object come less often than the others, so that most calls find it
# alive; those that move data come more often (the few calls that do the work).
METHOD_WEIGHTS = { close: 0.4, close_fd: 0.4, unlink: 0.4, remove: 0.4, detach: 0.4, read: 3, write: 3,
                   send: 2, receive: 2, acquire: 2, release: 2, resize: 2, attach: 2 }.freeze
BLOCK_FORMS = %i[synchronize request_notification].freeze
FUNCTIONS = {
  "P.unlink_semaphore" => [[:name, :name, :pos]], "P.unlink_shared_memory" => [[:name, :name, :pos]],
  "P.unlink_message_queue" => [[:name, :name, :pos]],
  "S.ftok" => [[:path, :path, :pos], [:id, :small_int, :pos]],
  "S.attach" => [[:id, :shm_id, :pos], [:address, :address, :key], [:flags, :attach_flags, :key],
                 [:read_only, :boolish, :key]],
  "S.remove_semaphore" => [[:id, :sem_id, :pos]], "S.remove_shared_memory" => [[:id, :shm_id, :pos]],
  "S.remove_message_queue" => [[:id, :mq_id, :pos]],
  "L.posix_unlink_semaphore" => [[:name, :name, :pos]], "L.posix_unlink_shared_memory" => [[:name, :name, :pos]],
  "L.posix_unlink_message_queue" => [[:name, :name, :pos]],
  "L.sysv_ftok" => [[:path, :path, :pos], [:id, :small_int, :pos]],
  "L.sysv_remove_semaphore" => [[:id, :sem_id, :pos]], "L.sysv_remove_shared_memory" => [[:id, :shm_id, :pos]],
  "L.sysv_remove_message_queue" => [[:id, :mq_id, :pos]],
  "L.mutex_unlink_name" => [[:name, :name, :pos]], "L.cond_unlink_name" => [[:name, :name, :pos]],
  "L.channel_unlink_name" => [[:name, :name, :pos]],
}.freeze

# Every public method of CLASS up to Object (Object's own ones excepted: :send of a queue
# overrides Object#send and stays).
def public_methods_of(klass)
  klass.ancestors.take_while { |a| a != Object }.flat_map { |a| a.public_instance_methods(false) }.uniq
end

def module_functions
  { "P" => P, "S" => S, "L" => L }.flat_map { |n, m| m.singleton_methods.map { |f| "#{n}.#{f}" } }
end

# Exceptions that are validation at work; any other class is a failure.
ALLOWED = [Pipc::Error, ArgumentError, TypeError, RangeError, NotImplementedError, IOError,
           SystemCallError, FrozenError, RuntimeError, NoMemoryError, LocalJumpError, FuzzRaised,
           FuzzAlarm].freeze
NOT_ALLOWED = [NoMethodError, NameError, KeyError, SystemStackError].freeze

def allowed?(error)
  ALLOWED.any? { |c| error.is_a?(c) } && NOT_ALLOWED.none? { |c| error.is_a?(c) }
end

# ---- values of every type, as Ruby source ----------------------------------------------

ANY = [
  "nil", "true", "false", "0", "1", "-1", "2", "7", "255", "256", "4096", "65536", "2**31 - 1", "2**31",
  "-2**31", "-2**31 - 1", "2**32", "2**63 - 1", "2**63", "-2**63", "-2**63 - 1", "2**64", "2**80", "-2**80",
  "Float::NAN", "Float::INFINITY", "-Float::INFINITY", "-0.0", "0.0", "0.001", "0.5", "1.5", "1e300",
  "-1e300", "5e-324", "Rational(1, 2)", "Complex(1, 1)", '""', '"x"', '"\\0"', '"a\\0b"', '"x" * 100_000',
  '"é"', '"\\xff"', '"\\xff".b', '"é".encode("UTF-16LE")', '"frozen".freeze', '"/"', '"x".dup',
  ":sym", ":timeout", "[]", "[1, 2]", "{}", "{ a: 1 }", '{ "timeout" => 0 }', "Object.new", "BasicObject.new",
  "Class.new", "Pipc", "P::Semaphore", "S::SharedMemory", "proc {}", "->(x) { x }", "method(:fz_note)",
  "1..2", "Struct.new(:a).new(1)", "fz_int(1)", "fz_int(-1)", "fz_int(2**80)", "fz_int(FuzzRaised)",
  'fz_int("x")', 'fz_str("/x")', "fz_str(FuzzRaised)", 'fz_path("/tmp")', "Odd.new(FuzzRaised)",
  "Odd.new(1)", "FuzzRaised.new", "FZ_PIPE[0]", "IO::Buffer.new(8)", "Time.at(0)",
].freeze

ALL_KINDS = %i[posix_sem posix_shm posix_mq sysv_sem sysv_shm sysv_mq mutex cond channel view_posix view_sysv
               other].freeze

# Source text of values, by what they are for (v_KIND); a share of them is any value at all.
class Values
  attr_accessor :refs

  def initialize(rng, state)
    @rng = rng
    @state = state
    @refs = []
  end

  def pick(list) = list[@rng.rand(list.size)]
  def chance(p) = @rng.rand < p

  def value(kind)
    kind = :any if kind != :any && chance(0.06)
    send(:"v_#{kind}")
  end

  # Mostly a TYPICAL value (so that calls get past their checks), else an EDGE one.
  def choose(typical, edge) = pick(chance(0.8) ? typical : edge)

  def slot(*kinds)
    slots = @state.slots_of(*(kinds.empty? ? ALL_KINDS : kinds))
    return nil if slots.empty?

    k = pick(slots)
    @refs << k
    "o[#{k}]"
  end

  def v_any
    roll = @rng.rand
    return slot || "nil" if roll < 0.1
    return (@rng.rand(-2**70..2**70) >> @rng.rand(70)).to_s if roll < 0.2
    return (@rng.rand * 20 - 10).to_s if roll < 0.25

    pick(ANY)
  end

  # (o[k].name: a second handle on a live object, which may resize it under the first)
  def v_name
    roll = @rng.rand
    fresh = @state.fresh_name
    return fresh.inspect if roll < 0.4
    live = roll < 0.55 && slot(:posix_sem, :posix_shm, :posix_mq)
    return "#{live}.name" if live
    return pick(@state.names).inspect if roll < 0.7 && !@state.names.empty?
    return "nil" if roll < 0.8

    pick([(fresh + "\0x").inspect, (fresh + "x" * 300).inspect, (fresh + "/x").inspect, (fresh + "é").inspect,
          "#{fresh.inspect}.b + \"\\xff\"", "#{fresh.inspect}.encode(\"UTF-16LE\")", fresh[1..].inspect,
          '"/"', '""', "#{fresh.inspect}.freeze", "fz_str(#{fresh.inspect})", fresh.to_sym.inspect])
  end

  def v_key
    roll = @rng.rand
    return "nil" if roll < 0.3
    return "S::IPC_PRIVATE" if roll < 0.4
    return pick(@state.keys).to_s if roll < 0.65 && !@state.keys.empty?
    return @state.fresh_key.to_s if roll < 0.9

    pick(["S::KEY_MIN", "S::KEY_MAX", "S::KEY_MAX + 1", "S::KEY_MIN - 1", "2**63", "-1", "fz_int(5)", '"1"', "1.0"])
  end

  def flags(bits, odd)
    return pick(odd) unless chance(0.85)

    chosen = bits.select { |_, p| chance(p) }.map(&:first)
    chosen.empty? ? "0" : chosen.join(" | ")
  end

  def v_posix_flags = flags([["P::O_CREAT", 0.6], ["P::O_EXCL", 0.35], ["P::O_TRUNC", 0.1], ["P::O_NONBLOCK", 0.1]],
                            ["-1", "2**31", "0xffff", "fz_int(P::O_CREX)", "1.0", "nil", "16"])
  def v_sysv_flags = flags([["S::IPC_CREAT", 0.6], ["S::IPC_EXCL", 0.35], ["S::SEM_SETVAL", 0.1]],
                           ["-1", "2**31", "0xffff", "fz_int(S::IPC_CREX)", "1.0", "nil", "4"])
  def v_shm_flags = flags([["S::IPC_CREAT", 0.6], ["S::IPC_EXCL", 0.35], ["S::SHM_HUGETLB", 0.04],
                           ["S::SHM_NORESERVE", 0.04]], ["-1", "2**31", "0xffff", "63", "1.0", "nil", "12"])
  def v_mode = choose(%w[0o600 0o600 0o644 0o400], %w[0o200 0 0o777 0o7777 -1 2**31 0o10000 fz_int(0o600)])

  # (2**29: a POSIX segment larger than the sandbox's tmpfs can hold)
  def v_size = choose(%w[4096 4096 1 100 8192 65536 P::PAGE_SIZE*3 0],
                      %w[4095 2**20 2**22 2**29 -1 2**63 2**63-1 2**64 fz_int(4096) 1.5 nil])
  def v_sem_value = choose(%w[0 0 1 2 100], %w[P::SEMAPHORE_VALUE_MAX S::SEMAPHORE_VALUE_MAX
                                             S::SEMAPHORE_VALUE_MAX+1 -1 2**32 2**63 fz_int(1) 1.0])
  def v_timeout = choose(%w[0 0 0.0 0.001 1e-9 nil],
                         %w[0.002 1e-12 -1 -0.0 Float::NAN Float::INFINITY 2**80 1e300 2**63 1 true "0"
                            fz_int(0) Rational(1,1000) Complex(0,0) -2**80])
  def v_delta = choose(%w[1 1 2 3], %w[0 -1 S::SEMAPHORE_VALUE_MAX 2**31 2**32 2**63 -2**63-1 fz_int(2) 1.5 nil])

  def v_data
    roll = @rng.rand
    return @rng.bytes(@rng.rand(41)).inspect + ".b" if roll < 0.4

    choose(['""', '"x"', '"text"', '"é"', '"\\xff".b', '"x" * 100', '"x" * 2048', '"x" * 8192'],
           ['"x" * 8193', '"x" * 65_536', '"é".encode("UTF-16LE")', '"frozen".freeze', '"\\0" * 3',
            "nil", "12", ":sym", 'fz_str("abc")', '["x"]'])
  end

  def v_mq_count = choose(%w[1 2 10 P::QUEUE_MESSAGES_MAX_DEFAULT 0], %w[-1 2**31 2**63 1_000_000 fz_int(3)])
  def v_mq_size = choose(%w[16 1024 2048 8192 0], %w[1 -1 65536 2**31 2**62 2**63 fz_int(64)])
  def v_priority = choose(%w[0 0 1 7 P::QUEUE_PRIORITY_MAX], %w[P::QUEUE_PRIORITY_MAX+1 -1 2**32 2**63 true 1.0])
  def v_mq_type = choose(%w[0 1 1 2 -2], %w[-1 2**31 2**63-1 2**63 -2**63 -2**63-1 fz_int(1) 1.0])
  def v_boolish = choose(%w[true false nil], %w[0 1 [] :x "" Odd.new(FuzzRaised)])
  def v_fill = choose(%w[0 32 120 255], %w[256 -1 "x" nil 2**63 1.5])
  def v_count = choose(%w[nil 0 0 1 10 100 4095], %w[4096 4097 -1 2**31 2**63-1 2**63 -2**63-1 fz_int(5) 1.0 "1"])
  def v_owner_id = choose(%w[0 0 1000 nil], %w[1 65534 -1 2**32-1 2**32 2**63 "0"])
  def v_max_bytes = choose(%w[16384 1_048_576 100 0], %w[1 -1 2**31 2**63 fz_int(100) 1.5])
  def v_small_int = choose(%w[0 1 42 255], %w[256 -1 2**31 2**63 fz_int(1) 1.0 nil])
  def v_path = pick(['"/"', '"/tmp"', '"/dev/null"', '""', '"/nonexistent/x"', '"/tmp\\0x"', '"/tmp".b',
                     'fz_path("/tmp")', "fz_path(FuzzRaised)", "fz_path(3)", '"é"', ":tmp", "nil", "12"])

  # an id: a live object's (by reference), or one no other program can own
  def ipc_id(family)
    ref = chance(0.6) && slot(family)
    return "#{ref}.id" if ref

    odd = ["-1", "2**31", "2**63", '"1"', "nil", "1.0", "fz_int(0)"]
    return pick(odd) if @state.shared_ipc

    pick(odd + ["0", "1", "2", "32768", @rng.rand(2**20).to_s])
  end

  def v_sem_id = ipc_id(:sysv_sem)
  def v_shm_id = ipc_id(:sysv_shm)
  def v_mq_id = ipc_id(:sysv_mq)
  def v_ipc_id = ipc_id(pick(%i[sysv_sem sysv_shm sysv_mq]))

  def v_address
    roll = @rng.rand
    return "nil" if roll < 0.6
    ref = roll < 0.7 && slot(:sysv_shm)
    return "#{ref}.address" if ref

    pick(%w[0 1 4096 2**30 2**46 2**47 2**64 -1 -4096 "0" 1.0])
  end

  def v_attach_flags = flags([["S::SHM_RDONLY", 0.3], ["S::SHM_RND", 0.1], ["S::SHM_REMAP", 0.05],
                              ["S::SHM_EXEC", 0.05]], ["-1", "2**31", "fz_int(S::SHM_RDONLY)", "1.0", "nil"])
  def v_signal = pick(%w[nil :USR1 "USR2" "SIGUSR1" 10 12 0 -1 65 2**40 :NOPE "" 1.5 [] Object.new
                         BasicObject.new method(:fz_note) proc{}])
  def v_fd = pick(["FZ_PIPE[1].fileno", "-1", "2**31", "99_999", "nil", '"1"', "FZ_PIPE[1]"])
  def v_recover = choose(["nil", "proc {}", "-> {}"], ["-> { raise FuzzRaised }", "->(x) { x }", "method(:fz_note)",
                                                      "5", "Object.new", "BasicObject.new", "Odd.new(1)"])
  def v_mutex = slot(:mutex) || choose(["nil"], ["Thread::Mutex.new", "Pipc::Mutex.allocate", "Object.new"])
  # The name of a mutex, condition variable or channel: any name, or one of theirs. Their
  # names are kept apart from the other names (State#remember): a POSIX shared memory
  # handle on one of their segments could shrink it, and touching a shrunk segment is
  # SIGBUS by design (as for views), which would end the batch.
  def v_laid_out_name
    return pick(@state.laid_out_names).inspect if chance(0.3) && !@state.laid_out_names.empty?

    v_name
  end
  def v_slots = choose(%w[1 2 4 64 1024], %w[0 3 -1 65536 65537 2**31 2**32 2**63 fz_int(8) 1.0 nil])
  def v_spin = choose(%w[0 1000 20_000 1_000_000], %w[1_000_001 -1 2**32 2**63 0.5 nil fz_int(10)])
  def v_buffer = choose(['"".dup', '"x" * 2000', "IO::Buffer.new(64)", "IO::Buffer.new(4096)"],
                        ['"frozen".freeze', "IO::Buffer.new(0)", 'IO::Buffer.for("ro")', "nil", ":x", "[]",
                         "fz_str(\"\")"])
end

# ---- the batch -------------------------------------------------------------------------

# Signals a queue may send this process: the harmless ones (see install_handlers).
SAFE_SIGNALS = [Signal.list["USR1"], Signal.list["USR2"]].freeze

# What the generator knows of the batch: the live slots and what they hold, names and keys
# used so far, the slots made by known-crash call shapes.
class State
  attr_reader :kinds, :names, :laid_out_names, :keys, :tagged, :shared_ipc

  def initialize(rng, token, shared_ipc)
    @rng = rng
    @token = token
    @shared_ipc = shared_ipc
    @kinds = {}      # slot -> [family, class]
    @names = []
    @laid_out_names = []   # of the objects libpipc lays out in a segment of their own
    @keys = []
    @tagged = {}
    @counter = 0
    @taken = shared_ipc ? %w[sem shm msg].flat_map { |t| File.readlines("/proc/sysvipc/#{t}")[1..].map { |r| r.split[0].to_i } } : []
  end

  def slots_of(*families) = @kinds.select { |_, (f, _)| families.include?(f) }.keys

  def fresh_name = "#{PREFIX}.#{@token}.#{@counter += 1}"
  def new_slot = @counter += 1

  def fresh_key
    loop do
      key = @rng.rand(1..2**31 - 1)
      return key unless @taken.include?(key)
    end
  end

  def remember(ident, family)
    case ident
    when String
      if %i[mutex cond channel].include?(family)
        @laid_out_names = @laid_out_names.last(40) + [ident]
      else
        @names = @names.last(40) + [ident]
      end
    when Integer then @keys = @keys.last(40) + [ident]
    end
  end
end

# TEXT, whether it may wait (run under Timeout) and its known-crash tag; the log marks
# the latter two after the text: "  # waits known:TAG" (as fuzz_calls.py's).
STATEMENT_MARKS = /  #((?: (?:waits|known:\S+))+)\z/.freeze
Statement = Struct.new(:text, :waits, :tag) do
  def line
    marks = [("waits" if waits), ("known:#{tag}" if tag)].compact
    marks.empty? ? text : "#{text}  # #{marks.join(' ')}"
  end

  def self.parse(line)
    words = line[STATEMENT_MARKS, 1]&.split or return new(line)
    new(line.sub(STATEMENT_MARKS, ""), words.include?("waits"), words.find { |w| w.start_with?("known:") }&.delete_prefix("known:"))
  end
end
FILLS_SLOT = /\Ao\[(\d+)\](?: = |\.__send__\(:initialize)/.freeze

# Makes the next statement from the RNG and what the batch has so far.
class Generator
  def initialize(rng, state, context)
    @rng = rng
    @state = state
    @context = context
    @values = Values.new(rng, state)
    @methods = Hash.new { |h, klass| h[klass] = public_methods_of(klass) }
    @functions = module_functions
  end

  def pick(list) = list[@rng.rand(list.size)]
  def chance(p) = @rng.rand < p

  def weighted(list, weights)
    roll = @rng.rand * weights.sum
    list.zip(weights).find { |_, w| (roll -= w).negative? }&.first || list.last
  end

  # The value of SOURCE now (for the rules below), or the exception.
  def evaluate(source)
    @context.evaluate(source)
  rescue Exception => e # rubocop:disable Lint/RescueException
    e
  end

  def next_statement
    @values.refs = []
    objects = @state.slots_of(*FAMILIES.values)
    actions = { construct: 18, method: objects.empty? ? 0 : 40, setter: objects.empty? ? 0 : 8,
                function: 8, view_op: 6, misc: 6, drop: 3 + (@state.kinds.size > MAX_SLOTS ? 20 : 0) }
    roll = @rng.rand(actions.values.sum)
    action = actions.find { |_, w| (roll -= w).negative? }.first
    statement = send(action)
    tags = @values.refs.filter_map { |k| @state.tagged[k] }
    tags << statement.tag if statement.tag
    statement.tag = tags.min
    statement
  end

  # An argument list for PARAMS: positional ones (a prefix, now and then one too many),
  # keyword ones (a random subset, now and then an unknown one or a String key). FIXED:
  # values chosen by name. Returns the text and the value each parameter gets.
  def arguments(params, fixed = {}, lowlevel: false)
    values = params.map { |name, kind, how| [name, fixed[name] || @values.value(kind), lowlevel ? :pos : how] }
    positional = values.take_while { |_, _, how| how == :pos }
    count = chance(0.9) ? positional.size : @rng.rand(positional.size + 1)
    parts = positional.first(count).map { |_, v, _| v }
    bound = positional.first(count).to_h { |n, v, _| [n, v] }
    parts << @values.value(:any) if count == positional.size && chance(0.03)
    keywords = []
    values.drop(positional.size).each do |name, value, _|
      next unless chance(0.6)

      keywords << "#{name}: #{value}"
      bound[name] = value
    end
    roll = @rng.rand
    if roll < 0.02
      keywords << "bogus: #{@values.value(:any)}"
    elsif roll < 0.035 && !values.empty?
      keywords << "**{ #{values.last[0].to_s.inspect} => 0 }"   # a String key
    elsif roll < 0.045 && !keywords.empty?
      keywords = ["{ #{keywords.join(', ')} }"]                 # a Hash, not keywords
    end
    parts += keywords
    [parts.join(", "), bound]
  end

  def constructor_values(family)
    chosen = CONSTRUCTORS[family].to_h { |name, kind, _| [name, @values.value(kind)] }
    first = CONSTRUCTORS[family][0][0]
    chosen[:flags] = family.to_s.start_with?("sysv") ? "S::IPC_CREX" : "P::O_CREX" if chosen[first] == "nil" && chance(0.7)
    chosen
  end

  # The tag of a call shape whose crash is known and fixed elsewhere, or nil.
  # hugetlb: a System V segment made with SHM_HUGETLB | SHM_NORESERVE where no huge page
  # is reserved faults (SIGBUS, Ruby's [BUG]) when libpipc's core fills it (fill_byte) or
  # when it is read or written.
  def known_crash(family, bound)
    return nil unless family == :sysv_shm

    flags = evaluate(bound.fetch(:flags, "0"))
    both = S::SHM_HUGETLB | S::SHM_NORESERVE
    Integer === flags && flags & both == both ? "hugetlb" : nil
  end

  # a block for a block form: it notes the object it gets (VAR: none for synchronize),
  # then does one thing
  def block(var)
    bodies = ["raise FuzzRaised", "break 1", "next 2", "throw :fz", "GC.start", "nil"]
    return " { #{pick(bodies)} }" unless var

    bodies += [var, "#{var}.close", "o[#{@state.new_slot}] = #{var}", "#{var}.inspect"]
    " { |#{var}| fz_track(#{var}); #{pick(bodies)} }"
  end

  def construct
    family = pick(CONSTRUCTORS.keys)
    slot = @state.new_slot
    roll = @rng.rand
    chosen = constructor_values(family)
    if roll < 0.1   # the Lowlevel class: every argument by position
      params = CONSTRUCTORS[family] + LOWLEVEL_EXTRA.fetch(family, [])
      chosen[:id] = "nil" if chance(0.7)
      args, bound = arguments(params, chosen, lowlevel: true)
      klass = "L::#{FAMILIES.key(family).name.split('::').last}"
      return Statement.new("o[#{slot}] = #{klass}.new(#{args})", false, known_crash(family, bound))
    end
    args, bound = arguments(CONSTRUCTORS[family], chosen)
    form = roll < 0.18 ? ".open(#{args})#{block('x')}" : ".new(#{args})"
    Statement.new("o[#{slot}] = #{PUBLIC_CLASS[family]}#{form}", false, known_crash(family, bound))
  end

  def target
    k = pick(@state.slots_of(*FAMILIES.values))
    @values.refs << k
    [k, *@state.kinds[k]]
  end

  def method
    k, family, klass = target
    methods = @methods[klass]
    name = weighted(methods, methods.map { |m| METHOD_WEIGHTS.fetch(m, 1.0) })
    return setter_on(k, family, name) if name.end_with?("=")
    return initialize_again(k, family) if chance(0.03)

    params = METHODS.fetch(name, {})
    params = params[family] || params[:any] || []
    fixed = {}
    fixed[:signal] = safe_signal if %i[request_notification notify_signal].include?(name)
    fixed[:fd] = safe_fd if name == :notify_fd
    fixed.merge!(attach_values) if name == :attach
    args, = arguments(params, fixed)
    call = "o[#{k}].#{name}(#{args})"
    call += block(name == :synchronize ? nil : "q") if BLOCK_FORMS.include?(name) && chance(0.8)
    slot = @state.new_slot
    Statement.new("o[#{slot}] = #{call}", WAITING.include?(name))
  end

  def initialize_again(k, family)
    args, bound = arguments(CONSTRUCTORS[family], constructor_values(family), lowlevel: true)
    Statement.new("o[#{k}].__send__(:initialize, #{args})", false, known_crash(family, bound))
  end

  def setter
    k, family, klass = target
    names = @methods[klass].select { |m| m.end_with?("=") }
    return read_attribute(k) if names.empty?

    setter_on(k, family, pick(names))
  end

  def setter_on(k, _family, name)
    Statement.new("o[#{k}].#{name.to_s.chomp('=')} = #{@values.value(SETTERS.fetch(name, :any))}")
  end

  def read_attribute(k) = Statement.new("o[#{k}].#{pick(%w[inspect closed? frozen?])}")

  # SHM_REMAP only without an address: at an address it replaces whatever this process has
  # mapped there.
  def attach_values
    address = @values.value(:address)
    flags = @values.value(:attach_flags)
    value = evaluate(address)
    remap = evaluate(flags)
    flags = "S::SHM_RDONLY" if Integer === value && !value.zero? && Integer === remap && remap & S::SHM_REMAP != 0
    { address: address, flags: flags }
  end

  # A signal, if it is one, that is harmless to this process.
  def safe_signal
    source = @values.value(:signal)
    value = evaluate(source)
    number = case value
             when Integer then value
             when String, Symbol then Signal.list[value.to_s.b.delete_prefix("SIG")]
             end
    number && number.between?(1, 64) && !SAFE_SIGNALS.include?(number) ? ":USR2" : source
  end

  # notify_fd writes a byte to the descriptor it gets: only the fuzzer's pipe, or none.
  def safe_fd
    source = @values.value(:fd)
    value = evaluate(source)
    Integer === value && value.between?(0, 65_535) && value != FZ_PIPE[1].fileno ? "-1" : source
  end

  def function
    name = pick(@functions)
    params = FUNCTIONS[name] || []
    fixed = name == "S.attach" ? attach_values : {}
    args, = arguments(params, fixed)
    args = @values.value(:any) if params.empty? && chance(0.3)
    call = "#{name}(#{args})"
    call += block("m") if name == "S.attach" && chance(0.3)
    Statement.new("o[#{@state.new_slot}] = #{call}")
  end

  def view_op
    views = @state.slots_of(:view_posix, :view_sysv)
    slot = @state.new_slot
    if views.empty? || chance(0.4)
      memory = @state.slots_of(:posix_shm, :sysv_shm).select { |k| @methods[@state.kinds[k][1]].include?(:view) }
      return misc if memory.empty?

      k = pick(memory)
      @values.refs << k
      return Statement.new("o[#{slot}] = o[#{k}].view")
    end
    k = pick(views)
    @values.refs << k
    # (no negative offset: Ruby 3.1's IO::Buffer does not check them, and writes before
    # its memory)
    a = @rng.rand(0..5000)
    b = @rng.rand(0..5000)
    ops = ["o[#{k}].size", "o[#{k}].valid?", "o[#{k}].readonly?", "FZ_SLICED.push(o[#{k}]).last.slice(#{a}, #{b})", "o[#{k}].locked?"]
    if @state.kinds[k][0] == :view_sysv
      # A POSIX segment may have been shrunk since its view was made; touching the view
      # past the new end is SIGBUS by design (inspect and resize read the content too). A
      # System V segment cannot shrink, and its views are locked: no free, resize or
      # transfer (Ruby 3.1's IO::Buffer lets a slice outlive the memory of a buffer
      # transferred and collected: a plain mapping's views are left alone).
      ops += ["o[#{k}].free", "o[#{k}].resize(#{a})", "o[#{k}].transfer", "o[#{k}].inspect",
              "o[#{k}].get_string(#{a}, #{b})", "o[#{k}].set_string(#{@values.value(:data)}, #{a})",
              "o[#{k}].get_value(:U8, #{a})", "o[#{k}].set_value(:U8, #{a}, #{@rng.rand(-1..256)})",
              "o[#{k}].to_s", "o[#{k}].clear(#{@rng.rand(256)}, #{a}, #{b})"]
    end
    Statement.new("o[#{slot}] = #{pick(ops)}")
  end

  # (no POSIX view: inspect, ==, dup and clone read its content)
  def misc
    ref = @values.slot(*FAMILIES.values, :view_sysv) || "nil"
    other = @values.slot(*(ALL_KINDS - [:view_posix])) || "nil"
    op = pick(["#{ref}.inspect", "#{ref}.to_s", "#{ref}.hash", "#{ref} == #{other}", "#{ref}.dup", "#{ref}.clone",
               "Marshal.dump(#{ref})", "#{ref}.freeze", "#{ref}.instance_variables", "#{ref}.class.allocate",
               "GC.start", "GC.compact", "#{ref}.respond_to?(:close)", "#{ref}.frozen?"])
    Statement.new("o[#{@state.new_slot}] = #{op}")
  end

  def drop
    return Statement.new("GC.start") if @state.kinds.empty?

    k = pick(@state.kinds.keys)
    @values.refs << k
    Statement.new("o.delete(#{k})")
  end
end

# Runs statements in a binding of their own and judges what they raise.
class Context
  def initialize
    o = {}
    @binding = binding
    @o = o
  end

  attr_reader :o

  def evaluate(source) = @binding.eval(source, "<fuzz>")
end

class Batch
  def initialize(log_path, skip_known, shared_ipc)
    @log = File.open(log_path, "a")
    @log.sync = true
    @skip_known = skip_known
    @shared_ipc = shared_ipc
    @context = Context.new
    @made = []
    @failures = []
    @exceptions = Hash.new(0)
    @calls = 0
    @skipped_known = 0
    trap("USR1") {}            # a handler that returns
    trap("USR2", "IGNORE")
    $batch = self
  end

  def write(line) = @log.write("#{line.b}\n")

  # Runs one statement; returns [the slot it filled, the name or key there] or nil.
  def execute(statement)
    text, waits = statement.text, statement.waits
    return (@skipped_known += 1) && nil if statement.tag && @skip_known

    write(statement.line)
    @calls += 1
    begin
      catch(:fz) do
        if waits
          Timeout.timeout(ALARM_S, FuzzAlarm) { @context.evaluate(text) }
        else
          @context.evaluate(text)
        end
      end
    rescue Exception => e # rubocop:disable Lint/RescueException (every exception is judged)
      @exceptions[e.class.name] += 1
      @failures << { statement: text, error: "#{e.class}: #{e.message}"[0, 500], call: @calls } unless allowed?(e)
      return nil
    end
    filled = FILLS_SLOT.match(text) or return nil
    slot = filled[1].to_i
    value = @context.o[slot]
    [slot, track(value)]
  end

  # Notes an object a call made, for the log and the final removal: its name or key.
  def track(value)
    family = family_of(value)
    return nil unless FAMILIES.value?(family)

    if family.to_s.start_with?("sysv")
      @made << [family, value.id]
      write("#+ #{family} #{value.id} #{value.key}")
      value.key
    else
      name = value.name
      @made << [family, name]
      # (run_fuzz.py finds a crashed batch's mutexes and condition variables by their prefix)
      write("#+ #{family} #{name.unpack1('H*')}") if family.to_s.start_with?("posix")
      name
    end
  rescue Pipc::Error
    nil   # closed before we looked
  end

  REMOVERS = { posix_sem: P.method(:unlink_semaphore), posix_shm: P.method(:unlink_shared_memory),
               posix_mq: P.method(:unlink_message_queue), sysv_sem: S.method(:remove_semaphore),
               sysv_shm: S.method(:remove_shared_memory), sysv_mq: S.method(:remove_message_queue),
               mutex: Pipc::Mutex.method(:unlink), cond: Pipc::ConditionVariable.method(:unlink),
               channel: Pipc::Channel.method(:unlink) }.freeze

  # Closes and removes what the batch made, and ends the log.
  def finish
    @context.o.each_value { |v| v.close if FAMILIES.value?(family_of(v)) rescue nil } # rubocop:disable Style/RescueModifier
    @context.o.clear
    GC.start
    @made.each do |family, ident|
      REMOVERS.fetch(family).call(ident)
    rescue Pipc::Error, ArgumentError
      nil   # removed already
    end
    write("#RESULT #{JSON.generate(calls: @calls, failures: @failures, exceptions: @exceptions,
                                   skipped_known: @skipped_known)}")
  end

  def fuzz(seed, calls)
    rng = Random.new(seed)
    # In a private namespace the seed alone names things; shared, the pid keeps runs apart.
    token = seed.to_s(16) + (@shared_ipc ? ".#{Process.pid}" : "")
    state = State.new(rng, token, @shared_ipc)
    generator = Generator.new(rng, state, @context)
    calls.times do
      statement = generator.next_statement
      slot, ident = execute(statement)
      state.kinds.select! { |k, _| @context.o.key?(k) }
      next unless slot && @context.o.key?(slot)

      value = @context.o[slot]
      state.kinds[slot] = [family_of(value), value.class]
      state.tagged[slot] = statement.tag if statement.tag
      state.remember(ident, state.kinds[slot][0])
    end
    finish
  end

  def replay(path)
    File.readlines(path, chomp: true).each do |line|
      next if line.empty? || line.start_with?("#")

      execute(Statement.parse(line))
    end
    finish
  end
end

if $PROGRAM_NAME == __FILE__
  options = { calls: 1000 }
  OptionParser.new do |o|
    o.on("--seed N", Integer) { |v| options[:seed] = v }
    o.on("--calls N", Integer) { |v| options[:calls] = v }
    o.on("--replay FILE") { |v| options[:replay] = v }
    o.on("--log FILE") { |v| options[:log] = v }
    o.on("--skip-known") { options[:skip_known] = true }
    o.on("--shared-ipc") { options[:shared_ipc] = true }
  end.parse!
  batch = Batch.new(options.fetch(:log), options[:skip_known], options[:shared_ipc])
  options[:replay] ? batch.replay(options[:replay]) : batch.fuzz(options.fetch(:seed), options[:calls])
end
