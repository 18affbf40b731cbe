#include "core/robust_list.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include "core/error.hpp"

namespace pipc::core::robust {
namespace {

list_head *kernel_list_head() {
  list_head *head = nullptr;
  size_t length = 0;
  if (syscall(SYS_get_robust_list, 0, &head, &length) != 0 || length != sizeof(list_head)) {
    return nullptr;
  }
  return head;
}

// In a new thread, whose list is empty: lets glibc lock and unlock a robust mutex
// and checks that it used the thread's registered list as link() and unlink() do.
void *check_layout(void *result) {
  list_head *head = kernel_list_head();
  pthread_mutex_t m;
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  const bool made = pthread_mutex_init(&m, &attr) == 0;
  pthread_mutexattr_destroy(&attr);
  bool known = made && head != nullptr && head->list == head &&
               head->futex_offset == static_cast<long>(offsetof(pthread_mutex_t, __data.__lock)) -
                                         static_cast<long>(offsetof(pthread_mutex_t, __data.__list.__next));
  if (known && pthread_mutex_lock(&m) == 0) {
    known = head->list == entry(&m) && m.__data.__list.__prev == reinterpret_cast<void *>(head) &&
            m.__data.__list.__next == reinterpret_cast<void *>(head) &&
            node(head)->__prev == entry(&m) && m.__data.__lock == syscall(SYS_gettid);
    pthread_mutex_unlock(&m);
    known = known && head->list == head && head->list_op_pending == nullptr;
  } else {
    known = false;
  }
  if (made) pthread_mutex_destroy(&m);
  *static_cast<bool *>(result) = known;
  return nullptr;
}

bool probe() {
  bool known = false;
  pthread_t thread;
  if (pthread_create(&thread, nullptr, check_layout, &known) != 0) return false;
  pthread_join(thread, nullptr);
  return known;
}

// A forked child's thread has another id: its copy of the state must not be used.
__attribute__((constructor)) void register_fork_handler() {
  pthread_atfork(nullptr, nullptr, [] { self.tid = 0; });
}

}  // namespace

__thread thread_state self PIPC_TLS_HOT;  // zero-initialised

bool usable() noexcept {
  static const bool known = probe();
  return known;
}

int none_for(const char *function) noexcept {
  return fail(PIPC_ENOTSUP, ENOTSUP,
              "%s: the calling thread has no robust list registered with the kernel", function);
}

thread_state *current_slow() noexcept {
  list_head *head = kernel_list_head();
  if (head == nullptr) return nullptr;
  self.head = head;
  self.tid = static_cast<int>(syscall(SYS_gettid));
  return &self;
}

}  // namespace pipc::core::robust
