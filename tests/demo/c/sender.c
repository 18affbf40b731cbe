/* Sends one message to the existing queue NAME: the other side of the notification demo.
 *   sender QUEUE TEXT PRIORITY */
#include <pipc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  pipc_mq *queue = NULL;
  int rc;
  if (argc != 4) {
    fprintf(stderr, "usage: %s QUEUE TEXT PRIORITY\n", argv[0]);
    return 2;
  }
  rc = pipc_mq_open(&queue, argv[1], NULL);
  if (rc == PIPC_OK) rc = pipc_mq_send(queue, argv[2], strlen(argv[2]), (unsigned)atoi(argv[3]), 0);
  if (rc != PIPC_OK) fprintf(stderr, "%s: %s\n", pipc_strerror(rc), pipc_last_message());
  pipc_mq_close(queue);
  return rc == PIPC_OK ? 0 : 1;
}
