#include "core/sysv_shm.hpp"

#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include "core/error.hpp"
#include "core/huge_pages.hpp"
#include "core/sysv_limits.hpp"

namespace pipc::core {

sysv_shm::~sysv_shm() {
  // The last pin is gone: no call uses the attachment any more.
  if (void *attached = address.load(std::memory_order_relaxed)) shmdt(attached);
}

namespace {

void *const shmat_failed = reinterpret_cast<void *>(-1);

// Why the huge pages of the segment OBJECT (SIZE bytes) cannot be had, for the
// fill's OS call CALL that failed with ERR.
int huge_pages_missing(int err, const char *call, const sysv_object_name &object, size_t size) {
  const huge_pages pages = read_huge_pages();
  const long long needed = huge_pages_for(pages, size);
  char counts[160];
  describe_huge_pages(pages, counts, sizeof counts);
  return explained_fail(PIPC_ELIMIT, err, call, object.c_str(),
                        "the segment's %zu bytes need %lld huge page%s, which the system does not "
                        "have (%s); the segment is removed",
                        size, needed, needed == 1 ? "" : "s", counts);
}

// Makes every page of the attachment ADDR (SIZE bytes) present and writable before the
// fill writes it. shmget sets no huge pages aside for a SHM_HUGETLB | SHM_NORESERVE
// segment: a write to one the system does not have kills the writer with SIGBUS, where
// MADV_POPULATE_WRITE (Linux 5.14) fails instead. Kernels before it refuse the advice
// (EINVAL); there /proc/meminfo must show enough huge pages free (a process taking them
// meanwhile can still make the fill fault: only the advice is safe).
int populate(void *addr, size_t size, uint32_t flags, const sysv_object_name &object) {
  static const char call[] = "pipc_sysv_shm_open: madvise(MADV_POPULATE_WRITE)";
  if (madvise(addr, size, MADV_POPULATE_WRITE) == 0) return PIPC_OK;
  const int err = errno;
  const bool huge = flags & PIPC_SHM_HUGETLB;
  if (err == EINVAL) {
    const bool unreserved = huge && (flags & PIPC_SHM_NORESERVE);
    if (!unreserved || huge_pages_free_for(read_huge_pages(), size)) return PIPC_OK;
    return huge_pages_missing(ENOMEM, "pipc_sysv_shm_open: fill", object, size);
  }
  if (huge) return huge_pages_missing(err, call, object, size);
  errno = err;
  return os_fail(call, object.c_str());
}

// A new segment is filled through a temporary attachment.
int fill(int id, int64_t key, const pipc_sysv_shm_options &opts, size_t size) {
  const sysv_object_name object(key, id);
  void *addr = shmat(id, nullptr, 0);
  if (addr == shmat_failed) return sysv_id_fail("pipc_sysv_shm_open", "shmat (to fill)", id);
  const int rc = populate(addr, size, opts.flags, object);
  if (rc == PIPC_OK) std::memset(addr, static_cast<int>(opts.fill_byte), size);
  shmdt(addr);
  return rc;
}

int segment_size(int id, uint64_t *size_out) {
  shmid_ds ds{};
  if (shmctl(id, IPC_STAT, &ds) != 0) return sysv_id_fail("pipc_sysv_shm_open", "shmctl(IPC_STAT)", id);
  *size_out = ds.shm_segsz;
  return PIPC_OK;
}

// Makes the handle when RC is PIPC_OK (see adopt_sysv); on any failure a segment
// this open created is removed again.
int make_handle(pipc_sysv_shm **out, int id, int64_t key, bool created, uint64_t size, int rc,
                const char *function) {
  const auto remove = [](int removed) { shmctl(removed, IPC_RMID, nullptr); };
  if (rc != PIPC_OK) {
    if (created) remove(id);
    return rc;
  }
  return adopt_sysv(out, new (std::nothrow) sysv_shm(id, key, created, size), id, created,
                    function, nothing_to_set_up, remove);
}

// shmget opening an existing segment (no IPC_CREAT) fails with EINVAL only when
// the segment is smaller than the size asked for.
int open_failed(const sysv_open_result &r, bool opening_existing, uint64_t size, uint32_t flags) {
  errno = r.err;
  if (r.err == EINVAL && opening_existing) {
    return fail(PIPC_EINVAL, EINVAL,
                "pipc_sysv_shm_open: the segment with key 0x%08x is smaller than the %llu bytes "
                "asked for",
                static_cast<unsigned>(r.key), static_cast<unsigned long long>(size));
  }
  if (r.err == EINVAL && size > sysv_shm_max()) {
    return out_of_range("pipc_sysv_shm_open: size %llu exceeds %llu (/proc/sys/kernel/shmmax)",
                        static_cast<unsigned long long>(size),
                        static_cast<unsigned long long>(sysv_shm_max()));
  }
  return shmget_failed(r.key, size, flags & PIPC_SHM_HUGETLB);
}

int os_attach_flags(uint32_t flags) {
  int os = 0;
  if (flags & PIPC_SHM_ATTACH_READ_ONLY) os |= SHM_RDONLY;
  if (flags & PIPC_SHM_ATTACH_ROUND) os |= SHM_RND;
  if (flags & PIPC_SHM_ATTACH_REMAP) os |= SHM_REMAP;
  if (flags & PIPC_SHM_ATTACH_EXEC) os |= SHM_EXEC;
  return os;
}

// shmat's EINVAL means a bad id (the segment is gone) or a bad address: only the
// segment's existence tells them apart.
int attach_failed(const sysv_shm &shm, const void *address) {
  const int err = errno;
  shmid_ds ds{};
  if (err == EINVAL && shmctl(shm.id, IPC_STAT, &ds) == 0) {
    return fail(PIPC_EINVAL, EINVAL,
                "pipc_sysv_shm_attach: address %p is not usable for segment id %d (not a "
                "multiple of SHMLBA without PIPC_SHM_ATTACH_ROUND, or in use without "
                "PIPC_SHM_ATTACH_REMAP)",
                address, shm.id);
  }
  errno = err;
  return sysv_fail("pipc_sysv_shm_attach", "shmat", shm);
}

// Takes the attachment away from reads and writes and waits for those in flight;
// returns it (still mapped).
void *withdraw(sysv_shm &shm) {
  void *old = shm.address.exchange(nullptr, std::memory_order_acq_rel);
  if (old != nullptr) readers::synchronize();
  return old;
}

}  // namespace

uint64_t sysv_shm_max() {
  std::FILE *file = std::fopen("/proc/sys/kernel/shmmax", "re");
  if (file == nullptr) return UINT64_MAX;  // the kernel still checks
  unsigned long long value = UINT64_MAX;
  if (std::fscanf(file, "%llu", &value) != 1) value = UINT64_MAX;
  std::fclose(file);
  return value;
}

int sysv_shm_open(pipc_sysv_shm **out, int64_t key, const pipc_sysv_shm_options &opts) {
  const size_t new_size =
      opts.size != 0 ? static_cast<size_t>(opts.size) : static_cast<size_t>(sysconf(_SC_PAGESIZE));
  int shm_flags = static_cast<int>(opts.mode);
  if (opts.flags & PIPC_SHM_HUGETLB) shm_flags |= SHM_HUGETLB;
  if (opts.flags & PIPC_SHM_NORESERVE) shm_flags |= SHM_NORESERVE;
  bool opening_existing = false;  // what the last shmget tried
  const sysv_open_result r = sysv_open(key, opts.flags, [&](key_t k, int ipc_flags) {
    opening_existing = ipc_flags == 0;
    // An existing segment is asked to be at least opts.size (0: any size).
    const size_t size = opening_existing ? static_cast<size_t>(opts.size) : new_size;
    return shmget(k, size, ipc_flags | shm_flags);
  });
  if (r.id < 0) return open_failed(r, opening_existing, new_size, opts.flags);
  uint64_t size = new_size;
  int rc = PIPC_OK;
  if (!r.created) {
    rc = segment_size(r.id, &size);
  } else if (opts.fill_byte != 0) {
    rc = fill(r.id, r.key, opts, new_size);
  }
  return make_handle(out, r.id, r.key, r.created, size, rc, "pipc_sysv_shm_open");
}

int sysv_shm_open_id(pipc_sysv_shm **out, int id) {
  shmid_ds ds{};
  if (shmctl(id, IPC_STAT, &ds) != 0) {
    return sysv_id_fail("pipc_sysv_shm_open_id", "shmctl(IPC_STAT)", id);
  }
  return make_handle(out, id, ds.shm_perm.__key, false, ds.shm_segsz, PIPC_OK,
                     "pipc_sysv_shm_open_id");
}

int sysv_shm_dup(pipc_sysv_shm **out, const sysv_shm &shm) {
  return make_handle(out, shm.id, shm.key, false, shm.size, PIPC_OK, "pipc_sysv_shm_dup");
}

int sysv_shm_attach(pinned<sysv_shm> shm, void *address, uint32_t flags) noexcept {
  const bool read_only = flags & PIPC_SHM_ATTACH_READ_ONLY;
  std::lock_guard<std::mutex> guard(shm->attach_lock);
  // SHM_REMAP may map over the current attachment at once, under a write in
  // flight: take it away from reads and writes first.
  void *const old = (flags & PIPC_SHM_ATTACH_REMAP)
                        ? withdraw(*shm)
                        : shm->address.load(std::memory_order_relaxed);
  void *const fresh = shmat(shm->id, address, os_attach_flags(flags));
  if (fresh == shmat_failed) {
    const int rc = attach_failed(*shm, address);
    shm->address.store(old, std::memory_order_release);  // as it was
    return rc;
  }
  // A write that sees the new address must see that it is read-only; a write
  // that sees "read-write" after a read-only attachment must see the new address,
  // which waiting for the calls in flight before clearing the flag ensures.
  if (read_only) shm->read_only.store(true, std::memory_order_release);
  shm->address.store(fresh, std::memory_order_release);
  if (old == nullptr) return PIPC_OK;
  readers::synchronize();
  shm->read_only.store(read_only, std::memory_order_release);
  if (old != fresh) shmdt(old);  // equal: SHM_REMAP replaced it in place
  return PIPC_OK;
}

int sysv_shm_detach(pinned<sysv_shm> shm) noexcept {
  std::lock_guard<std::mutex> guard(shm->attach_lock);
  void *const old = withdraw(*shm);
  if (old == nullptr) return sysv_shm_not_attached(*shm, "pipc_sysv_shm_detach");
  shm->read_only.store(false, std::memory_order_release);
  if (shmdt(old) != 0) return os_fail("pipc_sysv_shm_detach: shmdt", nullptr);
  return PIPC_OK;
}

int sysv_shm_stat(pipc_sysv_shm_stat &out, const sysv_shm &shm) noexcept {
  shmid_ds ds{};
  if (shmctl(shm.id, IPC_STAT, &ds) != 0) {
    return sysv_fail("pipc_sysv_shm_stat_get", "shmctl(IPC_STAT)", shm);
  }
  fill_perm(out.perm, ds.shm_perm);
  out.size = ds.shm_segsz;
  out.attach_count = ds.shm_nattch;
  out.atime = ds.shm_atime;
  out.dtime = ds.shm_dtime;
  out.ctime = ds.shm_ctime;
  out.creator_pid = ds.shm_cpid;
  out.last_pid = ds.shm_lpid;
  return PIPC_OK;
}

int sysv_shm_set_perm(const sysv_shm &shm, int64_t uid, int64_t gid, int64_t mode) noexcept {
  const auto ctl = [id = shm.id](int cmd, shmid_ds *ds) { return ::shmctl(id, cmd, ds); };
  return sysv_set_perm(shm, uid, gid, mode, "pipc_sysv_shm_set_perm", ctl, &shmid_ds::shm_perm);
}

int sysv_shm_not_attached(const sysv_shm &shm, const char *function) noexcept {
  return fail(PIPC_ENOTATTACHED, EINVAL, "%s: the handle of segment id %d is not attached",
              function, shm.id);
}

int sysv_shm_access_failed(const sysv_shm &shm, const void *base, uint64_t offset,
                           const void *buf, size_t len, bool write, const char *function) noexcept {
  if (len > shm.size || offset > shm.size - len) {
    return out_of_range("%s: range [%llu, +%zu) is outside segment id %d of %llu bytes", function,
                        static_cast<unsigned long long>(offset), len, shm.id,
                        static_cast<unsigned long long>(shm.size));
  }
  if (buf == nullptr && len != 0) return invalid("%s: %s is NULL", function, write ? "data" : "buf");
  if (base == nullptr) return sysv_shm_not_attached(shm, function);
  return fail(PIPC_EACCES, EACCES, "%s: segment id %d is attached read-only", function, shm.id);
}

}  // namespace pipc::core
