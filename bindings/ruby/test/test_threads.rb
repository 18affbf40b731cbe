# frozen_string_literal: true

require_relative "helper"
require_relative "blockers"

# Blocking calls release the GVL, and Thread#kill, Thread#raise and signals end them.
# Waits without limit run in child processes, which the test kills if they hang; the
# waits in this process are bounded.
class TestThreads < PipcTestCase
  class Stop < StandardError; end

  BOUND = 3 * LIMIT # the timeout of waits in this process: they should end much sooner

  # A child process blocks a thread forever in the call, ends it with Thread#kill, blocks
  # another and ends it with Thread#raise; exit 0 when both ended promptly (exit! on
  # failure: a normal exit would wait for the stuck thread).
  FOREVER_CHILD = <<~RUBY
    require ARGV[0]
    blocker = BLOCKERS.fetch(ARGV[1].to_sym)
    obj = blocker.reopen.call(ARGV[2])
    blocked = lambda do |thread|
      deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 10
      sleep 0.001 until thread.status == "sleep" || Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
      thread.status == "sleep" or exit!(2)
    end
    waiter = Thread.new { blocker.block.call(obj, nil) }
    blocked.call(waiter)
    waiter.kill
    exit!(3) unless waiter.join(10)
    waiter = Thread.new do
      Thread.current.report_on_exception = false
      blocker.block.call(obj, nil)
    end
    blocked.call(waiter)
    waiter.raise(StopIteration)
    begin
      exit!(waiter.join(10) ? 4 : 5)
    rescue StopIteration
      exit 0
    end
  RUBY

  BLOCKERS.each do |kind, blocker|
    define_method("test_#{kind}_woken_by_another_thread") do
      obj = blocker.make.call(self)
      waiter = Thread.new { blocker.block.call(obj, BOUND) }
      wait_blocked(waiter)
      blocker.wake.call(obj)            # runs only because the waiter gave up the GVL
      assert waiter.join(LIMIT), "the waiter did not wake"
      waiter.value                      # raises if the wait failed (BusyError when serialised)
    end

    define_method("test_#{kind}_forever_ended_by_thread_kill_and_raise") do
      obj = blocker.make.call(self)
      status = run_child(FOREVER_CHILD, File.join(__dir__, "blockers.rb"), kind, blocker.ref.call(obj),
                         limit: 3 * LIMIT)
      assert_equal 0, status.exitstatus, "#{kind}: exit #{status.exitstatus.inspect} (2 not blocked, " \
                                         "3 kill, 4/5 raise did not end the wait)"
    end
  end

  def test_two_waits_overlap
    sem = posix_sem
    q = posix_mq
    waiters = [Thread.new { sem.acquire(timeout: BOUND) }, Thread.new { q.receive(timeout: BOUND) }]
    waiters.each { |w| wait_blocked(w) }
    assert_equal %w[sleep sleep], waiters.map(&:status)   # both blocked at once
    sem.release
    q.send("x")
    waiters.each { |w| assert w.join(LIMIT) }
    assert_equal ["x", 0], waiters.last.value
  end

  def test_thread_kill_consumes_nothing
    sem = posix_sem
    waiter = Thread.new { sem.acquire(timeout: BOUND) }
    wait_blocked(waiter)
    waiter.kill
    assert waiter.join(LIMIT)
    sem.release
    assert_equal 1, sem.value
  end

  def test_thread_raise_during_a_timed_wait
    q = sysv_mq
    waiter = Thread.new do
      Thread.current.report_on_exception = false
      q.receive(timeout: BOUND)
    end
    wait_blocked(waiter)
    waiter.raise(Stop)
    assert_raises(Stop) { waiter.join(LIMIT) }
  end

  # The main thread blocked forever: a trap's exception ends the wait (the signal
  # interrupts the wait, the handler runs, its exception propagates).
  def test_trap_exception_ends_a_forever_wait_in_the_main_thread
    sem = posix_sem
    status = run_child(<<~RUBY, sem.name)
      trap(:USR2) { raise StopIteration }
      sem = Pipc::Posix::Semaphore.new(ARGV[0])
      main = Thread.current
      Thread.new do
        Thread.pass until main.status == "sleep"
        Process.kill(:USR2, Process.pid)
      end
      begin
        sem.acquire
        exit!(2)
      rescue StopIteration
        exit 0
      end
    RUBY
    assert_equal 0, status.exitstatus
  end

  # Ctrl-C: SIGINT to a process blocked forever ends it with Interrupt.
  def test_sigint_ends_a_forever_wait
    assert_sigint_ends_child(<<~RUBY, posix_sem.name)
      Pipc::Posix::Semaphore.open(ARGV[0], &:release)
      Pipc::Posix::Semaphore.new(ARGV[1]).acquire
    RUBY
  end

  # A handled signal whose trap does not raise: the wait goes on, and still succeeds.
  def test_signal_without_exception_resumes_the_wait
    sem = posix_sem
    trapped = 0
    old = trap(:USR2) { trapped += 1 }
    begin
      main = Thread.current
      helper = Thread.new do
        wait_blocked(main)
        Process.kill(:USR2, Process.pid)
        wait_until(LIMIT, "the trap running") { trapped == 1 }
        wait_blocked(main)
        sem.release
      end
      sem.acquire(timeout: BOUND)
      assert helper.join(LIMIT)
      assert_equal 1, trapped
    ensure
      trap(:USR2, old)
    end
  end

  def test_timed_wait_keeps_its_deadline_across_interrupts
    sem = posix_sem
    trapped = 0
    old = trap(:USR2) { trapped += 1 }
    begin
      main = Thread.current
      helper = Thread.new do
        3.times do |i|
          wait_blocked(main)
          Process.kill(:USR2, Process.pid)
          wait_until(LIMIT) { trapped > i }
        end
      end
      t = elapsed { assert_raises(Pipc::BusyError) { sem.acquire(timeout: 0.5) } }
      assert_operator t, :>=, 0.5
      assert_operator t, :<, LIMIT
      helper.kill
    ensure
      trap(:USR2, old)
    end
  end

  # close from another thread ends a blocked call with the error of a call on a closed
  # object, at once (the core promises 50 ms), and leaves the object as it was for its
  # other handles. Waits without limit too: if close did not end one, the test ends it
  # through the other handle, then fails.
  BLOCKERS.each do |kind, blocker|
    { bounded: BOUND, forever: nil }.each do |label, timeout|
      define_method("test_#{kind}_#{label}_ended_by_close_from_another_thread") do
        obj = blocker.make.call(self)
        other = blocker.reopen.call(blocker.ref.call(obj))
        before = blocker.state.call(other)
        waiter = Thread.new do
          Thread.current.report_on_exception = false
          blocker.block.call(obj, timeout)
          [:returned, now]
        rescue Pipc::Error => e
          [e, now]
        end
        wait_blocked(waiter)
        closing = now
        obj.close
        closed = now
        unless waiter.join(LIMIT)
          blocker.wake.call(other)
          waiter.join(LIMIT)
          flunk "close did not end the blocked call"
        end
        error, ended = waiter.value
        puts format("\n  %s (%s): close took %.2f ms, the blocked call raised %.2f ms after it began",
                    kind, label, 1e3 * (closed - closing), 1e3 * (ended - closing))
        assert_kind_of Pipc::ExistentialError, error
        assert_operator ended - closing, :<, 1.0
        later = assert_raises(Pipc::ExistentialError) { blocker.block.call(obj, 0) }
        assert_equal [later.message, later.status], [error.message, error.status]
        assert_equal before, blocker.state.call(other)
        blocker.wake.call(other)                # the other handle works
      ensure
        other&.close
      end
    end

    # close at any moment of a call (before it, during its try, during its wait): the
    # call ends with ExistentialError, and never uses a closed handle (ASan).
    define_method("test_#{kind}_close_racing_the_call") do
      first = blocker.make.call(self)
      ref = blocker.ref.call(first)
      first.close
      50.times do |i|
        obj = blocker.reopen.call(ref)
        waiter = Thread.new do
          Thread.current.report_on_exception = false
          blocker.block.call(obj, BOUND)
        end
        (i % 5).times { Thread.pass }
        obj.close
        assert_raises(Pipc::ExistentialError) { waiter.join(LIMIT) }
      end
    end
  end

  def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
end
