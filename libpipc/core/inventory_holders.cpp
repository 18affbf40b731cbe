// The inventory's holders: one pass over /proc. Each process's descriptors and
// mappings are matched against the objects by (device, inode) for POSIX objects and by
// shmid for System V attachments, through hash maps built once, so the pass costs the
// same for ten objects as for ten thousand.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/inventory.hpp"

namespace pipc::core {
namespace {

struct file_id {
  uint64_t device, inode;
  bool operator==(const file_id &o) const { return device == o.device && inode == o.inode; }
};
struct file_id_hash {
  size_t operator()(const file_id &f) const {
    return std::hash<uint64_t>()(f.device * 0x9e3779b97f4a7c15u ^ f.inode);
  }
};

// One way one process holds one object (merged per object and pid at the end).
struct hold {
  uint32_t object;
  int32_t pid;
  uint32_t how;
};

struct process_info {
  uint32_t uid;
  const char *command;
};

class holder_pass {
 public:
  explicit holder_pass(snapshot &snap) : snap_(snap) {
    for (uint32_t i = 0; i < snap.objects.size(); ++i) {
      const pipc_object &o = snap.objects[i];
      if (o.kind & (PIPC_KIND_SHM | PIPC_KIND_MQ)) by_descriptor_[{o.device, o.inode}] = i;
      if (o.kind & (PIPC_KIND_SEM | PIPC_KIND_SHM)) by_mapping_[{o.device, o.inode}] = i;
      if (o.kind == PIPC_KIND_SYSV_SHM) by_shmid_[o.id] = i;
    }
  }

  void run() {
    DIR *proc = opendir("/proc");
    if (proc != nullptr) {
      while (const dirent *e = readdir(proc)) {
        char *end;
        const long pid = std::strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) continue;
        alive_.insert(static_cast<int32_t>(pid));
        look_into(dirfd(proc), e->d_name, static_cast<int32_t>(pid));
      }
      closedir(proc);
    }
    add_recorded_pids();
    publish();
  }

 private:
  // The descriptors and mappings of process PID (its /proc directory NAME).
  void look_into(int proc, const char *name, int32_t pid) {
    const int dir = openat(proc, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return;  // gone meanwhile
    const size_t before = holds_.size();
    bool refused = false;
    if (!by_descriptor_.empty()) refused |= scan_descriptors(dir, pid) == EACCES;
    if (!by_mapping_.empty() || !by_shmid_.empty()) refused |= scan_mappings(dir, pid) == EACCES;
    if (refused) ++snap_.unseen;
    if (holds_.size() != before) describe(dir, pid);
    close(dir);
  }

  int scan_descriptors(int process_dir, int32_t pid) {
    const int fd_dir = openat(process_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_dir < 0) return errno;
    DIR *fds = fdopendir(fd_dir);
    if (fds == nullptr) {
      close(fd_dir);
      return errno;
    }
    while (const dirent *e = readdir(fds)) {
      struct stat st;
      if (e->d_name[0] == '.' || fstatat(fd_dir, e->d_name, &st, 0) != 0) continue;
      const auto found = by_descriptor_.find({st.st_dev, st.st_ino});
      if (found != by_descriptor_.end()) holds_.push_back({found->second, pid, PIPC_HOLD_FD});
    }
    closedir(fds);
    return 0;
  }

  // Each line of /proc/PID/maps: "START-END PERMS OFFSET MAJOR:MINOR INODE   PATH", the
  // numbers in hex but the inode. A System V segment's path is "/SYSV<key>", and its
  // inode column is the shmid.
  int scan_mappings(int process_dir, int32_t pid) {
    const int err = read_whole_file(process_dir, "maps", maps_);
    if (err != 0) return err;
    const char *p = maps_.c_str();
    while (*p != '\0') {
      const char *line_end = std::strchr(p, '\n');
      if (line_end == nullptr) line_end = p + std::strlen(p);
      match_mapping(p, line_end, pid);
      p = *line_end == '\0' ? line_end : line_end + 1;
    }
    return 0;
  }

  void match_mapping(const char *line, const char *line_end, int32_t pid) {
    char *at = const_cast<char *>(line);
    for (int field = 0; field < 3; ++field) {  // range, perms, offset
      at = std::strchr(at, ' ');
      if (at == nullptr || at >= line_end) return;
      ++at;
    }
    const unsigned long major = std::strtoul(at, &at, 16);
    if (*at != ':') return;
    const unsigned long minor = std::strtoul(at + 1, &at, 16);
    const unsigned long long inode = std::strtoull(at, &at, 10);
    if (inode == 0) return;
    while (at < line_end && *at == ' ') ++at;
    if (line_end - at >= 5 && std::strncmp(at, "/SYSV", 5) == 0) {
      const auto found = by_shmid_.find(static_cast<int64_t>(inode));
      if (found != by_shmid_.end()) holds_.push_back({found->second, pid, PIPC_HOLD_ATTACH});
      return;
    }
    const auto found = by_mapping_.find({makedev(major, minor), inode});
    if (found != by_mapping_.end()) holds_.push_back({found->second, pid, PIPC_HOLD_MAP});
  }

  // System V's recorded pids: the creator and the last operation's process, if alive.
  void add_recorded_pids() {
    for (uint32_t i = 0; i < snap_.objects.size(); ++i) {
      const pipc_object &o = snap_.objects[i];
      if ((o.known & PIPC_KNOWN_LAST_PID) && alive_.count(o.last_pid)) {
        holds_.push_back({i, o.last_pid, PIPC_HOLD_LAST_OP});
      }
      if ((o.known & PIPC_KNOWN_CREATOR_PID) && alive_.count(o.creator_pid)) {
        holds_.push_back({i, o.creator_pid, PIPC_HOLD_CREATOR});
      }
    }
  }

  // Reads the uid and command line of a holder, once per process.
  void describe(int process_dir, int32_t pid) {
    if (processes_.count(pid)) return;
    process_info info{0, ""};
    std::string text;
    if (read_whole_file(process_dir, "status", text) == 0) {
      const size_t uid = text.find("\nUid:");
      if (uid != std::string::npos) {
        info.uid = static_cast<uint32_t>(std::strtoul(text.c_str() + uid + 5, nullptr, 10));
      }
    }
    if (read_whole_file(process_dir, "cmdline", text) == 0) {
      while (!text.empty() && text.back() == '\0') text.pop_back();
      std::replace(text.begin(), text.end(), '\0', ' ');
      info.command = snap_.keep(std::move(text));
    }
    processes_[pid] = info;
  }

  process_info described(int32_t pid) {
    if (!processes_.count(pid)) {
      char name[16];
      std::snprintf(name, sizeof name, "/proc/%d", pid);
      const int dir = open(name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir < 0) return {0, ""};
      describe(dir, pid);
      close(dir);
    }
    return processes_[pid];
  }

  // Merges the holds per object and pid, and lays them out in the snapshot.
  void publish() {
    std::sort(holds_.begin(), holds_.end(), [](const hold &a, const hold &b) {
      return a.object != b.object ? a.object < b.object : a.pid < b.pid;
    });
    snap_.first_holder.assign(snap_.objects.size(), 0);
    size_t i = 0;
    for (uint32_t object = 0; object < snap_.objects.size(); ++object) {
      snap_.first_holder[object] = static_cast<uint32_t>(snap_.holders.size());
      for (; i < holds_.size() && holds_[i].object == object; ++i) {
        if (snap_.holders.size() > snap_.first_holder[object] &&
            snap_.holders.back().pid == holds_[i].pid) {
          snap_.holders.back().how |= holds_[i].how;
          continue;
        }
        const process_info info = described(holds_[i].pid);
        snap_.holders.push_back({PIPC_HOLDER_VERSION, holds_[i].pid, holds_[i].how, info.uid,
                                 info.command});
      }
      pipc_object &o = snap_.objects[object];
      o.holder_count = static_cast<uint32_t>(snap_.holders.size()) - snap_.first_holder[object];
      o.known |= PIPC_KNOWN_HOLDERS;
    }
  }

  snapshot &snap_;
  std::unordered_map<file_id, uint32_t, file_id_hash> by_descriptor_, by_mapping_;
  std::unordered_map<int64_t, uint32_t> by_shmid_;
  std::unordered_set<int32_t> alive_;
  std::unordered_map<int32_t, process_info> processes_;
  std::vector<hold> holds_;
  std::string maps_;  // reused for each process
};

}  // namespace

void find_holders(snapshot &snap) { holder_pass(snap).run(); }

}  // namespace pipc::core
