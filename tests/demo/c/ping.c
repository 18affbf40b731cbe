/* The ping side of the message-queue ping-pong: creates the "ping" and "pong" queues, sends
 * ROUNDS pings and waits for each pong, then removes both queues.
 *   ping PING_QUEUE PONG_QUEUE ROUNDS */
#include <pipc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECONDS(n) ((int64_t)(n) * 1000000000)

static int check(int status, const char *what) {
  if (status != PIPC_OK) fprintf(stderr, "%s: %s (%s)\n", what, pipc_strerror(status), pipc_last_message());
  return status;
}

int main(int argc, char **argv) {
  pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
  pipc_mq *ping = NULL, *pong = NULL;
  int rc, rounds;
  if (argc != 4 || (rounds = atoi(argv[3])) <= 0) {
    fprintf(stderr, "usage: %s PING_QUEUE PONG_QUEUE ROUNDS\n", argv[0]);
    return 2;
  }
  opts.flags = PIPC_CREX;
  opts.max_messages = 4;
  opts.max_message_size = 128;
  rc = check(pipc_mq_open(&ping, argv[1], &opts), "pipc_mq_open ping");
  if (rc == PIPC_OK) rc = check(pipc_mq_open(&pong, argv[2], &opts), "pipc_mq_open pong");
  printf("queues %s and %s are ready\n", argv[1], argv[2]);
  fflush(stdout);
  for (int i = 1; rc == PIPC_OK && i <= rounds; ++i) {
    char text[256];
    size_t len = 0;
    snprintf(text, sizeof text, "ping %d from C", i);
    rc = check(pipc_mq_send(ping, text, strlen(text), 0, SECONDS(30)), "pipc_mq_send");
    if (rc == PIPC_OK) rc = check(pipc_mq_receive(&len, NULL, pong, text, sizeof text - 1, SECONDS(30)), "waiting for a pong");
    if (rc == PIPC_OK) printf("sent ping %d, got \"%.*s\"\n", i, (int)len, text);
  }
  if (ping != NULL) pipc_mq_unlink(ping);
  if (pong != NULL) pipc_mq_unlink(pong);
  pipc_mq_close(ping);
  pipc_mq_close(pong);
  return rc == PIPC_OK ? 0 : 1;
}
