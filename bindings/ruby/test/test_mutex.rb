# frozen_string_literal: true

require_relative "helper"

# Pipc::Mutex: locking, owner death (processes killed with SIGKILL, Threads ending), the
# recovery, errors, and fork. Every wait here is bounded; children are killed if they hang.
class TestMutex < PipcTestCase
  class Repair < StandardError; end

  BOUND = 3 * LIMIT

  # A child process that opens MUTEX, locks it, says so through a semaphore, and is then
  # killed with SIGKILL while it holds the lock.
  def kill_holder(mutex)
    ready = posix_sem
    pid = spawn_child(<<~RUBY, mutex.name, ready.name)
      Pipc::Mutex.new(ARGV[0]).lock
      Pipc::Posix::Semaphore.open(ARGV[1], &:release)
      sleep
    RUBY
    ready.acquire(timeout: LIMIT)
    Process.kill(:KILL, pid)
    assert_equal Signal.list["KILL"], wait_child(pid).termsig
  end

  # Whether another thread of this process can take MUTEX now (it unlocks it if so).
  def free_elsewhere?(mutex) = Thread.new { mutex.try_lock && mutex.unlock.nil? }.value

  def test_lock_try_lock_unlock
    m = pipc_mutex(mode: 0o600)
    assert_predicate m, :created?
    assert_match %r{\A/}, m.name
    assert_equal 0o600, m.mode
    assert_equal "#<Pipc::Mutex #{m.name}>", m.inspect
    assert_equal true, m.lock
    refute free_elsewhere?(m)
    assert_nil m.unlock
    assert_equal true, m.try_lock
    Pipc::Mutex.open(m.name) do |other|
      refute_predicate other, :created?
      other.unlock                      # the lock is the thread's, whichever handle took it
    end
    assert free_elsewhere?(m)
  end

  def test_synchronize
    m = pipc_mutex
    assert_equal :done, m.synchronize { refute free_elsewhere?(m); :done }
    assert free_elsewhere?(m)
    assert_raises(Repair) { m.synchronize { raise Repair } }
    assert free_elsewhere?(m)
    assert_raises(LocalJumpError) { m.synchronize }
  end

  def test_relock_by_the_owner_raises_instead_of_deadlocking
    m = pipc_mutex
    m.lock
    assert_raises(Pipc::InvalidArgumentError) { m.lock(timeout: BOUND) }
    assert_raises(ArgumentError) { m.try_lock }
    assert_raises(ArgumentError) { m.synchronize { flunk } }
    m.unlock
  end

  def test_unlock_by_a_thread_that_does_not_hold_it
    m = pipc_mutex
    assert_raises(Pipc::PermissionsError) { m.unlock }
    m.lock
    error = Thread.new { assert_raises(Pipc::PermissionsError) { m.unlock } }.value
    assert_equal(-5, error.status)
    refute free_elsewhere?(m)         # still held
    m.unlock
  end

  def test_timeouts
    m = pipc_mutex
    holder_locked = Thread::Queue.new
    release = Thread::Queue.new
    holder = Thread.new { m.synchronize { holder_locked << true; release.pop } }
    holder_locked.pop
    assert_equal false, m.try_lock
    assert_equal false, m.lock(timeout: 0)
    t = elapsed { assert_equal false, m.lock(timeout: 0.05) }
    assert_operator t, :>=, 0.05
    assert_raises(Pipc::BusyError) { m.synchronize(timeout: 0.01) { flunk } }
    waiter = Thread.new { m.lock(timeout: BOUND) && m.unlock.nil? }
    wait_blocked(waiter)
    release << true
    assert waiter.value
    holder.join
  end

  def test_bad_arguments
    m = pipc_mutex
    assert_raises(TypeError) { Pipc::Mutex.new(42) }
    # A name that answers no method at all (the fuzzer's BasicObject) is refused the same way,
    # by each class that picks its default flags from the name.
    [Pipc::Mutex, Pipc::ConditionVariable, Pipc::Channel].each do |cls|
      assert_raises(TypeError) { cls.new(BasicObject.new) }
    end
    assert_raises(Pipc::InvalidArgumentError) { Pipc::Mutex.new("no-slash", flags: Pipc::Posix::O_CREAT) }
    assert_raises(ArgumentError) { Pipc::Mutex.new("/a\0b") }
    assert_raises(TypeError) { Pipc::Mutex.new(nil, flags: "1") }
    assert_raises(ArgumentError) { Pipc::Mutex.new(nil, mode: -1) }
    assert_raises(TypeError) { Pipc::Mutex.new(nil, recover: 5) }
    assert_raises(Pipc::ExistentialError) { Pipc::Mutex.new("/pipc-no-such-#{rand(1 << 30)}") }
    assert_raises(Pipc::ExistentialError) { Pipc::Mutex.new(m.name, flags: Pipc::Posix::O_CREX) }
    assert_raises(TypeError) { m.lock(timeout: "1") }
    assert_raises(ArgumentError) { m.lock(timeout: -1) }
    assert_raises(ArgumentError) { m.lock(wait: 1) }
    assert_raises(ArgumentError) { m.lock(1) }
    assert_raises(TypeError) { m.synchronize(recover: :nope) { flunk } }
    assert_raises(TypeError) { m.recover = Object.new }
    assert_raises(TypeError) { m.dup }
    assert_raises(TypeError) { Pipc::Mutex.unlink(nil) }
    assert_raises(Pipc::ExistentialError) { Pipc::Mutex.allocate.lock }
    assert free_elsewhere?(m)           # nothing above took it
  end

  def test_closed
    m = pipc_mutex
    m.close
    m.close
    assert_predicate m, :closed?
    assert_equal "#<Pipc::Mutex (closed)>", m.inspect
    %i[lock try_lock unlock consistent name created? unlink recover].each do |method|
      assert_raises(Pipc::ExistentialError, method) { m.public_send(method) }
    end
    assert_raises(Pipc::ExistentialError) { m.synchronize { flunk } }
  end

  def test_close_keeps_the_lock
    m = pipc_mutex
    other = Pipc::Mutex.new(m.name)
    other.lock
    other.close
    refute free_elsewhere?(m)
    m.unlock
  end

  def test_unlink_by_handle_and_by_name
    m = pipc_mutex
    m.unlink
    assert_raises(Pipc::ExistentialError) { Pipc::Mutex.new(m.name) }
    assert m.synchronize { true }      # still usable
    other = pipc_mutex
    Pipc::Mutex.unlink(other.name)
    assert_raises(Pipc::ExistentialError) { Pipc::Mutex.unlink(other.name) }
  end

  # ---- owner death ----

  def test_process_killed_holding_it
    m = pipc_mutex
    kill_holder(m)
    error = assert_raises(Pipc::OwnerDeadError) { m.lock(timeout: BOUND) }
    assert_equal(-16, error.status)
    refute free_elsewhere?(m)          # OwnerDeadError leaves the lock held
    m.consistent
    assert_raises(Pipc::InvalidArgumentError) { m.consistent }   # once is enough
    m.unlock
    assert m.lock(timeout: BOUND)      # usable again, for everyone
    m.unlock
    assert_predicate run_child("Pipc::Mutex.open(ARGV[0]) { |m| m.synchronize { } }", m.name), :success?
  end

  def test_synchronize_raises_owner_dead_with_the_lock_held
    m = pipc_mutex
    kill_holder(m)
    assert_raises(Pipc::OwnerDeadError) { m.synchronize(timeout: BOUND) { flunk } }
    refute free_elsewhere?(m)
    m.consistent
    m.unlock
  end

  def test_unlock_without_consistent_makes_it_not_recoverable
    m = pipc_mutex
    kill_holder(m)
    assert_raises(Pipc::OwnerDeadError) { m.lock(timeout: BOUND) }
    m.unlock
    error = assert_raises(Pipc::NotRecoverableError) { m.lock(timeout: BOUND) }
    assert_equal(-17, error.status)
    assert_raises(Pipc::NotRecoverableError) { m.try_lock }
    status = run_child(<<~RUBY, m.name)
      begin
        Pipc::Mutex.new(ARGV[0]).lock
      rescue Pipc::NotRecoverableError
        exit 3
      end
    RUBY
    assert_equal 3, status.exitstatus
  end

  def test_recover_repairs_without_a_rescue
    repairs = []
    m = pipc_mutex(recover: -> { repairs << :repaired })
    kill_holder(m)
    assert_equal :ran, m.synchronize(timeout: BOUND) { :ran }
    assert_equal [:repaired], repairs
    assert m.synchronize { true }      # consistent: no second repair
    kill_holder(m)
    assert_equal true, m.lock(timeout: BOUND)   # lock and try_lock recover too
    m.unlock
    kill_holder(m)
    assert_equal true, m.try_lock
    m.unlock
    assert_equal 3, repairs.size
  end

  def test_recover_keyword_replaces_the_objects_own
    m = pipc_mutex(recover: -> { flunk "the object's recovery ran" })
    kill_holder(m)
    ran = false
    m.synchronize(recover: proc { ran = true }) { nil }
    assert ran
    m.recover = nil
    kill_holder(m)
    assert_raises(Pipc::OwnerDeadError) { m.synchronize(timeout: BOUND) { flunk } }
    m.consistent
    m.unlock
  end

  def test_a_recovery_that_raises_leaves_it_not_recoverable
    m = pipc_mutex(recover: -> { raise Repair })
    kill_holder(m)
    assert_raises(Repair) { m.synchronize(timeout: BOUND) { flunk } }
    assert_raises(Pipc::NotRecoverableError) { m.lock(timeout: BOUND) }
  end

  # The robust list works for threads too. Ruby 3.1 keeps an ended Thread's native
  # thread for reuse for about 3 s: the owner dies when it exits (no Thread may start
  # meanwhile, or it could run on that native thread and own the lock).
  def test_thread_ending_while_holding_it
    m = pipc_mutex
    Thread.new { m.lock }.join
    t = elapsed { assert_raises(Pipc::OwnerDeadError) { m.lock(timeout: BOUND) } }
    puts format("\n  a Thread that ended holding the lock: owner death seen after %.2f s", t)
    m.consistent
    m.unlock
  end

  # Ctrl-C: SIGINT to a process waiting without limit for the lock ends it with Interrupt.
  def test_sigint_ends_a_wait_for_the_lock
    m = pipc_mutex
    m.lock
    assert_sigint_ends_child(<<~RUBY, m.name)
      m = Pipc::Mutex.new(ARGV[1])
      Pipc::Posix::Semaphore.open(ARGV[0], &:release)
      m.lock
    RUBY
    m.unlock
  end

  # ---- fork ----

  # A forked child owns none of its parent's locks: not one another thread holds, nor one
  # the forking thread holds. It waits for them like any other process, and can unlock
  # neither.
  def test_fork_while_threads_hold_it
    other_held = pipc_mutex
    own_held = pipc_mutex
    locked = Thread::Queue.new
    release = Thread::Queue.new
    holder = Thread.new { other_held.synchronize { locked << true; release.pop } }
    locked.pop
    own_held.lock
    to_parent, from_child = IO.pipe
    pid = fork do
      to_parent.close
      checks = [!other_held.try_lock, !own_held.try_lock, !other_held.lock(timeout: 0.01)]
      checks << (begin; own_held.unlock; false; rescue Pipc::PermissionsError; true; end)
      from_child.puts(checks.all? ? "ok" : "bad #{checks}")
      exit!(other_held.lock(timeout: BOUND) ? 0 : 4)  # after the parent unlocks; exits holding it
    end
    from_child.close
    assert_equal "ok", to_parent.gets&.chomp
    release << true
    holder.join
    assert_equal 0, wait_child(pid).exitstatus
    assert_raises(Pipc::OwnerDeadError) { other_held.lock(timeout: BOUND) }   # the child died holding it
    other_held.consistent
    other_held.unlock
    own_held.unlock
  ensure
    to_parent&.close
  end
end
