# frozen_string_literal: true

module Pipc
  # POSIX named semaphores, shared memory and message queues.
  #
  # A name starts with "/" and has no other "/"; +nil+ (with O_CREX) makes a new object
  # under a random unused name, read back with +name+. The +flags+ of the constructors:
  # 0 opens an existing object (ExistentialError if there is none), O_CREAT opens or
  # creates it, O_CREX creates it (ExistentialError if it exists). Closing never
  # unlinks; unlinking never closes.
  #
  # Timeouts, wherever a call can wait, are seconds (an Integer or a Float): +nil+ waits
  # without limit, 0 does not wait, a positive number waits up to that long, measured on
  # the monotonic clock so that changing the system time neither stretches nor cuts the
  # wait; a negative one raises ArgumentError. A call that does not succeed in time
  # raises BusyError. Waits release the GVL: Thread#kill, Thread#raise and Ctrl-C end
  # them at once, and so does +close+ from another thread (with ExistentialError, the
  # error of every call on a closed object).
  module Posix
    # Open flag: create the object if it does not exist.
    O_CREAT = Lowlevel::CREAT
    # Open flag, with O_CREAT: raise ExistentialError if the object exists.
    O_EXCL = Lowlevel::EXCL
    # O_CREAT | O_EXCL: create a new object.
    O_CREX = Lowlevel::CREX
    # Shared memory open flag: empty an existing segment first.
    O_TRUNC = Lowlevel::TRUNC
    # Message queue open flag: start with +block+ false.
    O_NONBLOCK = Lowlevel::NONBLOCK
    # The system's page size in bytes.
    PAGE_SIZE = Lowlevel::PAGE_SIZE
    # The highest value a POSIX semaphore can hold.
    SEMAPHORE_VALUE_MAX = Lowlevel::SEMAPHORE_VALUE_MAX
    # The highest message priority.
    QUEUE_PRIORITY_MAX = Lowlevel::QUEUE_PRIORITY_MAX
    # The system's default capacity of a new queue, in messages (/proc/sys/fs/mqueue).
    QUEUE_MESSAGES_MAX_DEFAULT = Lowlevel::QUEUE_MESSAGES_MAX_DEFAULT
    # The system's default longest message of a new queue, in bytes.
    QUEUE_MESSAGE_SIZE_MAX_DEFAULT = Lowlevel::QUEUE_MESSAGE_SIZE_MAX_DEFAULT
    # The lowest signal number left to programs (SIGRTMIN), for notifications.
    USER_SIGNAL_MIN = Lowlevel::USER_SIGNAL_MIN
    # The highest signal number left to programs (SIGRTMAX).
    USER_SIGNAL_MAX = Lowlevel::USER_SIGNAL_MAX

    # Removes the semaphore +name+ from the system; processes that have it open keep it
    # until they close it. Raises ExistentialError when there is none.
    def self.unlink_semaphore(name)
      Lowlevel.posix_unlink_semaphore(name)
    end
    # Removes the shared memory segment +name+; mappings stay valid. Raises
    # ExistentialError when there is none.
    def self.unlink_shared_memory(name)
      Lowlevel.posix_unlink_shared_memory(name)
    end
    # Removes the message queue +name+; processes that have it open keep it until they
    # close it. Raises ExistentialError when there is none.
    def self.unlink_message_queue(name)
      Lowlevel.posix_unlink_message_queue(name)
    end

    # The +mode+ reader of the POSIX classes.
    module Mode
      # The permission bits given to the constructor (as Python's posix_ipc keeps them).
      attr_reader :mode
    end

    # A POSIX named semaphore. Besides the methods below: +synchronize+ (Pipc::Synchronize)
    # and the block form +open+ (Pipc::Handle::ClassMethods).
    #
    #   Pipc::Posix::Semaphore.open("/lock", flags: Pipc::Posix::O_CREAT, initial_value: 1) do |lock|
    #     lock.synchronize(timeout: 5) { ... }
    #   end
    class Semaphore < Lowlevel::PosixSemaphore
      include Handle
      include Synchronize
      include Mode

      ##
      # :method: acquire
      # :call-seq: acquire(timeout: nil) -> nil
      #
      # Waits until the value is above 0, then decrements it. +timeout+ as in Pipc::Posix;
      # raises BusyError when the value stays 0, ExistentialError when the semaphore is
      # closed (also by another thread during the wait).

      ##
      # :method: release
      # :call-seq: release -> nil
      #
      # Increments the value, waking one waiter. Raises InvalidArgumentError at
      # SEMAPHORE_VALUE_MAX.

      ##
      # :method: value
      # :call-seq: value -> Integer
      #
      # The current value. Raises UnsupportedError where the platform cannot read it.

      ##
      # :method: name
      # :call-seq: name -> String
      #
      # The name, as given or as chosen for +nil+.

      ##
      # :method: created?
      # :call-seq: created? -> true or false
      #
      # Whether this open created the semaphore.

      ##
      # :method: unlink
      # :call-seq: unlink -> nil
      #
      # Removes the name from the system; the semaphore stays usable through this object
      # and every other open handle until they close it.

      ##
      # :method: close
      # :call-seq: close -> nil
      #
      # Ends this object's use of the semaphore (never unlinks it) and any wait on it in
      # another thread. Later calls raise ExistentialError; a second close does nothing.

      ##
      # :method: closed?
      # :call-seq: closed? -> true or false
      #
      # Whether #close has been called.


      # Opens the semaphore +name+ (see Pipc::Posix for +name+ and +flags+); +mode+ and
      # +initial_value+ apply when this call creates it. Raises ExistentialError,
      # PermissionsError, or InvalidArgumentError for a name libpipc refuses.
      def initialize(name, flags: 0, mode: Lowlevel::DEFAULT_MODE, initial_value: 0)
        super(name, flags, mode, initial_value)
        @mode = mode
      end

      # The same as Pipc::Posix.unlink_semaphore.
      def self.unlink(name)
        Posix.unlink_semaphore(name)
      end
      private

      def inspect_detail
        "#{name} value=#{value}"
      end
    end

    # A POSIX shared memory segment. #read and #write go through a mapping, but raise
    # where it has lost its pages: past the end of a segment another handle shrank
    # (InvalidArgumentError), or when the segment's file system is full (Pipc::Error,
    # ENOSPC). A #view is a plain mapping: touching it there is SIGBUS.
    class SharedMemory < Lowlevel::PosixSharedMemory
      include Handle
      include Mode

      # Opens the segment +name+ (see Pipc::Posix; O_TRUNC empties it first). +mode+
      # applies when this call creates it; a +size+ above 0 makes it that size;
      # +read_only+ opens it for reading only. Names beginning with "/sem." (glibc's
      # semaphore files) raise InvalidArgumentError.
      #
      # reserve: true allocates the segment's pages whenever this handle sizes it (here and
      # at every resize), so that a full /dev/shm raises Pipc::Error at once rather than
      # killing the process with SIGBUS when it first touches a page that cannot be had.
      def initialize(name, flags: 0, mode: Lowlevel::DEFAULT_MODE, size: 0, read_only: false,
                     reserve: false)
        super(name, reserve ? flags | Lowlevel::SHM_RESERVE : flags, mode, size, read_only)
        @mode = mode
      end

      # The same as Pipc::Posix.unlink_shared_memory.
      def self.unlink(name)
        Posix.unlink_shared_memory(name)
      end

      # The same as #resize.
      def size=(size)
        resize(size)
      end

      ##
      # :method: fileno
      # :call-seq: fileno -> Integer
      #
      # The same as #fd.
      alias fileno fd

      ##
      # :method: read
      # :call-seq: read(length = nil, offset = 0) -> String
      #
      # +length+ bytes from +offset+ as a binary String; +nil+ reads to the end. Raises
      # InvalidArgumentError past the end.

      ##
      # :method: write
      # :call-seq: write(data, offset = 0) -> Integer
      #
      # Writes the String +data+ at +offset+ and returns its length. Raises
      # InvalidArgumentError when it does not fit, PermissionsError on a read-only handle.

      ##
      # :method: size
      # :call-seq: size -> Integer
      #
      # The segment's current size in bytes.

      ##
      # :method: resize
      # :call-seq: resize(size) -> nil
      #
      # Makes the segment +size+ bytes long (for every process that has it).

      ##
      # :method: fd
      # :call-seq: fd -> Integer
      #
      # The segment's file descriptor (until #close_fd or #close).

      ##
      # :method: close_fd
      # :call-seq: close_fd -> nil
      #
      # Closes the descriptor only; #read, #write and views keep working.

      ##
      # :method: read_only?
      # :call-seq: read_only? -> true or false
      #
      # Whether the segment was opened read-only.

      ##
      # :method: name
      # :call-seq: name -> String
      #
      # The name, as given or as chosen for +nil+.

      ##
      # :method: created?
      # :call-seq: created? -> true or false
      #
      # Whether this open created the segment.

      ##
      # :method: unlink
      # :call-seq: unlink -> nil
      #
      # Removes the name from the system; the memory stays until every handle and mapping
      # is gone.

      ##
      # :method: close
      # :call-seq: close -> nil
      #
      # Closes the descriptor and this object's mapping (never unlinks); views made by
      # #view stay valid. Later calls raise ExistentialError; a second close does nothing.

      ##
      # :method: closed?
      # :call-seq: closed? -> true or false
      #
      # Whether #close has been called.

      # A zero-copy IO::Buffer over the whole segment (read-only for a read-only handle).
      # The buffer owns its own mapping of the segment, so it stays valid after close,
      # close_fd or unlink, until it is garbage collected.
      def view
        length = size
        return IO::Buffer.new(0) if length.zero?

        file = File.for_fd(fd, autoclose: false)
        buffer = IO::Buffer.map(file, length, 0, read_only? ? IO::Buffer::READONLY : 0)
        ViewFiles.keep(file, buffer)
        buffer
      end

      private

      def inspect_detail
        "#{name} size=#{size}"
      end
    end

    # Keeps the File that a SharedMemory#view maps alive until the view itself is gone.
    # Ruby 3.1's IO::Buffer looks at its source object when it is freed: a File swept in
    # the same collection, its slot then reused by a String, made that free raise inside
    # the garbage collector, which aborts the process ("object allocation during garbage
    # collection phase"). A finalizer runs only after its object is freed.
    module ViewFiles
      @files = {}

      # Holds +file+ until +view+ has been freed.
      def self.keep(file, view)
        @files[file.object_id] = file
        ObjectSpace.define_finalizer(view, releaser(file.object_id))
      end

      # The finalizer that lets the File with object id +id+ go (it must not refer to
      # the view, or the view would never be freed).
      def self.releaser(id)
        proc { @files.delete(id) }
      end
    end

    # A POSIX message queue: messages are binary Strings with a priority, received
    # highest priority first, oldest first within one priority.
    class MessageQueue < Lowlevel::PosixMessageQueue
      include Handle
      include Mode

      # Opens the queue +name+ (see Pipc::Posix; O_NONBLOCK starts with #block false).
      # +mode+, +max_messages+ and +max_message_size+ apply when this call creates it
      # (0: the system's defaults; InvalidArgumentError or Pipc::Error past its limits);
      # +read+ and +write+ choose the ends this object opens.
      def initialize(name, flags: 0, mode: Lowlevel::DEFAULT_MODE, max_messages: 0,
                     max_message_size: 0, read: true, write: true)
        super(name, flags, mode, max_messages, max_message_size, read, write)
        @mode = mode
      end

      # The same as Pipc::Posix.unlink_message_queue.
      def self.unlink(name)
        Posix.unlink_message_queue(name)
      end

      ##
      # :method: fileno
      # :call-seq: fileno -> Integer
      #
      # The same as #fd.
      alias fileno fd

      ##
      # :method: send
      # :call-seq: send(data, timeout: nil, priority: 0) -> nil
      #
      # Queues the String +data+ with +priority+ (0 to QUEUE_PRIORITY_MAX). When the
      # queue is full it waits for room as +timeout+ says (Pipc::Posix), not at all while
      # #block is false; then raises BusyError. Raises InvalidArgumentError for data
      # longer than #max_message_size, PermissionsError without the write end,
      # ExistentialError when the queue is closed (also during the wait). This replaces
      # Object#send: use <tt>__send__</tt> or +public_send+ for that.

      ##
      # :method: receive
      # :call-seq: receive(timeout: nil) -> [String, Integer]
      #
      # Takes the oldest message of the highest priority and returns it (a binary
      # String) with its priority. When the queue is empty it waits as +timeout+ says
      # (Pipc::Posix), not at all while #block is false; then raises BusyError. Raises
      # PermissionsError without the read end, ExistentialError when the queue is closed
      # (also during the wait).

      ##
      # :method: block
      # :call-seq: block -> true or false
      #
      # Whether #send and #receive wait (true unless opened with O_NONBLOCK).

      ##
      # :method: block=
      # :call-seq: block = true or false
      #
      # Sets #block; false makes #send and #receive raise BusyError at once.

      ##
      # :method: max_messages
      # :call-seq: max_messages -> Integer
      #
      # How many messages the queue holds at most.

      ##
      # :method: max_message_size
      # :call-seq: max_message_size -> Integer
      #
      # The longest message the queue takes, in bytes.

      ##
      # :method: current_messages
      # :call-seq: current_messages -> Integer
      #
      # How many messages the queue holds now.

      ##
      # :method: fd
      # :call-seq: fd -> Integer
      #
      # The queue's descriptor, for IO.select, poll or epoll (see also #to_io).

      ##
      # :method: name
      # :call-seq: name -> String
      #
      # The name, as given or as chosen for +nil+.

      ##
      # :method: created?
      # :call-seq: created? -> true or false
      #
      # Whether this open created the queue.

      ##
      # :method: unlink
      # :call-seq: unlink -> nil
      #
      # Removes the name from the system; open handles keep the queue until they close it.

      ##
      # :method: closed?
      # :call-seq: closed? -> true or false
      #
      # Whether #close has been called.

      ##
      # :method: notify_signal
      # :call-seq: notify_signal(signo) -> nil
      #
      # Low level: registers the signal +signo+; use #request_notification.

      ##
      # :method: notify_fd
      # :call-seq: notify_fd(fd) -> nil
      #
      # Low level: registers a byte written to +fd+; use #request_notification.

      ##
      # :method: notify_cancel
      # :call-seq: notify_cancel -> nil
      #
      # Low level: cancels this process's registration; use #request_notification.

      # An IO over the queue's descriptor, for IO.select (readable: a message is waiting;
      # writable: there is room). It is closed with the queue.
      def to_io
        @io ||= IO.for_fd(fd, autoclose: false)
      end

      # Notification when the queue goes from empty to non-empty, once per request:
      # with a block (or a callable), it runs with the queue on a new Ruby thread; with a
      # signal (a number or a name such as :USR1), the signal is sent to this process;
      # with neither, a pending request is cancelled. Another process's request gives
      # BusyError.
      def request_notification(signal = nil, &block)
        raise ArgumentError, "give a signal or a block, not both" if signal && block

        block, signal = signal, nil if callable?(signal)
        signal &&= signal_number(signal)    # checked before the current request goes
        stop_notification_thread
        if block
          notify_with_thread(block)
        elsif signal
          notify_signal(signal)
        else
          notify_cancel
        end
      end

      # Closes the queue's descriptor (never unlinks it), cancelling a pending
      # notification and ending any wait on it in another thread. Later calls raise
      # ExistentialError; a second close does nothing.
      def close
        stop_notification_thread
        @io&.close
        @io = nil
        super
      end

      private

      # Without Kernel (a BasicObject) an object cannot even be asked.
      def callable?(obj)
        Proc === obj || Method === obj || (Kernel === obj && obj.respond_to?(:call))
      end

      # SIGNAL's number: an Integer as it is, a name (:USR1, "SIGUSR1") from Signal.list.
      def signal_number(signal)
        case signal
        when Integer then signal
        when Symbol, String
          # as bytes: a name in an encoding that is not ASCII-compatible is simply unknown
          Signal.list.fetch(signal.to_s.b.delete_prefix("SIG")) { raise ArgumentError, "unknown signal: #{signal.inspect}" }
        else raise TypeError, "the signal must be an Integer, a Symbol or a String"
        end
      end

      # libpipc calls back on a thread of its own, where Ruby cannot run: the extension
      # writes a byte to a pipe instead, and a Ruby thread waiting on it runs the block.
      def notify_with_thread(block)
        reader, writer = IO.pipe
        begin
          notify_fd(writer.fileno)    # the extension keeps its own duplicate
        rescue Exception # rubocop:disable Lint/RescueException
          reader.close
          raise
        ensure
          writer.close
        end
        @notification = Thread.new do
          fired = reader.read(1)
          @notification = nil if @notification.equal?(Thread.current)
          block.call(self) if fired
        ensure
          reader.close
        end
      end

      # Ends the thread of a request still waiting (not one already running its block).
      def stop_notification_thread
        thread = @notification
        @notification = nil
        thread&.kill unless thread.equal?(Thread.current)
      end

      def inspect_detail
        "#{name} current_messages=#{current_messages}"
      end
    end
  end
end
