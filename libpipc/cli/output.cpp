// pipc(1): output formatting.
#include "output.hpp"

#include "args.hpp"

#include <cinttypes>
#include <ctime>
#include <grp.h>
#include <map>
#include <pwd.h>

namespace cli {

void Table::column(const std::string &title, bool right_aligned) {
  titles_.push_back(title);
  right_.push_back(right_aligned);
}

void Table::row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

void Table::print(FILE *out) const {
  std::vector<size_t> width(titles_.size());
  for (size_t c = 0; c < titles_.size(); ++c) width[c] = titles_[c].size();
  for (const auto &r : rows_)
    for (size_t c = 0; c < r.size() && c < width.size(); ++c)
      if (r[c].size() > width[c]) width[c] = r[c].size();
  std::string line;
  auto emit = [&](const std::vector<std::string> &cells) {
    line.clear();
    for (size_t c = 0; c < titles_.size(); ++c) {
      const std::string &cell = c < cells.size() ? cells[c] : std::string();
      bool last = c + 1 == titles_.size();
      size_t pad = width[c] - cell.size();
      if (right_[c]) line.append(pad, ' ');
      line += cell;
      if (!last) {
        if (!right_[c]) line.append(pad, ' ');
        line += "  ";
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    line += '\n';
    fputs(line.c_str(), out);
  };
  emit(titles_);
  for (const auto &r : rows_) emit(r);
}

namespace {

// A name from the user or group database, looked up once per id (ls prints thousands).
template <typename Lookup>
std::string cached_name(std::map<uint32_t, std::string> &cache, uint32_t id, Lookup lookup) {
  auto it = cache.find(id);
  if (it != cache.end()) return it->second;
  const char *name = lookup(id);
  return cache[id] = name ? name : std::to_string(id);
}

} // namespace

std::string user_name(uint32_t uid) {
  static std::map<uint32_t, std::string> cache;
  return cached_name(cache, uid, [](uint32_t id) -> const char * {
    struct passwd *pw = getpwuid(id);
    return pw ? pw->pw_name : nullptr;
  });
}

std::string group_name(uint32_t gid) {
  static std::map<uint32_t, std::string> cache;
  return cached_name(cache, gid, [](uint32_t id) -> const char * {
    struct group *gr = getgrgid(id);
    return gr ? gr->gr_name : nullptr;
  });
}

std::string mode_text(uint32_t mode) {
  std::string s = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i)
    if (!(mode & (0400u >> i))) s[i] = '-';
  return s;
}

std::string local_time(int64_t ns) {
  if (ns <= 0) return "-";
  time_t t = (time_t)(ns / 1000000000);
  struct tm tm;
  localtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string name_or_key(const Object &o) {
  if (!o.sysv()) return o.name;
  char buf[24];
  snprintf(buf, sizeof buf, "0x%08" PRIx32, (uint32_t)o.info.key);
  return buf;
}

namespace {

std::string num(uint64_t v) { return std::to_string(v); }

// The latest of the object's times: what "CHANGED" shows.
int64_t latest(const pipc_object &i) {
  int64_t t = i.changed_ns;
  if (i.modified_ns > t) t = i.modified_ns;
  if (i.operated_ns > t) t = i.operated_ns;
  return t;
}

std::string size_cell(const pipc_object &i) {
  if (i.kind == PIPC_KIND_SEM || i.kind == PIPC_KIND_SYSV_SEM) return "-";
  if ((i.kind == PIPC_KIND_MQ || i.kind == PIPC_KIND_SYSV_MQ) && !(i.known & PIPC_KNOWN_MESSAGES))
    return "?";
  return num(i.size);
}

std::string value_cell(const pipc_object &i) {
  if (i.kind == PIPC_KIND_SEM || i.kind == PIPC_KIND_SYSV_SEM)
    return (i.known & PIPC_KNOWN_VALUE) ? std::to_string(i.value) : "?";
  if (i.kind == PIPC_KIND_MQ || i.kind == PIPC_KIND_SYSV_MQ || (i.known & PIPC_KNOWN_MESSAGES))
    return (i.known & PIPC_KNOWN_MESSAGES) ? num(i.messages) : "?";
  if (i.kind == PIPC_KIND_SYSV_SHM && (i.known & PIPC_KNOWN_ATTACHES))
    return num(i.attaches) + " att";
  return "-";
}

// Which of libpipc's own objects a shared memory segment holds ("mutex", "cond",
// "channel"), or nullptr (none, or not readable).
const char *libpipc_type(const pipc_object &i) {
  return (i.known & PIPC_KNOWN_LIBPIPC) ? pipc_libpipc_type_name(i.libpipc_type) : nullptr;
}

// The LIBPIPC column: "mutex", "cond", "channel 3/16 x 64 B" (messages / slots x message
// size), or "".
std::string libpipc_cell(const pipc_object &i) {
  const char *type = libpipc_type(i);
  if (!type) return "";
  std::string s = type;
  if ((i.known & PIPC_KNOWN_MESSAGES) && (i.known & PIPC_KNOWN_QUEUE_LIMITS))
    s += " " + num(i.messages) + "/" + num(i.max_messages) + " x " + num(i.max_message_size) + " B";
  return s;
}

std::string holders_cell(const Object &o) {
  if (!o.holders_known()) return "?";
  if (o.holders.empty()) return "0";
  std::string s = std::to_string(o.holders.size()) + ":";
  size_t shown = 0;
  for (const auto &h : o.holders) {
    if (shown == 4) {
      s += ",+" + std::to_string(o.holders.size() - shown);
      break;
    }
    s += (shown++ ? "," : "") + std::to_string(h.pid);
  }
  return s;
}

// ---- JSON ----

void json_string(std::string &out, const std::string &s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default:
      if (c < 0x20) {
        char buf[8];
        snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += (char)c; // UTF-8 passes through; invalid bytes too (names are bytes)
      }
    }
  }
  out += '"';
}

std::string rfc3339(int64_t ns) {
  time_t t = (time_t)(ns / 1000000000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[48];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%09" PRId64 "Z", ns % 1000000000);
  return buf;
}

struct Fields {
  std::string &out;
  bool first = true;
  void key(const char *k) {
    out += first ? "" : ",";
    first = false;
    out += '"';
    out += k;
    out += "\":";
  }
  void str(const char *k, const std::string &v) { key(k), json_string(out, v); }
  void null(const char *k) { key(k), out += "null"; }
  void i64(const char *k, int64_t v) { key(k), out += std::to_string(v); }
  void u64(const char *k, uint64_t v) { key(k), out += std::to_string(v); }
  void opt_u64(const char *k, bool known, uint64_t v) { known ? u64(k, v) : null(k); }
  void opt_i64(const char *k, bool known, int64_t v) { known ? i64(k, v) : null(k); }
  void boolean(const char *k, bool v) { key(k), out += v ? "true" : "false"; }
  void time(const char *k, int64_t ns) { ns > 0 ? str(k, rfc3339(ns)) : null(k); }
};

void json_object(std::string &out, const Object &o) {
  const pipc_object &i = o.info;
  bool sysv = o.sysv();
  bool sem = i.kind == PIPC_KIND_SEM || i.kind == PIPC_KIND_SYSV_SEM;
  bool mq = i.kind == PIPC_KIND_MQ || i.kind == PIPC_KIND_SYSV_MQ;
  out += '{';
  Fields f{out};
  f.str("kind", kind_label(i.kind));
  sysv ? f.null("name") : f.str("name", o.name);
  f.opt_i64("key", sysv, i.key);
  f.opt_i64("id", sysv, i.id);
  f.u64("uid", i.uid);
  f.str("user", user_name(i.uid));
  f.u64("gid", i.gid);
  f.str("group", group_name(i.gid));
  char mode[8];
  snprintf(mode, sizeof mode, "%04o", i.mode & 07777);
  f.str("mode", mode);
  f.opt_u64("cuid", i.known & PIPC_KNOWN_CREATOR, i.cuid);
  f.opt_u64("cgid", i.known & PIPC_KNOWN_CREATOR, i.cgid);
  f.opt_u64("size", !sem && (!mq || (i.known & PIPC_KNOWN_MESSAGES)), i.size);
  f.opt_u64("semaphores", sem, i.semaphores);
  f.opt_i64("value", i.known & PIPC_KNOWN_VALUE, i.value);
  f.opt_u64("messages", i.known & PIPC_KNOWN_MESSAGES, i.messages);
  f.opt_u64("max_messages", i.known & PIPC_KNOWN_QUEUE_LIMITS, i.max_messages);
  f.opt_u64("max_message_size", i.known & PIPC_KNOWN_QUEUE_LIMITS, i.max_message_size);
  f.opt_u64("max_bytes", i.known & PIPC_KNOWN_MAX_BYTES, i.max_bytes);
  f.opt_u64("attaches", i.known & PIPC_KNOWN_ATTACHES, i.attaches);
  f.opt_i64("creator_pid", i.known & PIPC_KNOWN_CREATOR_PID, i.creator_pid);
  f.opt_i64("last_pid", i.known & PIPC_KNOWN_LAST_PID, i.last_pid);
  f.time("changed", i.changed_ns);
  f.time("modified", i.modified_ns);
  f.time("operated", i.operated_ns);
  f.boolean("removed", (i.state & PIPC_STATE_REMOVED) != 0);
  const char *type = libpipc_type(i);
  type ? f.str("libpipc_type", type) : f.null("libpipc_type");
  if (!o.holders_known()) {
    f.null("holders");
  } else {
    f.key("holders");
    out += '[';
    bool first = true;
    for (const auto &h : o.holders) {
      out += first ? "{" : ",{";
      first = false;
      Fields hf{out};
      hf.i64("pid", h.pid);
      hf.key("how");
      out += '[';
      std::string how = how_text(h.how);
      size_t start = 0;
      while (start < how.size()) {
        size_t comma = how.find(',', start);
        if (comma == std::string::npos) comma = how.size();
        if (start) out += ',';
        json_string(out, how.substr(start, comma - start));
        start = comma + 1;
      }
      out += ']';
      hf.u64("uid", h.uid);
      hf.str("command", h.command);
      out += '}';
    }
    out += ']';
  }
  out += '}';
}

} // namespace

void print_json(FILE *out, const Snapshot &snap, const std::vector<const Object *> &objects) {
  std::string s = "{\"schema_version\":1,\"kinds\":[";
  bool first = true;
  for (uint32_t bit = 1; bit <= PIPC_KIND_SYSV_MQ; bit <<= 1) {
    if (!(snap.kinds & bit)) continue;
    s += first ? "" : ",";
    first = false;
    json_string(s, kind_label(bit));
  }
  s += "],\"holders_scanned\":";
  s += snap.holders ? "true" : "false";
  s += ",\"unseen_processes\":";
  s += snap.holders ? std::to_string(snap.unseen) : "null";
  s += ",\"warnings\":[";
  for (size_t i = 0; i < snap.warnings.size(); ++i) {
    if (i) s += ',';
    json_string(s, snap.warnings[i]);
  }
  s += "],\"objects\":[";
  for (size_t i = 0; i < objects.size(); ++i) {
    s += i ? ",\n" : "\n";
    json_object(s, *objects[i]);
  }
  s += "\n]}\n";
  fwrite(s.data(), 1, s.size(), out);
}

void print_table(FILE *out, const std::vector<const Object *> &objects, bool holders) {
  Table t;
  t.column("KIND", false);
  t.column("NAME/KEY", false);
  t.column("ID", true);
  t.column("OWNER", false);
  t.column("PERMS", false);
  t.column("SIZE", true);
  t.column("VALUE/MSGS", true);
  if (holders) t.column("HOLDERS", false);
  t.column("CHANGED", false);
  t.column("LIBPIPC", false);
  for (const Object *o : objects) {
    const pipc_object &i = o->info;
    std::string name = name_or_key(*o);
    if (i.state & PIPC_STATE_REMOVED) name += " (removed)";
    std::vector<std::string> row{kind_label(i.kind), name, o->sysv() ? std::to_string(i.id) : "-",
                                 user_name(i.uid), mode_text(i.mode), size_cell(i), value_cell(i)};
    if (holders) row.push_back(holders_cell(*o));
    row.push_back(local_time(latest(i)));
    row.push_back(libpipc_cell(i));
    t.row(std::move(row));
  }
  t.print(out);
}

void print_detail(FILE *out, const Object &o, bool holders_scanned) {
  const pipc_object &i = o.info;
  auto line = [&](const char *field, const std::string &value) {
    fprintf(out, "%-17s %s\n", field, value.c_str());
  };
  line("kind:", kind_label(i.kind));
  if (o.sysv()) {
    line("key:", name_or_key(o) + " (" + std::to_string(i.key) + ")");
    line("id:", std::to_string(i.id));
  } else {
    line("name:", o.name);
  }
  char mode[8];
  snprintf(mode, sizeof mode, "%04o", i.mode & 07777);
  line("owner:", user_name(i.uid) + ":" + group_name(i.gid) + " (" + std::to_string(i.uid) + ":" +
                     std::to_string(i.gid) + ")");
  if (i.known & PIPC_KNOWN_CREATOR)
    line("creator:", user_name(i.cuid) + ":" + group_name(i.cgid));
  line("mode:", std::string(mode) + " (" + mode_text(i.mode) + ")");
  if (i.state & PIPC_STATE_REMOVED) line("state:", "removed, alive until its last detach");
  if (const char *type = libpipc_type(i)) line("libpipc type:", type);
  if (i.kind == PIPC_KIND_SEM || i.kind == PIPC_KIND_SYSV_SEM) {
    line("value:", (i.known & PIPC_KNOWN_VALUE) ? std::to_string(i.value) : "unknown (no permission)");
    if (o.sysv()) line("semaphores:", std::to_string(i.semaphores));
  } else {
    line(i.kind == PIPC_KIND_SHM || i.kind == PIPC_KIND_SYSV_SHM ? "size:" : "bytes queued:",
         size_cell(i));
  }
  if (i.known & PIPC_KNOWN_MESSAGES) line("messages:", num(i.messages));
  if (i.known & PIPC_KNOWN_QUEUE_LIMITS) {
    line("max messages:", num(i.max_messages));
    line("max message size:", num(i.max_message_size));
  }
  if (i.known & PIPC_KNOWN_MAX_BYTES) line("max bytes:", num(i.max_bytes));
  if (i.known & PIPC_KNOWN_ATTACHES) line("attaches:", num(i.attaches));
  if (i.known & PIPC_KNOWN_CREATOR_PID) line("creator pid:", std::to_string(i.creator_pid));
  if (i.known & PIPC_KNOWN_LAST_PID) line("last pid:", std::to_string(i.last_pid));
  line("changed:", local_time(i.changed_ns));
  if (!o.sysv()) line("modified:", local_time(i.modified_ns));
  else line("operated:", local_time(i.operated_ns));
  if (!holders_scanned || !o.holders_known()) {
    line("holders:", "unknown");
    return;
  }
  line("holders:", std::to_string(o.holders.size()));
  if (o.holders.empty()) return;
  Table t;
  t.column("  PID", true);
  t.column("HOW", false);
  t.column("USER", false);
  t.column("COMMAND", false);
  for (const auto &h : o.holders)
    t.row({std::to_string(h.pid), how_text(h.how), user_name(h.uid), h.command});
  t.print(out);
}

} // namespace cli
