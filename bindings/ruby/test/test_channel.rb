# frozen_string_literal: true

require_relative "helper"

# Pipc::Channel: order, capacity and timeouts, EMSGSIZE, attributes, receive_into, errors,
# waits ended by close, Thread#raise and Thread#kill, two processes exchanging messages,
# and a producer killed with SIGKILL mid-stream. (test_threads.rb runs the channel's
# blocking calls through every blocking-call test too: blockers.rb.) Every wait is
# bounded; children are killed if they hang.
class TestChannel < PipcTestCase
  class Stop < StandardError; end

  BOUND = 3 * LIMIT
  EMSGSIZE = -9

  # A Thread blocked in BLOCK (its exception kept as its value), once it is blocked.
  def blocked_thread(&block)
    thread = Thread.new do
      Thread.current.report_on_exception = false
      block.call
    rescue Exception => e # rubocop:disable Lint/RescueException
      e
    end
    wait_blocked(thread)
    thread
  end

  def test_send_receive_in_order
    ch = pipc_channel(slots: 8, max_message_size: 64, mode: 0o600)
    assert_predicate ch, :created?
    assert_match %r{\A/}, ch.name
    assert_equal 0o600, ch.mode
    assert_equal "#<Pipc::Channel #{ch.name} 0/8>", ch.inspect
    8.times { |i| assert_nil ch.send("message #{i}") }
    assert_equal 8, ch.messages
    got = Array.new(8) { ch.receive(timeout: 0) }
    assert_equal Array.new(8) { |i| "message #{i}" }, got
    assert got.all? { |m| m.encoding == Encoding::BINARY }
    assert_equal 0, ch.messages
  end

  def test_full_and_empty_with_timeouts
    ch = pipc_channel(slots: 2, max_message_size: 16)
    assert_raises(Pipc::BusyError) { ch.receive(timeout: 0) }
    t = elapsed { assert_raises(Pipc::BusyError) { ch.receive(timeout: 0.05) } }
    assert_operator t, :>=, 0.05
    assert_operator t, :<, LIMIT
    ch.send("a")
    ch.send("b", timeout: 0)
    assert_raises(Pipc::BusyError) { ch.send("c", timeout: 0) }
    t = elapsed { assert_raises(Pipc::BusyError) { ch.send("c", timeout: 0.05) } }
    assert_operator t, :>=, 0.05
    assert_equal 2, ch.messages
    assert_equal "a", ch.receive
    ch.send("c", timeout: 1.5)               # room again
    assert_equal %w[b c], [ch.receive(timeout: 1), ch.receive(timeout: 0)]
  end

  def test_binary_data_and_encodings
    ch = pipc_channel(max_message_size: 256)
    bytes = (0..255).to_a.pack("C*")
    ch.send(bytes)
    assert_equal bytes, ch.receive
    ch.send("")
    assert_equal "", ch.receive
    text = "é€".encode("UTF-16LE")
    ch.send(text)
    assert_equal text.b, ch.receive
  end

  def test_message_too_long
    ch = pipc_channel(max_message_size: 16)
    ch.send("x" * 16)
    e = assert_raises(Pipc::InvalidArgumentError) { ch.send("x" * 17) }
    assert_kind_of ArgumentError, e
    assert_equal EMSGSIZE, e.status
    assert_includes e.message, "the message is 17 bytes; the channel's max_message_size is 16"
    assert_raises(Pipc::InvalidArgumentError) { ch.send("x" * 17, timeout: 0) }
    assert_equal 1, ch.messages              # nothing sent
    assert_equal "x" * 16, ch.receive
  end

  def test_attributes_and_defaults
    ch = pipc_channel
    assert_equal [64, 1024, 0, 0], [ch.slots, ch.max_message_size, ch.messages, ch.spin]
    assert_equal Pipc::Lowlevel::DEFAULT_MODE, ch.mode
    small = pipc_channel(slots: 4, max_message_size: 100)
    # an existing channel keeps its own sizes, whatever the opener asks
    Pipc::Channel.open(small.name, flags: Pipc::Posix::O_CREAT, slots: 128, max_message_size: 9) do |other|
      refute_predicate other, :created?
      assert_equal [4, 100], [other.slots, other.max_message_size]
      other.send("y" * 100)
      assert_equal 1, small.messages
    end
    assert_equal "y" * 100, small.receive
  end

  def test_open_block_form_and_named_channels
    name = "/pipc-rb-test-ch-#{Process.pid}-#{rand(1 << 30)}"
    value = Pipc::Channel.open(name, flags: Pipc::Posix::O_CREX, slots: 2) do |ch|
      track(ch)
      assert_equal name, ch.name
      assert_predicate ch, :created?
      ch.send("kept")
      :done
    end
    assert_equal :done, value
    Pipc::Channel.open(name) { |ch| assert_equal "kept", ch.receive(timeout: 0) }  # closing keeps it
    assert_raises(Pipc::ExistentialError) { Pipc::Channel.new(name, flags: Pipc::Posix::O_CREX) }
  end

  def test_receive_into_a_string
    ch = pipc_channel(max_message_size: 64)
    buffer = +"old contents that are longer than the message"
    ch.send("hello")
    assert_equal 5, ch.receive_into(buffer)
    assert_equal "hello", buffer
    assert_equal Encoding::BINARY, buffer.encoding
    ch.send("x" * 64)
    assert_equal 64, ch.receive_into(buffer, timeout: 0)
    assert_equal "x" * 64, buffer
    assert_raises(Pipc::BusyError) { ch.receive_into(buffer, timeout: 0) }
    assert_equal "x" * 64, buffer            # untouched by a failed call
    assert_predicate buffer, :ascii_only?   # Ruby caches what it knows of the bytes...
    ch.send("\xff\xfe".b)
    ch.receive_into(buffer)
    refute_predicate buffer, :ascii_only?   # ...and forgets it when they change
    assert_raises(FrozenError) { ch.receive_into("frozen".freeze) }
    assert_raises(TypeError) { ch.receive_into(:nope) }
  end

  def test_receive_into_an_io_buffer
    ch = pipc_channel(max_message_size: 64)
    buffer = IO::Buffer.new(32)
    ch.send("abc")
    assert_equal 3, ch.receive_into(buffer)
    assert_equal "abc", buffer.get_string(0, 3)
    ch.send("z" * 33)
    e = assert_raises(Pipc::InvalidArgumentError) { ch.receive_into(buffer, timeout: 0) }
    assert_equal EMSGSIZE, e.status
    assert_includes e.message, "the message is 33 bytes; the buffer holds 32"
    assert_equal 1, ch.messages              # the message stays for a bigger buffer
    assert_equal 33, ch.receive_into(IO::Buffer.new(64))
    ch.send("r")
    readonly = IO::Buffer.for("read-only String")
    assert_raises(IO::Buffer::AccessError) { ch.receive_into(readonly) }
    assert_equal 1, ch.messages
  end

  def test_receive_into_waits_with_the_buffer_locked
    ch = pipc_channel
    string = +""
    buffer = IO::Buffer.new(1024)
    string_waiter = blocked_thread { ch.receive_into(string, timeout: BOUND) }
    assert_raises(RuntimeError) { string << "changed meanwhile" }   # "can't modify string; temporarily locked"
    ch.send("one")
    assert_equal 3, string_waiter.value
    assert_equal "one", string
    string << " more"                         # unlocked again
    buffer_waiter = blocked_thread { ch.receive_into(buffer, timeout: BOUND) }
    assert_predicate buffer, :locked?
    ch.send("two")
    assert_equal 3, buffer_waiter.value
    refute_predicate buffer, :locked?
    assert_equal "two", buffer.get_string(0, 3)
    # a buffer its owner locked: the message reaches it all the same
    locked_waiter = blocked_thread { buffer.locked { ch.receive_into(buffer, timeout: BOUND) } }
    ch.send("three")
    assert_equal 5, locked_waiter.value
    assert_equal "three", buffer.get_string(0, 5)
    refute_predicate buffer, :locked?
  end

  def test_spin
    ch = pipc_channel
    ch.spin = 20_000
    assert_equal 20_000, ch.spin
    waiter = Thread.new { ch.receive(timeout: BOUND) }
    ch.send("spun")
    assert_equal "spun", waiter.value
    ch.spin = 0
    assert_equal 0, ch.spin
    assert_raises(Pipc::InvalidArgumentError) { ch.spin = 1_000_001 }
    assert_raises(ArgumentError) { ch.spin = -1 }
    assert_raises(TypeError) { ch.spin = 0.5 }
    assert_equal 0, ch.spin
  end

  def test_bad_arguments
    ch = pipc_channel
    # (tracked, so that one made by mistake is removed)
    assert_raises(Pipc::InvalidArgumentError) { track(Pipc::Channel.new(nil, slots: 3)) }   # not a power of two
    assert_raises(Pipc::InvalidArgumentError) { track(Pipc::Channel.new(nil, slots: 0)) }
    assert_raises(Pipc::InvalidArgumentError) { track(Pipc::Channel.new(nil, slots: 1 << 17)) }
    assert_raises(Pipc::InvalidArgumentError) { track(Pipc::Channel.new(nil, max_message_size: 0)) }
    assert_raises(Pipc::InvalidArgumentError) { track(Pipc::Channel.new(nil, max_message_size: (16 << 20) + 1)) }
    assert_raises(ArgumentError) { Pipc::Channel.new(nil, slots: -1) }
    assert_raises(TypeError) { Pipc::Channel.new(nil, slots: "64") }
    assert_raises(TypeError) { Pipc::Channel.new(42) }
    assert_raises(ArgumentError) { Pipc::Channel.new("/a\0b") }
    assert_raises(Pipc::InvalidArgumentError) { Pipc::Channel.new("no-slash", flags: Pipc::Posix::O_CREAT) }
    assert_raises(ArgumentError) { Pipc::Channel.new(nil, flags: 0x100) }
    assert_raises(ArgumentError) { Pipc::Channel.new(nil, mode: -1) }
    assert_raises(Pipc::ExistentialError) { Pipc::Channel.new("/pipc-no-such-#{rand(1 << 30)}") }
    assert_raises(TypeError) { ch.send(:x) }
    assert_raises(TypeError) { ch.send(nil) }
    assert_raises(TypeError) { ch.receive(timeout: "1") }
    assert_raises(ArgumentError) { ch.receive(timeout: -1) }
    assert_raises(ArgumentError) { ch.receive(wait: 1) }
    assert_raises(ArgumentError) { ch.receive(1) }
    assert_raises(ArgumentError) { ch.send("x", priority: 1) }
    assert_raises(TypeError) { ch.dup }
    assert_raises(TypeError) { Pipc::Channel.unlink(nil) }
    assert_raises(Pipc::ExistentialError) { Pipc::Channel.allocate.receive }
    assert_equal 0, ch.messages
  end

  def test_closed
    ch = pipc_channel
    ch.close
    ch.close
    assert_predicate ch, :closed?
    assert_equal "#<Pipc::Channel (closed)>", ch.inspect
    %i[receive name created? unlink slots max_message_size messages spin].each do |method|
      assert_raises(Pipc::ExistentialError, method) { ch.public_send(method) }
    end
    assert_raises(Pipc::ExistentialError) { ch.send("x") }
    assert_raises(Pipc::ExistentialError) { ch.receive_into(+"") }
    assert_raises(Pipc::ExistentialError) { ch.spin = 0 }
  end

  def test_unlink_by_handle_and_by_name
    ch = pipc_channel
    ch.unlink
    assert_raises(Pipc::ExistentialError) { Pipc::Channel.new(ch.name) }
    ch.send("still usable")
    assert_equal "still usable", ch.receive
    other = pipc_channel
    Pipc::Channel.unlink(other.name)
    refute File.exist?("/dev/shm/#{other.name[1..]}")
    assert_raises(Pipc::ExistentialError) { Pipc::Channel.unlink(other.name) }
  end

  # ---- waits ended from other threads ----

  def test_close_from_another_thread_ends_a_blocked_receive
    ch = pipc_channel
    other = Pipc::Channel.new(ch.name)
    waiter = blocked_thread { ch.receive }   # forever
    t = elapsed do
      ch.close
      assert waiter.join(LIMIT), "close did not end the receive"
    end
    assert_kind_of Pipc::ExistentialError, waiter.value
    assert_operator t, :<, 1.0
    other.send("the channel works")
    assert_equal "the channel works", other.receive(timeout: 0)
  ensure
    other&.close
  end

  def test_thread_raise_into_a_blocked_receive
    ch = pipc_channel
    waiter = blocked_thread { ch.receive }
    waiter.raise(Stop)
    assert waiter.join(LIMIT), "Thread#raise did not end the receive"
    assert_kind_of Stop, waiter.value
    ch.send("after")                        # the raise consumed nothing
    assert_equal 1, ch.messages
    assert_equal "after", ch.receive(timeout: 0)
  end

  def test_thread_kill_ends_a_blocked_send
    ch = pipc_channel(slots: 1)
    ch.send("full")
    waiter = blocked_thread { ch.send("never", timeout: BOUND) }
    waiter.kill
    assert waiter.join(LIMIT), "Thread#kill did not end the send"
    assert_equal 1, ch.messages
    assert_equal "full", ch.receive(timeout: 0)
    assert_raises(Pipc::BusyError) { ch.receive(timeout: 0) }
  end

  # A signal whose trap does not raise interrupts the wait (PIPC_EINTR): the trap runs, and
  # the wait resumes with the time left, still ending at its deadline or at a message.
  def test_signals_during_a_wait
    ch = pipc_channel
    trapped = 0
    old = trap(:USR2) { trapped += 1 }
    main = Thread.current
    helper = Thread.new do
      3.times do |i|
        wait_blocked(main)
        Process.kill(:USR2, Process.pid)
        wait_until(LIMIT, "the trap running") { trapped > i }
      end
    end
    t = elapsed { assert_raises(Pipc::BusyError) { ch.receive(timeout: 0.5) } }
    assert_operator t, :>=, 0.5
    assert_operator t, :<, LIMIT
    assert helper.join(LIMIT)
    assert_equal 3, trapped
    helper = Thread.new do
      wait_blocked(main)
      Process.kill(:USR2, Process.pid)
      wait_until(LIMIT, "the trap running") { trapped == 4 }
      wait_blocked(main)
      ch.send("after the signal")
    end
    assert_equal "after the signal", ch.receive(timeout: BOUND)
    assert helper.join(LIMIT)
  ensure
    helper&.kill
    trap(:USR2, old)
  end

  # Ctrl-C: SIGINT to a process blocked for ever in a receive ends it with Interrupt.
  def test_sigint_ends_a_receive
    ch = pipc_channel
    assert_sigint_ends_child(<<~RUBY, ch.name)
      ch = Pipc::Channel.new(ARGV[1])
      Pipc::Posix::Semaphore.open(ARGV[0], &:release)
      ch.receive
    RUBY
    ch.send("still works")
    assert_equal 1, ch.messages
  end

  def test_threads_send_and_receive_at_once
    ch = pipc_channel(slots: 4, max_message_size: 32)
    producers = Array.new(3) do |p|
      Thread.new { 500.times { |i| ch.send([p, i].pack("L<L<"), timeout: BOUND) } }
    end
    got = Array.new(1500) { ch.receive(timeout: BOUND).unpack("L<L<") }
    producers.each(&:join)
    got.group_by(&:first).each_value do |entries|
      assert_equal (0...500).to_a, entries.map(&:last)   # in order per sender, none lost or doubled
    end
    assert_equal [0, 1, 2], got.map(&:first).uniq.sort
  end

  # ---- processes ----

  def test_two_processes_exchange_10000_messages_in_order
    ch = pipc_channel(slots: 64, max_message_size: 64)
    pid = spawn_child(<<~RUBY, ch.name)
      Pipc::Channel.open(ARGV[0]) do |ch|
        10_000.times { |i| ch.send("message \#{i}", timeout: 30) }
      end
    RUBY
    received = Array.new(10_000) { ch.receive(timeout: BOUND) }
    assert_equal 0, wait_child(pid).exitstatus
    bad = received.each_with_index.reject { |m, i| m == "message #{i}" }
    assert_empty bad.first(5), "#{bad.size} messages out of order or corrupt"
    assert_raises(Pipc::BusyError) { ch.receive(timeout: 0) }
  end

  # A producer process sends a numbered stream without end; it is killed with SIGKILL
  # after a varying number of messages were received: in some rounds while this process
  # has stopped receiving (the producer waits on a full channel), in the others while it
  # goes on receiving (the producer is likely in the middle of a send). What it sent is
  # received once each, in order and whole (the message of the send it was killed in, or
  # not), and the channel keeps working: a new producer's messages all arrive, and
  # nothing is left over.
  def test_producer_killed_mid_stream
    ch = pipc_channel(slots: 16, max_message_size: 128)
    producer = <<~RUBY
      Pipc::Channel.open(ARGV[0]) do |ch|
        i = 0
        loop do
          ch.send(format("%s %08d %s", ARGV[1], i, "p" * (i % 97)))
          i += 1
          break if ARGV[2] && i == Integer(ARGV[2])
        end
      end
    RUBY
    check = lambda do |tag, message, expected|
      word, seq, pad = message.split(" ", 3)
      assert_equal [tag, expected, "p" * (expected % 97)], [word, Integer(seq, 10), pad.to_s]
    end
    [37, 1000, 4321, 5, 777, 3000].each_with_index do |receive_first, round|
      tag = "r#{round}"
      pid = spawn_child(producer, ch.name, tag)
      next_seq = 0
      receive_first.times do
        check.call(tag, ch.receive(timeout: BOUND), next_seq)
        next_seq += 1
      end
      killer = Thread.new { Process.kill(:KILL, pid) && wait_child(pid) }
      killer.join if round < 3     # else receive on while it dies
      # what it managed to send: the rest of its stream, in order, until it is dead and
      # the channel empty
      loop do
        dead = !killer.alive?
        message = ch.receive(timeout: dead ? 0 : 0.01)
        check.call(tag, message, next_seq)
        next_seq += 1
      rescue Pipc::BusyError
        break if dead
      end
      assert_equal Signal.list["KILL"], killer.value.termsig
    end
    # the channel still works for everyone: a new producer, this process, and a consumer elsewhere
    pid = spawn_child(producer, ch.name, "after", 500)
    500.times { |i| check.call("after", ch.receive(timeout: BOUND), i) }
    assert_equal 0, wait_child(pid).exitstatus
    assert_equal 0, ch.messages
    ch.send("to a child")
    status = run_child('exit(Pipc::Channel.open(ARGV[0]) { |c| c.receive(timeout: 10) } == "to a child" ? 0 : 1)',
                       ch.name)
    assert_equal 0, status.exitstatus
  end

  def test_fork_child_uses_the_handle
    ch = pipc_channel
    pid = fork { exit!(ch.send("from the child").nil? ? 0 : 1) }
    assert_equal "from the child", ch.receive(timeout: BOUND)
    assert_equal 0, wait_child(pid).exitstatus
  end
end
