// pipc(1): the removing verbs, rm and clean.
#include "args.hpp"
#include "cli.hpp"
#include "output.hpp"
#include "snapshot.hpp"

#include <pipc/errors.h>
#include <pipc/mq.h>
#include <pipc/sem.h>
#include <pipc/shm.h>
#include <pipc/sysv.h>

#include <ctime>

namespace cli {

namespace {

int remove_object(uint32_t kind, const std::string &name, int64_t id) {
  switch (kind) {
  case PIPC_KIND_SEM: return pipc_sem_unlink_name(name.c_str());
  case PIPC_KIND_SHM: return pipc_shm_unlink_name(name.c_str());
  case PIPC_KIND_MQ: return pipc_mq_unlink_name(name.c_str());
  case PIPC_KIND_SYSV_SEM: return pipc_sysv_sem_remove_id(id);
  case PIPC_KIND_SYSV_SHM: return pipc_sysv_shm_remove_id(id);
  case PIPC_KIND_SYSV_MQ: return pipc_sysv_mq_remove_id(id);
  }
  return PIPC_EINVAL;
}

bool single_kind(uint32_t kinds) { return kinds && !(kinds & (kinds - 1)); }

std::string kinds_text(const std::vector<const Object *> &objects) {
  std::string s;
  for (size_t i = 0; i < objects.size(); ++i)
    s += (i ? (i + 1 == objects.size() ? " and " : ", ") : "") + std::string(kind_label(objects[i]->info.kind));
  return s;
}

// Removes what TARGET names among KINDS; EXPLICIT: the user named the kinds (so several
// matches are all meant).
int remove_target(const Target &target, uint32_t kinds, bool explicit_kinds, Snapshot *snap) {
  if (!target.by_key && !target.by_id && single_kind(kinds)) {
    int rc = remove_object(kinds, target.name, -1);
    return rc == PIPC_OK ? kExitOk : fail("rm", rc);
  }
  std::vector<const Object *> found = matching(*snap, target, kinds);
  if (found.empty()) {
    complain("rm", std::string(pipc_strerror(PIPC_ENOENT)) + ": " + target.describe());
    return kExitError;
  }
  if (found.size() > 1 && !explicit_kinds) {
    complain("rm", target.describe() + " exists as " + kinds_text(found) +
                       ": say which with --kind (or --kind " +
                       (target.by_key || target.by_id ? "sysv" : "posix") + " for all of them)");
    return kExitUsage;
  }
  int worst = kExitOk;
  for (const Object *o : found) {
    int rc = remove_object(o->info.kind, o->name, o->info.id);
    if (rc != PIPC_OK) worst = fail("rm", rc);
  }
  return worst;
}

} // namespace

int verb_rm(int argc, char **argv) {
  Parsed p = parse_args(argc, argv, {{"kind", true, 'k'}, {"key", true, 0}, {"id", true, 0}});
  std::vector<Target> targets;
  if (p.has("key") || p.has("id")) {
    targets.push_back(take_target(p));
    if (!p.operands.empty()) throw UsageError{"give NAMEs or --key/--id, not both"};
  }
  while (!p.operands.empty()) targets.push_back(take_target(p));
  if (targets.empty()) throw UsageError{"missing NAME (or --key K / --id I)"};
  bool sysv = targets[0].by_key || targets[0].by_id;
  uint32_t kinds = p.has("kind") ? parse_kinds(p.get("kind")) : PIPC_KIND_ALL;
  kinds &= sysv ? PIPC_KIND_SYSV : PIPC_KIND_POSIX;
  if (!kinds) throw UsageError{"--kind does not fit " + targets[0].describe()};
  Snapshot snap;
  bool need_snapshot = sysv || !single_kind(kinds);
  if (need_snapshot && take_snapshot(snap, kinds, false, "rm") != 0) return kExitError;
  for (const auto &w : snap.warnings) complain("rm", "warning: " + w);
  int worst = kExitOk;
  for (const Target &t : targets) {
    int rc = remove_target(t, kinds, p.has("kind"), &snap);
    if (rc > worst) worst = rc;
  }
  return worst;
}

int verb_clean(int argc, char **argv) {
  Parsed p = parse_args(argc, argv, {{"kind", true, 'k'}, {"prefix", true, 0},
                                     {"older-than", true, 0}, {"dry-run", false, 'n'},
                                     {"ignore-unseen", false, 0}});
  if (!p.operands.empty()) throw UsageError{"unexpected operand '" + p.operands[0] + "'"};
  uint32_t kinds = p.has("kind") ? parse_kinds(p.get("kind")) : PIPC_KIND_ALL;
  std::string prefix = p.get("prefix");
  if (p.has("prefix")) {
    if (!prefix.empty() && prefix[0] != '/') prefix = "/" + prefix;
    kinds &= PIPC_KIND_POSIX; // System V objects have no names to match
    if (!kinds) throw UsageError{"--prefix matches POSIX names only: --kind leaves none"};
  }
  bool aged = p.has("older-than");
  int64_t older_than = aged ? parse_duration(p.get("older-than"), "--older-than") : 0;
  bool dry = p.has("dry-run"), ignore_unseen = p.has("ignore-unseen");

  Snapshot snap;
  if (take_snapshot(snap, kinds, true, "clean") != 0) return kExitError;
  for (const auto &w : snap.warnings) complain("clean", "warning: " + w);
  if (snap.unseen && (kinds & PIPC_KIND_POSIX) && !ignore_unseen)
    complain("clean", "warning: " + std::to_string(snap.unseen) +
                          " process(es) could not be inspected (no permission to read their /proc "
                          "entries): POSIX objects they could hold are kept (--ignore-unseen "
                          "removes them anyway)");
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  int64_t now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
  int worst = kExitOk;
  for (const Object &o : snap.objects) {
    const pipc_object &i = o.info;
    if (!prefix.empty() && o.name.compare(0, prefix.size(), prefix) != 0) continue;
    int64_t last = i.changed_ns;
    if (i.modified_ns > last) last = i.modified_ns;
    if (i.operated_ns > last) last = i.operated_ns;
    if (aged && now_ns - last < older_than) continue;
    std::string what = std::string(kind_label(i.kind)) + " " + name_or_key(o) +
                       (o.sysv() ? " (id " + std::to_string(i.id) + ")" : "");
    std::string why;
    if (!o.holders_known()) {
      why = "its holders could not be determined";
    } else if (!o.holders.empty()) {
      const Holder &h = o.holders.front();
      why = "held by pid " + std::to_string(h.pid) + " (" + (h.command.empty() ? "?" : h.command) + ")";
      if (o.holders.size() > 1) why += " and " + std::to_string(o.holders.size() - 1) + " more";
    } else if (i.kind == PIPC_KIND_SYSV_SHM && (i.known & PIPC_KNOWN_ATTACHES) && i.attaches > 0) {
      why = "attached " + std::to_string(i.attaches) + " times by processes it cannot see";
    } else if (!o.sysv() && snap.unseen && !ignore_unseen) {
      why = std::to_string(snap.unseen) + " process(es) could not be inspected, which may hold it";
    } else if ((i.kind == PIPC_KIND_SYSV_SEM || i.kind == PIPC_KIND_SYSV_MQ) && !aged &&
               (!(i.known & PIPC_KNOWN_LAST_PID) || i.last_pid == 0)) {
      why = "never used, so no process to check (give --older-than, or pipc rm it)";
    }
    if (!why.empty()) {
      printf("kept %s: %s\n", what.c_str(), why.c_str());
      continue;
    }
    if (dry) {
      printf("would remove %s\n", what.c_str());
      continue;
    }
    int rc = remove_object(i.kind, o.name, i.id);
    if (rc == PIPC_ENOENT) continue; // gone meanwhile: nothing left to clean
    if (rc != PIPC_OK) {
      worst = fail("clean", rc);
      continue;
    }
    printf("removed %s\n", what.c_str());
  }
  return worst;
}

} // namespace cli
