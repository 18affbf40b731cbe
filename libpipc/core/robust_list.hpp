// The calling thread's robust futex list (set_robust_list(2); the kernel ABI in
// linux/futex.h), which glibc registers for every thread and on which it links the
// robust mutexes the thread holds. When a thread dies, the kernel walks the list
// and marks each mutex still locked by it FUTEX_OWNER_DIED, waking a waiter.
//
// libpipc locks its robust mutexes itself (robust_mutex_ops.hpp), on glibc's
// pthread_mutex_t layout and linking them into this same list exactly as glibc
// does (nptl's ENQUEUE_MUTEX / DEQUEUE_MUTEX on 64-bit targets: a doubly linked
// list whose pointers all point at the entries' __next fields, the head's
// "previous" pointer being the word before the head). Its own mutexes and glibc's
// therefore share one list in any mix. usable() checks that layout against glibc's
// own pthread_mutex_lock once per process; where it does not hold, libpipc refuses
// to open robust mutexes rather than corrupt the list.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <cstdint>

#include "core/tls.hpp"

namespace pipc::core::robust {

#if !defined(__PTHREAD_MUTEX_HAVE_PREV) || __PTHREAD_MUTEX_HAVE_PREV != 1
#error "libpipc's robust mutexes need glibc's doubly linked robust list (64-bit targets)"
#endif

// struct robust_list_head of linux/futex.h.
struct list_head {
  void *list;
  long futex_offset;
  void *list_op_pending;
};

// What a thread needs to lock: its kernel thread id and its list head. Cached per
// thread (tid 0: not yet, or a forked child's stale copy).
struct thread_state {
  int tid;
  list_head *head;
};
extern __thread thread_state self PIPC_TLS_HOT;

// Whether libpipc can lock robust mutexes in this process (see above). Once.
bool usable() noexcept;

// The calling thread's state, filled on its first use; nullptr when the thread has
// no robust list the kernel knows of.
thread_state *current_slow() noexcept __attribute__((noinline));
inline thread_state *current() noexcept {
  return __builtin_expect(self.tid != 0, 1) ? &self : current_slow();
}

// A list entry's two links; the entry pointer is the address of `next`, and the
// lock word lies futex_offset bytes from it (32 before it, checked by usable()).
struct links {
  void **prev;
  void **next;
};

inline links links_of(pthread_mutex_t *m) {
  return {reinterpret_cast<void **>(&m->__data.__list.__prev),
          reinterpret_cast<void **>(&m->__data.__list.__next)};
}

// Records and returns PIPC_ENOTSUP for FUNCTION, called on a thread without a robust
// list (current() gave nullptr).
int none_for(const char *function) noexcept __attribute__((cold));

// The list entry of mutex M: the address of its __next field.
inline void *entry(pthread_mutex_t *m) { return &m->__data.__list.__next; }

// Tells the kernel that an operation on the lock word of list entry ENTRY is in
// progress, so that the word is looked at if the thread dies before the entry is on
// (or after it left) the list.
inline void begin_op(list_head *head, void *entry) {
  head->list_op_pending = entry;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

inline void end_op(list_head *head) {
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  head->list_op_pending = nullptr;
}

// The list node an entry pointer E points into (E points at the node's __next;
// bit 0 marks priority-inheritance mutexes, which libpipc does not make).
inline __pthread_list_t *node(void *e) {
  return reinterpret_cast<__pthread_list_t *>((reinterpret_cast<uintptr_t>(e) & ~uintptr_t{1}) -
                                              offsetof(__pthread_list_t, __next));
}

// Links the entry L, whose lock the thread has just taken, at the head of its list
// (the head's own "node" is the word before it and the head's list pointer: glibc's
// robust_prev and robust_head.list).
inline void link(list_head *head, links l) {
  node(head->list)->__prev = reinterpret_cast<__pthread_list_t *>(l.next);
  *l.next = head->list;
  *l.prev = head;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);  // the entry is whole before the kernel can see it
  head->list = l.next;
}

// Unlinks the entry L, whose lock the thread is about to give up.
inline void unlink(links l) {
  node(*l.next)->__prev = static_cast<__pthread_list_t *>(*l.prev);
  node(*l.prev)->__next = static_cast<__pthread_list_t *>(*l.next);
  __atomic_signal_fence(__ATOMIC_SEQ_CST);  // out of the list before its __next changes
  *l.prev = nullptr;
  *l.next = nullptr;
}

}  // namespace pipc::core::robust
