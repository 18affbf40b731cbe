# frozen_string_literal: true

module Pipc
  # System V semaphores, shared memory and message queues.
  #
  # An object is found by key (an Integer in KEY_MIN..KEY_MAX; IPC_PRIVATE; +nil+ with
  # IPC_CREX for a new object under a random unused key) or by the kernel's id
  # (+open_id+). The +flags+ of the constructors: 0 opens an existing object
  # (ExistentialError if there is none), IPC_CREAT opens or creates it, IPC_CREX
  # creates it (ExistentialError if it exists). Closing never removes; +remove+ does, for
  # every process, and ends their waits with ExistentialError.
  #
  # Timeouts are as in Pipc::Posix: seconds, +nil+ waits without limit, 0 does not wait,
  # measured on the monotonic clock; BusyError when the call does not succeed in time.
  # Waits release the GVL and end on Thread#kill, Thread#raise, Ctrl-C and +close+.
  module SysV
    # Open flag: create the object if its key has none.
    IPC_CREAT = Lowlevel::CREAT
    # Open flag, with IPC_CREAT: raise ExistentialError if the key has an object.
    IPC_EXCL = Lowlevel::EXCL
    # IPC_CREAT | IPC_EXCL: create a new object.
    IPC_CREX = Lowlevel::CREX
    # The key of an object no other key finds (shared by id or with children).
    IPC_PRIVATE = Lowlevel::IPC_PRIVATE
    # The lowest key.
    KEY_MIN = Lowlevel::KEY_MIN
    # The highest key.
    KEY_MAX = Lowlevel::KEY_MAX
    # Semaphore open flag: set the initial value with SETVAL (not with an undoable
    # operation).
    SEM_SETVAL = Lowlevel::SEM_SETVAL
    # Shared memory open flag: use huge pages.
    SHM_HUGETLB = Lowlevel::SHM_HUGETLB
    # Shared memory open flag: reserve no swap space.
    SHM_NORESERVE = Lowlevel::SHM_NORESERVE
    # Attach flag: attach read-only.
    SHM_RDONLY = Lowlevel::SHM_RDONLY
    # Attach flag: round the address down to SHMLBA.
    SHM_RND = Lowlevel::SHM_RND
    # Attach flag: replace what is mapped at the address.
    SHM_REMAP = Lowlevel::SHM_REMAP
    # Attach flag: allow executing the memory.
    SHM_EXEC = Lowlevel::SHM_EXEC
    # The highest value a System V semaphore can hold.
    SEMAPHORE_VALUE_MAX = Lowlevel.sysv_value_max
    # The longest message, in bytes (/proc/sys/kernel/msgmax).
    MESSAGE_SIZE_MAX = Lowlevel.sysv_message_size_max

    # The key ftok(3) makes of +path+ (which must exist) and the low 8 bits of +id+.
    # Different paths can give the same key.
    def self.ftok(path, id)
      Lowlevel.sysv_ftok(path, id)
    end
    # Removes the semaphore with this id. Raises ExistentialError when there is none.
    def self.remove_semaphore(id)
      Lowlevel.sysv_remove_semaphore(id)
    end
    # Marks the segment with this id for removal (it goes when the last process
    # detaches). Raises ExistentialError when there is none.
    def self.remove_shared_memory(id)
      Lowlevel.sysv_remove_shared_memory(id)
    end
    # Removes the message queue with this id and its messages. Raises ExistentialError
    # when there is none.
    def self.remove_message_queue(id)
      Lowlevel.sysv_remove_message_queue(id)
    end

    # The segment with this id, attached (see SharedMemory#attach); with a block, yields
    # it, closes it (so detaches it) afterwards and returns the block's value.
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

    # What the System V classes share: the kernel's stat fields, read on each call, as
    # readers of the same names, and the owner and mode setters.
    module Owner
      def self.included(klass) # :nodoc:
        klass.extend(OpenById)
        klass::Stat.members.each do |field|
          klass.define_method(field) { stat[field] } unless klass.method_defined?(field)
        end
      end

      ##
      # :method: uid
      # :call-seq: uid -> Integer
      #
      # The owner's user id.

      ##
      # :method: gid
      # :call-seq: gid -> Integer
      #
      # The owner's group id.

      ##
      # :method: cuid
      # :call-seq: cuid -> Integer
      #
      # The creator's user id.

      ##
      # :method: cgid
      # :call-seq: cgid -> Integer
      #
      # The creator's group id.

      ##
      # :method: mode
      # :call-seq: mode -> Integer
      #
      # The permission bits.

      ##
      # :method: id
      # :call-seq: id -> Integer
      #
      # The id the kernel gave the object.

      ##
      # :method: key
      # :call-seq: key -> Integer
      #
      # The key the object was opened with (IPC_PRIVATE when opened by id).

      ##
      # :method: created?
      # :call-seq: created? -> true or false
      #
      # Whether this open created the object.

      ##
      # :method: remove
      # :call-seq: remove -> nil
      #
      # Removes the object from the system, for every process (shared memory: once
      # the last process detaches). Waits on it end with ExistentialError.

      ##
      # :method: close
      # :call-seq: close -> nil
      #
      # Ends this object's use of the kernel object (never removes it) and any wait on
      # it in another thread. Later calls raise ExistentialError; a second close does
      # nothing.

      ##
      # :method: closed?
      # :call-seq: closed? -> true or false
      #
      # Whether #close has been called.

      ##
      # :method: set_perm
      # :call-seq: set_perm(uid, gid, mode) -> nil
      #
      # Low level: sets the non-nil ones of the three at once; use #uid=, #gid=, #mode=.


      # All the stat fields at once, as the class's Stat struct.
      def stat
        self.class::Stat.new(*super)
      end

      # Sets the owner's user id (owner, creator or privileged process only).
      def uid=(uid)
        set_perm(uid, nil, nil)
      end

      # Sets the owner's group id (owner, creator or privileged process only).
      def gid=(gid)
        set_perm(nil, gid, nil)
      end

      # Sets the permission bits (owner, creator or privileged process only).
      def mode=(mode)
        set_perm(nil, nil, mode)
      end
      private

      def inspect_detail
        "key=#{key} id=#{id}"
      end
    end

    # The +open_id+ class method of the System V classes.
    module OpenById
      # The existing object with this id; with a block, yields it, closes it afterwards
      # and returns the block's value. Raises ExistentialError when there is none.
      def open_id(id, &block)
        # The low-level initialize takes the key's arguments, then the id: BY_ID fills in
        # the former.
        lowlevel = ancestors.find { |a| a.is_a?(Class) && a.name&.start_with?("Pipc::Lowlevel::") }
        obj = allocate
        lowlevel.instance_method(:initialize).bind_call(obj, *self::BY_ID, id)
        closing(obj, &block)
      end
    end

    # A System V semaphore (a set holding one). Besides the methods below: +synchronize+
    # (Pipc::Synchronize), the stat readers and setters (Owner), +open+ and +open_id+.
    class Semaphore < Lowlevel::SysVSemaphore
      # The kernel's fields of a semaphore (#stat).
      Stat = Struct.new(:key, :uid, :gid, :cuid, :cgid, :mode, :o_time, :c_time, :last_pid,
                        :waiting_for_nonzero, :waiting_for_zero)
      BY_ID = [nil, 0, 0, 0].freeze # :nodoc:
      include Handle
      include Synchronize
      include Owner

      # Opens the semaphore of +key+ (see Pipc::SysV for +key+ and +flags+); +mode+ and
      # +initial_value+ apply when this call creates it.
      def initialize(key, flags: 0, mode: Lowlevel::DEFAULT_MODE, initial_value: 0)
        super(key, flags, mode, initial_value, nil)
      end

      ##
      # :method: acquire
      # :call-seq: acquire(timeout: nil, delta: 1) -> nil
      #
      # Waits until the value is at least +delta+, then subtracts it. +timeout+ as in
      # Pipc::SysV (no wait while #block is false); raises BusyError when the value stays
      # too low, InvalidArgumentError for a +delta+ out of range.

      ##
      # :method: release
      # :call-seq: release(delta: 1) -> nil
      #
      # Adds +delta+ to the value, waking waiters it satisfies. Raises
      # InvalidArgumentError past SEMAPHORE_VALUE_MAX.

      ##
      # :method: wait_for_zero
      # :call-seq: wait_for_zero(timeout: nil) -> nil
      #
      # Waits until the value is 0. +timeout+ and #block as for #acquire.

      ##
      # :method: value
      # :call-seq: value -> Integer
      #
      # The current value.

      ##
      # :method: value=
      # :call-seq: value = Integer
      #
      # Sets the value (SETVAL), waking waiters it satisfies.

      ##
      # :method: undo
      # :call-seq: undo -> true or false
      #
      # Whether the kernel undoes this object's acquire and release when the process
      # exits (SEM_UNDO).

      ##
      # :method: undo=
      # :call-seq: undo = true or false
      #
      # Sets #undo.

      ##
      # :method: block
      # :call-seq: block -> true or false
      #
      # Whether #acquire and #wait_for_zero wait (true by default).

      ##
      # :method: block=
      # :call-seq: block = true or false
      #
      # Sets #block; false makes them raise BusyError at once.

      ##
      # :method: o_time
      # :call-seq: o_time -> Integer
      #
      # The time of the last operation, in seconds since the epoch.

      ##
      # :method: c_time
      # :call-seq: c_time -> Integer
      #
      # The time of the last change, in seconds since the epoch.

      ##
      # :method: last_pid
      # :call-seq: last_pid -> Integer
      #
      # The process that performed the last operation.

      ##
      # :method: waiting_for_nonzero
      # :call-seq: waiting_for_nonzero -> Integer
      #
      # How many processes wait for the value to rise.

      ##
      # :method: waiting_for_zero
      # :call-seq: waiting_for_zero -> Integer
      #
      # How many processes wait for the value to be 0.
    end

    # A System V shared memory segment. A new object is not attached: call #attach (or
    # use Pipc::SysV.attach). Besides the methods below: the stat readers and setters
    # (Owner), +open+ and +open_id+.
    class SharedMemory < Lowlevel::SysVSharedMemory
      # The kernel's fields of a segment (#stat).
      Stat = Struct.new(:key, :uid, :gid, :cuid, :cgid, :mode, :size, :number_attached,
                        :last_attach_time, :last_detach_time, :last_change_time, :creator_pid,
                        :last_pid)
      BY_ID = [nil, 0, 0, 0, 0].freeze # :nodoc:
      include Handle
      include Owner

      # Opens the segment of +key+ (see Pipc::SysV; SHM_HUGETLB and SHM_NORESERVE also
      # apply to a new segment). +mode+, +size+ and +fill_byte+ (the byte the memory is
      # filled with) apply when this call creates it.
      def initialize(key, flags: 0, mode: Lowlevel::DEFAULT_MODE, size: 0, fill_byte: 0)
        super(key, flags, mode, size, fill_byte, nil)
      end

      # Attaches the segment to this process, at +address+ if given (an Integer),
      # read-only with +read_only+ or SHM_RDONLY in +flags+ (also SHM_RND, SHM_REMAP,
      # SHM_EXEC). Raises InvalidArgumentError for an unusable address, PermissionsError
      # when the mode does not allow the access.
      def attach(address: nil, flags: 0, read_only: false)
        # flags that are no Integer go as they are, for the extension's TypeError
        super(address, read_only && Integer === flags ? flags | SHM_RDONLY : flags)
      end

      ##
      # :method: detach
      # :call-seq: detach -> nil
      #
      # Detaches the segment from this process (views of it become invalid). Raises
      # NotAttachedError when it is not attached.

      ##
      # :method: attached?
      # :call-seq: attached? -> true or false
      #
      # Whether this object is attached.

      ##
      # :method: read_only?
      # :call-seq: read_only? -> true or false
      #
      # Whether the attachment is read-only.

      ##
      # :method: address
      # :call-seq: address -> Integer
      #
      # The address of the attachment. Raises NotAttachedError when detached.

      ##
      # :method: read
      # :call-seq: read(length = nil, offset = 0) -> String
      #
      # +length+ bytes from +offset+ as a binary String; +nil+ reads to the end. Raises
      # NotAttachedError when detached, InvalidArgumentError past the end.

      ##
      # :method: write
      # :call-seq: write(data, offset = 0) -> Integer
      #
      # Writes the String +data+ at +offset+ and returns its length. Raises
      # NotAttachedError when detached, InvalidArgumentError when it does not fit,
      # PermissionsError on a read-only attachment.

      ##
      # :method: view
      # :call-seq: view -> IO::Buffer
      #
      # A zero-copy IO::Buffer over the attachment, invalidated by #detach and #close.

      ##
      # :method: size
      # :call-seq: size -> Integer
      #
      # The segment's size in bytes.

      ##
      # :method: number_attached
      # :call-seq: number_attached -> Integer
      #
      # How many attachments the segment has, in all processes.

      ##
      # :method: last_attach_time
      # :call-seq: last_attach_time -> Integer
      #
      # The time of the last attach, in seconds since the epoch.

      ##
      # :method: last_detach_time
      # :call-seq: last_detach_time -> Integer
      #
      # The time of the last detach, in seconds since the epoch.

      ##
      # :method: last_change_time
      # :call-seq: last_change_time -> Integer
      #
      # The time of the last change, in seconds since the epoch.

      ##
      # :method: creator_pid
      # :call-seq: creator_pid -> Integer
      #
      # The process that created the segment.

      ##
      # :method: last_pid
      # :call-seq: last_pid -> Integer
      #
      # The process that last attached or detached it.
    end

    # A System V message queue: messages are binary Strings with a type (> 0). Besides
    # the methods below: the stat readers and setters (Owner), +open+ and +open_id+.
    class MessageQueue < Lowlevel::SysVMessageQueue
      # The kernel's fields of a queue (#stat).
      Stat = Struct.new(:key, :uid, :gid, :cuid, :cgid, :mode, :current_messages,
                        :current_bytes, :max_bytes, :last_send_time, :last_receive_time,
                        :last_change_time, :last_send_pid, :last_receive_pid)
      BY_ID = [nil, 0, 0, 0].freeze # :nodoc:
      include Handle
      include Owner

      # Opens the queue of +key+ (see Pipc::SysV); +mode+ and +max_bytes+ (the capacity
      # in bytes, 0: the system's default) apply when this call creates it.
      def initialize(key, flags: 0, mode: Lowlevel::DEFAULT_MODE, max_bytes: 0)
        super(key, flags, mode, max_bytes, nil)
      end

      ##
      # :method: send
      # :call-seq: send(data, type: 1, timeout: nil) -> nil
      #
      # Queues the String +data+ with +type+ (> 0). When the queue is full it waits for
      # room as +timeout+ says (Pipc::SysV), then raises BusyError. Raises
      # InvalidArgumentError for a bad type or data longer than MESSAGE_SIZE_MAX,
      # ExistentialError when the queue is removed or closed (also during the wait). This
      # replaces Object#send: use <tt>__send__</tt> or +public_send+ for that.

      ##
      # :method: receive
      # :call-seq: receive(type: 0, timeout: nil, truncate: false) -> [String, Integer]
      #
      # Takes a message and returns it (a binary String) with its type: +type+ 0 takes
      # the first message, > 0 the first of that type, < 0 the first of the lowest type
      # <= -type. When there is none it waits as +timeout+ says, then raises BusyError.
      # A message longer than MESSAGE_SIZE_MAX raises InvalidArgumentError unless
      # +truncate+ is true, which cuts it.

      ##
      # :method: current_messages
      # :call-seq: current_messages -> Integer
      #
      # How many messages the queue holds.

      ##
      # :method: current_bytes
      # :call-seq: current_bytes -> Integer
      #
      # How many bytes its messages take.

      ##
      # :method: max_bytes
      # :call-seq: max_bytes -> Integer
      #
      # The queue's capacity in bytes.

      ##
      # :method: max_bytes=
      # :call-seq: max_bytes = Integer
      #
      # Sets the capacity (above the system's msgmnb only with privilege).

      ##
      # :method: last_send_time
      # :call-seq: last_send_time -> Integer
      #
      # The time of the last send, in seconds since the epoch.

      ##
      # :method: last_receive_time
      # :call-seq: last_receive_time -> Integer
      #
      # The time of the last receive, in seconds since the epoch.

      ##
      # :method: last_change_time
      # :call-seq: last_change_time -> Integer
      #
      # The time of the last change, in seconds since the epoch.

      ##
      # :method: last_send_pid
      # :call-seq: last_send_pid -> Integer
      #
      # The process that sent last.

      ##
      # :method: last_receive_pid
      # :call-seq: last_receive_pid -> Integer
      #
      # The process that received last.

      ##
      # :method: max_size
      # :call-seq: max_size -> Integer
      #
      # The same as #max_bytes (sysv_ipc's name).
      alias max_size max_bytes

      ##
      # :method: max_size=
      # :call-seq: max_size = Integer
      #
      # The same as #max_bytes=.
      alias max_size= max_bytes=
    end
  end
end
