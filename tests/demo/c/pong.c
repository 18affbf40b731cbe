/* The pong side of the message-queue ping-pong: waits for pings with epoll on the queue's
 * descriptor (as one would among other descriptors), answers each on the pong queue.
 *   pong PING_QUEUE PONG_QUEUE ROUNDS */
#include <pipc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

static int check(int status, const char *what) {
  if (status != PIPC_OK) fprintf(stderr, "%s: %s (%s)\n", what, pipc_strerror(status), pipc_last_message());
  return status;
}

int main(int argc, char **argv) {
  pipc_mq *ping = NULL, *pong = NULL;
  int rc, rounds, fd = -1, epoll = -1;
  if (argc != 4 || (rounds = atoi(argv[3])) <= 0) {
    fprintf(stderr, "usage: %s PING_QUEUE PONG_QUEUE ROUNDS\n", argv[0]);
    return 2;
  }
  rc = check(pipc_mq_open(&ping, argv[1], NULL), "pipc_mq_open ping");
  if (rc == PIPC_OK) rc = check(pipc_mq_open(&pong, argv[2], NULL), "pipc_mq_open pong");
  if (rc == PIPC_OK) rc = check(pipc_mq_fd(&fd, ping), "pipc_mq_fd");
  if (rc == PIPC_OK) {
    struct epoll_event readable = {.events = EPOLLIN, .data = {.fd = fd}};
    epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &readable) != 0) rc = PIPC_ERROR;
  }
  for (int i = 1; rc == PIPC_OK && i <= rounds; ++i) {
    struct epoll_event event;
    char text[256];
    size_t len = 0;
    if (epoll_wait(epoll, &event, 1, 30000) != 1) {
      fprintf(stderr, "epoll_wait: no ping within 30 s\n");
      rc = PIPC_ETIMEDOUT;
      break;
    }
    rc = check(pipc_mq_receive(&len, NULL, ping, text, sizeof text - 1, 0), "pipc_mq_receive");
    if (rc != PIPC_OK) break;
    printf("epoll says the queue is readable: \"%.*s\"\n", (int)len, text);
    snprintf(text, sizeof text, "pong %d from C", i);
    rc = check(pipc_mq_send(pong, text, strlen(text), 0, 0), "pipc_mq_send");
  }
  if (epoll >= 0) close(epoll);
  pipc_mq_close(ping);
  pipc_mq_close(pong);
  return rc == PIPC_OK ? 0 : 1;
}
