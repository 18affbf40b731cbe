# frozen_string_literal: true

module Pipc
  # System V semaphores, shared memory and message queues, found by key (an Integer in
  # KEY_MIN..KEY_MAX, nil for a new object under a random unused key, IPC_PRIVATE) or by
  # the kernel's id (open_id). Closing never removes; remove does, for every process.
  module SysV
    IPC_CREAT = Lowlevel::CREAT
    IPC_EXCL = Lowlevel::EXCL
    IPC_CREX = Lowlevel::CREX
    IPC_PRIVATE = Lowlevel::IPC_PRIVATE
    KEY_MIN = Lowlevel::KEY_MIN
    KEY_MAX = Lowlevel::KEY_MAX
    SEM_SETVAL = Lowlevel::SEM_SETVAL         # semaphore open flag: set the value by SETVAL
    SHM_HUGETLB = Lowlevel::SHM_HUGETLB       # shared memory open flags
    SHM_NORESERVE = Lowlevel::SHM_NORESERVE
    SHM_RDONLY = Lowlevel::SHM_RDONLY         # attach flags
    SHM_RND = Lowlevel::SHM_RND
    SHM_REMAP = Lowlevel::SHM_REMAP
    SHM_EXEC = Lowlevel::SHM_EXEC
    SEMAPHORE_VALUE_MAX = Lowlevel.sysv_value_max
    MESSAGE_SIZE_MAX = Lowlevel.sysv_message_size_max   # /proc/sys/kernel/msgmax

    # The key ftok(3) makes of PATH (which must exist) and ID.
    def self.ftok(path, id) = Lowlevel.sysv_ftok(path, id)
    def self.remove_semaphore(id) = Lowlevel.sysv_remove_semaphore(id)
    def self.remove_shared_memory(id) = Lowlevel.sysv_remove_shared_memory(id)
    def self.remove_message_queue(id) = Lowlevel.sysv_remove_message_queue(id)

    # The segment with this id, attached (block form: closed, so detached, after it).
    def self.attach(id, address: nil, flags: 0, read_only: false, &block)
      memory = SharedMemory.open_id(id)
      begin
        memory.attach(address: address, flags: flags, read_only: read_only)
      rescue Exception # rubocop:disable Lint/RescueException
        memory.close
        raise
      end
      block ? SharedMemory.send(:closing, memory, &block) : memory
    end

    # Stat fields read from the kernel on each call; uid=, gid=, mode= set them.
    module Owner
      def self.included(klass)
        klass.extend(OpenById)
        klass::Stat.members.each do |field|
          klass.define_method(field) { stat[field] } unless klass.method_defined?(field)
        end
      end

      def stat = self.class::Stat.new(*super)

      def uid=(uid)
        set_perm(uid, nil, nil)
      end

      def gid=(gid)
        set_perm(nil, gid, nil)
      end

      def mode=(mode)
        set_perm(nil, nil, mode)
      end

      private

      def inspect_detail = "key=#{key} id=#{id}"
    end

    # open_id(id) { |obj| ... }: the existing object with this id. The low-level
    # initialize takes the key's arguments, then the id: BY_ID fills in the former.
    module OpenById
      def open_id(id, &block)
        lowlevel = ancestors.find { |a| a.is_a?(Class) && a.name&.start_with?("Pipc::Lowlevel::") }
        obj = allocate
        lowlevel.instance_method(:initialize).bind_call(obj, *self::BY_ID, id)
        closing(obj, &block)
      end
    end

    # acquire(timeout: nil, delta: 1), release(delta: 1), wait_for_zero(timeout: nil),
    # value / value=, undo / undo=, block / block=, synchronize { }, id, key, created?,
    # remove, close, closed?, and the stat fields.
    class Semaphore < Lowlevel::SysVSemaphore
      Stat = Struct.new(:key, :uid, :gid, :cuid, :cgid, :mode, :o_time, :c_time, :last_pid,
                        :waiting_for_nonzero, :waiting_for_zero)
      BY_ID = [nil, 0, 0, 0].freeze
      include Handle
      include Synchronize
      include Owner

      def initialize(key, flags: 0, mode: Lowlevel::DEFAULT_MODE, initial_value: 0)
        super(key, flags, mode, initial_value, nil)
      end
    end

    # attach(address: nil, flags: 0, read_only: false), detach, attached?, read_only?,
    # address, read(length = nil, offset = 0), write(data, offset = 0), view (IO::Buffer,
    # invalidated by detach and close), size, id, key, created?, remove, close, closed?,
    # and the stat fields.
    class SharedMemory < Lowlevel::SysVSharedMemory
      Stat = Struct.new(:key, :uid, :gid, :cuid, :cgid, :mode, :size, :number_attached,
                        :last_attach_time, :last_detach_time, :last_change_time, :creator_pid,
                        :last_pid)
      BY_ID = [nil, 0, 0, 0, 0].freeze
      include Handle
      include Owner

      def initialize(key, flags: 0, mode: Lowlevel::DEFAULT_MODE, size: 0, fill_byte: 0)
        super(key, flags, mode, size, fill_byte, nil)
      end

      def attach(address: nil, flags: 0, read_only: false)
        # flags that are no Integer go as they are, for the extension's TypeError
        super(address, read_only && Integer === flags ? flags | SHM_RDONLY : flags)
      end
    end

    # send(data, type: 1, timeout: nil), receive(type: 0, timeout: nil, truncate: false)
    # -> [String, type], current_messages, max_bytes / max_bytes=, id, key, created?,
    # remove, close, closed?, and the stat fields.
    class MessageQueue < Lowlevel::SysVMessageQueue
      Stat = Struct.new(:key, :uid, :gid, :cuid, :cgid, :mode, :current_messages,
                        :current_bytes, :max_bytes, :last_send_time, :last_receive_time,
                        :last_change_time, :last_send_pid, :last_receive_pid)
      BY_ID = [nil, 0, 0, 0].freeze
      include Handle
      include Owner

      def initialize(key, flags: 0, mode: Lowlevel::DEFAULT_MODE, max_bytes: 0)
        super(key, flags, mode, max_bytes, nil)
      end

      alias max_size max_bytes
      alias max_size= max_bytes=
    end
  end
end
