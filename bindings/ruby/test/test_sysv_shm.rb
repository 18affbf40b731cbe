# frozen_string_literal: true

require_relative "helper"

class TestSysVSharedMemory < PipcTestCase
  def test_attach_read_write_detach
    shm = sysv_shm(size: 100, fill_byte: 0x2a)
    refute_predicate shm, :attached?
    assert_raises(Pipc::NotAttachedError) { shm.read(1) }
    shm.attach
    assert_predicate shm, :attached?
    assert_equal "*" * 100, shm.read
    assert_equal 3, shm.write("xyz", 97)
    assert_equal "xyz", shm.read(3, 97)
    assert_equal Encoding::BINARY, shm.read(1).encoding
    assert_raises(Pipc::InvalidArgumentError) { shm.write("xyzw", 97) }
    assert_kind_of Integer, shm.address
    assert_equal 1, shm.number_attached
    shm.detach
    assert_raises(Pipc::NotAttachedError) { shm.detach }
  end

  def test_read_only_attachment
    shm = sysv_shm(size: 16)
    shm.attach(read_only: true)
    assert_predicate shm, :read_only?
    assert_raises(Pipc::PermissionsError) { shm.write("x") }
    assert_raises(IO::Buffer::AccessError) { shm.view.set_string("x") }
  end

  def test_view_invalidated_by_detach_and_close
    shm = sysv_shm(size: 64)
    shm.attach
    view = shm.view
    slice = view.slice(8, 8)
    view.set_string("zerocopy", 8)
    assert_equal "zerocopy", shm.read(8, 8)
    assert_raises(IO::Buffer::LockedError) { view.free }     # only pipc frees it
    shm.detach
    assert_raises(IO::Buffer::AllocationError) { view.get_string }
    assert_raises(IO::Buffer::InvalidatedError) { slice.get_string }
    shm.attach
    again = shm.view
    shm.close
    assert_raises(IO::Buffer::AllocationError) { again.get_string }
  end

  # Found by fuzz_calls.rb: with read_only: true, flags that are no Integer raised
  # NoMethodError (flags | SHM_RDONLY).
  def test_attach_flags_of_another_type
    shm = sysv_shm(size: 64)
    assert_raises(TypeError) { shm.attach(flags: "x", read_only: true) }
    assert_raises(TypeError) { Pipc::SysV.attach(shm.id, flags: 1.5, read_only: true) }
    refute_predicate shm, :attached?
  end

  # Found by fuzz_calls.rb: read(length) made a String of LENGTH bytes before libpipc
  # checked the range (read(2**40): NoMemoryError, or gigabytes allocated for nothing).
  def test_read_past_the_end_is_refused_first
    shm = sysv_shm(size: 64)
    shm.attach(read_only: true)
    e = assert_raises(Pipc::InvalidArgumentError) { shm.read(2**40) }
    assert_includes e.message, "64 bytes"
    assert_raises(Pipc::InvalidArgumentError) { shm.read(1, 64) }
    assert_raises(Pipc::InvalidArgumentError) { shm.read(nil, 65) }
    assert_equal "", shm.read(nil, 64)
    shm.detach
    assert_raises(Pipc::InvalidArgumentError) { shm.read(65) }   # the range first, as libpipc
    assert_raises(Pipc::NotAttachedError) { shm.read(1) }
  end

  def test_stat_fields
    shm = sysv_shm(size: 4096, mode: 0o600)
    assert_equal 4096, shm.size
    assert_equal Process.pid, shm.creator_pid
    assert_equal 0, shm.last_attach_time
    shm.attach
    assert_operator shm.last_attach_time, :>, 0
    assert_equal Process.pid, shm.last_pid
    shm.mode = 0o640
    assert_equal 0o640, shm.mode
    assert_equal Process.uid, shm.cuid
  end

  def test_attach_by_id_and_cross_process
    shm = sysv_shm(size: 32)
    Pipc::SysV.attach(shm.id) { |m| m.write("hi from id") }
    status = run_child(<<~RUBY, shm.id)
      Pipc::SysV.attach(Integer(ARGV[0])) do |m|
        exit 3 unless m.read(10) == "hi from id"
        m.write("child", 16)
      end
    RUBY
    assert_equal 0, status.exitstatus
    Pipc::SysV.attach(shm.id, read_only: true) { |m| assert_equal "child", m.read(5, 16) }
    Pipc::SysV.remove_shared_memory(shm.id)
  end
end
