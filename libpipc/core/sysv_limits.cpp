#include "core/sysv_limits.hpp"

#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "core/error.hpp"
#include "core/huge_pages.hpp"
#include "core/sysv.hpp"

namespace pipc::core {
namespace {

constexpr char semget_call[] = "pipc_sysv_sem_open: semget";
constexpr char shmget_call[] = "pipc_sysv_shm_open: shmget";

// The limits of /proc/sys/kernel/sem with what is in use: SEM_INFO fills the limits
// as IPC_INFO does, semusz with the sets and semaem with the semaphores that exist.
struct sem_limits {
  seminfo info{};
  bool known = false;
  char text[96] = "/proc/sys/kernel/sem";  // the four limits, for messages

  sem_limits() noexcept {
    union {
      seminfo *buf;
    } arg{&info};
    known = ::semctl(0, 0, SEM_INFO, arg) >= 0;
    if (known) {
      std::snprintf(text, sizeof text,
                    "/proc/sys/kernel/sem: SEMMSL SEMMNS SEMOPM SEMMNI = %d %d %d %d",
                    info.semmsl, info.semmns, info.semopm, info.semmni);
    }
  }
};

}  // namespace

int semget_failed(int64_t key) noexcept {
  const int err = errno;
  const sysv_object_name object(key);
  const sem_limits limits;
  const seminfo &in = limits.info;
  if (err == EINVAL && limits.known && in.semmsl < 1) {
    return explained_fail(PIPC_ELIMIT, err, semget_call, object.c_str(),
                          "a set of 1 semaphore exceeds the limit per set SEMMSL (%d) (%s)",
                          in.semmsl, limits.text);
  }
  if (err == ENOSPC && limits.known && in.semusz >= in.semmni) {
    return explained_fail(PIPC_ELIMIT, err, semget_call, object.c_str(),
                          "the limit of semaphore sets SEMMNI (%d) is reached, with %d in use "
                          "(%s)", in.semmni, in.semusz, limits.text);
  }
  if (err == ENOSPC && limits.known && in.semaem >= in.semmns) {
    return explained_fail(PIPC_ELIMIT, err, semget_call, object.c_str(),
                          "the limit of semaphores SEMMNS (%d) is reached, with %d in use (%s)",
                          in.semmns, in.semaem, limits.text);
  }
  if (err == ENOSPC) {  // the usage changed since, or cannot be read
    return explained_fail(PIPC_ELIMIT, err, semget_call, object.c_str(),
                          "the limit of semaphore sets SEMMNI or of semaphores SEMMNS is "
                          "reached (%s)", limits.text);
  }
  errno = err;
  return sysv_key_fail(semget_call, key);
}

int semop_limit_failed(const char *function, const char *call, int64_t key, int id) noexcept {
  const int err = errno;
  const sem_limits limits;
  char what[160];
  std::snprintf(what, sizeof what, "%s: %s", function, call);
  return explained_fail(PIPC_ELIMIT, err, what, sysv_object_name(key, id).c_str(),
                        "one operation is more than the limit per call SEMOPM (%d) (%s)",
                        limits.info.semopm, limits.text);
}

int shmget_failed(int64_t key, uint64_t size, bool huge) noexcept {
  const int err = errno;
  const sysv_object_name object(key);
  if (err == ENOMEM && huge) {
    char pages[160];
    describe_huge_pages(read_huge_pages(), pages, sizeof pages);
    return explained_fail(PIPC_ENOMEM, err, shmget_call, object.c_str(),
                          "the segment's huge pages cannot be set aside (%s)", pages);
  }
  if (err != ENOSPC) return sysv_key_fail(shmget_call, key);
  shminfo limits{};
  shm_info usage{};
  if (::shmctl(0, IPC_INFO, reinterpret_cast<shmid_ds *>(&limits)) < 0 ||
      ::shmctl(0, SHM_INFO, reinterpret_cast<shmid_ds *>(&usage)) < 0) {
    return explained_fail(PIPC_ELIMIT, err, shmget_call, object.c_str(),
                          "the limit of segments /proc/sys/kernel/shmmni or of pages "
                          "/proc/sys/kernel/shmall is reached");
  }
  if (static_cast<unsigned long>(usage.used_ids) >= limits.shmmni) {
    return explained_fail(PIPC_ELIMIT, err, shmget_call, object.c_str(),
                          "the limit of segments /proc/sys/kernel/shmmni (%lu) is reached, with "
                          "%d in use", limits.shmmni, usage.used_ids);
  }
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return explained_fail(PIPC_ELIMIT, err, shmget_call, object.c_str(),
                        "the segment's %llu pages would pass the limit of pages "
                        "/proc/sys/kernel/shmall (%lu pages of %llu bytes), with %lu in use",
                        static_cast<unsigned long long>(size / page + (size % page != 0)),
                        limits.shmall, static_cast<unsigned long long>(page), usage.shm_tot);
}

}  // namespace pipc::core
