# frozen_string_literal: true

module Pipc
  # POSIX named semaphores, shared memory and message queues. A name starts with "/"
  # (and has no other "/"); nil makes a new object under a random unused name (read it
  # back with #name). Closing never unlinks; unlinking never closes.
  module Posix
    O_CREAT = Lowlevel::CREAT          # create the object if it does not exist
    O_EXCL = Lowlevel::EXCL            # with O_CREAT: fail if it exists
    O_CREX = Lowlevel::CREX            # O_CREAT | O_EXCL
    O_TRUNC = Lowlevel::TRUNC          # shared memory: truncate to 0 first
    O_NONBLOCK = Lowlevel::NONBLOCK    # message queue: start non-blocking
    # the running system's values
    PAGE_SIZE = Lowlevel::PAGE_SIZE
    SEMAPHORE_VALUE_MAX = Lowlevel::SEMAPHORE_VALUE_MAX
    QUEUE_PRIORITY_MAX = Lowlevel::QUEUE_PRIORITY_MAX
    QUEUE_MESSAGES_MAX_DEFAULT = Lowlevel::QUEUE_MESSAGES_MAX_DEFAULT         # a new queue's default
    QUEUE_MESSAGE_SIZE_MAX_DEFAULT = Lowlevel::QUEUE_MESSAGE_SIZE_MAX_DEFAULT
    USER_SIGNAL_MIN = Lowlevel::USER_SIGNAL_MIN   # SIGRTMIN..SIGRTMAX, for notifications
    USER_SIGNAL_MAX = Lowlevel::USER_SIGNAL_MAX

    def self.unlink_semaphore(name) = Lowlevel.posix_unlink_semaphore(name)
    def self.unlink_shared_memory(name) = Lowlevel.posix_unlink_shared_memory(name)
    def self.unlink_message_queue(name) = Lowlevel.posix_unlink_message_queue(name)

    # #mode: the permission bits given to the constructor, as the Python module's.
    module Mode
      attr_reader :mode
    end

    # acquire(timeout: nil) (nil waits forever, 0 tries once, else seconds), release,
    # value, name, mode, created?, unlink, close, closed?, synchronize { }.
    class Semaphore < Lowlevel::PosixSemaphore
      include Handle
      include Synchronize
      include Mode

      def initialize(name, flags: 0, mode: Lowlevel::DEFAULT_MODE, initial_value: 0)
        super(name, flags, mode, initial_value)
        @mode = mode
      end

      def self.unlink(name) = Posix.unlink_semaphore(name)

      private

      def inspect_detail = "#{name} value=#{value}"
    end

    # read(length = nil, offset = 0), write(data, offset = 0), size, resize / size=, fd,
    # close_fd, view (IO::Buffer), name, mode, read_only?, created?, unlink, close, closed?.
    # read and write go through a mapping, but raise where it has lost its pages: past the
    # end of a segment another handle shrank (InvalidArgumentError), or when the segment's
    # file system is full (Pipc::Error, ENOSPC). A view is a plain mapping: touching it
    # there is SIGBUS.
    class SharedMemory < Lowlevel::PosixSharedMemory
      include Handle
      include Mode

      # reserve: true allocates the segment's pages whenever this handle sizes it (here and
      # at every resize), so that a full /dev/shm raises Pipc::Error at once rather than
      # killing the process with SIGBUS when it first touches a page that cannot be had.
      def initialize(name, flags: 0, mode: Lowlevel::DEFAULT_MODE, size: 0, read_only: false,
                     reserve: false)
        super(name, reserve ? flags | Lowlevel::SHM_RESERVE : flags, mode, size, read_only)
        @mode = mode
      end

      def self.unlink(name) = Posix.unlink_shared_memory(name)

      def size=(size)
        resize(size)
      end

      alias fileno fd

      # A zero-copy IO::Buffer over the whole segment (read-only for a read-only handle).
      # The buffer owns its own mapping of the segment, so it stays valid after close,
      # close_fd or unlink, until it is garbage collected.
      def view
        length = size
        return IO::Buffer.new(0) if length.zero?

        IO::Buffer.map(File.for_fd(fd, autoclose: false), length, 0,
                       read_only? ? IO::Buffer::READONLY : 0)
      end

      private

      def inspect_detail = "#{name} size=#{size}"
    end

    # send(data, timeout: nil, priority: 0), receive(timeout: nil) -> [String, priority],
    # block / block=, max_messages, max_message_size, current_messages, fd / to_io,
    # request_notification, name, mode, created?, unlink, close, closed?.
    class MessageQueue < Lowlevel::PosixMessageQueue
      include Handle
      include Mode

      def initialize(name, flags: 0, mode: Lowlevel::DEFAULT_MODE, max_messages: 0,
                     max_message_size: 0, read: true, write: true)
        super(name, flags, mode, max_messages, max_message_size, read, write)
        @mode = mode
      end

      def self.unlink(name) = Posix.unlink_message_queue(name)

      alias fileno fd

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

      def close
        stop_notification_thread
        @io&.close
        @io = nil
        super
      end

      private

      # Without Kernel (a BasicObject) an object cannot even be asked.
      def callable?(obj) = Proc === obj || Method === obj || (Kernel === obj && obj.respond_to?(:call))

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

      def inspect_detail = "#{name} current_messages=#{current_messages}"
    end
  end
end
