/* Queue notification: creates the queue NAME, asks to be told (by a callback on a thread of
 * libpipc's) when it turns non-empty, says it is waiting, and receives COUNT messages, one
 * notification at a time: the notification is armed again before each receive.
 *   notified QUEUE COUNT */
#include <pipc.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

#define SECONDS(n) ((int64_t)(n) * 1000000000)

static sem_t arrived;

static void on_message(void *arg) {
  (void)arg;
  sem_post(&arrived);  /* async-signal-safe, and all a callback needs to do */
}

static int check(int status, const char *what) {
  if (status != PIPC_OK) fprintf(stderr, "%s: %s (%s)\n", what, pipc_strerror(status), pipc_last_message());
  return status;
}

int main(int argc, char **argv) {
  pipc_mq_options opts = PIPC_MQ_OPTIONS_INIT;
  pipc_mq *queue = NULL;
  int rc, count;
  if (argc != 3 || (count = atoi(argv[2])) <= 0) {
    fprintf(stderr, "usage: %s QUEUE COUNT\n", argv[0]);
    return 2;
  }
  sem_init(&arrived, 0, 0);
  opts.flags = PIPC_CREX;
  opts.max_messages = 4;
  opts.max_message_size = 128;
  rc = check(pipc_mq_open(&queue, argv[1], &opts), "pipc_mq_open");
  for (int i = 0; rc == PIPC_OK && i < count; ++i) {
    char text[256];
    size_t len = 0;
    unsigned priority = 0;
    rc = check(pipc_mq_notify_callback(queue, on_message, NULL), "pipc_mq_notify_callback");
    if (rc != PIPC_OK) break;
    printf("waiting for a notification on %s\n", argv[1]);
    fflush(stdout);
    sem_wait(&arrived);
    rc = check(pipc_mq_receive(&len, &priority, queue, text, sizeof text, SECONDS(5)), "pipc_mq_receive");
    if (rc == PIPC_OK) printf("notified: \"%.*s\" (priority %u)\n", (int)len, text, priority);
  }
  if (queue != NULL) pipc_mq_unlink(queue);
  pipc_mq_close(queue);
  return rc == PIPC_OK ? 0 : 1;
}
