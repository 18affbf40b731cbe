// System V cases against the raw system calls: semop pair, msgsnd+msgrcv,
// shmget..IPC_RMID cycle.
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <cstring>
#include <vector>

#include "bench.hpp"
#include "pipc.h"

namespace pipc_bench {
namespace {

void bench_semaphore() {
  const long batch = 1000;
  const int raw = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  if (raw < 0) die("semget");
  pipc_sysv_sem *sem = nullptr;
  check(pipc_sysv_sem_open(&sem, PIPC_IPC_PRIVATE, nullptr), "pipc_sysv_sem_open");
  sembuf up{0, 1, 0}, down{0, -1, 0};
  report("sysv sem release+acquire", [&] {
    for (long i = 0; i < batch; ++i) {
      semop(raw, &up, 1);
      semop(raw, &down, 1);
    }
  }, [&] {
    for (long i = 0; i < batch; ++i) {
      pipc_sysv_sem_release(sem, 1);
      pipc_sysv_sem_acquire(sem, 1, PIPC_FOREVER);
    }
  }, batch);
  semctl(raw, 0, IPC_RMID);
  pipc_sysv_sem_remove(sem);
  pipc_sysv_sem_close(sem);
}

// The raw side sends from and receives into buffers laid out as the kernel
// wants them (type first), as a program using msgsnd directly would.
struct raw_message {
  long type;
  char text[8192];
};

void bench_queue(const char *name, size_t message_size) {
  const long batch = 100;
  const int raw = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  if (raw < 0) die("msgget");
  pipc_sysv_mq *mq = nullptr;
  check(pipc_sysv_mq_open(&mq, PIPC_IPC_PRIVATE, nullptr), "pipc_sysv_mq_open");
  raw_message out{1, {}}, in{};
  std::memset(out.text, 'm', message_size);
  std::vector<char> message(message_size, 'm'), buffer(8192);
  report(name, [&] {
    for (long i = 0; i < batch; ++i) {
      msgsnd(raw, &out, message_size, 0);
      msgrcv(raw, &in, sizeof in.text, 0, 0);
    }
  }, [&] {
    size_t len;
    int64_t type;
    for (long i = 0; i < batch; ++i) {
      pipc_sysv_mq_send(mq, message.data(), message.size(), 1, PIPC_FOREVER);
      pipc_sysv_mq_receive(&len, &type, mq, buffer.data(), buffer.size(), 0, 0, PIPC_FOREVER);
    }
  }, batch);
  msgctl(raw, IPC_RMID, nullptr);
  pipc_sysv_mq_remove(mq);
  pipc_sysv_mq_close(mq);
}

void bench_shared_memory() {
  const long batch = 20;
  pipc_sysv_shm_options opts = PIPC_SYSV_SHM_OPTIONS_INIT;
  opts.size = 4096;
  report("sysv shm 4 KiB get..IPC_RMID cycle", [&] {
    for (long i = 0; i < batch; ++i) {
      const int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
      if (id < 0) die("shmget");
      void *addr = shmat(id, nullptr, 0);
      if (addr == reinterpret_cast<void *>(-1)) die("shmat");
      shmdt(addr);
      shmctl(id, IPC_RMID, nullptr);
    }
  }, [&] {
    for (long i = 0; i < batch; ++i) {
      pipc_sysv_shm *shm = nullptr;
      check(pipc_sysv_shm_open(&shm, PIPC_IPC_PRIVATE, &opts), "pipc_sysv_shm_open");
      check(pipc_sysv_shm_attach(shm, nullptr, 0), "pipc_sysv_shm_attach");
      pipc_sysv_shm_detach(shm);
      pipc_sysv_shm_remove(shm);
      pipc_sysv_shm_close(shm);
    }
  }, batch);
}

}  // namespace

void bench_sysv() {
  bench_semaphore();
  bench_queue("sysv msgsnd+msgrcv 16 B", 16);
  bench_queue("sysv msgsnd+msgrcv 8 KiB", 8192);
  bench_shared_memory();
}

}  // namespace pipc_bench
