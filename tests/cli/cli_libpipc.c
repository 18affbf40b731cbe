/* Test helper of tests/cli: creates one of libpipc's own objects, exclusively, and exits
 * (the object stays, as a shared memory segment, until it is removed).
 * Usage: cli_libpipc mutex|cond|channel NAME [MESSAGES]
 * A channel has 16 slots of 64 bytes and MESSAGES ("msg") sent to it. */
#include <pipc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int die(const char *what, int rc) {
  fprintf(stderr, "cli_libpipc: %s: %s: %s\n", what, pipc_strerror(rc), pipc_last_message());
  return 1;
}

static int make_channel(const char *name, long messages) {
  pipc_channel_options o = PIPC_CHANNEL_OPTIONS_INIT;
  pipc_channel *c;
  int rc;
  o.flags = PIPC_CREX;
  o.slots = 16;
  o.max_message_size = 64;
  if ((rc = pipc_channel_open(&c, name, &o)) != PIPC_OK) return die("channel", rc);
  for (long i = 0; i < messages; ++i) {
    if ((rc = pipc_channel_send(c, "msg", 3, 0)) != PIPC_OK) return die("channel send", rc);
  }
  return pipc_channel_close(c) == PIPC_OK ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: cli_libpipc mutex|cond|channel NAME [MESSAGES]\n");
    return 2;
  }
  const char *type = argv[1], *name = argv[2];
  int rc;
  if (strcmp(type, "channel") == 0) return make_channel(name, argc == 4 ? atol(argv[3]) : 0);
  if (strcmp(type, "mutex") == 0) {
    pipc_mutex_options o = PIPC_MUTEX_OPTIONS_INIT;
    pipc_mutex *m;
    o.flags = PIPC_CREX;
    if ((rc = pipc_mutex_open(&m, name, &o)) != PIPC_OK) return die("mutex", rc);
    return pipc_mutex_close(m) == PIPC_OK ? 0 : 1;
  }
  if (strcmp(type, "cond") == 0) {
    pipc_cond_options o = PIPC_COND_OPTIONS_INIT;
    pipc_cond *c;
    o.flags = PIPC_CREX;
    if ((rc = pipc_cond_open(&c, name, &o)) != PIPC_OK) return die("cond", rc);
    return pipc_cond_close(c) == PIPC_OK ? 0 : 1;
  }
  fprintf(stderr, "cli_libpipc: unknown type %s\n", type);
  return 2;
}
