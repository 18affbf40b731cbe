# frozen_string_literal: true

# A call that blocks on each kind of object, and the call that ends it (test_threads.rb;
# also loaded by the child processes it starts, which reopen the objects by name or id).
# state: what another handle sees of the object, which closing a handle leaves as it was.
Blocker = Struct.new(:make, :ref, :reopen, :block, :wake, :state)

# The queue each held mutex's holder thread waits on to unlock it, by the mutex's name.
MUTEX_HOLDERS = {}

# A new mutex that a thread of this process holds, through a handle of its own, until
# the mutex is woken (MUTEX_HOLDERS) or the test ends.
def held_mutex(test)
  mutex = test.pipc_mutex
  locked = Thread::Queue.new
  release = MUTEX_HOLDERS[mutex.name] = Thread::Queue.new
  holder = Thread.new { Pipc::Mutex.open(mutex.name) { |m| m.synchronize { locked << true; release.pop } } }
  locked.pop
  test.at_teardown { release << true; holder.join }
  mutex
end

BLOCKERS = {
  posix_sem_acquire: Blocker.new(->(t) { t.posix_sem }, :name.to_proc,
                                 ->(ref) { Pipc::Posix::Semaphore.new(ref) },
                                 ->(s, timeout) { s.acquire(timeout: timeout) }, :release.to_proc,
                                 :value.to_proc),
  posix_mq_receive: Blocker.new(->(t) { t.posix_mq }, :name.to_proc,
                                ->(ref) { Pipc::Posix::MessageQueue.new(ref) },
                                ->(q, timeout) { q.receive(timeout: timeout) }, ->(q) { q.send("x") },
                                :current_messages.to_proc),
  posix_mq_send_full: Blocker.new(->(t) { t.posix_mq(max_messages: 1).tap { |q| q.send("full") } },
                                  :name.to_proc, ->(ref) { Pipc::Posix::MessageQueue.new(ref) },
                                  ->(q, timeout) { q.send("x", timeout: timeout) }, :receive.to_proc,
                                  :current_messages.to_proc),
  sysv_sem_acquire: Blocker.new(->(t) { t.sysv_sem }, :id.to_proc,
                                ->(ref) { Pipc::SysV::Semaphore.open_id(Integer(ref)) },
                                ->(s, timeout) { s.acquire(timeout: timeout) }, :release.to_proc,
                                :value.to_proc),
  sysv_sem_wait_for_zero: Blocker.new(->(t) { t.sysv_sem(initial_value: 1) }, :id.to_proc,
                                      ->(ref) { Pipc::SysV::Semaphore.open_id(Integer(ref)) },
                                      ->(s, timeout) { s.wait_for_zero(timeout: timeout) },
                                      :acquire.to_proc, :value.to_proc),
  sysv_mq_receive: Blocker.new(->(t) { t.sysv_mq }, :id.to_proc,
                               ->(ref) { Pipc::SysV::MessageQueue.open_id(Integer(ref)) },
                               ->(q, timeout) { q.receive(timeout: timeout) }, ->(q) { q.send("x") },
                               :current_messages.to_proc),
  sysv_mq_send_full: Blocker.new(->(t) { t.sysv_mq(max_bytes: 4).tap { |q| q.send("full") } },
                                 :id.to_proc, ->(ref) { Pipc::SysV::MessageQueue.open_id(Integer(ref)) },
                                 ->(q, timeout) { q.send("more", timeout: timeout) }, :receive.to_proc,
                                 :current_messages.to_proc),
  mutex_lock: Blocker.new(->(t) { held_mutex(t) }, :name.to_proc, ->(ref) { Pipc::Mutex.new(ref) },
                         ->(m, timeout) { m.synchronize(timeout: timeout) { :locked } },
                         ->(m) { MUTEX_HOLDERS.fetch(m.name) << true },
                         ->(m) { Thread.new { m.try_lock && m.unlock.nil? }.value }),
  channel_receive: Blocker.new(->(t) { t.pipc_channel }, :name.to_proc, ->(ref) { Pipc::Channel.new(ref) },
                               ->(c, timeout) { c.receive(timeout: timeout) }, ->(c) { c.send("x") },
                               :messages.to_proc),
  channel_receive_into: Blocker.new(->(t) { t.pipc_channel }, :name.to_proc, ->(ref) { Pipc::Channel.new(ref) },
                                    ->(c, timeout) { c.receive_into(+"", timeout: timeout) },
                                    ->(c) { c.send("x") }, :messages.to_proc),
  channel_send_full: Blocker.new(->(t) { t.pipc_channel(slots: 2).tap { |c| 2.times { c.send("full") } } },
                                 :name.to_proc, ->(ref) { Pipc::Channel.new(ref) },
                                 ->(c, timeout) { c.send("x", timeout: timeout) }, :receive.to_proc,
                                 :messages.to_proc),
}.freeze
