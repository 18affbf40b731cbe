# frozen_string_literal: true

module Pipc
  # A message channel in shared memory that processes and threads share by name, in any
  # language libpipc serves (pipc_channel in C): a ring of +slots+ messages of up to
  # +max_message_size+ bytes each. Any number of processes may send and receive at once;
  # messages keep their order per sender and are never torn, lost or delivered twice. A
  # send or receive that need not wait makes no system call at all, which makes a channel
  # many times faster than a Pipc::Posix::MessageQueue; a process killed in the middle of
  # a call never wedges the channel for the others.
  #
  #   Pipc::Channel.open("/jobs", flags: Pipc::Posix::O_CREAT, slots: 256) do |jobs|
  #     jobs.send("resize photo 17")
  #     jobs.receive(timeout: 5)   # => "resize photo 17" (a binary String)
  #   end
  #
  # Names and +flags+ are those of Pipc::Posix (the channel is a POSIX shared memory
  # object of its own, /dev/shm/NAME). Timeouts are seconds as there: nil waits without
  # limit, 0 tries once, and a call that does not succeed in time raises BusyError.
  # Waits release the GVL; Thread#kill, Thread#raise, Ctrl-C and #close from another
  # thread end them (the last with ExistentialError). A message longer than the channel
  # allows raises InvalidArgumentError (an ArgumentError). The zero-copy calls of the C
  # API are not offered here; #receive_into receives without a new String.
  class Channel < Lowlevel::Channel
    include Handle
    include Posix::Mode

    ##
    # :method: send
    # :call-seq: send(data, timeout: nil) -> nil
    #
    # Sends the String +data+ (its bytes, whatever its encoding). When the channel is
    # full it waits for a free slot as +timeout+ says, then raises BusyError. Raises
    # InvalidArgumentError for data longer than #max_message_size, ExistentialError when
    # the channel is closed (also during the wait). This replaces Object#send: use
    # <tt>__send__</tt> or +public_send+ for that.

    ##
    # :method: receive
    # :call-seq: receive(timeout: nil) -> String
    #
    # Takes the next message and returns it as a binary (ASCII-8BIT) String. When the
    # channel is empty it waits for one as +timeout+ says, then raises BusyError. Raises
    # ExistentialError when the channel is closed (also during the wait).

    ##
    # :method: receive_into
    # :call-seq: receive_into(buffer, timeout: nil) -> Integer
    #
    # #receive into +buffer+, without a new String: returns the message's length. A
    # String becomes the message (binary; its capacity grows to #max_message_size once,
    # so reusing it allocates nothing); an IO::Buffer (not read-only) gets it from offset
    # 0, and a message longer than the buffer raises InvalidArgumentError and stays in
    # the channel. While the call waits, the buffer is locked: other threads cannot
    # change a String's length or free or resize an IO::Buffer.

    ##
    # :method: slots
    # :call-seq: slots -> Integer
    #
    # The channel's capacity in messages (a power of two).

    ##
    # :method: max_message_size
    # :call-seq: max_message_size -> Integer
    #
    # The longest message the channel takes, in bytes.

    ##
    # :method: messages
    # :call-seq: messages -> Integer
    #
    # How many messages wait in the channel now (a snapshot: other processes may change
    # it at once).

    ##
    # :method: spin
    # :call-seq: spin -> Integer
    #
    # How long, in nanoseconds, this object's waits spin before they sleep (see #spin=).

    ##
    # :method: spin=
    # :call-seq: spin = nanoseconds
    #
    # Makes this object's waits re-read the channel for up to +nanoseconds+ (an Integer,
    # 0 to 1_000_000) before they sleep: lower latency when sender and receiver run on
    # different cores, at the cost of that core's time. 0, the default, sleeps at once.
    # Raises InvalidArgumentError above 1_000_000.

    ##
    # :method: name
    # :call-seq: name -> String
    #
    # The name, as given or as chosen for +nil+.

    ##
    # :method: created?
    # :call-seq: created? -> true or false
    #
    # Whether this open created the channel.

    ##
    # :method: unlink
    # :call-seq: unlink -> nil
    #
    # Removes the name; the channel stays usable through every open handle.

    ##
    # :method: closed?
    # :call-seq: closed? -> true or false
    #
    # Whether #close has been called.

    ##
    # :method: close
    # :call-seq: close -> nil
    #
    # Ends this object's use of the channel and any wait on it in another thread (which
    # raises ExistentialError); it never unlinks. Later calls raise ExistentialError; a
    # second close does nothing.

    # Opens the channel +name+, or with +name+ nil makes one with a random unused name
    # (#name tells it). +flags+ (Pipc::Posix::O_CREAT, O_CREX) default to O_CREX without
    # a name and to 0 (open an existing one) with one. +mode+, +slots+ (a power of two,
    # 1 to 65536) and +max_message_size+ (1 byte to 16 MiB) apply when this call creates
    # it: an existing channel keeps its own (#slots, #max_message_size).
    def initialize(name = nil, flags: nil.equal?(name) ? Posix::O_CREX : 0, mode: Lowlevel::DEFAULT_MODE,
                   slots: 64, max_message_size: 1024)
      super(name, flags, mode, slots, max_message_size)
      @mode = mode
    end

    # Removes the name +name+ of a channel; processes that have it open keep it. Raises
    # ExistentialError when there is none.
    def self.unlink(name)
      Lowlevel.channel_unlink_name(name)
    end

    private

    def inspect_detail
      "#{name} #{messages}/#{slots}"
    end
  end
end
