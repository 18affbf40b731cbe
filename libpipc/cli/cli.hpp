// pipc(1): what every verb file shares — exit codes, the error line, the verb signature.
#ifndef PIPC_CLI_CLI_HPP
#define PIPC_CLI_CLI_HPP

#include <string>

namespace cli {

// Exit codes (documented in pipc(1) and docs/pipc.md).
enum Exit {
  kExitOk = 0,      // done
  kExitError = 1,   // the library or the OS refused (the stderr line says why)
  kExitUsage = 2,   // bad command line, or a NAME that needs --kind to be unambiguous
  kExitTimeout = 3, // a wait ran out (--timeout), or --timeout 0 found nothing to take
};

// Thrown by argument parsing and the verbs for a bad command line: main prints
// "pipc VERB: MESSAGE" and a pointer to --help, and exits kExitUsage.
struct UsageError {
  std::string message;
};

// Prints "pipc VERB: <pipc_strerror(status)>: <pipc_last_message()>" on stderr and gives
// the exit code for STATUS (kExitTimeout for PIPC_ETIMEDOUT and PIPC_EAGAIN).
int fail(const char *verb, int status);

// Prints "pipc VERB: MESSAGE" on stderr (a problem that is not a library status).
void complain(const char *verb, const std::string &message);

// A verb: ARGV[0] is the verb's name, the options and operands follow.
using VerbFn = int (*)(int argc, char **argv);

int verb_ls(int argc, char **argv);
int verb_show(int argc, char **argv);
int verb_rm(int argc, char **argv);
int verb_clean(int argc, char **argv);
int verb_create(int argc, char **argv);
int verb_send(int argc, char **argv);
int verb_receive(int argc, char **argv);
int verb_post(int argc, char **argv);
int verb_wait(int argc, char **argv);
int verb_read(int argc, char **argv);
int verb_write(int argc, char **argv);

} // namespace cli

#endif
