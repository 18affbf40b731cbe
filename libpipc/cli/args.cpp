// pipc(1): command-line parsing.
#include "args.hpp"

#include "cli.hpp"

#include <pipc/inventory.h>

#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cli {

std::string Parsed::get(const std::string &name, const std::string &fallback) const {
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

Parsed parse_args(int argc, char **argv, const std::vector<OptionSpec> &spec) {
  Parsed out;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (options_done || arg == "-" || arg.size() < 2 || arg[0] != '-' ||
        (arg[1] >= '0' && arg[1] <= '9')) {
      out.operands.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      out.options["help"] = "";
      continue;
    }
    const OptionSpec *found = nullptr;
    std::string value;
    bool has_value = false;
    if (arg[1] == '-') {
      std::string name = arg.substr(2);
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      for (const auto &o : spec)
        if (name == o.name) found = &o;
    } else if (arg.size() == 2) {
      for (const auto &o : spec)
        if (o.short_name == arg[1]) found = &o;
    }
    if (!found) throw UsageError{"unknown option " + arg};
    if (found->takes_value && !has_value) {
      if (i + 1 >= argc) throw UsageError{std::string("--") + found->name + " needs a value"};
      value = argv[++i];
    } else if (!found->takes_value && has_value) {
      throw UsageError{std::string("--") + found->name + " takes no value"};
    }
    out.options[found->name] = value;
  }
  return out;
}

int64_t parse_int(const std::string &text, const std::string &what) {
  const char *s = text.c_str();
  bool negative = *s == '-';
  if (negative) ++s;
  int base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
    throw UsageError{what + ": not a number: '" + text + "'"};
  errno = 0;
  char *end = nullptr;
  unsigned long long v = strtoull(s, &end, base);
  if (*end != '\0') throw UsageError{what + ": not a number: '" + text + "'"};
  if (errno == ERANGE || v > (negative ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)INT64_MAX))
    throw UsageError{what + ": out of range: '" + text + "'"};
  return negative ? (int64_t)(0 - v) : (int64_t)v;
}

uint64_t parse_unsigned(const std::string &text, const std::string &what) {
  int64_t v = parse_int(text, what);
  if (v < 0) throw UsageError{what + ": must not be negative: '" + text + "'"};
  return (uint64_t)v;
}

uint32_t parse_mode(const std::string &text) {
  char *end = nullptr;
  errno = 0;
  unsigned long v = strtoul(text.c_str(), &end, 8);
  if (text.empty() || *end != '\0' || errno || v > 07777 || text[0] == '-')
    throw UsageError{"--mode: not octal permission bits: '" + text + "'"};
  return (uint32_t)v;
}

int64_t parse_duration(const std::string &text, const std::string &what) {
  if (text == "forever" || text == "inf" || text == "infinity") return PIPC_FOREVER;
  size_t digits = 0;
  while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.'))
    ++digits;
  std::string number = text.substr(0, digits), unit = text.substr(digits);
  static const struct { const char *unit; double ns; } units[] = {
      {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"", 1e9}, {"s", 1e9},
      {"m", 60e9}, {"min", 60e9}, {"h", 3600e9}, {"d", 86400e9}};
  char *end = nullptr;
  double n = strtod(number.c_str(), &end);
  if (number.empty() || *end != '\0')
    throw UsageError{what + ": not a duration (like 500ms, 2s, 1m, 1h, 7d): '" + text + "'"};
  for (const auto &u : units) {
    if (unit == u.unit) {
      double ns = n * u.ns;
      if (ns > 9.2e18) throw UsageError{what + ": too long: '" + text + "'"};
      return (int64_t)ns;
    }
  }
  throw UsageError{what + ": unknown unit '" + unit + "' (ns, us, ms, s, m, h, d)"};
}

namespace {
// The tool's labels; the library's own names (pipc_kind_name: sysv_sem, ...) are
// accepted too.
const struct { const char *label; uint32_t kinds; } kKindNames[] = {
    {"sem", PIPC_KIND_SEM},          {"shm", PIPC_KIND_SHM},
    {"mq", PIPC_KIND_MQ},            {"sysv-sem", PIPC_KIND_SYSV_SEM},
    {"sysv-shm", PIPC_KIND_SYSV_SHM}, {"sysv-mq", PIPC_KIND_SYSV_MQ},
    {"posix", PIPC_KIND_POSIX},      {"sysv", PIPC_KIND_SYSV},
    {"all", PIPC_KIND_ALL}};

uint32_t kind_named(const std::string &word) {
  for (const auto &k : kKindNames)
    if (word == k.label) return k.kinds;
  for (uint32_t bit = 1; bit & PIPC_KIND_ALL; bit <<= 1)
    if (word == pipc_kind_name(bit)) return bit;
  return 0;
}
}

uint32_t parse_kinds(const std::string &text) {
  uint32_t kinds = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string word = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const uint32_t named = kind_named(word);
    if (named == 0)
      throw UsageError{"unknown kind '" + word +
                       "' (sem, shm, mq, sysv-sem, sysv-shm, sysv-mq, posix, sysv, all)"};
    kinds |= named;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return kinds;
}

const char *kind_label(uint32_t kind) {
  for (const auto &k : kKindNames)
    if (k.kinds == kind) return k.label;
  return "?";
}

std::string Target::describe() const {
  char buf[64];
  if (by_key) {
    snprintf(buf, sizeof buf, "key 0x%08" PRIx32, (uint32_t)key);
    return buf;
  }
  if (by_id) {
    snprintf(buf, sizeof buf, "id %" PRId64, id);
    return buf;
  }
  return name;
}

Target take_target(Parsed &parsed) {
  Target t;
  if (parsed.has("key")) {
    t.by_key = true;
    t.key = parse_int(parsed.get("key"), "--key");
    if (t.key < INT32_MIN || t.key > (int64_t)UINT32_MAX)
      throw UsageError{"--key: out of range (a 32-bit key)"};
    if (t.key > INT32_MAX) t.key = (int32_t)(uint32_t)t.key; // 0xffffffff is -1, as ipcs shows it
  }
  if (parsed.has("id")) {
    if (t.by_key) throw UsageError{"give --key or --id, not both"};
    t.by_id = true;
    t.id = parse_int(parsed.get("id"), "--id");
    if (t.id < 0) throw UsageError{"--id: must not be negative"};
  }
  if (!t.by_key && !t.by_id) {
    if (parsed.operands.empty()) throw UsageError{"missing NAME (or --key K / --id I)"};
    t.name = parsed.operands.front();
    parsed.operands.erase(parsed.operands.begin());
    if (t.name.empty()) throw UsageError{"empty NAME"};
    if (t.name[0] != '/') t.name = "/" + t.name;
  }
  return t;
}

} // namespace cli
