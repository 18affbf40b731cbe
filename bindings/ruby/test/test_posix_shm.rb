# frozen_string_literal: true

require_relative "helper"

class TestPosixSharedMemory < PipcTestCase
  def test_read_write_at_offsets
    shm = posix_shm(size: 64)
    assert_equal 64, shm.size
    assert_equal 3, shm.write("abc", 10)
    data = shm.read(5, 9)
    assert_equal "\0abc\0".b, data
    assert_equal Encoding::BINARY, data.encoding
    assert_equal 64, shm.read.bytesize
    assert_equal "c".b + "\0" * 51, shm.read(nil, 12)
    assert_equal "", shm.read(0, 64)
    shm.write("é".encode("UTF-8"), 0)   # a String's bytes, whatever its encoding
    assert_equal "é".b, shm.read(2)
  end

  def test_ranges_and_types
    shm = posix_shm(size: 16)
    e = assert_raises(Pipc::InvalidArgumentError) { shm.write("x" * 17) }
    assert_includes e.message, "16 bytes"
    assert_raises(ArgumentError) { shm.read(1, 16) }
    assert_raises(ArgumentError) { shm.read(-1) }
    assert_raises(ArgumentError) { shm.write("x", -1) }
    assert_raises(TypeError) { shm.write(nil) }
    assert_raises(TypeError) { shm.write(12) }
    assert_raises(TypeError) { shm.read("1") }
  end

  def test_resize_remaps
    shm = posix_shm(size: 4096)
    shm.write("end", 4093)
    shm.size = 8192
    assert_equal 8192, shm.size
    shm.write("far", 8189)
    assert_equal "end", shm.read(3, 4093)
    shm.resize(100)
    assert_equal 100, shm.size
    assert_raises(ArgumentError) { shm.read(3, 4093) }
    assert_equal "\0" * 100, shm.read
  end

  def test_read_only_handle
    shm = posix_shm(size: 32)
    shm.write("hello")
    Pipc::Posix::SharedMemory.open(shm.name, read_only: true) do |ro|
      assert_predicate ro, :read_only?
      assert_equal "hello", ro.read(5)
      assert_raises(Pipc::PermissionsError) { ro.write("x") }
      assert_raises(Pipc::PermissionsError) { ro.resize(64) }
      view = ro.view
      assert_predicate view, :readonly?
      assert_raises(IO::Buffer::AccessError) { view.set_string("x") }
    end
  end

  def test_fd_close_fd_and_truncate
    shm = posix_shm(size: 16)
    assert_kind_of Integer, shm.fd
    assert_equal shm.fd, shm.fileno
    shm.write("keep")
    shm.close_fd
    assert_raises(Pipc::ExistentialError) { shm.fd }
    assert_equal "keep", shm.read(4)    # the mapping outlives the descriptor
    Pipc::Posix::SharedMemory.open(shm.name, flags: Pipc::Posix::O_TRUNC) { |t| assert_equal 0, t.size }
  end

  # Found by fuzz_calls.rb: read and write went through this handle's mapping, and a
  # segment another handle had shrunk was SIGBUS (Ruby's [BUG]) instead of an exception.
  def test_read_and_write_after_another_handle_shrank_the_segment
    shm = posix_shm(size: 8192)
    assert_equal "\0", shm.read(1, 4096)          # mapped: 8192 bytes
    Pipc::Posix::SharedMemory.open(shm.name) { |other| other.resize(100) }
    e = assert_raises(Pipc::InvalidArgumentError) { shm.read(1, 4096) }
    assert_includes e.message, "100 bytes"
    assert_raises(Pipc::InvalidArgumentError) { shm.write("x", 4096) }
    assert_equal "\0" * 100, shm.read(100)
    shm.close_fd                                    # no size to ask any more
    Pipc::Posix::SharedMemory.open(shm.name) { |other| other.resize(0) }
    assert_raises(Pipc::InvalidArgumentError) { shm.read(1, 50) }
    Pipc::Posix::SharedMemory.open(shm.name) { |other| other.resize(8192) }
    assert_equal 2, shm.write("ok", 4096)           # the pages are back
  end

  def test_view_is_zero_copy_and_outlives_close
    shm = posix_shm(size: 4096)
    view = shm.view
    assert_equal 4096, view.size
    view.set_string("via view", 100)
    assert_equal "via view", shm.read(8, 100)
    shm.write("via write", 200)
    assert_equal "via write", view.get_string(200, 9)
    slice = view.slice(100, 8)
    shm.unlink
    shm.close
    GC.start
    assert_equal "via view", slice.get_string     # its own mapping: still valid
    assert_equal "via write", view.get_string(200, 9)
  end

  def test_empty_segment_view
    assert_equal 0, posix_shm.view.size
  end

  # Found by fuzz_calls.rb under UBSan: nothing written to or read from an empty segment
  # was a memcpy with a NULL mapping (undefined, even for 0 bytes).
  def test_empty_segment_read_and_write
    shm = posix_shm
    assert_equal 0, shm.write("")
    assert_equal "", shm.read
    assert_equal "", shm.read(0)
  end

  def test_names_of_semaphore_files_are_refused
    # Semaphore /X is the file /dev/shm/sem.X: opened as shared memory and resized, it made
    # the semaphore's next user die of SIGBUS. libpipc refuses such names.
    sem = posix_sem
    file_name = "/sem.#{sem.name.delete_prefix("/")}"
    e = assert_raises(Pipc::InvalidArgumentError) { Pipc::Posix::SharedMemory.new(file_name) }
    assert_includes e.message, "semaphore"
    assert_raises(Pipc::InvalidArgumentError) { Pipc::Posix.unlink_shared_memory(file_name) }
    sem.release
  end

  def test_reserve_allocates_the_pages_at_once
    shm = posix_shm(size: 65_536, reserve: true)
    allocated = -> { File.for_fd(shm.fd, autoclose: false).stat.blocks * 512 }
    assert_operator allocated.call, :>=, 65_536
    shm.resize(131_072) # the handle reserves at every resize
    assert_operator allocated.call, :>=, 131_072
    blocks, block_size = IO.popen(%w[stat -f -c %b\ %S /dev/shm], &:read).split.map(&:to_i)
    skip "/dev/shm has no size to exceed" if blocks.to_i.zero?
    e = assert_raises(Pipc::Error) { shm.resize((blocks * block_size) + 4096) }
    assert_includes e.message, "do not fit in /dev/shm"
    assert_equal 131_072, shm.size
  end

  def test_cross_process
    shm = posix_shm(size: 128)
    shm.write("from parent")
    status = run_child(<<~RUBY, shm.name)
      Pipc::Posix::SharedMemory.open(ARGV[0]) do |m|
        exit 3 unless m.read(11) == "from parent"
        m.write("from child", 64)
      end
    RUBY
    assert_equal 0, status.exitstatus
    assert_equal "from child", shm.read(10, 64)
  end
end
