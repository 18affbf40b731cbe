#include "core/readers.hpp"

#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "core/tsan.hpp"

namespace pipc::core::readers {

__thread uint64_t thread_word PIPC_TLS_HOT = 0;

namespace {

// No membarrier: readers fence themselves. Under ThreadSanitizer, which models
// neither membarrier nor fences, always set: every section takes enter_slow, which
// pairs with synchronize through read-modify-writes of the thread's word instead
// (see read_word).
bool need_full_fence = false;
std::mutex registry_mutex;
std::vector<uint64_t *> *registry;  // words of live registered threads; never freed

bool register_membarrier() {
  return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

// The closer's half of the pairing: with membarrier, every running thread of the
// process passes a full barrier (the process registered at load, so the call
// cannot fail); without it, the readers fenced themselves.
void heavy_barrier() {
#if !PIPC_TSAN
  if (need_full_fence) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  } else {
    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
  }
#endif
}

// The closer's look at a reader's word, after heavy_barrier. Under ThreadSanitizer
// a read-modify-write (that changes nothing): it and the exchange with which
// enter_slow opens a section are in one modification order of the word, so either
// it reads the section open (and synchronize waits for its release-store leave),
// or the section's exchange reads after it, synchronizes with it, and the
// section's look-up sees what the closer did before (the emptied slot).
uint64_t read_word(uint64_t *word) {
#if PIPC_TSAN
  return __atomic_fetch_or(word, 0, __ATOMIC_SEQ_CST);
#else
  return __atomic_load_n(word, __ATOMIC_ACQUIRE);
#endif
}

// Removes the thread's word from the registry when the thread exits.
struct unregister_at_exit {
  ~unregister_at_exit() {
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry->erase(std::remove(registry->begin(), registry->end(), &thread_word),
                    registry->end());
  }
};
thread_local unregister_at_exit unregisterer;

void before_fork() { registry_mutex.lock(); }
void after_fork_parent() { registry_mutex.unlock(); }

// Only the forking thread lives on in the child: forget the others, whose words
// would otherwise look busy forever.
void after_fork_child() {
  registry->erase(std::remove_if(registry->begin(), registry->end(),
                                 [](uint64_t *word) { return word != &thread_word; }),
                  registry->end());
  if (!need_full_fence && !register_membarrier()) {
    need_full_fence = true;
    __atomic_store_n(&thread_word, thread_word | fence_bit, __ATOMIC_RELAXED);
  }
  registry_mutex.unlock();
}

__attribute__((constructor)) void init_readers() {
  registry = new std::vector<uint64_t *>();
  need_full_fence = PIPC_TSAN || !register_membarrier();
  pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

// Waits for the section of WORD that was open when SEEN was read to end.
void wait_for_section(const uint64_t *word, uint64_t seen) {
  for (;;) {
    const uint64_t now = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    if ((now & depth_mask) == 0 || (now & generation_mask) != (seen & generation_mask)) return;
    sched_yield();
  }
}

}  // namespace

uint64_t enter_slow() {
  uint64_t word = __atomic_load_n(&thread_word, __ATOMIC_RELAXED);
  if (!(word & registered_bit)) {
    (void)&unregisterer;  // odr-use: constructs the exit hook for this thread
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry->push_back(&thread_word);
    word = registered_bit | (need_full_fence ? fence_bit : 0);
  }
#if PIPC_TSAN
  __atomic_exchange_n(&thread_word, word + 1, __ATOMIC_SEQ_CST);  // see read_word
#else
  __atomic_store_n(&thread_word, word + 1, __ATOMIC_RELAXED);
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
  // A nested section (a signal handler interrupting a call) restores the outer
  // one's word; only outermost sections count as generations.
  return (word & depth_mask) == 0 ? word + one_generation : word;
}

void synchronize() {
  std::lock_guard<std::mutex> lock(registry_mutex);
  const bool alone = registry->empty() || (registry->size() == 1 && (*registry)[0] == &thread_word);
  if (alone) return;
  heavy_barrier();
  for (uint64_t *word : *registry) {
    if (word == &thread_word) continue;
    const uint64_t seen = read_word(word);
    if ((seen & depth_mask) != 0) wait_for_section(word, seen);
  }
}

}  // namespace pipc::core::readers
