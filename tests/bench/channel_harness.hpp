// The channel benchmark's harness: any message transport, described by a small table
// of functions, timed between two forked processes that start together.
//
// A run creates the transport's objects in the parent (random names), forks two
// children that open their ends, exchange a few untimed warm-up messages and wait at
// a start barrier; once both are there the parent removes every name (the objects
// live on while open), starts the clock and lets them go. Throughput: child 0 sends
// N messages, child 1 receives and checks them (in order, none missing, full
// length). Ping-pong: child 0 sends and waits for the answer N times. Children die
// with the parent (PR_SET_PDEATHSIG); a child that fails, a hang past the watchdog,
// or SIGINT/SIGTERM/SIGHUP kills both and removes the objects before exiting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace chbench {

// What a run asks of a transport.
struct Spec {
  size_t message_size;  // every message has exactly this many bytes (>= 8: a sequence number)
  uint32_t slots;       // capacity, for the transports that take one
  uint32_t spin_ns;     // for the transports that can spin before sleeping
  bool duplex;          // ping-pong: direction 1 (child 1 -> child 0) is needed too
};

// A transport. Directions: 0 is child 0 -> child 1, 1 the way back. Any function
// may call fail() on an error; none returns an error.
struct Transport {
  const char *name;
  bool payload;  // false: carries no bytes (a semaphore pair); receive returns 0
  // Parent, before the fork: makes the objects; returns their description (inherited
  // by the children), which it hands to adopt() before making the first object.
  void *(*create)(const Spec &spec);
  // Child ROLE (0 or 1) after the fork: opens its end; returns its own state.
  void *(*open)(void *shared, int role, const Spec &spec);
  void (*send)(void *end, int dir, const void *data, size_t len);
  size_t (*receive)(void *end, int dir, void *buf, size_t cap);
  void (*close)(void *end);
  // Parent, once both children have opened: removes the names (may be null).
  void (*unlink)(void *shared);
  // Parent, at the end or on failure: removes whatever remains and frees SHARED.
  // Must be safe after unlink and after a partial create.
  void (*destroy)(void *shared);
};

enum class Mode { throughput, pingpong };

struct Result {
  double seconds;  // from the start signal to the last message (child 1 for
                   // throughput, child 0's last answer for ping-pong)
  long messages;   // messages (throughput) or round trips (ping-pong)
  double cpu_seconds;  // CPU time (user + system) both children spent in the timed phase
  double p50_ns, p99_ns;  // ping-pong: the median and 99th percentile round trip (0 otherwise)
};

// Runs N messages or round trips (after WARMUP untimed ones) of T between two
// processes. Never returns on failure: reports it, cleans up and exits 1.
Result run(const Transport &t, const Spec &spec, Mode mode, long n, long warmup);

// Reports an error (with errno's text) and ends the process: in a child the parent
// is told and cleans up; in the parent the children are killed and objects removed.
[[noreturn]] void fail(const char *what);
[[noreturn]] void failf(const char *format, ...) __attribute__((format(printf, 1, 2)));

// "/pipc_chbench_<16 hex digits>", from getrandom: for POSIX names (drop the slash
// where a library wants none).
std::string random_name();

// Called by a transport's create with its state before it makes any object, so that
// a failure half-way still removes what exists (by destroy).
void adopt(void *shared);

// Monotonic nanoseconds.
uint64_t now_ns();

// Where the two children run. The scheduler's choice varies from run to run (two
// processes that wake each other are often put on one CPU, sometimes not), and the
// mechanisms differ in kind between the two cases: on two CPUs every hand-off moves
// cache lines and a sleeper's wake-up crosses CPUs; on one, nothing is shared and a
// wake-up is a switch. Pinning makes a run measure one case.
enum class Placement {
  scheduler,  // wherever the scheduler puts them
  apart,      // each on a CPU of its own (the first two this process may use)
  together,   // both on the first CPU this process may use
};

// Pins the children as P says from now on. Returns false (and pins nothing) for
// Placement::apart with fewer than two CPUs.
bool set_placement(Placement p);

// Must run before the first run(): maps the children's shared control block and
// blocks the signals the parent waits for.
void init();

// The transports (channel_transports.cpp, channel_transport_pipc.cpp,
// channel_transport_boost.cpp).
extern const Transport channel_transport;  // libpipc channel, pipc_channel_send/receive
extern const Transport posix_mq_transport;
extern const Transport sysv_mq_transport;
extern const Transport pipe_transport;
extern const Transport socket_transport;   // SOCK_SEQPACKET socketpair
extern const Transport semaphore_transport;  // unnamed process-shared sem_t pair, no payload
extern const Transport ring_transport;     // bare busy-polling SPSC ring in shared memory
#ifdef PIPC_BENCH_BOOST
extern const Transport boost_transport;    // boost::interprocess::message_queue
#endif

// System limits shown in the row names.
long posix_mq_msg_max();  // /proc/sys/fs/mqueue/msg_max
long sysv_msgmnb();       // /proc/sys/kernel/msgmnb
long pipe_capacity();     // a new pipe's F_GETPIPE_SZ

}  // namespace chbench
