# frozen_string_literal: true

module Pipc
  # A named robust mutex that processes and threads share, in any language libpipc serves
  # (pipc_mutex in C). Unlike a semaphore used as a lock, it survives an owner that dies
  # holding it: a process killed, a Thread ended. The next #lock takes it and raises
  # OwnerDeadError, the lock held: the state it guards may be half-changed, so the new
  # owner repairs it, calls #consistent, then #unlock. Or give a +recover+ callable,
  # which then runs in place of the error, and needs no rescue:
  #
  #   counter = Pipc::Mutex.new("/counter-lock", flags: Pipc::Posix::O_CREAT,
  #                             recover: -> { repair_the_counter })
  #   counter.synchronize { add_one }
  #
  # The lock belongs to the native thread that took it. Each Ruby Thread is one: another
  # Thread of the same process waits for it as another process does, a #lock by the owner
  # raises InvalidArgumentError (no deadlock), an #unlock by any other thread raises
  # PermissionsError. A Thread that ends holding the lock is an owner that died, once its
  # native thread exits: Ruby 3.1 keeps an ended Thread's native thread for about 3 s to
  # reuse it, so the next #lock waits that long before it gets OwnerDeadError, and a
  # Thread started meanwhile may run on that native thread and find the lock its own
  # (#lock raises InvalidArgumentError there, and #unlock works): end a Thread's locks
  # before it ends (#synchronize does). Every Fiber of a Thread shares the Thread's locks: a Fiber that
  # locks, yields to another Fiber of the same Thread which locks too, gets
  # InvalidArgumentError, not a wait; and a Fiber scheduler does not see a wait for the
  # lock (the whole Thread waits, without the GVL). A forked child owns none of its
  # parent's locks, not even those of the Thread that forked: there it waits for them,
  # and its #unlock raises PermissionsError.
  #
  # Names and +flags+ are those of Pipc::Posix (the mutex is a POSIX shared memory object
  # of its own). Timeouts are seconds as there (nil waits without limit, 0 tries once).
  # Waits release the GVL; Thread#kill, Thread#raise, Ctrl-C and #close from another
  # thread end them (the last with ExistentialError). #close never unlocks: a lock the
  # thread holds stays held.
  #
  # Where Pipc is included, Mutex and ConditionVariable name these classes: Ruby's own
  # are then ::Mutex and ::ConditionVariable.
  class Mutex < Lowlevel::Mutex
    include Handle
    include Posix::Mode

    ##
    # :method: lock
    # :call-seq: lock(timeout: nil) -> true or false
    #
    # Takes the lock, waiting up to +timeout+ seconds (nil: without limit): true, or
    # false when the time ran out. When the previous owner died holding it, runs #recover
    # and marks it consistent, or without one raises OwnerDeadError (the lock is held
    # then). Raises NotRecoverableError for a mutex unlocked after an owner's death
    # without #consistent, InvalidArgumentError when this thread holds it already,
    # ExistentialError once closed (also by another thread during the wait).

    ##
    # :method: try_lock
    # :call-seq: try_lock -> true or false
    #
    # #lock without waiting: false when another thread holds the lock.

    ##
    # :method: unlock
    # :call-seq: unlock -> nil
    #
    # Releases the lock. Raises PermissionsError when this thread does not hold it.

    ##
    # :method: synchronize
    # :call-seq: synchronize(timeout: nil, recover: self.recover) { ... } -> the block's value
    #
    # Takes the lock as #lock does, runs the block, and unlocks however the block ends.
    # Raises BusyError when the time runs out (the block not run), and what #lock raises;
    # +recover+ replaces the object's own for this call.

    ##
    # :method: consistent
    # :call-seq: consistent -> nil
    #
    # After OwnerDeadError, by the thread that holds the lock: marks the state repaired,
    # so that the next #unlock leaves the mutex usable. An #unlock without it makes every
    # later #lock raise NotRecoverableError. Raises InvalidArgumentError when there is
    # nothing to mark.

    ##
    # :method: recover
    # :call-seq: recover -> callable or nil
    #
    # The recovery this object runs when a lock finds that the previous owner died
    # holding it (see #recover=).

    ##
    # :method: recover=
    # :call-seq: recover = callable or nil
    #
    # Sets the recovery: called without arguments, with the lock held, when #lock,
    # #try_lock, #synchronize or ConditionVariable#wait find that the previous owner died
    # holding it. When it returns, the mutex is marked consistent and the call goes on as
    # if nothing had happened. When it raises, its exception propagates and the lock is
    # released unrepaired: the mutex is then unusable for every process
    # (NotRecoverableError), since what it guards is known to be broken. nil (the
    # default): those calls raise OwnerDeadError instead. TypeError for an object that
    # does not respond to +call+.

    ##
    # :method: name
    # :call-seq: name -> String
    #
    # The name, as given or as chosen for +nil+.

    ##
    # :method: created?
    # :call-seq: created? -> true or false
    #
    # Whether this open created the mutex.

    ##
    # :method: unlink
    # :call-seq: unlink -> nil
    #
    # Removes the name; the mutex stays usable through every open handle.

    ##
    # :method: closed?
    # :call-seq: closed? -> true or false
    #
    # Whether #close has been called.

    ##
    # :method: close
    # :call-seq: close -> nil
    #
    # Ends this object's use of the mutex and any wait on it in another thread (which
    # raises ExistentialError). It never unlocks: a lock this thread holds stays held.
    # Later calls raise ExistentialError; a second close does nothing.

    # Opens the mutex +name+, or with +name+ nil makes one with a random unused name
    # (#name tells it). +flags+ (Pipc::Posix::O_CREAT, O_CREX) default to O_CREX without
    # a name and to 0 (open an existing one) with one; +mode+ applies when this call
    # creates it. +recover+: see #recover=.
    def initialize(name = nil, flags: nil.equal?(name) ? Posix::O_CREX : 0, mode: Lowlevel::DEFAULT_MODE,
                   recover: nil)
      super(name, flags, mode, recover)
      @mode = mode
    end

    # Removes the name +name+ of a mutex; processes that have it open keep it. Raises
    # ExistentialError when there is none.
    def self.unlink(name)
      Lowlevel.mutex_unlink_name(name)
    end
  end

  # A named condition variable that processes share, used with a Pipc::Mutex (pipc_cond
  # in C), in the shape of Ruby's ::ConditionVariable:
  #
  #   mutex.synchronize do
  #     cond.wait(mutex) until ready?
  #   end
  #   # elsewhere, in any process:
  #   mutex.synchronize { make_ready; cond.signal }
  #
  # Names and +flags+ as for Pipc::Mutex. Waits release the GVL; Thread#kill,
  # Thread#raise, Ctrl-C and #close from another thread end them, the mutex held again.
  class ConditionVariable < Lowlevel::ConditionVariable
    include Handle
    include Posix::Mode

    ##
    # :method: wait
    # :call-seq: wait(mutex, timeout = nil) -> true or false
    #
    # Releases +mutex+ (a Pipc::Mutex this thread holds), waits until signalled or
    # +timeout+ seconds pass, and takes +mutex+ again: true when woken, false when the
    # time ran out. Wakeups may be spurious (a signal handler that ran counts as one):
    # wait in a loop on a predicate. The mutex is held again when it returns and when it
    # raises, except for PermissionsError (this thread did not hold it), argument errors,
    # and the ExistentialError of a +mutex+ closed during the wait. When the mutex's owner
    # died meanwhile, the mutex's #recover runs, or OwnerDeadError is raised (the mutex
    # held).

    ##
    # :method: signal
    # :call-seq: signal -> self
    #
    # Wakes at least one waiter, in any process.

    ##
    # :method: broadcast
    # :call-seq: broadcast -> self
    #
    # Wakes every waiter.

    ##
    # :method: name
    # :call-seq: name -> String
    #
    # The name, as given or as chosen for +nil+.

    ##
    # :method: created?
    # :call-seq: created? -> true or false
    #
    # Whether this open created the condition variable.

    ##
    # :method: unlink
    # :call-seq: unlink -> nil
    #
    # Removes the name; open handles keep working.

    ##
    # :method: closed?
    # :call-seq: closed? -> true or false
    #
    # Whether #close has been called.

    ##
    # :method: close
    # :call-seq: close -> nil
    #
    # Ends this object's use of the condition variable and any wait on it in another
    # thread (which raises ExistentialError, the mutex held again). Later calls raise
    # ExistentialError; a second close does nothing.

    # Opens the condition variable +name+, or with +name+ nil makes one with a random
    # unused name; +flags+ and +mode+ as for Pipc::Mutex.new.
    def initialize(name = nil, flags: nil.equal?(name) ? Posix::O_CREX : 0, mode: Lowlevel::DEFAULT_MODE)
      super(name, flags, mode)
      @mode = mode
    end

    # Removes the name +name+ of a condition variable.
    def self.unlink(name)
      Lowlevel.cond_unlink_name(name)
    end
  end
end
