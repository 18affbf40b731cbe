#include "core/glibc_sem.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pipc::core::glibc_sem {
namespace {

constexpr int glibc_futex_shared = 128;  // what sem_init and sem_open store in private_flag

// glibc's own operations on a process-shared probe must show the words where
// this file expects them, and this file's operations must read back through glibc.
bool check_layout() {
  sem_t probe;
  if (sem_init(&probe, 1, 3) != 0) return false;
  layout *l = of(&probe);
  int v = -1;
  const bool known = l->data.load() == 3 && l->private_flag == glibc_futex_shared &&
                     sem_post(&probe) == 0 && l->data.load() == 4 &&
                     sem_trywait(&probe) == 0 && l->data.load() == 3 && try_acquire(l) &&
                     release(l) && release(l) && sem_getvalue(&probe, &v) == 0 && v == 4;
  sem_destroy(&probe);
  return known;
}

}  // namespace

void wake(layout *sem, int count) noexcept {
  // Named semaphores are shared between processes: no FUTEX_PRIVATE_FLAG.
  syscall(SYS_futex, value_word(sem), FUTEX_WAKE, count, nullptr, nullptr, 0);
}

bool layout_is_known() noexcept {
  static const bool known = check_layout();
  return known;
}

}  // namespace pipc::core::glibc_sem
