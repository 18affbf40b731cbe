# frozen_string_literal: true

require_relative "helper"

# Pipc::ConditionVariable with Pipc::Mutex: waits, signal and broadcast across processes,
# timeouts, errors, and what ends a wait. No sleeps: a waiter says it is about to wait by
# releasing a semaphore while it holds the mutex, so whoever takes the mutex after that
# finds it waiting.
class TestConditionVariable < PipcTestCase
  BOUND = 3 * LIMIT

  # The child side: open the mutex and the condition variable, and wait (bounded) until
  # the 8-byte counter of the shared memory is at least ARGV[3], releasing the semaphore
  # ARGV[2] once, before the first wait. Exit 0 when woken to the counter's value.
  WAITER = <<~RUBY
    m = Pipc::Mutex.new(ARGV[0])
    c = Pipc::ConditionVariable.new(ARGV[1])
    shm = Pipc::Posix::SharedMemory.new(ARGV[4])
    ready = Pipc::Posix::Semaphore.new(ARGV[2])
    value = -> { shm.read(8, 0).unpack1("Q<") }
    woken = m.synchronize do
      ready.release
      c.wait(m, 20) until value.call >= Integer(ARGV[3])
      true
    end
    exit(woken ? 0 : 2)
  RUBY

  def setup
    @m = pipc_mutex
    @c = pipc_cond
    @shm = posix_shm(size: 8)
    @ready = posix_sem
  end

  def waiters(count, target)
    pids = Array.new(count) { spawn_child(WAITER, @m.name, @c.name, @ready.name, target, @shm.name) }
    count.times { @ready.acquire(timeout: LIMIT) }
    pids
  end

  def bump = @shm.write([@shm.read(8, 0).unpack1("Q<") + 1].pack("Q<"), 0)

  def test_names_and_open
    assert_predicate @c, :created?
    assert_match %r{\A/}, @c.name
    assert_equal "#<Pipc::ConditionVariable #{@c.name}>", @c.inspect
    Pipc::ConditionVariable.open(@c.name) { |other| refute_predicate other, :created? }
    other = pipc_cond
    Pipc::ConditionVariable.unlink(other.name)
    assert_raises(Pipc::ExistentialError) { Pipc::ConditionVariable.unlink(other.name) }
  end

  def test_signal_wakes_a_waiter_in_another_process
    pid, = waiters(1, 1)
    @m.synchronize do
      bump
      assert_same @c, @c.signal
    end
    assert_equal 0, wait_child(pid).exitstatus
  end

  def test_broadcast_wakes_every_waiter
    pids = waiters(3, 1)
    @m.synchronize do
      bump
      assert_same @c, @c.broadcast
    end
    pids.each { |pid| assert_equal 0, wait_child(pid).exitstatus }
  end

  def test_signal_from_another_process_wakes_a_thread_here
    waiter = Thread.new { @m.synchronize { @ready.release; @c.wait(@m, BOUND) } }
    @ready.acquire(timeout: LIMIT)
    status = run_child(<<~RUBY, @m.name, @c.name)
      m = Pipc::Mutex.new(ARGV[0])
      m.synchronize { Pipc::ConditionVariable.new(ARGV[1]).signal }
    RUBY
    assert_predicate status, :success?
    assert_equal true, waiter.value
  end

  def test_timeout_returns_false_with_the_mutex_held
    @m.lock
    t = elapsed { assert_equal false, @c.wait(@m, 0.05) }
    assert_operator t, :>=, 0.05
    assert_equal false, @c.wait(@m, 0)
    assert_equal false, Thread.new { @m.try_lock }.value
    @m.unlock
  end

  def test_errors
    assert_raises(Pipc::PermissionsError) { @c.wait(@m, BOUND) }   # not held
    @m.synchronize do
      assert_raises(TypeError) { @c.wait(Thread::Mutex.new) }
      assert_raises(TypeError) { @c.wait(nil) }
      assert_raises(TypeError) { @c.wait(@m, "1") }
      assert_raises(ArgumentError) { @c.wait(@m, -1) }
      assert_raises(ArgumentError) { @c.wait }
      assert_raises(Pipc::ExistentialError) { @c.wait(Pipc::Mutex.allocate) }
    end
    closed = Pipc::Mutex.new(@m.name)
    closed.close
    assert_raises(Pipc::ExistentialError) { @c.wait(closed, 0) }
    @c.close
    %i[signal broadcast name created? unlink].each do |method|
      assert_raises(Pipc::ExistentialError, method) { @c.public_send(method) }
    end
    assert_raises(Pipc::ExistentialError) { @m.synchronize { @c.wait(@m, 0) } }
  end

  def test_close_from_another_thread_ends_the_wait_with_the_mutex_held
    waiter = Thread.new do
      @m.synchronize do
        @ready.release
        @c.wait(@m, BOUND)
      rescue Pipc::ExistentialError => e
        [e, Thread.new { @m.try_lock }.value]
      end
    end
    @ready.acquire(timeout: LIMIT)
    @m.synchronize { @c.close }        # the waiter is waiting once the mutex is free
    error, other_got_it = waiter.value
    assert_kind_of Pipc::ExistentialError, error
    assert_equal false, other_got_it
    assert @m.synchronize { true }     # the waiter's synchronize unlocked it
  end

  def test_closing_the_mutex_ends_the_wait_without_it
    other = Pipc::Mutex.new(@m.name)
    waiter = Thread.new do
      other.synchronize do
        @ready.release
        @c.wait(other, BOUND)
      end
    rescue Pipc::ExistentialError => e
      e
    end
    @ready.acquire(timeout: LIMIT)
    @m.synchronize { other.close }     # the waiter is waiting once the mutex is free
    assert_kind_of Pipc::ExistentialError, waiter.value
    assert @m.synchronize { true }     # not held by the waiter
  end

  def test_thread_raise_and_kill_end_the_wait
    [:raise, :kill].each do |how|
      waiter = Thread.new do
        Thread.current.report_on_exception = false
        @m.synchronize { @ready.release; @c.wait(@m) }   # no timeout: only how ends it
      end
      @ready.acquire(timeout: LIMIT)
      @m.synchronize { how == :raise ? waiter.raise(IOError) : waiter.kill }
      how == :raise ? assert_raises(IOError) { waiter.join(LIMIT) } : assert(waiter.join(LIMIT))
      assert @m.synchronize { true }, "the mutex was left held after #{how}"
    end
  end

  def test_a_trap_that_does_not_raise_counts_as_a_wakeup
    trapped = 0
    old = trap(:USR2) { trapped += 1 }
    main = Thread.current
    helper = Thread.new do
      @ready.acquire(timeout: LIMIT)
      @m.synchronize { Process.kill(:USR2, Process.pid) }
    end
    woken = @m.synchronize do
      @ready.release
      @c.wait(@m, BOUND)
    end
    assert helper.join(LIMIT)
    assert_equal true, woken
    assert_equal 1, trapped
    assert_equal "run", main.status
  ensure
    trap(:USR2, old)
  end

  # With the mutex held: a child process that locks it once this thread waits, and is
  # killed holding it, then a signal. The thread that kills it and signals.
  def owner_killed_during_the_wait
    @m.lock
    pid = spawn_child(<<~RUBY, @m.name, @ready.name)
      Pipc::Mutex.new(ARGV[0]).lock          # once the parent waits
      Pipc::Posix::Semaphore.open(ARGV[1], &:release)
      sleep
    RUBY
    Thread.new do
      @ready.acquire(timeout: LIMIT)
      Process.kill(:KILL, pid)
      wait_child(pid)
      @c.signal
    end
  end

  # The owner of the mutex dies while a thread here waits on the condition variable: the
  # wait's relock reports it.
  def test_owner_death_during_a_wait
    killer = owner_killed_during_the_wait
    assert_raises(Pipc::OwnerDeadError) { @c.wait(@m, BOUND) }
    assert killer.join(LIMIT)
    @m.consistent
    @m.unlock
  end

  def test_owner_death_during_a_wait_with_a_recovery
    repaired = false
    @m.recover = -> { repaired = true }
    killer = owner_killed_during_the_wait
    assert_equal true, @c.wait(@m, BOUND)
    assert killer.join(LIMIT)
    assert repaired
    @m.unlock
    assert @m.synchronize { true }
  end
end
