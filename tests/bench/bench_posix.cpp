// POSIX cases: semaphore pair, queue send+receive, shared memory cycle,
// two-process ping-pong.
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "bench.hpp"
#include "pipc.h"

namespace pipc_bench {
namespace {

void bench_semaphore() {
  const long batch = 1000;
  const std::string raw_name = bench_name("rawsem");
  sem_t *raw = sem_open(raw_name.c_str(), O_CREAT | O_EXCL, 0600, 0);
  if (raw == SEM_FAILED) die("sem_open");
  sem_unlink(raw_name.c_str());
  pipc_sem_options opts = PIPC_SEM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  pipc_sem *sem = nullptr;
  check(pipc_sem_open(&sem, nullptr, &opts), "pipc_sem_open");
  pipc_sem_unlink(sem);
  report("sem release+acquire", [&] {
    for (long i = 0; i < batch; ++i) {
      sem_post(raw);
      sem_wait(raw);
    }
  }, [&] {
    for (long i = 0; i < batch; ++i) {
      pipc_sem_release(sem);
      pipc_sem_acquire(sem, PIPC_FOREVER);
    }
  }, batch);
  sem_close(raw);
  pipc_sem_close(sem);
}

void bench_queue(const char *name, size_t message_size) {
  const long batch = 100;
  std::vector<char> message(message_size, 'm'), buffer(8192);
  mq_attr attr{};
  attr.mq_maxmsg = 10;
  attr.mq_msgsize = 8192;
  const std::string raw_name = bench_name("rawmq");
  const mqd_t raw = mq_open(raw_name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
  if (raw == -1) die("mq_open");
  mq_unlink(raw_name.c_str());
  pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  opts.max_messages = 10;
  opts.max_message_size = 8192;
  pipc_mq *mq = nullptr;
  check(pipc_mq_open(&mq, nullptr, &opts), "pipc_mq_open");
  pipc_mq_unlink(mq);
  report(name, [&] {
    unsigned priority;
    for (long i = 0; i < batch; ++i) {
      mq_send(raw, message.data(), message.size(), 1);
      mq_receive(raw, buffer.data(), buffer.size(), &priority);
    }
  }, [&] {
    size_t len;
    unsigned priority;
    for (long i = 0; i < batch; ++i) {
      pipc_mq_send(mq, message.data(), message.size(), 1, PIPC_FOREVER);
      pipc_mq_receive(&len, &priority, mq, buffer.data(), buffer.size(), PIPC_FOREVER);
    }
  }, batch);
  mq_close(raw);
  pipc_mq_close(mq);
}

void bench_shared_memory() {
  const long batch = 20;
  const std::string raw_name = bench_name("rawshm");
  const std::string pipc_name = bench_name("pipcshm");
  pipc_shm_options opts = PIPC_SHM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  opts.size = 4096;
  report("shm 4 KiB open..unlink cycle", [&] {
    for (long i = 0; i < batch; ++i) {
      const int fd = shm_open(raw_name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
      if (fd < 0 || ftruncate(fd, 4096) != 0) die("shm_open/ftruncate");
      void *addr = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (addr == MAP_FAILED) die("mmap");
      munmap(addr, 4096);
      close(fd);
      shm_unlink(raw_name.c_str());
    }
  }, [&] {
    for (long i = 0; i < batch; ++i) {
      pipc_shm *shm = nullptr;
      void *addr = nullptr;
      check(pipc_shm_open(&shm, pipc_name.c_str(), &opts), "pipc_shm_open");
      check(pipc_shm_map(&addr, shm, 0, 4096, 0), "pipc_shm_map");
      pipc_shm_unmap(shm, addr);
      pipc_shm_close(shm);
      pipc_shm_unlink_name(pipc_name.c_str());
    }
  }, batch);
}

// Two processes bounce a token through two semaphores; one round trip is an operation.
void bench_ping_pong() {
  const long batch = 200;
  const std::string a_name = bench_name("pinga"), b_name = bench_name("pingb");
  sem_t *raw_a = sem_open(a_name.c_str(), O_CREAT | O_EXCL, 0600, 0);
  sem_t *raw_b = sem_open(b_name.c_str(), O_CREAT | O_EXCL, 0600, 0);
  if (raw_a == SEM_FAILED || raw_b == SEM_FAILED) die("sem_open");
  sem_unlink(a_name.c_str());
  sem_unlink(b_name.c_str());
  pipc_sem_options opts = PIPC_SEM_OPTIONS_INIT;
  opts.flags = PIPC_CREX;
  pipc_sem *a = nullptr, *b = nullptr;
  check(pipc_sem_open(&a, nullptr, &opts), "pipc_sem_open");
  check(pipc_sem_open(&b, nullptr, &opts), "pipc_sem_open");
  pipc_sem_unlink(a);
  pipc_sem_unlink(b);
  // One child answers raw pings, another pipc pings, until killed (also when
  // this process dies first).
  const pid_t raw_child = fork();
  if (raw_child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;) {
      sem_wait(raw_a);
      sem_post(raw_b);
    }
  }
  const pid_t pipc_child = fork();
  if (pipc_child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;) {
      pipc_sem_acquire(a, PIPC_FOREVER);
      pipc_sem_release(b);
    }
  }
  report("sem ping-pong, 2 processes", [&] {
    for (long i = 0; i < batch; ++i) {
      sem_post(raw_a);
      sem_wait(raw_b);
    }
  }, [&] {
    for (long i = 0; i < batch; ++i) {
      pipc_sem_release(a);
      pipc_sem_acquire(b, PIPC_FOREVER);
    }
  }, batch);
  kill(raw_child, SIGKILL);
  kill(pipc_child, SIGKILL);
  waitpid(raw_child, nullptr, 0);
  waitpid(pipc_child, nullptr, 0);
  sem_close(raw_a);
  sem_close(raw_b);
  pipc_sem_close(a);
  pipc_sem_close(b);
}

}  // namespace

void bench_posix() {
  bench_semaphore();
  bench_queue("mq send+receive 16 B", 16);
  bench_queue("mq send+receive 8 KiB", 8192);
  bench_shared_memory();
  bench_ping_pong();
}

}  // namespace pipc_bench
