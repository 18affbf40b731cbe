// pipc(1): binary-safe standard input and output.
#ifndef PIPC_CLI_IO_HPP
#define PIPC_CLI_IO_HPP

#include <cstddef>
#include <string>

namespace cli {

// All of standard input; false (errno set) on a read error.
bool read_stdin(std::string &out);
// All LEN bytes to standard output; false (errno set) on a write error.
bool write_stdout(const void *data, size_t len);

} // namespace cli

#endif
