// pipc(1): the command-line tool over libpipc's public C API. This file dispatches the
// verbs, prints the help texts and the error line; each verb group has a file of its own.
#include "cli.hpp"
#include "snapshot.hpp"

#include <pipc/errors.h>
#include <pipc/version.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace cli {

int fail(const char *verb, int status) {
  const char *detail = pipc_last_message();
  if (detail && *detail) fprintf(stderr, "pipc %s: %s: %s\n", verb, pipc_strerror(status), detail);
  else fprintf(stderr, "pipc %s: %s\n", verb, pipc_strerror(status));
  return status == PIPC_ETIMEDOUT || status == PIPC_EAGAIN ? kExitTimeout : kExitError;
}

void complain(const char *verb, const std::string &message) {
  fprintf(stderr, "pipc %s: %s\n", verb, message.c_str());
}

namespace {

const char kKinds[] =
    "Kinds: sem, shm, mq (POSIX), sysv-sem, sysv-shm, sysv-mq (System V); posix, sysv, all.\n";
const char kTargets[] =
    "NAME is a POSIX name (/jobs; the leading / may be left out); System V objects are\n"
    "named by --key K (decimal or 0x hex) or --id I.\n";
const char kDurations[] =
    "Durations: a number and a unit: 500ms, 2s, 1m, 1h, 7d (ns, us, ms, s, m, h, d; none: s),\n"
    "or 'forever'. --timeout 0 tries once.\n";

struct Verb {
  const char *name;
  VerbFn fn;
  const char *usage;
  const char *help;
  bool inventory; // lists objects: POSIX queues need the mqueue filesystem
};

const Verb kVerbs[] = {
    {"ls", verb_ls, "pipc ls [--kind K[,K...]] [--user U] [--holders] [--json]",
     "List the IPC objects of the six kinds in one table; LIBPIPC tells which of libpipc's\n"
     "own objects a shm segment holds (mutex, cond, channel MESSAGES/SLOTS x SIZE B).\n"
     "  -k, --kind K   only these kinds (comma-separated)\n"
     "  -u, --user U   only objects owned by user U (name or uid)\n"
     "      --holders  also find the processes holding each object (HOLDERS column)\n"
     "      --json     JSON per docs/pipc-json-schema.json instead of the table\n",
     true},
    {"show", verb_show, "pipc show NAME | --key K | --id I [--kind K] [--json]",
     "Everything known about one object, with the processes that hold it (pid, how:\n"
     "fd, map, attach, last-op, creator; and command line). A POSIX name that exists as\n"
     "several kinds shows each of them.\n",
     true},
    {"rm", verb_rm, "pipc rm NAME... | --key K | --id I [--kind K]",
     "Remove objects. A POSIX NAME that exists as several kinds (a sem, shm and mq may\n"
     "share it) needs --kind, as does a key or id found in several System V kinds;\n"
     "--kind posix (or sysv) removes every one.\n",
     true},
    {"clean", verb_clean,
     "pipc clean [--kind K] [--prefix P] [--older-than D] [--dry-run] [--ignore-unseen]",
     "Remove the objects no live process holds (what crashed programs left behind),\n"
     "printing 'removed ...' for each, and 'kept ...: why' for each it keeps.\n"
     "  -k, --kind K          only these kinds\n"
     "      --prefix P        only POSIX objects whose name begins with P\n"
     "      --older-than D    only objects unchanged and unused for D\n"
     "  -n, --dry-run         print 'would remove ...' and remove nothing\n"
     "      --ignore-unseen   remove POSIX objects even when some processes could not be\n"
     "                        inspected (another user's, when not root)\n"
     "An object is kept when a live process holds it (fd, mapping, attachment, or a\n"
     "System V last operation or creation by a live process), when a System V segment\n"
     "is attached anywhere, when its holders cannot be found, for POSIX objects when\n"
     "some processes could not be inspected, and for System V semaphores and queues\n"
     "never operated on (no process to check) unless --older-than is given.\n",
     true},
    {"create", verb_create,
     "pipc create KIND [NAME] | --key K|random [--size N] [--value N]\n"
     "            [--max-messages N --max-message-size N] [--max-bytes N] [--mode M] [--exclusive]",
     "Create an object (or open it if it exists, unless --exclusive) and print its name\n"
     "(POSIX; a random one without NAME) or its key and id (System V; --key random or\n"
     "no --key picks an unused key).\n"
     "  --size N (shm, sysv-shm), --value N (sem, sysv-sem), --max-messages N and\n"
     "  --max-message-size N (mq), --max-bytes N (sysv-mq), -m/--mode M (octal, 600),\n"
     "  -x/--exclusive (fail if it exists)\n",
     false},
    {"send", verb_send, "pipc send NAME | --key K | --id I DATA [--priority N | --type N] [--timeout D]",
     "Send DATA (\"-\": all of standard input, binary-safe) as one message to a POSIX\n"
     "queue (priority N, default 0) or a System V queue (type N, default 1), waiting\n"
     "up to D for room (default: forever).\n",
     false},
    {"receive", verb_receive, "pipc receive NAME | --key K | --id I [--timeout D] [--type N] [-v]",
     "Receive one message and write it to standard output as it is (binary-safe).\n"
     "System V: --type N selects (0 the first, > 0 that type, < 0 the lowest <= |N|).\n"
     "  -v, --verbose   the priority or type and length to standard error\n",
     false},
    {"post", verb_post, "pipc post NAME | --key K | --id I",
     "Release (add one to) a POSIX or System V semaphore.\n", false},
    {"wait", verb_wait, "pipc wait NAME | --key K | --id I [--timeout D]",
     "Acquire (take one from) a POSIX or System V semaphore, waiting up to D (default:\n"
     "forever). Exit 3 when the time runs out.\n",
     false},
    {"read", verb_read, "pipc read NAME | --key K | --id I [--offset N] [--length N]",
     "Write bytes of a shared memory segment to standard output (default: from the\n"
     "offset to the end).\n",
     false},
    {"write", verb_write, "pipc write NAME | --key K | --id I [--offset N]",
     "Copy standard input into a shared memory segment at the offset (default 0); the\n"
     "segment's size does not change, so the data must fit.\n",
     false},
};

const char kExitCodes[] =
    "Exit status: 0 done; 1 error (the message says which); 2 usage (bad command line,\n"
    "or a name that needs --kind); 3 timeout (a wait ran out, or --timeout 0 found\n"
    "nothing).\n";

void print_main_help(FILE *out) {
  fprintf(out, "usage: pipc VERB [OPTIONS]...   (pipc VERB --help for one verb)\n\n"
               "Lists, inspects, removes and uses POSIX and System V semaphores, shared\n"
               "memory and message queues (libpipc %s).\n\nVerbs:\n",
          pipc_version());
  for (const Verb &v : kVerbs) fprintf(out, "  %s\n", v.usage);
  fprintf(out, "\n%s%s%s\n%s\nMore: man pipc\n", kKinds, kTargets, kDurations, kExitCodes);
}

void print_verb_help(const Verb &v) {
  printf("usage: %s\n\n%s\n%s%s%s\n%s", v.usage, v.help, kKinds, kTargets, kDurations, kExitCodes);
}

} // namespace

} // namespace cli

int main(int argc, char **argv) {
  using namespace cli;
  if (argc < 2) {
    fprintf(stderr, "pipc: missing VERB\n");
    print_main_help(stderr);
    return kExitUsage;
  }
  std::string first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    if (first == "help" && argc > 2) {
      for (const Verb &v : kVerbs)
        if (std::strcmp(v.name, argv[2]) == 0) return print_verb_help(v), kExitOk;
    }
    print_main_help(stdout);
    return kExitOk;
  }
  if (first == "--version" || first == "-V") {
    printf("pipc %s\n", pipc_version());
    return kExitOk;
  }
  for (const Verb &v : kVerbs) {
    if (first != v.name) continue;
    try {
      for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--") == 0) break;
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
          print_verb_help(v);
          return kExitOk;
        }
      }
      if (v.inventory) prepare_mqueue_view();
      return v.fn(argc - 1, argv + 1);
    } catch (const UsageError &e) {
      fprintf(stderr, "pipc %s: %s\nusage: %s\n(pipc %s --help for more)\n", v.name,
              e.message.c_str(), v.usage, v.name);
      return kExitUsage;
    }
  }
  fprintf(stderr, "pipc: unknown verb '%s' (pipc --help lists them)\n", first.c_str());
  return kExitUsage;
}
