# frozen_string_literal: true

require_relative "helper"

class TestSysVMessageQueue < PipcTestCase
  def test_types
    q = sysv_mq
    q.send("three", type: 3)
    q.send("one", type: 1)
    q.send("two", type: 2)
    assert_equal ["two", 2], q.receive(type: 2)
    assert_equal ["one", 1], q.receive(type: -3)     # lowest type <= 3
    assert_equal ["three", 3], q.receive(type: 0)
    assert_raises(Pipc::BusyError) { q.receive(timeout: 0) }
    assert_raises(Pipc::BusyError) { q.receive(type: 9, timeout: 0.02) }
    assert_raises(ArgumentError) { q.send("x", type: 0) }
  end

  def test_sizes_stat_and_max_bytes
    q = sysv_mq(max_bytes: 64)
    assert_equal 64, q.max_bytes
    q.max_size = 32
    assert_equal 32, q.max_size
    e = assert_raises(Pipc::InvalidArgumentError) { q.send("x" * 33) }
    assert_equal(-9, e.status)
    q.send("x" * 20)
    assert_raises(Pipc::BusyError) { q.send("y" * 20, timeout: 0) }
    assert_equal 1, q.current_messages
    assert_equal 20, q.stat.current_bytes
    assert_equal Process.pid, q.last_send_pid
    assert_operator q.last_send_time, :>, 0
    msg, = q.receive(truncate: true)
    assert_equal 20, msg.bytesize
  end

  def test_cross_process_and_remove
    q = sysv_mq
    pid = spawn_child(<<~RUBY, q.key)
      Pipc::SysV::MessageQueue.open(Integer(ARGV[0])) do |q|
        msg, type = q.receive(type: 5, timeout: 20)
        q.send(msg * 2, type: type + 1)
      end
    RUBY
    q.send("ab", type: 5)
    status = wait_child(pid)
    assert_predicate status, :success?
    assert_equal ["abab", 6], q.receive(timeout: LIMIT)
    Pipc::SysV.remove_message_queue(q.id)
    assert_raises(Pipc::ExistentialError) { q.send("x") }
  end
end
