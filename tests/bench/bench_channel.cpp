// libpipc's channel against the other ways two processes pass messages, side by side
// in one run (issue 16's C benchmark).
//
// Throughput: one producer process sends N messages of 64 B or 4 KiB to one consumer
// process, through: the channel (blocking, and spinning before it sleeps), a POSIX
// queue (raw mq_send/mq_receive, msg_max slots), a System V queue (msgsnd/msgrcv), a
// pipe, a SOCK_SEQPACKET socketpair, Boost.Interprocess message_queue (the channel's
// slot count, and msg_max slots like the POSIX queue) and a bare busy-polling SPSC
// ring in shared memory, the practical limit. Latency: ping-pong round trips of 64 B
// through the channel (blocking, spinning), a POSIX queue, a POSIX semaphore pair (the
// futex wake-up floor, no payload) and the ring, each round trip timed: the median
// round trip (judged) is what the mechanism costs, the mean also counts every wait for
// a core that other programs hold. Every case runs once per round, cases alternating,
// and the median round is reported, with the channel's ratio to each and the issue's
// goals judged on the figures of this one run.
//
// Run: meson test -C build --benchmark 'channel' -v, or the binary:
//   bench_channel [--quick] [--rounds N] [--seconds S] [--slots N] [--spin NS]
//                 [--placement scheduler|apart|together] [FILTER]
// --quick is a smoke run for CI (few messages, one round, goals not judged).
// --placement apart puts the two processes on two different CPUs, together on one
// (by default the scheduler places them, differently from run to run). FILTER
// keeps the cases whose name contains it (the channel's own rows always run). Timing
// never makes the program fail; a transport error, a lost, reordered or torn message,
// or a hang does.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "channel_harness.hpp"
#include "pipc.h"

using namespace chbench;

namespace {

struct Options {
  bool quick = false;
  int rounds = 5;
  double seconds = 0.2;  // the length of one timed run (calibrated per case)
  uint32_t slots = 1024;
  uint32_t spin_ns = 20000;
  Placement placement = Placement::scheduler;
  std::string filter;
};

struct Case {
  std::string label;
  const Transport *transport;
  uint32_t slots;
  uint32_t spin_ns;
  bool is_channel;
};

struct Figures {
  std::vector<double> samples;  // one per round: messages (or round trips) per second
  std::vector<double> cpu;      // one per round: CPU ns of both processes per message
  std::vector<double> p50, p99;  // ping-pong, one per round: round trip percentiles in ns
  long n = 0;                   // the calibrated count per run
  static double median_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
  }
  double median() const { return median_of(samples); }
  double cpu_median() const { return median_of(cpu); }
  double p50_us() const { return median_of(p50) / 1000; }
  double p99_us() const { return median_of(p99) / 1000; }
  double spread() const {  // (max - min) / median
    if (samples.size() < 2) return 0;
    const auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
    return (*hi - *lo) / median();
  }
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: bench_channel [--quick] [--rounds N] [--seconds S] [--slots N] [--spin NS] "
               "[--placement scheduler|apart|together] [FILTER]\n");
  std::exit(2);
}

Placement placement_named(const std::string &name) {
  if (name == "scheduler") return Placement::scheduler;
  if (name == "apart") return Placement::apart;
  if (name == "together") return Placement::together;
  usage();
}

const char *placement_text(Placement p) {
  switch (p) {
    case Placement::scheduler: return "placed by the scheduler (--placement apart or together pins them)";
    case Placement::apart: return "pinned, one CPU each (--placement apart)";
    case Placement::together: return "pinned, both on one CPU (--placement together)";
  }
  return "";
}

Options parse(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char * {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (arg == "--quick") {
      o.quick = true;
    } else if (arg == "--rounds") {
      o.rounds = std::atoi(value());
    } else if (arg == "--seconds") {
      o.seconds = std::atof(value());
    } else if (arg == "--slots") {
      o.slots = static_cast<uint32_t>(std::strtoul(value(), nullptr, 10));
    } else if (arg == "--placement") {
      o.placement = placement_named(value());
    } else if (arg == "--spin") {
      o.spin_ns = static_cast<uint32_t>(std::strtoul(value(), nullptr, 10));
    } else if (!arg.empty() && arg[0] == '-') {
      usage();
    } else {
      o.filter = arg;
    }
  }
  if (o.quick) o.rounds = 1;
  if (o.rounds < 1 || o.seconds <= 0 || o.slots == 0 || (o.slots & (o.slots - 1)) != 0) usage();
  return o;
}

std::string spin_label(uint32_t ns) {
  char text[64];
  std::snprintf(text, sizeof text, "libpipc channel, spin %g us", ns / 1000.0);
  return text;
}

std::string slots_label(const char *what, long slots) {
  return std::string(what) + ", " + std::to_string(slots) + " slots";
}

// Times case C at SIZE (or as ping-pong) for the configured rounds, alternating with
// the other cases: called once per round. The first call calibrates the count.
void measure(const Options &o, const Case &c, size_t size, Mode mode, Figures &f) {
  Spec spec{size, c.slots, c.spin_ns, mode == Mode::pingpong};
  const long warmup = o.quick ? (mode == Mode::pingpong ? 20 : 100)
                              : (mode == Mode::pingpong ? 200 : 2000);
  if (f.n == 0) {
    if (o.quick) {
      f.n = mode == Mode::pingpong ? 200 : 2000;
    } else {
      const long probe = mode == Mode::pingpong ? 2000 : 20000;
      const Result r = run(*c.transport, spec, mode, probe, warmup);
      const double rate = static_cast<double>(r.messages) / r.seconds;
      f.n = std::clamp(static_cast<long>(rate * o.seconds), probe / 4, 100000000L);
    }
  }
  const Result r = run(*c.transport, spec, mode, f.n, warmup);
  f.samples.push_back(static_cast<double>(r.messages) / r.seconds);
  f.cpu.push_back(r.cpu_seconds * 1e9 / static_cast<double>(r.messages));
  f.p50.push_back(r.p50_ns);
  f.p99.push_back(r.p99_ns);
}

bool selected(const Options &o, const Case &c) {
  return c.is_channel || o.filter.empty() || c.label.find(o.filter) != std::string::npos;
}

const char *verdict(bool quick, bool met) {
  if (quick) return "not judged (--quick)";
  return met ? "MET" : "MISSED";
}

}  // namespace

int main(int argc, char **argv) {
  const Options o = parse(argc, argv);
  init();
  setvbuf(stdout, nullptr, _IOLBF, 0);
  if (!set_placement(o.placement)) {
    std::printf("bench_channel: --placement apart needs two CPUs this process may use: skipped\n");
    return 77;  // meson's "skipped"
  }

  const long mq_slots = posix_mq_msg_max();
  std::vector<Case> cases = {
      {"libpipc channel, blocking", &channel_transport, o.slots, 0, true},
      {spin_label(o.spin_ns), &channel_transport, o.slots, o.spin_ns, true},
      {slots_label("POSIX mq (msg_max)", mq_slots), &posix_mq_transport, o.slots, 0, false},
      {"System V msg (msgmnb " + std::to_string(sysv_msgmnb()) + " B)", &sysv_mq_transport, 0, 0,
       false},
      {"pipe (" + std::to_string(pipe_capacity()) + " B)", &pipe_transport, 0, 0, false},
      {"Unix socket (SOCK_SEQPACKET)", &socket_transport, 0, 0, false},
#ifdef PIPC_BENCH_BOOST
      {slots_label("Boost message_queue", o.slots), &boost_transport, o.slots, 0, false},
      {slots_label("Boost message_queue", mq_slots), &boost_transport,
       static_cast<uint32_t>(mq_slots), 0, false},
#endif
      {slots_label("bare SPSC ring, busy-polling", o.slots), &ring_transport, o.slots, 0, false},
  };
  std::vector<Case> latency_cases = {
      {"libpipc channel, blocking", &channel_transport, o.slots, 0, true},
      {spin_label(o.spin_ns), &channel_transport, o.slots, o.spin_ns, true},
      {slots_label("POSIX mq (msg_max)", mq_slots), &posix_mq_transport, o.slots, 0, false},
      {"POSIX semaphore pair (no payload)", &semaphore_transport, 0, 0, false},
      {"bare SPSC ring, busy-polling", &ring_transport, o.slots, 0, false},
  };
  const size_t sizes[2] = {64, 4096};

  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) < 0) load[0] = load[1] = load[2] = -1;
  std::printf("libpipc %s channel benchmark: 1 producer process -> 1 consumer process\n",
              pipc_version());
  std::printf("median of %d alternating round%s%s; %ld CPUs online, load average %.2f %.2f %.2f "
              "at the start\n",
              o.rounds, o.rounds == 1 ? "" : "s", o.quick ? " (--quick: a smoke run, few messages)" : "",
              sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2]);
  std::printf("limits: /proc/sys/fs/mqueue/msg_max = %ld (the POSIX queue's slots), "
              "/proc/sys/kernel/msgmnb = %ld B, pipe %ld B; channel, Boost and ring: %u slots\n",
              mq_slots, sysv_msgmnb(), pipe_capacity(), o.slots);
  std::printf("processes: %s\n", placement_text(o.placement));
#ifndef PIPC_BENCH_BOOST
  std::printf("Boost.Interprocess: not built (meson found no Boost headers: apt-get install "
              "libboost-dev)\n");
#endif

  std::vector<Figures> thr[2];
  thr[0].resize(cases.size());
  thr[1].resize(cases.size());
  std::vector<Figures> lat(latency_cases.size());
  for (int round = 0; round < o.rounds; ++round) {
    for (size_t i = 0; i < cases.size(); ++i) {
      if (!selected(o, cases[i])) continue;
      for (int s = 0; s < 2; ++s) measure(o, cases[i], sizes[s], Mode::throughput, thr[s][i]);
    }
    for (size_t i = 0; i < latency_cases.size(); ++i) {
      if (selected(o, latency_cases[i])) {
        measure(o, latency_cases[i], 64, Mode::pingpong, lat[i]);
      }
    }
    if (!o.quick) std::fprintf(stderr, "round %d of %d done\n", round + 1, o.rounds);
  }

  std::printf("\nThroughput, messages per second. CPU: ns of CPU time (user + system, both\n"
              "processes) per message, which another program's load moves less than the rate.\n"
              "Spread: (max - min) / median of the rounds' rates.\n");
  std::printf("%-40s %13s %13s %13s %13s %9s %7s\n", "case", "64 B msgs/s", "4 KiB msgs/s",
              "channel/this", "channel/this", "CPU ns", "spread");
  std::printf("%-40s %13s %13s %13s %13s %9s %7s\n", "", "", "", "64 B", "4 KiB", "64 B", "64 B");
  for (size_t i = 0; i < cases.size(); ++i) {
    if (thr[0][i].samples.empty()) continue;
    std::printf("%-40s %13.0f %13.0f %12.2fx %12.2fx %9.0f %6.0f%%\n", cases[i].label.c_str(),
                thr[0][i].median(), thr[1][i].median(), thr[0][0].median() / thr[0][i].median(),
                thr[1][0].median() / thr[1][i].median(), thr[0][i].cpu_median(),
                100 * thr[0][i].spread());
  }
  std::printf("\nPing-pong, 64 B, microseconds per round trip: the median and 99th percentile of\n"
              "the round trips, and the mean (the run's time / round trips, which includes every\n"
              "wait for a core); this/channel compares medians; CPU: us of CPU time per round trip\n");
  std::printf("%-40s %9s %9s %9s %13s %9s %7s\n", "case", "median", "p99", "mean", "this/channel",
              "CPU us", "spread");
  auto us = [&](size_t i) { return lat[i].p50_us(); };
  for (size_t i = 0; i < latency_cases.size(); ++i) {
    if (lat[i].samples.empty()) continue;
    std::printf("%-40s %9.2f %9.2f %9.2f %12.2fx %9.2f %6.0f%%\n", latency_cases[i].label.c_str(),
                us(i), lat[i].p99_us(), 1e6 / lat[i].median(), us(i) / us(0),
                lat[i].cpu_median() / 1000, 100 * lat[i].spread());
  }

  // The goals of issue 16, on this run's medians (64 B, blocking channel).
  std::printf("\nGoals (issue 16), on this run:\n");
  auto find = [&](const std::vector<Case> &list, const Transport *t, uint32_t slots) -> long {
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].transport == t && (slots == 0 || list[i].slots == slots)) return static_cast<long>(i);
    }
    return -1;
  };
  const double channel = thr[0][0].median();
  auto throughput_goal = [&](const char *goal, long i, bool at_least, double factor) {
    if (i < 0 || thr[0][i].samples.empty()) {
      std::printf("- %s: NOT MEASURED\n", goal);
      return;
    }
    const double other = thr[0][i].median(), ratio = channel / other;
    const bool met = at_least ? ratio >= factor : ratio >= 1 / factor;
    std::printf("- %s: %s; channel %.0f vs %.0f msgs/s = %.2fx\n", goal, verdict(o.quick, met),
                channel, other, ratio);
  };
  throughput_goal("blocking channel >= 50x POSIX mq, 64 B", find(cases, &posix_mq_transport, 0),
                  true, 50);
#ifdef PIPC_BENCH_BOOST
  throughput_goal(("blocking channel >= 2x Boost message_queue, same slots (" +
                   std::to_string(o.slots) + "), 64 B").c_str(),
                  find(cases, &boost_transport, o.slots), true, 2);
#else
  std::printf("- blocking channel >= 2x Boost message_queue, same slots: NOT MEASURED (no Boost)\n");
#endif
  throughput_goal("blocking channel within 2x of the bare SPSC ring, 64 B (channel/ring >= 0.5x)",
                  find(cases, &ring_transport, 0), false, 2);
  auto latency_goal = [&](const char *goal, long mine, long other, double factor) {
    if (mine < 0 || other < 0 || lat[mine].samples.empty() || lat[other].samples.empty()) {
      std::printf("- %s: NOT MEASURED\n", goal);
      return;
    }
    const double a = us(static_cast<size_t>(mine)), b = us(static_cast<size_t>(other));
    const double a_mean = 1e6 / lat[mine].median(), b_mean = 1e6 / lat[other].median();
    std::printf("- %s: %s; median round trip %.2f us vs %.2f us = %.3fx (means %.2f vs %.2f us)\n",
                goal, verdict(o.quick, a <= b * factor), a, b, a / b, a_mean, b_mean);
  };
  latency_goal("spinning channel ping-pong <= 1/10 of POSIX mq's", 1,
               find(latency_cases, &posix_mq_transport, 0), 0.1);
  latency_goal("blocking channel ping-pong <= POSIX semaphore ping-pong", 0,
               find(latency_cases, &semaphore_transport, 0), 1.0);
  double end_load[3] = {0, 0, 0};
  if (getloadavg(end_load, 3) >= 0) {
    std::printf("\nload average at the end: %.2f %.2f %.2f\n", end_load[0], end_load[1], end_load[2]);
  }
  return 0;
}
