# frozen_string_literal: true

require_relative "helper"

# Exceptions, argument checks and closed objects, the same for every class.
class TestErrors < PipcTestCase
  def test_hierarchy
    [Pipc::ExistentialError, Pipc::PermissionsError, Pipc::BusyError, Pipc::SignalError,
     Pipc::NotAttachedError, Pipc::OwnerDeadError, Pipc::NotRecoverableError].each { |cls| assert_operator cls, :<, Pipc::Error }
    assert_operator Pipc::Error, :<, StandardError
    assert_operator Pipc::InvalidArgumentError, :<, ArgumentError
    assert_operator Pipc::UnsupportedError, :<, NotImplementedError
  end

  def test_error_carries_status_errno_and_detail
    GC.compact   # the extension keeps the classes it raises: they must not move
    name = "/pipc_rb_missing_#{Process.pid}_#{rand(1 << 30)}"
    e = assert_raises(Pipc::ExistentialError) { Pipc::Posix::Semaphore.new(name) }
    assert_equal(-3, e.status)             # PIPC_ENOENT
    assert_equal Errno::ENOENT::Errno, e.errno
    assert_includes e.message, name        # libpipc's detail names the object
  end

  def test_exists
    sem = posix_sem
    e = assert_raises(Pipc::ExistentialError) { Pipc::Posix::Semaphore.new(sem.name, flags: Pipc::Posix::O_CREX) }
    assert_equal(-4, e.status)
  end

  def test_bad_names_and_types
    assert_raises(TypeError) { Pipc::Posix::Semaphore.new(:sym) }
    assert_raises(ArgumentError) { Pipc::Posix::Semaphore.new("/a\0b", flags: Pipc::Posix::O_CREAT) }
    e = assert_raises(Pipc::InvalidArgumentError) { Pipc::Posix::Semaphore.new("/a/b", flags: Pipc::Posix::O_CREAT) }
    assert_equal(-2, e.status)
    assert_raises(TypeError) { Pipc::Posix::Semaphore.new(nil, flags: "x") }
    assert_raises(ArgumentError) { Pipc::Posix::Semaphore.new(nil, flags: 0x100) }
    assert_raises(ArgumentError) { Pipc::Posix::Semaphore.new(nil, flags: Pipc::Posix::O_CREX, initial_value: -1) }
    assert_raises(ArgumentError) { Pipc::Posix::Semaphore.new(nil, flags: Pipc::Posix::O_CREX, mode: 1 << 40) }
    assert_raises(TypeError) { Pipc::Posix.unlink_semaphore(nil) }
  end

  def test_timeouts_and_keywords
    sem = posix_sem
    assert_raises(ArgumentError) { sem.acquire(timeout: -1) }
    assert_raises(ArgumentError) { sem.acquire(timeout: -0.5) }
    assert_raises(ArgumentError) { sem.acquire(timeout: Float::NAN) }
    assert_raises(TypeError) { sem.acquire(timeout: "1") }
    assert_raises(ArgumentError) { sem.acquire(1) }                  # keywords only
    e = assert_raises(ArgumentError) { sem.acquire(timeout: 0, wait: 1) }
    assert_includes e.message, ":wait"
    assert_raises(Pipc::BusyError) { sem.acquire(timeout: 0) }
    assert_raises(Pipc::BusyError) { sem.acquire(timeout: 0.01) }
    assert_raises(Pipc::BusyError) { sem.acquire(timeout: 2**70 - 2**70) } # Integer 0
    sem.release
    sem.acquire(timeout: 2**70)                                      # a Bignum: forever
  end

  def test_every_method_raises_after_close_and_close_is_idempotent
    objects = { posix_sem => %i[acquire release value name unlink created?],
                posix_shm(size: 16) => %i[read size fd name unlink view],
                posix_mq => %i[receive max_messages current_messages fd to_io name unlink],
                sysv_sem => %i[acquire release value stat id key remove],
                sysv_shm => %i[attach size stat id remove],
                sysv_mq => %i[receive current_messages stat id remove],
                pipc_channel => %i[receive messages slots max_message_size spin name unlink created?] }
    objects.each do |obj, methods|
      obj.respond_to?(:unlink) ? obj.unlink : obj.remove
      obj.close
      obj.close
      assert_predicate obj, :closed?
      methods.each do |m|
        e = assert_raises(Pipc::ExistentialError, "#{obj.class}##{m}") { obj.public_send(m) }
        assert_equal(-11, e.status)
      end
      assert_match(/closed/, obj.inspect)
    end
  end

  def test_objects_cannot_be_copied
    sem = posix_sem
    assert_raises(TypeError) { sem.dup }
    assert_raises(TypeError) { sem.clone }
  end

  def test_initialize_runs_once
    sem = posix_sem
    assert_raises(RuntimeError) { sem.send(:initialize, nil, flags: Pipc::Posix::O_CREX) }
  end

  def test_finalizer_closes_but_never_unlinks
    fds = -> { Dir.children("/proc/self/fd").size }
    before = fds.call
    names = Array.new(20) do
      q = Pipc::Posix::MessageQueue.new(nil, flags: Pipc::Posix::O_CREX, max_messages: 1, max_message_size: 8)
      q.name
    end
    begin
      wait_until(LIMIT, "the queues' descriptors closing") do
        GC.start
        fds.call <= before + 1
      end
      names.each { |n| Pipc::Posix::MessageQueue.open(n) { |q| assert_equal 8, q.max_message_size } }
    ensure
      names.each { |n| Pipc::Posix.unlink_message_queue(n) }
    end
  end
end
