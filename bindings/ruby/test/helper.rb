# frozen_string_literal: true

require "minitest"
require "rbconfig"
require "pipc"

Warning[:experimental] = false   # IO::Buffer (Ruby 3.1) warns once per process

module PipcTest
  LIMIT = 10 # seconds: the bound of every wait that should end much sooner

  # Every IPC object a test makes goes through track: teardown removes it (by name or id,
  # so also after a test closed it) and closes it, also when the test failed, and checks
  # that the file of a POSIX object is gone from /dev/shm (glibc keeps a semaphore as
  # sem.NAME there; a mutex, condition variable or channel is a segment of its own).
  def track(obj)
    remove = case obj
             when Pipc::Posix::Semaphore then [Pipc::Posix.method(:unlink_semaphore), obj.name, "sem."]
             when Pipc::Posix::SharedMemory then [Pipc::Posix.method(:unlink_shared_memory), obj.name, ""]
             when Pipc::Posix::MessageQueue then [Pipc::Posix.method(:unlink_message_queue), obj.name]
             when Pipc::SysV::Semaphore then [Pipc::SysV.method(:remove_semaphore), obj.id]
             when Pipc::SysV::SharedMemory then [Pipc::SysV.method(:remove_shared_memory), obj.id]
             when Pipc::SysV::MessageQueue then [Pipc::SysV.method(:remove_message_queue), obj.id]
             when Pipc::Mutex then [Pipc::Mutex.method(:unlink), obj.name, ""]
             when Pipc::ConditionVariable then [Pipc::ConditionVariable.method(:unlink), obj.name, ""]
             when Pipc::Channel then [Pipc::Channel.method(:unlink), obj.name, ""]
             end
    (@tracked ||= []) << [obj, *remove]
    obj
  end

  # Runs the block at teardown, before the tracked objects are removed.
  def at_teardown(&block) = (@at_teardown ||= []) << block

  def teardown
    (@at_teardown || []).each(&:call)
    (@tracked || []).reverse_each do |obj, remove, name_or_id|
      begin
        remove.call(name_or_id)
      rescue Pipc::ExistentialError
        nil # the test removed it
      end
      obj.close
    end
    (@tracked || []).each do |_obj, _remove, name, shm_prefix|
      refute File.exist?("/dev/shm/#{shm_prefix}#{name[1..]}"), "#{name} outlived the test" if shm_prefix
    end
    super
  end

  def posix_sem(**opts) = track(Pipc::Posix::Semaphore.new(nil, flags: Pipc::Posix::O_CREX, **opts))
  def posix_shm(**opts) = track(Pipc::Posix::SharedMemory.new(nil, flags: Pipc::Posix::O_CREX, **opts))
  def posix_mq(**opts) = track(Pipc::Posix::MessageQueue.new(nil, flags: Pipc::Posix::O_CREX, **opts))
  def sysv_sem(**opts) = track(Pipc::SysV::Semaphore.new(nil, flags: Pipc::SysV::IPC_CREX, **opts))
  def sysv_shm(**opts) = track(Pipc::SysV::SharedMemory.new(nil, flags: Pipc::SysV::IPC_CREX, **opts))
  def sysv_mq(**opts) = track(Pipc::SysV::MessageQueue.new(nil, flags: Pipc::SysV::IPC_CREX, **opts))
  def pipc_mutex(**opts) = track(Pipc::Mutex.new(nil, **opts))
  def pipc_cond(**opts) = track(Pipc::ConditionVariable.new(nil, **opts))
  def pipc_channel(**opts) = track(Pipc::Channel.new(nil, **opts))

  # Runs SCRIPT in a new Ruby process with pipc loadable (ARGV: ARGS) and returns its
  # Process::Status; the child is killed if it outlives LIMIT.
  def run_child(script, *args, limit: LIMIT)
    wait_child(spawn_child(script, *args), limit: limit)
  end

  # The child's Process::Status; it is killed if it does not end within LIMIT.
  def wait_child(pid, limit: 3 * LIMIT)
    waiter = Process.detach(pid)
    return waiter.value if waiter.join(limit)

    Process.kill(:KILL, pid)
    flunk "the child process did not finish within #{limit} s"
  end

  def spawn_child(script, *args, **spawn_opts)
    libs = ENV.fetch("PIPC_RUBY_LIB", $LOAD_PATH.grep(/pipc|ruby\/lib/).join(":")).split(":")
    ruby = ENV.fetch("PIPC_RUBY", RbConfig.ruby)
    Process.spawn(ruby, *libs.flat_map { |l| ["-I", l] }, "-rpipc", "-e", script, "--", *args.map(&:to_s),
                  **spawn_opts)
  end

  # Ctrl-C: runs SCRIPT in a child (ARGV[0]: a semaphore it releases just before it blocks
  # for ever, then ARGS), sends it SIGINT and checks that Interrupt ended it.
  def assert_sigint_ends_child(script, *args)
    ready = posix_sem
    reader, writer = IO.pipe
    pid = spawn_child(script, ready.name, *args, err: writer)
    writer.close
    ready.acquire(timeout: LIMIT)
    Process.kill(:INT, pid)
    status = wait_child(pid, limit: LIMIT)
    assert_predicate status, :signaled?
    assert_equal Signal.list["INT"], status.termsig
    assert_match(/Interrupt/, reader.read)
  ensure
    reader&.close
  end

  # Waits (bounded) until the block is true: polling a condition, not sleeping instead of it.
  def wait_until(limit = LIMIT, what = "the condition")
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + limit
    until yield
      flunk "#{what} did not hold within #{limit} s" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
      sleep 0.001
    end
  end

  # A thread blocked in a C call without the GVL shows status "sleep".
  def wait_blocked(thread) = wait_until(LIMIT, "the thread blocking") { thread.status == "sleep" || !thread.alive? }

  def elapsed
    start = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    yield
    Process.clock_gettime(Process::CLOCK_MONOTONIC) - start
  end
end

class PipcTestCase < Minitest::Test
  include PipcTest
  make_my_diffs_pretty!
end
