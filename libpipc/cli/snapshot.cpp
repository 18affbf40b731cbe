// pipc(1): taking the inventory into owned memory, and making POSIX queues visible.
#include "snapshot.hpp"

#include "cli.hpp"

#include <pipc/errors.h>

#include <fstream>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cli {

namespace {

int walk(Snapshot &out, uint32_t kinds, bool holders) {
  pipc_objects *w = nullptr;
  int rc = pipc_objects_open(&w, kinds, holders ? PIPC_INVENTORY_HOLDERS : 0u);
  if (rc != PIPC_OK) return rc;
  const pipc_object *o = nullptr;
  while ((rc = pipc_objects_next(&o, w)) == PIPC_OK && o) {
    Object obj;
    obj.info = *o;
    obj.name = o->name ? o->name : "";
    obj.info.name = nullptr;
    if (holders && (o->known & PIPC_KNOWN_HOLDERS)) {
      for (uint32_t i = 0; i < o->holder_count; ++i) {
        const pipc_holder *h = nullptr;
        rc = pipc_objects_holder(&h, w, i);
        if (rc != PIPC_OK) break;
        obj.holders.push_back(Holder{h->pid, h->how, h->uid, h->command ? h->command : ""});
      }
      if (rc != PIPC_OK) break;
    }
    out.objects.push_back(std::move(obj));
  }
  if (rc == PIPC_OK && holders) rc = pipc_objects_unseen(&out.unseen, w);
  pipc_objects_close(w);
  return rc;
}

bool mqueue_mounted() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.find(" - mqueue ") != std::string::npos) return true;
  return false;
}

} // namespace

int take_snapshot(Snapshot &out, uint32_t kinds, bool holders, const char *verb) {
  out.holders = holders;
  out.kinds = kinds;
  int rc = walk(out, kinds, holders);
  if (rc == PIPC_ENOTSUP && (kinds & PIPC_KIND_MQ)) {
    std::string advice = pipc_last_message();
    out.warnings.push_back("POSIX message queues not listed: " + advice +
                           " (as root: mount -t mqueue none /dev/mqueue)");
    out.objects.clear();
    out.kinds = kinds & ~PIPC_KIND_MQ;
    rc = out.kinds ? walk(out, out.kinds, holders) : PIPC_OK;
  }
  if (rc != PIPC_OK) return fail(verb, rc), rc;
  return PIPC_OK;
}

void prepare_mqueue_view() {
  if (geteuid() != 0 || mqueue_mounted()) return;
  struct stat st;
  if (stat("/dev/mqueue", &st) != 0 || !S_ISDIR(st.st_mode)) return;
  // Our own mount namespace, with nothing propagating back to the machine's: the mount
  // lives and dies with this process. In a chroot "/" is no mount point; there the mount
  // holding /dev/mqueue is /dev's. Where neither can be made private, nothing is mounted.
  if (unshare(CLONE_NEWNS) != 0) return;
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 &&
      mount(nullptr, "/dev", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return;
  }
  mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
}

std::vector<const Object *> matching(const Snapshot &snap, const Target &target, uint32_t kinds) {
  std::vector<const Object *> out;
  for (const Object &o : snap.objects) {
    if (!(o.info.kind & kinds)) continue;
    bool hit = target.by_key ? o.sysv() && o.info.key == target.key
             : target.by_id  ? o.sysv() && o.info.id == target.id
                             : !o.sysv() && o.name == target.name;
    if (hit) out.push_back(&o);
  }
  return out;
}

std::string how_text(uint32_t how) {
  static const struct { uint32_t bit; const char *word; } words[] = {
      {PIPC_HOLD_FD, "fd"}, {PIPC_HOLD_MAP, "map"}, {PIPC_HOLD_ATTACH, "attach"},
      {PIPC_HOLD_LAST_OP, "last-op"}, {PIPC_HOLD_CREATOR, "creator"}};
  std::string out;
  for (const auto &w : words) {
    if (how & w.bit) {
      if (!out.empty()) out += ',';
      out += w.word;
    }
  }
  return out;
}

} // namespace cli
