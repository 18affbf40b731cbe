// pipc(1): command-line parsing — options, numbers, durations, kinds, object targets.
#ifndef PIPC_CLI_ARGS_HPP
#define PIPC_CLI_ARGS_HPP

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cli {

struct OptionSpec {
  const char *name;  // long name without "--"
  bool takes_value;
  char short_name;   // 0: none
};

// The parsed command line of one verb. "--help"/"-h" is always known.
struct Parsed {
  std::map<std::string, std::string> options; // long name -> value ("" for flags)
  std::vector<std::string> operands;          // "-" is an operand (stdin)
  bool has(const std::string &name) const { return options.count(name) != 0; }
  std::string get(const std::string &name, const std::string &fallback = "") const;
};

// Parses ARGV[1..ARGC) (ARGV[0] is the verb) against SPEC; "--opt=value" and "--opt value";
// "--" ends the options. Throws UsageError for an unknown option or a missing value.
Parsed parse_args(int argc, char **argv, const std::vector<OptionSpec> &spec);

// Whole numbers in decimal or 0x hexadecimal (and a leading '-'); WHAT names the option
// in the UsageError.
int64_t parse_int(const std::string &text, const std::string &what);
uint64_t parse_unsigned(const std::string &text, const std::string &what);
// Permission bits in octal (600, 0640).
uint32_t parse_mode(const std::string &text);
// A duration: a number and a unit (ns, us, ms, s, m, h, d; none: seconds), "forever" or
// "inf" for PIPC_FOREVER. Gives nanoseconds.
int64_t parse_duration(const std::string &text, const std::string &what);

// Kinds: "sem,shm,mq,sysv-sem,sysv-shm,sysv-mq" (also sysv_sem...), "posix", "sysv", "all".
uint32_t parse_kinds(const std::string &text);
// One kind bit's name as pipc(1) prints it ("sysv-sem").
const char *kind_label(uint32_t kind);

// The object a verb works on: a POSIX NAME, or a System V --key or --id.
struct Target {
  std::string name;     // POSIX name ("" if by key or id)
  bool by_key = false;
  bool by_id = false;
  int64_t key = 0;
  int64_t id = -1;
  std::string describe() const; // "/jobs", "key 0x0000abcd", "id 42"
};

// Takes the target from --key/--id, or else from OPERANDS[0] (removed from OPERANDS).
// A name without a leading '/' gets one. Throws UsageError when missing or doubled.
Target take_target(Parsed &parsed);

} // namespace cli

#endif
