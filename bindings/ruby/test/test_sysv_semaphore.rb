# frozen_string_literal: true

require_relative "helper"

class TestSysVSemaphore < PipcTestCase
  def test_delta_timeout_value
    sem = sysv_sem(initial_value: 3)
    assert_predicate sem, :created?
    assert_equal 3, sem.value
    sem.acquire(delta: 2)
    assert_raises(Pipc::BusyError) { sem.acquire(delta: 2, timeout: 0) }
    t = elapsed { assert_raises(Pipc::BusyError) { sem.acquire(delta: 2, timeout: 0.05) } }
    assert_operator t, :>=, 0.05
    sem.release(delta: 4)
    assert_equal 5, sem.value
    sem.value = 0
    assert_equal 0, sem.value
    assert_raises(ArgumentError) { sem.acquire(delta: 0) }
    assert_raises(ArgumentError) { sem.value = -1 }
    assert_raises(Pipc::InvalidArgumentError) { sem.release(delta: Pipc::SysV::SEMAPHORE_VALUE_MAX + 1) }
  end

  def test_wait_for_zero_and_block_flag
    sem = sysv_sem(initial_value: 1)
    assert_raises(Pipc::BusyError) { sem.wait_for_zero(timeout: 0) }
    sem.acquire
    sem.wait_for_zero
    sem.block = false
    refute sem.block
    assert_raises(Pipc::BusyError) { sem.acquire }   # non-blocking: no wait
  end

  def test_undo
    sem = sysv_sem
    refute sem.undo
    sem.undo = true
    assert sem.undo
    status = run_child(<<~RUBY, sem.id)
      Pipc::SysV::Semaphore.open_id(Integer(ARGV[0])) do |s|
        s.undo = true
        s.release(delta: 2)
      end
    RUBY
    assert_predicate status, :success?
    assert_equal 0, sem.value            # the kernel undid the child's release at exit
  end

  def test_stat_fields_and_settable_ones
    sem = sysv_sem(initial_value: 1, mode: 0o640)
    assert_equal 0o640, sem.mode
    assert_equal Process.uid, sem.uid
    assert_equal Process.gid, sem.gid
    assert_equal Process.uid, sem.cuid
    assert_equal Process.gid, sem.cgid
    assert_equal Process.pid, sem.last_pid
    assert_operator sem.o_time, :>, 0
    assert_equal 0, sem.waiting_for_nonzero
    assert_equal 0, sem.waiting_for_zero
    sem.mode = 0o600
    assert_equal 0o600, sem.stat.mode
    sem.uid = Process.uid
    sem.gid = Process.gid
    assert_raises(ArgumentError) { sem.mode = -1 }
  end

  def test_waiters_counted_and_woken_across_processes
    sem = sysv_sem
    pid = spawn_child("Pipc::SysV::Semaphore.open_id(Integer(ARGV[0])) { |s| s.acquire(timeout: 20) }", sem.id)
    wait_until(LIMIT, "the child waiting") { sem.waiting_for_nonzero == 1 }
    sem.release
    status = wait_child(pid)
    assert_predicate status, :success?
    assert_equal 0, sem.value
  end

  def test_open_by_key_and_id_remove
    sem = sysv_sem(initial_value: 7)
    Pipc::SysV::Semaphore.open(sem.key) { |s| assert_equal 7, s.value; refute_predicate s, :created? }
    Pipc::SysV::Semaphore.open_id(sem.id) { |s| assert_equal sem.key, s.key }
    Pipc::SysV.remove_semaphore(sem.id)
    assert_raises(Pipc::ExistentialError) { sem.value }
    assert_raises(Pipc::ExistentialError) { Pipc::SysV::Semaphore.open_id(sem.id) }
  end

  def test_private_key_and_synchronize
    sem = track(Pipc::SysV::Semaphore.new(Pipc::SysV::IPC_PRIVATE, initial_value: 1))
    assert_equal :ok, sem.synchronize { :ok }
    assert_equal 1, sem.value
    assert_raises(ArgumentError) { Pipc::SysV::Semaphore.new(1 << 40) }
    assert_raises(TypeError) { Pipc::SysV::Semaphore.new("1") }
  end

  def test_ftok
    key = Pipc::SysV.ftok(__FILE__, 7)
    assert_kind_of Integer, key
    assert_equal key, Pipc::SysV.ftok(__FILE__, 7)
    assert_raises(Pipc::ExistentialError) { Pipc::SysV.ftok("/nonexistent/pipc", 1) }
  end
end
