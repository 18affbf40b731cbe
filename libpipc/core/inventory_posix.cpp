// The inventory's POSIX sources: semaphores and shared memory in /dev/shm, queues in
// the mqueue filesystem wherever it is mounted.
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/error.hpp"
#include "core/glibc_sem.hpp"
#include "core/inventory.hpp"

namespace pipc::core {
namespace {

constexpr const char *shm_dir = "/dev/shm";  // where glibc's sem_open and shm_open put them
constexpr const char *sem_prefix = "sem.";

int64_t ns_of(const struct timespec &t) { return seconds_to_ns(t.tv_sec) + t.tv_nsec; }

// The fields a file tells of every POSIX object.
void fill_from_stat(pipc_object &o, const struct stat &st) {
  o.uid = st.st_uid;
  o.gid = st.st_gid;
  o.mode = st.st_mode & 07777;
  o.changed_ns = ns_of(st.st_ctim);
  o.modified_ns = ns_of(st.st_mtim);
  o.device = st.st_dev;
  o.inode = st.st_ino;
}

// Calls FN(name, stat) for each regular file in directory PATH; false (errno set) when
// the directory cannot be read. Files that vanish meanwhile are skipped.
template <class Fn>
bool for_each_file(const char *path, Fn fn) {
  DIR *dir = opendir(path);
  if (dir == nullptr) return false;
  while (const dirent *e = readdir(dir)) {
    if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN) continue;
    struct stat st;
    if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
      continue;
    }
    fn(dirfd(dir), e->d_name, st);
  }
  closedir(dir);
  return true;
}

// The value in a semaphore file's sem_t, read without mapping it; false when the file
// is not readable to this process or not a whole semaphore.
bool read_sem_value(int dir, const char *file, int64_t &value) {
  if (!glibc_sem::layout_is_known()) return false;
  const int fd = openat(dir, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return false;
  uint64_t data = 0;
  const bool whole = pread(fd, &data, sizeof data, 0) == static_cast<ssize_t>(sizeof data);
  close(fd);
  if (whole) value = glibc_sem::value(data);
  return whole;
}

void read_shm_dir(snapshot &snap, uint32_t kinds) {
  const size_t prefix = std::strlen(sem_prefix);
  for_each_file(shm_dir, [&](int dir, const char *file, const struct stat &st) {
    const bool is_sem = std::strncmp(file, sem_prefix, prefix) == 0 && file[prefix] != '\0';
    const uint32_t kind = is_sem ? PIPC_KIND_SEM : PIPC_KIND_SHM;
    if ((kinds & kind) == 0) return;
    pipc_object o = new_object(kind);
    o.name = snap.keep("/" + std::string(is_sem ? file + prefix : file));
    fill_from_stat(o, st);
    if (is_sem) {
      o.semaphores = 1;
      if (read_sem_value(dir, file, o.value)) o.known |= PIPC_KNOWN_VALUE;
    } else {
      o.size = static_cast<uint64_t>(st.st_size);
      read_libpipc_object(dir, file, o);
    }
    snap.objects.push_back(o);
  });
}

// Undoes the octal escapes (\040 for a space, ...) of a path in /proc/self/mountinfo.
std::string unescape_mount_path(const std::string &field) {
  std::string path;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      path += static_cast<char>(std::strtol(field.substr(i + 1, 3).c_str(), nullptr, 8));
      i += 3;
    } else {
      path += field[i];
    }
  }
  return path;
}

// Where an mqueue filesystem is mounted, or "" where none is.
std::string mqueue_mount_point() {
  std::string info;
  if (read_whole_file(AT_FDCWD, "/proc/self/mountinfo", info) != 0) return "";
  size_t start = 0;
  while (start < info.size()) {
    size_t end = info.find('\n', start);
    if (end == std::string::npos) end = info.size();
    const std::string line = info.substr(start, end - start);
    start = end + 1;
    // "ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE ..."
    const size_t separator = line.find(" - ");
    if (separator == std::string::npos || line.compare(separator + 3, 7, "mqueue ") != 0) continue;
    size_t field = 0;
    for (int skip = 0; skip < 4 && field != std::string::npos; ++skip) {
      field = line.find(' ', field);
      if (field != std::string::npos) ++field;
    }
    if (field == std::string::npos) continue;
    return unescape_mount_path(line.substr(field, line.find(' ', field) - field));
  }
  return "";
}

// The queue file's first field, "QSIZE:N": the bytes of the messages queued.
uint64_t read_queue_bytes(int dir, const char *file) {
  std::string text;
  if (read_whole_file(dir, file, text) != 0 || text.compare(0, 6, "QSIZE:") != 0) return 0;
  return std::strtoull(text.c_str() + 6, nullptr, 10);
}

// What mq_getattr tells; opened for reading without creating it, and closed at once.
void read_queue_attributes(pipc_object &o) {
  const mqd_t q = mq_open(o.name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (q == static_cast<mqd_t>(-1)) return;
  struct mq_attr attr;
  if (mq_getattr(q, &attr) == 0) {
    o.messages = static_cast<uint64_t>(attr.mq_curmsgs);
    o.max_messages = static_cast<uint64_t>(attr.mq_maxmsg);
    o.max_message_size = static_cast<uint64_t>(attr.mq_msgsize);
    o.known |= PIPC_KNOWN_MESSAGES | PIPC_KNOWN_QUEUE_LIMITS;
  }
  mq_close(q);
}

int read_queues(snapshot &snap, const char *function) {
  const std::string mount = mqueue_mount_point();
  if (mount.empty()) {
    return fail(PIPC_ENOTSUP, ENODEV,
                "%s: no mqueue filesystem is mounted (/proc/self/mountinfo), so POSIX message "
                "queues cannot be listed; mount one as root: sudo mount -t mqueue none /dev/mqueue",
                function);
  }
  const bool read = for_each_file(mount.c_str(), [&](int dir, const char *file,
                                                     const struct stat &st) {
    pipc_object o = new_object(PIPC_KIND_MQ);
    o.name = snap.keep("/" + std::string(file));
    fill_from_stat(o, st);
    o.size = read_queue_bytes(dir, file);
    read_queue_attributes(o);
    snap.objects.push_back(o);
  });
  return read ? PIPC_OK : os_fail("opendir", mount.c_str());
}

}  // namespace

int read_posix_objects(snapshot &snap, uint32_t kinds, const char *function) {
  if (kinds & (PIPC_KIND_SEM | PIPC_KIND_SHM)) read_shm_dir(snap, kinds);
  if (kinds & PIPC_KIND_MQ) return read_queues(snap, function);
  return PIPC_OK;
}

}  // namespace pipc::core
