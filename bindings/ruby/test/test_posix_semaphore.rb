# frozen_string_literal: true

require_relative "helper"

class TestPosixSemaphore < PipcTestCase
  def test_value_acquire_release
    sem = posix_sem(initial_value: 2)
    assert_predicate sem, :created?
    assert_match %r{\A/}, sem.name
    assert_equal 2, sem.value
    sem.acquire
    sem.acquire(timeout: 0)
    assert_equal 0, sem.value
    assert_raises(Pipc::BusyError) { sem.acquire(timeout: 0) }
    t = elapsed { assert_raises(Pipc::BusyError) { sem.acquire(timeout: 0.05) } }
    assert_operator t, :>=, 0.05
    sem.release
    assert_equal 1, sem.value
  end

  def test_mode_is_the_one_given_as_in_the_python_module
    assert_equal 0o640, posix_sem(mode: 0o640).mode
    assert_equal 0o640, posix_shm(mode: 0o640, size: 16).mode
    assert_equal 0o640, posix_mq(mode: 0o640, max_messages: 2, max_message_size: 8).mode
    assert_equal Pipc::Lowlevel::DEFAULT_MODE, posix_sem.mode
  end

  def test_open_existing_and_block_form
    sem = posix_sem(initial_value: 1)
    other = Pipc::Posix::Semaphore.open(sem.name) do |s|
      refute_predicate s, :created?
      s.acquire(timeout: 0)
      s
    end
    assert_predicate other, :closed?
    assert_equal 0, sem.value
  end

  def test_block_form_closes_on_exception
    sem = posix_sem
    kept = nil
    assert_raises(RuntimeError) do
      Pipc::Posix::Semaphore.open(sem.name) do |s|
        kept = s
        raise "boom"
      end
    end
    assert_predicate kept, :closed?
  end

  def test_synchronize
    sem = posix_sem(initial_value: 1)
    assert_equal :done, sem.synchronize { assert_equal 0, sem.value; :done }
    assert_equal 1, sem.value
    assert_raises(RuntimeError) { sem.synchronize { raise "x" } }
    assert_equal 1, sem.value
    sem.acquire
    assert_raises(Pipc::BusyError) { sem.synchronize(timeout: 0) { flunk } }
  end

  def test_unlink_by_handle_and_by_name
    sem = posix_sem
    sem.unlink
    assert_raises(Pipc::ExistentialError) { Pipc::Posix::Semaphore.new(sem.name) }
    sem.release # still usable
    other = posix_sem
    Pipc::Posix::Semaphore.unlink(other.name)
    assert_raises(Pipc::ExistentialError) { Pipc::Posix.unlink_semaphore(other.name) }
  end

  def test_cross_process_release_wakes_acquire
    sem = posix_sem
    ready = posix_sem
    pid = spawn_child(<<~RUBY, sem.name, ready.name)
      s = Pipc::Posix::Semaphore.new(ARGV[0])
      Pipc::Posix::Semaphore.open(ARGV[1], &:release)
      s.acquire(timeout: 20)
      exit 42
    RUBY
    ready.acquire(timeout: LIMIT)
    sem.release
    status = wait_child(pid)
    assert_equal 42, status.exitstatus
    assert_equal 0, sem.value
  end

  def test_cross_process_child_releases
    sem = posix_sem
    status = run_child("Pipc::Posix::Semaphore.open(ARGV[0]) { |s| 3.times { s.release } }", sem.name)
    assert_predicate status, :success?
    assert_equal 3, sem.value
  end
end
