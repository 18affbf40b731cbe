// pipc(1): output — the aligned table, JSON (docs/pipc-json-schema.json), show's detail.
#ifndef PIPC_CLI_OUTPUT_HPP
#define PIPC_CLI_OUTPUT_HPP

#include "snapshot.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace cli {

// Columns padded to their widest cell; numeric columns right-aligned; the last column
// is not padded.
class Table {
public:
  void column(const std::string &title, bool right_aligned);
  void row(std::vector<std::string> cells);
  void print(FILE *out) const;

private:
  std::vector<std::string> titles_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

std::string user_name(uint32_t uid);  // the login name, or the number
std::string group_name(uint32_t gid);
std::string mode_text(uint32_t mode); // "rw-r-----"
std::string local_time(int64_t ns);   // "2025-05-20 12:34:56", "-" for 0
std::string name_or_key(const Object &o); // "/jobs" or "0x0000abcd"

// The JSON document of pipc ls --json and pipc show --json (schema version 1).
void print_json(FILE *out, const Snapshot &snap, const std::vector<const Object *> &objects);
// pipc ls's table.
void print_table(FILE *out, const std::vector<const Object *> &objects, bool holders);
// pipc show's "field: value" block for one object.
void print_detail(FILE *out, const Object &o, bool holders_scanned);

} // namespace cli

#endif
