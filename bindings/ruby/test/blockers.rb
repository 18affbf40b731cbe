# frozen_string_literal: true

# A call that blocks on each kind of object, and the call that ends it (test_threads.rb;
# also loaded by the child processes it starts, which reopen the objects by name or id).
# state: what another handle sees of the object, which closing a handle leaves as it was.
Blocker = Struct.new(:make, :ref, :reopen, :block, :wake, :state)

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
}.freeze
