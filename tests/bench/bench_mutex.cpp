// Robust mutex cases: uncontended lock+unlock, and a two-process hand-off through
// a mutex and condition variables, each against the same pthread objects used raw
// (process-shared, robust, error-checking, in shared memory).
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <new>

#include "bench.hpp"
#include "pipc.h"

namespace pipc_bench {
namespace {

// What the raw side uses, in anonymous shared memory.
struct raw_objects {
  pthread_mutex_t mutex;
  pthread_cond_t to_child, to_parent;
  int turn;  // 1: the child's, 0: the parent's
};

raw_objects *make_raw() {
  void *a = mmap(nullptr, sizeof(raw_objects), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                 -1, 0);
  if (a == MAP_FAILED) die("mmap");
  auto *r = new (a) raw_objects();
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
  pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_init(&r->mutex, &ma);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&r->to_child, &ca);
  pthread_cond_init(&r->to_parent, &ca);
  return r;
}

void bench_uncontended(raw_objects *raw, pipc_mutex *m) {
  const long batch = 1000;
  report("mutex lock+unlock", [&] {
    for (long i = 0; i < batch; ++i) {
      pthread_mutex_lock(&raw->mutex);
      pthread_mutex_unlock(&raw->mutex);
    }
  }, [&] {
    for (long i = 0; i < batch; ++i) {
      pipc_mutex_lock(m, PIPC_FOREVER);
      pipc_mutex_unlock(m);
    }
  }, batch);
}

// A child that hands the turn back each time it gets it, until killed.
pid_t raw_answerer(raw_objects *r) {
  const pid_t child = fork();
  if (child != 0) return child;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  pthread_mutex_lock(&r->mutex);
  for (;;) {
    while (r->turn != 1) pthread_cond_wait(&r->to_child, &r->mutex);
    r->turn = 0;
    pthread_cond_signal(&r->to_parent);
  }
}

pid_t pipc_answerer(pipc_mutex *m, pipc_cond *to_child, pipc_cond *to_parent, int *turn) {
  const pid_t child = fork();
  if (child != 0) return child;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  pipc_mutex_lock(m, PIPC_FOREVER);
  for (;;) {
    while (*turn != 1) pipc_cond_wait(to_child, m, PIPC_FOREVER);
    *turn = 0;
    pipc_cond_signal(to_parent);
  }
}

void bench_hand_off(raw_objects *raw, pipc_mutex *m) {
  const long batch = 200;
  pipc_cond *to_child = nullptr, *to_parent = nullptr;
  check(pipc_cond_open(&to_child, nullptr, nullptr), "pipc_cond_open");
  check(pipc_cond_open(&to_parent, nullptr, nullptr), "pipc_cond_open");
  pipc_cond_unlink(to_child);
  pipc_cond_unlink(to_parent);
  int *turn = &(new (mmap(nullptr, sizeof(raw_objects), PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0)) raw_objects())->turn;
  const pid_t raw_child = raw_answerer(raw);
  const pid_t pipc_child = pipc_answerer(m, to_child, to_parent, turn);
  report("mutex+cond hand-off, 2 processes", [&] {
    pthread_mutex_lock(&raw->mutex);
    for (long i = 0; i < batch; ++i) {
      raw->turn = 1;
      pthread_cond_signal(&raw->to_child);
      while (raw->turn != 0) pthread_cond_wait(&raw->to_parent, &raw->mutex);
    }
    pthread_mutex_unlock(&raw->mutex);
  }, [&] {
    pipc_mutex_lock(m, PIPC_FOREVER);
    for (long i = 0; i < batch; ++i) {
      *turn = 1;
      pipc_cond_signal(to_child);
      while (*turn != 0) pipc_cond_wait(to_parent, m, PIPC_FOREVER);
    }
    pipc_mutex_unlock(m);
  }, batch);
  kill(raw_child, SIGKILL);
  kill(pipc_child, SIGKILL);
  waitpid(raw_child, nullptr, 0);
  waitpid(pipc_child, nullptr, 0);
  pipc_cond_close(to_child);
  pipc_cond_close(to_parent);
}

}  // namespace

void bench_mutex() {
  raw_objects *raw = make_raw();
  pipc_mutex *m = nullptr;
  check(pipc_mutex_open(&m, nullptr, nullptr), "pipc_mutex_open");
  pipc_mutex_unlink(m);
  bench_uncontended(raw, m);
  bench_hand_off(raw, m);
  pipc_mutex_close(m);
}

}  // namespace pipc_bench
