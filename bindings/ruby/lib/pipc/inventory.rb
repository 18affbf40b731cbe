# frozen_string_literal: true

module Pipc
  # One IPC object as the OS describes it (Pipc.objects). Fields, +nil+ when the OS did
  # not tell or the kind has none:
  # kind:: +:sem+, +:shm+, +:mq+ (POSIX), +:sysv_sem+, +:sysv_shm+ or +:sysv_mq+
  # name:: POSIX: "/NAME"
  # key, id:: System V: the key (0 is IPC_PRIVATE) and the kernel's id
  # uid, gid, mode:: the owner and the permission bits
  # cuid, cgid:: System V: the creator
  # removed:: +true+ for a System V segment marked for removal, alive until its last detach
  # semaphores:: a System V set's semaphores; 1 for a POSIX semaphore; else 0
  # size:: shared memory: bytes; queues: bytes of the messages queued
  # value:: a semaphore's value (a System V set's first)
  # messages:: a queue's (or a libpipc channel's) messages
  # max_messages, max_message_size:: a POSIX queue's (or a libpipc channel's) limits
  # max_bytes:: a System V queue's capacity in bytes
  # attaches:: a System V segment's attachments
  # creator_pid, last_pid:: System V: the creating process, the last operation's process
  # changed, modified, operated:: Times of the last change of owner, mode or size, the
  #                               last modification (POSIX), the last operation (System V)
  # device, inode:: POSIX: the file's
  # holder_count, holders:: with <tt>holders: true</tt>: the processes holding it (Holder)
  # libpipc_type:: +:mutex+, +:cond+ or +:channel+ for shared memory (+:shm+) that holds one
  #                of libpipc's own objects (Mutex, ConditionVariable, Channel); +nil+ for
  #                any other, or one this process may not read
  Object = Struct.new(*Lowlevel::INVENTORY_OBJECT_FIELDS, :holders, keyword_init: true)

  # A process that holds an object (Object#holders):
  # pid:: the process
  # how:: how it holds it, an Array of +:fd+ (an open descriptor), +:map+ (a mapping),
  #       +:attach+ (a System V attachment), +:last_op+ (made the last System V operation
  #       and is alive), +:creator+ (created the System V segment and is alive)
  # uid:: its real user id
  # command:: its command line, arguments joined by spaces ("" if unreadable)
  Holder = Struct.new(*Lowlevel::INVENTORY_HOLDER_FIELDS, keyword_init: true)

  # The kinds of object, in the order Pipc.objects lists them.
  KINDS = Lowlevel::INVENTORY_KINDS

  # The Array Pipc.objects returns: the Objects, in kind order and then by name or id.
  class Objects < Array
    # How many processes the holder scan could not look into (another user's, without
    # CAP_SYS_PTRACE): their holds are not listed. 0 without +holders+.
    attr_reader :unseen

    # The Objects +objects+, with +unseen+ processes not looked into.
    def initialize(objects, unseen)
      super(objects)
      @unseen = unseen
    end
  end

  # The kind bits of +kind+: +nil+ (every kind), a kind (KINDS, or +:posix+, +:sysv+,
  # +:all+) as a Symbol or String, or an Array of them.
  def self.kind_bits(kind) # :nodoc:
    return 0 if kind.nil?

    kinds = kind.is_a?(Array) ? kind : [kind]
    raise InvalidArgumentError, "no kinds given" if kinds.empty?

    kinds.inject(0) do |bits, k|
      bit = Lowlevel.inventory_kind_of(k)
      raise InvalidArgumentError, "unknown kind #{k.inspect}: one of #{KINDS.join(', ')}, posix, sysv, all" if bit.zero?

      bits | bit
    end
  end
  private_class_method :kind_bits

  # :call-seq: objects(kind: nil, holders: false) -> Pipc::Objects
  #
  # The IPC objects of this machine (its IPC namespace), as Objects, in kind order and
  # then by name or id. +kind+: +nil+ for every kind (POSIX queues only where the mqueue
  # filesystem is mounted), a kind such as +:sysv_shm+ (see KINDS; also +:posix+, +:sysv+
  # and +:all+) or an Array of kinds. With <tt>holders: true</tt> it also finds the
  # processes that hold each object (one pass over /proc).
  #
  # Raises InvalidArgumentError for an unknown kind, UnsupportedError for +:mq+ where the
  # mqueue filesystem is not mounted, PermissionsError, or Pipc::Error.
  def self.objects(kind: nil, holders: false)
    found, unseen = Lowlevel.inventory_take(kind_bits(kind), holders)
    Objects.new(found.map do |fields|
      list = fields.pop
      object = Object.new(**Lowlevel::INVENTORY_OBJECT_FIELDS.zip(fields).to_h)
      object.holders = list&.map { |h| Holder.new(**Lowlevel::INVENTORY_HOLDER_FIELDS.zip(h).to_h) }&.freeze
      object.freeze
    end, unseen)
  end

  module SysV
    # Whether a System V object of +kind+ (+:sysv_sem+, +:sysv_shm+ or +:sysv_mq+) has
    # +key+. Raises InvalidArgumentError for another kind or a key out of range.
    def self.exists?(key, kind)
      Lowlevel.inventory_sysv_exists(key, Pipc.send(:kind_bits, kind))
    end
  end
end
