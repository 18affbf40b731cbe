# frozen_string_literal: true

require_relative "helper"

class TestPosixMessageQueue < PipcTestCase
  def test_send_receive_priorities
    q = posix_mq(max_messages: 4, max_message_size: 32)
    assert_predicate q, :created?
    q.send("low")
    q.send("high", priority: 5)
    q.send("mid".encode("UTF-16LE"), priority: 2, timeout: 0)
    assert_equal 3, q.current_messages
    assert_equal ["high", 5], q.receive
    data, prio = q.receive(timeout: 1.5)
    assert_equal ["mid".encode("UTF-16LE").b, 2], [data, prio]
    assert_equal Encoding::BINARY, data.encoding
    assert_equal ["low", 0], q.receive(timeout: 0)
    assert_raises(Pipc::BusyError) { q.receive(timeout: 0) }
    t = elapsed { assert_raises(Pipc::BusyError) { q.receive(timeout: 0.05) } }
    assert_operator t, :>=, 0.05
  end

  def test_binary_data
    q = posix_mq(max_message_size: 256)
    bytes = (0..255).to_a.pack("C*")
    q.send(bytes)
    assert_equal bytes, q.receive.first
    q.send("")
    assert_equal ["", 0], q.receive
  end

  def test_defaults_and_constants
    q = posix_mq
    assert_equal Pipc::Posix::QUEUE_MESSAGES_MAX_DEFAULT, q.max_messages
    assert_equal Pipc::Posix::QUEUE_MESSAGE_SIZE_MAX_DEFAULT, q.max_message_size
    q.send("top", priority: Pipc::Posix::QUEUE_PRIORITY_MAX)
    assert_equal ["top", Pipc::Posix::QUEUE_PRIORITY_MAX], q.receive
    assert_operator Pipc::Posix::USER_SIGNAL_MIN, :<=, Pipc::Posix::USER_SIGNAL_MAX
    assert_equal 0, Pipc::Posix::PAGE_SIZE % 4096
  end

  def test_attributes_and_limits
    q = posix_mq(max_messages: 3, max_message_size: 16)
    assert_equal 3, q.max_messages
    assert_equal 16, q.max_message_size
    e = assert_raises(Pipc::InvalidArgumentError) { q.send("x" * 17) }
    assert_includes e.message, "max_message_size is 16"
    assert_raises(ArgumentError) { q.send("x", priority: -1) }
    assert_raises(Pipc::InvalidArgumentError) { q.send("x", priority: 1 << 20) }
    assert_raises(TypeError) { q.send(:x) }
    3.times { q.send("x") }
    assert_raises(Pipc::BusyError) { q.send("x", timeout: 0) }
    assert_raises(Pipc::BusyError) { q.send("x", timeout: 0.01) }
  end

  def test_block_flag
    q = posix_mq
    assert q.block
    q.block = false
    refute q.block
    assert_raises(Pipc::BusyError) { q.receive }   # non-blocking: no wait
    nb = track(Pipc::Posix::MessageQueue.new(nil, flags: Pipc::Posix::O_CREX | Pipc::Posix::O_NONBLOCK))
    refute nb.block
  end

  def test_read_and_write_ends
    q = posix_mq
    Pipc::Posix::MessageQueue.open(q.name, read: false) do |w|
      w.send("one way")
      assert_raises(Pipc::PermissionsError) { w.receive(timeout: 0) }
    end
    Pipc::Posix::MessageQueue.open(q.name, write: false) do |r|
      assert_equal ["one way", 0], r.receive
      assert_raises(Pipc::PermissionsError) { r.send("x") }
    end
    assert_raises(ArgumentError) { Pipc::Posix::MessageQueue.new(q.name, read: false, write: false) }
  end

  def test_to_io_select
    q = posix_mq
    assert_kind_of IO, q.to_io
    assert_same q.to_io, q.to_io
    assert_equal q.fd, q.to_io.fileno
    assert_nil IO.select([q], nil, nil, 0)
    q.send("x")
    readable, = IO.select([q], nil, nil, LIMIT)
    assert_equal [q], readable
    io = q.to_io
    q.close
    assert_predicate io, :closed?
    assert_raises(Pipc::ExistentialError) { q.to_io }
  end

  def test_notification_block_runs_on_a_ruby_thread
    q = posix_mq
    got = Thread::Queue.new
    q.request_notification { |queue| got << [queue, Thread.current, queue.receive(timeout: 0)] }
    q.send("wake")
    wait_until(LIMIT, "the notification") { !got.empty? }
    queue, thread, message = got.pop
    assert_same q, queue
    refute_same Thread.main, thread
    assert_equal ["wake", 0], message
  end

  def test_notification_cancel_and_rearm
    q = posix_mq
    fired = 0
    q.request_notification { fired += 1 }
    q.request_notification         # cancels
    q.send("a")
    q.receive
    q.request_notification(->(queue) { fired += 1 if queue.equal?(q) })   # a callable
    q.send("b")
    wait_until(LIMIT, "the second notification") { fired == 1 }
  end

  def test_notification_by_signal
    q = posix_mq
    got = false
    old = trap(:USR1) { got = true }
    begin
      q.request_notification(:USR1)
      q.send("x")
      wait_until(LIMIT, "SIGUSR1") { got }
    ensure
      trap(:USR1, old)
    end
    assert_raises(ArgumentError) { q.request_notification(:USR1) { nil } }
  end

  # Found by fuzz_calls.rb: KeyError for a bad name and for a value of any other type,
  # NoMethodError for a BasicObject. As Process.kill and Signal.trap: ArgumentError for a
  # name that is no signal, and TypeError for what is no name or number.
  def test_notification_signal_argument_errors
    q = posix_mq
    q.request_notification { nil }
    e = assert_raises(ArgumentError) { q.request_notification(:NOSUCH) }
    assert_includes e.message, ":NOSUCH"
    assert_raises(ArgumentError) { q.request_notification("") }
    assert_raises(ArgumentError) { q.request_notification("USR1".encode("UTF-16LE")) }
    [1.5, [], Object.new, BasicObject.new].each do |bad|
      assert_raises(TypeError) { q.request_notification(bad) }
    end
    [0, 65].each { |bad| assert_raises(ArgumentError) { q.request_notification(bad) } }
    q.request_notification("SIGUSR2")   # the names Signal.list has, with or without SIG
    q.request_notification
  end

  def test_notification_held_by_another_process_is_busy
    q = posix_mq
    ready = posix_sem
    done = posix_sem
    pid = spawn_child(<<~RUBY, q.name, ready.name, done.name)
      q = Pipc::Posix::MessageQueue.new(ARGV[0])
      q.request_notification { nil }
      Pipc::Posix::Semaphore.open(ARGV[1], &:release)
      Pipc::Posix::Semaphore.open(ARGV[2]) { |s| s.acquire(timeout: 20) }
    RUBY
    ready.acquire(timeout: LIMIT)
    assert_raises(Pipc::BusyError) { q.request_notification { nil } }
    done.release
    wait_child(pid)
  end

  def test_cross_process
    q = posix_mq
    pid = spawn_child(<<~RUBY, q.name)
      Pipc::Posix::MessageQueue.open(ARGV[0]) do |q|
        msg, prio = q.receive(timeout: 20)
        q.send(msg.upcase, priority: prio + 1)
      end
    RUBY
    q.send("ping", priority: 1)
    status = wait_child(pid)
    assert_predicate status, :success?
    assert_equal ["PING", 2], q.receive(timeout: LIMIT)
  end
end
