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

// The list entry of mutex M: the address of its __next field.
inline void *entry(pthread_mutex_t *m) { return &m->__data.__list.__next; }

// Tells the kernel that an operation on M is in progress, so that M is looked at
// if the thread dies before M is on (or after it left) the list.
inline void begin_op(list_head *head, pthread_mutex_t *m) {
  head->list_op_pending = entry(m);
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

// Links M, which the thread has just locked, at the head of its list (the head's
// own "node" is the word before it and the head's list pointer: glibc's
// robust_prev and robust_head.list).
inline void link(list_head *head, pthread_mutex_t *m) {
  node(head->list)->__prev = static_cast<__pthread_list_t *>(entry(m));
  m->__data.__list.__next = static_cast<__pthread_list_t *>(head->list);
  m->__data.__list.__prev = reinterpret_cast<__pthread_list_t *>(head);
  __atomic_signal_fence(__ATOMIC_SEQ_CST);  // the entry is whole before the kernel can see it
  head->list = entry(m);
}

// Unlinks M, which the thread is about to unlock.
inline void unlink(pthread_mutex_t *m) {
  node(m->__data.__list.__next)->__prev = m->__data.__list.__prev;
  node(m->__data.__list.__prev)->__next = m->__data.__list.__next;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);  // out of the list before its __next changes
  m->__data.__list.__prev = nullptr;
  m->__data.__list.__next = nullptr;
}

}  // namespace pipc::core::robust
