// pipc(1): the listing verbs, ls and show.
#include "args.hpp"
#include "cli.hpp"
#include "output.hpp"
#include "snapshot.hpp"

#include <pwd.h>

namespace cli {

namespace {

uint32_t user_filter(const std::string &user) {
  if (!user.empty() && user.find_first_not_of("0123456789") == std::string::npos)
    return (uint32_t)parse_unsigned(user, "--user");
  struct passwd *pw = getpwnam(user.c_str());
  if (!pw) throw UsageError{"--user: no such user '" + user + "'"};
  return pw->pw_uid;
}

void print_warnings(const char *verb, const Snapshot &snap) {
  for (const auto &w : snap.warnings) complain(verb, "warning: " + w);
  if (snap.holders && snap.unseen)
    complain(verb, "note: " + std::to_string(snap.unseen) +
                       " process(es) could not be inspected (no permission to read their "
                       "/proc entries; as root, see more): their holds are not shown");
}

} // namespace

int verb_ls(int argc, char **argv) {
  Parsed p = parse_args(argc, argv, {{"kind", true, 'k'}, {"json", false, 0}, {"user", true, 'u'},
                                     {"holders", false, 0}});
  if (!p.operands.empty()) throw UsageError{"unexpected operand '" + p.operands[0] + "'"};
  uint32_t kinds = p.has("kind") ? parse_kinds(p.get("kind")) : PIPC_KIND_ALL;
  bool by_user = p.has("user");
  uint32_t uid = by_user ? user_filter(p.get("user")) : 0;
  Snapshot snap;
  if (take_snapshot(snap, kinds, p.has("holders"), "ls") != 0) return kExitError;
  std::vector<const Object *> shown;
  for (const Object &o : snap.objects)
    if (!by_user || o.info.uid == uid) shown.push_back(&o);
  print_warnings("ls", snap);
  if (p.has("json")) print_json(stdout, snap, shown);
  else print_table(stdout, shown, snap.holders);
  return kExitOk;
}

int verb_show(int argc, char **argv) {
  Parsed p = parse_args(argc, argv, {{"kind", true, 'k'}, {"key", true, 0}, {"id", true, 0},
                                     {"json", false, 0}});
  Target target = take_target(p);
  if (!p.operands.empty()) throw UsageError{"unexpected operand '" + p.operands[0] + "'"};
  uint32_t kinds = p.has("kind") ? parse_kinds(p.get("kind")) : PIPC_KIND_ALL;
  kinds &= target.by_key || target.by_id ? PIPC_KIND_SYSV : PIPC_KIND_POSIX;
  if (!kinds) throw UsageError{"--kind does not fit " + target.describe()};
  Snapshot snap;
  if (take_snapshot(snap, kinds, true, "show") != 0) return kExitError;
  std::vector<const Object *> found = matching(snap, target, kinds);
  print_warnings("show", snap);
  if (found.empty()) {
    complain("show", "no such object: " + target.describe());
    return kExitError;
  }
  if (p.has("json")) {
    print_json(stdout, snap, found);
    return kExitOk;
  }
  for (size_t i = 0; i < found.size(); ++i) {
    if (i) fputc('\n', stdout);
    print_detail(stdout, *found[i], snap.holders);
  }
  return kExitOk;
}

} // namespace cli
