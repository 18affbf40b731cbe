# frozen_string_literal: true

require_relative "helper"

# Pipc.objects and Pipc::SysV.exists?: the objects of the six kinds made here, libpipc's own
# mutexes, condition variables and channels as shared memory that says which, kind
# filtering, this process and a child as holders, bad arguments. Objects are made with
# random names or keys and removed at teardown (helper's track).
class TestInventory < PipcTestCase
  def find(objects, kind, name: nil, key: nil)
    found = objects.select do |o|
      o.kind == kind && (name.nil? || o.name == name) && (key.nil? || o.key == key)
    end
    assert_equal 1, found.size, "#{kind} #{name || key} in #{found.inspect}"
    found.first
  end

  def test_each_kind_appears_with_its_fields
    before = Time.now
    sem = posix_sem(mode: 0o640, initial_value: 3)
    shm = posix_shm(mode: 0o600, size: 4096)
    mq = posix_mq(mode: 0o600, max_messages: 4, max_message_size: 64)
    mq.send("hello")
    ssem = sysv_sem(mode: 0o600, initial_value: 2)
    sshm = sysv_shm(mode: 0o644, size: 8192)
    smq = sysv_mq(mode: 0o600)
    smq.send("12345", type: 7)
    objects = Pipc.objects
    assert_kind_of Array, objects
    assert_equal 0, objects.unseen

    o = find(objects, :sem, name: sem.name)
    assert_equal [0o640, 3, 1, nil, nil, Process.euid], [o.mode, o.value, o.semaphores, o.key, o.id, o.uid]
    refute_nil o.inode
    o = find(objects, :shm, name: shm.name)
    assert_equal [0o600, 4096, nil, nil], [o.mode, o.size, o.value, o.messages]
    assert_kind_of Time, o.modified
    assert_operator o.modified, :>=, before - 1
    o = find(objects, :mq, name: mq.name)
    assert_equal [0o600, 1, 5, 4, 64, nil], [o.mode, o.messages, o.size, o.max_messages, o.max_message_size, o.max_bytes]

    o = find(objects, :sysv_sem, key: ssem.key)
    assert_equal [ssem.id, 0o600, 2, 1, nil], [o.id, o.mode, o.value, o.semaphores, o.name]
    assert_equal [Process.euid, Process.egid], [o.cuid, o.cgid]
    o = find(objects, :sysv_shm, key: sshm.key)
    assert_equal [sshm.id, 0o644, 8192, 0, Process.pid, false], [o.id, o.mode, o.size, o.attaches, o.creator_pid, o.removed]
    o = find(objects, :sysv_mq, key: smq.key)
    assert_equal [smq.id, 1, 5, smq.max_bytes, Process.pid], [o.id, o.messages, o.size, o.max_bytes, o.last_pid]
    assert(objects.all? { |x| x.holders.nil? && x.holder_count.nil? })
    assert_predicate objects.first, :frozen?
  end

  def test_libpipc_objects_are_shared_memory_that_says_which
    mutex = pipc_mutex
    cond = pipc_cond
    channel = pipc_channel(slots: 16, max_message_size: 64)
    %w[one two three].each { |m| channel.send(m) }
    plain = posix_shm(size: 4096)
    objects = Pipc.objects(kind: :shm)
    fields = %i[kind libpipc_type messages max_messages max_message_size]
    { mutex.name => [:shm, :mutex, nil, nil, nil], cond.name => [:shm, :cond, nil, nil, nil],
      channel.name => [:shm, :channel, 3, 16, 64], plain.name => [:shm, nil, nil, nil, nil] }.each do |name, values|
      o = find(objects, :shm, name: name)
      assert_equal values, fields.map { |f| o[f] }, name
    end
  end

  def test_structs_and_kind_order
    posix_sem
    sysv_sem
    assert_equal Pipc::Lowlevel::INVENTORY_OBJECT_FIELDS + [:holders], Pipc::Object.members
    assert_equal %i[pid how uid command], Pipc::Holder.members
    assert_equal %i[sem shm mq sysv_sem sysv_shm sysv_mq], Pipc::KINDS
    order = Pipc.objects.map { |o| Pipc::KINDS.index(o.kind) }
    assert_equal order.sort, order
  end

  def test_kind_filter
    sem = posix_sem
    shm = posix_shm(size: 1)
    ssem = sysv_sem
    only = Pipc.objects(kind: :sem)
    assert_equal [:sem], only.map(&:kind).uniq
    assert_includes only.map(&:name), sem.name
    two = Pipc.objects(kind: [:sem, "shm"])
    assert_empty two.map(&:kind).uniq - %i[sem shm]
    assert_empty [sem.name, shm.name] - two.map(&:name)
    sysv = Pipc.objects(kind: :sysv)
    assert_empty sysv.map(&:kind).uniq - %i[sysv_sem sysv_shm sysv_mq]
    assert_includes sysv.map(&:key), ssem.key
  end

  def test_this_process_holds_a_mapping_and_an_attachment
    shm = posix_shm(size: 4096)
    view = shm.view                     # a mapping of this process
    sshm = sysv_shm(size: 4096)
    sshm.attach
    objects = Pipc.objects(kind: %i[shm sysv_shm], holders: true)
    assert_kind_of Integer, objects.unseen
    o = find(objects, :shm, name: shm.name)
    mine = o.holders.select { |h| h.pid == Process.pid }
    assert_equal 1, mine.size
    assert_empty %i[fd map] - mine.first.how
    assert_equal Process.uid, mine.first.uid
    assert_includes mine.first.command, "ruby"
    assert_equal o.holders.size, o.holder_count
    o = find(objects, :sysv_shm, key: sshm.key)
    mine = o.holders.select { |h| h.pid == Process.pid }
    assert_equal 1, mine.size
    assert_includes mine.first.how, :attach
  ensure
    view&.free
  end

  def test_a_child_process_appears_as_holder
    shm = posix_shm(size: 4096)
    to_child_r, to_child_w = IO.pipe
    from_child_r, from_child_w = IO.pipe
    pid = spawn_child(<<~RUBY, shm.name, in: to_child_r, out: from_child_w)
      shm = Pipc::Posix::SharedMemory.new(ARGV[0])
      view = shm.view
      shm.close_fd
      $stdout.puts "ready"
      $stdout.flush
      $stdin.read
      view.size
    RUBY
    to_child_r.close
    from_child_w.close
    begin
      assert_equal "ready\n", from_child_r.gets
      o = find(Pipc.objects(kind: :shm, holders: true), :shm, name: shm.name)
      theirs = o.holders.select { |h| h.pid == pid }
      assert_equal 1, theirs.size
      assert_includes theirs.first.how, :map
    ensure
      to_child_w.close
      assert_predicate wait_child(pid), :success?
    end
  end

  def test_sysv_exists
    ssem = sysv_sem
    smq = sysv_mq
    assert Pipc::SysV.exists?(ssem.key, :sysv_sem)
    assert Pipc::SysV.exists?(smq.key, "sysv_mq")
    refute Pipc::SysV.exists?(ssem.key, :sysv_shm)
    ssem.remove
    refute Pipc::SysV.exists?(ssem.key, :sysv_sem)
  end

  def test_bad_arguments_raise
    assert_raises(Pipc::InvalidArgumentError) { Pipc.objects(kind: :nope) }
    assert_raises(Pipc::InvalidArgumentError) { Pipc.objects(kind: []) }
    assert_raises(TypeError) { Pipc.objects(kind: 3) }
    assert_raises(ArgumentError) { Pipc.objects(kinds: :sem) }
    assert_raises(Pipc::InvalidArgumentError) { Pipc::SysV.exists?(1234, :sem) }
    assert_raises(Pipc::InvalidArgumentError) { Pipc::SysV.exists?(1234, :sysv) }
    assert_raises(Pipc::InvalidArgumentError) { Pipc::SysV.exists?(2**40, :sysv_sem) }
    assert_raises(TypeError) { Pipc::SysV.exists?("1234", :sysv_sem) }
  end
end
