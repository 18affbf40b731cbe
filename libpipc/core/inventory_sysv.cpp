// The inventory's System V source: /proc/sysvipc/{sem,shm,msg}, read once each, plus
// the few fields only semctl and msgctl tell.
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "core/error.hpp"
#include "core/inventory.hpp"
#include "core/sysv.hpp"

namespace pipc::core {
namespace {

// The columns of the three files (Linux's ipc/{sem,shm,msg}.c print them so).
struct sysv_row {
  long long key, id, size, qnum, nsems, nattch;
  unsigned perms;  // octal
  int cpid, lpid, lspid, lrpid;
  unsigned uid, gid, cuid, cgid;
  long long otime, atime, dtime, stime, rtime, ctime;
};

constexpr unsigned shm_dest = 01000;  // SHM_DEST in the perms column: removed, still attached

void fill_common(pipc_object &o, const sysv_row &r) {
  o.key = r.key;
  o.id = r.id;
  o.uid = r.uid;
  o.gid = r.gid;
  o.cuid = r.cuid;
  o.cgid = r.cgid;
  o.mode = r.perms & 0777;
  o.changed_ns = seconds_to_ns(r.ctime);
  o.known |= PIPC_KNOWN_CREATOR;
}

pipc_object sem_object(const sysv_row &r) {
  pipc_object o = new_object(PIPC_KIND_SYSV_SEM);
  fill_common(o, r);
  o.semaphores = static_cast<uint32_t>(r.nsems);
  o.operated_ns = seconds_to_ns(r.otime);
  // Only semctl tells these, and only to a process that may read the set.
  const int id = static_cast<int>(r.id);
  const int value = semctl(id, 0, GETVAL);
  if (value >= 0) {
    o.value = value;
    o.known |= PIPC_KNOWN_VALUE;
  }
  const int last = semctl(id, 0, GETPID);
  if (last >= 0) {
    o.last_pid = last;
    o.known |= PIPC_KNOWN_LAST_PID;
  }
  return o;
}

pipc_object shm_object(const sysv_row &r) {
  pipc_object o = new_object(PIPC_KIND_SYSV_SHM);
  fill_common(o, r);
  o.size = static_cast<uint64_t>(r.size);
  o.attaches = static_cast<uint64_t>(r.nattch);
  o.creator_pid = r.cpid;
  o.last_pid = r.lpid;
  o.operated_ns = seconds_to_ns(r.atime > r.dtime ? r.atime : r.dtime);
  o.known |= PIPC_KNOWN_ATTACHES | PIPC_KNOWN_CREATOR_PID | PIPC_KNOWN_LAST_PID;
  if (r.perms & shm_dest) o.state |= PIPC_STATE_REMOVED;
  return o;
}

pipc_object msg_object(const sysv_row &r) {
  pipc_object o = new_object(PIPC_KIND_SYSV_MQ);
  fill_common(o, r);
  o.size = static_cast<uint64_t>(r.size);
  o.messages = static_cast<uint64_t>(r.qnum);
  const bool sent_last = r.stime > r.rtime;
  o.last_pid = sent_last ? r.lspid : r.lrpid;
  o.operated_ns = seconds_to_ns(sent_last ? r.stime : r.rtime);
  o.known |= PIPC_KNOWN_MESSAGES | PIPC_KNOWN_LAST_PID;
  msqid_ds ds;
  if (msgctl(static_cast<int>(r.id), IPC_STAT, &ds) == 0) {
    o.max_bytes = ds.msg_qbytes;
    o.known |= PIPC_KNOWN_MAX_BYTES;
  }
  return o;
}

// One source: its file, how a row reads, and what object a row makes.
struct sysv_source {
  uint32_t kind;
  const char *path;
  int columns;
  int (*scan)(const char *line, sysv_row &r);
  pipc_object (*make)(const sysv_row &r);
};

const sysv_source sources[] = {
    {PIPC_KIND_SYSV_SEM, "/proc/sysvipc/sem", 10,
     [](const char *line, sysv_row &r) {
       return std::sscanf(line, "%lld %lld %o %lld %u %u %u %u %lld %lld", &r.key, &r.id,
                          &r.perms, &r.nsems, &r.uid, &r.gid, &r.cuid, &r.cgid, &r.otime,
                          &r.ctime);
     },
     sem_object},
    {PIPC_KIND_SYSV_SHM, "/proc/sysvipc/shm", 14,
     [](const char *line, sysv_row &r) {
       return std::sscanf(line, "%lld %lld %o %lld %d %d %lld %u %u %u %u %lld %lld %lld", &r.key,
                          &r.id, &r.perms, &r.size, &r.cpid, &r.lpid, &r.nattch, &r.uid, &r.gid,
                          &r.cuid, &r.cgid, &r.atime, &r.dtime, &r.ctime);
     },
     shm_object},
    {PIPC_KIND_SYSV_MQ, "/proc/sysvipc/msg", 14,
     [](const char *line, sysv_row &r) {
       return std::sscanf(line, "%lld %lld %o %lld %lld %d %d %u %u %u %u %lld %lld %lld",
                          &r.key, &r.id, &r.perms, &r.size, &r.qnum, &r.lspid, &r.lrpid, &r.uid,
                          &r.gid, &r.cuid, &r.cgid, &r.stime, &r.rtime, &r.ctime);
     },
     msg_object},
};

int read_source(snapshot &snap, const sysv_source &source) {
  std::string text;
  const int err = read_whole_file(AT_FDCWD, source.path, text);
  // Without System V IPC in the kernel there is nothing to list.
  if (err == ENOENT) return PIPC_OK;
  if (err != 0) {
    errno = err;
    return os_fail("read", source.path);
  }
  size_t start = text.find('\n');  // after the header line
  while (start != std::string::npos && start + 1 < text.size()) {
    const size_t end = text.find('\n', start + 1);
    const std::string line = text.substr(start + 1, end - start - 1);
    start = end;
    sysv_row r{};
    if (source.scan(line.c_str(), r) == source.columns) snap.objects.push_back(source.make(r));
  }
  return PIPC_OK;
}

}  // namespace

int read_sysv_objects(snapshot &snap, uint32_t kinds) {
  for (const sysv_source &source : sources) {
    if ((kinds & source.kind) == 0) continue;
    const int rc = read_source(snap, source);
    if (rc != PIPC_OK) return rc;
  }
  return PIPC_OK;
}

int sysv_exists(int64_t key, uint32_t kind) {
  const key_t k = static_cast<key_t>(key);
  int id = -1;
  const char *call = "";
  switch (kind) {
    case PIPC_KIND_SYSV_SEM:
      id = semget(k, 0, 0);
      call = "semget";
      break;
    case PIPC_KIND_SYSV_SHM:
      id = shmget(k, 0, 0);
      call = "shmget";
      break;
    default:
      id = msgget(k, 0);
      call = "msgget";
      break;
  }
  if (id >= 0) return 1;
  if (errno == ENOENT) return 0;
  // Refused: it exists, but this process may not use it.
  if (errno == EACCES) return 1;
  return sysv_key_fail(call, key);
}

}  // namespace pipc::core
